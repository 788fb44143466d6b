/// Cancelling a task at a chosen moment, for the tests that check that every wait gives up when cancelled.
public enum Cancellation {
    /// Runs `body` in a task, cancels it once `ready` holds (checked every 20 ms, for at most ten minutes), and
    /// says how long the task took to end after the cancellation and what it threw. Waiting for a state rather than
    /// a fixed delay keeps the tests meaningful on a loaded machine: while the suite's synchronous tests wait for
    /// the processes they run, they hold the cooperative pool's threads (two on two cores), and async tasks such as
    /// `body` may not start for a minute or more.
    public static func cancel(
        when ready: @autoclosure @escaping @Sendable () -> Bool, _ body: @escaping @Sendable () async throws -> Void
    ) async throws -> (elapsed: Duration, error: (any Error)?) {
        let task = Task { try await body() }
        let deadline = ContinuousClock.now + .seconds(600)
        while !ready() && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        let cancelledAt = ContinuousClock.now
        task.cancel()
        let result = await task.result
        let elapsed = ContinuousClock.now - cancelledAt
        if case .failure(let error) = result { return (elapsed, error) }
        return (elapsed, nil)
    }
}
