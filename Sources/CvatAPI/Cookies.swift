import Foundation

/// `Set-Cookie` values reduced to name → value; attributes (Path, Expires, ...) do not matter for one run.
enum Cookies {
    static func parse(_ headers: [String]) -> [String: String] {
        var cookies: [String: String] = [:]
        for header in headers {
            guard let pair = header.split(separator: ";", maxSplits: 1).first,
                let equals = pair.firstIndex(of: "=")
            else { continue }
            let name = pair[..<equals].trimmingCharacters(in: .whitespaces)
            cookies[name] = String(pair[pair.index(after: equals)...])
        }
        return cookies
    }
}
