internal import CCurl
internal import CCurlShims
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
/// Callers `await` a response; the thread resumes them from the transfer's completion.
public final class Transport: Sendable {
    private struct Pending: Sendable {
        var transfers: [CurlTransfer] = []
        var stopping = false
    }

    private let options: TransportOptions
    private let pending = Mutex(Pending())
    /// The multi handle, owned by the transport thread; stored as a bit pattern so the class stays Sendable.
    private let multiAddress: Int
    private let finished = DispatchSemaphore(value: 0)

    public init(options: TransportOptions = TransportOptions()) {
        CurlGlobal.initialize()
        self.options = options
        let multi = curl_multi_init()!
        _ = cvat_curl_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, max(1, options.maxConnections))
        _ = cvat_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, max(1, options.maxConnections))
        _ = cvat_curl_multi_setopt_long(multi, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
        multiAddress = Int(bitPattern: multi)
        let thread = Thread { [self] in runLoop() }
        thread.name = "cvat-ds.transport"
        thread.start()
    }

    deinit {
        pending.withLock { $0.stopping = true }
        curl_multi_wakeup(multi)
        finished.wait()
        curl_multi_cleanup(multi)
    }

    private var multi: UnsafeMutableRawPointer { UnsafeMutableRawPointer(bitPattern: multiAddress)! }

    /// Sends one request and waits for its final response (no retries, no redirects).
    ///
    /// `onBytes` is called on the transport thread with the size of every body fragment, for progress display.
    public func send(_ request: HTTPRequest, onBytes: (@Sendable (Int) -> Void)? = nil) async throws(HTTPError)
        -> HTTPResponse
    {
        let transfer = try CurlTransfer(request: request, options: options, onBytes: onBytes)
        let result: Result<HTTPResponse, HTTPError> = await withCheckedContinuation { continuation in
            transfer.completion = { continuation.resume(returning: $0) }
            pending.withLock { $0.transfers.append(transfer) }
            curl_multi_wakeup(multi)
        }
        return try result.get()
    }

    private func runLoop() {
        var active: [Int: CurlTransfer] = [:]
        while true {
            let (incoming, stopping) = pending.withLock { state -> ([CurlTransfer], Bool) in
                defer { state.transfers.removeAll() }
                return (state.transfers, state.stopping)
            }
            if stopping && active.isEmpty && incoming.isEmpty { break }
            for transfer in incoming {
                let code = curl_multi_add_handle(multi, transfer.handle)
                if code != CURLM_OK {
                    let text = String(cString: curl_multi_strerror(code))
                    transfer.completion?(
                        .failure(HTTPError(kind: .other, message: "libcurl: \(text)", url: transfer.request.url)))
                    transfer.completion = nil
                    continue
                }
                active[Int(bitPattern: transfer.handle)] = transfer
            }
            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            var remaining: Int32 = 0
            while let message = curl_multi_info_read(multi, &remaining) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
                let key = Int(bitPattern: easy)
                let code = message.pointee.data.result
                curl_multi_remove_handle(multi, easy)
                if let transfer = active.removeValue(forKey: key) {
                    let completion = transfer.completion
                    transfer.completion = nil
                    completion?(transfer.finish(code: code))
                }
            }
            if !active.isEmpty || incoming.isEmpty {
                curl_multi_poll(multi, nil, 0, 1000, nil)
            }
        }
        finished.signal()
    }
}

/// `curl_global_init` must run once, before any other libcurl call, and is not thread-safe itself.
enum CurlGlobal {
    private static let done: Void = {
        curl_global_init(cvat_curl_global_default())
    }()
    static func initialize() { _ = done }
}
