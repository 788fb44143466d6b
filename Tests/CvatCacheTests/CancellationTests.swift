import CvatAPI
import CvatHTTP
import CvatTestSupport
import Foundation
import Testing

@testable import CvatCache

/// A cancelled sync must end promptly with `CancellationError`: a later signal handler cancels the top task and
/// relies on every wait below it (retries, transfers, the task lock) giving up.
@Suite("cache cancellation")
struct CacheCancellationTests {
    @Test("a cancelled sync against a server that always answers 5xx stops within moments")
    func cancelledSync() async throws {
        let server = try TestServer()
        let folder = try TestPaths.makeTemporaryDirectory("cancel-sync")
        defer { try? FileManager.default.removeItem(at: folder) }
        try server.control("/_test/faults", ["chunk_5xx_rate": 1.0])
        let address = try ServerAddress(host: server.url)
        // Retries enough for an hour: only the cancellation can end the sync early.
        let client = try CvatClient(
            ConnectionSettings(
                server: address, credentials: .accessToken(TestServer.adminToken),
                retry: RetryPolicy(maxAttempts: 10_000, baseDelay: 0.05, maxDelay: 0.2)))
        defer { client.close() }
        try await client.authenticate()
        let synchronizer = Synchronizer(
            client: client, layout: CacheLayout(root: folder, server: address), jobs: 2, onEvent: { _ in })
        let outcome = try await Cancellation.cancel(when: client.statistics.retries > 0) {
            _ = try await synchronizer.syncTask(1)
        }
        #expect(outcome.error is CancellationError, "\(String(describing: outcome.error))")
        // Ends, instead of running for the hour (or the ten minutes of latency) it would take otherwise: a
        // generous bound, so that a loaded machine cannot fail it; the request counts say that nothing more was sent.
        #expect(outcome.elapsed < .seconds(120))
        #expect(client.statistics.retries > 0, "the sync was retrying its chunks when it was cancelled")
        let sent = client.statistics.requests
        #expect(sent < 100, "\(sent) requests: the retries did not wait, or did not stop")
        try await Task.sleep(for: .milliseconds(300))
        #expect(client.statistics.requests == sent, "no request starts after the cancellation")
    }

    @Test("a cancelled wait for a task lock ends at once, without the lock")
    func cancelledLockWait() async throws {
        let folder = try TestPaths.makeTemporaryDirectory("cancel-lock")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent(".cvat-ds.lock")
        let held = try await TaskLock.acquire(url)
        // Cancelled once the wait is under way (300 ms in), not before it starts.
        let waitStarted = ContinuousClock.now
        let outcome = try await Cancellation.cancel(when: ContinuousClock.now - waitStarted > .milliseconds(300)) {
            _ = try await TaskLock.acquire(url, waitingFor: 3600)
        }
        #expect(outcome.error is CancellationError, "\(String(describing: outcome.error))")
        // Ends, instead of waiting the hour it was given: a generous bound, so that a loaded machine cannot fail it.
        #expect(outcome.elapsed < .seconds(120))
        withExtendedLifetime(held) {}
    }
}
