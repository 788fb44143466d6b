public import CvatErrors
internal import CvatSystem

/// Why an array could not be written: the file, what failed, and for system calls the `errno`.
///
/// The static functions keep the names of the cases this type had when it was an enum, so that
/// `throw .writeFailed(path:errno:)` reads as before.
public struct TensorWriteError: KindedError, Sendable, Hashable {
    public enum Kind: ErrorKind {
        /// `open` failed (missing folder, no permission, ...).
        case cannotCreate
        /// `write` failed; `ENOSPC` means the disk is full.
        case writeFailed
        /// Rewriting the header, closing or renaming the finished file failed.
        case cannotFinish
        /// A typed append whose element type is not the array's.
        case wrongDType
        /// The bytes written do not make the shape given to `finish`.
        case sizeMismatch
        /// The bytes written are not a whole number of rows, so no leading dimension fits.
        case partialRow
        /// A shape with a negative dimension, or one too large to describe.
        case invalidShape
        /// Appending to or finishing a writer that is already finished.
        case alreadyFinished
        /// A tar member that a ustar header cannot describe (a long or non-ASCII name, more than 8 GiB), or tar
        /// data written out of order.
        case invalidMember

        /// A failed system call is the file system's; the rest are cvat-ds using a writer wrongly.
        public var category: ErrorCategory {
            switch self {
            case .cannotCreate: .cannotCreate
            case .writeFailed, .cannotFinish: .io
            case .wrongDType, .sizeMismatch, .partialRow, .invalidShape, .alreadyFinished, .invalidMember:
                .internalError
            }
        }
    }

    public var kind: Kind
    public var path: String
    /// What failed, naming `path`.
    public var message: String
    /// Set for the kinds that are a failed system call.
    public var errno: Int32?

    init(_ kind: Kind, path: String, _ message: String, errno: Int32? = nil) {
        self.kind = kind
        self.path = path
        self.message = message
        self.errno = errno
    }

    /// A full disk is an I/O failure even where the kind alone would say the file could not be created.
    public var category: ErrorCategory { isOutOfSpace ? .io : kind.category }

    public var advice: String? { isOutOfSpace ? "free some space or write the export elsewhere" : nil }

    /// The failed system call.
    public var underlying: (any Error)? {
        errno.map { SystemError(Self.call(kind), path: path, errno: $0) }
    }

    private var isOutOfSpace: Bool { errno == ENOSPC || errno == EDQUOT }

    private static func call(_ kind: Kind) -> String {
        switch kind {
        case .cannotCreate: "open"
        case .writeFailed: "write"
        default: "close"
        }
    }

    public static func cannotCreate(path: String, errno: Int32) -> Self {
        Self(.cannotCreate, path: path, "cannot create \(path): \(SystemError.text(errno))", errno: errno)
    }

    public static func writeFailed(path: String, errno: Int32) -> Self {
        Self(.writeFailed, path: path, "cannot write \(path): \(SystemError.text(errno))", errno: errno)
    }

    public static func cannotFinish(path: String, errno: Int32) -> Self {
        Self(.cannotFinish, path: path, "cannot finish \(path): \(SystemError.text(errno))", errno: errno)
    }

    public static func wrongDType(path: String, array: DType, appended: DType) -> Self {
        Self(.wrongDType, path: path, "cannot append \(appended) values to the \(array) array \(path)")
    }

    public static func sizeMismatch(path: String, shape: [Int], expectedBytes: Int, writtenBytes: Int) -> Self {
        Self(
            .sizeMismatch, path: path,
            "\(path): shape \(shape) needs \(expectedBytes) bytes, but \(writtenBytes) were written")
    }

    public static func partialRow(path: String, writtenBytes: Int, rowBytes: Int) -> Self {
        Self(
            .partialRow, path: path,
            "\(path): \(writtenBytes) bytes written is not a whole number of \(rowBytes)-byte rows")
    }

    public static func invalidShape(path: String, shape: [Int]) -> Self {
        Self(.invalidShape, path: path, "\(path): invalid array shape \(shape)")
    }

    public static func alreadyFinished(path: String) -> Self {
        Self(.alreadyFinished, path: path, "\(path) is already finished")
    }

    public static func invalidMember(path: String, _ reason: String) -> Self {
        Self(.invalidMember, path: path, "\(path): \(reason)")
    }
}
