import CvatTestSupport
import Foundation
import Testing

/// End-to-end: the built `cvat-ds` against the CVAT-compatible test server.
@Suite("sync", .serialized)
struct SyncTests {
    let server: TestServer
    let scratch: ScratchDirectory
    var home: URL { scratch.url }
    var cache: String { home.appendingPathComponent("cache").path }

    init() throws {
        server = try TestServer()
        scratch = try ScratchDirectory("cvat-ds-sync")
    }

    func sync(_ arguments: [String], token: String? = TestServer.adminToken, env: [String: String] = [:]) throws
        -> CLI.Result
    {
        var environment = env
        if let token { environment["CVAT_ACCESS_TOKEN"] = token }
        return try CLI.run(
            ["sync", "--server-host", server.url, "--cache-dir", cache] + arguments, environment: environment,
            home: home)
    }

    func taskDirectory(_ id: Int) -> URL {
        let name = Data(server.url.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return URL(fileURLWithPath: cache).appendingPathComponent("servers/\(name)/tasks/\(id)")
    }

    func chunkRequests(_ log: [[String: Any]]) -> [[String: Any]] {
        log.filter { ($0["query"] as? String ?? "").contains("type=chunk") }
    }

    @Test(
        "each credential scheme syncs a task, and logout is never called",
        arguments: [
            ("bearer", [String](), ["CVAT_ACCESS_TOKEN": TestServer.adminToken], "Bearer"),
            ("session", ["--auth", "admin:admin-password"], [:], "session"),
            ("token", ["--auth", "admin", "--auth-method", "token"], ["PASS": "admin-password"], "Token"),
            ("basic", ["--auth", "admin:admin-password", "--auth-method", "basic"], [:], "Basic"),
        ])
    func credentialSchemes(name: String, arguments: [String], env: [String: String], scheme: String) throws {
        let result = try sync(["--task", "1"] + arguments, token: nil, env: env)
        #expect(result.status == 0, "\(name): \(result.stderr)")
        for file in ["task.json", "data_meta.json", "annotations.json", "chunks/0.zip", "chunks/1.zip"] {
            #expect(
                FileManager.default.fileExists(atPath: taskDirectory(1).appendingPathComponent(file).path), "\(file)")
        }
        let log = try server.log()
        let authenticated = log.filter { ($0["path"] as? String) != "/api/auth/login" }
        #expect(!authenticated.isEmpty)
        #expect(authenticated.allSatisfy { ($0["auth_scheme"] as? String) == scheme }, "\(name)")
        #expect((try server.stats()["logout_calls"] as? Int) == 0)
    }

    @Test("wrong credentials fail with exit code 77 and a message that names the server")
    func wrongCredentials() throws {
        let badToken = try sync(["--task", "1"], token: "cvat_pat_admin.wrong")
        #expect(badToken.status == 77)
        #expect(badToken.stderr.contains(server.url))
        let badPassword = try sync(["--task", "1", "--auth", "admin:nope"], token: nil)
        #expect(badPassword.status == 77)
        #expect(badPassword.stderr.contains("refused"))
        #expect(!badPassword.stderr.contains("nope"), "the password must never be printed")
        let none = try sync(["--task", "1"], token: nil)
        #expect(none.status == 64)
        #expect(none.stderr.contains("no credentials"))
    }

    @Test("errors: unknown task, task without data, unreachable server")
    func errors() throws {
        let missing = try sync(["--task", "99"])
        #expect(missing.status == 66)
        #expect(missing.stderr.contains("task 99"))
        // Video tasks are synced (VideoTests); a task without media still cannot be.
        let noData = try sync(["--task", "5"])
        #expect(noData.status == 65)
        #expect(noData.stderr.contains("task 5") && noData.stderr.contains("no data"))
        let unreachable = try CLI.run(
            ["sync", "--server-host", "http://127.0.0.1:9", "--task", "1", "--cache-dir", cache, "--retries", "1"],
            environment: ["CVAT_ACCESS_TOKEN": TestServer.adminToken], home: home)
        #expect(unreachable.status == 69)
        #expect(unreachable.stderr.contains("127.0.0.1:9"))
    }

    @Test("a second sync costs one request per task; an annotation-only change moves no chunk")
    func freshness() throws {
        #expect(try sync(["--task", "1"]).status == 0)
        let chunkBefore = try Data(contentsOf: taskDirectory(1).appendingPathComponent("chunks/0.zip"))
        let annotationsBefore = try Data(contentsOf: taskDirectory(1).appendingPathComponent("annotations.json"))

        try server.resetLog()
        let warm = try sync(["--task", "1", "--json"])
        #expect(warm.status == 0)
        #expect(try server.log().count == 1)
        let tasks = try warm.json()["tasks"] as? [[String: Any]]
        #expect(tasks?.first?["outcome"] as? String == "up-to-date")

        try server.control("/_test/tasks/1/annotations")
        try server.resetLog()
        #expect(try sync(["--task", "1"]).status == 0)
        let log = try server.log()
        #expect(chunkRequests(log).isEmpty, "annotation-only change must not refetch chunks")
        #expect(log.contains { ($0["path"] as? String)?.hasSuffix("/annotations") == true })
        #expect(try Data(contentsOf: taskDirectory(1).appendingPathComponent("annotations.json")) != annotationsBefore)
        #expect(try Data(contentsOf: taskDirectory(1).appendingPathComponent("chunks/0.zip")) == chunkBefore)

        try server.control("/_test/tasks/1/chunks")
        try server.resetLog()
        #expect(try sync(["--task", "1"]).status == 0)
        #expect(!chunkRequests(try server.log()).isEmpty, "changed media must be refetched")
        #expect(try Data(contentsOf: taskDirectory(1).appendingPathComponent("chunks/0.zip")) != chunkBefore)
    }

    @Test("a project sync keeps only the subsets asked for, and a warm project sync is cheap")
    func projectSubsets() throws {
        let result = try sync(["--project", "1", "--subset", "Train", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let ids = (try result.json()["tasks"] as? [[String: Any]])?.compactMap { $0["id"] as? Int }
        #expect(ids == [1, 2])
        // Task 3 (Validation) gets its task.json only, for cvat-sdk's offline subset filter; none of its data.
        #expect(try FileManager.default.contentsOfDirectory(atPath: taskDirectory(3).path) == ["task.json"])
        let projectFile = taskDirectory(1).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("projects/1/project.json")
        let project = try JSONSerialization.jsonObject(with: Data(contentsOf: projectFile)) as? [String: Any]
        #expect((project?["tasks"] as? [Int])?.sorted() == [1, 2, 3])
        #expect((project?["labels"] as? [Any])?.isEmpty == false)

        try server.resetLog()
        #expect(try sync(["--project", "1", "--subset", "Train"]).status == 0)
        #expect(try server.log().count <= 2, "project + task list, nothing per unchanged task")
    }

    /// Every file of the cache, relative path → bytes (the lock file aside, which holds nothing).
    func snapshot() throws -> [String: Data] {
        let root = URL(fileURLWithPath: cache)
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        while let url = enumerator?.nextObject() as? URL {
            guard !url.hasDirectoryPath, url.lastPathComponent != ".cvat-ds.lock" else { continue }
            files[String(url.path.dropFirst(root.path.count))] = try Data(contentsOf: url)
        }
        return files
    }

    @Test("under injected faults the cache ends byte-identical to a clean sync")
    func faults() throws {
        #expect(try sync(["--project", "1"]).status == 0)
        let clean = try snapshot()
        try FileManager.default.removeItem(atPath: cache)
        try server.control(
            "/_test/faults",
            [
                "seed": 7, "chunk_5xx_rate": 0.3, "drop_rate": 0.1, "retry_after_first": true,
                "retry_after_seconds": 1, "latency_ms": 50,
            ])
        let result = try sync(["--project", "1", "--retries", "8", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect((try result.json()["retries"] as? Int ?? 0) > 0, "faults were injected and retried")
        let faulty = try snapshot()
        #expect(faulty.keys.sorted() == clean.keys.sorted())
        for (path, bytes) in clean { #expect(faulty[path] == bytes, "\(path)") }
        #expect(!faulty.keys.contains { $0.hasSuffix(".partial") || $0.contains(".tmp") })
    }

    @Test("past the retry budget the error says what failed and how often it was tried")
    func retryBudget() throws {
        try server.control("/_test/faults", ["seed": 1, "chunk_5xx_rate": 1.0])
        let result = try sync(["--task", "1", "--retries", "2"])
        #expect(result.status == 69)
        #expect(result.stderr.contains("chunk"))
        #expect(result.stderr.contains("3 attempts"))
        #expect(!FileManager.default.fileExists(atPath: taskDirectory(1).appendingPathComponent("task.json").path))
    }

    @Test("a dropped chunk transfer resumes with a Range request")
    func rangeResume() throws {
        try server.control("/_test/faults", ["seed": 3, "drop_rate": 0.5])
        let result = try sync(["--task", "1", "--retries", "10"])
        #expect(result.status == 0, "\(result.stderr)")
        let ranged = chunkRequests(try server.log()).filter { ($0["range"] as? String).map { !$0.isEmpty } ?? false }
        #expect(!ranged.isEmpty, "a resumed chunk asks for the missing bytes only")
        #expect(ranged.allSatisfy { $0["status"] as? Int == 206 })
    }

    @Test("a redirect to another host carries no credentials")
    func redirectDropsCredentials() throws {
        let other = try TestServer()
        try server.control("/_test/faults", ["redirect_api_to": other.url])
        let result = try sync(["--task", "1"])
        #expect(result.status == 77, "the other host sees no credentials and answers 401")
        let otherLog = try other.log()
        #expect(!otherLog.isEmpty)
        #expect(otherLog.allSatisfy { $0["auth_scheme"] is NSNull || $0["auth_scheme"] == nil })
    }

    @Test("a sync killed mid-way reruns without refetching finished chunks")
    func killedAndResumed() throws {
        try server.control("/_test/faults", ["slow_bytes_per_sec": 60_000])
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = ["sync", "--server-host", server.url, "--cache-dir", cache, "--task", "4", "--jobs", "1"]
        process.environment = ["CVAT_ACCESS_TOKEN": TestServer.adminToken, "HOME": home.path]
        process.standardError = FileHandle.nullDevice
        try process.run()
        let chunks = taskDirectory(4).appendingPathComponent("chunks")
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let done = (try? FileManager.default.contentsOfDirectory(atPath: chunks.path))?.filter {
                $0.hasSuffix(".zip")
            }
            if (done?.count ?? 0) >= 1 { break }
            usleep(20_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let finished = Set(
            (try FileManager.default.contentsOfDirectory(atPath: chunks.path)).filter { $0.hasSuffix(".zip") })
        #expect(!finished.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: taskDirectory(4).appendingPathComponent("task.json").path))

        try server.control("/_test/faults", [:])
        try server.resetLog()
        let rerun = try sync(["--task", "4"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let refetched = chunkRequests(try server.log()).compactMap { entry -> String? in
            guard let query = entry["query"] as? String, let range = query.range(of: "number=") else { return nil }
            let number = query[range.upperBound...].prefix { $0.isNumber }
            return "\(number).zip"
        }
        #expect(Set(refetched).isDisjoint(with: finished), "finished chunks \(finished) were fetched again")
    }

    @Test("--offline names what is missing")
    func offlineInfo() throws {
        let result = try CLI.run(
            ["info", "--server-host", server.url, "--cache-dir", cache, "--task", "1", "--offline"], home: home)
        #expect(result.status == 66)
        #expect(result.stderr.contains("task 1 is not cached"))
    }
}
