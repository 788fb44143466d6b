import CvatSystem
import CvatTensors
import CvatTestSupport
import Foundation
import Testing

/// Array files start their writeback while they are written (`Syscalls.startWriteback`, every
/// `BufferedFile.writebackStep` bytes): the call must reach the kernel, and must change no byte of the file.
@Suite struct WritebackTests {
    @Test func theKernelTakesTheRequestForAFileAndRefusesItForAPipe() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("f").path
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        try #require(fd >= 0)
        defer { close(fd) }
        let bytes = [UInt8](repeating: 7, count: 1 << 16)
        try bytes.withUnsafeBytes { try Syscalls.writeAll(fd, $0, path: path) }
        #expect(Syscalls.startWriteback(fd, offset: 0, length: bytes.count))
        var pipeEnds: [Int32] = [0, 0]
        try #require(pipe(&pipeEnds) == 0)
        defer { for end in pipeEnds { close(end) } }
        #if os(Linux)
            #expect(!Syscalls.startWriteback(pipeEnds[1], offset: 0, length: 1))
            #expect(errno == ESPIPE)
        #endif
    }

    /// 40 MB through NPYWriter in appends of odd sizes: the writeback starts twice on the way (every 16 MB) and
    /// the file holds exactly what was appended.
    @Test func aLargeArrayIsWrittenUnchanged() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("a.npy").path
        let writer = try NPYWriter(path: path, dtype: .uint8, trailingShape: [1000])
        var expected: [UInt8] = []
        var rows = 0
        var generator = SystemRandomNumberGenerator()
        while expected.count < 40 << 20 {
            let count = Int.random(in: 1...700, using: &generator) * 1000
            let chunk = [UInt8](repeating: UInt8(truncatingIfNeeded: rows % 251), count: count)
            try chunk.withUnsafeBytes { try writer.append($0) }
            expected += chunk
            rows += count / 1000
        }
        try writer.finish(leadingDimension: rows)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(data.count > expected.count)
        #expect(data.suffix(expected.count).elementsEqual(expected))
    }
}
