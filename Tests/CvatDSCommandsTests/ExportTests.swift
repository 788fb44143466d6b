import CvatTestSupport
import Foundation
import Testing

/// End-to-end exports against the test server, checked with NumPy and against the real cvat-sdk.
@Suite("export", .serialized)
struct ExportTests {
    let server: TestServer
    let scratch: ScratchDirectory
    var home: URL { scratch.url }
    var cache: String { home.appendingPathComponent("cache").path }

    init() throws {
        server = try TestServer()
        scratch = try ScratchDirectory("cvat-ds-export")
    }

    func export(_ arguments: [String], out: String) throws -> CLI.Result {
        try CLI.run(
            [
                "export", "--server-host", server.url, "--cache-dir", cache, "--out",
                home.appendingPathComponent(out).path,
            ]
                + arguments,
            environment: ["CVAT_ACCESS_TOKEN": TestServer.adminToken], home: home)
    }

    func path(_ out: String) -> String { home.appendingPathComponent(out).path }

    func compare(_ out: String, tasks: [String], _ extra: [String]) throws -> [String: Any] {
        let result = try PythonScript.run(
            "sdk/compare_export.py",
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
        let data = try Data(contentsOf: home.appendingPathComponent(out).appendingPathComponent("manifest.json"))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    /// Every file under the cache with its bytes, to prove an export leaves it untouched.
    func cacheSnapshot() throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: cache)
        while let relative = enumerator?.nextObject() as? String {
            let full = cache + "/" + relative
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[relative] = try Data(contentsOf: URL(fileURLWithPath: full))
            }
        }
        return files
    }

    @Test(
        "parity with cvat-sdk: samples, label indices, boxes and pixels",
        arguments: [
            ["--transform", "label"],
            ["--transform", "label", "--resize", "224x224"],
            ["--transform", "bboxes"],
            ["--transform", "bboxes", "--resize", "224x224"],
            // Width up, height down for the portrait and square frames: Pillow runs the vertical pass first.
            ["--transform", "bboxes", "--resize", "160x120"],
            // Pillow's draft(): the JPEG frames decode at 1/2, 1/4 or 1/8 before the resize (PNGs at full size).
            ["--transform", "bboxes", "--resize", "24x24", "--dct-scaling", "draft"],
        ])
    func parity(_ arguments: [String]) throws {
        let tasks = ["1", "2", "3"]
        let result = try export(tasks.flatMap { ["--task", $0] } + arguments, out: "parity")
        #expect(result.status == 0, "\(result.stderr)")
        let report = try compare("parity", tasks: tasks, arguments)
        #expect(report["samples"] as? Int == 37)
        if arguments.contains("bboxes") { #expect((report["boxes"] as? Int ?? 0) > 0) }
        _ = try checkArrays("parity")
    }

    /// Per sample, its boxes as [xmin, ymin, xmax, ymax, class].
    func boxes(_ out: String) throws -> [[[Double]]] {
        let result = try PythonScript.run("export/sample_boxes.py", [path(out)])
        #expect(result.status == 0, "\(result.stderr)")
        return (try result.json()["samples"] as? [[[Double]]]) ?? []
    }

    @Test(
        "a stretch resize keeps degenerate and overhanging boxes, only scaled, as cvat-sdk does",
        arguments: [[], ["--resize", "224x224"], ["--resize", "320x240"]])
    func boxesUnderStretch(_ resize: [String]) throws {
        try addDegenerateAndOverhangingBoxes()
        let arguments = ["--transform", "bboxes"] + resize
        let result = try export(["--task", "1"] + arguments, out: "stretch")
        #expect(result.status == 0, "\(result.stderr)")
        let report = try compare("stretch", tasks: ["1"], arguments)
        #expect((report["problems"] as? [Any])?.isEmpty == true, "\(report)")
        // The point's zero-area box and the rectangle's overhang are still there, scaled.
        let first = try boxes("stretch")[0]
        let width = resize.isEmpty ? 176.0 : Double(resize[1].split(separator: "x")[0])!
        let height = resize.isEmpty ? 99.0 : Double(resize[1].split(separator: "x")[1])!
        #expect(first.contains { $0[0] == $0[2] && $0[1] == $0[3] }, "a zero-area box: \(first)")
        #expect(first.contains { $0[2] > width && $0[3] > height }, "a box past the edges: \(first)")
    }

    @Test(
        "where pixels are cut away or added (letterbox, center crop) boxes are clipped to the image and those without area dropped"
    )
    func boxesUnderLetterboxAndCrop() throws {
        try addDegenerateAndOverhangingBoxes()
        // 176x99 letterboxed into 200x200: scaled by 200/176 to 200x113, 43 rows of padding above.
        // Shorter side 99 (no scaling), center crop 99x99: columns 38..<137 of the frame.
        let cases: [(flags: [String], out: String, content: [Double])] = [
            (["--letterbox", "200x200"], "letterboxed", [0, 43, 200, 156]),
            (["--resize-shorter", "99", "--center-crop", "99x99"], "cropped", [0, 0, 99, 99]),
        ]
        for (flags, out, content) in cases {
            let result = try export(["--task", "1", "--transform", "bboxes"] + flags, out: out)
            #expect(result.status == 0, "\(result.stderr)")
            let first = try boxes(out)[0]
            #expect(!first.isEmpty)
            for row in first {
                #expect(
                    row[0] >= content[0] && row[1] >= content[1] && row[2] <= content[2] && row[3] <= content[3],
                    "\(out): \(row) leaves the image \(content)")
                #expect(row[2] > row[0] && row[3] > row[1], "\(out): \(row) has no area")
            }
            if out == "letterboxed" {
                #expect(first.contains { $0[2] == content[2] && $0[3] == content[3] }, "clipped at the edges: \(first)")
            }
        }
    }

    /// Frame 0 of task 1 is 176x99: a single-point points shape (a zero-area box) and a rectangle drawn past the
    /// right and bottom edges, as CVAT allows.
    func addDegenerateAndOverhangingBoxes() throws {
        _ = try server.control(
            "/_test/tasks/1/annotations",
            [
                "add_shapes": [
                    ["type": "points", "frame": 0, "label_id": 1, "points": [40.0, 30.0]],
                    ["type": "rectangle", "frame": 0, "label_id": 5, "points": [150.0, 60.0, 183.49, 104.5]],
                ]
            ])
    }

    @Test("a project export with a subset uses the project's labels and only that subset's tasks")
    func projectSubset() throws {
        let result = try export(
            ["--project", "1", "--subset", "Train", "--transform", "label", "--json"], out: "train")
        #expect(result.status == 0, "\(result.stderr)")
        let manifest = try manifest("train")
        let taskIDs = Set((manifest["samples"] as? [[String: Any]] ?? []).compactMap { $0["task_id"] as? Int })
        #expect(taskIDs == [1, 2])
        #expect(
            (manifest["labels"] as? [String: Any])?["names"] as? [String] == [
                "tulip", "rose", "daisy", "sunflower", "bee", "leaf",
            ])
        _ = try compare("train", tasks: ["1", "2"], ["--transform", "label"])
        let source = manifest["source"] as? [String: Any]
        #expect((source?["project"] as? [String: Any])?["id"] as? Int == 1)
        let server = source?["server"] as? String ?? ""
        #expect(server == self.server.url, "the server URL, with no credentials")
    }

    @Test("layouts, dtypes, normalisation, letterbox and raw output have the shapes the manifest says")
    func layoutsAndFormats() throws {
        let a = try export(
            ["--task", "1", "--letterbox", "128x96", "--pad-value", "114", "--layout", "nchw"], out: "a")
        #expect(a.status == 0, "\(a.stderr)")
        let arrays = try checkArrays("a")
        #expect((arrays["images"] as? [String: Any])?["shape"] as? [Int] == [15, 3, 96, 128])

        let b = try export(
            ["--task", "1", "--resize-shorter", "64", "--center-crop", "48x48", "--normalize", "imagenet"], out: "b")
        #expect(b.status == 0, "\(b.stderr)")
        let bArrays = try checkArrays("b")
        #expect((bArrays["images"] as? [String: Any])?["shape"] as? [Int] == [15, 48, 48, 3])
        #expect((bArrays["images"] as? [String: Any])?["dtype"] as? String == "float32")

        let c = try export(["--task", "1", "--transform", "label", "--resize", "32x32", "--format", "raw"], out: "c")
        #expect(c.status == 0, "\(c.stderr)")
        let cArrays = try checkArrays("c")
        #expect((cArrays["labels"] as? [String: Any])?["shape"] as? [Int] == [15])
        #expect(FileManager.default.fileExists(atPath: path("c") + "/images.bin"))

        // Original sizes differ between frames: a ragged image array with offsets and shapes.
        let d = try export(["--task", "1"], out: "d")
        #expect(d.status == 0, "\(d.stderr)")
        let dArrays = try checkArrays("d")
        #expect((dArrays["image_offsets"] as? [String: Any])?["shape"] as? [Int] == [16])
        #expect((dArrays["image_shapes"] as? [String: Any])?["shape"] as? [Int] == [15, 3])
    }

    @Test("a frame with two tags stops a label export, naming task and frame; --skip-invalid records it")
    func invalidFrames() throws {
        let failed = try export(["--task", "6", "--transform", "label"], out: "tags")
        #expect(failed.status == 65)
        #expect(failed.stderr.contains("task 6, frame 2"))
        #expect(!FileManager.default.fileExists(atPath: path("tags")), "no half-written output")

        let skipped = try export(["--task", "6", "--transform", "label", "--skip-invalid"], out: "tags")
        #expect(skipped.status == 0, "\(skipped.stderr)")
        let manifest = try manifest("tags")
        let frames = (manifest["skipped"] as? [[String: Any]] ?? []).compactMap { $0["frame"] as? Int }
        #expect(frames.sorted() == [2, 4])
        #expect((manifest["samples"] as? [Any])?.count == 4)
    }

    @Test("an existing output is kept unless --force; a task without data is a clear error")
    func outputAndNoData() throws {
        #expect(try export(["--task", "1"], out: "o").status == 0)
        try server.resetLog()
        let again = try export(["--task", "1"], out: "o")
        #expect(again.status == 73)
        #expect(again.stderr.contains("--force"))
        #expect(try server.log().isEmpty, "refused before syncing anything")
        #expect(try export(["--task", "1", "--force", "--resize", "8x8"], out: "o").status == 0)
        #expect((try checkArrays("o")["images"] as? [String: Any])?["shape"] as? [Int] == [15, 8, 8, 3])

        let noData = try export(["--task", "5"], out: "nodata")
        #expect(noData.status == 65)
        #expect(noData.stderr.contains("no data"))
    }

    @Test(
        "broken or hostile chunks give a clear error, and the cache is untouched",
        arguments: [
            // Task 1: frame 1 is a JPEG, frame 2 a PNG.
            ("corrupt-jpeg", 1, "frame 1"), ("truncated", 2, "frame 2"), ("huge-header", 1, "100000"),
            ("dotdot", 1, "../x.jpg"), ("absolute", 1, "/etc/x.jpg"),
        ])
    func badChunks(kind: String, member: Int, mentions: String) throws {
        #expect(try export(["--task", "1"], out: "ok").status == 0)
        let chunk = try FileManager.default.subpathsOfDirectory(atPath: cache).first {
            $0.hasSuffix("tasks/1/chunks/0.zip")
        }
        let chunkPath = cache + "/" + (chunk ?? "")
        let made = try PythonScript.run("export/make_bad_chunk.py", [chunkPath, kind, String(member)])
        #expect(made.status == 0, "\(made.stderr)")
        let before = try cacheSnapshot()
        let result = try export(["--task", "1", "--offline"], out: "bad")
        #expect(result.status == 65, "\(kind): \(result.stderr)")
        #expect(result.stderr.contains("task 1"), "\(result.stderr)")
        #expect(result.stderr.contains(mentions), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: path("bad")))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: home.path).filter {
            $0.contains("tmp-cvat-ds")
        }
        #expect(leftovers.isEmpty)
        #expect(try cacheSnapshot() == before)
    }

    @Test("--offline without a cache names what is missing")
    func offlineMissing() throws {
        let result = try export(["--task", "2", "--offline"], out: "x")
        #expect(result.status == 66)
        #expect(result.stderr.contains("task 2 is not cached"))
    }
}
