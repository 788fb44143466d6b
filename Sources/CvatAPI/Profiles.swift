public import Foundation

/// Read-only access to cvat-sdk's saved profiles (`auth.json`, written by `cvat-cli profile add`).
///
/// cvat-ds never writes this file. It applies the same permission rule as cvat-sdk: a store readable by others
/// is refused, since it holds tokens.
public struct ProfileStore: Sendable {
    public struct Profile: Sendable, Equatable {
        public var name: String
        public var server: String
        public var token: String
    }

    public let path: String

    /// `$XDG_CONFIG_HOME/cvat-sdk/auth.json`, else `~/.config/cvat-sdk/auth.json` (platformdirs on Linux).
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base =
            environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.config"
        return base + "/cvat-sdk/auth.json"
    }

    public init(path: String = ProfileStore.defaultPath()) {
        self.path = path
    }

    private func load() throws(APIError) -> [String: Any]? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        for (item, expected) in [((path as NSString).deletingLastPathComponent, 0o700), (path, 0o600)] {
            if let attributes = try? FileManager.default.attributesOfItem(atPath: item),
                let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue, mode & 0o777 != expected
            {
                throw APIError(
                    .usage,
                    "refusing to use \(path): '\(item)' has permissions \(String(mode & 0o777, radix: 8)); expected "
                        + "\(String(expected, radix: 8)). Run: chmod \(String(expected, radix: 8)) '\(item)'")
            }
        }
        guard let data = FileManager.default.contents(atPath: path),
            let document = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { throw APIError(.usage, "cannot read the profile store \(path): not valid JSON") }
        guard let version = document["version"] as? Int, version == 1 else {
            throw APIError(.usage, "the profile store \(path) has an unsupported version; this tool reads version 1")
        }
        return document
    }

    public func profile(named name: String) throws(APIError) -> Profile {
        guard let document = try load() else {
            throw APIError(.usage, "unknown profile '\(name)': there is no profile store at \(path)")
        }
        guard let profiles = document["profiles"] as? [String: Any], let raw = profiles[name] as? [String: Any],
            let server = raw["server"] as? String, let token = raw["token"] as? String
        else { throw APIError(.usage, "unknown profile '\(name)' in \(path); 'cvat-cli profile list' shows them") }
        return Profile(name: name, server: server, token: token)
    }

    /// The profile marked default, if any; cvat-cli uses it when no host or credentials are given.
    public func defaultProfile() throws(APIError) -> Profile? {
        guard let document = try load(), let name = document["default_profile"] as? String,
            let profiles = document["profiles"] as? [String: Any], profiles[name] != nil
        else { return nil }
        return try profile(named: name)
    }

    /// `default_server`, set by `cvat-cli config`.
    public func defaultServer() throws(APIError) -> String? {
        try load()?["default_server"] as? String
    }
}
