import CvatTestSupport
import Foundation
import Testing

/// Re-export after an annotation edit: `--force` over an earlier export reuses its image files when nothing that
/// decides a pixel changed, and makes a full export otherwise.
@Suite("export reuse", .serialized)
struct ReuseTests {
    let server: TestServer
    let scratch: ScratchDirectory
    var home: URL { scratch.url }
    var cache: String { home.appendingPathComponent("cache").path }

    init() throws {
        server = try TestServer()
        scratch = try ScratchDirectory("cvat-ds-reuse")
    }

    func run(_ arguments: [String]) throws -> CLI.Result {
        try CLI.run(arguments, environment: ["CVAT_ACCESS_TOKEN": TestServer.adminToken], home: home)
    }

    /// `cvat-ds export ... --out OUT --json`, expected to succeed; its JSON report.
    @discardableResult
    func export(_ arguments: [String], out: String) throws -> [String: Any] {
        let result = try run(
            ["export", "--server-host", server.url, "--cache-dir", cache, "--out", path(out), "--json"] + arguments)
        #expect(result.status == 0, "\(result.stderr)")
        return (try? result.json()) ?? [:]
    }

    func path(_ out: String) -> String { home.appendingPathComponent(out).path }

    func manifest(_ out: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path(out) + "/manifest.json"))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    func updatedDates(_ manifest: [String: Any]) -> [String] {
        ((manifest["source"] as? [String: Any])?["tasks"] as? [[String: Any]] ?? []).compactMap {
            $0["updated_date"] as? String
        }
    }

    func inode(_ file: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: file)[.systemFileNumber] as? NSNumber)?.intValue ?? -1
    }

    /// The task's cached chunk zips.
    func chunks(task: Int) -> [URL] {
        let enumerator = FileManager.default.enumerator(atPath: cache)
        var found: [URL] = []
        while let relative = enumerator?.nextObject() as? String {
            if relative.contains("/tasks/\(task)/chunks/"), relative.hasSuffix(".zip") {
                found.append(URL(fileURLWithPath: cache + "/" + relative))
            }
        }
        return found.sorted { $0.path < $1.path }
    }

    /// Every file of an export with its bytes; the manifest without its `reused` record.
    func contents(_ out: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: path(out)) {
            var data = try Data(contentsOf: URL(fileURLWithPath: path(out) + "/" + name))
            if name == "manifest.json" {
                var object = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
                object["reused"] = nil
                data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            }
            files[name] = data
        }
        return files
    }

    @Test(
        "after an annotation edit the images are reused, no frame is decoded, and the result is a full export's",
        arguments: [
            ["--task", "4", "--transform", "bboxes", "--resize", "64x64"],
            // Ragged images (frames of several sizes) and shards: image_offsets and image_shapes are reused too.
            ["--task", "1", "--task", "4", "--transform", "masks", "--shard-size", "7"],
            ["--task", "4", "--transform", "semantic", "--format", "raw", "--letterbox", "48x40", "--layout", "nchw"],
        ])
    func reuseAfterAnEdit(_ arguments: [String]) throws {
        let first = try export(arguments, out: "o")
        #expect((first["decoded_frames"] as? Int ?? 0) > 0)
        #expect(first["reused"] == nil)
        let before = try manifest("o")
        let imageFiles = try FileManager.default.contentsOfDirectory(atPath: path("o")).filter {
            $0.hasPrefix("image")
        }
        let inodes = try imageFiles.map { try inode(path("o") + "/" + $0) }

        try server.control("/_test/tasks/4/annotations")
        let sync = try run(["sync", "--server-host", server.url, "--cache-dir", cache, "--task", "1", "--task", "4"])
        #expect(sync.status == 0, "\(sync.stderr)")
        // Every chunk is made unreadable: a decode would fail, so a successful export decoded nothing.
        let chunkFiles = chunks(task: 4) + chunks(task: 1)
        #expect(!chunkFiles.isEmpty)
        let saved = try chunkFiles.map { try Data(contentsOf: $0) }
        for file in chunkFiles { try Data("not a zip".utf8).write(to: file) }
        let broken = try run(
            ["export", "--server-host", server.url, "--cache-dir", cache, "--offline", "--out", path("check")]
                + arguments)
        #expect(broken.status != 0, "a full export must fail on the broken chunks")

        let again = try export(arguments + ["--offline", "--force"], out: "o")
        let reused = again["reused"] as? [String: Any]
        #expect(reused?["method"] as? String == "hardlink", "\(again)")
        #expect(again["decoded_frames"] as? Int == 0)
        let after = try manifest("o")
        #expect((after["reused"] as? [String: Any])?["arrays"] as? [String] == reused?["arrays"] as? [String])
        #expect(updatedDates(after) != updatedDates(before), "the edit is not in the manifest")
        #expect(try imageFiles.map { try inode(path("o") + "/" + $0) } == inodes, "the image files are not linked")

        for (file, data) in zip(chunkFiles, saved) { try data.write(to: file) }
        let full = try export(arguments + ["--offline"], out: "full")
        #expect(full["reused"] == nil && (full["decoded_frames"] as? Int ?? 0) > 0)
        let reusedFiles = try contents("o")
        let fullFiles = try contents("full")
        #expect(reusedFiles.keys.sorted() == fullFiles.keys.sorted())
        for (name, data) in fullFiles { #expect(reusedFiles[name] == data, "\(name) differs from a full export") }
    }

    /// A change that may touch a pixel, applied between the two exports, and the reason the second one gives.
    enum Change: String, CaseIterable, CustomTestStringConvertible {
        case resize, chunks, toolVersion, frameList, olderManifest, skippedFrames, noReuse

        var testDescription: String { rawValue }
    }

    @Test("anything that could change a pixel makes a full export", arguments: Change.allCases)
    func fullExportWhen(_ change: Change) throws {
        var arguments = ["--task", "4", "--transform", "bboxes", "--resize", "64x64"]
        if change == .frameList { arguments += ["--job-state", "completed"] }
        if change == .skippedFrames { arguments = ["--task", "6", "--transform", "label", "--skip-invalid"] }
        try export(arguments, out: "o")
        let images = path("o") + "/images.npy"
        let inodeBefore = try inode(images)
        let imagesBefore = try Data(contentsOf: URL(fileURLWithPath: images))
        var manifest = try manifest("o")

        var again = arguments + ["--force"]
        let reason: String?
        switch change {
        case .resize:
            again = ["--task", "4", "--transform", "bboxes", "--resize", "64x48", "--force"]
            reason = "resize"
        case .chunks:
            try server.control("/_test/tasks/4/chunks")
            reason = "chunks_updated_date"
        case .toolVersion:
            manifest["tool"] = ["name": "cvat-ds", "version": "0.0.1"]
            reason = "0.0.1"
        case .frameList:
            again = ["--task", "4", "--transform", "bboxes", "--resize", "64x64", "--force"]
            reason = "frames"
        case .olderManifest:
            var tasks = (manifest["source"] as? [String: Any])?["tasks"] as? [[String: Any]] ?? []
            for index in tasks.indices { tasks[index]["chunks_updated_date"] = nil }
            manifest["source"] = ["server": (manifest["source"] as? [String: Any])?["server"] ?? "", "tasks": tasks]
            reason = "chunks_updated_date"
        case .skippedFrames:
            // Frame 4 had no tag and was skipped; with one it becomes a sample, so the image array grows.
            try server.control("/_test/tasks/6/annotations", ["add_tag": ["frame": 4, "label_id": 31]])
            reason = "skipped"
        case .noReuse:
            again.append("--no-reuse")
            reason = nil
        }
        if change == .toolVersion || change == .olderManifest {
            try JSONSerialization.data(withJSONObject: manifest).write(
                to: URL(fileURLWithPath: path("o") + "/manifest.json"))
        }
        let report = try export(again, out: "o")
        #expect(report["reused"] == nil)
        #expect((report["decoded_frames"] as? Int ?? 0) > 0)
        if let reason {
            let said = report["not_reused_because"] as? String ?? ""
            #expect(said.contains(reason), "\(said)")
        } else {
            #expect(report["not_reused_because"] == nil)
        }
        #expect(try inode(images) != inodeBefore)
        let imagesAfter = try Data(contentsOf: URL(fileURLWithPath: images))
        #expect(
            (imagesAfter == imagesBefore) == (change == .toolVersion || change == .olderManifest || change == .noReuse))
        #expect(try self.manifest("o")["reused"] == nil)
    }

    @Test(
        "formats that keep the images beside other arrays are never reused",
        arguments: [("safetensors", "safetensors"), ("webdataset", "webdataset")])
    func neverReused(_ format: String, reason: String) throws {
        let arguments = [
            "--task", "4", "--transform", "label", "--skip-invalid", "--resize", "32x32", "--format", format,
        ]
        try export(arguments, out: "o")
        let report = try export(arguments + ["--force"], out: "o")
        #expect(report["reused"] == nil)
        #expect((report["decoded_frames"] as? Int ?? 0) > 0)
        let said = report["not_reused_because"] as? String ?? ""
        #expect(said.contains(reason), "\(said)")
    }
}
