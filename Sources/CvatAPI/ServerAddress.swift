import Foundation

/// A CVAT server's base URL, normalised exactly as cvat-sdk does it so both tools name the same cache folder.
public struct ServerAddress: Sendable, Hashable, CustomStringConvertible {
    /// `scheme://host[:port][/path]` without a trailing slash.
    public let url: String

    /// cvat-sdk's `normalize_server_url`: no scheme means https, only http and https are allowed, and trailing
    /// slashes go. A `port` is appended as cvat-cli's `--server-port` does, and may not repeat one in the host.
    public init(host: String, port: Int? = nil) throws(APIError) {
        var url = host.trimmingCharacters(in: .whitespaces)
        if let range = url.range(of: "://") {
            let scheme = url[..<range.lowerBound].lowercased()
            guard scheme == "http" || scheme == "https" else {
                throw APIError(.usage, "invalid URL scheme '\(scheme)' in --server-host; use http:// or https://")
            }
        } else {
            url = "https://" + url
        }
        while url.hasSuffix("/") { url.removeLast() }
        guard let components = URLComponents(string: url), let hostName = components.host, !hostName.isEmpty else {
            throw APIError(.usage, "'\(host)' is not a server address; expected e.g. https://cvat.example.com")
        }
        if components.user != nil || components.password != nil {
            throw APIError(.usage, "the server address must not contain credentials; use --auth or CVAT_ACCESS_TOKEN")
        }
        if let port {
            guard components.port == nil else {
                throw APIError(
                    .usage, "a server URL with a port and --server-port cannot be used together; give only one port")
            }
            url += ":\(port)"
        }
        self.url = url
    }

    public var description: String { url }

    /// The folder name cvat-sdk uses under `servers/`: URL-safe base64 of the URL without `=` padding.
    public var cacheDirectoryName: String {
        Data(url.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// `url` + `path` + an encoded query.
    public func endpoint(_ path: String, query: [(String, String)] = []) -> String {
        var result = url + path
        if !query.isEmpty {
            var allowed = CharacterSet.urlQueryAllowed
            allowed.remove(charactersIn: "&=+?#")
            result +=
                "?"
                + query.map { key, value in
                    "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
                }.joined(separator: "&")
        }
        return result
    }
}
