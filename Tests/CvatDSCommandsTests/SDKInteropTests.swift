import CvatTestSupport
import Foundation
import Testing

/// The cache is shared with cvat-sdk: each tool reads what the other fetched.
@Suite("cvat-sdk interoperability", .serialized)
struct SDKInteropTests {
    let imageTasks = ["1", "2", "3", "4", "6"]

    @Test("cvat-sdk reads, offline, the cache cvat-ds wrote, and sees what it sees in its own cache")
    func sdkReadsCvatDSCache() throws {
        let server = try TestServer()
        let home = try TestPaths.makeTemporaryDirectory("cvat-ds-interop")
        defer { try? FileManager.default.removeItem(at: home) }
        let ours = home.appendingPathComponent("ours").path
        let theirs = home.appendingPathComponent("theirs").path

        for id in imageTasks {
            let result = try CLI.run(
                ["sync", "--server-host", server.url, "--cache-dir", ours, "--task", id],
                environment: ["CVAT_ACCESS_TOKEN": TestServer.adminToken], home: home)
            #expect(result.status == 0, "\(result.stderr)")
        }
        let sdkSync = try PythonScript.run(
            "sdk/sdk_sync.py",
            ["--server", server.url, "--cache-dir", theirs, "--token", TestServer.adminToken, "--task"] + imageTasks)
        #expect(sdkSync.status == 0, "\(sdkSync.stderr)")
        server.stop()  // from here on, nothing can come from the network

        let fromOurs = try PythonScript.run(
            "sdk/sdk_read_cache.py", ["--server", server.url, "--cache-dir", ours, "--task"] + imageTasks)
        #expect(fromOurs.status == 0, "\(fromOurs.stderr)")
        let fromTheirs = try PythonScript.run(
            "sdk/sdk_read_cache.py", ["--server", server.url, "--cache-dir", theirs, "--task"] + imageTasks)
        #expect(fromTheirs.status == 0, "\(fromTheirs.stderr)")
        #expect(!fromOurs.stdout.isEmpty)
        #expect(try fromOurs.json() as NSDictionary == fromTheirs.json() as NSDictionary)
        let tasks = try fromOurs.json()["tasks"] as? [[String: Any]]
        #expect(tasks?.count == imageTasks.count)
        #expect(tasks?.allSatisfy { ($0["samples"] as? [Any])?.isEmpty == false } == true)
    }

    @Test("cvat-ds reads the cache cvat-sdk wrote: offline info, and a sync that finds it current")
    func cvatDSReadsSDKCache() throws {
        let server = try TestServer()
        let home = try TestPaths.makeTemporaryDirectory("cvat-ds-interop")
        defer { try? FileManager.default.removeItem(at: home) }
        let theirs = home.appendingPathComponent("theirs").path
        let sdkSync = try PythonScript.run(
            "sdk/sdk_sync.py",
            ["--server", server.url, "--cache-dir", theirs, "--token", TestServer.adminToken, "--task", "1", "4"])
        #expect(sdkSync.status == 0, "\(sdkSync.stderr)")

        let info = try CLI.run(
            [
                "info", "--server-host", server.url, "--cache-dir", theirs, "--task", "1", "--task", "4", "--offline",
                "--json",
            ],
            home: home)
        #expect(info.status == 0, "\(info.stderr)")
        let reports = try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [[String: Any]]
        #expect(reports?.map { $0["cached"] as? Bool } == [true, true])

        try server.resetLog()
        let sync = try CLI.run(
            ["sync", "--server-host", server.url, "--cache-dir", theirs, "--task", "1", "--task", "4", "--json"],
            environment: ["CVAT_ACCESS_TOKEN": TestServer.adminToken], home: home)
        #expect(sync.status == 0, "\(sync.stderr)")
        let outcomes = (try sync.json()["tasks"] as? [[String: Any]])?.map { $0["outcome"] as? String }
        #expect(outcomes == ["up-to-date", "up-to-date"])
        #expect(try server.log().count == 2, "one request per task")
    }

    @Test("a project synced with --subset: cvat-sdk reads the subset offline, cvat-ds knows the rest is not cached")
    func subsetSyncReadOfflineBySDK() throws {
        let server = try TestServer()
        let home = try TestPaths.makeTemporaryDirectory("cvat-ds-interop")
        defer { try? FileManager.default.removeItem(at: home) }
        let ours = home.appendingPathComponent("ours").path
        let env = ["CVAT_ACCESS_TOKEN": TestServer.adminToken]
        let sync = try CLI.run(
            ["sync", "--server-host", server.url, "--cache-dir", ours, "--project", "1", "--subset", "Train"],
            environment: env, home: home)
        #expect(sync.status == 0, "\(sync.stderr)")

        // Offline, the SDK loads every task of the project (task 3 is Validation) to read its subset.
        let sdk = try PythonScript.run(
            "sdk/sdk_project_subset.py",
            ["--server", server.url, "--cache-dir", ours, "--project", "1", "--subset", "Train"])
        #expect(sdk.status == 0, "\(sdk.stderr)")
        let tasks = try sdk.json()["tasks"] as? [[String: Any]] ?? []
        #expect(tasks.map { $0["id"] as? Int } == [1, 2])
        #expect(tasks.allSatisfy { ($0["samples"] as? [Any])?.isEmpty == false })

        // cvat-ds still knows task 3's data is not cached: an offline export says so, exit 66.
        let offline = try CLI.run(
            [
                "export", "--server-host", server.url, "--cache-dir", ours, "--offline", "--task", "3", "--out",
                home.appendingPathComponent("validation").path,
            ], home: home)
        #expect(offline.status == 66, "\(offline.stderr)")
        #expect(offline.stderr.contains("task 3") && offline.stderr.contains("metadata only"), "\(offline.stderr)")
        let train = try CLI.run(
            [
                "export", "--server-host", server.url, "--cache-dir", ours, "--offline", "--project", "1", "--subset",
                "Train", "--out", home.appendingPathComponent("train").path,
            ], home: home)
        #expect(train.status == 0, "\(train.stderr)")

        // A later sync of the whole project fetches task 3 (its task.json alone does not make it current).
        let full = try CLI.run(
            ["sync", "--server-host", server.url, "--cache-dir", ours, "--project", "1", "--json"], environment: env,
            home: home)
        #expect(full.status == 0, "\(full.stderr)")
        let outcomes = (try full.json()["tasks"] as? [[String: Any]])?.map {
            ($0["id"] as? Int, $0["outcome"] as? String)
        }
        #expect(outcomes?.map(\.0) == [1, 2, 3])
        #expect(outcomes?.map(\.1) == ["up-to-date", "up-to-date", "updated"], "\(full.stdout)")
        let fromValidation = try PythonScript.run(
            "sdk/sdk_project_subset.py",
            ["--server", server.url, "--cache-dir", ours, "--project", "1", "--subset", "Validation"])
        #expect(fromValidation.status == 0, "\(fromValidation.stderr)")
    }

    @Test("a subset cvat-sdk cached online: cvat-ds syncs the same subset without refetching, and both read it offline")
    func subsetSyncOverSDKCache() throws {
        let server = try TestServer()
        let home = try TestPaths.makeTemporaryDirectory("cvat-ds-interop")
        defer { try? FileManager.default.removeItem(at: home) }
        let theirs = home.appendingPathComponent("theirs").path
        let sdk = try PythonScript.run(
            "sdk/sdk_project_subset.py",
            [
                "--server", server.url, "--cache-dir", theirs, "--project", "1", "--subset", "Train", "--online",
                "--token", TestServer.adminToken,
            ])
        #expect(sdk.status == 0, "\(sdk.stderr)")
        // The SDK's own cache holds no task.json for task 3: offline, neither tool can tell task 3's subset.
        let unknown = try CLI.run(
            [
                "export", "--server-host", server.url, "--cache-dir", theirs, "--offline", "--project", "1", "--subset",
                "Train", "--out", home.appendingPathComponent("unknown").path,
            ], home: home)
        #expect(unknown.status == 66, "\(unknown.stderr)")
        #expect(unknown.stderr.contains("subset is not known offline"), "\(unknown.stderr)")

        try server.resetLog()
        let sync = try CLI.run(
            [
                "sync", "--server-host", server.url, "--cache-dir", theirs, "--project", "1", "--subset", "Train",
                "--json",
            ],
            environment: ["CVAT_ACCESS_TOKEN": TestServer.adminToken], home: home)
        #expect(sync.status == 0, "\(sync.stderr)")
        // The SDK lists a project's tasks in the personal workspace only (`org=`), so it read task 1 and not task 2,
        // which is in organization `lab` (Fixtures/datasets/README.md): cvat-ds fetches task 2 and nothing of task 1.
        let chunkPaths = try server.log().filter { ($0["query"] as? String ?? "").contains("type=chunk") }
            .compactMap { $0["path"] as? String }
        #expect(!chunkPaths.isEmpty && chunkPaths.allSatisfy { $0 == "/api/tasks/2/data" }, "\(chunkPaths)")
        server.stop()
        let offline = try PythonScript.run(
            "sdk/sdk_project_subset.py",
            ["--server", server.url, "--cache-dir", theirs, "--project", "1", "--subset", "Train"])
        #expect(offline.status == 0, "\(offline.stderr)")
        let online = try sdk.json()["tasks"] as? [[String: Any]] ?? []
        let read = try offline.json()["tasks"] as? [[String: Any]] ?? []
        #expect(online.map { $0["id"] as? Int } == [1])
        #expect(read.map { $0["id"] as? Int } == [1, 2])
        #expect(read.first.map { $0 as NSDictionary } == online.first.map { $0 as NSDictionary })
        let export = try CLI.run(
            [
                "export", "--server-host", server.url, "--cache-dir", theirs, "--offline", "--project", "1", "--subset",
                "Train", "--out", home.appendingPathComponent("train").path,
            ], home: home)
        #expect(export.status == 0, "\(export.stderr)")
    }
}
