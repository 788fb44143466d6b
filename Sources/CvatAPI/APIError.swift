public import CvatErrors
public import CvatHTTP
import CvatSystem

/// What went wrong talking to CVAT, sorted by what the user can do about it.
public struct APIError: LayerError {
    public enum Kind: ErrorKind {
        /// The command line or configuration is wrong.
        case usage
        /// Credentials are missing, wrong or expired (401), or login was refused.
        case authentication
        /// The credentials are valid but may not see this (403).
        case permission
        /// The task, project or resource does not exist or is not visible (404).
        case notFound
        /// The server could not be reached or kept failing.
        case network
        /// The server answered something cvat-ds cannot use (malformed JSON, missing fields, a video task...).
        case badResponse
        /// What was asked for needs data that is not in the cache and `--offline` forbids fetching it.
        case notCached
        /// Writing what arrived failed (disk full, permissions).
        case io

        public var category: ErrorCategory {
            switch self {
            case .usage: .usage
            case .authentication, .permission: .authentication
            case .notFound, .notCached: .notFound
            case .network: .network
            case .badResponse: .data
            case .io: .io
            }
        }
    }

    public var kind: Kind
    public var message: String
    public var advice: String?
    public var underlying: (any Error)?

    public init(kind: Kind, message: String, advice: String?, underlying: (any Error)?) {
        self.kind = kind
        self.message = message
        self.advice = advice
        self.underlying = underlying
    }

    /// Maps a transport failure to a user-facing error, keeping libcurl's explanation and the transport error.
    public static func network(_ error: HTTPError, doing what: String) -> APIError {
        switch error.kind {
        case .tls:
            return APIError(
                .network, "\(what) failed: TLS verification failed (\(error.message))",
                advice: "pass --ca-cert FILE for a private CA, or --insecure to skip verification", underlying: error)
        case .tooLarge:
            return APIError(.badResponse, "\(what) failed: \(error.message)", underlying: error)
        case .io:
            let full = (error.underlying as? SystemError)?.isOutOfSpace == true
            return APIError(
                .io, "\(what) failed: \(error.message)",
                advice: full ? "free some space; the next sync resumes where this one stopped" : nil, underlying: error)
        default:
            return APIError(.network, "\(what) failed: \(error.description)", underlying: error)
        }
    }
}
