import Synchronization

/// Which of a sync's media files (chunks, or a video's frames) an export may read yet, while the sync is still
/// downloading them.
///
/// Shared by a sync that fetches the media and an export that reads it at the same time (`cvat-ds export` on a cache
/// that is not current): the export waits for a file before it opens it, and the sync marks each file once it is
/// committed (renamed into place after its check), so the export never sees a partial or unchecked file. Everything
/// not declared pending when the sync planned its downloads was already in the cache and is available at once.
/// When the sync fails, every wait for a file it did not commit throws the sync's error, which names the task and
/// the chunk.
public final class ChunkAvailability: Sendable {
    /// One media file of a task: a chunk number, or a frame number for a video read frame by frame
    /// (`CachedTask.mediaNumber(ofFrame:)`).
    public struct Key: Hashable, Sendable {
        public var task: Int
        public var number: Int

        public init(task: Int, number: Int) {
            self.task = task
            self.number = number
        }
    }

    private struct Waiter {
        var id: Int
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var pending: Set<Key>
        var failure: (any Error)?
        /// The sync ended without an error: every file is committed and task.json/project.json written.
        var finished = false
        /// Keyed by the file waited for; nil for the end of the sync.
        var waiters: [Key?: [Waiter]] = [:]
        var nextWaiter = 0

        func isWaiting(for key: Key?) -> Bool {
            guard let key else { return !finished }
            return pending.contains(key)
        }
    }

    private let state: Mutex<State>

    /// `pending` are the files the sync is about to download; every other file is already cached.
    public init(pending: some Sequence<Key>) {
        state = Mutex(State(pending: Set(pending)))
    }

    /// The number of files not yet committed.
    public var pendingCount: Int { state.withLock { $0.pending.count } }

    /// Whether `key` may be read now.
    public func isAvailable(_ key: Key) -> Bool { state.withLock { !$0.pending.contains(key) } }

    /// The sync committed `key` (after its atomic rename): its readers go on.
    func committed(_ key: Key) {
        let waiters = state.withLock { state -> [Waiter] in
            state.pending.remove(key)
            return state.waiters.removeValue(forKey: key) ?? []
        }
        for waiter in waiters { waiter.continuation.resume() }
    }

    /// The sync ended well: everything it fetched is committed, and the files written last are written.
    func finished() {
        let waiters = state.withLock { state -> [Waiter] in
            state.finished = true
            state.pending = []
            defer { state.waiters = [:] }
            return state.waiters.values.flatMap { $0 }
        }
        for waiter in waiters { waiter.continuation.resume() }
    }

    /// The sync stopped with `error`: every reader of a file it did not commit, now or later, gets that error.
    func failed(_ error: any Error) {
        let waiters = state.withLock { state -> [Waiter] in
            if state.failure == nil { state.failure = error }
            defer { state.waiters = [:] }
            return state.waiters.values.flatMap { $0 }
        }
        for waiter in waiters { waiter.continuation.resume(throwing: error) }
    }

    /// Returns once `key` is committed (at once when it was cached already); throws the sync's error if the sync
    /// failed before committing it, or `CancellationError` when the waiting task is cancelled.
    public func wait(for key: Key) async throws { try await wait(key) }

    /// Returns once the sync has ended well; throws its error if it failed. An export waits for it before it puts
    /// its output in place, so that a failed sync (even of a chunk the export did not read) leaves no new export.
    public func waitUntilFinished() async throws { try await wait(nil) }

    private func wait(_ key: Key?) async throws {
        enum Now {
            case ready
            case failed(any Error)
            case wait
        }
        let now = state.withLock { state -> Now in
            guard state.isWaiting(for: key) else { return .ready }
            if let failure = state.failure { return .failed(failure) }
            return .wait
        }
        switch now {
        case .ready: return
        case .failed(let error): throw error
        case .wait: break
        }
        let id = state.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Outcome {
                    case resume
                    case fail(any Error)
                    case parked
                }
                let outcome = state.withLock { state -> Outcome in
                    // Checked again under the lock: the file may have been committed, the sync may have failed, or
                    // the task cancelled, since the first look.
                    if !state.isWaiting(for: key) { return .resume }
                    if let failure = state.failure { return .fail(failure) }
                    if Task.isCancelled { return .fail(CancellationError()) }
                    state.waiters[key, default: []].append(Waiter(id: id, continuation: continuation))
                    return .parked
                }
                switch outcome {
                case .resume: continuation.resume()
                case .fail(let error): continuation.resume(throwing: error)
                case .parked: break
                }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                guard let index = state.waiters[key]?.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters[key]?.remove(at: index)
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }
}
