public import CvatHTTP

/// What went wrong talking to CVAT, sorted by what the user can do about it.
public struct APIError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
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
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// Maps a transport failure to a user-facing error, keeping libcurl's explanation.
    public static func network(_ error: HTTPError, doing what: String) -> APIError {
        switch error.kind {
        case .tls:
            return APIError(
                .network,
                "\(what) failed: TLS verification failed (\(error.message)); pass --ca-cert FILE for a private CA, "
                    + "or --insecure to skip verification")
        case .tooLarge, .io:
            return APIError(.badResponse, "\(what) failed: \(error.message)")
        default:
            return APIError(.network, "\(what) failed: \(error.description)")
        }
    }
}
