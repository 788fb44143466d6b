/// The `.idx` file NVIDIA DALI's `fn.readers.webdataset` reads beside a tar shard, as DALI's `tools/wds2idx.py`
/// writes it, so DALI need not scan the tar: a line `v1.2 N` (N samples), then one line per sample listing each
/// of its members as `EXT OFFSET SIZE NAME`, all separated by single spaces. EXT is the name after the first dot,
/// OFFSET where the member's data starts in the tar, SIZE its data's length.
public struct WebDatasetIndex: Sendable {
    public struct Member: Sendable, Hashable {
        public var name: String
        public var offset: Int
        public var size: Int
        public init(name: String, offset: Int, size: Int) {
            self.name = name
            self.offset = offset
            self.size = size
        }
        /// What follows the name's first dot (`mask.npy` of `000000007.mask.npy`), as WebDataset and DALI split.
        public var ext: String {
            guard let dot = name.firstIndex(of: ".") else { return "" }
            return String(name[name.index(after: dot)...])
        }
    }

    /// The sample lines so far, each ending in a newline: a line per sample is all a shard's index keeps.
    private var lines: [UInt8] = []
    public private(set) var samples = 0

    public init() {}

    public mutating func add(sample members: [Member]) {
        let line = members.map { "\($0.ext) \($0.offset) \($0.size) \($0.name)" }.joined(separator: " ")
        lines += Array(line.utf8)
        lines.append(0x0A)
        samples += 1
    }

    /// The whole file.
    public var encoded: [UInt8] { Array("v1.2 \(samples)\n".utf8) + lines }

    /// Writes the file (atomically: a reader never sees half of it).
    public func write(to path: String) throws(TensorWriteError) {
        let file = try BufferedFile(path: path, atomic: true, bufferSize: 1 << 16)
        try withBytes(encoded) { (raw) throws(TensorWriteError) in try file.write(raw) }
        try file.commit()
    }
}

extension DType {
    /// The `.npy` file of one array of this dtype and shape, before its data: what `numpy.save` writes (the
    /// header padded with spaces so the data starts on a 64-byte boundary).
    public func npyHeader(shape: [Int]) -> [UInt8] {
        let dictionary = NPYHeader.dictionary(descr: numpyDescr, shape: shape).utf8.count
        return NPYHeader.encode(descr: numpyDescr, shape: shape, length: (10 + dictionary + 1 + 63) / 64 * 64)
    }
}
