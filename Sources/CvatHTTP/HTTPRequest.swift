/// One HTTP header, kept as a pair so that order and repeats survive.
public struct HTTPHeader: Sendable, Hashable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// Where a response body goes.
public enum ResponseBody: Sendable, Hashable {
    /// Collected in memory, up to `limit` bytes (a server that sends more is cut off with an error).
    case memory(limit: Int)
    /// Written to an open file descriptor owned by the caller.
    ///
    /// `resumeOffset` is where a ranged request asked to start: a 206 answer appends there; any other successful
    /// answer carries the whole body, so the file is truncated and written from zero. Error answers never touch
    /// the file, so an interrupted download keeps what it had.
    case file(descriptor: Int32, path: String, resumeOffset: Int64, limit: Int64)
}

/// A request as the transport sends it: no retries, no redirects, no authentication logic.
public struct HTTPRequest: Sendable {
    public enum Method: String, Sendable {
        case get = "GET"
        case post = "POST"
        case head = "HEAD"
    }

    public var method: Method
    public var url: String
    /// Ordinary headers.
    public var headers: [HTTPHeader]
    /// Headers that carry secrets (Authorization, Cookie, X-CSRFToken). They are never logged and are dropped
    /// when a redirect leads to another origin.
    public var credentialHeaders: [HTTPHeader]
    public var body: [UInt8]?
    public var responseBody: ResponseBody
    /// Sent as `Accept-Encoding`. `nil` lets libcurl offer every encoding it can decode; "identity" asks for the
    /// bytes as stored, which byte-range resumption needs.
    public var acceptEncoding: String?
    /// A response header that announces the full size of the resource (CVAT's `X-Chunk-Size`). A successful
    /// body that runs past it is cut off as `tooLarge`: without a Content-Length, nothing else stops a server
    /// that streams forever before the request's own limit.
    public var sizeHeader: String?

    public init(
        method: Method = .get, url: String, headers: [HTTPHeader] = [], credentialHeaders: [HTTPHeader] = [],
        body: [UInt8]? = nil, responseBody: ResponseBody = .memory(limit: 1 << 30), acceptEncoding: String? = nil,
        sizeHeader: String? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.credentialHeaders = credentialHeaders
        self.body = body
        self.responseBody = responseBody
        self.acceptEncoding = acceptEncoding
        self.sizeHeader = sizeHeader
    }
}
