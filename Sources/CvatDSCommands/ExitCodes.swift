import CvatErrors

/// Exit codes, from sysexits(3) so scripts can tell what kind of failure happened.
///
/// | code | meaning |
/// |---|---|
/// | 0 | success |
/// | 1 | an unexpected internal error |
/// | 64 | usage error: bad flags or configuration |
/// | 65 | data error: the server's data or the cache's files cannot be used |
/// | 66 | not found: no such task/project on the server, or not cached with --offline |
/// | 69 | network failure: unreachable, TLS refused, or retries exhausted |
/// | 73 | the output folder exists (use --force) or cannot be created |
/// | 74 | I/O error: disk full, permissions |
/// | 75 | busy: another cvat-ds holds the task's lock |
/// | 77 | authentication failed or permission denied |
/// | 130 | interrupted (SIGINT) |
///
/// Each row is one `ErrorCategory`, which every error of every layer names (`ErrorReport.exitCode`).
public enum ExitCodes {
    public static let internalError: Int32 = 1
    public static let usage: Int32 = 64
    public static let dataError: Int32 = 65
    public static let notFound: Int32 = 66
    public static let network: Int32 = 69
    public static let cannotCreate: Int32 = 73
    public static let io: Int32 = 74
    public static let busy: Int32 = 75
    public static let authentication: Int32 = 77
    public static let interrupted: Int32 = 130

    static let helpText = """
        Exit codes: 0 success, 64 usage error, 65 data error, 66 not found (or not cached with --offline), \
        69 network failure, 73 output exists or cannot be created, 74 I/O error, 75 busy (another cvat-ds \
        holds the lock), 77 authentication or permission failure, 130 interrupted, 1 internal error.
        """
}

/// An error a command makes itself, with the exit code it gives (the preview's checks of an export folder).
struct Failure: CvatError {
    var category: ErrorCategory
    var message: String

    init(code: Int32, message: String) {
        self.category = ErrorReport.category(exitCode: code)
        self.message = message
    }
}

enum ErrorReport {
    /// The exit code of each category: the table above.
    static func exitCode(_ category: ErrorCategory) -> Int32 {
        switch category {
        case .usage: ExitCodes.usage
        case .data: ExitCodes.dataError
        case .notFound: ExitCodes.notFound
        case .network: ExitCodes.network
        case .cannotCreate: ExitCodes.cannotCreate
        case .io: ExitCodes.io
        case .busy: ExitCodes.busy
        case .authentication: ExitCodes.authentication
        case .interrupted: ExitCodes.interrupted
        case .internalError: ExitCodes.internalError
        }
    }

    /// The category whose exit code is `code`; an unknown code is an internal error.
    static func category(exitCode code: Int32) -> ErrorCategory {
        ErrorCategory.allCases.first { exitCode($0) == code } ?? .internalError
    }

    /// The exit code and one-line message for any error a command may throw: every layer's error says its own
    /// category, so this is one lookup whatever the type.
    static func classify(_ error: any Error) -> (code: Int32, message: String) {
        (exitCode(error.category), "\(error)")
    }
}
