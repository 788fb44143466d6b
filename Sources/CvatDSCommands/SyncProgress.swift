import CvatCache
import Foundation
import Synchronization

/// Turns sync events into a progress bar on a terminal, or one line per task otherwise.
final class SyncProgress: Sendable {
    private struct State {
        var chunksPlanned = 0
        var chunksDone = 0
        var bytes: Int64 = 0
        var lastDraw = ContinuousClock.now - .seconds(1)
        var currentTask = ""
    }

    private let console: Console
    private let started = ContinuousClock.now
    private let state = Mutex(State())
    /// False while an export runs beside the sync and draws its own bar on the same line.
    private let drawsBar: Bool

    init(console: Console, drawsBar: Bool = true) {
        self.console = console
        self.drawsBar = drawsBar
    }

    func handle(_ event: SyncEvent) {
        switch event {
        case .taskStarted(let id, let name):
            state.withLock { $0.currentTask = "task \(id) (\(name))" }
            console.debug("checking task \(id) (\(name))")
        case .chunksPlanned(_, let toFetch, _):
            state.withLock { $0.chunksPlanned += toFetch }
        case .bytesReceived(let count):
            state.withLock { $0.bytes += Int64(count) }
        case .chunkFinished:
            state.withLock { $0.chunksDone += 1 }
        case .taskFinished(let report):
            console.clearProgress()
            var line = "task \(report.id) (\(report.name)): \(report.outcome.rawValue)"
            if report.outcome == .skipped, let reason = report.reason { line += ": \(reason)" }
            if report.outcome != .skipped {
                if let downloaded = report.framesDownloaded, let kept = report.framesKept {
                    line += ", \(downloaded) frame(s) downloaded, \(kept) kept"
                } else {
                    line += ", \(report.chunksDownloaded) chunk(s) downloaded, \(report.chunksKept) kept"
                }
                if report.annotationsFetched { line += ", annotations refreshed" }
            }
            console.info(line)
        case .warning(let message):
            console.warning(message)
        }
        draw(force: false)
    }

    private func draw(force: Bool) {
        guard console.interactive, drawsBar else { return }
        let now = ContinuousClock.now
        let snapshot: State? = state.withLock { state in
            guard force || now - state.lastDraw >= .milliseconds(100) else { return nil }
            state.lastDraw = now
            return state
        }
        guard let snapshot else { return }
        let elapsed = Format.seconds(now - started)
        let rate = elapsed > 0 ? Double(snapshot.bytes) / elapsed : 0
        var line = Format.bar(done: snapshot.chunksDone, of: snapshot.chunksPlanned, unit: "files")
        line += "  \(Format.bytes(Double(snapshot.bytes)))  \(Format.bytes(rate))/s"
        line += Format.eta(done: snapshot.chunksDone, of: snapshot.chunksPlanned, elapsed: elapsed)
        line += "  \(snapshot.currentTask)"
        console.progress(line)
    }
}
