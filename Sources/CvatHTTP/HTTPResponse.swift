/// A completed exchange: status, headers of the final response, and the body when it was kept in memory.
public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names lower-cased; a repeated header keeps its last value except `set-cookie`, see `setCookies`.
    public var headers: [String: String]
    public var setCookies: [String]
    public var body: [UInt8]
    /// Bytes received for the body (also when it went to a file).
    public var bodyBytes: Int64
    /// The URL that answered (after libcurl's own processing; redirects are handled by `HTTPClient`).
    public var url: String
    /// For downloads to a file: the file's size after this response (earlier attempts included).
    public var fileSize: Int64

    public init(
        status: Int, headers: [String: String], setCookies: [String] = [], body: [UInt8] = [], bodyBytes: Int64 = 0,
        url: String, fileSize: Int64 = 0
    ) {
        self.fileSize = fileSize
        self.status = status
        self.headers = headers
        self.setCookies = setCookies
        self.body = body
        self.bodyBytes = bodyBytes
        self.url = url
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    public var isSuccess: Bool { (200..<300).contains(status) }
}

/// A parsed `Content-Range: bytes START-END/TOTAL` header.
struct ContentRange: Equatable {
    var start: Int64
    var end: Int64
    var total: Int64?

    init?(_ header: String) {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bytes" else { return nil }
        let rangeAndTotal = parts[1].split(separator: "/", maxSplits: 1)
        let bounds = rangeAndTotal[0].split(separator: "-", maxSplits: 1)
        guard bounds.count == 2, let start = Int64(bounds[0]), let end = Int64(bounds[1]) else { return nil }
        self.start = start
        self.end = end
        self.total = rangeAndTotal.count == 2 ? Int64(rangeAndTotal[1]) : nil
    }
}
