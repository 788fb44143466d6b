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
            "sdk/sdk_sync.py", ["--server", server.url, "--cache-dir", theirs, "--token", TestServer.adminToken, "--task", "1", "4"])
        #expect(sdkSync.status == 0, "\(sdkSync.stderr)")

        let info = try CLI.run(
            ["info", "--server-host", server.url, "--cache-dir", theirs, "--task", "1", "--task", "4", "--offline", "--json"],
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
}
