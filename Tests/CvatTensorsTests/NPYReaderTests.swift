import CvatTensors
import CvatTestSupport
import Foundation
import Testing

@Suite struct NPYReaderTests {
    func temporary() throws -> URL { try TestPaths.makeTemporaryDirectory("npy-reader") }

    @Test("round trip with NPYWriter for every dtype, any rows read back exactly")
    func roundTrip() throws {
        let dir = try temporary()
        defer { try? FileManager.default.removeItem(at: dir) }
        let u8 = dir.appendingPathComponent("u8.npy").path
        let w8 = try NPYWriter(path: u8, dtype: .uint8, trailingShape: [2, 3])
        let bytes = (0..<24).map { UInt8($0 * 10 % 256) }
        try w8.append(bytes)
        try w8.finish()
        let r8 = try NPYReader(npyPath: u8)
        #expect(r8.dtype == .uint8 && r8.shape == [4, 2, 3] && r8.rowElements == 6 && r8.rowCount == 4)
        #expect(r8.dataOffset % 64 == 0)
        #expect(try r8.uint8(0..<24) == bytes)
        #expect(try r8.uint8(r8.rowRange(2..<3)) == Array(bytes[12..<18]))

        let f32 = dir.appendingPathComponent("f.npy").path
        let floats: [Float] = [0, -1.5, .pi, 1e-30, -.infinity, 3.25, 7, 8]
        let wf = try NPYWriter(path: f32, dtype: .float32, trailingShape: [4])
        try wf.append(floats)
        try wf.finish()
        let rf = try NPYReader(npyPath: f32)
        #expect(rf.shape == [2, 4])
        #expect(try rf.float32(0..<8) == floats)
        #expect(try rf.float32(rf.rowRange(1..<2)) == Array(floats[4...]))

        let i64 = dir.appendingPathComponent("i.npy").path
        let ints: [Int64] = [0, -1, .max, .min, 42]
        let wi = try NPYWriter(path: i64, dtype: .int64, trailingShape: [])
        try wi.append(ints)
        try wi.finish()
        let ri = try NPYReader(npyPath: i64)
        #expect(ri.shape == [5] && ri.rowElements == 1)
        #expect(try ri.int64(0..<5) == ints)
        #expect(try ri.int64(3..<4) == [.min])
        #expect(try ri.ints(4..<5) == [42])

        let u16 = dir.appendingPathComponent("u16.npy").path
        let shorts: [UInt16] = [0, 1, 255, 256, 65535, 4660]
        let w16 = try NPYWriter(path: u16, dtype: .uint16, trailingShape: [3])
        try w16.append(shorts)
        try w16.finish()
        let r16 = try NPYReader(npyPath: u16)
        #expect(try r16.uint16(0..<6) == shorts)
        #expect(try r16.doubles(3..<6) == [256, 65535, 4660])
    }

    @Test("an empty array and a raw .bin file read back; the manifest entry picks .npy or raw by name")
    func rawAndEmpty() throws {
        let dir = try temporary()
        defer { try? FileManager.default.removeItem(at: dir) }
        let empty = dir.appendingPathComponent("e.npy").path
        let we = try NPYWriter(path: empty, dtype: .float32, trailingShape: [4])
        try we.finish()
        let re = try NPYReader(npyPath: empty)
        #expect(re.shape == [0, 4] && re.elementCount == 0)
        #expect(try re.float32(0..<0) == [])

        let raw = dir.appendingPathComponent("r.bin").path
        let wr = try RawWriter(path: raw, dtype: .int64, trailingShape: [2])
        try wr.append([Int64(1), 2, 3, -4])
        let shape = try wr.finish()
        let rr = try NPYReader(
            entry: Manifest.ArrayEntry(file: "r.bin", dtype: .int64, shape: shape), directory: dir.path)
        #expect(rr.dataOffset == 0 && rr.shape == [2, 2])
        #expect(try rr.int64(2..<4) == [3, -4])

        // A raw file whose size does not match the manifest's shape is refused, naming it.
        #expect {
            try NPYReader(entry: Manifest.ArrayEntry(file: "r.bin", dtype: .int64, shape: [3, 2]), directory: dir.path)
        } throws: { error in
            let e = error as? TensorReadError
            return e?.kind == .malformed && e?.path == raw && e?.reason.contains("truncated") == true
        }
    }

    @Test("a .npy header that disagrees with the manifest, a wrong dtype accessor and out-of-range rows are errors")
    func mismatches() throws {
        let dir = try temporary()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("b.npy").path
        let w = try NPYWriter(path: path, dtype: .float32, trailingShape: [4])
        try w.append([Float](repeating: 1, count: 8))
        try w.finish()
        #expect(throws: TensorReadError.self) {
            try NPYReader(
                entry: Manifest.ArrayEntry(file: "b.npy", dtype: .float32, shape: [3, 4]), directory: dir.path)
        }
        let r = try NPYReader(npyPath: path)
        #expect(throws: TensorReadError.self) { try r.int64(0..<1) }
        #expect(throws: TensorReadError.self) { try r.float32(4..<9) }
        #expect(throws: TensorReadError.self) { try r.ints(0..<1) }
    }

    /// Writes a file of `header` (the dictionary text) and `data` with a hand-made format 1.0 preamble.
    func handMade(_ dir: URL, _ name: String, header: String, data: [UInt8]) throws -> String {
        var dict = Array(header.utf8)
        while (10 + dict.count + 1) % 64 != 0 { dict.append(0x20) }
        dict.append(0x0A)
        let bytes =
            [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(dict.count & 0xFF), UInt8(dict.count >> 8)] + dict + data
        let path = dir.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("headers NumPy writes are read; big-endian, Fortran order, other dtypes, truncation, garbage are refused")
    func headers() throws {
        let dir = try temporary()
        defer { try? FileManager.default.removeItem(at: dir) }
        // numpy.save's own spelling, with a 1-tuple and '<u1'.
        let ok = try handMade(
            dir, "ok.npy", header: "{'descr': '<u1', 'fortran_order': False, 'shape': (3,), }", data: [7, 8, 9])
        #expect(try NPYReader(npyPath: ok).uint8(0..<3) == [7, 8, 9])
        let scalar = try handMade(
            dir, "s.npy", header: "{'descr': '<i8', 'fortran_order': False, 'shape': (), }",
            data: [5, 0, 0, 0, 0, 0, 0, 0])
        #expect(try NPYReader(npyPath: scalar).int64(0..<1) == [5])

        func refused(_ name: String, _ header: String, _ data: [UInt8], _ words: String) throws {
            let path = try handMade(dir, name, header: header, data: data)
            #expect {
                try NPYReader(npyPath: path)
            } throws: { error in
                let e = error as? TensorReadError
                return e?.kind == .malformed && e?.path == path && e?.reason.contains(words) == true
            }
        }
        try refused("be.npy", "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", [0, 0, 0, 0], "big-endian")
        try refused("fo.npy", "{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", [0, 0, 0, 0], "Fortran")
        try refused(
            "f8.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", [UInt8](repeating: 0, count: 8),
            "'<f8' is not supported")
        try refused(
            "short.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }",
            [UInt8](repeating: 0, count: 12), "truncated")
        try refused("noshape.npy", "{'descr': '<f4', 'fortran_order': False, }", [], "'shape'")

        let garbage = dir.appendingPathComponent("g.npy").path
        try Data("not an array".utf8).write(to: URL(fileURLWithPath: garbage))
        #expect(throws: TensorReadError.self) { try NPYReader(npyPath: garbage) }
        #expect {
            try NPYReader(npyPath: dir.appendingPathComponent("absent.npy").path)
        } throws: { error in (error as? TensorReadError)?.kind == .missing }
    }
}
