public import CvatErrors

/// A cache that cannot be read or written.
public struct CacheError: LayerError {
    public enum Kind: ErrorKind {
        /// Something is not in the cache (and `--offline` forbids fetching it).
        case missing
        /// A cached file exists but cannot be used.
        case corrupt
        /// The file system refused (permissions, disk full).
        case io
        /// Another cvat-ds holds the task's lock.
        case busy

        public var category: ErrorCategory {
            switch self {
            case .missing: .notFound
            case .corrupt: .data
            case .io: .io
            case .busy: .busy
            }
        }
    }

    public var kind: Kind
    public var message: String
    public var advice: String?
    public var underlying: (any Error)?

    public init(kind: Kind, message: String, advice: String?, underlying: (any Error)?) {
        self.kind = kind
        self.message = message
        self.advice = advice
        self.underlying = underlying
    }
}
