public import CvatErrors
import CvatSystem

/// Why an array file could not be read; every case names the file.
public struct TensorReadError: KindedError, Sendable, Hashable {
    public enum Kind: ErrorKind {
        /// The file does not exist.
        case missing
        /// The file exists but cannot be opened, sized or mapped.
        case io
        /// The file is not an array of the kind and size expected (bad header, unsupported dtype, wrong length).
        case malformed

        public var category: ErrorCategory {
            switch self {
            case .missing: .notFound
            case .io: .io
            case .malformed: .data
            }
        }
    }

    public var kind: Kind
    public var path: String
    public var reason: String

    public init(_ kind: Kind, path: String, _ reason: String) {
        self.kind = kind
        self.path = path
        self.reason = reason
    }

    public var message: String { "\(path): \(reason)" }
}

/// Reads the arrays cvat-ds writes: `.npy` format 1.0 (2.0 is accepted too) in the dtypes of `DType`, little
/// endian, C order, or a headerless `.bin` whose dtype and shape come from the manifest.
///
/// The file is memory-mapped read-only, so only the pages of the rows actually read are loaded: a preview of 16
/// images out of a 100 GB `images.npy` touches a few megabytes. Element accessors copy into Swift arrays, so no
/// pointer outlives the reader.
public final class NPYReader: @unchecked Sendable {
    public let path: String
    public let dtype: DType
    public let shape: [Int]
    /// Where the data starts in the file (0 for `.bin`).
    public let dataOffset: Int
    /// Number of elements, the product of `shape`.
    public let elementCount: Int

    private let mapping: UnsafeRawPointer?
    private let mappedLength: Int

    /// Opens a `.npy` file and checks its header.
    public convenience init(npyPath path: String) throws(TensorReadError) {
        let file = try MappedFile(path: path)
        let header = try NPYHeaderParser.parse(file.bytes, path: path)
        try self.init(path: path, file: file, dtype: header.dtype, shape: header.shape, dataOffset: header.dataOffset)
    }

    /// Opens a headerless little-endian C-order file of `dtype` and `shape` (a `--format raw` array).
    public convenience init(rawPath path: String, dtype: DType, shape: [Int]) throws(TensorReadError) {
        let file = try MappedFile(path: path)
        try self.init(path: path, file: file, dtype: dtype, shape: shape, dataOffset: 0)
    }

    /// Opens one array of an export: `.npy` or raw by the file name, checked against the manifest's dtype and
    /// shape (a `.npy` header that disagrees with the manifest is refused, naming both).
    public convenience init(entry: Manifest.ArrayEntry, directory: String) throws(TensorReadError) {
        let path = directory.hasSuffix("/") ? directory + entry.file : directory + "/" + entry.file
        if entry.file.hasSuffix(".npy") {
            try self.init(npyPath: path)
            guard dtype == entry.dtype, shape == entry.shape else {
                throw TensorReadError(
                    .malformed, path: path,
                    "holds \(dtype.rawValue) \(shape), but manifest.json says \(entry.dtype.rawValue) \(entry.shape)")
            }
        } else {
            try self.init(rawPath: path, dtype: entry.dtype, shape: entry.shape)
        }
    }

    private init(path: String, file: MappedFile, dtype: DType, shape: [Int], dataOffset: Int) throws(TensorReadError) {
        var count = 1
        for d in shape {
            guard d >= 0 else { throw TensorReadError(.malformed, path: path, "negative dimension in shape \(shape)") }
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow else { throw TensorReadError(.malformed, path: path, "shape \(shape) is too large") }
            count = product
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow else { throw TensorReadError(.malformed, path: path, "shape \(shape) is too large") }
        let available = file.length - dataOffset
        guard available == bytes else {
            let what = dataOffset > 0 ? "after its \(dataOffset)-byte header" : "in all"
            throw TensorReadError(
                .malformed, path: path,
                "holds \(max(available, 0)) bytes \(what), but \(dtype.rawValue) \(shape) needs \(bytes)"
                    + (available < bytes ? " (the file is truncated)" : ""))
        }
        self.path = path
        self.dtype = dtype
        self.shape = shape
        self.dataOffset = dataOffset
        self.elementCount = count
        // The reader takes over the mapping.
        self.mapping = file.release()
        self.mappedLength = file.length
    }

    deinit {
        if let mapping { munmap(UnsafeMutableRawPointer(mutating: mapping), mappedLength) }
    }

    /// Elements per index of the leading dimension (1 for a 1-D array).
    public var rowElements: Int { shape.dropFirst().reduce(1, *) }
    /// The leading dimension (1 for a 0-D array).
    public var rowCount: Int { shape.first ?? 1 }

    public func uint8(_ elements: Range<Int>) throws(TensorReadError) -> [UInt8] {
        try read(elements, as: .uint8) { raw, i in raw.load(fromByteOffset: i, as: UInt8.self) }
    }

    public func uint16(_ elements: Range<Int>) throws(TensorReadError) -> [UInt16] {
        try read(elements, as: .uint16) { raw, i in
            UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))
        }
    }

    public func int32(_ elements: Range<Int>) throws(TensorReadError) -> [Int32] {
        try read(elements, as: .int32) { raw, i in
            Int32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: Int32.self))
        }
    }

    public func int64(_ elements: Range<Int>) throws(TensorReadError) -> [Int64] {
        try read(elements, as: .int64) { raw, i in
            Int64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: Int64.self))
        }
    }

    public func float32(_ elements: Range<Int>) throws(TensorReadError) -> [Float] {
        try read(elements, as: .float32) { raw, i in
            Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))
        }
    }

    /// Any integer or float dtype as `Double` (exact for every value but int64 beyond 2^53).
    public func doubles(_ elements: Range<Int>) throws(TensorReadError) -> [Double] {
        switch dtype {
        case .uint8: return try uint8(elements).map(Double.init)
        case .uint16: return try uint16(elements).map(Double.init)
        case .int32: return try int32(elements).map(Double.init)
        case .int64: return try int64(elements).map(Double.init)
        case .float32: return try float32(elements).map(Double.init)
        }
    }

    /// Any integer dtype as `Int` (a float32 array is refused).
    public func ints(_ elements: Range<Int>) throws(TensorReadError) -> [Int] {
        switch dtype {
        case .uint8: return try uint8(elements).map(Int.init)
        case .uint16: return try uint16(elements).map(Int.init)
        case .int32: return try int32(elements).map(Int.init)
        case .int64: return try int64(elements).map { Int($0) }
        case .float32: throw TensorReadError(.malformed, path: path, "holds float32 values where integers are expected")
        }
    }

    /// The elements of rows `rows` of the leading dimension.
    public func rowRange(_ rows: Range<Int>) -> Range<Int> {
        (rows.lowerBound * rowElements)..<(rows.upperBound * rowElements)
    }

    private func read<T>(
        _ elements: Range<Int>, as expected: DType, _ load: (UnsafeRawPointer, Int) -> T
    ) throws(TensorReadError) -> [T] {
        guard dtype == expected else {
            throw TensorReadError(.malformed, path: path, "holds \(dtype.rawValue), not \(expected.rawValue)")
        }
        guard elements.lowerBound >= 0, elements.upperBound <= elementCount else {
            throw TensorReadError(
                .malformed, path: path, "elements \(elements) are outside the \(elementCount) it holds (shape \(shape))"
            )
        }
        guard !elements.isEmpty, let mapping else { return [] }
        let base = mapping + dataOffset + elements.lowerBound * dtype.byteSize
        return [T](unsafeUninitializedCapacity: elements.count) { buffer, initialised in
            for i in 0..<elements.count { (buffer.baseAddress! + i).initialize(to: load(base, i)) }
            initialised = elements.count
        }
    }
}

/// A whole file mapped read-only; `release` hands the mapping to the reader.
private final class MappedFile {
    let length: Int
    private var mapping: UnsafeRawPointer?

    init(path: String) throws(TensorReadError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let e = errno
            throw TensorReadError(e == ENOENT ? .missing : .io, path: path, e == ENOENT ? "no such file" : Self.text(e))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw TensorReadError(.io, path: path, Self.text(errno)) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw TensorReadError(.malformed, path: path, "not a regular file")
        }
        length = Int(info.st_size)
        guard length > 0 else { return }  // mmap refuses an empty file; there is nothing to read anyway.
        let p = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let p, p != MAP_FAILED else { throw TensorReadError(.io, path: path, "cannot map: \(Self.text(errno))") }
        mapping = UnsafeRawPointer(p)
    }

    deinit {
        if let mapping { munmap(UnsafeMutableRawPointer(mutating: mapping), length) }
    }

    /// The file's bytes (empty for an empty file); valid while this object holds the mapping.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: mapping, count: mapping == nil ? 0 : length) }

    func release() -> UnsafeRawPointer? {
        defer { mapping = nil }
        return mapping
    }

    static func text(_ e: Int32) -> String {
        guard let s = strerror(e) else { return "errno \(e)" }
        return String(cString: s)
    }
}

/// Parses the `.npy` preamble and header dictionary, as `numpy.lib.format.read_array_header_1_0` accepts it.
enum NPYHeaderParser {
    struct Header: Equatable {
        var dtype: DType
        var shape: [Int]
        var dataOffset: Int
    }

    static func parse(_ file: UnsafeRawBufferPointer, path: String) throws(TensorReadError) -> Header {
        func fail(_ reason: String) -> TensorReadError { TensorReadError(.malformed, path: path, reason) }
        guard file.count >= 10, file.prefix(6).elementsEqual(NPYHeader.magic) else {
            throw fail("not a .npy file (no \\x93NUMPY magic)")
        }
        let major = file[6]
        let headerLength: Int
        let start: Int
        switch major {
        case 1:
            headerLength = Int(file[8]) | Int(file[9]) << 8
            start = 10
        case 2, 3:
            guard file.count >= 12 else { throw fail("the .npy header is truncated") }
            headerLength = Int(file[8]) | Int(file[9]) << 8 | Int(file[10]) << 16 | Int(file[11]) << 24
            start = 12
        default:
            throw fail(".npy format version \(major).\(file[7]) is not supported (1.0 is)")
        }
        guard file.count >= start + headerLength else { throw fail("the .npy header runs past the end of the file") }
        let text = String(decoding: file[start..<(start + headerLength)], as: UTF8.self)
        guard let dict = dictionaryText(text) else { throw fail("unreadable .npy header \(quoted(text))") }

        guard let descr = value(of: "descr", in: dict), descr.count >= 2, descr.hasPrefix("'") && descr.hasSuffix("'")
        else { throw fail("the .npy header has no 'descr' string: \(quoted(text))") }
        let code = String(descr.dropFirst().dropLast())
        let dtype: DType
        switch code {
        case "|u1", "<u1", "u1", "|b1": dtype = .uint8
        case "<u2": dtype = .uint16
        case "<i4": dtype = .int32
        case "<i8": dtype = .int64
        case "<f4": dtype = .float32
        case let c where c.hasPrefix(">"):
            throw fail("big-endian dtype '\(c)' is not supported (cvat-ds writes little-endian arrays)")
        default:
            throw fail(
                "dtype '\(code)' is not supported (uint8 '|u1', uint16 '<u2', int32 '<i4', int64 '<i8', float32 '<f4' "
                    + "are)")
        }
        guard let fortran = value(of: "fortran_order", in: dict), fortran == "False" || fortran == "True" else {
            throw fail("the .npy header has no 'fortran_order': \(quoted(text))")
        }
        guard fortran == "False" else { throw fail("Fortran-order arrays are not supported (C order is)") }
        guard let shapeText = value(of: "shape", in: dict), shapeText.hasPrefix("("), shapeText.hasSuffix(")") else {
            throw fail("the .npy header has no 'shape' tuple: \(quoted(text))")
        }
        var shape: [Int] = []
        for part in shapeText.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = part.trimmingSpaces
            if trimmed.isEmpty { continue }
            // NumPy may write `3L` on old Pythons.
            let digits = trimmed.hasSuffix("L") ? String(trimmed.dropLast()) : trimmed
            guard let d = Int(digits), d >= 0 else { throw fail("bad dimension '\(trimmed)' in shape \(shapeText)") }
            shape.append(d)
        }
        return Header(dtype: dtype, shape: shape, dataOffset: start + headerLength)
    }

    private static func quoted(_ text: String) -> String {
        let t = text.trimmingSpaces
        return t.count > 120 ? "\"\(t.prefix(120))...\"" : "\"\(t)\""
    }

    /// The text between the outer braces.
    private static func dictionaryText(_ text: String) -> Substring? {
        guard let open = text.firstIndex(of: "{"), let close = text.lastIndex(of: "}"), open < close else { return nil }
        return text[text.index(after: open)..<close]
    }

    /// The raw text of the value of `'key':` at the top level of the dictionary (a quoted string, a tuple, or a
    /// bare word), trimmed.
    private static func value(of key: String, in dict: Substring) -> String? {
        for quote in ["'", "\""] {
            guard let range = dict.firstRange(of: quote + key + quote) else { continue }
            var rest = dict[range.upperBound...].drop { $0 == " " }
            guard rest.first == ":" else { continue }
            rest = rest.dropFirst().drop { $0 == " " }
            guard let first = rest.first else { return nil }
            switch first {
            case "'", "\"":
                guard let end = rest.dropFirst().firstIndex(of: first) else { return nil }
                return String(rest[...end])
            case "(":
                guard let end = rest.firstIndex(of: ")") else { return nil }
                return String(rest[...end])
            default:
                let end = rest.firstIndex(where: { $0 == "," || $0 == "}" }) ?? rest.endIndex
                return String(rest[..<end]).trimmingSpaces
            }
        }
        return nil
    }
}

extension StringProtocol {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\n" }.reversed().drop { $0 == " " || $0 == "\n" }.reversed())
    }
}
