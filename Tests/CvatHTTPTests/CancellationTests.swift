import CvatHTTP
import CvatTestSupport
import Foundation
import Testing

/// A cancelled task must stop talking to the server promptly: the transfer in flight is aborted, a wait between
/// retries is cut short, and no further attempt starts.
@Suite("HTTP cancellation")
struct HTTPCancellationTests {
    let server: TestServer

    init() throws {
        server = try TestServer()
    }

    var taskRequest: HTTPRequest {
        HTTPRequest(
            url: server.url + "/api/tasks/1",
            headers: [HTTPHeader("Accept", "application/vnd.cvat+json")],
            credentialHeaders: [HTTPHeader("Authorization", "Bearer \(TestServer.adminToken)")])
    }

    @Test("a cancelled request against a server that always answers 5xx stops retrying at once")
    func cancelledRetries() async throws {
        try server.control("/_test/faults", ["json_5xx_rate": 1.0])
        // A budget no test would outlive: only the cancellation can end this loop early.
        let client = try HTTPClient(retry: RetryPolicy(maxAttempts: 10_000, baseDelay: 0.05, maxDelay: 0.2))
        defer { client.shutdown() }
        let request = taskRequest
        let outcome = try await Cancellation.cancel(when: client.statistics.requests >= 2) {
            _ = try await client.send(request)
        }
        #expect(outcome.error is CancellationError, "\(String(describing: outcome.error))")
        // Ends, instead of running for the hour (or the ten minutes of latency) it would take otherwise: a
        // generous bound, so that a loaded machine cannot fail it; the request counts say that nothing more was sent.
        #expect(outcome.elapsed < .seconds(120))
        let sent = client.statistics.requests
        #expect(sent >= 1 && sent < 50, "\(sent) requests: the retries did not wait, or did not stop")
        try await Task.sleep(for: .milliseconds(300))
        #expect(client.statistics.requests == sent, "no attempt starts after the cancellation")
    }

    @Test("cancelling the awaiting task aborts a transfer in flight")
    func cancelledTransfer() async throws {
        // Every answer comes ten minutes late: the request is still in libcurl's hands when the task is cancelled.
        try server.control("/_test/faults", ["latency_ms": 600_000])
        let client = try HTTPClient(retry: RetryPolicy(maxAttempts: 1))
        defer { client.shutdown() }
        let request = taskRequest
        let outcome = try await Cancellation.cancel(when: client.statistics.requests >= 1) {
            _ = try await client.send(request)
        }
        #expect(outcome.error is CancellationError, "\(String(describing: outcome.error))")
        // Ends, instead of running for the hour (or the ten minutes of latency) it would take otherwise: a
        // generous bound, so that a loaded machine cannot fail it; the request counts say that nothing more was sent.
        #expect(outcome.elapsed < .seconds(120))
        #expect(client.statistics.requests == 1)
    }

    @Test("a task cancelled before it sends sends nothing")
    func cancelledBeforeSending() async throws {
        let client = try HTTPClient()
        defer { client.shutdown() }
        let request = taskRequest
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            _ = try await client.send(request)
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(client.statistics.requests == 0)
    }
}
