internal import CCurl
internal import CCurlShims
import CvatSystem
import Foundation
import Synchronization

/// Settings that apply to every transfer of a transport.
public struct TransportOptions: Sendable {
    /// At most this many transfers run at once; more wait in libcurl's queue.
    public var maxConnections: Int
    public var connectTimeout: Double
    /// Seconds with (almost) no bytes moving before a transfer is abandoned.
    public var stallTimeout: Double
    public var verifyTLS: Bool
    public var caCertificateFile: String?
    public var userAgent: String

    public init(
        maxConnections: Int = 4, connectTimeout: Double = 15, stallTimeout: Double = 120, verifyTLS: Bool = true,
        caCertificateFile: String? = nil, userAgent: String = "cvat-ds"
    ) {
        self.maxConnections = maxConnections
        self.connectTimeout = connectTimeout
        self.stallTimeout = stallTimeout
        self.verifyTLS = verifyTLS
        self.caCertificateFile = caCertificateFile
        self.userAgent = userAgent
    }
}

/// Runs transfers concurrently over reused connections with libcurl's multi interface.
///
/// The multi handle lives on one dedicated thread: blocking network waits never run on Swift's cooperative pool.
/// Callers `await` a response; the thread resumes them from the transfer's completion. The thread holds only its
/// `TransportLoop`, never the transport, so the transport's life is its owner's: `shutdown()` stops the loop, joins
/// the thread and frees the multi handle, and `deinit` does the same for an owner that forgot.
public final class Transport: Sendable {
    private let options: TransportOptions
    private let loop: TransportLoop
    /// The loop's thread until `shutdown()` has joined it. The lock is held while joining, so a second caller of
    /// `shutdown()` also returns only once the thread has ended.
    private let thread: Mutex<pthread_t?>

    public init(options: TransportOptions = TransportOptions()) throws(HTTPError) {
        CurlGlobal.initialize()
        guard let multi = curl_multi_init() else {
            throw HTTPError(kind: .other, message: "libcurl could not create a multi handle", url: "")
        }
        _ = cvat_curl_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, max(1, options.maxConnections))
        _ = cvat_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, max(1, options.maxConnections))
        _ = cvat_curl_multi_setopt_long(multi, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
        let loop = TransportLoop(multi: multi)
        // A POSIX thread rather than Foundation's Thread, for the join: `shutdown()` must know the loop has ended.
        // The thread owns one retain of the loop, released when `run()` returns.
        let context = Unmanaged.passRetained(loop).toOpaque()
        var handle = pthread_t()
        let code = pthread_create(
            &handle, nil,
            { context in
                guard let context else { return nil }
                Unmanaged<TransportLoop>.fromOpaque(context).takeRetainedValue().run()
                return nil
            }, context)
        guard code == 0 else {
            Unmanaged<TransportLoop>.fromOpaque(context).release()
            curl_multi_cleanup(multi)
            throw HTTPError(
                kind: .other, message: "cannot start the transfer thread: \(SystemError.text(code))", url: "")
        }
        self.options = options
        self.loop = loop
        self.thread = Mutex(handle)
    }

    deinit { shutdown() }

    /// Stops the transfer thread and frees libcurl's state; returns once the thread has ended.
    ///
    /// Transfers still running fail, and requests sent afterwards fail at once. Calling it again does nothing.
    public func shutdown() {
        thread.withLock { thread in
            guard let running = thread else { return }
            thread = nil
            loop.stop()
            // The loop never holds the transport, so its own thread cannot be the one releasing it; detaching
            // rather than joining itself only guards against a future change breaking that.
            if pthread_equal(running, pthread_self()) != 0 {
                pthread_detach(running)
            } else {
                pthread_join(running, nil)
            }
        }
    }

    /// The kernel's id of the transfer thread once it has started (0 before, and where there is no /proc), so
    /// tests can check that the thread is gone after `shutdown()`.
    package var threadID: Int32 { loop.threadID.load(ordering: .acquiring) }

    /// Sends one request and waits for its final response (no retries, no redirects).
    ///
    /// `onBytes` is called on the transport thread with the size of every body fragment, for progress display.
    /// Throws `HTTPError`, or `CancellationError` when the awaiting task is cancelled: the transfer is then
    /// removed from libcurl at once, not left to finish.
    public func send(_ request: HTTPRequest, onBytes: (@Sendable (Int) -> Void)? = nil) async throws -> HTTPResponse {
        try Task.checkCancellation()
        let transfer = try CurlTransfer(request: request, options: options, onBytes: onBytes)
        let loop = self.loop
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                transfer.completion = { continuation.resume(returning: $0) }
                loop.submit(transfer)
            }
        } onCancel: {
            transfer.cancel()
            loop.wake()
        }
        return try result.get()
    }
}

/// The multi handle and the transfers waiting for it: everything the transfer thread uses.
///
/// `@unchecked Sendable`: `multi` is used only on the loop's own thread, except for `curl_multi_wakeup`, which
/// libcurl allows from any thread and which is only called under `state`'s lock before the loop marks the handle
/// closed (the loop cleans it up after that, so no wakeup can reach freed memory).
final class TransportLoop: @unchecked Sendable {
    private struct State {
        var incoming: [CurlTransfer] = []
        var stopping = false
        var closed = false
    }

    private let multi: UnsafeMutableRawPointer
    private let state = Mutex(State())
    let threadID = Atomic<Int32>(0)

    init(multi: UnsafeMutableRawPointer) { self.multi = multi }

    /// Hands a transfer to the loop, or fails it at once when the transport has been shut down.
    func submit(_ transfer: CurlTransfer) {
        let accepted = state.withLock { state -> Bool in
            guard !state.stopping else { return false }
            state.incoming.append(transfer)
            curl_multi_wakeup(multi)
            return true
        }
        if !accepted { transfer.complete(.failure(Self.closedError(transfer))) }
    }

    /// Interrupts the loop's wait so it looks at its transfers again (a cancellation, say).
    func wake() {
        state.withLock { state in
            if !state.closed { curl_multi_wakeup(multi) }
        }
    }

    func stop() {
        state.withLock { state in
            state.stopping = true
            if !state.closed { curl_multi_wakeup(multi) }
        }
    }

    private static func closedError(_ transfer: CurlTransfer) -> HTTPError {
        HTTPError(
            kind: .other, message: "the connection was closed before the request ended", url: transfer.request.url)
    }

    func run() {
        // Named for debuggers and `top -H` (Foundation sets the POSIX name; glibc's setter is not visible to Swift).
        Thread.current.name = "cvat-ds.transport"
        threadID.store(ThreadID.current(), ordering: .releasing)
        var active: [Int: CurlTransfer] = [:]
        var incoming: [CurlTransfer] = []
        while true {
            let stopping: Bool
            (incoming, stopping) = state.withLock { state -> ([CurlTransfer], Bool) in
                defer { state.incoming.removeAll() }
                return (state.incoming, state.stopping)
            }
            if stopping { break }
            for transfer in incoming {
                if transfer.isCancelled {
                    transfer.complete(.failure(CancellationError()))
                    continue
                }
                let code = curl_multi_add_handle(multi, transfer.handle)
                if code != CURLM_OK {
                    let text = String(cString: curl_multi_strerror(code))
                    transfer.complete(
                        .failure(HTTPError(kind: .other, message: "libcurl: \(text)", url: transfer.request.url)))
                    continue
                }
                active[Int(bitPattern: transfer.handle)] = transfer
            }
            // A cancelled transfer leaves libcurl now, so its connection stops reading for a task that is gone.
            for (key, transfer) in active where transfer.isCancelled {
                curl_multi_remove_handle(multi, transfer.handle)
                active[key] = nil
                transfer.complete(.failure(CancellationError()))
            }
            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            var remaining: Int32 = 0
            while let message = curl_multi_info_read(multi, &remaining) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
                let code = message.pointee.data.result
                curl_multi_remove_handle(multi, easy)
                active.removeValue(forKey: Int(bitPattern: easy))?.completeFinished(code: code)
            }
            if !active.isEmpty || incoming.isEmpty {
                curl_multi_poll(multi, nil, 0, 1000, nil)
            }
        }
        for transfer in active.values {
            curl_multi_remove_handle(multi, transfer.handle)
            transfer.complete(.failure(Self.closedError(transfer)))
        }
        let late = state.withLock { state -> [CurlTransfer] in
            state.closed = true
            defer { state.incoming.removeAll() }
            return state.incoming
        }
        for transfer in incoming + late { transfer.complete(.failure(Self.closedError(transfer))) }
        curl_multi_cleanup(multi)
    }
}

/// The kernel's id of the calling thread, read from /proc (glibc's `gettid` is not visible to Swift).
enum ThreadID {
    static func current() -> Int32 {
        var buffer = [CChar](repeating: 0, count: 64)
        let count = readlink("/proc/thread-self", &buffer, buffer.count - 1)
        guard count > 0 else { return 0 }
        // The link reads "PID/task/TID".
        let text = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.split(separator: "/").last.flatMap { Int32($0) } ?? 0
    }
}

/// `curl_global_init` must run once, before any other libcurl call, and is not thread-safe itself.
enum CurlGlobal {
    private static let done: Void = {
        curl_global_init(cvat_curl_global_default())
    }()
    static func initialize() { _ = done }
}
