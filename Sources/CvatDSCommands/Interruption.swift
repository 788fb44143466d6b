import CvatSystem
import Dispatch
import Synchronization

/// Ctrl-C (SIGINT) and SIGTERM: the command's task is cancelled, so that workers stop, an export's temporary
/// folder is removed and a sync keeps its resumable partial chunks and releases its lock, and then the process
/// exits 130 or 143 (128 + the signal, as shells report it) after one line saying it was interrupted.
///
/// A second signal while the first is being honoured ends the process at once: a user pressing Ctrl-C twice wants
/// out, and whatever is left behind (a temporary folder) is removed by the next run.
enum Interruption {
    /// The signal that interrupted the command, once one has.
    private static let received = Atomic<Int32>(0)

    /// The exit code for an interruption by `signal`.
    static func exitCode(for signal: Int32) -> Int32 { 128 + signal }

    /// Runs `body` in a task that SIGINT and SIGTERM cancel. Returns nil when `body` finished (a signal that came
    /// too late to stop it changes nothing: the work is done), the signal when `body` stopped because of one, and
    /// rethrows any other error.
    static func run(_ body: sending @escaping () async throws -> Void) async throws -> Int32? {
        let task = Task { try await body() }
        let sources = [SIGINT, SIGTERM].map { number -> any DispatchSourceSignal in
            // The default action would end the process before the task can clean up; the dispatch source sees
            // the signal instead.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                let (exchanged, _) = received.compareExchange(
                    expected: 0, desired: number, ordering: .sequentiallyConsistent)
                if exchanged {
                    task.cancel()
                } else {
                    _exit(exitCode(for: received.load(ordering: .sequentiallyConsistent)))
                }
            }
            source.resume()
            return source
        }
        defer {
            for source in sources { source.cancel() }
            for number in [SIGINT, SIGTERM] { signal(number, SIG_DFL) }
        }
        do {
            try await task.value
            return nil
        } catch {
            let number = received.load(ordering: .sequentiallyConsistent)
            if number != 0 { return number }
            throw error
        }
    }

    /// "SIGINT" or "SIGTERM", for the message.
    static func name(of number: Int32) -> String {
        switch number {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        default: return "signal \(number)"
        }
    }
}
