import CvatTestSupport
import Foundation
import Testing

/// cvat-ds against the test server's CVAT 2.23 mode (`--server-version 2.23`), which answers as a real CVAT 2.23.1
/// server did: no personal access tokens, Range ignored on chunks, gzip on every body, chunks that block and then
/// answer 429, a ground-truth job listed first, MP4 compressed video chunks and an About cvat-sdk 2.80 refuses.
/// Whatever the server's age, the cache and the exports must be the ones the default (2.73) mode gives.
@Suite("old server (CVAT 2.23)", .serialized)
struct OldServerTests {
    let server: TestServer
    let home: URL
    var cache: String { home.appendingPathComponent("cache").path }

    static let password = ["PASS": "admin-password"]

    init() throws {
        server = try TestServer(extraArguments: ["--server-version", "2.23"])
        home = try TestPaths.makeTemporaryDirectory("cvat-ds-old-server")
    }

    /// `cvat-ds command --server-host URL --cache-dir CACHE arguments...`, with `--auth admin` and PASS unless the
    /// arguments or the environment bring their own credentials.
    func run(
        _ command: String, _ arguments: [String], on target: TestServer? = nil, cache: String? = nil,
        env: [String: String]? = nil
    ) throws -> CLI.Result {
        let target = target ?? server
        let auth = env == nil && !arguments.contains("--auth") ? ["--auth", "admin"] : []
        return try CLI.run(
            [command, "--server-host", target.url, "--cache-dir", cache ?? self.cache] + auth + arguments,
            environment: env ?? Self.password, home: home)
    }

    /// The cache folder of task `id` for `target` (cvat-sdk's layout: the server URL in URL-safe base64).
    func taskDirectory(_ id: Int, on target: TestServer? = nil, cache: String? = nil) -> URL {
        let name = Data((target ?? server).url.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return URL(fileURLWithPath: cache ?? self.cache).appendingPathComponent("servers/\(name)/tasks/\(id)")
    }

    /// Every file under `folder`, relative path → bytes.
    func files(_ folder: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
        while let url = enumerator?.nextObject() as? URL {
            guard !url.hasDirectoryPath else { continue }
            files[String(url.path.dropFirst(folder.path.count))] = try Data(contentsOf: url)
        }
        return files
    }

    func manifest(_ folder: URL) throws -> [String: Any] {
        let data = try Data(contentsOf: folder.appendingPathComponent("manifest.json"))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    func chunkRequests(_ log: [[String: Any]]) -> [[String: Any]] {
        log.filter { ($0["query"] as? String ?? "").contains("type=chunk") }
    }

    @Test(
        "a password logs in (session cookie, legacy Token) or goes as Basic, with no PAT on the server",
        arguments: [
            ([String](), "session"),
            (["--auth-method", "token"], "Token"),
            (["--auth-method", "basic"], "Basic"),
        ])
    func passwordSchemes(arguments: [String], scheme: String) throws {
        let result = try run("sync", ["--task", "1"] + arguments)
        #expect(result.status == 0, "\(scheme): \(result.stderr)")
        for file in ["task.json", "data_meta.json", "annotations.json", "jobs.json", "chunks/0.zip", "chunks/1.zip"] {
            #expect(
                FileManager.default.fileExists(atPath: taskDirectory(1).appendingPathComponent(file).path), "\(file)")
        }
        let log = try server.log()
        let logins = log.filter { ($0["path"] as? String) == "/api/auth/login" }
        #expect(logins.count == (scheme == "Basic" ? 0 : 1))
        let authenticated = log.filter { ($0["path"] as? String) != "/api/auth/login" }
        #expect(!authenticated.isEmpty)
        #expect(authenticated.allSatisfy { ($0["auth_scheme"] as? String) == scheme && $0["status"] as? Int == 200 })
        #expect((try server.stats()["logout_calls"] as? Int) == 0)
    }

    @Test("a personal access token or a wrong password fails with 77 and a message that names the server")
    func refusedCredentials() throws {
        let token = try run("sync", ["--task", "1"], env: ["CVAT_ACCESS_TOKEN": TestServer.adminToken])
        #expect(token.status == 77, "\(token.stderr)")
        #expect(token.stderr.contains(server.url), "\(token.stderr)")
        #expect(token.stderr.contains("401") && token.stderr.contains("no personal access tokens"), "\(token.stderr)")
        #expect(token.stderr.contains("--auth USER"), "says what to use instead: \(token.stderr)")
        #expect(!token.stderr.contains(TestServer.adminToken), "the token must never be printed")

        let password = try run("sync", ["--task", "1", "--auth", "admin:nope"], env: [:])
        #expect(password.status == 77, "\(password.stderr)")
        #expect(password.stderr.contains(server.url) && password.stderr.contains("refused"), "\(password.stderr)")
        #expect(!password.stderr.contains("nope"), "the password must never be printed")
        #expect(!FileManager.default.fileExists(atPath: taskDirectory(1).path))
    }

    @Test("a project sync and export equal the default server's: manifest samples and labels, array bytes, chunks")
    func projectExportMatchesDefaultServer() throws {
        let current = try TestServer()
        let currentCache = home.appendingPathComponent("cache-2.73").path
        var outputs: [URL] = []
        for (target, cacheFolder) in [(server, cache), (current, currentCache)] {
            let sync = try run("sync", ["--project", "1"], on: target, cache: cacheFolder)
            #expect(sync.status == 0, "\(target.url): \(sync.stderr)")
            let out = home.appendingPathComponent("export-\(outputs.count)")
            let export = try run(
                "export", ["--project", "1", "--transform", "bboxes", "--resize", "100x80", "--out", out.path],
                on: target, cache: cacheFolder)
            #expect(export.status == 0, "\(target.url): \(export.stderr)")
            outputs.append(out)
        }
        let (old, new) = (try manifest(outputs[0]), try manifest(outputs[1]))
        #expect((old["samples"] as? [Any])?.count == 37)
        for key in ["samples", "labels", "arrays"] {
            #expect(old[key] as? NSObject == new[key] as? NSObject, "manifest \(key)")
        }
        var (oldFiles, newFiles) = (try files(outputs[0]), try files(outputs[1]))
        oldFiles["/manifest.json"] = nil
        newFiles["/manifest.json"] = nil
        #expect(!oldFiles.isEmpty && oldFiles.keys.sorted() == newFiles.keys.sorted())
        for (path, bytes) in oldFiles { #expect(newFiles[path] == bytes, "\(path)") }

        // The chunks were fetched whole (the old server has no Range) and cached as the default server's are.
        for task in [1, 2, 3] {
            let oldChunks = try files(taskDirectory(task).appendingPathComponent("chunks"))
            let newChunks = try files(
                taskDirectory(task, on: current, cache: currentCache).appendingPathComponent("chunks"))
            #expect(!oldChunks.isEmpty && oldChunks == newChunks, "task \(task)")
        }
    }

    @Test("gzip: the JSON answers come compressed and decode; downloads ask for identity and cache the same")
    func gzipBodies() throws {
        let result = try run("sync", ["--task", "4"])
        #expect(result.status == 0, "\(result.stderr)")
        let log = try server.log()
        let json = log.filter {
            !(($0["query"] as? String ?? "").contains("type=")) && ($0["bytes_sent"] as? Int ?? 0) > 0
        }
        let zipped = Set(
            json.filter { $0["content_encoding"] as? String == "gzip" }.compactMap { $0["path"] as? String })
        #expect(zipped == ["/api/tasks/4", "/api/labels", "/api/tasks/4/data/meta", "/api/jobs"], "\(json)")
        // Downloads into files (annotations, chunks) could not be resumed by byte offset if they came gzipped, so
        // cvat-ds asks for them uncompressed, and this server, like Django, honours that.
        let downloads = log.filter { ($0["path"] as? String) == "/api/tasks/4/annotations" } + chunkRequests(log)
        #expect(downloads.count == 4)
        #expect(
            downloads.allSatisfy { $0["accept_encoding"] as? String == "identity" && $0["content_encoding"] is NSNull })

        let current = try TestServer()
        let currentCache = home.appendingPathComponent("cache-2.73").path
        #expect(try run("sync", ["--task", "4"], on: current, cache: currentCache).status == 0)
        let decoded =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: taskDirectory(4).appendingPathComponent("annotations.json"))) as? NSDictionary
        let reference =
            try JSONSerialization.jsonObject(
                with: Data(
                    contentsOf: taskDirectory(4, on: current, cache: currentCache).appendingPathComponent(
                        "annotations.json")))
            as? NSDictionary
        #expect(decoded != nil && decoded == reference)
        #expect(
            try files(taskDirectory(4).appendingPathComponent("chunks"))
                == files(taskDirectory(4, on: current, cache: currentCache).appendingPathComponent("chunks")))
    }

    @Test("a dropped chunk transfer asks for the rest with Range, gets the whole chunk (200) and caches it right")
    func rangeIgnored() throws {
        let cleanCache = home.appendingPathComponent("cache-clean").path
        #expect(try run("sync", ["--task", "1"], cache: cleanCache).status == 0)
        try server.control("/_test/faults", ["seed": 3, "drop_rate": 0.5])
        try server.resetLog()
        let result = try run("sync", ["--task", "1", "--retries", "10"])
        #expect(result.status == 0, "\(result.stderr)")
        let ranged = chunkRequests(try server.log()).filter { ($0["range"] as? String).map { !$0.isEmpty } ?? false }
        #expect(!ranged.isEmpty, "a dropped chunk is resumed with a Range request")
        #expect(ranged.allSatisfy { $0["status"] as? Int == 200 }, "the old server answers the whole chunk")
        let chunks = try files(taskDirectory(1).appendingPathComponent("chunks"))
        let clean = try files(taskDirectory(1, cache: cleanCache).appendingPathComponent("chunks"))
        #expect(chunks.count == 2 && chunks == clean)
    }

    @Test("a chunk that is not ready blocks, answers 429 with Retry-After, and the sync still completes")
    func chunkNotReady() throws {
        try server.control(
            "/_test/faults", ["chunk_prepare_seconds": 1.2, "chunk_wait_seconds": 0.3, "chunk_retry_after": 1])
        let started = Date()
        let result = try run("sync", ["--task", "1", "--json"])
        let elapsed = Date().timeIntervalSince(started)
        #expect(result.status == 0, "\(result.stderr)")
        let chunks = chunkRequests(try server.log())
        let refused = chunks.filter { $0["status"] as? Int == 429 }
        #expect(!refused.isEmpty && refused.allSatisfy { $0["fault"] as? String == "not_ready" })
        #expect(chunks.filter { $0["status"] as? Int == 200 }.count == 2, "chunks 0 and 1, each served once ready")
        // Each refusal came after 0.3 s of blocking and asked for 1 s: a client that ignored Retry-After and
        // hammered the server would finish no sooner, but would make many more requests.
        #expect(refused.count <= 6, "\(refused.count) refusals: Retry-After was not honoured")
        #expect(elapsed >= 1.2)
        for chunk in ["chunks/0.zip", "chunks/1.zip"] {
            #expect(FileManager.default.fileExists(atPath: taskDirectory(1).appendingPathComponent(chunk).path))
        }
    }

    @Test("the jobs list has a ground-truth job first; --job-stage still picks only the annotation jobs' frames")
    func groundTruthJob() throws {
        // Task 1: job 1 [0-9] annotation/in progress, job 2 [10-16] validation/completed (3 and 16 deleted), and
        // ground-truth job 12 (frames 2, 5, 8, 13) validation/completed, which must add or claim no frame.
        let out = home.appendingPathComponent("validated")
        let result = try run("export", ["--task", "1", "--job-stage", "validation", "--out", out.path])
        #expect(result.status == 0, "\(result.stderr)")
        let samples = try manifest(out)["samples"] as? [[String: Any]] ?? []
        #expect(samples.map { $0["frame"] as? Int ?? -1 } == Array(10...15))
        #expect(samples.allSatisfy { $0["job_id"] as? Int == 2 })
        let listed = try server.log().filter { ($0["path"] as? String) == "/api/jobs" }
        #expect(listed.count == 1)
        let jobs =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: taskDirectory(1).appendingPathComponent("jobs.json"))) as? [[String: Any]] ?? []
        #expect(jobs.compactMap { $0["id"] as? Int }.sorted() == [1, 2, 12])
        #expect(jobs.first { $0["id"] as? Int == 12 }?["type"] as? String == "ground_truth")

        let state = home.appendingPathComponent("completed")
        let completed = try run(
            "export", ["--task", "1", "--job-state", "completed", "--offline", "--out", state.path])
        #expect(completed.status == 0, "\(completed.stderr)")
        #expect(
            (try manifest(state)["samples"] as? [[String: Any]])?.map { $0["frame"] as? Int ?? -1 } == Array(10...15))
    }

    @Test("a video task with MP4 compressed chunks syncs from PNG frames, also when compressed frames are asked for")
    func videoTask() throws {
        let result = try run("sync", ["--task", "7", "--video-frames", "compressed", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = (try result.json()["tasks"] as? [[String: Any]])?.first
        #expect(report?["video_frames"] as? String == "original", "the compressed chunks are MP4: no use")
        #expect(report?["frames_downloaded"] as? Int == 300)
        let log = try server.log()
        #expect(chunkRequests(log).isEmpty)
        #expect(log.filter { ($0["query"] as? String ?? "").contains("type=frame") }.count == 300)

        let current = try TestServer()
        let currentCache = home.appendingPathComponent("cache-2.73").path
        #expect(try run("sync", ["--task", "7"], on: current, cache: currentCache).status == 0)
        let frames = try files(taskDirectory(7).appendingPathComponent("frames"))
        #expect(frames.count == 300)
        #expect(frames.values.allSatisfy { $0.starts(with: [0x89, 0x50, 0x4E, 0x47]) })
        #expect(
            frames == (try files(taskDirectory(7, on: current, cache: currentCache).appendingPathComponent("frames"))))
    }
}
