import CvatImage
import CvatPreview
import CvatTensors
import CvatTestSupport
import Foundation
import Testing

/// The export reader in-process, on small exports written here with the real array and manifest writers.
@Suite struct ExportReaderTests {
    /// Two 4x3 samples with one box and one instance mask each, as `--transform masks` writes them.
    static let width = 4
    static let height = 3

    static func image(_ sample: Int) -> [UInt8] {
        (0..<(width * height * 3)).map { UInt8(sample * 100 + $0) }
    }

    static var twoImages: [Double] { (image(0) + image(1)).map { Double($0) } }

    static func transform(target: String, layout: String = "nhwc", dtype: DType = .uint8) -> Manifest.Transform {
        Manifest.Transform(
            target: target, resize: .init(mode: "none"), filter: "bilinear", layout: layout, dtype: dtype,
            normalize: nil, format: "npy", labelOffset: 0, labelMap: nil, shapeTypes: ["polygon"],
            ellipseBox: "full-ellipse", tracks: true, jobFilter: nil, skipInvalid: false, dctScaling: "disabled",
            maxPixels: 1 << 20)
    }

    /// Writes `arrays` (name → dtype, trailing shape, values) as `<name>.npy` and a manifest listing them.
    static func write(
        _ arrays: [(name: String, dtype: DType, trailing: [Int], values: [Double])], transform: Manifest.Transform,
        samples: Int = 2, labels: Manifest.Labels = .init(names: ["cat", "dog"]), to dir: URL
    ) throws {
        var entries: [String: Manifest.ArrayEntry] = [:]
        for array in arrays {
            let writer = try NPYWriter(
                path: dir.appendingPathComponent("\(array.name).npy").path, dtype: array.dtype,
                trailingShape: array.trailing)
            switch array.dtype {
            case .uint8: try writer.append(array.values.map { UInt8($0) })
            case .uint16: try writer.append(array.values.map { UInt16($0) })
            case .int32: try writer.append(array.values.map { Int32($0) })
            case .int64: try writer.append(array.values.map { Int64($0) })
            case .float32: try writer.append(array.values.map { Float($0) })
            }
            entries[array.name] = Manifest.ArrayEntry(
                file: "\(array.name).npy", dtype: array.dtype, shape: try writer.finish())
        }
        let manifest = Manifest(
            tool: .init(name: "cvat-ds", version: "test"),
            source: .init(server: "http://localhost", tasks: [.init(id: 1, updatedDate: "2024-01-01T00:00:00Z")]),
            labels: labels,
            samples: (0..<samples).map {
                .init(taskID: 1, frame: $0, name: "f\($0).png", width: width, height: height)
            },
            arrays: entries, transform: transform)
        try manifest.write(to: dir.appendingPathComponent("manifest.json"))
    }

    /// A `masks` export: box 0 on sample 0 (track 7), box 1 on sample 1 (no track), a mask pixel set in each.
    static func writeMasksExport(to dir: URL, maskRows: Int = 2, boxDType: DType = .float32) throws {
        var masks = [Double](repeating: 0, count: maskRows * width * height)
        masks[1 * width + 2] = 1
        masks[width * height + 2 * width + 3] = 1
        try write(
            [
                ("images", .uint8, [height, width, 3], (image(0) + image(1)).map { Double($0) }),
                ("boxes", boxDType, [4], [0.5, 0, 3, 2, 1, 1, 4, 3]),
                ("box_labels", .int64, [], [1, 0]),
                ("box_offsets", .int64, [], [0, 1, 2]),
                ("box_track_ids", .int64, [], [7, -1]),
                ("masks", .uint8, [height, width], masks),
            ], transform: transform(target: "masks"), to: dir)
    }

    func withFolder<T>(_ body: (URL) throws -> T) throws -> T {
        let dir = try TestPaths.makeTemporaryDirectory("cvat-preview-reader")
        defer { try? FileManager.default.removeItem(at: dir) }
        return try body(dir)
    }

    @Test("pixels, boxes, track ids and instance masks come back as written")
    func readsMasksExport() throws {
        try withFolder { dir in
            try Self.writeMasksExport(to: dir)
            let reader = try ExportReader(path: dir.path)
            #expect(reader.count == 2 && reader.backgroundIndex == 255)
            let second = try reader.sample(1)
            #expect(second.image.width == Self.width && second.image.height == Self.height)
            #expect(second.image.pixels == Self.image(1))
            #expect(second.label == nil)
            #expect(second.boxes.count == 1)
            let box = second.boxes[0]
            #expect([box.x0, box.y0, box.x1, box.y1] == [1, 1, 4, 3] && box.label == 0 && box.track == -1)
            #expect(try reader.sample(0).boxes.map(\.track) == [7])
            let mask = try #require(second.instanceMasks.first)
            #expect(mask.width == Self.width && mask.height == Self.height)
            #expect(mask[3, 2] == 1 && mask.values.reduce(0) { $0 + Int($1) } == 1)
            #expect(try reader.sample(0).instanceMasks.map { $0[2, 1] } == [1])
        }
    }

    @Test("the occluded flag and the asked attributes come back as text, NaN cells left out")
    func readsOccludedAndAttributes() throws {
        try withFolder { dir in
            let columns: [Manifest.AttributeColumn] = [
                .init(
                    index: 0, labelID: 2, label: "dog", specID: 1, attribute: "colour", inputType: "select",
                    values: ["red", "brown"]),
                .init(
                    index: 1, labelID: 2, label: "dog", specID: 2, attribute: "wet", inputType: "checkbox",
                    values: ["false"]),
                .init(
                    index: 2, labelID: 1, label: "cat", specID: 3, attribute: "age", inputType: "number",
                    values: ["0", "30", "1"]),
                .init(
                    index: 3, labelID: 1, label: "cat", specID: 4, attribute: "name", inputType: "text",
                    values: [""], strings: ["Felix", "Tom"]),
            ]
            try Self.write(
                [
                    ("images", .uint8, [Self.height, Self.width, 3], Self.twoImages),
                    ("boxes", .float32, [4], [0, 0, 2, 2, 1, 1, 3, 3, 0, 0, 1, 1]),
                    ("box_labels", .int64, [], [1, 0, 0]),
                    ("box_offsets", .int64, [], [0, 1, 3]),
                    ("box_occluded", .uint8, [], [1, 0, 1]),
                    ("box_attributes", .float32, [4], [1, 0, .nan, .nan, .nan, .nan, 2.5, 1, .nan, .nan, .nan, .nan]),
                ], transform: Self.transform(target: "bboxes"),
                labels: .init(names: ["cat", "dog"], attributeColumns: columns), to: dir)
            let reader = try ExportReader(path: dir.path)
            let first = try reader.sample(0)
            #expect(first.occluded == [true])
            #expect(first.attributes == [["colour=brown", "wet=false"]])
            let second = try reader.sample(1)
            #expect(second.occluded == [false, true])
            #expect(second.attributes == [["age=2.5", "name=Tom"], []])
        }
    }

    @Test("an attribute array that disagrees with the manifest's columns is malformed")
    func attributesMustMatchTheColumns() throws {
        try withFolder { dir in
            try Self.write(
                [
                    ("images", .uint8, [Self.height, Self.width, 3], Self.twoImages),
                    ("labels", .int64, [], [0, 1]),
                    ("tag_attributes", .float32, [2], [0, 1, 0, 1]),
                ], transform: Self.transform(target: "label"), to: dir)
            #expect(throws: PreviewError.self) { try ExportReader(path: dir.path) }
        }
    }

    @Test("float32 NCHW images are un-normalised with the manifest's mean and std; a uint16 class map reads whole")
    func readsNormalisedSemanticExport() throws {
        try withFolder { dir in
            let mean: [Float] = [0.5, 0.25, 0]
            let std: [Float] = [0.5, 0.25, 1]
            let plane = Self.width * Self.height
            var pixels: [Double] = []
            // Channel c of pixel p is 10 * c + p: stored as ((v / 255) - mean) / std, channels first.
            for c in 0..<3 {
                for p in 0..<plane { pixels.append(Double((Float(10 * c + p) / 255 - mean[c]) / std[c])) }
            }
            var transform = Self.transform(target: "semantic", layout: "nchw", dtype: .float32)
            transform.normalize = .init(mean: mean.map { Double($0) }, std: std.map { Double($0) })
            transform.backgroundIndex = 0
            transform.maskDType = .uint16
            try Self.write(
                [
                    ("images", .float32, [3, Self.height, Self.width], pixels),
                    ("masks", .uint16, [Self.height, Self.width], (0..<plane).map { Double(1000 * $0) }),
                ], transform: transform, samples: 1, to: dir)
            let reader = try ExportReader(path: dir.path)
            #expect(reader.backgroundIndex == 0)
            let sample = try reader.sample(0)
            let expected = (0..<plane).flatMap { p in (0..<3).map { c in UInt8(10 * c + p) } }
            #expect(sample.image.pixels == expected)
            let map = try #require(sample.semantic)
            #expect(map.values == (0..<plane).map { UInt16(1000 * $0) })
            #expect(sample.instanceMasks.isEmpty && sample.boxes.isEmpty)
        }
    }

    @Test("an array the manifest lists but the folder lacks is missing, naming the file")
    func missingArray() throws {
        try withFolder { dir in
            try Self.writeMasksExport(to: dir)
            let path = dir.appendingPathComponent("box_labels.npy").path
            try FileManager.default.removeItem(atPath: path)
            let error = try #require(throws: PreviewError.self) { try ExportReader(path: dir.path) }
            #expect(error.kind == .missing && error.category == .notFound)
            #expect(error.description.contains(path), "\(error)")
        }
    }

    @Test("a wrong dtype or shape is malformed, naming the file")
    func wrongDTypeOrShape() throws {
        try withFolder { dir in
            try Self.writeMasksExport(to: dir, boxDType: .uint8)
            let error = try #require(throws: PreviewError.self) { try ExportReader(path: dir.path) }
            #expect(error.kind == .malformed && error.category == .data)
            #expect(error.description.contains(dir.appendingPathComponent("boxes.npy").path), "\(error)")
            #expect(error.description.contains("uint8"), "\(error)")
        }
        try withFolder { dir in
            // Three masks for two boxes.
            try Self.writeMasksExport(to: dir, maskRows: 3)
            let error = try #require(throws: PreviewError.self) { try ExportReader(path: dir.path) }
            #expect(error.kind == .malformed)
            #expect(error.description.contains(dir.appendingPathComponent("masks.npy").path), "\(error)")
            #expect(error.description.contains("one mask per box"), "\(error)")
        }
        try withFolder { dir in
            // The header says one thing and manifest.json another.
            try Self.writeMasksExport(to: dir)
            let url = dir.appendingPathComponent("manifest.json")
            var manifest = try Manifest.read(from: url)
            manifest.arrays["box_labels"]?.shape = [3]
            try manifest.write(to: url)
            let error = try #require(throws: PreviewError.self) { try ExportReader(path: dir.path) }
            #expect(error.kind == .malformed)
            #expect(error.description.contains(dir.appendingPathComponent("box_labels.npy").path), "\(error)")
        }
    }

    @Test(
        "a malformed manifest is refused, naming it",
        arguments: [
            "{\"format_version\": 1, ",
            // Valid JSON, but the transform has no layout: the typed record needs every key exports write.
            "REMOVE layout",
            "REPLACE \"layout\" : \"nhwc\" WITH \"layout\" : \"hwcn\"",
        ])
    func malformedManifest(_ edit: String) throws {
        try withFolder { dir in
            try Self.writeMasksExport(to: dir)
            let url = dir.appendingPathComponent("manifest.json")
            var text = try String(contentsOf: url, encoding: .utf8)
            if edit.hasPrefix("REMOVE ") {
                let key = "\"\(edit.dropFirst(7))\" : \"nhwc\",\n"
                #expect(text.contains(key))
                text = text.replacingOccurrences(of: key, with: "")
            } else if edit.hasPrefix("REPLACE ") {
                let parts = edit.dropFirst(8).components(separatedBy: " WITH ")
                #expect(text.contains(parts[0]))
                text = text.replacingOccurrences(of: parts[0], with: parts[1])
            } else {
                text = edit
            }
            try Data(text.utf8).write(to: url)
            let error = try #require(throws: PreviewError.self) { try ExportReader(path: dir.path) }
            #expect(error.kind == .malformed && error.category == .data)
            #expect(error.description.contains(url.path), "\(error)")
        }
    }

    @Test("no folder, a file, a folder without a manifest and a sharded export each say what they are")
    func notAnExport() throws {
        try withFolder { dir in
            let none = try #require(throws: PreviewError.self) {
                try ExportReader(path: dir.appendingPathComponent("nope").path)
            }
            #expect(none.kind == .missing)
            let file = dir.appendingPathComponent("file")
            try Data().write(to: file)
            let notFolder = try #require(throws: PreviewError.self) { try ExportReader(path: file.path) }
            #expect(notFolder.kind == .unsupported && notFolder.description.contains("--out"))
            let empty = try #require(throws: PreviewError.self) { try ExportReader(path: dir.path) }
            #expect(empty.kind == .missing && empty.description.contains("manifest.json"))

            try Self.writeMasksExport(to: dir)
            let url = dir.appendingPathComponent("manifest.json")
            var manifest = try Manifest.read(from: url)
            manifest.shards = [.init(index: 0, samples: 0..<2, arrays: manifest.arrays)]
            try manifest.write(to: url)
            let sharded = try #require(throws: PreviewError.self) { try ExportReader(path: dir.path) }
            #expect(sharded.kind == .unsupported && sharded.category == .usage)
            #expect(sharded.description.contains("sharded"), "\(sharded)")
        }
    }
}
