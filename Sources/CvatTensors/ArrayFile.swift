/// What `NPYWriter` and `RawWriter` share: the shape checks, the streaming and the atomic finish. The two formats
/// differ only in the `.npy` header reserved in front of the data, so one body serves both and the checks cannot
/// drift apart.
final class ArrayFile {
    let path: String
    let dtype: DType
    let trailingShape: [Int]
    private let file: BufferedFile
    /// The bytes reserved for the `.npy` header, or nil for headerless raw data.
    private let npyHeaderLength: Int?

    init(
        path: String, dtype: DType, trailingShape: [Int], npyHeader: Bool, atomic: Bool, bufferSize: Int
    ) throws(TensorWriteError) {
        try validateTrailingShape(trailingShape, path: path, dtype: dtype)
        self.path = path
        self.dtype = dtype
        self.trailingShape = trailingShape
        self.npyHeaderLength = npyHeader ? NPYHeader.reservedLength(dimensions: trailingShape.count + 1) : nil
        self.file = try BufferedFile(path: path, atomic: atomic, bufferSize: bufferSize)
        if let npyHeaderLength {
            // A valid header for zero rows, so even an unfinished file says what it holds.
            let header = NPYHeader.encode(descr: dtype.numpyDescr, shape: [0] + trailingShape, length: npyHeaderLength)
            try withBytes(header) { (raw) throws(TensorWriteError) in try file.write(raw) }
        }
    }

    var bytesWritten: Int { file.length - (npyHeaderLength ?? 0) }

    func append(_ bytes: UnsafeRawBufferPointer) throws(TensorWriteError) {
        try file.write(bytes)
    }

    func finish(leadingDimension: Int) throws(TensorWriteError) -> [Int] {
        guard !file.committed else { throw .alreadyFinished(path: path) }
        let shape = try checkedFinalShape(
            leading: leadingDimension, trailing: trailingShape, dtype: dtype, written: bytesWritten, path: path)
        if let npyHeaderLength {
            let header = NPYHeader.encode(descr: dtype.numpyDescr, shape: shape, length: npyHeaderLength)
            try withBytes(header) { (raw) throws(TensorWriteError) in try file.overwrite(raw, at: 0) }
        }
        try file.commit()
        return shape
    }
}
