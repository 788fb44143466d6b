/// Streams one C-order array to disk whose leading dimension is known only at the end (skipped samples, a
/// varying number of boxes), so nothing holds the whole array in memory.
public protocol ArrayWriter: AnyObject {
    /// The final path of the file.
    var path: String { get }
    var dtype: DType { get }
    /// Every dimension after the leading one.
    var trailingShape: [Int] { get }
    /// Bytes of array data appended so far.
    var bytesWritten: Int { get }
    /// Appends raw little-endian element bytes in C order; chunks need not end on element or row boundaries.
    func append(_ bytes: UnsafeRawBufferPointer) throws(TensorWriteError)
    /// Completes the file with this leading dimension and returns the full shape; the bytes written must make
    /// exactly that shape.
    @discardableResult func finish(leadingDimension: Int) throws(TensorWriteError) -> [Int]
}

extension ArrayWriter {
    /// Bytes per index of the leading dimension.
    public var rowBytes: Int { trailingShape.reduce(dtype.byteSize, *) }

    /// Completes the file with as many rows as were written.
    @discardableResult public func finish() throws(TensorWriteError) -> [Int] {
        let row = rowBytes
        guard row > 0 else { return try finish(leadingDimension: 0) }
        guard bytesWritten % row == 0 else {
            throw .partialRow(path: path, writtenBytes: bytesWritten, rowBytes: row)
        }
        return try finish(leadingDimension: bytesWritten / row)
    }

    public func append(_ values: [UInt8]) throws(TensorWriteError) { try appendTyped(values, as: .uint8) }
    public func append(_ values: [UInt16]) throws(TensorWriteError) { try appendTyped(values, as: .uint16) }
    public func append(_ values: [Int32]) throws(TensorWriteError) { try appendTyped(values, as: .int32) }
    public func append(_ values: [Int64]) throws(TensorWriteError) { try appendTyped(values, as: .int64) }
    public func append(_ values: [Float]) throws(TensorWriteError) { try appendTyped(values, as: .float32) }

    private func appendTyped<T: LittleEndianStorable>(_ values: [T], as type: DType) throws(TensorWriteError) {
        guard type == dtype else { throw .wrongDType(path: path, array: dtype, appended: type) }
        #if _endian(little)
            try withBytes(values) { (raw) throws(TensorWriteError) in try append(raw) }
        #else
            try withBytes(values.map { $0.littleEndianBits }) { (raw) throws(TensorWriteError) in try append(raw) }
        #endif
    }
}

/// Element types whose little-endian bytes can be produced without Foundation.
protocol LittleEndianStorable {
    associatedtype Bits: FixedWidthInteger
    var littleEndianBits: Bits { get }
}
extension UInt8: LittleEndianStorable { var littleEndianBits: UInt8 { self } }
extension UInt16: LittleEndianStorable { var littleEndianBits: UInt16 { littleEndian } }
extension Int32: LittleEndianStorable { var littleEndianBits: Int32 { littleEndian } }
extension Int64: LittleEndianStorable { var littleEndianBits: Int64 { littleEndian } }
extension Float: LittleEndianStorable { var littleEndianBits: UInt32 { bitPattern.littleEndian } }

/// Checks a trailing shape and the path it belongs to, shared by both writers.
func validateTrailingShape(_ shape: [Int], path: String, dtype: DType) throws(TensorWriteError) {
    var bytes = dtype.byteSize
    for d in shape {
        guard d >= 0 else { throw .invalidShape(path: path, shape: shape) }
        let (product, overflow) = bytes.multipliedReportingOverflow(by: d)
        guard !overflow else { throw .invalidShape(path: path, shape: shape) }
        bytes = product
    }
}

/// The full shape and byte count for `finish`, or the error saying why the written bytes do not fit.
func checkedFinalShape(
    leading: Int, trailing: [Int], dtype: DType, written: Int, path: String
) throws(TensorWriteError) -> [Int] {
    let shape = [leading] + trailing
    guard leading >= 0 else { throw .invalidShape(path: path, shape: shape) }
    var expected = dtype.byteSize
    for d in shape {
        let (product, overflow) = expected.multipliedReportingOverflow(by: d)
        guard !overflow else { throw .invalidShape(path: path, shape: shape) }
        expected = product
    }
    guard expected == written else {
        throw .sizeMismatch(path: path, shape: shape, expectedBytes: expected, writtenBytes: written)
    }
    return shape
}

/// A writer's default user-space buffer: large enough that a write(2) per MiB costs nothing next to encoding.
public let defaultWriteBufferSize = 1 << 20

/// `Array.withUnsafeBytes` keeping the typed error (the standard library's `rethrows` widens it to `any Error`).
func withBytes<T, R>(
    _ values: [T], _ body: (UnsafeRawBufferPointer) throws(TensorWriteError) -> R
) throws(TensorWriteError) -> R {
    let result: Result<R, TensorWriteError> = values.withUnsafeBytes { raw in
        do throws(TensorWriteError) { return .success(try body(raw)) } catch { return .failure(error) }
    }
    return try result.get()
}
