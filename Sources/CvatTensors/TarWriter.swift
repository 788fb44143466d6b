/// Streams a POSIX ustar archive to disk: regular files only, each a 512-byte header and its data padded to 512
/// bytes, then the two zero blocks that end an archive. WebDataset shards are such archives.
///
/// Every header has mode 0644, uid and gid 0, no user or group name and mtime 0, so the same members give the
/// same bytes on every run. Member data streams through (`beginMember`, `write`, `endMember`); only the current
/// header is ever built in memory. The archive's SHA-256 is computed over the bytes as they are written. With
/// `atomic`, the data goes to `<path>.partial` until `finish` renames it.
public final class TarWriter {
    public static let blockSize = 512
    /// The largest member the 11 octal digits of a ustar size field hold (8 GiB - 1).
    public static let maxMemberSize = (1 << 33) - 1
    /// The two zero blocks at the end of the archive.
    public static let endOfArchiveSize = 2 * blockSize

    private let file: BufferedFile
    private let hash = SHA256()
    /// The member being written: its name, its declared size and the bytes written so far.
    private var current: (name: String, size: Int, written: Int)?

    public init(path: String, atomic: Bool = true, bufferSize: Int = defaultWriteBufferSize) throws(TensorWriteError) {
        file = try BufferedFile(path: path, atomic: atomic, bufferSize: bufferSize)
    }

    public var path: String { file.path }

    /// Bytes of the archive so far: headers, data and padding.
    public var length: Int { file.length }

    /// The bytes a member of `dataBytes` adds to an archive: its header and its padded data.
    public static func memberLength(dataBytes: Int) -> Int {
        blockSize + (dataBytes + blockSize - 1) / blockSize * blockSize
    }

    /// Writes the header of a regular file `name` of `size` bytes and returns the offset of its data in the
    /// archive. Names are ASCII, at most 100 bytes, without NUL (ustar's `name` field; the `prefix` field is not
    /// used, so a reader never has to join two fields).
    @discardableResult
    public func beginMember(name: String, size: Int) throws(TensorWriteError) -> Int {
        if let current { throw .invalidMember(path: path, "member \(current.name) is not finished") }
        let header = try Self.header(name: name, size: size, archive: path)
        try emit(header)
        current = (name, size, 0)
        return length
    }

    /// Appends data to the member begun last; never more than its declared size.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(TensorWriteError) {
        guard let member = current else { throw .invalidMember(path: path, "data written outside a member") }
        guard member.written + bytes.count <= member.size else {
            throw .invalidMember(
                path: path,
                "member \(member.name) declared \(member.size) bytes; \(member.written + bytes.count) written")
        }
        try emit(bytes)
        current?.written += bytes.count
    }

    public func write(_ bytes: [UInt8]) throws(TensorWriteError) {
        try withBytes(bytes) { (raw) throws(TensorWriteError) in try write(raw) }
    }

    /// Pads the member's data to a whole block; its declared size must have been written.
    public func endMember() throws(TensorWriteError) {
        guard let member = current else { throw .invalidMember(path: path, "no member to finish") }
        guard member.written == member.size else {
            throw .invalidMember(
                path: path, "member \(member.name) declared \(member.size) bytes; only \(member.written) written")
        }
        let padding = (Self.blockSize - member.size % Self.blockSize) % Self.blockSize
        if padding > 0 { try emit([UInt8](repeating: 0, count: padding)) }
        current = nil
    }

    /// A whole member in one call; returns the offset of its data.
    @discardableResult
    public func add(name: String, bytes: [UInt8]) throws(TensorWriteError) -> Int {
        let offset = try beginMember(name: name, size: bytes.count)
        try write(bytes)
        try endMember()
        return offset
    }

    /// Writes the end of the archive, closes it (renaming it into place when atomic) and returns its size and
    /// SHA-256.
    public func finish() throws(TensorWriteError) -> (bytes: Int, sha256: String) {
        if let current { throw .invalidMember(path: path, "member \(current.name) is not finished") }
        try emit([UInt8](repeating: 0, count: Self.endOfArchiveSize))
        try file.commit()
        return (file.length, hash.finalizeHex())
    }

    private func emit(_ bytes: [UInt8]) throws(TensorWriteError) {
        try withBytes(bytes) { (raw) throws(TensorWriteError) in try emit(raw) }
    }

    private func emit(_ bytes: UnsafeRawBufferPointer) throws(TensorWriteError) {
        try file.write(bytes)
        hash.update(bytes)
    }

    /// The ustar header block of a regular file, with its checksum.
    static func header(name: String, size: Int, archive: String) throws(TensorWriteError) -> [UInt8] {
        let nameBytes = Array(name.utf8)
        guard !nameBytes.isEmpty, nameBytes.count <= 100, nameBytes.allSatisfy({ $0 > 0 && $0 < 0x80 }) else {
            throw .invalidMember(path: archive, "member name '\(name)' is not 1 to 100 ASCII bytes")
        }
        guard (0...maxMemberSize).contains(size) else {
            throw .invalidMember(path: archive, "member \(name) of \(size) bytes does not fit a ustar header")
        }
        var block = [UInt8](repeating: 0, count: blockSize)
        func put(_ bytes: [UInt8], at offset: Int) {
            for (i, byte) in bytes.enumerated() { block[offset + i] = byte }
        }
        /// `value` in octal, zero-padded to `width - 1` digits and NUL-terminated.
        func octal(_ value: Int, width: Int) -> [UInt8] {
            let digits = String(value, radix: 8)
            return Array((String(repeating: "0", count: width - 1 - digits.count) + digits).utf8) + [0]
        }
        put(nameBytes, at: 0)
        put(octal(0o644, width: 8), at: 100)  // mode
        put(octal(0, width: 8), at: 108)  // uid
        put(octal(0, width: 8), at: 116)  // gid
        put(octal(size, width: 12), at: 124)
        put(octal(0, width: 12), at: 136)  // mtime
        put(Array("        ".utf8), at: 148)  // the checksum counts its own field as spaces
        block[156] = UInt8(ascii: "0")  // a regular file
        put(Array("ustar".utf8) + [0], at: 257)
        put(Array("00".utf8), at: 263)
        let checksum = block.reduce(0) { $0 + Int($1) }
        put(octal(checksum, width: 7) + [UInt8(ascii: " ")], at: 148)
        return block
    }
}
