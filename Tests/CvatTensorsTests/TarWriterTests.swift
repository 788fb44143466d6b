import CvatTensors
import CvatTestSupport
import Foundation
import Testing

@Suite struct TarWriterTests {
    /// Writes `members` into a fresh archive and returns its path, bytes and reported digest.
    static func archive(
        _ members: [(String, [UInt8])], in dir: URL, name: String = "a.tar"
    ) throws -> (path: String, bytes: [UInt8], sha256: String, offsets: [Int]) {
        let path = dir.appendingPathComponent(name).path
        let writer = try TarWriter(path: path)
        let offsets = try members.map { try writer.add(name: $0.0, bytes: $0.1) }
        let (length, sha256) = try writer.finish()
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(bytes.count == length)
        return (path, bytes, sha256, offsets)
    }

    @Test func headerChecksumAndFieldsAreUstar() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tar = try Self.archive([("000000001.cls", Array("7".utf8))], in: dir)
        let header = Array(tar.bytes[0..<512])
        let field = String(decoding: header[148..<154], as: UTF8.self)
        #expect(header[154] == 0 && header[155] == 0x20)
        var blanked = header
        for i in 148..<156 { blanked[i] = 0x20 }
        #expect(Int(field, radix: 8) == blanked.reduce(0) { $0 + Int($1) })
        #expect(String(decoding: header[257..<263], as: UTF8.self) == "ustar\0")
        #expect(String(decoding: header[100..<107], as: UTF8.self) == "0000644")
        #expect(String(decoding: header[124..<135], as: UTF8.self) == "00000000001")
        #expect(header[156] == UInt8(ascii: "0"))
    }

    @Test func dataIsPaddedToBlocksAndTheArchiveEndsInTwoZeroBlocks() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tar = try Self.archive(
            [("a.bin", [1]), ("b.bin", [UInt8](repeating: 2, count: 512)), ("c.bin", [])], in: dir)
        #expect(tar.offsets == [512, 1536, 2560])
        #expect(tar.bytes.count == 512 + 512 + 512 + 512 + 512 + 1024)
        #expect(tar.bytes[513..<1024].allSatisfy { $0 == 0 })
        #expect(tar.bytes.suffix(1024).allSatisfy { $0 == 0 })
        #expect(TarWriter.memberLength(dataBytes: 1) == 1024)
        #expect(TarWriter.memberLength(dataBytes: 512) == 1024)
        #expect(TarWriter.memberLength(dataBytes: 0) == 512)
    }

    @Test func sameMembersGiveTheSameBytes() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let members = [("000000000.npy", [UInt8](repeating: 9, count: 700)), ("000000000.json", Array("{}".utf8))]
        let first = try Self.archive(members, in: dir, name: "1.tar")
        let second = try Self.archive(members, in: dir, name: "2.tar")
        #expect(first.bytes == second.bytes)
        #expect(first.sha256 == second.sha256)
    }

    @Test func pythonTarfileAndGNUTarReadTheArchive() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tar = try Self.archive(
            [("000000003.npy", [UInt8](repeating: 5, count: 1000)), ("000000003.mask.npy", [1, 2, 3])], in: dir)
        let listing = try Python.run(
            """
            import hashlib, sys, tarfile
            with tarfile.open(sys.argv[1]) as t:
                for m in t:
                    print(m.name, m.size, m.mode == 0o644, m.mtime, m.isfile(), m.offset_data, t.extractfile(m).read()[:3].hex())
            print(hashlib.sha256(open(sys.argv[1], 'rb').read()).hexdigest())
            """, [tar.path])
        #expect(
            listing.split(separator: "\n").map(String.init) == [
                "000000003.npy 1000 True 0 True 512 050505", "000000003.mask.npy 3 True 0 True 2048 010203",
                tar.sha256,
            ])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["tar", "tvf", tar.path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(text.contains("-rw-r--r-- 0/0            1000 1970-01-01 00:00 000000003.npy"))
        #expect(text.contains("000000003.mask.npy"))
    }

    @Test(arguments: [String(repeating: "k", count: 101), "", "bad\u{e9}.npy", "nul\u{0}.npy"])
    func namesAUstarHeaderCannotHoldAreRefused(_ name: String) throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let writer = try TarWriter(path: dir.appendingPathComponent("a.tar").path)
        #expect(throws: TensorWriteError.self) { try writer.add(name: name, bytes: [1]) }
        #expect(throws: Never.self) { try writer.add(name: String(repeating: "k", count: 100), bytes: [1]) }
    }

    @Test func aMemberMustGetExactlyItsDeclaredSize() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let writer = try TarWriter(path: dir.appendingPathComponent("a.tar").path)
        try writer.beginMember(name: "a.bin", size: 2)
        #expect(throws: TensorWriteError.self) { try writer.write([1, 2, 3]) }
        try writer.write([1])
        #expect(throws: TensorWriteError.self) { try writer.endMember() }
        #expect(throws: TensorWriteError.self) { _ = try writer.finish() }
        try writer.write([2])
        try writer.endMember()
        #expect(try writer.finish().bytes == 2048)
    }

    @Test func anUnfinishedArchiveNeverAppearsUnderItsName() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("a.tar").path
        do {
            let writer = try TarWriter(path: path)
            try writer.add(name: "a.bin", bytes: [1])
        }
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(!FileManager.default.fileExists(atPath: path + ".partial"))
    }
}

@Suite struct SHA256Tests {
    static func hex(_ bytes: [UInt8]) -> String {
        let hash = SHA256()
        hash.update(bytes)
        return hash.finalizeHex()
    }

    @Test func knownVectors() {
        #expect(Self.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Self.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            Self.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func piecesOfAnySizeGiveTheDigestOfTheWhole() throws {
        let data = (0..<3001).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let hash = SHA256()
        var start = 0
        for size in [1, 63, 64, 65, 200, 1000, 1608] {
            data[start..<(start + size)].withUnsafeBytes { hash.update($0) }
            start += size
        }
        #expect(start == data.count)
        let expected = try Python.run(
            "import hashlib; print(hashlib.sha256(bytes((i * 7) % 256 for i in range(3001))).hexdigest())")
        #expect(hash.finalizeHex() == expected)
        #expect(Self.hex(data) == expected)
    }
}

@Suite struct WebDatasetIndexTests {
    @Test func linesAreWds2idxs() {
        var index = WebDatasetIndex()
        index.add(sample: [
            .init(name: "000000000.npy", offset: 512, size: 9344),
            .init(name: "000000000.json", offset: 10752, size: 80),
        ])
        index.add(sample: [.init(name: "000000001.mask.npy", offset: 11776, size: 3)])
        #expect(
            String(decoding: index.encoded, as: UTF8.self)
                == "v1.2 2\nnpy 512 9344 000000000.npy json 10752 80 000000000.json\n"
                + "mask.npy 11776 3 000000001.mask.npy\n")
        #expect(String(decoding: WebDatasetIndex().encoded, as: UTF8.self) == "v1.2 0\n")
    }

    @Test(arguments: [[4, 3, 3], [2], [0, 5], [3, 65, 97]])
    func npyHeaderIsNumpySaves(_ shape: [Int]) throws {
        let header = DType.uint16.npyHeader(shape: shape)
        let expected = try Python.run(
            """
            import io, sys, numpy as np
            shape = tuple(int(n) for n in sys.argv[1].split(','))
            b = io.BytesIO(); np.save(b, np.zeros(shape, dtype='<u2'))
            print(b.getvalue()[:len(b.getvalue()) - int(np.prod(shape)) * 2].hex())
            """, [shape.map(String.init).joined(separator: ",")])
        #expect(header.map { String(format: "%02x", $0) }.joined() == expected)
    }
}
