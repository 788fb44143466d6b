/// Why a chunk file cannot be used; each case says what to do about it in `description`.
public struct ChunkArchiveError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong; more cases may be added.
    public enum Reason: String, Sendable, Hashable {
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
    }

    public var reason: Reason
    /// The chunk file.
    public var path: String
    /// The member concerned, when there is one.
    public var member: String?
    /// What was found, in words (includes the zip library's message where it produced one).
    public var detail: String

    public init(_ reason: Reason, path: String, member: String? = nil, detail: String) {
        self.reason = reason
        self.path = path
        self.member = member
        self.detail = detail
    }

    public var description: String {
        let what = member.map { "member '\($0)' of chunk \(path)" } ?? "chunk \(path)"
        let advice: String
        switch reason {
        case .unreadable: advice = "check that the file exists and is readable"
        case .memberIndexOutOfRange: advice = "the frame is not in this chunk"
        default: advice = "delete it so it is downloaded again"
        }
        return "\(what): \(detail); \(advice)"
    }
}
