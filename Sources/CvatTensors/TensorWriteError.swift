#if canImport(Glibc)
    internal import Glibc
#elseif canImport(Musl)
    internal import Musl
#elseif canImport(Darwin)
    internal import Darwin
#endif

/// Why an array could not be written; each case names the file and, for system calls, carries `errno`.
public enum TensorWriteError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `open` failed (missing folder, no permission, ...).
    case cannotCreate(path: String, errno: Int32)
    /// `write` failed; `ENOSPC` means the disk is full.
    case writeFailed(path: String, errno: Int32)
    /// Rewriting the header, closing or renaming the finished file failed.
    case cannotFinish(path: String, errno: Int32)
    /// A typed append whose element type is not the array's.
    case wrongDType(path: String, array: DType, appended: DType)
    /// The bytes written do not make the shape given to `finish`.
    case sizeMismatch(path: String, shape: [Int], expectedBytes: Int, writtenBytes: Int)
    /// The bytes written are not a whole number of rows, so no leading dimension fits.
    case partialRow(path: String, writtenBytes: Int, rowBytes: Int)
    /// A shape with a negative dimension, or one too large to describe.
    case invalidShape(path: String, shape: [Int])
    /// Appending to or finishing a writer that is already finished.
    case alreadyFinished(path: String)

    public var description: String {
        switch self {
        case .cannotCreate(let path, let e):
            return "cannot create \(path): \(Self.text(e))"
        case .writeFailed(let path, let e):
            if e == ENOSPC || e == EDQUOT {
                return "cannot write \(path): \(Self.text(e)); free some space or write the export elsewhere"
            }
            return "cannot write \(path): \(Self.text(e))"
        case .cannotFinish(let path, let e):
            return "cannot finish \(path): \(Self.text(e))"
        case .wrongDType(let path, let array, let appended):
            return "cannot append \(appended) values to the \(array) array \(path)"
        case .sizeMismatch(let path, let shape, let expected, let written):
            return "\(path): shape \(shape) needs \(expected) bytes, but \(written) were written"
        case .partialRow(let path, let written, let row):
            return "\(path): \(written) bytes written is not a whole number of \(row)-byte rows"
        case .invalidShape(let path, let shape):
            return "\(path): invalid array shape \(shape)"
        case .alreadyFinished(let path):
            return "\(path) is already finished"
        }
    }

    private static func text(_ e: Int32) -> String {
        guard let s = strerror(e) else { return "errno \(e)" }
        return String(cString: s)
    }
}
