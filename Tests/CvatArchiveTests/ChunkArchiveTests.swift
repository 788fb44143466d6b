import CvatArchive
import CvatTestSupport
import Foundation
import Testing

@Suite("Chunk archives")
struct ChunkArchiveTests {
    /// Writes `bytes` to a fresh temporary file and returns its path.
    static func write(_ bytes: [UInt8], name: String = "chunk.zip") throws -> String {
        let dir = try TestPaths.makeTemporaryDirectory("cvat-archive")
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    static func frames(_ n: Int) -> ZipBuilder {
        var z = ZipBuilder()
        for i in 0..<n {
            z.add(String(format: "%06d.jpg", i), (0..<(100 + i * 7)).map { UInt8(truncatingIfNeeded: $0 * (i + 3)) })
        }
        return z
    }

    /// The error `body` throws, which must be a ChunkArchiveError.
    static func failure(_ body: () throws -> Void) -> ChunkArchiveError? {
        do {
            try body()
        } catch let error as ChunkArchiveError {
            return error
        } catch {
            Issue.record("unexpected error type \(type(of: error)): \(error)")
        }
        return nil
    }

    @Test("members come back in central-directory order, byte for byte")
    func readsMembers() throws {
        let z = Self.frames(5)
        let path = try Self.write(z.build())
        let archive = try ChunkArchive(path: path)
        #expect(archive.count == 5)
        #expect(archive.names == z.members.map(\.name))
        for i in 0..<5 {
            #expect([UInt8](try archive.member(at: i)) == z.members[i].data)
            #expect(try archive.name(at: i) == z.members[i].name)
            let n = try archive.withMember(at: i) { $0.count }
            #expect(n == z.members[i].data.count)
        }
        try ChunkArchive.validate(path: path)
        #expect(Self.failure { _ = try archive.member(at: 5) }?.kind == .memberIndexOutOfRange)
    }

    @Test("a zip written by Python's zipfile (ZIP_STORED, as CVAT writes chunks) reads the same")
    func pythonZip() throws {
        let dir = try TestPaths.makeTemporaryDirectory("cvat-archive-py")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("0.zip").path
        let script = """
            import zipfile, sys
            with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_STORED) as z:
                for i in (2, 0, 1):
                    z.writestr("%06d.jpg" % i, bytes([i]) * (10 + i))
                z.writestr("deflated.png", b"abc" * 100, compress_type=zipfile.ZIP_DEFLATED)
            """
        let process = Process()
        let python = TestPaths.python.split(separator: " ").map(String.init)
        process.executableURL = URL(fileURLWithPath: python[0])
        process.arguments = Array(python.dropFirst()) + ["-c", script, path]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        let archive = try ChunkArchive(path: path)
        #expect(archive.names == ["000002.jpg", "000000.jpg", "000001.jpg", "deflated.png"])
        #expect([UInt8](try archive.member(at: 0)) == [UInt8](repeating: 2, count: 12))
        #expect([UInt8](try archive.member(at: 3)) == Array(String(repeating: "abc", count: 100).utf8))
        try ChunkArchive.validate(path: path)
    }

    @Test(
        "unsafe member names are refused, naming file and member",
        arguments: [
            "../x", "a/../../x", "/etc/passwd", "dir\\x.jpg", "C:x.jpg", "",
        ])
    func unsafeNames(name: String) throws {
        var z = Self.frames(1)
        z.add(name, [1, 2, 3])
        let path = try Self.write(z.build())
        let error = Self.failure { _ = try ChunkArchive(path: path) }
        #expect(error?.kind == .unsafeMemberName)
        #expect(error?.member == name)
        #expect(error?.description.contains(path) == true)
    }

    @Test("a symlink member is refused")
    func symlink() throws {
        var z = Self.frames(1)
        z.add("000001.jpg", Array("/etc/passwd".utf8), unixMode: 0o120777)
        let path = try Self.write(z.build())
        let error = Self.failure { _ = try ChunkArchive(path: path) }
        #expect(error?.kind == .notARegularFile)
        #expect(error?.member == "000001.jpg")
        #expect(error?.description.contains("symbolic link") == true)
    }

    @Test("a directory member is refused")
    func directory() throws {
        var z = Self.frames(1)
        z.add("frames/", [], unixMode: 0o040755)
        let error = Self.failure { _ = try ChunkArchive(path: try Self.write(z.build())) }
        #expect(error?.kind == .notARegularFile)
    }

    @Test("duplicate names are refused")
    func duplicates() throws {
        var z = Self.frames(2)
        z.add("000001.jpg", [9, 9])
        let error = Self.failure { _ = try ChunkArchive(path: try Self.write(z.build())) }
        #expect(error?.kind == .duplicateMember)
        #expect(error?.member == "000001.jpg")
    }

    @Test("a truncated zip is refused", arguments: [0.5, 0.9, 0.99])
    func truncated(fraction: Double) throws {
        let bytes = Self.frames(4).build()
        let path = try Self.write(Array(bytes.prefix(Int(Double(bytes.count) * fraction))))
        let error = Self.failure { _ = try ChunkArchive(path: path) }
        #expect(error?.kind == .truncated || error?.kind == .notAZip)
        #expect(error?.description.contains(path) == true)
        #expect(Self.failure { try ChunkArchive.validate(path: path) } != nil)
    }

    @Test("a file that is not a zip is refused")
    func notAZip() throws {
        let path = try Self.write(Array("this is a JPEG, honestly".utf8), name: "0.zip")
        let error = Self.failure { _ = try ChunkArchive(path: path) }
        #expect(error?.kind == .notAZip)
        #expect(error?.description.contains("0.zip") == true)
        #expect(Self.failure { _ = try ChunkArchive(path: path + ".missing") }?.kind == .unreadable)
    }

    @Test("a CRC mismatch passes the cheap open but fails validate, naming the member")
    func crcMismatch() throws {
        var z = Self.frames(3)
        z.members[1].crcOverride = 0xDEAD_BEEF
        let path = try Self.write(z.build())
        #expect(try ChunkArchive(path: path).count == 3)
        let error = Self.failure { try ChunkArchive.validate(path: path) }
        #expect(error?.kind == .checksumMismatch)
        #expect(error?.member == z.members[1].name)
    }

    @Test("a size that disagrees with the data is refused")
    func sizeMismatch() throws {
        var z = Self.frames(2)
        z.members[1].sizeOverride = 100_000
        let error = Self.failure { _ = try ChunkArchive(path: try Self.write(z.build())) }
        #expect(error?.kind == .truncated || error?.kind == .corrupt)
        #expect(error?.member == z.members[1].name)
    }
}
