import Foundation

/// The few zip structures cvat-ds needs, read straight from the mapped file.
///
/// ZIPFoundation does not expose where a member's data starts, which is what lets `ChunkArchive` hand out
/// slices of the mapping instead of copies; so the central directory and local headers are parsed here, with
/// every offset bounds-checked. ZIPFoundation remains the reader of record in `ChunkArchive.validate(path:)`.
enum ZipDirectory {
    static let endOfCentralDirectorySignature: UInt32 = 0x0605_4b50
    static let centralHeaderSignature: UInt32 = 0x0201_4b50
    static let localHeaderSignature: UInt32 = 0x0403_4b50

    static func parse(_ data: Data, path: String) throws(ChunkArchiveError) -> [ChunkArchive.Member] {
        // Data.withUnsafeBytes is not typed-throws; carry the result out instead.
        let result: Result<[ChunkArchive.Member], ChunkArchiveError> = data.withUnsafeBytes { raw in
            do throws(ChunkArchiveError) { return .success(try parse(raw, path: path)) } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private static func parse(_ b: UnsafeRawBufferPointer, path: String) throws(ChunkArchiveError) -> [ChunkArchive
        .Member]
    {
        func u16(_ o: Int) -> Int { Int(b[o]) | Int(b[o + 1]) << 8 }
        func u32(_ o: Int) -> UInt32 {
            UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24
        }
        let size = b.count
        // The end record is 22 bytes plus a comment of up to 65535 bytes, at the very end.
        var eocd = -1
        if size >= 22 {
            var o = size - 22
            let lowest = max(0, size - 22 - 65535)
            while o >= lowest {
                if u32(o) == endOfCentralDirectorySignature && o + 22 + u16(o + 20) == size {
                    eocd = o
                    break
                }
                o -= 1
            }
        }
        guard eocd >= 0 else {
            if size >= 4 && u32(0) == localHeaderSignature {
                throw ChunkArchiveError(
                    .truncated, path: path, detail: "a zip without its central directory (\(size) bytes): cut short")
            }
            throw ChunkArchiveError(
                .notAZip, path: path, detail: "not a zip archive (no end-of-central-directory record)")
        }
        let entryCount = u16(eocd + 10)
        let directorySize = Int(u32(eocd + 12))
        let directoryOffset = Int(u32(eocd + 16))
        if entryCount == 0xFFFF || directoryOffset == 0xFFFF_FFFF || directorySize == 0xFFFF_FFFF {
            throw ChunkArchiveError(.unsupportedFeature, path: path, detail: "ZIP64 archives are not supported")
        }
        guard u16(eocd + 4) == 0, u16(eocd + 6) == 0, u16(eocd + 8) == entryCount else {
            throw ChunkArchiveError(
                .unsupportedFeature, path: path, detail: "multi-disk zip archives are not supported")
        }
        guard directoryOffset + directorySize <= eocd else {
            throw ChunkArchiveError(
                .truncated, path: path,
                detail: "central directory at \(directoryOffset)+\(directorySize) runs past its end record at \(eocd)")
        }
        // Zip writers put the end record right after the directory. Bytes between them mean the file is not one
        // archive: several copies back to back (a server that streamed the chunk over and over) or data spliced
        // in; the end record would then describe only part of what was received.
        guard directoryOffset + directorySize == eocd else {
            throw ChunkArchiveError(
                .corrupt, path: path,
                detail: "\(eocd - directoryOffset - directorySize) unexpected bytes between the central directory "
                    + "(ending at \(directoryOffset + directorySize)) and its end record at \(eocd)")
        }

        var members: [ChunkArchive.Member] = []
        members.reserveCapacity(entryCount)
        var seen = Set<String>()
        var o = directoryOffset
        for index in 0..<entryCount {
            guard o + 46 <= directoryOffset + directorySize, u32(o) == centralHeaderSignature else {
                throw ChunkArchiveError(.corrupt, path: path, detail: "central directory entry \(index) is damaged")
            }
            let madeBy = u16(o + 4)
            let flags = u16(o + 8)
            let method = u16(o + 10)
            let crc = u32(o + 16)
            let compressed = Int(u32(o + 20))
            let uncompressed = Int(u32(o + 24))
            let nameLength = u16(o + 28)
            let extraLength = u16(o + 30)
            let commentLength = u16(o + 32)
            let external = u32(o + 38)
            let localOffset = Int(u32(o + 42))
            let nameEnd = o + 46 + nameLength
            guard nameEnd + extraLength + commentLength <= directoryOffset + directorySize else {
                throw ChunkArchiveError(.corrupt, path: path, detail: "central directory entry \(index) overruns it")
            }
            let nameBytes = UnsafeRawBufferPointer(rebasing: b[(o + 46)..<nameEnd])
            let name = String(decoding: nameBytes, as: UTF8.self)
            try checkName(name, bytes: nameBytes, path: path)
            guard seen.insert(name).inserted else {
                throw ChunkArchiveError(
                    .duplicateMember, path: path, member: name, detail: "the name occurs more than once")
            }
            // Unix file type in the high 16 bits of the external attributes (when written on Unix), DOS bit 4.
            let unixMode = (madeBy >> 8) == 3 ? (external >> 16) & 0o170000 : 0
            if unixMode == 0o120000 {
                throw ChunkArchiveError(.notARegularFile, path: path, member: name, detail: "a symbolic link")
            }
            if name.hasSuffix("/") || unixMode == 0o040000 || external & 0x10 != 0 {
                throw ChunkArchiveError(.notARegularFile, path: path, member: name, detail: "a directory")
            }
            if unixMode != 0 && unixMode != 0o100000 {
                throw ChunkArchiveError(
                    .notARegularFile, path: path, member: name,
                    detail: "a special file (mode \(String(unixMode, radix: 8)))")
            }
            if flags & 1 != 0 {
                throw ChunkArchiveError(.unsupportedFeature, path: path, member: name, detail: "encrypted")
            }
            if compressed == 0xFFFF_FFFF || uncompressed == 0xFFFF_FFFF || localOffset == 0xFFFF_FFFF {
                throw ChunkArchiveError(.unsupportedFeature, path: path, member: name, detail: "ZIP64 sizes")
            }
            guard method == 0 || method == 8 else {
                throw ChunkArchiveError(
                    .unsupportedFeature, path: path, member: name, detail: "compression method \(method)")
            }
            if method == 0 && compressed != uncompressed {
                throw ChunkArchiveError(
                    .corrupt, path: path, member: name,
                    detail: "stored with \(compressed) bytes but \(uncompressed) uncompressed")
            }
            // The local header repeats the name; its extra field may differ in length from the central one.
            guard localOffset + 30 <= directoryOffset else {
                throw ChunkArchiveError(
                    .truncated, path: path, member: name, detail: "local header at \(localOffset) is past the data")
            }
            guard u32(localOffset) == localHeaderSignature else {
                throw ChunkArchiveError(.corrupt, path: path, member: name, detail: "no local header at \(localOffset)")
            }
            let localNameLength = u16(localOffset + 26)
            let localExtraLength = u16(localOffset + 28)
            let dataOffset = localOffset + 30 + localNameLength + localExtraLength
            guard dataOffset + compressed <= directoryOffset else {
                throw ChunkArchiveError(
                    .truncated, path: path, member: name,
                    detail: "its \(compressed) bytes at \(dataOffset) run past the end of the member data")
            }
            let localName = UnsafeRawBufferPointer(
                rebasing: b[(localOffset + 30)..<(localOffset + 30 + localNameLength)])
            guard localName.elementsEqual(nameBytes) else {
                throw ChunkArchiveError(
                    .corrupt, path: path, member: name,
                    detail: "its local header names it '\(String(decoding: localName, as: UTF8.self))'")
            }
            // Without a data descriptor, the local sizes and CRC must agree with the directory.
            if u16(localOffset + 6) & 8 == 0 {
                guard u32(localOffset + 14) == crc, Int(u32(localOffset + 18)) == compressed,
                    Int(u32(localOffset + 22)) == uncompressed
                else {
                    throw ChunkArchiveError(
                        .corrupt, path: path, member: name,
                        detail: "local header sizes or CRC disagree with the central directory")
                }
            }
            members.append(
                ChunkArchive.Member(
                    name: name, dataOffset: dataOffset, compressedSize: compressed, uncompressedSize: uncompressed,
                    crc32: crc, deflated: method == 8))
            o = nameEnd + extraLength + commentLength
        }
        return members
    }

    /// Rejects names that could escape an extraction directory or that tools would read differently.
    static func checkName(_ name: String, bytes: UnsafeRawBufferPointer, path: String) throws(ChunkArchiveError) {
        func reject(_ why: String) -> ChunkArchiveError {
            ChunkArchiveError(.unsafeMemberName, path: path, member: name, detail: why)
        }
        if name.isEmpty { throw reject("an empty name") }
        if bytes.contains(0) { throw reject("a NUL byte in the name") }
        if bytes.contains(UInt8(ascii: "\\")) { throw reject("a backslash in the name") }
        if name.hasPrefix("/") { throw reject("an absolute name") }
        let scalars = Array(name.unicodeScalars.prefix(2))
        if scalars.count == 2, scalars[1] == ":", scalars[0].properties.isAlphabetic {
            throw reject("a drive-letter name")
        }
        if name.split(separator: "/", omittingEmptySubsequences: false).contains("..") {
            throw reject("a '..' component in the name")
        }
    }
}
