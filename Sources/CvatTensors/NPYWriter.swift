/// Writes a NumPy `.npy` file (format 1.0) incrementally.
///
/// The header is written first with room for any value of the leading dimension and rewritten in place by
/// `finish`, so the data can stream straight to disk. The header is `{'descr': ..., 'fortran_order': False,
/// 'shape': (...), }`, space-padded and ending in a newline so that the data starts on a 64-byte boundary,
/// as `numpy.lib.format` writes it; `numpy.load`, with or without `mmap_mode`, reads it.
public final class NPYWriter: ArrayWriter {
    private let body: ArrayFile

    /// Creates the file. With `atomic`, the data goes to `<path>.partial` until `finish` renames it.
    public init(
        path: String, dtype: DType, trailingShape: [Int], atomic: Bool = true,
        bufferSize: Int = defaultWriteBufferSize
    ) throws(TensorWriteError) {
        body = try ArrayFile(
            path: path, dtype: dtype, trailingShape: trailingShape, npyHeader: true, atomic: atomic,
            bufferSize: bufferSize)
    }

    public var path: String { body.path }
    public var dtype: DType { body.dtype }
    public var trailingShape: [Int] { body.trailingShape }
    public var bytesWritten: Int { body.bytesWritten }

    public func append(_ bytes: UnsafeRawBufferPointer) throws(TensorWriteError) {
        try body.append(bytes)
    }

    @discardableResult
    public func finish(leadingDimension: Int) throws(TensorWriteError) -> [Int] {
        try body.finish(leadingDimension: leadingDimension)
    }
}

/// Writes headerless little-endian C-order data (`.bin`); the shape goes in the manifest.
public final class RawWriter: ArrayWriter {
    private let body: ArrayFile

    /// Creates the file. With `atomic`, the data goes to `<path>.partial` until `finish` renames it.
    public init(
        path: String, dtype: DType, trailingShape: [Int], atomic: Bool = true,
        bufferSize: Int = defaultWriteBufferSize
    ) throws(TensorWriteError) {
        body = try ArrayFile(
            path: path, dtype: dtype, trailingShape: trailingShape, npyHeader: false, atomic: atomic,
            bufferSize: bufferSize)
    }

    public var path: String { body.path }
    public var dtype: DType { body.dtype }
    public var trailingShape: [Int] { body.trailingShape }
    public var bytesWritten: Int { body.bytesWritten }

    public func append(_ bytes: UnsafeRawBufferPointer) throws(TensorWriteError) {
        try body.append(bytes)
    }

    @discardableResult
    public func finish(leadingDimension: Int) throws(TensorWriteError) -> [Int] {
        try body.finish(leadingDimension: leadingDimension)
    }
}

/// The `.npy` format 1.0 header.
enum NPYHeader {
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // "\x93NUMPY"

    /// The header size (magic to newline) that fits any shape of this many dimensions: every dimension
    /// written with the 19 digits of `Int.max`, rounded up to 64 bytes.
    static func reservedLength(dimensions: Int) -> Int {
        let widest = [Int](repeating: Int.max, count: dimensions)
        let needed = 10 + dictionary(descr: "<f4", shape: widest).utf8.count + 1
        return (needed + 63) / 64 * 64
    }

    static func dictionary(descr: String, shape: [Int]) -> String {
        let dims: String
        switch shape.count {
        case 0: dims = "()"
        case 1: dims = "(\(shape[0]),)"
        default: dims = "(" + shape.map(String.init).joined(separator: ", ") + ")"
        }
        return "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(dims), }"
    }

    /// Magic, version 1.0, the little-endian header length, the dictionary, spaces, newline: `length` bytes.
    static func encode(descr: String, shape: [Int], length: Int) -> [UInt8] {
        let dict = Array(dictionary(descr: descr, shape: shape).utf8)
        let headerLength = length - 10
        precondition(dict.count + 1 <= headerLength && headerLength <= Int(UInt16.max), "reserved header too small")
        var out = magic
        out += [1, 0, UInt8(headerLength & 0xFF), UInt8(headerLength >> 8)]
        out += dict
        out += [UInt8](repeating: 0x20, count: headerLength - dict.count - 1)
        out.append(0x0A)
        return out
    }
}
