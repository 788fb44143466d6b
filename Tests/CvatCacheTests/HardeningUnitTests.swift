import CvatTestSupport
import Foundation
import Testing

@testable import CvatAPI
@testable import CvatCache

@Suite("cache hardening")
struct CacheHardeningTests {
    @Test("a task lock held by one owner makes another wait, then report busy; released, it is free again")
    func taskLock() async throws {
        let dir = try TestPaths.makeTemporaryDirectory("cvat-lock")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("task/.cvat-ds.lock")
        var first: TaskLock? = try await TaskLock.acquire(url)
        #expect(first != nil)
        // flock locks belong to the open file description, so a second open in this process contends as
        // another process would.
        let started = ContinuousClock.now
        await #expect(throws: CacheError.self) { _ = try await TaskLock.acquire(url, waitingFor: 0.3) }
        #expect(ContinuousClock.now - started >= .milliseconds(300))
        first = nil
        let second = try await TaskLock.acquire(url, waitingFor: 0.3)
        withExtendedLifetime(second) {}
    }

    @Test("the cache root, servers/ and the server folder are created 0700; existing ones keep their mode")
    func privateDirectories() throws {
        let dir = try TestPaths.makeTemporaryDirectory("cvat-private")
        defer { try? FileManager.default.removeItem(at: dir) }
        func mode(_ url: URL) -> Int {
            var info = stat()
            return stat(url.path, &info) == 0 ? Int(info.st_mode) & 0o777 : -1
        }
        let layout = CacheLayout(
            root: dir.appendingPathComponent("deep/cache"), server: try ServerAddress(host: "http://example.test"))
        try FileIO.createPrivateDirectories(layout)
        #expect(mode(layout.root) == 0o700)
        #expect(mode(layout.root.appendingPathComponent("servers")) == 0o700)
        #expect(mode(layout.serverDirectory) == 0o700)

        chmod(layout.root.path, 0o750)
        try FileIO.createPrivateDirectories(layout)
        #expect(mode(layout.root) == 0o750)
    }

    @Test("label set changes are described; identical sets are not")
    func labelChanges() {
        let a = LabelModel(id: 1, name: "cat", type: "rectangle")
        let b = LabelModel(id: 2, name: "dog", type: "rectangle")
        #expect(Synchronizer.labelChanges(from: [a, b], to: [a, b]) == nil)
        #expect(Synchronizer.labelChanges(from: [a], to: [a, b]) == "added 'dog' (id 2)")
        #expect(Synchronizer.labelChanges(from: [a, b], to: [a]) == "removed 'dog' (id 2)")
        var renamed = b
        renamed.name = "wolf"
        #expect(Synchronizer.labelChanges(from: [a, b], to: [a, renamed]) == "renamed 'dog' to 'wolf' (id 2)")
        var retyped = b
        retyped.type = "polygon"
        #expect(Synchronizer.labelChanges(from: [a, b], to: [a, retyped]) == "changed 'dog' (id 2)")
        #expect(Synchronizer.labelChanges(from: [a, b], to: [b, a]) == "the labels are in a different order")
    }
}
