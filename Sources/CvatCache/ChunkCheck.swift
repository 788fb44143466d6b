import CvatArchive
import Foundation

/// Whether a chunk file can be used: a readable zip with one member per frame of the chunk.
enum ChunkCheck {
    /// A description of what is wrong, or nil. `full` also verifies every member's checksum (for fresh downloads;
    /// cached files get the cheaper structural check).
    static func problem(_ url: URL, expectedMembers: Int, full: Bool = false) -> String? {
        do {
            if full { try ChunkArchive.validate(path: url.path) }
            let archive = try ChunkArchive(path: url.path)
            guard archive.count == expectedMembers else {
                return "it has \(archive.count) images where \(expectedMembers) were expected"
            }
            return nil
        } catch {
            // The archive error's own advice ("delete it...") is for a user holding the file; the cache acts itself.
            return error.member.map { "member '\($0)': \(error.detail)" } ?? error.detail
        }
    }
}
