import CvatArchive
import CvatTestSupport
import Foundation
import Testing

/// `ChunkArchive(data:name:)`, which fuzz-chunk-zip reads every input with, must be the reader of a file: same
/// members, same validation, same errors.
@Suite("Chunk archives in memory")
struct InMemoryArchiveTests {
    /// The fuzz seeds (stored and deflated members), and one with a byte of a stored member's data flipped (its
    /// CRC-32 no longer matches: only validation sees that).
    static func chunks() throws -> [(name: String, bytes: Data)] {
        let folder = TestPaths.fixtures.appendingPathComponent("fuzz/fuzz-chunk-zip")
        var chunks = try ["stored1.zip", "stored3.zip", "deflated.zip"].map { name in
            (name, try Data(contentsOf: folder.appendingPathComponent(name)))
        }
        var damaged = chunks[1].1
        // The first member's data follows its 30-byte local header and its 10-byte name (000000.jpg).
        damaged[damaged.startIndex + 30 + 10 + 5] ^= 0xFF
        chunks.append(("bad-crc.zip", damaged))
        return chunks
    }

    @Test("members, names and validation agree with the file reader")
    func agreesWithFile() throws {
        let dir = try TestPaths.makeTemporaryDirectory("cvat-archive-memory")
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, bytes) in try Self.chunks() {
            let path = dir.appendingPathComponent(name).path
            try bytes.write(to: URL(fileURLWithPath: path))
            let file = try ChunkArchive(path: path)
            let memory = try ChunkArchive(data: bytes, name: path)
            #expect(memory.path == path)
            #expect(memory.names == file.names, "\(name)")
            for i in 0..<file.count {
                #expect(try memory.member(at: i) == file.member(at: i), "\(name) member \(i)")
            }
            var fileError: ChunkArchiveError?
            do { try ChunkArchive.validate(path: path) } catch { fileError = error }
            var memoryError: ChunkArchiveError?
            do { try memory.validate() } catch { memoryError = error }
            #expect(fileError?.kind == memoryError?.kind, "\(name)")
            #expect(fileError?.description == memoryError?.description, "\(name)")
            #expect((fileError != nil) == (name == "bad-crc.zip"), "\(name): \(String(describing: fileError))")
        }
    }
}
