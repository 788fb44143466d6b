public import CvatHTTP

/// Everything a connection to one CVAT server needs, as plain values.
///
/// The commands turn their flags into one of these; `CvatClient` builds the HTTP machinery (the transport thread,
/// its connection pool, the retry loop) from it and owns it, so no caller ever handles a transport.
public struct ConnectionSettings: Sendable {
    public var server: ServerAddress
    public var credentials: Credentials
    /// The organization slug sent as `X-Organization` where it selects what a list shows.
    public var organization: String?
    /// Connections, time-outs, TLS verification and CA file, user agent.
    public var transport: TransportOptions
    public var retry: RetryPolicy
    /// Receives one line per HTTP attempt (`--verbose`), never a header value; nil keeps quiet.
    public var log: (@Sendable (String) -> Void)?

    public init(
        server: ServerAddress, credentials: Credentials, organization: String? = nil,
        transport: TransportOptions = TransportOptions(), retry: RetryPolicy = RetryPolicy(),
        log: (@Sendable (String) -> Void)? = nil
    ) {
        self.server = server
        self.credentials = credentials
        self.organization = organization
        self.transport = transport
        self.retry = retry
        self.log = log
    }
}
