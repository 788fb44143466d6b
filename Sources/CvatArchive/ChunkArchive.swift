internal import CSystemZlib
public import Foundation
import ZIPFoundation

/// One CVAT chunk file (a zip of frame images), checked on open and read member by member.
///
/// cvat-sdk reads frame `f` of a chunk as `ZipFile(path).infolist()[f % chunk_size]`, i.e. by position in the
/// central directory; `member(at:)` uses the same order. The file is memory-mapped and CVAT stores members
/// uncompressed (ZIP_STORED), so `member(at:)` returns a slice of the mapping: no copy, no read call. Deflated
/// members (other zip writers) are inflated with ZIPFoundation.
///
/// Opening checks the structure only (cheap): every member is a regular file with a safe, unique name whose data
/// lies inside the file with sizes that agree between the central directory and the local header. Names are only
/// checked, never used as paths. `validate(path:)` also has ZIPFoundation list the members and checks every member's
/// CRC-32; the cache uses it to decide whether a downloaded chunk must be fetched again.
///
/// Immutable and `Sendable`: workers may read members of one archive concurrently. The chunk file must not be
/// modified in place while open (the cache replaces files by rename, which keeps the mapping valid).
public final class ChunkArchive: Sendable {
    /// A member's place in the file, from the central directory and its local header.
    struct Member: Sendable {
        var name: String
        var dataOffset: Int
        var compressedSize: Int
        var uncompressedSize: Int
        var crc32: UInt32
        var deflated: Bool
    }

    /// The chunk file's path, as given (for a chunk read from memory, the name it was given).
    public let path: String
    private let bytes: Data
    private let members: [Member]
    /// Read from memory rather than mapped from `path`: ZIPFoundation is then handed the bytes, not the path.
    private let inMemory: Bool

    /// Opens and structurally checks the chunk at `path`.
    /// - Throws: `ChunkArchiveError` naming the file, and the member when one is at fault.
    public init(path: String) throws(ChunkArchiveError) {
        self.path = path
        let url = URL(fileURLWithPath: path)
        do {
            bytes = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw ChunkArchiveError(.unreadable, path: path, detail: "cannot read the file (\(error))")
        }
        members = try ZipDirectory.parse(bytes, path: path)
        inMemory = false
    }

    /// Checks a chunk held in memory, as `init(path:)` checks a file; `name` stands for the path in messages.
    /// The fuzzer reads every input this way, without a file per input.
    package init(data: Data, name: String) throws(ChunkArchiveError) {
        path = name
        bytes = data
        members = try ZipDirectory.parse(data, path: name)
        inMemory = true
    }

    /// Number of members (frames) in the chunk.
    public var count: Int { members.count }

    /// Member names in central-directory order.
    public var names: [String] { members.map(\.name) }

    /// The name of member `index`.
    public func name(at index: Int) throws(ChunkArchiveError) -> String {
        try checkIndex(index)
        return members[index].name
    }

    /// The bytes of member `index` (central-directory order), without copying for stored members.
    ///
    /// The CRC-32 is not checked here (that is `validate(path:)`'s job, once per download); the bytes go to an
    /// image decoder, which rejects damaged data on its own.
    public func member(at index: Int) throws(ChunkArchiveError) -> Data {
        try checkIndex(index)
        let m = members[index]
        if m.deflated { return try inflate(index) }
        let start = bytes.startIndex + m.dataOffset
        return bytes[start..<(start + m.compressedSize)]
    }

    /// Calls `body` with the bytes of member `index`; the pointer is valid only during the call.
    public func withMember<R>(at index: Int, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let data = try member(at: index)
        return try data.withUnsafeBytes { try body($0) }
    }

    /// Fully checks the chunk at `path`: structure as `init(path:)`, then ZIPFoundation must list the same members
    /// in the same order, and every member's length and CRC-32 are compared with the central directory (stored
    /// members checksummed in place in the mapping with zlib, deflated ones inflated through ZIPFoundation).
    /// Throws the first problem found.
    public static func validate(path: String) throws(ChunkArchiveError) {
        try ChunkArchive(path: path).validate()
    }

    /// `validate(path:)` of this archive's bytes.
    package func validate() throws(ChunkArchiveError) {
        let zip = try openWithZIPFoundation()
        let entries = Array(zip)
        guard entries.count == count else {
            throw ChunkArchiveError(
                .corrupt, path: path,
                detail: "ZIPFoundation lists \(entries.count) members, the central directory \(count)")
        }
        for (index, entry) in entries.enumerated() {
            let m = members[index]
            guard entry.path == m.name, entry.type == .file else {
                throw ChunkArchiveError(
                    .corrupt, path: path, member: m.name,
                    detail: "ZIPFoundation sees '\(entry.path)' (\(entry.type)) at position \(index)")
            }
            var crc: CRC32 = 0
            var total = 0
            if m.deflated {
                do {
                    crc = try zip.extract(entry, bufferSize: max(1, min(m.uncompressedSize, 1 << 22))) { chunk in
                        total += chunk.count
                    }
                } catch {
                    throw ChunkArchiveError(.corrupt, path: path, member: m.name, detail: "cannot be read (\(error))")
                }
            } else {
                // Stored (how CVAT writes chunks): the bytes are a bounds-checked slice of the mapping, checksummed
                // with zlib's crc32 (table-driven, several times faster than ZIPFoundation's byte-at-a-time Swift
                // CRC, which was half of a cold sync's CPU).
                let start = bytes.startIndex + m.dataOffset
                let data = bytes[start..<(start + m.compressedSize)]
                total = data.count
                crc = data.withUnsafeBytes { Self.crc32(of: $0) }
            }
            guard total == m.uncompressedSize else {
                throw ChunkArchiveError(
                    .corrupt, path: path, member: m.name,
                    detail: "holds \(total) bytes, the directory says \(m.uncompressedSize)")
            }
            guard crc == m.crc32 else {
                throw ChunkArchiveError(
                    .checksumMismatch, path: path, member: m.name,
                    detail: "CRC-32 is \(hex(crc)), the directory says \(hex(m.crc32))")
            }
        }
    }

    /// zlib's CRC-32 of `bytes` (the zip/PNG polynomial), in pieces of at most 1 GiB for its `uInt` length.
    static func crc32(of bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc: uLong = 0
        guard var p = bytes.baseAddress?.assumingMemoryBound(to: Bytef.self) else { return 0 }
        var left = bytes.count
        while left > 0 {
            let n = min(left, 1 << 30)
            crc = CSystemZlib.crc32(crc, p, uInt(n))
            p += n
            left -= n
        }
        return UInt32(truncatingIfNeeded: crc)
    }

    private func checkIndex(_ index: Int) throws(ChunkArchiveError) {
        guard index >= 0 && index < members.count else {
            throw ChunkArchiveError(
                .memberIndexOutOfRange, path: path,
                detail: "member \(index) asked for, the chunk has \(members.count)")
        }
    }

    /// ZIPFoundation's reader over the same bytes: the file again, or the bytes in memory.
    private func openWithZIPFoundation() throws(ChunkArchiveError) -> Archive {
        do {
            if inMemory { return try Archive(data: bytes, accessMode: .read) }
            return try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw ChunkArchiveError(.corrupt, path: path, detail: "ZIPFoundation cannot open it (\(error))")
        }
    }

    private func inflate(_ index: Int) throws(ChunkArchiveError) -> Data {
        let m = members[index]
        let zip = try openWithZIPFoundation()
        guard let entry = zip.enumerated().first(where: { $0.offset == index })?.element, entry.path == m.name else {
            throw ChunkArchiveError(.corrupt, path: path, member: m.name, detail: "ZIPFoundation cannot find it")
        }
        var out = Data(capacity: m.uncompressedSize)
        do {
            _ = try zip.extract(entry, bufferSize: max(1, min(m.uncompressedSize, 1 << 22))) { out.append($0) }
        } catch {
            throw ChunkArchiveError(.corrupt, path: path, member: m.name, detail: "cannot be inflated (\(error))")
        }
        guard out.count == m.uncompressedSize else {
            throw ChunkArchiveError(
                .corrupt, path: path, member: m.name,
                detail: "inflates to \(out.count) bytes, the directory says \(m.uncompressedSize)")
        }
        return out
    }
}

func hex(_ v: UInt32) -> String {
    let s = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - s.count)) + s
}
