import CvatTensors
import CvatTestSupport
import Foundation
import Testing

@Suite("safetensors")
struct SafetensorsTests {
    @Test("arrays assembled from raw files load with the real safetensors package, values intact")
    func roundTrip() throws {
        let folder = try TestPaths.makeTemporaryDirectory("safetensors")
        defer { try? FileManager.default.removeItem(at: folder) }
        let images = RawWriterFixture(folder, "images", .uint8, [3, 3, 2])
        let labels = RawWriterFixture(folder, "labels", .int64, [])
        let boxes = RawWriterFixture(folder, "boxes", .float32, [4])
        try images.write((0..<36).map { UInt8($0) }, rows: 2)
        try labels.write([Int64(7), -1, 3], rows: 3)
        try boxes.write([Float(0.5), 1, 2, 3.25], rows: 1)
        let path = folder.appendingPathComponent("data.safetensors").path
        try SafetensorsWriter.write(
            [images.part, labels.part, boxes.part], metadata: ["format": "cvat-ds"], to: path)

        let script = """
            import json, sys, numpy as np
            from safetensors.numpy import load_file
            from safetensors import safe_open
            t = load_file(sys.argv[1])
            with safe_open(sys.argv[1], "np") as f: meta = f.metadata()
            print(json.dumps({k: {"shape": list(v.shape), "dtype": str(v.dtype), "values": v.ravel().tolist()}
                              for k, v in t.items()} | {"meta": meta}))
            """
        let scriptURL = folder.appendingPathComponent("load.py")
        try script.write(to: scriptURL, atomically: true, encoding: .utf8)
        let python = TestPaths.python.split(separator: " ").map(String.init)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python[0])
        process.arguments = Array(python.dropFirst()) + [scriptURL.path, path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let loaded = try JSONSerialization.jsonObject(with: output) as? [String: Any]
        let loadedImages = loaded?["images"] as? [String: Any]
        #expect(loadedImages?["shape"] as? [Int] == [2, 3, 3, 2])
        #expect(loadedImages?["dtype"] as? String == "uint8")
        #expect(loadedImages?["values"] as? [Int] == Array(0..<36))
        #expect((loaded?["labels"] as? [String: Any])?["values"] as? [Int] == [7, -1, 3])
        #expect((loaded?["boxes"] as? [String: Any])?["values"] as? [Double] == [0.5, 1, 2, 3.25])
        #expect((loaded?["meta"] as? [String: String])?["format"] == "cvat-ds")
        // The data starts on an 8-byte boundary.
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let headerLength = data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        #expect((8 + Int(headerLength)) % 8 == 0)
    }

    @Test("a raw file shorter than its shape is refused")
    func sizeMismatch() throws {
        let folder = try TestPaths.makeTemporaryDirectory("safetensors")
        defer { try? FileManager.default.removeItem(at: folder) }
        let labels = RawWriterFixture(folder, "labels", .int64, [])
        try labels.write([Int64(1)], rows: 1)
        var part = labels.part
        part.shape = [2]
        #expect(throws: TensorWriteError.self) {
            try SafetensorsWriter.write([part], to: folder.appendingPathComponent("x.safetensors").path)
        }
    }
}

/// A raw array written with cvat-ds's own RawWriter.
struct RawWriterFixture {
    let path: String
    let dtype: DType
    let trailing: [Int]
    let name: String
    var shape: [Int] = []

    init(_ folder: URL, _ name: String, _ dtype: DType, _ trailing: [Int]) {
        self.name = name
        self.path = folder.appendingPathComponent("\(name).bin").path
        self.dtype = dtype
        self.trailing = trailing
    }

    func write<T>(_ values: [T], rows: Int) throws {
        let writer = try RawWriter(path: path, dtype: dtype, trailingShape: trailing)
        try values.withUnsafeBytes { raw in try writer.append(raw) }
        _ = try writer.finish(leadingDimension: rows)
    }

    var part: SafetensorsWriter.Part {
        let rows =
            (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int).flatMap { $0 }.map {
                $0 / trailing.reduce(dtype.byteSize, *)
            } ?? 0
        return SafetensorsWriter.Part(name: name, dtype: dtype, shape: [rows] + trailing, rawPath: path)
    }
}
