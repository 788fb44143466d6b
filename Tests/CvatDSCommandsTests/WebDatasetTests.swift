import CvatTestSupport
import Foundation
import Testing

/// `--format webdataset` and `--keep-encoded` end to end: the tars are read back with tarfile, GNU tar, the real
/// webdataset package and cvat_ds.open, and must hold what the npy export of the same flags holds.
@Suite("webdataset", .serialized)
struct WebDatasetTests {
    let server: TestServer
    let scratch: ScratchDirectory
    var home: URL { scratch.url }

    init() throws {
        server = try TestServer()
        scratch = try ScratchDirectory("cvat-ds-webdataset")
    }

    func export(_ arguments: [String], out: String) throws -> CLI.Result {
        try CLI.run(
            [
                "export", "--server-host", server.url, "--cache-dir", home.appendingPathComponent("cache").path,
                "--quiet", "--force", "--out", home.appendingPathComponent(out).path,
            ] + arguments,
            environment: ["CVAT_ACCESS_TOKEN": TestServer.adminToken], home: home)
    }

    func check(_ out: String, against reference: String, _ extra: [String] = []) throws -> [String: Any] {
        let result = try PythonScript.run(
            "export/check_webdataset.py",
            [home.appendingPathComponent(out).path, home.appendingPathComponent(reference).path] + extra)
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        return try result.json()
    }

    @Test(
        "every target's samples equal the npy export's",
        arguments: [
            ["--task", "1", "--task", "2", "--transform", "label", "--resize", "40x30"],
            ["--task", "4", "--transform", "bboxes", "--resize", "64x48", "--attributes", "all"],
            ["--task", "4", "--transform", "masks"],
            ["--task", "4", "--transform", "semantic", "--resize", "64x48", "--layout", "nchw"],
            ["--task", "4", "--transform", "keypoints", "--shape-types", "skeleton", "--dtype", "float32"],
            ["--task", "1", "--transform", "none", "--no-annotations"],
        ])
    func everyTarget(_ arguments: [String]) throws {
        let npy = try export(arguments, out: "npy")
        #expect(npy.status == 0, "\(npy.stderr)")
        let wds = try export(arguments + ["--format", "webdataset", "--shard-bytes", "20K"], out: "wds")
        #expect(wds.status == 0, "\(wds.stderr)")
        let report = try check("wds", against: "npy")
        #expect((report["shards"] as? Int ?? 0) > 1, "20K shards split these samples")
        let members = report["members"] as? [String] ?? []
        #expect(members.contains("npy") && members.contains("json"))
        #expect(members.contains("cls") == arguments.contains("label"))
        #expect(members.contains("mask.npy") == (arguments.contains("masks") || arguments.contains("semantic")))
    }

    @Test("--keep-encoded stores the chunks' JPEG and PNG bytes, never decoded, targets in source pixels")
    func keepEncoded() throws {
        // Images (JPEG and PNG chunks) and a video task's PNG frames and JPEG compressed chunks.
        for (arguments, video) in [
            (["--task", "1", "--task", "4", "--transform", "bboxes"], [String]()),
            (["--task", "7", "--transform", "bboxes"], ["--video-frames", "original"]),
            (["--task", "7", "--transform", "bboxes"], ["--video-frames", "compressed"]),
        ] {
            let npy = try export(arguments + video, out: "npy")
            #expect(npy.status == 0, "\(npy.stderr)")
            // --max-pixels 1 makes the decoder refuse every frame: the export succeeds only if nothing is decoded.
            let wds = try export(
                arguments + video + ["--format", "webdataset", "--keep-encoded", "--max-pixels", "1"], out: "wds")
            #expect(wds.status == 0, "\(wds.stderr)")
            let report = try check("wds", against: "npy", ["--keep-encoded"])
            let members = report["members"] as? [String] ?? []
            #expect(!members.contains("npy"))
            #expect(members.contains("jpg") || members.contains("png"))
        }
        let manifest =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: home.appendingPathComponent("wds/manifest.json"))) as? [String: Any]
        #expect((manifest?["transform"] as? [String: Any])?["keep_encoded"] as? Bool == true)
    }

    @Test(
        "usage errors name the conflicting flag",
        arguments: [
            (["--keep-encoded"], "--keep-encoded goes with --format webdataset"),
            (["--format", "webdataset", "--keep-encoded", "--resize", "10x10"], "--resize cannot apply"),
            (["--format", "webdataset", "--keep-encoded", "--letterbox", "10x10"], "--letterbox cannot apply"),
            (["--format", "webdataset", "--keep-encoded", "--dtype", "float32"], "--dtype float32 cannot apply"),
            (["--format", "webdataset", "--keep-encoded", "--layout", "nchw"], "--layout nchw cannot apply"),
            (["--shard-bytes", "1G"], "--shard-bytes goes with --format webdataset"),
            (["--format", "webdataset", "--shard-bytes", "1X"], "--shard-bytes takes a positive size"),
            (["--format", "webdataset", "--shard-bytes", "0"], "--shard-bytes takes a positive size"),
        ])
    func usageErrors(_ arguments: [String], _ message: String) throws {
        let result = try export(["--offline", "--task", "1"] + arguments, out: "refused")
        #expect(result.status == 64)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: home.appendingPathComponent("refused").path))
    }

    @Test("preview refuses a webdataset export, saying what it reads")
    func previewRefuses() throws {
        #expect(try export(["--task", "1", "--format", "webdataset"], out: "wds").status == 0)
        let sheet = home.appendingPathComponent("sheet.png").path
        let result = try CLI.run(
            ["preview", home.appendingPathComponent("wds").path, "--out", sheet, "--first"], home: home)
        #expect(result.status == 64)
        #expect(result.stderr.contains("is a webdataset export"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: sheet))
    }

    @Test("sliced parts merge into the unsharded export, read back with the webdataset package")
    func slicesMerge() throws {
        let arguments = [
            "--task", "1", "--task", "4", "--transform", "bboxes", "--resize", "64x48", "--format", "webdataset",
        ]
        #expect(try export(arguments, out: "whole").status == 0)
        for slice in 0..<3 {
            let part = try export(arguments + ["--shard", "\(slice)/3", "--shard-size", "2"], out: "run/part-\(slice)")
            #expect(part.status == 0, "\(part.stderr)")
        }
        let run = home.appendingPathComponent("run").path
        let merge = try CLI.run(
            ["merge-manifests", "--quiet", run] + (0..<3).map { "\(run)/part-\($0)" }, environment: [:], home: home)
        #expect(merge.status == 0, "\(merge.stderr)")
        let compared = try PythonScript.run(
            "export/compare_exports.py", [home.appendingPathComponent("whole").path, run])
        #expect(compared.status == 0, "\(compared.stdout) \(compared.stderr)")
        let merged =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: run + "/manifest.json"))) as? [String: Any]
        let shards = merged?["shards"] as? [[String: Any]] ?? []
        #expect(shards.map { $0["index"] as? Int } == Array(0..<shards.count))
        #expect(shards.first?["file"] as? String == "part-0/shard-00000.tar")
        #expect(shards.first?["dali_index"] as? String == "part-0/shard-00000.idx")
        #expect(shards.allSatisfy { ($0["sha256"] as? String)?.count == 64 })
    }
}
