import CvatTestSupport
import Foundation
import Testing

/// Video tasks end to end: task 7 of the sample dataset (300 frames of 64x48, start 4, step 2, chunk size 32, a
/// rectangle track), whose original chunks are undecodable video, read from the server's PNG frames or its JPEG
/// compressed chunks.
@Suite("video tasks", .serialized)
struct VideoTests {
    let server: TestServer
    let scratch: ScratchDirectory
    var home: URL { scratch.url }
    var cache: String { home.appendingPathComponent("cache").path }

    init() throws {
        server = try TestServer()
        scratch = try ScratchDirectory("cvat-ds-video")
    }

    func run(_ command: String, _ arguments: [String]) throws -> CLI.Result {
        try CLI.run(
            [command, "--server-host", server.url, "--cache-dir", cache] + arguments,
            environment: ["CVAT_ACCESS_TOKEN": TestServer.adminToken], home: home)
    }

    var taskDirectory: URL {
        let name = Data(server.url.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return URL(fileURLWithPath: cache).appendingPathComponent("servers/\(name)/tasks/7")
    }

    func requests(_ type: String) throws -> [[String: Any]] {
        try server.log().filter { ($0["query"] as? String ?? "").contains("type=\(type)") }
    }

    @Test("a video sync caches every frame as PNG beside the chunks; a rerun is one request; cvat-sdk still refuses it")
    func syncOriginalFrames() throws {
        let first = try run("sync", ["--task", "7", "--json"])
        #expect(first.status == 0, "\(first.stderr)")
        let report = (try first.json()["tasks"] as? [[String: Any]])?.first
        #expect(report?["frames_downloaded"] as? Int == 300)
        #expect(report?["video_frames"] as? String == "original")
        #expect(try requests("frame").count == 300)
        #expect(try requests("chunk").isEmpty, "the video chunks are useless here and never fetched")
        let frames = try FileManager.default.contentsOfDirectory(
            atPath: taskDirectory.appendingPathComponent("frames").path)
        #expect(Set(frames) == Set((0..<300).map { "\($0).png" }))
        #expect(!FileManager.default.fileExists(atPath: taskDirectory.appendingPathComponent("chunks").path))

        try server.resetLog()
        let warm = try run("sync", ["--task", "7", "--json"])
        #expect(warm.status == 0, "\(warm.stderr)")
        #expect(try server.log().count == 1)
        #expect((try warm.json()["tasks"] as? [[String: Any]])?.first?["outcome"] as? String == "up-to-date")

        // cvat-sdk reading this cache offline refuses the task exactly as it does online, and does not trip over
        // the extra folders.
        let sdk = try PythonScript.run(
            "sdk/sdk_open_video.py",
            [
                "--server", server.url, "--cache-dir", cache, "--task", "7", "--token", TestServer.adminToken,
                "--own-cache", home.appendingPathComponent("sdk-cache").path,
            ])
        #expect(sdk.status == 0, "\(sdk.stderr)")
        let outcome = try sdk.json()
        let offline = outcome["offline"] as? [String: Any]
        #expect(offline?["opened"] as? Bool == false)
        #expect(offline?["error_type"] as? String == "UnsupportedDatasetError")
        #expect(offline as NSDictionary? == outcome["online"] as? NSDictionary)

        // Lost, truncated and half-downloaded frames: only those are fetched again.
        let folder = taskDirectory.appendingPathComponent("frames")
        for frame in [0, 31, 32, 299] {
            try FileManager.default.removeItem(at: folder.appendingPathComponent("\(frame).png"))
        }
        let damaged = folder.appendingPathComponent("150.png")
        let bytes = try Data(contentsOf: damaged)
        try bytes.prefix(bytes.count / 2).write(to: damaged)
        try bytes.prefix(100).write(to: folder.appendingPathComponent("7.png.partial"))
        try FileManager.default.removeItem(at: folder.appendingPathComponent("7.png"))
        try server.resetLog()
        let repaired = try run("sync", ["--task", "7", "--json"])
        #expect(repaired.status == 0, "\(repaired.stderr)")
        #expect(repaired.stderr.contains("frame 150"), "the damaged frame is named: \(repaired.stderr)")
        let refetched = try requests("frame").compactMap { entry -> Int? in
            guard let query = entry["query"] as? String, let range = query.range(of: "number=") else { return nil }
            return Int(query[range.upperBound...].prefix { $0.isNumber })
        }
        #expect(Set(refetched) == [0, 7, 31, 32, 150, 299])
        #expect(try Data(contentsOf: damaged) == bytes)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("7.png.partial").path))
    }

    @Test("--video-frames compressed caches the JPEG chunks; changed media replaces them")
    func syncCompressedChunks() throws {
        let first = try run("sync", ["--task", "7", "--video-frames", "compressed", "--json"])
        #expect(first.status == 0, "\(first.stderr)")
        let report = (try first.json()["tasks"] as? [[String: Any]])?.first
        #expect(report?["chunks_downloaded"] as? Int == 10)
        #expect(report?["video_frames"] as? String == "compressed")
        let chunks = try requests("chunk")
        #expect(chunks.count == 10)
        #expect(chunks.allSatisfy { ($0["query"] as? String ?? "").contains("quality=compressed") })
        let chunk0 = taskDirectory.appendingPathComponent("compressed_chunks/0.zip")
        let before = try Data(contentsOf: chunk0)

        try server.control("/_test/tasks/7/chunks")
        try server.resetLog()
        let changed = try run("sync", ["--task", "7", "--video-frames", "compressed"])
        #expect(changed.status == 0, "\(changed.stderr)")
        #expect(try requests("chunk").count == 10, "new media: every chunk again")
        #expect(try Data(contentsOf: chunk0) != before)
    }

    @Test(
        "a video export has the server's pixels, task and source frame numbers, and the track's boxes",
        arguments: ["original", "compressed"])
    func export(source: String) throws {
        let out = home.appendingPathComponent("video-\(source)").path
        let result = try run(
            "export", ["--task", "7", "--transform", "bboxes", "--video-frames", source, "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        let check = try PythonScript.run(
            "export/check_video.py",
            [
                "--export", out, "--server", server.url, "--token", TestServer.adminToken, "--task", "7", "--source",
                source,
            ])
        #expect(check.status == 0, "\(check.stdout) \(check.stderr)")
        let report = try check.json()
        #expect(report["samples"] as? Int == 300)
        #expect(report["first_source_frames"] as? [Int] == [4, 6, 8])
        #expect((report["boxes"] as? Int ?? 0) > 200, "the vehicle track on most frames, the pedestrian on a few")

        // Offline, the other source is not cached: the message names the missing file and the sync to run.
        let other = source == "original" ? "compressed" : "original"
        let offline = try run(
            "export", ["--task", "7", "--offline", "--video-frames", other, "--out", out + "-other"])
        #expect(offline.status == 66)
        #expect(offline.stderr.contains("task 7 is not fully cached"), "\(offline.stderr)")
    }
}
