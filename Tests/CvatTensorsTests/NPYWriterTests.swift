import CvatTensors
import CvatTestSupport
import Foundation
import Testing

@Suite struct NPYWriterTests {
    /// Loads the file both ways NumPy can and prints dtype, shape and the flattened values.
    static let loader = """
        import sys, numpy as np
        a = np.load(sys.argv[1])
        m = np.load(sys.argv[1], mmap_mode="r")
        assert isinstance(m, np.memmap), type(m)
        assert a.dtype == m.dtype and a.shape == m.shape and (a == m).all()
        assert a.flags.c_contiguous
        print(a.dtype.str, list(a.shape), a.ravel().tolist())
        """

    @Test func headerIsNumpyFormat10AlignedTo64() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("a.npy").path
        let writer = try NPYWriter(path: path, dtype: .float32, trailingShape: [2, 3])
        try writer.append([Float](repeating: 1.5, count: 12))
        #expect(try writer.finish(leadingDimension: 2) == [2, 2, 3])
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(Array(bytes[0..<8]) == [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        #expect((10 + headerLength) % 64 == 0)
        #expect(bytes[10 + headerLength - 1] == 0x0A)
        let text = String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self)
        #expect(text.hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2, 3), }"))
        #expect(bytes.count == 10 + headerLength + 48)
        // 1.5f little-endian: 00 00 C0 3F.
        #expect(Array(bytes[(10 + headerLength)...].prefix(4)) == [0, 0, 0xC0, 0x3F])
    }

    @Test(arguments: DType.allCases)
    func numpyLoadsEveryDType(dtype: DType) throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("\(dtype).npy").path
        // A tiny buffer so the data crosses many flushes.
        let writer = try NPYWriter(path: path, dtype: dtype, trailingShape: [3], bufferSize: 5)
        let expected: String
        switch dtype {
        case .uint8:
            try writer.append([0, 1, 255] as [UInt8])
            try writer.append([7, 8, 9] as [UInt8])
            expected = "|u1 [2, 3] [0, 1, 255, 7, 8, 9]"
        case .uint16:
            try writer.append([0, 300, 65535, 1, 2, 3] as [UInt16])
            expected = "<u2 [2, 3] [0, 300, 65535, 1, 2, 3]"
        case .int32:
            try writer.append([-1, Int32.max, 5, Int32.min, 0, 42] as [Int32])
            expected = "<i4 [2, 3] [-1, 2147483647, 5, -2147483648, 0, 42]"
        case .int64:
            try writer.append([-1, Int64.max, 5] as [Int64])
            try writer.append([Int64.min, 0, 42] as [Int64])
            expected = "<i8 [2, 3] [-1, 9223372036854775807, 5, -9223372036854775808, 0, 42]"
        case .float32:
            try writer.append([0.5, -2, 1e-3, 3.25, 100, -0.0] as [Float])
            expected = "<f4 [2, 3] [0.5, -2.0, 0.0010000000474974513, 3.25, 100.0, -0.0]"
        }
        try writer.finish()
        #expect(try Python.run(Self.loader, [path]) == expected)
    }

    @Test func leadingDimensionDecidedAtTheEndAndChunksSplitAnywhere() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("boxes.npy").path
        let writer = try NPYWriter(path: path, dtype: .uint16, trailingShape: [4, 5], bufferSize: 64)
        // 1234 rows of 20 values, appended as raw bytes in odd-sized chunks that split elements.
        let values = (0..<(1234 * 20)).map { UInt16(truncatingIfNeeded: $0 &* 31) }
        let bytes = values.withUnsafeBytes { [UInt8]($0) }
        var offset = 0
        var step = 1
        while offset < bytes.count {
            let end = min(bytes.count, offset + step)
            bytes[offset..<end].withUnsafeBytes { try? writer.append($0) }
            offset = end
            step = step % 97 + 13
        }
        #expect(writer.bytesWritten == bytes.count)
        #expect(try writer.finish() == [1234, 4, 5])
        let check = """
            import sys, numpy as np
            a = np.load(sys.argv[1], mmap_mode="r")
            expected = (np.arange(1234 * 20, dtype=np.int64) * 31 % 65536).astype(np.uint16).reshape(1234, 4, 5)
            print(a.shape, a.dtype, bool((a == expected).all()))
            """
        #expect(try Python.run(check, [path]) == "(1234, 4, 5) uint16 True")
    }

    @Test func emptyArrayLoads() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("empty.npy").path
        let writer = try NPYWriter(path: path, dtype: .float32, trailingShape: [4])
        #expect(try writer.finish(leadingDimension: 0) == [0, 4])
        #expect(
            try Python.run("import sys, numpy as np; a = np.load(sys.argv[1]); print(a.dtype.str, a.shape)", [path])
                == "<f4 (0, 4)")
    }

    @Test func oneDimensionalShapeHasTrailingComma() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("labels.npy").path
        let writer = try NPYWriter(path: path, dtype: .int64, trailingShape: [])
        try writer.append([3, 1, 2] as [Int64])
        #expect(try writer.finish() == [3])
        #expect(try Python.run(Self.loader, [path]) == "<i8 [3] [3, 1, 2]")
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path))[10..<128], as: UTF8.self)
        #expect(text.contains("'shape': (3,), }"))
    }

    @Test func atomicWriteAppearsOnlyWhenFinished() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("a.npy").path
        do {
            let writer = try NPYWriter(path: path, dtype: .uint8, trailingShape: [2])
            try writer.append([1, 2] as [UInt8])
            #expect(!FileManager.default.fileExists(atPath: path))
            #expect(FileManager.default.fileExists(atPath: path + ".partial"))
        }
        // Abandoned without finish: nothing is left behind.
        #expect(!FileManager.default.fileExists(atPath: path + ".partial"))
        #expect(!FileManager.default.fileExists(atPath: path))
        let writer = try NPYWriter(path: path, dtype: .uint8, trailingShape: [2])
        try writer.append([1, 2] as [UInt8])
        try writer.finish()
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(!FileManager.default.fileExists(atPath: path + ".partial"))
        #expect(throws: TensorWriteError.alreadyFinished(path: path)) { try writer.append([3, 4] as [UInt8]) }
    }

    @Test func misuseIsAnError() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("a.npy").path
        let writer = try NPYWriter(path: path, dtype: .float32, trailingShape: [2])
        #expect(throws: TensorWriteError.wrongDType(path: path, array: .float32, appended: .uint8)) {
            try writer.append([1] as [UInt8])
        }
        try writer.append([1, 2, 3] as [Float])
        #expect(throws: TensorWriteError.partialRow(path: path, writtenBytes: 12, rowBytes: 8)) { try writer.finish() }
        #expect(throws: TensorWriteError.sizeMismatch(path: path, shape: [2, 2], expectedBytes: 16, writtenBytes: 12)) {
            try writer.finish(leadingDimension: 2)
        }
        #expect(throws: TensorWriteError.invalidShape(path: path, shape: [-1, 2])) {
            try NPYWriter(path: path, dtype: .uint8, trailingShape: [-1, 2])
        }
    }

    @Test func missingFolderNamesThePathAndReason() throws {
        let path = "/nonexistent-cvat-ds-dir/a.npy"
        do {
            _ = try NPYWriter(path: path, dtype: .uint8, trailingShape: [1], atomic: false)
            Issue.record("expected an error")
        } catch {
            #expect(error == .cannotCreate(path: path, errno: ENOENT))
            #expect(error.description == "cannot create /nonexistent-cvat-ds-dir/a.npy: No such file or directory")
        }
    }

    /// /dev/full fails every write with ENOSPC, as a full disk does.
    @Test(.enabled(if: FileManager.default.isWritableFile(atPath: "/dev/full")))
    func diskFullIsAClearError() throws {
        do {
            // The header alone outgrows the buffer, so even creating the writer may fail.
            let writer = try NPYWriter(
                path: "/dev/full", dtype: .uint8, trailingShape: [16], atomic: false, bufferSize: 64)
            for _ in 0..<16 { try writer.append([UInt8](repeating: 1, count: 16)) }
            try writer.finish()
            Issue.record("expected an error")
        } catch {
            #expect(error == .writeFailed(path: "/dev/full", errno: ENOSPC))
            #expect(error.description.contains("/dev/full: No space left on device; free some space"))
        }
    }
}

@Suite struct RawWriterTests {
    @Test func writesHeaderlessLittleEndianCOrder() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("a.bin").path
        let writer: any ArrayWriter = try RawWriter(path: path, dtype: .int64, trailingShape: [2], bufferSize: 3)
        try writer.append([1, -2] as [Int64])
        try writer.append([258, 0] as [Int64])
        #expect(try writer.finish() == [2, 2])
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(bytes.count == 32)
        #expect(Array(bytes[0..<8]) == [1, 0, 0, 0, 0, 0, 0, 0])
        #expect(Array(bytes[8..<16]) == [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(Array(bytes[16..<24]) == [2, 1, 0, 0, 0, 0, 0, 0])
        let check = "import sys, numpy as np; print(np.fromfile(sys.argv[1], dtype='<i8').reshape(-1, 2).tolist())"
        #expect(try Python.run(check, [path]) == "[[1, -2], [258, 0]]")
    }
}
