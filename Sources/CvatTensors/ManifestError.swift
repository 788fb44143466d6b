public import CvatErrors

#if canImport(FoundationEssentials)
    internal import FoundationEssentials
#else
    internal import Foundation
#endif

/// Why a manifest could not be written or read.
///
/// Built by static functions named as its cases were when it was an enum, so throw sites read as before.
public struct ManifestError: KindedError, Sendable {
    public enum Kind: ErrorKind {
        case cannotWrite
        case cannotRead
        case unsupportedVersion
        /// Shards or parts that cannot be combined.
        case inconsistent

        public var category: ErrorCategory {
            switch self {
            case .cannotWrite: .io
            case .cannotRead, .unsupportedVersion, .inconsistent: .data
            }
        }
    }

    public var kind: Kind
    public var message: String
    /// The encoder's, decoder's or file system's error.
    public var underlying: (any Error)?

    init(_ kind: Kind, _ message: String, underlying: (any Error)? = nil) {
        self.kind = kind
        self.message = message
        self.underlying = underlying
    }

    /// A manifest that is not there is not found rather than bad data.
    public var category: ErrorCategory {
        if kind == .cannotRead, let error = underlying as? CocoaError, error.code == .fileReadNoSuchFile {
            return .notFound
        }
        return kind.category
    }

    public static func cannotWrite(path: String, reason: String, underlying: (any Error)? = nil) -> Self {
        Self(.cannotWrite, "cannot write the manifest \(path): \(reason)", underlying: underlying)
    }

    public static func cannotRead(path: String, reason: String, underlying: (any Error)? = nil) -> Self {
        Self(.cannotRead, "cannot read the manifest \(path): \(reason)", underlying: underlying)
    }

    public static func unsupportedVersion(path: String, version: Int) -> Self {
        Self(
            .unsupportedVersion,
            "the manifest \(path) has format version \(version); this cvat-ds reads version "
                + "\(Manifest.currentFormatVersion)")
    }

    public static func inconsistent(_ message: String) -> Self { Self(.inconsistent, message) }
}
