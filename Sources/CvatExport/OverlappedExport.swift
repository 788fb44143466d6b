public import Foundation

extension Exporter {
    /// Runs the export while `fetch` brings its media into the cache (`Synchronizer.fetchMedia` of the sync whose
    /// `availability` this exporter waits on), so that each chunk is decoded as it arrives instead of after the
    /// whole sync.
    ///
    /// The first error of either side stops both: a download that finally fails fails the export with the sync's
    /// own error (it names the task and the chunk), and a failing export cancels the downloads (committed chunks
    /// stay cached, partial ones resumable). Cancelling the caller (Ctrl-C) cancels both. The export's temporary
    /// folder is removed on every failure, and the output is put in place only after the sync has ended well.
    public func run(
        output: URL, force: Bool, reuse: Bool = true, toolVersion: String,
        whileFetching fetch: @escaping @Sendable () async throws -> Void
    ) async throws -> ExportReport {
        try await withThrowingTaskGroup(of: ExportReport?.self) { group in
            group.addTask {
                try await fetch()
                return nil
            }
            group.addTask { try await self.run(output: output, force: force, reuse: reuse, toolVersion: toolVersion) }
            var report: ExportReport?
            do {
                while let finished = try await group.next() {
                    if let finished { report = finished }
                }
            } catch {
                group.cancelAll()
                throw error
            }
            guard let report else { throw CancellationError() }
            return report
        }
    }
}
