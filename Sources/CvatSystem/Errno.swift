public import CvatErrors

/// A failed system call: which call, on which file, and `errno`.
public struct SystemError: CvatError, Sendable, Equatable {
    /// The C function that failed, for example `write`.
    public var call: String
    /// The file it was called on.
    public var path: String
    public var errno: Int32

    public init(_ call: String, path: String, errno: Int32) {
        self.call = call
        self.path = path
        self.errno = errno
    }

    /// Whether the disk (or the quota, or the file size limit) is full.
    public var isOutOfSpace: Bool { errno == ENOSPC || errno == EDQUOT || errno == EFBIG }

    public var category: ErrorCategory { .io }
    public var message: String { "\(call) \(path): \(SystemError.text(errno))" }
    public var advice: String? { isOutOfSpace ? "free some space or write elsewhere" : nil }

    /// `strerror`, or the number when the C library has no text for it.
    public static func text(_ code: Int32) -> String {
        guard let s = strerror(code) else { return "errno \(code)" }
        return String(cString: s)
    }
}
