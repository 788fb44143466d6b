import CvatTestSupport
import Foundation
import Testing

/// Exports at scale: shards (`--shard-size`), slices for N machines (`--shard I/N`) and `merge-manifests`, and
/// safetensors output, each checked against the plain one-file `.npy` export of the same data with NumPy (and the
/// real `safetensors` package) in Fixtures/export/compare_exports.py.
@Suite("export at scale", .serialized)
struct ExportScaleTests {
    let server: TestServer
    let scratch: ScratchDirectory
    var home: URL { scratch.url }
    var cache: String { home.appendingPathComponent("cache").path }

    /// Tasks 1 and 4 unresized: ragged images (image_offsets), boxes and masks (box_offsets, mask_offsets).
    static let masks = ["--task", "1", "--task", "4", "--transform", "masks"]
    /// Task 7 (video, from its compressed chunks: 10 requests) with every image the same size, and a track.
    static let video = ["--task", "7", "--transform", "bboxes", "--video-frames", "compressed", "--resize", "32x24"]

    init() throws {
        server = try TestServer()
        scratch = try ScratchDirectory("cvat-ds-scale")
    }

    func path(_ out: String) -> String { home.appendingPathComponent(out).path }

    func export(_ arguments: [String], out: String) throws -> CLI.Result {
        try CLI.run(
            ["export", "--server-host", server.url, "--cache-dir", cache, "--out", path(out)] + arguments,
            environment: ["CVAT_ACCESS_TOKEN": TestServer.adminToken], home: home)
    }

    func merge(_ out: String, _ parts: [String], extra: [String] = []) throws -> CLI.Result {
        try CLI.run(["merge-manifests", path(out)] + parts.map(path) + extra, home: home)
    }

    /// compare_exports.py's report; it exits non-zero when the exports differ in any sample or array value.
    func compare(_ a: String, _ b: String) throws -> [String: Any] {
        let result = try PythonScript.run("export/compare_exports.py", [path(a), path(b)])
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        return try result.json()
    }

    func manifest(_ out: String) throws -> [String: Any] {
        let data = try Data(contentsOf: home.appendingPathComponent(out).appendingPathComponent("manifest.json"))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    @Test(
        "--shard-size: numbered shards whose concatenation is the unsharded export; offsets restart",
        arguments: [masks, video])
    func shards(_ arguments: [String]) throws {
        let whole = try export(arguments, out: "whole")
        #expect(whole.status == 0, "\(whole.stderr)")
        let sharded = try export(arguments + ["--offline", "--shard-size", "4"], out: "sharded")
        #expect(sharded.status == 0, "\(sharded.stderr)")
        let report = try compare("whole", "sharded")
        #expect(report["equal"] as? Bool == true)
        #expect(report["offsets_restart"] as? Bool == true)

        let manifest = try manifest("sharded")
        let samples = (manifest["samples"] as? [Any])?.count ?? 0
        let shards = manifest["shards"] as? [[String: Any]] ?? []
        #expect(shards.count == (samples + 3) / 4)
        #expect(shards.first?["samples"] as? [Int] == [0, 4])
        #expect(shards.last?["samples"] as? [Int] == [4 * (shards.count - 1), samples])
        let images = (shards.first?["arrays"] as? [String: Any])?["images"] as? [String: Any]
        #expect(images?["file"] as? String == "images-00000.npy")
        // `arrays` holds each array's dtype and its shards' concatenated shape, and no file.
        let combined = (manifest["arrays"] as? [String: Any])?["box_offsets"] as? [String: Any]
        #expect(combined?["file"] as? String == "")
        #expect(combined?["shape"] as? [Int] == [samples + shards.count])
        let files = try FileManager.default.contentsOfDirectory(atPath: path("sharded"))
        #expect(files.filter { $0.hasPrefix("images-") }.count == shards.count)
    }

    @Test("--shard I/N for N=3, merged, equals the full export; a part may itself be sharded")
    func slicesMerged() throws {
        let whole = try export(Self.masks, out: "whole")
        #expect(whole.status == 0, "\(whole.stderr)")
        for index in 0..<3 {
            let extra = index == 1 ? ["--shard-size", "3"] : []
            let part = try export(
                Self.masks + ["--offline", "--shard", "\(index)/3"] + extra, out: "run/part-\(index)")
            #expect(part.status == 0, "\(part.stderr)")
            let slice = try manifest("run/part-\(index)")["slice"] as? [String: Any]
            #expect(slice?["index"] as? Int == index)
            #expect(slice?["count"] as? Int == 3)
            #expect(slice?["total_samples"] as? Int == 33)
        }
        let merged = try merge("run", ["run/part-2", "run/part-0", "run/part-1"], extra: ["--json"])
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(try merged.json()["samples"] as? Int == 33)
        let report = try compare("whole", "run")
        #expect(report["equal"] as? Bool == true)
        let manifest = try manifest("run")
        #expect(
            (manifest["parts"] as? [[String: Any]])?.compactMap { $0["folder"] as? String } == [
                "part-0", "part-1", "part-2",
            ])
        let files = (manifest["shards"] as? [[String: Any]] ?? []).compactMap {
            (($0["arrays"] as? [String: Any])?["images"] as? [String: Any])?["file"] as? String
        }
        #expect(files.first == "part-0/images.npy")
        #expect(files.contains("part-1/images-00000.npy"))
        #expect(manifest["slice"] == nil)
    }

    @Test("merge-manifests refuses a missing slice, a duplicate slice, a different transform and a whole export")
    func mergeErrors() throws {
        for index in 0..<3 {
            let part = try export(
                Self.masks + ["--shard", "\(index)/3"] + (index > 0 ? ["--offline"] : []), out: "p\(index)")
            #expect(part.status == 0, "\(part.stderr)")
        }
        let resized = try export(Self.masks + ["--offline", "--shard", "1/3", "--resize", "16x16"], out: "resized")
        #expect(resized.status == 0, "\(resized.stderr)")
        let whole = try export(Self.masks + ["--offline"], out: "whole")
        #expect(whole.status == 0, "\(whole.stderr)")

        let missing = try merge("m", ["p0", "p2"])
        #expect(missing.status == 65)
        #expect(missing.stderr.contains("slice 1/3") && missing.stderr.contains("missing"), "\(missing.stderr)")
        let duplicate = try merge("m", ["p0", "p1", "p1", "p2"])
        #expect(duplicate.status == 65)
        #expect(duplicate.stderr.contains("slice 1/3 appears twice"), "\(duplicate.stderr)")
        let mismatched = try merge("m", ["p0", "resized", "p2"])
        #expect(mismatched.status == 65)
        #expect(mismatched.stderr.contains("transform differs in resize"), "\(mismatched.stderr)")
        let notSlice = try merge("m", ["p0", "p1", "whole"])
        #expect(notSlice.status == 65)
        #expect(notSlice.stderr.contains("without --shard"), "\(notSlice.stderr)")
        #expect(!FileManager.default.fileExists(atPath: path("m/manifest.json")), "no manifest from a failed merge")
        #expect(try merge("m", ["p0", "p1", "p2"]).status == 0)
        #expect(try merge("m", ["p0", "p1", "p2"]).status == 73, "an existing manifest needs --force")
    }

    @Test("--format safetensors holds the same arrays as npy, read with safetensors.numpy", arguments: [masks, video])
    func safetensors(_ arguments: [String]) throws {
        #expect(try export(arguments, out: "npy").status == 0)
        let single = try export(arguments + ["--offline", "--format", "safetensors"], out: "st")
        #expect(single.status == 0, "\(single.stderr)")
        // annotations.jsonl is text, beside the one tensor file.
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: path("st")).sorted()
                == ["annotations.jsonl", "arrays.safetensors", "manifest.json"])
        #expect(try compare("npy", "st")["equal"] as? Bool == true)

        let sharded = try export(
            arguments + ["--offline", "--format", "safetensors", "--shard-size", "5"], out: "st-sharded")
        #expect(sharded.status == 0, "\(sharded.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: path("st-sharded"))
        #expect(
            files.allSatisfy {
                $0 == "manifest.json" || ($0.hasPrefix("arrays-") && $0.hasSuffix(".safetensors"))
                    || ($0.hasPrefix("annotations-") && $0.hasSuffix(".jsonl"))
            }, "\(files)")
        let report = try compare("npy", "st-sharded")
        #expect(report["equal"] as? Bool == true)
        #expect(report["offsets_restart"] as? Bool == true)
        #expect((report["shards_b"] as? Int ?? 0) > 1)
    }
}
