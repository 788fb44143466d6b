public import CvatAPI
import Foundation

/// Where a video task's frames come from (`--video-frames`).
///
/// Neither tool decodes video, so a video task's original chunks are useless here. CVAT offers two other ways to
/// its frames: each frame alone as PNG (`type=frame&quality=original`, decoded from the video by the server and
/// encoded losslessly) and the compressed chunks (JPEG zips re-encoded at the task's `image_quality`). The PNG
/// frames are the better pixels and the default; the compressed chunks cost one request per chunk instead of one
/// per frame.
public enum VideoFrameSource: String, Sendable, CaseIterable, Codable {
    case original
    case compressed
}

extension TaskModel {
    /// The source actually used for `requested`: compressed chunks only when they are image sets (a task whose
    /// compressed chunks are video too falls back to original frames).
    public func videoFrameSource(_ requested: VideoFrameSource) -> VideoFrameSource {
        requested == .compressed && hasImageSetCompressedChunks ? .compressed : .original
    }
}

/// Whether a cached video frame can be used: a complete PNG of the size the frame list gives.
///
/// A structural check (signature, IHDR size, the IEND trailer) that costs two small reads: enough to catch a
/// truncated or foreign file, which is what a crash or a confused proxy leaves.
enum FrameCheck {
    static func problem(_ url: URL, width: Int?, height: Int?) -> String? {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return "it cannot be opened: \(String(cString: strerror(errno)))" }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return "it cannot be read" }
        let size = Int(info.st_size)
        guard size >= 8 + 25 + 12 else { return "it has only \(size) bytes, too few for a PNG" }
        var head = [UInt8](repeating: 0, count: 24)
        var tail = [UInt8](repeating: 0, count: 12)
        let readHead = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 24, 0) }
        let readTail = tail.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 12, off_t(size - 12)) }
        guard readHead == 24, readTail == 12 else { return "it cannot be read" }
        guard head[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A],
            head[12..<16] == [0x49, 0x48, 0x44, 0x52]
        else { return "it is not a PNG" }
        guard tail == [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82] else {
            return "the PNG is truncated (no IEND at its end)"
        }
        func be32(_ at: Int) -> Int { head[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        let (w, h) = (be32(16), be32(20))
        if let width, let height, w != width || h != height {
            return "it is \(w)x\(h), but the task's frame list says \(width)x\(height)"
        }
        return nil
    }
}
