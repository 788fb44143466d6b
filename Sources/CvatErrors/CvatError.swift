/// How a failure reaches the user. The commands turn each category into one documented exit code (sysexits(3)),
/// so every error of every layer says which one it is instead of the commands guessing from its type or text.
public enum ErrorCategory: String, Sendable, Hashable, CaseIterable {
    /// Bad flags or configuration (64).
    case usage
    /// The server's data or the cache's files cannot be used (65).
    case data
    /// No such task or project, or not cached with --offline (66).
    case notFound
    /// The server could not be reached, TLS was refused, or retries ran out (69).
    case network
    /// The output exists (without --force) or cannot be created (73).
    case cannotCreate
    /// Reading or writing files failed: disk full, permissions (74).
    case io
    /// Another cvat-ds holds the lock (75).
    case busy
    /// Credentials are missing or wrong, or permission was denied (77).
    case authentication
    /// The command was cancelled (SIGINT 130, SIGTERM 143).
    case interrupted
    /// A bug: something cvat-ds should never do (1).
    case internalError
}

/// The one shape of a cvat-ds error, whatever the layer: a kind of the layer's own (which the layer maps to an
/// `ErrorCategory`), a message that names the task, frame or file, advice when there is something to do, and the
/// lower error it wraps, kept rather than flattened into text so that its category is not lost on the way up.
///
/// Every error type a module throws conforms: `HTTPError`, `APIError`, `CacheError`, `ChunkArchiveError`,
/// `ImageError`, `CodecError`, `PNGEncodeError`, the geometry errors (`ImagePlanError`, `MaskDecodeError`, ...),
/// `TensorReadError`, `TensorWriteError`, `ManifestError`, `ExportError` (all through `KindedError`), and
/// `SystemError`. A conformer must give its own `category` (a `KindedError` gets it from its kind): the one on
/// `Error` below looks the error up as a `CvatError` and so cannot stand in for it.
public protocol CvatError: Error, CustomStringConvertible {
    /// Which exit code the commands give it.
    var category: ErrorCategory { get }
    /// What happened, naming what it happened to.
    var message: String { get }
    /// What the user can do about it, when there is something.
    var advice: String? { get }
    /// The error underneath, when this one wraps another.
    var underlying: (any Error)? { get }
}

extension CvatError {
    public var advice: String? { nil }
    public var underlying: (any Error)? { nil }

    /// The message, then the advice after a semicolon.
    public var description: String {
        guard let advice, !advice.isEmpty else { return message }
        return "\(message); \(advice)"
    }
}

/// A layer's list of what can go wrong, each case mapped to the category the commands turn into an exit code.
public protocol ErrorKind: Sendable, Hashable {
    var category: ErrorCategory { get }
}

/// An error whose category follows from its kind, which is every layer's error; one whose category also depends
/// on what it wraps (a full disk under a failed `open`) says so in its own `category`.
public protocol KindedError: CvatError {
    associatedtype Kind: ErrorKind
    var kind: Kind { get }
}

extension KindedError {
    public var category: ErrorCategory { kind.category }
}

/// The layer errors that are exactly a kind, a message, advice and the wrapped error (`APIError`, `CacheError`,
/// `ExportError`): they store the four and get the call shape here, written once rather than once per layer.
public protocol LayerError: KindedError, Sendable {
    init(kind: Kind, message: String, advice: String?, underlying: (any Error)?)
}

extension LayerError {
    /// `ExportError(.data, "task 3, frame 7: ...")`, the call shape every layer uses.
    public init(_ kind: Kind, _ message: String, advice: String? = nil, underlying: (any Error)? = nil) {
        self.init(kind: kind, message: message, advice: advice, underlying: underlying)
    }
}

extension Error {
    /// The category of this error: its own when it is a `CvatError`, `.interrupted` for a cancellation, otherwise
    /// `.internalError`.
    public var category: ErrorCategory {
        if let error = self as? any CvatError { return error.category }
        if self is CancellationError { return .interrupted }
        return .internalError
    }
}
