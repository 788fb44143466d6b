public import CvatErrors

/// Why a chunk file cannot be used: which chunk (and member), what was found, and what to do about it.
public struct ChunkArchiveError: KindedError, Sendable, Equatable {
    /// What went wrong; more cases may be added.
    public enum Kind: String, ErrorKind {
        /// The file could not be opened or read (missing, permissions, I/O error).
        case unreadable
        /// Not a zip archive at all (no end-of-central-directory record).
        case notAZip
        /// A zip whose directory or member data runs past the end of the file: usually an interrupted download.
        case truncated
        /// The zip's structures disagree (bad signatures, local and central names or sizes that differ).
        case corrupt
        /// A member name that is absolute, climbs out with `..`, holds a backslash or NUL, or is empty.
        case unsafeMemberName
        /// A member that is a symbolic link, directory or other non-regular file.
        case notARegularFile
        /// Two members with the same name.
        case duplicateMember
        /// A member whose bytes do not match the CRC-32 recorded for it.
        case checksumMismatch
        /// Compression other than stored/deflate, encryption, or ZIP64 (CVAT chunks use none of these).
        case unsupportedFeature
        /// A member index outside `0..<count`.
        case memberIndexOutOfRange

        /// A file that cannot be read is the disk's failure; everything else is a chunk that cannot be used.
        public var category: ErrorCategory {
            switch self {
            case .unreadable: .io
            case .notAZip, .truncated, .corrupt, .unsafeMemberName, .notARegularFile, .duplicateMember,
                .checksumMismatch, .unsupportedFeature, .memberIndexOutOfRange:
                .data
            }
        }
    }

    public var kind: Kind
    /// The chunk file.
    public var path: String
    /// The member concerned, when there is one.
    public var member: String?
    /// What was found, in words (includes the zip library's message where it produced one).
    public var detail: String

    public init(_ kind: Kind, path: String, member: String? = nil, detail: String) {
        self.kind = kind
        self.path = path
        self.member = member
        self.detail = detail
    }

    public var message: String {
        let what = member.map { "member '\($0)' of chunk \(path)" } ?? "chunk \(path)"
        return "\(what): \(detail)"
    }

    public var advice: String? {
        switch kind {
        case .unreadable: "check that the file exists and is readable"
        case .memberIndexOutOfRange: "the frame is not in this chunk"
        default: "delete it so it is downloaded again"
        }
    }
}
