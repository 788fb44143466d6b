public import CvatHTTP
import Synchronization

/// A connection to one CVAT server with one set of credentials: the REST calls a sync needs, and nothing else.
///
/// The client owns its HTTP client and transport: `close()` ends the transport thread at a point of the owner's
/// choosing, and releasing the client does the same. Its requests throw `APIError`, or `CancellationError` as soon
/// as the calling task is cancelled.
///
/// It never calls `POST /api/auth/logout`: on current servers that deletes the user's one shared API token and so
/// logs out every other client of that user.
public final class CvatClient: Sendable {
    public let server: ServerAddress
    let http: HTTPClient
    let credentials: Credentials
    let organization: String?
    /// Headers proving identity, settled by `authenticate()`.
    let authHeaders = Mutex<[HTTPHeader]>([])

    /// Starts the connection's transport; nothing is sent before `authenticate()` or a request.
    public init(_ settings: ConnectionSettings) throws(APIError) {
        do {
            http = try HTTPClient(options: settings.transport, retry: settings.retry, log: settings.log)
        } catch {
            throw APIError.network(error, doing: "connecting to \(settings.server)")
        }
        server = settings.server
        credentials = settings.credentials
        organization = settings.organization
    }

    /// Ends the transport thread and closes its connections; requests made afterwards fail.
    public func close() { http.shutdown() }

    /// What was really sent over the network so far, for summaries.
    public var statistics: TransferStatistics { http.statistics }
}
