/// A transfer that did not produce a usable response.
///
/// A struct around a kind rather than a closed enum so that kinds can grow without breaking callers.
public struct HTTPError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
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
    }

    public var kind: Kind
    /// What happened, in words, with libcurl's own detail when there is one.
    public var message: String
    /// The URL, which never holds credentials in cvat-ds.
    public var url: String
    /// How many times the request was sent in all.
    public var attempts: Int

    public init(kind: Kind, message: String, url: String, attempts: Int = 1) {
        self.kind = kind
        self.message = message
        self.url = url
        self.attempts = attempts
    }

    public var description: String {
        let tries = attempts > 1 ? " (after \(attempts) attempts)" : ""
        return "\(message): \(url)\(tries)"
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
