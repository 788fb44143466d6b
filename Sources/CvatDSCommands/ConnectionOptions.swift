import ArgumentParser
import CvatAPI
import CvatCache
import CvatHTTP
import Foundation

/// Server, credentials and cache flags, named and resolved as cvat-cli does.
struct ConnectionOptions: ParsableArguments {
    @Option(
        name: .customLong("server-host"),
        help: "Server URL (default: the default profile's server, cvat-cli's default_server, else http://localhost).")
    var serverHost: String?

    @Option(name: .customLong("server-port"), help: "Server port, when --server-host has none.")
    var serverPort: Int?

    @Option(
        name: [.customLong("org"), .customLong("organization")],
        help: ArgumentHelp(
            "Organization slug for listing a project's tasks (sent as X-Organization).", valueName: "SLUG"))
    var organization: String?

    @Option(
        help: ArgumentHelp(
            "User and password. The password comes from PASS in the environment, else a prompt on a terminal.",
            valueName: "USER[:PASS]"))
    var auth: String?

    @Option(
        name: .customLong("auth-method"),
        help: ArgumentHelp(
            "How a password is used: session (login, then the session cookie, as cvat-sdk), token (login, then "
                + "the legacy API token) or basic (HTTP Basic on each request, no login)."))
    var authMethod: AuthMethod = .session

    @Option(help: "A profile saved by 'cvat-cli profile add' (server and access token). Not with --server-host/--auth.")
    var profile: String?

    @Flag(help: "Do not verify the server's TLS certificate.")
    var insecure = false

    @Option(name: .customLong("ca-cert"), help: "Trust the CA certificate(s) in this PEM file.")
    var caCert: String?

    @Option(
        name: .customLong("cache-dir"),
        help: "Cache root (default: cvat-sdk's, $XDG_CACHE_HOME/cvat-sdk or ~/.cache/cvat-sdk).")
    var cacheDir: String?

    @Option(help: "Retry a failing request this many times (5xx, dropped connections, time-outs).")
    var retries = 5

    @Option(help: "Seconds without progress before a transfer is abandoned and retried.")
    var timeout = 120.0

    func validate() throws {
        if profile != nil && (serverHost != nil || serverPort != nil || auth != nil) {
            throw ValidationError("--profile cannot be combined with --server-host, --server-port or --auth")
        }
        if let port = serverPort, !(1...65535).contains(port) {
            throw ValidationError("--server-port must be between 1 and 65535")
        }
        if retries < 0 { throw ValidationError("--retries must not be negative") }
        if timeout <= 0 { throw ValidationError("--timeout must be positive") }
    }

    /// The server and credentials, in cvat-cli's order: --profile; else explicit host/credentials; else the
    /// default profile; else cvat-cli's default_server or http://localhost, with --auth or CVAT_ACCESS_TOKEN.
    func resolve(environment: [String: String] = ProcessInfo.processInfo.environment, needCredentials: Bool = true)
        throws -> (ServerAddress, Credentials)
    {
        let store = ProfileStore(path: ProfileStore.defaultPath(environment: environment))
        let envToken = environment["CVAT_ACCESS_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        let explicitHost = serverHost != nil || serverPort != nil
        let explicitCredentials = auth != nil || envToken != nil

        var chosenProfile: ProfileStore.Profile?
        if let profile {
            chosenProfile = try store.profile(named: profile)
        } else if !explicitHost && !explicitCredentials {
            chosenProfile = try store.defaultProfile()
        }
        if let chosenProfile {
            return (try ServerAddress(host: chosenProfile.server), .accessToken(chosenProfile.token))
        }

        let host = try serverHost ?? store.defaultServer() ?? "http://localhost"
        let server = try ServerAddress(host: host, port: serverPort)
        if let auth {
            let user: String
            var given: String?
            if let colon = auth.firstIndex(of: ":") {
                user = String(auth[..<colon])
                given = String(auth[auth.index(after: colon)...])
            } else {
                user = auth
            }
            // --auth USER:PASS, else PASS from the environment, else a prompt; an empty one counts as none.
            let password: String
            if let given, !given.isEmpty {
                password = given
            } else if let fromEnvironment = environment["PASS"], !fromEnvironment.isEmpty {
                password = fromEnvironment
            } else {
                password = try PasswordPrompt.read(prompt: "Password for \(user) at \(server): ")
            }
            return (server, .password(user: user, password: password, method: authMethod.method))
        }
        if let envToken { return (server, .accessToken(envToken)) }
        if needCredentials {
            throw APIError(
                .usage,
                "no credentials: pass --auth USER (password from PASS or a prompt), set CVAT_ACCESS_TOKEN, or use "
                    + "--profile NAME")
        }
        return (server, .none)
    }

    var cacheRoot: URL {
        cacheDir.map { URL(fileURLWithPath: $0) } ?? CacheLayout.defaultRoot()
    }

    /// The flags as the API layer takes them; `jobs` transfers may run at once, and `log` gets the `--verbose`
    /// lines.
    func settings(server: ServerAddress, credentials: Credentials, jobs: Int, log: (@Sendable (String) -> Void)?)
        -> ConnectionSettings
    {
        ConnectionSettings(
            server: server, credentials: credentials, organization: organization,
            transport: TransportOptions(
                maxConnections: jobs, stallTimeout: timeout, verifyTLS: !insecure, caCertificateFile: caCert,
                userAgent: "cvat-ds/\(CvatDS.version)"),
            retry: RetryPolicy(maxAttempts: retries + 1), log: log)
    }
}

/// Reads a password from the terminal without echoing it.
enum PasswordPrompt {
    static func read(prompt: String) throws -> String {
        let fd = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard fd >= 0, isatty(fd) == 1 else {
            if fd >= 0 { close(fd) }
            throw APIError(
                .usage, "--auth has no password and there is no terminal to ask for one; set PASS in the environment")
        }
        defer { close(fd) }
        var saved = termios()
        tcgetattr(fd, &saved)
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        // Echo goes off before the prompt appears: a password typed (or pasted) the moment the prompt shows
        // would otherwise be echoed, then thrown away by TCSAFLUSH, leaving the prompt waiting forever.
        tcsetattr(fd, TCSAFLUSH, &silent)
        _ = prompt.withCString { write(fd, $0, strlen($0)) }
        defer {
            tcsetattr(fd, TCSAFLUSH, &saved)
            _ = write(fd, "\n", 1)
        }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while Glibc.read(fd, &byte, 1) == 1, byte != 10, byte != 13 { bytes.append(byte) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// `--auth-method` values; a separate type so the API layer's enum needs no argument-parser conformance.
enum AuthMethod: String, ExpressibleByArgument, CaseIterable {
    case session, token, basic

    var method: Credentials.PasswordMethod {
        switch self {
        case .session: return .session
        case .token: return .token
        case .basic: return .basic
        }
    }
}
