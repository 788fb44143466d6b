/// How hard to try before giving up on a request.
///
/// Errors that a retry can fix (`retryableStatuses`, dropped connections, time-outs) back off exponentially with
/// full jitter, so many clients hitting one recovering server do not retry in lock-step. A 429 is CVAT saying "the
/// chunk is being prepared, come back in N seconds": it waits as told and has its own, larger budget, because a
/// large chunk can legitimately take several such rounds.
public struct RetryPolicy: Sendable {
    /// Attempts in all for errors that are not 429 (1 means no retry).
    public var maxAttempts: Int
    /// 429 answers tolerated per request.
    public var maxRateLimitWaits: Int
    public var baseDelay: Double
    public var maxDelay: Double
    /// A Retry-After longer than this is cut to this.
    public var maxRetryAfter: Double

    public init(
        maxAttempts: Int = 6, maxRateLimitWaits: Int = 30, baseDelay: Double = 0.5, maxDelay: Double = 30,
        maxRetryAfter: Double = 120
    ) {
        self.maxAttempts = maxAttempts
        self.maxRateLimitWaits = maxRateLimitWaits
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// The statuses worth sending the same request again for, by `HTTPClient` and `HTTPError.isTransient` alike.
    ///
    /// 408 Request Timeout and 429 Too Many Requests: the server asks to be asked again (a 429 after its
    /// Retry-After). 500, 502, 503 and 504: the server or a gateway in front of it is failing for now (a restart,
    /// an overloaded worker). Not the rest of 5xx: 501 Not Implemented and 505 HTTP Version Not Supported describe
    /// the request itself, and 507/508/511 need someone to act, so a retry only gets the same answer later.
    public static let retryableStatuses: Set<Int> = [408, 429, 500, 502, 503, 504]

    /// The wait before attempt `attempt + 1` (attempt counts from 1), drawn uniformly from [0, cap].
    func backoff(afterAttempt attempt: Int) -> Double {
        let cap = min(maxDelay, baseDelay * Double(1 << min(attempt - 1, 20)))
        return Double.random(in: 0...cap)
    }

    /// Seconds to wait from a `Retry-After` header: delta-seconds, or an HTTP date.
    func retryAfter(_ header: String?) -> Double {
        guard let header = header?.trimmingCharacters(in: .whitespaces), !header.isEmpty else { return 1 }
        if let seconds = Double(header) { return min(max(seconds, 0), maxRetryAfter) }
        if let date = HTTPDate.parse(header) {
            return min(max(date - HTTPDate.now(), 0), maxRetryAfter)
        }
        return 1
    }
}
