import CvatTestSupport
import Foundation
import Testing

/// `cvat-ds export` on an empty cache downloads the chunks while it decodes them: the binary against the test
/// server. It writes what an export of a synced cache writes, leaves a cache that is current for the next sync, fails
/// on a chunk that cannot be had with the sync's error and no output, and stops both on Ctrl-C.
@Suite("overlapped export (binary)", .serialized)
struct OverlappedExportCLITests {
    let server: TestServer
    let scratch: ScratchDirectory
    var home: URL { scratch.url }
    var cache: String { home.appendingPathComponent("cache").path }
    var exports: URL { home.appendingPathComponent("exports") }

    init() throws {
        server = try TestServer()
        scratch = try ScratchDirectory("cvat-ds-overlap")
    }

    var arguments: [String] {
        [
            "export", "--server-host", server.url, "--cache-dir", cache, "--project", "1", "--transform", "bboxes",
            "--resize", "48x40",
        ]
    }

    func run(_ arguments: [String]) throws -> CLI.Result {
        try CLI.run(arguments, environment: ["CVAT_ACCESS_TOKEN": TestServer.adminToken], home: home)
    }

    func files(_ out: String) throws -> [String: Data] {
        let folder = exports.appendingPathComponent(out)
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            files[name] = try Data(contentsOf: folder.appendingPathComponent(name))
        }
        return files
    }

    func checkCache() throws -> [String: Any] {
        let result = try PythonScript.run("soak/check_state.py", ["cache", cache])
        return (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]) ?? [:]
    }

    @Test("a cold export equals the export of the synced cache file for file, and leaves the cache current")
    func coldEqualsWarm() throws {
        let cold = try run(arguments + ["--out", exports.appendingPathComponent("cold").path])
        #expect(cold.status == 0, "\(cold.stderr)")
        let warm = try run(arguments + ["--offline", "--out", exports.appendingPathComponent("warm").path])
        #expect(warm.status == 0, "\(warm.stderr)")
        let (coldFiles, warmFiles) = (try files("cold"), try files("warm"))
        #expect(!coldFiles.isEmpty && coldFiles.keys.sorted() == warmFiles.keys.sorted())
        for (name, bytes) in coldFiles { #expect(warmFiles[name] == bytes, "\(name) differs") }
        #expect((try checkCache()["problems"] as? [String]) == [])
        // Every task.json and project.json was written after the chunks: the next sync finds nothing to do.
        let sync = try run(["sync", "--server-host", server.url, "--cache-dir", cache, "--project", "1", "--json"])
        #expect(sync.status == 0, "\(sync.stderr)")
        let tasks = (try sync.json()["tasks"] as? [[String: Any]]) ?? []
        #expect(tasks.count == 3)
        for task in tasks {
            #expect(task["outcome"] as? String == "up-to-date", "\(task)")
            #expect(task["chunks_downloaded"] as? Int == 0, "\(task)")
        }
    }

    @Test(
        "a chunk that fails after the retries fails the export naming task and chunk; no output, a sound cache",
        arguments: [500, 404])
    func failingChunk(status: Int) throws {
        try server.control("/_test/faults", ["fail_chunks": [[2, 1, status]]])
        defer { _ = try? server.control("/_test/faults", [:]) }
        let result = try run(
            arguments + ["--retries", "1", "--out", exports.appendingPathComponent("failed-\(status)").path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("chunk 1 of task 2"), "\(result.stderr)")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: exports.path)) ?? []) == [])
        let state = try checkCache()
        #expect((state["problems"] as? [String]) == [], "\(state)")
        // Task 2 is not marked current (its task.json comes after its chunks); task 1, fetched before it, may be.
        let cached = FileManager.default.enumerator(atPath: cache)?.allObjects as? [String] ?? []
        let task2JSON = cached.contains { $0.hasSuffix("tasks/2/task.json") }
        #expect(cached.contains { $0.hasSuffix("tasks/2/data_meta.json") }, "the metadata came first")
        #expect(!task2JSON, "task 2 must not look current")
    }

    @Test("SIGINT while the last chunk is still on its way stops the downloads and the export: no half export")
    func interrupted() throws {
        // Task 3 (10 frames in chunks of 8) is the project's last; its chunk 1 waits on the server until released.
        try server.control("/_test/faults", ["hold_chunks": [[3, 1]]])
        defer { _ = try? server.control("/_test/faults", [:]) }
        let out = exports.appendingPathComponent("interrupted").path
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = arguments + ["--out", out]
        process.environment = CLI.environment(home: home, adding: ["CVAT_ACCESS_TOKEN": TestServer.adminToken])
        let err = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        // The export is under way (the samples before task 3's chunk 1 are being written) once the request is held.
        let deadline = Date().addingTimeInterval(120)
        while try server.held() != [[3, 1]] && Date() < deadline && process.isRunning { usleep(20_000) }
        #expect(try server.held() == [[3, 1]])
        #expect(process.isRunning && kill(process.processIdentifier, SIGINT) == 0)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130, "\(stderr)")
        #expect(stderr.contains("interrupted by SIGINT"), "\(stderr)")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: exports.path)) ?? []) == [])
        #expect((try checkCache()["problems"] as? [String]) == [])
        // Nothing was left locked or half-committed: with the chunk released, the same export completes.
        try server.control("/_test/release")
        try server.control("/_test/faults", [:])
        let again = try run(arguments + ["--out", out])
        #expect(again.status == 0, "\(again.stderr)")
    }
}
