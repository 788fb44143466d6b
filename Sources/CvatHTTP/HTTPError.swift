public import CvatErrors

/// A transfer that did not produce a usable response.
///
/// A struct around a kind rather than a closed enum so that kinds can grow without breaking callers.
public struct HTTPError: KindedError, Sendable {
    public enum Kind: ErrorKind {
        /// The server could not be reached (refused, unresolvable, no route).
        case connection
        /// Nothing arrived for too long.
        case timeout
        /// The TLS handshake failed, usually an untrusted certificate.
        case tls
        /// The connection broke while the body was arriving.
        case interrupted
        /// The body was larger than the caller allowed.
        case tooLarge
        /// Writing the body to disk failed.
        case io
        /// The server answered with an error status after all retries.
        case status(Int)
        /// Anything else libcurl reports.
        case other

        /// Writing the body is the disk's failure and an oversized body is the server's data; everything else
        /// is the network's (a status that is still an error after the retries included: the API layer, which
        /// knows what a 401 or a 404 means for its request, maps those itself).
        public var category: ErrorCategory {
            switch self {
            case .io: .io
            case .tooLarge: .data
            case .connection, .timeout, .tls, .interrupted, .status, .other: .network
            }
        }
    }

    public var kind: Kind
    /// What happened, in words, with libcurl's own detail when there is one.
    public var message: String
    /// The URL, which never holds credentials in cvat-ds.
    public var url: String
    /// How many times the request was sent in all.
    public var attempts: Int
    public var advice: String?
    /// The system call that failed, for `.io`.
    public var underlying: (any Error)?

    public init(
        kind: Kind, message: String, url: String, attempts: Int = 1, advice: String? = nil,
        underlying: (any Error)? = nil
    ) {
        self.kind = kind
        self.message = message
        self.url = url
        self.attempts = attempts
        self.advice = advice
        self.underlying = underlying
    }

    /// The message, the URL and how often it was tried, then the advice.
    public var description: String {
        let tries = attempts > 1 ? " (after \(attempts) attempts)" : ""
        let text = "\(message): \(url)\(tries)"
        guard let advice, !advice.isEmpty else { return text }
        return "\(text); \(advice)"
    }

    /// Whether sending the same request again may succeed.
    public var isTransient: Bool {
        switch kind {
        case .connection, .timeout, .interrupted: return true
        case .status(let code): return RetryPolicy.retryableStatuses.contains(code)
        case .tls, .tooLarge, .io, .other: return false
        }
    }
}
