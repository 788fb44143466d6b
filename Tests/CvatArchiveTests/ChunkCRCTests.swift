import CvatTestSupport
import Foundation
import Testing

@testable import CvatArchive

/// `validate(path:)` checksums stored members in place with zlib's crc32; it must agree with the zip CRC-32.
@Suite("Chunk validation CRC-32")
struct ChunkCRCTests {
    @Test("zlib's CRC-32 equals the bitwise reference on empty, small, odd-sized and large buffers")
    func matchesReference() {
        var rng = SystemRandomNumberGenerator()
        for count in [0, 1, 3, 7, 8, 15, 16, 17, 63, 64, 65, 1000, 4095, 65_537, 300_001] {
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let crc = bytes.withUnsafeBytes { ChunkArchive.crc32(of: $0) }
            #expect(crc == CvatTestSupport.crc32(bytes), "\(count) bytes")
        }
        #expect(Array("123456789".utf8).withUnsafeBytes { ChunkArchive.crc32(of: $0) } == 0xCBF4_3926)
    }

    @Test("one flipped bit in the data of a large stored member fails validate, naming that member")
    func flippedBit() throws {
        var z = ZipBuilder()
        for i in 0..<6 {
            z.add(
                String(format: "%06d.jpg", i),
                (0..<(40_000 + i * 1001)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ i) })
        }
        var bytes = z.build()
        try ChunkArchive.validate(path: try ChunkArchiveTests.write(bytes))
        // Member 4's data starts after four local headers (30 bytes + 10-byte name) and their data.
        let offset = (0..<4).reduce(0) { $0 + 40 + z.members[$1].data.count } + 40 + 12_345
        bytes[offset] ^= 0x10
        let path = try ChunkArchiveTests.write(bytes)
        #expect(try ChunkArchive(path: path).count == 6)
        let error = ChunkArchiveTests.failure { try ChunkArchive.validate(path: path) }
        #expect(error?.kind == .checksumMismatch)
        #expect(error?.member == "000004.jpg")
        #expect(error?.detail.contains("the directory says") == true)
    }

    @Test("an empty stored member validates")
    func emptyMember() throws {
        var z = ZipBuilder()
        z.add("000000.jpg", [])
        z.add("000001.jpg", [1, 2, 3])
        try ChunkArchive.validate(path: try ChunkArchiveTests.write(z.build()))
    }
}
