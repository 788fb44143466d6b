/// Makes samples concurrently and hands them over one by one in sample order.
///
/// At most `concurrency` samples are being made at once (`--jobs`), and at most `window` made samples wait for
/// their turn to be written, which bounds memory however slow one sample is.
struct SampleScheduler {
    var concurrency: Int
    var window: Int

    /// Runs `make` for samples `0..<count` in child tasks and calls `write` with each result in index order, on
    /// the calling task. An error from either stops the export: the group cancels the samples under way.
    ///
    /// A cancelled task launches no more samples; the ones under way finish (or see the cancellation) and the
    /// group ends with `CancellationError`, never as if every sample had been written.
    func run<Output: Sendable>(
        count: Int, make: @escaping @Sendable (Int) async throws -> Output, write: (Int, Output) throws -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: (Int, Output).self) { group in
            var launched = 0
            var received = 0
            var nextToWrite = 0
            var pending: [Int: Output] = [:]
            func launchWhilePossible() {
                while !Task.isCancelled, launched < count, launched - received < concurrency,
                    launched - nextToWrite < window
                {
                    let index = launched
                    group.addTask {
                        try Task.checkCancellation()
                        return (index, try await make(index))
                    }
                    launched += 1
                }
            }
            launchWhilePossible()
            while let (index, output) = try await group.next() {
                received += 1
                pending[index] = output
                while let ready = pending.removeValue(forKey: nextToWrite) {
                    try write(nextToWrite, ready)
                    nextToWrite += 1
                }
                launchWhilePossible()
            }
            // Only a cancellation stops launching before every sample is made.
            guard nextToWrite == count else { throw CancellationError() }
        }
    }
}
