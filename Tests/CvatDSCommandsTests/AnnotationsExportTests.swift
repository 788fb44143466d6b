import CvatTestSupport
import Foundation
import Testing

/// annotations.jsonl, the manifest's label metadata, the per-box side arrays and `--attributes`, end to end
/// against the test server: every line is compared field by field with the real cvat-sdk 2.80's
/// `sample.annotations` and its track shapes with CVAT's own (Fixtures/sdk/compare_annotations.py).
@Suite("annotations export", .serialized)
struct AnnotationsExportTests {
    let server: TestServer
    let home: URL
    var cache: String { home.appendingPathComponent("cache").path }
    static let expectedTracks = TestPaths.fixtures.appendingPathComponent("tracks/expected_shapes.json").path

    init() throws {
        server = try TestServer()
        home = try TestPaths.makeTemporaryDirectory("cvat-ds-annotations")
    }

    func export(_ arguments: [String], out: String) throws -> CLI.Result {
        try CLI.run(
            ["export", "--server-host", server.url, "--cache-dir", cache, "--out", path(out)] + arguments,
            environment: ["CVAT_ACCESS_TOKEN": TestServer.adminToken], home: home)
    }

    func path(_ out: String) -> String { home.appendingPathComponent(out).path }

    /// Runs compare_annotations.py, which exits non-zero and lists the problems when anything disagrees.
    func compare(_ out: String, tasks: [String], _ extra: [String] = []) throws -> [String: Any] {
        let result = try PythonScript.run(
            "sdk/compare_annotations.py",
            ["--export", path(out), "--server", server.url, "--cache-dir", cache, "--task"] + tasks + extra)
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        return try result.json()
    }

    func manifest(_ out: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path(out)).appendingPathComponent("manifest.json"))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    func lines(_ out: String, file: String = "annotations.jsonl") throws -> [[String: Any]] {
        let text = try String(contentsOfFile: path(out) + "/" + file, encoding: .utf8)
        return try text.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
        }
    }

    @Test(
        "every transform's annotations.jsonl equals cvat-sdk's sample.annotations, and its track shapes CVAT's",
        arguments: [
            ["--transform", "bboxes", "--attributes", "all"], ["--transform", "masks", "--attributes", "colour"],
            ["--transform", "keypoints", "--shape-types", "skeleton", "--attributes", "pose,note"],
            ["--transform", "semantic"], [],
        ])
    func streetScenes(_ arguments: [String]) throws {
        let result = try export(["--task", "4"] + arguments, out: "street")
        #expect(result.status == 0, "\(result.stderr)")
        let checkArrays = arguments.contains("--attributes") ? ["--check-arrays"] : []
        let report = try compare("street", tasks: ["4"], ["--tracks", Self.expectedTracks] + checkArrays)
        #expect(report["samples"] as? Int == 18, "20 frames less the deleted 9 and 17")
        #expect(report["shapes"] as? Int == 11, "the plain shapes on non-deleted frames")
        #expect(report["tags"] as? Int == 1)
        #expect(report["track_shapes"] as? Int == 70, "56 visible per-frame shapes plus 14 skeleton frames")
        #expect(report["label_id_to_index"] as? Int == 8)
        if !checkArrays.isEmpty { #expect((report["checked_rows"] as? Int ?? 0) > 0) }
    }

    @Test("the image transform leaves the lines in CVAT's own coordinates")
    func coordinatesIgnoreTheTransform() throws {
        #expect(try export(["--task", "4", "--transform", "bboxes"], out: "plain").status == 0)
        #expect(try export(["--task", "4", "--transform", "bboxes", "--letterbox", "64x64"], out: "boxed").status == 0)
        let plain = try String(contentsOfFile: path("plain") + "/annotations.jsonl", encoding: .utf8)
        let boxed = try String(contentsOfFile: path("boxed") + "/annotations.jsonl", encoding: .utf8)
        #expect(plain == boxed)
    }

    @Test("the lines name labels and attributes, mark track shapes and their keyframes, and keep groups")
    func lineContent() throws {
        #expect(try export(["--task", "4", "--transform", "bboxes"], out: "content").status == 0)
        let all = try lines("content")
        let frame0 = try #require(all.first { $0["frame"] as? Int == 0 })
        let shapes = try #require(frame0["shapes"] as? [[String: Any]])
        let car = shapes[0]
        #expect(car["label"] as? String == "car" && car["occluded"] as? Bool == true && car["group"] as? Int == 1)
        let attributes = car["attributes"] as? [[String: Any]] ?? []
        #expect(attributes.map { $0["name"] as? String } == ["colour", "parked"])
        #expect(shapes[2]["label"] as? String == "road" && shapes[2]["group"] as? Int == 1, "grouped with the car")
        let track = try #require(shapes.last)
        #expect(track["track_id"] as? Int == 1 && track["keyframe"] as? Bool == true && track["group"] as? Int == 3)
        // Frame 1 of the car track is interpolated: no keyframe, no id, the attributes carried from frame 0.
        let frame1 = try #require(all.first { $0["frame"] as? Int == 1 })
        let interpolated = try #require((frame1["shapes"] as? [[String: Any]])?.first { $0["track_id"] as? Int == 1 })
        #expect(interpolated["keyframe"] as? Bool == false)
        #expect(interpolated["id"] is NSNull)
        #expect((interpolated["attributes"] as? [[String: Any]])?.map { $0["value"] as? String } == ["false", "white"])
        // The skeleton track's elements are element tracks' shapes, each with its own track id.
        let frame4 = try #require(all.first { $0["frame"] as? Int == 4 })
        let skeleton = try #require(
            (frame4["shapes"] as? [[String: Any]])?.first { $0["type"] as? String == "skeleton" })
        let elements = skeleton["elements"] as? [[String: Any]] ?? []
        #expect(elements.map { $0["label"] as? String } == ["head", "left-hand", "right-hand", "foot"])
        #expect(elements.allSatisfy { $0["track_id"] is Int && $0["keyframe"] as? Bool == true })
        // The tag on frame 2 keeps its group and its text attribute, quotes included.
        let frame2 = try #require(all.first { $0["frame"] as? Int == 2 })
        let tag = try #require((frame2["tags"] as? [[String: Any]])?.first)
        #expect(tag["group"] as? Int == 2)
        #expect((tag["attributes"] as? [[String: Any]])?.last?["value"] as? String == "Bob \"the\" driver")
    }

    @Test("the manifest describes every label: attributes, skeleton sublabels in keypoint order and edges")
    func labelMetadata() throws {
        #expect(try export(["--task", "4", "--transform", "bboxes"], out: "labels").status == 0)
        let labels = try #require(try manifest("labels")["labels"] as? [String: Any])
        #expect(labels["names"] as? [String] == ["car", "person", "road", "lane", "keypoint", "wheel", "sky", "body"])
        let map = labels["label_id_to_index"] as? [String: Int] ?? [:]
        #expect(map == ["10": 0, "11": 1, "12": 2, "13": 3, "14": 4, "15": 5, "16": 6, "17": 7])
        let definitions = labels["definitions"] as? [[String: Any]] ?? []
        let body = try #require(definitions.first { $0["name"] as? String == "body" })
        #expect(body["edges"] as? [[Int]] == [[0, 1], [0, 2], [0, 3]])
        let sublabels = body["sublabels"] as? [[String: Any]] ?? []
        #expect(sublabels.map { $0["name"] as? String } == ["head", "left-hand", "right-hand", "foot"])
        #expect(sublabels.allSatisfy { $0["parent"] as? Int == 17 })
        let foot = (sublabels.last?["attributes"] as? [[String: Any]])?.first
        #expect(foot?["input_type"] as? String == "checkbox" && foot?["mutable"] as? Bool == true)
        let car = try #require(definitions.first { $0["name"] as? String == "car" })
        #expect(car["color"] as? String != nil && car["parent"] is NSNull)
    }

    @Test("label: one line per written sample, sharded like the arrays; tag ids and tag attributes")
    func classification() throws {
        let result = try export(
            [
                "--task", "1", "--task", "2", "--task", "3", "--transform", "label", "--attributes", "colour,note",
                "--shard-size", "5",
            ], out: "label")
        #expect(result.status == 0, "\(result.stderr)")
        let report = try compare("label", tasks: ["1", "2", "3"], ["--check-arrays"])
        #expect(report["samples"] as? Int == 37 && report["tags"] as? Int == 37)
        let manifest = try manifest("label")
        let files = manifest["files"] as? [String: [String: Any]] ?? [:]
        #expect(files["annotations"]?["lines"] as? Int == 37)
        let shards = manifest["shards"] as? [[String: Any]] ?? []
        #expect(shards.count == 8)
        let names = shards.map { (($0["files"] as? [String: [String: Any]])?["annotations"]?["file"] as? String) }
        #expect(names.first == "annotations-00000.jsonl" && names.last == "annotations-00007.jsonl")
        let columns = (manifest["labels"] as? [String: Any])?["attribute_columns"] as? [[String: Any]] ?? []
        #expect(columns.map { $0["attribute"] as? String } == ["colour", "note"])
        #expect(columns.map { $0["label"] as? String } == ["rose", "rose"], "only rose has these attributes")
        #expect((columns.last?["strings"] as? [String])?.isEmpty == false)
        let attributes = try NPY.load(path("label") + "/tag_attributes-00000.npy")
        #expect(attributes.descr == "<f4" && attributes.shape == [5, 2])
    }

    @Test("box side arrays: dtypes, the occluded and grouped car, shape ids of plain shapes, -1 for track shapes")
    func sideArrays() throws {
        #expect(try export(["--task", "4", "--transform", "bboxes"], out: "side").status == 0)
        let occluded = try NPY.load(path("side") + "/box_occluded.npy")
        let groups = try NPY.load(path("side") + "/box_group.npy")
        let zOrder = try NPY.load(path("side") + "/box_z_order.npy")
        let shapeIDs = try NPY.load(path("side") + "/box_shape_ids.npy")
        let boxes = try NPY.load(path("side") + "/boxes.npy")
        #expect(occluded.descr == "|u1" && groups.descr == "<i8" && zOrder.descr == "<i4" && shapeIDs.descr == "<i8")
        for array in [occluded, groups, zOrder, shapeIDs] { #expect(array.shape == [boxes.shape[0]]) }
        // Frame 0: the occluded car of group 1, the second car, the road (z 1, group 1), the car track's shape.
        #expect(Array(occluded.bytes.prefix(4)) == [1, 0, 0, 0])
        #expect(Array(groups.int64s.prefix(4)) == [1, 0, 1, 3])
        #expect(Array(shapeIDs.int64s.prefix(4)) == [25, 26, 27, -1])
        _ = try compare("side", tasks: ["4"], ["--check-arrays"])
    }

    @Test("NaN where the column's label is not the row's or the value is missing")
    func attributeNaNs() throws {
        #expect(
            try export(["--task", "4", "--transform", "bboxes", "--attributes", "colour,parked,age"], out: "nan").status
                == 0)
        let values = try NPY.load(path("nan") + "/box_attributes.npy")
        #expect(values.shape.count == 2 && values.shape[1] == 3)
        let rows = values.float32s
        // Row 0: the blue parked car; row 1: the red car without `parked`; row 2: the road (no car attributes).
        #expect(rows[0] == 1 && rows[1] == 1 && rows[2].isNaN)
        #expect(rows[3] == 0 && rows[4].isNaN && rows[5].isNaN)
        #expect(rows[6].isNaN && rows[7].isNaN && rows[8].isNaN)
        _ = try compare("nan", tasks: ["4"], ["--check-arrays"])
    }

    @Test("an attribute no label has is a usage error that lists what exists")
    func unknownAttribute() throws {
        let result = try export(["--task", "4", "--transform", "bboxes", "--attributes", "colour,wings"], out: "bad")
        #expect(result.status == 64)
        #expect(result.stderr.contains("'wings'"), "\(result.stderr)")
        #expect(result.stderr.contains("car: colour, parked"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: path("bad")))
        let semantic = try export(["--task", "4", "--transform", "semantic", "--attributes", "all"], out: "bad")
        #expect(semantic.status == 64, "semantic has no rows for attributes: \(semantic.stderr)")
    }

    @Test("--no-annotations writes no annotations.jsonl and says so in the manifest")
    func noAnnotations() throws {
        #expect(try export(["--task", "4", "--transform", "bboxes", "--no-annotations"], out: "none").status == 0)
        #expect(!FileManager.default.fileExists(atPath: path("none") + "/annotations.jsonl"))
        let manifest = try manifest("none")
        #expect(manifest["files"] == nil)
        #expect((manifest["transform"] as? [String: Any])?["annotations"] as? Bool == false)
    }

    @Test("merge-manifests joins the parts' annotations.jsonl like their arrays")
    func merge() throws {
        for i in 0..<2 {
            let result = try export(
                ["--task", "4", "--transform", "bboxes", "--attributes", "note", "--shard", "\(i)/2"],
                out: "parts/p\(i)")
            #expect(result.status == 0, "\(result.stderr)")
        }
        let merged = try CLI.run(
            ["merge-manifests", path("parts/all"), path("parts/p0"), path("parts/p1")], home: home)
        #expect(merged.status == 0, "\(merged.stderr)")
        let manifest = try manifest("parts/all")
        #expect((manifest["files"] as? [String: [String: Any]])?["annotations"]?["lines"] as? Int == 18)
        let shards = manifest["shards"] as? [[String: Any]] ?? []
        let files = shards.compactMap {
            (($0["files"] as? [String: [String: Any]])?["annotations"]?["file"] as? String)
        }
        #expect(files == ["../p0/annotations.jsonl", "../p1/annotations.jsonl"])
        _ = try compare("parts/all", tasks: ["4"])
    }
}
