import CvatTestSupport
import Foundation
import Testing

/// End-to-end exports of the targets beyond bboxes (instance masks, class maps, keypoints), of tracks, and of job
/// filters, checked against the real cvat-sdk (masks), CVAT's own track interpolation output
/// (Fixtures/tracks/expected_shapes.json) and independent expectations (Fixtures/sdk/compare_targets.py).
@Suite("export targets", .serialized)
struct ExportTargetsTests {
    let server: TestServer
    let scratch: ScratchDirectory
    var home: URL { scratch.url }
    var cache: String { home.appendingPathComponent("cache").path }
    static let expectedTracks = TestPaths.fixtures.appendingPathComponent("tracks/expected_shapes.json").path

    init() throws {
        server = try TestServer()
        scratch = try ScratchDirectory("cvat-ds-targets")
    }

    func export(_ arguments: [String], out: String) throws -> CLI.Result {
        try CLI.run(
            ["export", "--server-host", server.url, "--cache-dir", cache, "--out", path(out)] + arguments,
            environment: ["CVAT_ACCESS_TOKEN": TestServer.adminToken], home: home)
    }

    func path(_ out: String) -> String { home.appendingPathComponent(out).path }

    /// Runs compare_targets.py; it exits non-zero (and lists problems) when anything disagrees.
    func compare(_ out: String, tasks: [String], _ extra: [String]) throws -> [String: Any] {
        let result = try PythonScript.run(
            "sdk/compare_targets.py",
            ["--export", path(out), "--server", server.url, "--cache-dir", cache, "--task"] + tasks + extra)
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        return try result.json()
    }

    func checkArrays(_ out: String) throws -> [String: Any] {
        let result = try PythonScript.run("export/check_arrays.py", [path(out)])
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        return (try result.json()["arrays"] as? [String: Any]) ?? [:]
    }

    func manifest(_ out: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path(out)).appendingPathComponent("manifest.json"))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    func samples(_ out: String) throws -> [[String: Any]] {
        try manifest(out)["samples"] as? [[String: Any]] ?? []
    }

    @Test(
        "masks: parity with cvat-sdk's ExtractInstanceMasks (draw_mask, shape_bbox) on polygons and masks",
        arguments: [[String](), ["--resize", "64x48"]])
    func masksParity(_ geometry: [String]) throws {
        let arguments = ["--transform", "masks", "--no-tracks"] + geometry
        let result = try export(["--task", "1", "--task", "4"] + arguments, out: "masks")
        #expect(result.status == 0, "\(result.stderr)")
        let report = try compare("masks", tasks: ["1", "4"], ["--transform", "masks"] + geometry)
        #expect(report["samples"] as? Int == 33)
        #expect(report["rows"] as? Int == 6, "5 leaf pentagons of task 1, a polygon and a mask of task 4")
        #expect((report["mask_pixels_compared"] as? Int ?? 0) > 0)
        #expect(report["mask_pixels_differing"] as? Int == 0)
        let arrays = try checkArrays("masks")
        #expect(arrays["box_track_ids"] == nil, "--no-tracks writes no track ids")
        if geometry.isEmpty {
            // Frames of different sizes: masks one after another, with offsets.
            #expect((arrays["mask_offsets"] as? [String: Any])?["shape"] as? [Int] == [7])
        } else {
            #expect((arrays["masks"] as? [String: Any])?["shape"] as? [Int] == [6, 48, 64])
            #expect((arrays["masks"] as? [String: Any])?["dtype"] as? String == "uint8")
        }
    }

    @Test(
        "tracks become CVAT's per-frame shapes in every target",
        arguments: [
            ["--transform", "bboxes"], ["--transform", "bboxes", "--resize", "64x48"],
            ["--transform", "masks", "--resize", "50x70"],
            ["--transform", "keypoints", "--shape-types", "skeleton", "--resize", "40x30"],
        ])
    func tracks(_ arguments: [String]) throws {
        let result = try export(["--task", "4"] + arguments, out: "tracks")
        #expect(result.status == 0, "\(result.stderr)")
        let extra = arguments.filter { $0 != "--shape-types" && $0 != "skeleton" }
        let report = try compare("tracks", tasks: ["4"], extra + ["--tracks", Self.expectedTracks])
        #expect((report["track_rows"] as? Int ?? 0) > 0)
        let ids = try NPY.load(path("tracks") + "/box_track_ids.npy")
        #expect(Set(ids.int64s).isSuperset(of: arguments.contains("bboxes") ? [1, 2, 3, 4] : [-1]))
        #expect(try manifest("tracks")["transform"].flatMap { ($0 as? [String: Any])?["tracks"] as? Bool } == true)
    }

    @Test("--no-tracks leaves tracks out: only the plain shapes' boxes")
    func noTracks() throws {
        #expect(try export(["--task", "4", "--transform", "bboxes"], out: "with").status == 0)
        #expect(try export(["--task", "4", "--transform", "bboxes", "--no-tracks"], out: "without").status == 0)
        let with = try NPY.load(path("with") + "/box_labels.npy").shape[0]
        let without = try NPY.load(path("without") + "/box_labels.npy").shape[0]
        // Task 4's plain shapes of the bboxes types on frames that are not deleted: 3 on frame 0, 2 on frame 1, 2 on
        // frame 2, 1 on frame 11 and 1 on frame 19.
        #expect(without == 9)
        #expect(
            with == without + 56, "56 visible per-frame shapes of the rectangle, polygon, points and ellipse tracks")
        #expect(!FileManager.default.fileExists(atPath: path("without") + "/box_track_ids.npy"))
    }

    @Test("keypoints: skeleton keypoints in sublabel order with COCO visibility, boxes around visible keypoints")
    func keypoints() throws {
        let result = try export(["--task", "4", "--transform", "keypoints", "--shape-types", "skeleton"], out: "kp")
        #expect(result.status == 0, "\(result.stderr)")
        _ = try compare("kp", tasks: ["4"], ["--transform", "keypoints", "--tracks", Self.expectedTracks])
        let manifest = try manifest("kp")
        let transform = manifest["transform"] as? [String: Any]
        #expect(transform?["keypoint_count"] as? Int == 4)
        #expect(transform?["keypoint_names"] as? [String] == ["head", "left-hand", "right-hand", "foot"])
        let points = try NPY.load(path("kp") + "/keypoints.npy")
        #expect(points.shape == [15, 4, 3])
        let offsets = try NPY.load(path("kp") + "/box_offsets.npy").int64s
        let frames = (manifest["samples"] as? [[String: Any]] ?? []).compactMap { $0["frame"] as? Int }
        // Frame 5 holds the plain skeleton (right hand outside) before the track's skeleton.
        let sample = try #require(frames.firstIndex(of: 5))
        let row = Int(offsets[sample])
        let values = points.float32s
        let plain = Array(values[(row * 12)..<(row * 12 + 12)])
        #expect(plain == [50, 10, 2, 35, 40, 2, 0, 0, 0, 50, 65, 2])
        let boxes = try NPY.load(path("kp") + "/boxes.npy").float32s
        #expect(Array(boxes[(row * 4)..<(row * 4 + 4)]) == [35, 10, 50, 65])
        #expect(try NPY.load(path("kp") + "/box_track_ids.npy").int64s[row] == -1)

        // Points shapes with 3 and 1 points, next to 4-keypoint skeletons: K cannot agree.
        let mixed = try export(["--task", "4", "--transform", "keypoints"], out: "mixed")
        #expect(mixed.status == 65)
        #expect(mixed.stderr.contains("task 4, frame"), "\(mixed.stderr)")
        #expect(mixed.stderr.contains("annotations.json"), "\(mixed.stderr)")
        #expect(mixed.stderr.contains("points") && mixed.stderr.contains("keypoints"), "\(mixed.stderr)")
    }

    @Test("semantic: class maps painted in z_order, later shapes on top at equal z_order; uint16 past 254 classes")
    func semantic() throws {
        #expect(try export(["--task", "4", "--transform", "semantic"], out: "first").status == 0)
        // Overlapping shapes on frame 1 (112x84), written into the cache and exported offline:
        // A road polygon (z 2), then a lane polygon (z 1) under it although later, then a sky mask (z 2) over A.
        let file = try #require(
            FileManager.default.subpathsOfDirectory(atPath: cache).first { $0.hasSuffix("tasks/4/annotations.json") })
        let url = URL(fileURLWithPath: cache + "/" + file)
        var annotations = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        func shape(_ id: Int, _ type: String, _ label: Int, _ z: Int, _ points: [Double]) -> [String: Any] {
            [
                "id": id, "type": type, "frame": 1, "label_id": label, "group": 0, "source": "manual",
                "occluded": false,
                "outside": false, "z_order": z, "rotation": 0.0, "points": points, "attributes": [], "elements": [],
            ]
        }
        annotations["shapes"] =
            (annotations["shapes"] as? [Any] ?? []) + [
                shape(901, "polygon", 12, 2, [10, 10, 50, 10, 50, 50, 10, 50]),
                shape(902, "polygon", 13, 1, [30, 30, 70, 30, 70, 70, 30, 70]),
                shape(903, "mask", 16, 2, [0, 400, 40, 5, 59, 24]),
            ]
        try JSONSerialization.data(withJSONObject: annotations).write(to: url)

        let result = try export(["--task", "4", "--transform", "semantic", "--offline"], out: "seg")
        #expect(result.status == 0, "\(result.stderr)")
        let report = try compare("seg", tasks: ["4"], ["--transform", "semantic", "--tracks", Self.expectedTracks])
        #expect((report["semantic_non_background"] as? Int ?? 0) > 0)
        let maps = try NPY.load(path("seg") + "/masks.npy")
        let offsets = try NPY.load(path("seg") + "/mask_offsets.npy").int64s
        let frames = try samples("seg").compactMap { $0["frame"] as? Int }
        let sample = try #require(frames.firstIndex(of: 1))
        func at(_ x: Int, _ y: Int) -> UInt8 { maps.bytes[Int(offsets[sample]) + y * 112 + x] }
        // Task 4's classes: car 0, person 1, road 2, lane 3, keypoint 4, wheel 5, sky 6, body 7.
        #expect(at(45, 40) == 2, "road (z 2) over lane (z 1), though the lane comes later")
        #expect(at(60, 60) == 3, "lane where only the lane is")
        #expect(at(45, 15) == 6, "sky over road: equal z_order, the later shape on top")
        #expect(at(5, 5) == 255, "background")

        let resized = try export(
            ["--task", "4", "--transform", "semantic", "--offline", "--letterbox", "80x80"], out: "seg80")
        #expect(resized.status == 0, "\(resized.stderr)")
        let arrays = try checkArrays("seg80")
        #expect((arrays["masks"] as? [String: Any])?["shape"] as? [Int] == [18, 80, 80])

        // 250 + 8 classes: 255 would be a class, so the background must move, and the maps become uint16.
        let clash = try export(
            ["--task", "4", "--transform", "semantic", "--offline", "--label-offset", "250"], out: "wide")
        #expect(clash.status == 64, "\(clash.stderr)")
        #expect(clash.stderr.contains("--background-index 255"), "\(clash.stderr)")
        let wide = try export(
            [
                "--task", "4", "--transform", "semantic", "--offline", "--label-offset", "250", "--background-index",
                "0",
                "--resize", "32x32",
            ], out: "wide")
        #expect(wide.status == 0, "\(wide.stderr)")
        _ = try compare(
            "wide", tasks: ["4"],
            [
                "--transform", "semantic", "--tracks", Self.expectedTracks, "--label-offset", "250",
                "--background-index",
                "0", "--resize", "32x32",
            ])
        #expect((try checkArrays("wide")["masks"] as? [String: Any])?["dtype"] as? String == "uint16")
    }

    @Test("--job-stage/--job-state keep only frames of matching annotation jobs; the manifest names the jobs")
    func jobFilters() throws {
        // Task 1: job 1 [0-9] annotation/in progress, job 2 [10-16] validation/completed (3 and 16 deleted).
        // Task 4: job 6 [0-11] annotation/completed, job 7 [12-19] annotation/in progress (9 and 17 deleted).
        let completed = try export(["--task", "1", "--task", "4", "--job-state", "completed"], out: "done")
        #expect(completed.status == 0, "\(completed.stderr)")
        let samples = try samples("done")
        let pairs = samples.map {
            "\($0["task_id"] as? Int ?? -1)/\($0["frame"] as? Int ?? -1)/\($0["job_id"] as? Int ?? -1)"
        }
        let expected = (10...15).map { "1/\($0)/2" } + [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11].map { "4/\($0)/6" }
        #expect(pairs == expected)
        let filter = (try manifest("done")["transform"] as? [String: Any])?["job_filter"] as? [String: Any]
        #expect(filter?["states"] as? [String] == ["completed"])
        #expect(filter?["stages"] as? [String] == [])
        let jobsFile = try FileManager.default.subpathsOfDirectory(atPath: cache).contains {
            $0.hasSuffix("tasks/4/jobs.json")
        }
        #expect(jobsFile)

        // Up to date, but the job list is asked for again (a job's stage can change without the task changing).
        try server.resetLog()
        let staged = try export(
            ["--task", "4", "--job-stage", "annotation", "--job-state", "in progress", "--transform", "bboxes"],
            out: "wip")
        #expect(staged.status == 0, "\(staged.stderr)")
        let log = try server.log().compactMap { $0["path"] as? String }
        #expect(log.filter { $0 == "/api/jobs" }.count == 1, "\(log)")
        #expect(try self.samples("wip").map { $0["frame"] as? Int ?? -1 } == [12, 13, 14, 15, 16, 18, 19])
        #expect(try self.samples("wip").allSatisfy { $0["job_id"] as? Int == 7 })

        let none = try export(["--task", "1", "--job-stage", "acceptance"], out: "none")
        #expect(none.status == 0, "\(none.stderr)")
        #expect(try self.samples("none").isEmpty)

        // Without a filter the manifest is as before: no job ids.
        #expect(try export(["--task", "1", "--offline"], out: "all").status == 0)
        #expect(try self.samples("all").allSatisfy { $0["job_id"] == nil })
    }

    @Test("options that do not fit the target are refused before anything runs")
    func usage() throws {
        let badType = try export(["--task", "4", "--transform", "masks", "--shape-types", "rectangle"], out: "x")
        #expect(badType.status == 64)
        #expect(badType.stderr.contains("polygon, mask"), "\(badType.stderr)")
        let badState = try export(["--task", "4", "--job-state", "done"], out: "x")
        #expect(badState.status == 64)
        let background = try export(["--task", "4", "--transform", "masks", "--background-index", "0"], out: "x")
        #expect(background.status == 64)
    }
}

/// A minimal reader of the NumPy format 1.0 files cvat-ds writes (little-endian, C order), for exact checks.
struct NPY {
    var descr: String
    var shape: [Int]
    var bytes: [UInt8]

    static func load(_ path: String) throws -> NPY {
        let data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        guard data.count > 10, data[0] == 0x93, data[6] == 1 else { throw NPYError(path: path) }
        let headerLength = Int(data[8]) | Int(data[9]) << 8
        let header = String(decoding: data[10..<(10 + headerLength)], as: UTF8.self)
        func field(_ key: String, _ open: Character, _ close: Character) -> String {
            guard let k = header.range(of: "'\(key)': ") else { return "" }
            let rest = header[k.upperBound...].drop { $0 != open }.dropFirst()
            return String(rest.prefix { $0 != close })
        }
        let shape = field("shape", "(", ")").split(separator: ",").compactMap {
            Int($0.trimmingCharacters(in: .whitespaces))
        }
        return NPY(descr: field("descr", "'", "'"), shape: shape, bytes: Array(data[(10 + headerLength)...]))
    }

    var int64s: [Int64] {
        var values: [Int64] = []
        for i in stride(from: 0, to: bytes.count, by: 8) {
            var bits: UInt64 = 0
            for b in 0..<8 { bits |= UInt64(bytes[i + b]) << UInt64(8 * b) }
            values.append(Int64(bitPattern: bits))
        }
        return values
    }

    var float32s: [Float] {
        var values: [Float] = []
        for i in stride(from: 0, to: bytes.count, by: 4) {
            var bits: UInt32 = 0
            for b in 0..<4 { bits |= UInt32(bytes[i + b]) << UInt32(8 * b) }
            values.append(Float(bitPattern: bits))
        }
        return values
    }
}

struct NPYError: Error, CustomStringConvertible {
    var path: String
    var description: String { "\(path) is not a NumPy format 1.0 file" }
}
