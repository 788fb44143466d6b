import CvatAPI
import CvatTestSupport
import Foundation
import Synchronization
import Testing

@testable import CvatCache
@testable import CvatExport

/// The export on a stale cache reads each chunk as soon as the sync beside it commits it: proven by a server that
/// holds one chunk back until the test lets it go, while the samples of the other chunks are already written.
@Suite("overlapped download and decode", .serialized)
struct OverlappedExportTests {
    let server: TestServer
    let folder: URL

    init() throws {
        server = try TestServer()
        folder = try TestPaths.makeTemporaryDirectory("overlapped-export")
    }

    func client() async throws -> CvatClient {
        let client = try CvatClient(
            ConnectionSettings(
                server: try ServerAddress(host: server.url), credentials: .accessToken(TestServer.adminToken)))
        try await client.authenticate()
        return client
    }

    /// Every file of an export folder with its bytes.
    static func files(_ folder: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            files[name] = try Data(contentsOf: folder.appendingPathComponent(name))
        }
        return files
    }

    @Test("samples of the first chunks are written while the server still holds the last chunk back")
    func decodesWhileTheLastChunkIsHeld() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        // Task 4: 20 frames in chunks of 8, frames 9 and 17 deleted; chunk 2 holds frames 16, 18 and 19.
        try server.control("/_test/faults", ["hold_chunks": [[4, 2]]])
        let client = try await client()
        defer { client.close() }
        let layout = CacheLayout(root: folder.appendingPathComponent("cache"), server: client.server)
        let synchronizer = Synchronizer(client: client, layout: layout, jobs: 2, onEvent: { _ in })
        let staged = try await synchronizer.stageTasks([4])
        #expect(staged.filesToFetch == 3)
        let source = try ExportSource.tasks([4], server: layout.server.url) { id throws(CacheError) in
            try staged.task(id)
        }
        var options = ExportOptions()
        options.resize = .resize(width: 32, height: 24)
        options.target = .bboxes
        let written = Atomic(0)
        let exporter = Exporter(source: source, options: options, availability: staged.availability) { event in
            if case .sampleWritten = event { written.add(1, ordering: .sequentiallyConsistent) }
        }
        let cold = folder.appendingPathComponent("cold")
        let run = Task {
            try await exporter.run(output: cold, force: false, toolVersion: "test") {
                _ = try await synchronizer.fetchMedia(staged)
            }
        }
        // Frames 0-15 but 9: the samples of chunks 0 and 1, which the in-order writer can write before chunk 2.
        let deadline = ContinuousClock.now + .seconds(120)
        while written.load(ordering: .sequentiallyConsistent) < 15 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(written.load(ordering: .sequentiallyConsistent) == 15)
        #expect(try server.held() == [[4, 2]], "the server still holds chunk 2")
        #expect(!FileManager.default.fileExists(atPath: layout.chunk(4, 2).path))
        #expect(!staged.availability.isAvailable(ChunkAvailability.Key(task: 4, number: 2)))
        #expect(!FileManager.default.fileExists(atPath: cold.path), "nothing is in place before the end")
        try server.control("/_test/release")
        let report = try await run.value
        #expect(report.samples == 18)
        #expect(written.load(ordering: .sequentiallyConsistent) == 18)

        // The same export from the now complete cache, as an export of a current cache runs: the same files.
        let warm = folder.appendingPathComponent("warm")
        let offline = Exporter(source: try ExportSource.tasks([4], layout: layout), options: options) { _ in }
        _ = try await offline.run(output: warm, force: false, toolVersion: "test")
        let (coldFiles, warmFiles) = (try Self.files(cold), try Self.files(warm))
        #expect(coldFiles.keys.sorted() == warmFiles.keys.sorted())
        for (name, bytes) in coldFiles { #expect(warmFiles[name] == bytes, "\(name) differs") }
    }

    @Test("a chunk that finally fails fails the export with the sync's error; no output, the temporary folder gone")
    func failedChunkFailsTheExport() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try server.control("/_test/faults", ["fail_chunks": [[4, 1, 404]]])
        let client = try await client()
        defer { client.close() }
        let layout = CacheLayout(root: folder.appendingPathComponent("cache"), server: client.server)
        let synchronizer = Synchronizer(client: client, layout: layout, jobs: 2, onEvent: { _ in })
        let staged = try await synchronizer.stageTasks([4])
        let source = try ExportSource.tasks([4], server: layout.server.url) { id throws(CacheError) in
            try staged.task(id)
        }
        let exports = folder.appendingPathComponent("exports")
        let exporter = Exporter(source: source, options: ExportOptions(), availability: staged.availability) { _ in }
        await #expect {
            _ = try await exporter.run(output: exports.appendingPathComponent("out"), force: false, toolVersion: "t") {
                _ = try await synchronizer.fetchMedia(staged)
            }
        } throws: { error in
            "\(error)".contains("chunk 1 of task 4")
        }
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: exports.path)) ?? []) == [])
        // The sync left the task not current: task.json is written only after all of its chunks.
        #expect(!FileManager.default.fileExists(atPath: layout.taskJSON(4).path))
    }
}

/// The availability signal on its own: waits resume on commit, fail with the sync's error, and honour cancellation.
@Suite("chunk availability")
struct ChunkAvailabilityTests {
    struct SyncFailed: Error {}

    @Test("a wait returns at once for a cached file and after the commit for a pending one")
    func commitResumesWaiters() async throws {
        let availability = ChunkAvailability(pending: [ChunkAvailability.Key(task: 1, number: 0)])
        try await availability.wait(for: ChunkAvailability.Key(task: 1, number: 5))
        let waiter = Task { try await availability.wait(for: ChunkAvailability.Key(task: 1, number: 0)) }
        availability.committed(ChunkAvailability.Key(task: 1, number: 0))
        try await waiter.value
        #expect(availability.pendingCount == 0)
    }

    @Test("a sync failure reaches every waiter and every later wait, the end of the sync included")
    func failureReachesWaiters() async throws {
        let key = ChunkAvailability.Key(task: 2, number: 3)
        let availability = ChunkAvailability(pending: [key])
        let waiter = Task { try await availability.wait(for: key) }
        let end = Task { try await availability.waitUntilFinished() }
        availability.failed(SyncFailed())
        await #expect(throws: SyncFailed.self) { try await waiter.value }
        await #expect(throws: SyncFailed.self) { try await end.value }
        await #expect(throws: SyncFailed.self) { try await availability.wait(for: key) }
    }

    @Test("a cancelled wait ends with CancellationError and leaves the file pending")
    func cancelledWait() async throws {
        let key = ChunkAvailability.Key(task: 3, number: 1)
        let availability = ChunkAvailability(pending: [key])
        let waiter = Task { try await availability.wait(for: key) }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(!availability.isAvailable(key))
    }
}
