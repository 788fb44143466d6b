/// A cache that cannot be read or written.
public struct CacheError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Something is not in the cache (and `--offline` forbids fetching it).
        case missing
        /// A cached file exists but cannot be used.
        case corrupt
        /// The file system refused (permissions, disk full).
        case io
        /// Another cvat-ds holds the task's lock.
        case busy
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
