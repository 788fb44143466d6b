import CvatArchive
import CvatTestSupport
import Foundation
import Testing

/// Archives a hostile or broken server could produce that a structural check must still refuse.
@Suite("Hostile chunk archives")
struct HostileArchiveTests {
    @Test("a chunk repeated back to back (an endless body) is refused, though its last end record is valid")
    func repeatedArchive() throws {
        let one = ChunkArchiveTests.frames(3).build()
        #expect(try ChunkArchive(path: ChunkArchiveTests.write(one)).count == 3)
        for copies in [2, 5] {
            let path = try ChunkArchiveTests.write(Array([[UInt8]](repeating: one, count: copies).joined()))
            let error = ChunkArchiveTests.failure { _ = try ChunkArchive(path: path) }
            #expect(error?.kind == .corrupt)
            #expect(error?.detail.contains("between the central directory") == true, "\(String(describing: error))")
        }
    }

    @Test("bytes spliced between the central directory and the end record are refused")
    func splicedBytes() throws {
        var bytes = ChunkArchiveTests.frames(2).build()
        bytes.insert(contentsOf: [UInt8](repeating: 0x41, count: 7), at: bytes.count - 22)
        let error = ChunkArchiveTests.failure { _ = try ChunkArchive(path: ChunkArchiveTests.write(bytes)) }
        #expect(error?.kind == .corrupt)
    }
}
