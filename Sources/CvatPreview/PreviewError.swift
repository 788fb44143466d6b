package import CvatErrors

/// Why an export could not be read or its contact sheet drawn; the message names the folder or the file.
package struct PreviewError: CvatError, Sendable {
    package enum Kind: Sendable, Hashable {
        /// No such folder, no manifest in it, or an array file the manifest lists is gone.
        case missing
        /// Something this reader does not take: a file instead of a folder, a sharded export.
        case unsupported
        /// The manifest or an array does not describe a readable export (bad JSON, wrong dtype or shape).
        case malformed
        /// A file exists but cannot be opened, sized or mapped.
        case io
        /// Scaling or encoding the sheet failed, which valid pixels never make happen.
        case internalError
    }

    package var kind: Kind
    package var message: String
    package var advice: String?
    package var underlying: (any Error)?

    package init(_ kind: Kind, _ message: String, advice: String? = nil, underlying: (any Error)? = nil) {
        self.kind = kind
        self.message = message
        self.advice = advice
        self.underlying = underlying
    }

    package var category: ErrorCategory {
        switch kind {
        case .missing: .notFound
        case .unsupported: .usage
        case .malformed: .data
        case .io: .io
        case .internalError: .internalError
        }
    }
}
