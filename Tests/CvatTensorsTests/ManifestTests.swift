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
        transform: ["resize": ["shorter": 256, "center_crop": [224, 224]], "normalize": false, "mean": [0.485, 0.456]])

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
                + "{'center_crop': [224, 224], 'shorter': 256} 2024-05-01T10:00:00.123456Z")
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

    @Test func jsonValueRoundTripsEveryKind() throws {
        let value: JSONValue = ["a": nil, "b": true, "c": 3, "d": 2.5, "e": "x", "f": [1, "two"], "g": ["h": -1]]
        let data = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(JSONValue.self, from: data) == value)
    }
}
