import CvatTensors
import CvatTestSupport
import Foundation
import Testing

@Suite struct ManifestTests {
    static let sample = Manifest(
        tool: .init(name: "cvat-ds", version: "0.1.0"),
        source: .init(
            server: "https://alice:s3cret@cvat.example.com:8080/?token=abc#x",
            tasks: [.init(id: 22, updatedDate: "2024-05-01T10:00:00.123456Z")],
            project: .init(id: 3, updatedDate: "2024-05-02T00:00:00Z")),
        labels: .init(names: ["person", "car"], labelOffset: 1),
        samples: [
            .init(taskID: 22, frame: 0, name: "images/a.jpg", width: 810, height: 399),
            .init(taskID: 22, frame: 2, name: "images/c.jpg", width: 640, height: 480, jobID: 7),
        ],
        skipped: [.init(taskID: 22, frame: 1, reason: "no tags")],
        arrays: ["images": .init(file: "images.npy", dtype: .uint8, shape: [2, 3, 224, 224])],
        transform: transform)

    static let transform = Manifest.Transform(
        target: "label",
        resize: .init(mode: "resize-shorter", shorter: 256, centerCrop: .init(width: 224, height: 224)),
        filter: "bilinear", layout: "nchw", dtype: .float32,
        normalize: .init(mean: [0.485, 0.456, 0.406].map { Double(Float($0)) }, std: [0.229, 0.224, 0.225]),
        format: "npy", labelOffset: 1, labelMap: nil, shapeTypes: [], ellipseBox: "full-ellipse", tracks: true,
        jobFilter: nil, skipInvalid: false, dctScaling: "disabled", maxPixels: 178_956_970)

    @Test func credentialsNeverReachTheFile() {
        #expect(Self.sample.source.server == "https://cvat.example.com:8080/")
        #expect(Manifest.Source.redactingCredentials("http://localhost:8080") == "http://localhost:8080")
        #expect(Manifest.Source.redactingCredentials("http://u@h/p@q") == "http://h/p@q")
    }

    @Test func writesSortedPrettyJSONThatReadsBack() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("manifest.json")
        try Self.sample.write(to: url)
        #expect(try Manifest.read(from: url) == Self.sample)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["manifest.json"])
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text.hasSuffix("}\n"))
        #expect(!text.contains("s3cret"))
        #expect(text.contains("\"https://cvat.example.com:8080/\""))
        // Python sees sorted keys at every level, snake_case names, and the optional job_id only where set.
        let check = """
            import json, sys
            text = open(sys.argv[1]).read()
            m = json.loads(text)
            def sorted_everywhere(v):
                if isinstance(v, dict):
                    return list(v) == sorted(v) and all(sorted_everywhere(x) for x in v.values())
                if isinstance(v, list):
                    return all(sorted_everywhere(x) for x in v)
                return True
            print(list(m), sorted_everywhere(m), m["format_version"], m["labels"]["label_offset"],
                  "job_id" in m["samples"][0], m["samples"][1]["job_id"], m["arrays"]["images"],
                  m["transform"]["resize"], m["source"]["tasks"][0]["updated_date"])
            """
        #expect(
            try Python.run(check, [url.path])
                == "['arrays', 'format_version', 'labels', 'samples', 'skipped', 'source', 'tool', 'transform'] True 1 1 "
                + "False 7 {'dtype': 'uint8', 'file': 'images.npy', 'shape': [2, 3, 224, 224]} "
                + "{'center_crop': {'height': 224, 'width': 224}, 'mode': 'resize-shorter', 'shorter': 256} "
                + "2024-05-01T10:00:00.123456Z")
    }

    /// The keys every export records are written even when unset (as null), and a target's or a video's own keys
    /// only where they apply: the same JSON as before the record had a type.
    @Test func transformWritesNullForUnsetCommonKeysAndOmitsOtherTargetsKeys() throws {
        func keys(_ t: Manifest.Transform) throws -> [String: String] {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let object = try JSONSerialization.jsonObject(with: encoder.encode(t)) as? [String: Any] ?? [:]
            return object.mapValues { $0 is NSNull ? "null" : "\($0)" }
        }
        let label = try keys(Self.transform)
        #expect(
            label.keys.sorted() == [
                "dct_scaling", "dtype", "ellipse_box", "filter", "format", "job_filter", "label_map", "label_offset",
                "layout", "max_pixels", "normalize", "resize", "shape_types", "skip_invalid", "target", "tracks",
            ])
        #expect(label["job_filter"] == "null" && label["label_map"] == "null")

        var points = Self.transform
        points.target = "keypoints"
        points.keypointCount = 17
        points.videoFrames = "compressed"
        let keypoints = try keys(points)
        #expect(keypoints["keypoint_count"] == "17" && keypoints["keypoint_names"] == "null")
        #expect(keypoints["video_frames"] == "compressed" && keypoints["background_index"] == nil)

        var semantic = Self.transform
        semantic.target = "semantic"
        semantic.backgroundIndex = 0
        semantic.maskDType = .uint16
        semantic.normalize = nil
        let map = try keys(semantic)
        #expect(map["background_index"] == "0" && map["mask_dtype"] == "uint16" && map["normalize"] == "null")
        #expect(map["keypoint_names"] == nil && map["video_frames"] == nil)

        let decoded = try JSONDecoder().decode(Manifest.Transform.self, from: JSONEncoder().encode(points))
        #expect(decoded == points)
    }

    @Test func differingKeysNameEveryKeyThatChanged() {
        var other = Self.transform
        #expect(Self.transform.differingKeys(from: other).isEmpty)
        other.resize.width = 224
        other.tracks = false
        other.keypointNames = ["nose"]
        #expect(Self.transform.differingKeys(from: other) == ["keypoint_names", "resize", "tracks"])
    }

    @Test func otherFormatVersionsAreRefused() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("manifest.json")
        var future = Self.sample
        future.formatVersion = 2
        try future.write(to: url)
        #expect {
            try Manifest.read(from: url)
        } throws: { error in
            "\(error)".contains("format version 2; this cvat-ds reads version 1")
        }
    }

    /// Manifest.decode reads the samples by hand when they are plain: it must give JSONDecoder's manifest for
    /// plain samples and for those it hands back to JSONDecoder, and JSONDecoder's error for a bad one.
    @Test(
        arguments: [
            "{\"task_id\": 22, \"frame\": 5, \"name\": \"a.jpg\", \"width\": 3, \"height\": 4, \"job_id\": null, \"x\": [1]}",
            "{\"task_id\": 22, \"frame\": 5, \"name\": \"a\\u00e9.jpg\", \"width\": 3, \"height\": 4}",
            "{\"task_id\": 22, \"frame\": 5, \"name\": \"a.jpg\", \"width\": 3, \"height\": 4, \"source_frame\": 10}",
            "{\"task_id\": 22, \"frame\": 5, \"frame\": 6, \"name\": \"a.jpg\", \"width\": 3, \"height\": 4}",
            "{\"task_id\": 22, \"frame\": 5.0, \"name\": \"a.jpg\", \"width\": 3, \"height\": 4}",
            "{\"task_id\": 22, \"frame\": 5, \"width\": 3, \"height\": 4}",
            "{\"task_id\": 22, \"frame\": \"5\", \"name\": \"a.jpg\", \"width\": 3, \"height\": 4}",
        ])
    func decodeAgreesWithJSONDecoder(extraSample: String) throws {
        // The sample goes in as written (JSONSerialization would drop a repeated key or rewrite a number).
        let encoded = String(decoding: try JSONEncoder().encode(Self.sample), as: UTF8.self)
        let text = encoded.replacingOccurrences(of: "\"samples\":[", with: "\"samples\":[\(extraSample), ")
        #expect(text.contains(extraSample))
        let data = Data(text.utf8)
        let expected = Result { try JSONDecoder().decode(Manifest.self, from: data) }
        let read = Result { try Manifest.decode(data) }
        switch (expected, read) {
        case (.success(let a), .success(let b)): #expect(a == b)
        case (.failure(let a), .failure(let b)): #expect("\(a)" == "\(b)")
        default: Issue.record("JSONDecoder \(expected), Manifest.decode \(read)")
        }
    }

    /// encoded() writes plain samples by hand into JSONEncoder's output for the rest: byte for byte what
    /// JSONEncoder writes for the whole manifest, for every name (those with an escape go to JSONEncoder).
    @Test(
        arguments: [
            "images/a.jpg", "a b/é€😀.png", "x\u{7f}\u{2028}y", "", "a\"b", "a\\b", "a\nb", "a\u{1}b", "a\tb",
        ])
    func encodedIsJSONEncoders(name: String) throws {
        var manifest = Self.sample
        manifest.samples.append(.init(taskID: 3, frame: -1, name: name, width: 0, height: 1, sourceFrame: 99))
        manifest.samples.append(
            .init(taskID: 4, frame: Int.max, name: "z", width: 1, height: 2, jobID: Int.min, sourceFrame: 0))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let expected = try encoder.encode(manifest) + [0x0A]
        #expect(try manifest.encoded() == expected)
        let escapes = name.utf8.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
        #expect((try manifest.encodedWithPlainSamples(encoder) == nil) == escapes)
        #expect(try Manifest.decode(manifest.encoded()) == manifest)
        var empty = manifest
        empty.samples = []
        #expect(try empty.encoded() == encoder.encode(empty) + [0x0A])
    }
}
