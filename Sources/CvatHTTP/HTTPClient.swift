import Foundation
import Synchronization

/// Counters for a summary and for tests: what the client really sent over the network.
public struct TransferStatistics: Sendable, Equatable {
    public var requests = 0
    public var retries = 0
    public var bytesReceived: Int64 = 0
    public init() {}
}

/// Requests with CVAT's retry rules and safe redirects, over a `Transport` of its own.
///
/// Every method that talks to the server throws `HTTPError`, or `CancellationError` as soon as the calling task
/// is cancelled: a transfer in flight is aborted and a wait between retries cut short, so a cancelled sync stops
/// instead of retrying on.
public final class HTTPClient: Sendable {
    private let transport: Transport
    public let retry: RetryPolicy
    private let log: (@Sendable (String) -> Void)?
    private let stats = Mutex(TransferStatistics())
    private let maxRedirects = 5

    /// Starts the transport (its thread and connection pool). `log` receives one line per attempt (method, URL,
    /// status, bytes); never a header value.
    public init(
        options: TransportOptions = TransportOptions(), retry: RetryPolicy = RetryPolicy(),
        log: (@Sendable (String) -> Void)? = nil
    ) throws(HTTPError) {
        self.transport = try Transport(options: options)
        self.retry = retry
        self.log = log
    }

    /// Ends the transport's thread and closes its connections; later requests fail. The client's release does
    /// the same, so this is for owners that want the end at a known point.
    public func shutdown() { transport.shutdown() }

    public var statistics: TransferStatistics { stats.withLock { $0 } }

    /// Sends a request, following redirects and retrying what may succeed on a later try.
    ///
    /// Returns the final response whatever its status, except that a status that stays transient (one of
    /// `RetryPolicy.retryableStatuses`) past the retry budget is thrown as `HTTPError` with the number of attempts.
    public func send(_ request: HTTPRequest, onBytes: (@Sendable (Int) -> Void)? = nil) async throws -> HTTPResponse {
        try await send(building: { request }, onBytes: onBytes)
    }

    /// The retry loop, with the request rebuilt for every attempt so a download can ask for the bytes it lacks.
    private func send(building makeRequest: () throws(HTTPError) -> HTTPRequest, onBytes: (@Sendable (Int) -> Void)?)
        async throws -> HTTPResponse
    {
        var failures = 0
        var rateLimitWaits = 0
        var attempts = 0
        while true {
            // A cancelled task must not start another attempt, whatever the last one answered.
            try Task.checkCancellation()
            attempts += 1
            let request = try makeRequest()
            let response: HTTPResponse
            do {
                response = try await sendFollowingRedirects(request, onBytes: onBytes)
            } catch let error as HTTPError where error.isTransient {
                failures += 1
                guard failures < retry.maxAttempts else {
                    var final = error
                    final.attempts = attempts
                    throw final
                }
                try await backOff(after: failures, reason: error.message)
                continue
            }
            if response.status == 429 {
                rateLimitWaits += 1
                guard rateLimitWaits <= retry.maxRateLimitWaits else {
                    throw HTTPError(
                        kind: .status(429), message: "the server kept answering 429 Too Many Requests",
                        url: request.url, attempts: attempts)
                }
                let wait = retry.retryAfter(response.header("retry-after"))
                log?("  429 from the server; waiting \(formatSeconds(wait)) as its Retry-After asks")
                stats.withLock { $0.retries += 1 }
                try await Task.sleep(for: .seconds(wait))
                continue
            }
            if RetryPolicy.retryableStatuses.contains(response.status) {
                failures += 1
                guard failures < retry.maxAttempts else {
                    throw HTTPError(
                        kind: .status(response.status),
                        message: "the server answered \(response.status) \(HTTPStatus.reason(response.status))",
                        url: request.url, attempts: attempts)
                }
                try await backOff(after: failures, reason: "status \(response.status)")
                continue
            }
            return response
        }
    }

    /// Downloads a URL into the file at `path`, resuming from what the file already holds.
    ///
    /// A ranged request asks only for the missing bytes; a 206 appends, a 200 starts over, and a body that came
    /// with a Content-Encoding is never resumed by byte offset (its offsets are not the file's). Returns the final
    /// response; on success the file holds exactly the resource.
    public func download(
        url: String, headers: [HTTPHeader], credentialHeaders: [HTTPHeader], to path: String, limit: Int64,
        sizeHeader: String? = nil, onBytes: (@Sendable (Int) -> Void)? = nil
    ) async throws -> HTTPResponse {
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o666)
        guard fd >= 0 else {
            throw HTTPError(kind: .io, message: "cannot open \(path): \(String(cString: strerror(errno)))", url: url)
        }
        defer { close(fd) }
        func currentSize() -> Int64 {
            var info = stat()
            return fstat(fd, &info) == 0 ? Int64(info.st_size) : 0
        }
        var restartFromZero = false
        while true {
            let response = try await send(
                building: { () throws(HTTPError) -> HTTPRequest in
                    if restartFromZero { _ = ftruncate(fd, 0) }
                    let have = restartFromZero ? 0 : currentSize()
                    restartFromZero = false
                    var requestHeaders = headers
                    if have > 0 { requestHeaders.append(HTTPHeader("Range", "bytes=\(have)-")) }
                    return HTTPRequest(
                        url: url, headers: requestHeaders, credentialHeaders: credentialHeaders,
                        responseBody: .file(descriptor: fd, path: path, resumeOffset: have, limit: limit),
                        acceptEncoding: "identity",
                        sizeHeader: sizeHeader)
                }, onBytes: onBytes)
            if response.status == 416 {
                // The file is longer than the resource (it changed, or the file is not what we think): start over.
                guard currentSize() > 0 else { return response }
                restartFromZero = true
                continue
            }
            guard response.isSuccess else { return response }
            let size = currentSize()
            let declared = sizeHeader.flatMap { response.header($0) }.flatMap { Int64($0) }
            let expected: Int64? =
                response.status == 206
                ? response.header("content-range").flatMap { ContentRange($0)?.total }
                : (response.header("content-encoding") == nil
                    ? response.header("content-length").flatMap { Int64($0) } ?? declared : nil)
            if let expected, size != expected {
                throw HTTPError(
                    kind: .interrupted, message: "the download ended at \(size) of \(expected) bytes", url: url)
            }
            return response
        }
    }

    /// Waits before the next attempt; a cancellation ends the wait with `CancellationError`.
    private func backOff(after failures: Int, reason: String) async throws {
        let wait = retry.backoff(afterAttempt: failures)
        log?("  retrying in \(formatSeconds(wait)) after: \(reason)")
        stats.withLock { $0.retries += 1 }
        try await Task.sleep(for: .seconds(wait))
    }

    private func sendFollowingRedirects(_ original: HTTPRequest, onBytes: (@Sendable (Int) -> Void)?)
        async throws -> HTTPResponse
    {
        var request = original
        for _ in 0...maxRedirects {
            let started = ContinuousClock.now
            stats.withLock { $0.requests += 1 }
            let response: HTTPResponse
            do {
                response = try await transport.send(request, onBytes: onBytes)
            } catch let error as HTTPError {
                log?("\(request.method.rawValue) \(request.url) failed: \(error.message)")
                throw error
            }
            stats.withLock { $0.bytesReceived += response.bodyBytes }
            let elapsed = ContinuousClock.now - started
            log?(
                "\(request.method.rawValue) \(request.url) -> \(response.status) (\(response.bodyBytes) bytes, "
                    + "\(elapsed.formatted(.units(allowed: [.milliseconds]))))")
            guard [301, 302, 303, 307, 308].contains(response.status), let location = response.header("location")
            else { return response }
            guard let next = URL(string: location, relativeTo: URL(string: request.url))?.absoluteURL.absoluteString
            else { return response }
            if !Origin.same(request.url, next) {
                // Credentials belong to the server the user named; another host gets none of them.
                request.credentialHeaders = []
            }
            if response.status == 303 {
                request.method = .get
                request.body = nil
            }
            request.url = next
        }
        throw HTTPError(kind: .other, message: "too many redirects", url: original.url)
    }
}

/// Scheme, host and port of a URL, for deciding whether credentials may follow a redirect.
enum Origin {
    static func same(_ a: String, _ b: String) -> Bool {
        guard let ua = URLComponents(string: a), let ub = URLComponents(string: b) else { return false }
        return ua.scheme?.lowercased() == ub.scheme?.lowercased() && ua.host?.lowercased() == ub.host?.lowercased()
            && effectivePort(ua) == effectivePort(ub)
    }

    private static func effectivePort(_ c: URLComponents) -> Int? {
        c.port ?? (c.scheme?.lowercased() == "https" ? 443 : c.scheme?.lowercased() == "http" ? 80 : nil)
    }
}

/// Reason phrases for the statuses cvat-ds reports to users.
public enum HTTPStatus {
    public static func reason(_ code: Int) -> String {
        switch code {
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 406: return "Not Acceptable"
        case 408: return "Request Timeout"
        case 410: return "Gone"
        case 416: return "Range Not Satisfiable"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        default: return ""
        }
    }
}

func formatSeconds(_ seconds: Double) -> String {
    seconds < 10 ? String(format: "%.1f s", seconds) : String(format: "%.0f s", seconds)
}
