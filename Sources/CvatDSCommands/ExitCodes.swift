import ArgumentParser
import CvatAPI
import CvatCache
import CvatExport
import CvatHTTP

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

    static let helpText = """
        Exit codes: 0 success, 64 usage error, 65 data error, 66 not found (or not cached with --offline), \
        69 network failure, 73 output exists or cannot be created, 74 I/O error, 75 busy (another cvat-ds \
        holds the lock), 77 authentication or permission failure, 1 internal error.
        """
}

/// An error already reported to the user, carrying only the exit code.
struct Failure: Error {
    var code: Int32
    var message: String
}

enum ErrorReport {
    /// The exit code and one-line message for any error a command may throw.
    static func classify(_ error: any Error) -> (code: Int32, message: String) {
        switch error {
        case let error as APIError:
            let code: Int32
            switch error.kind {
            case .usage: code = ExitCodes.usage
            case .authentication, .permission: code = ExitCodes.authentication
            case .notFound, .notCached: code = ExitCodes.notFound
            case .network: code = ExitCodes.network
            case .badResponse: code = ExitCodes.dataError
            }
            return (code, error.message)
        case let error as CacheError:
            let code: Int32
            switch error.kind {
            case .missing: code = ExitCodes.notFound
            case .corrupt: code = ExitCodes.dataError
            case .io: code = ExitCodes.io
            case .busy: code = ExitCodes.busy
            }
            return (code, error.message)
        case let error as ExportError:
            let code: Int32
            switch error.kind {
            case .data: code = ExitCodes.dataError
            case .output: code = ExitCodes.cannotCreate
            case .io: code = ExitCodes.io
            case .usage: code = ExitCodes.usage
            }
            return (code, error.message)
        case let error as HTTPError:
            return (ExitCodes.network, error.description)
        case let error as Failure:
            return (error.code, error.message)
        default:
            return (ExitCodes.internalError, "\(error)")
        }
    }
}
