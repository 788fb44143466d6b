import CvatSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Assembles finished raw arrays into one `.safetensors` file.
///
/// The format: an 8-byte little-endian header length, a JSON header `{name: {"dtype", "shape", "data_offsets":
/// [begin, end]}, "__metadata__": {...}}` padded with spaces so the data starts on an 8-byte boundary, then the
/// arrays' bytes back to back. Offsets are only known once every array is complete, so the arrays are streamed to
/// raw files first and copied in here, a buffer at a time: memory stays bounded by the buffer, not the arrays.
public enum SafetensorsWriter {
    /// One finished array: its name in the file and the raw little-endian C-order file holding its data.
    public struct Part: Sendable {
        public var name: String
        public var dtype: DType
        public var shape: [Int]
        public var rawPath: String
        public init(name: String, dtype: DType, shape: [Int], rawPath: String) {
            self.name = name
            self.dtype = dtype
            self.shape = shape
            self.rawPath = rawPath
        }
    }

    /// safetensors' dtype names.
    static func code(_ dtype: DType) -> String {
        switch dtype {
        case .uint8: return "U8"
        case .uint16: return "U16"
        case .int32: return "I32"
        case .int64: return "I64"
        case .float32: return "F32"
        }
    }

    /// The header bytes (length prefix excluded), padded to a multiple of 8.
    static func header(_ parts: [Part], metadata: [String: String]) -> [UInt8] {
        var entries: [String] = []
        var offset = 0
        for part in parts.sorted(by: { $0.name < $1.name }) {
            let bytes = part.shape.reduce(part.dtype.byteSize, *)
            let shape = part.shape.map(String.init).joined(separator: ",")
            entries.append(
                "\(quoted(part.name)):{\"dtype\":\"\(code(part.dtype))\",\"shape\":[\(shape)],"
                    + "\"data_offsets\":[\(offset),\(offset + bytes)]}")
            offset += bytes
        }
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key < $1.key }.map { "\(quoted($0.key)):\(quoted($0.value))" }
            entries.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var text = Array("{\(entries.joined(separator: ","))}".utf8)
        while (8 + text.count) % 8 != 0 { text.append(0x20) }
        return text
    }

    private static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case let s where s.value < 0x20:
                let hex = String(s.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Writes `path` from `parts` (in name order, as the header lists them). Each raw file must hold exactly
    /// its shape's bytes.
    public static func write(_ parts: [Part], metadata: [String: String] = [:], to path: String)
        throws(TensorWriteError)
    {
        let ordered = parts.sorted { $0.name < $1.name }
        let header = header(ordered, metadata: metadata)
        let out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard out >= 0 else { throw .cannotCreate(path: path, errno: errno) }
        defer { close(out) }
        let length = UInt64(header.count)
        let prefix = (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) }
        try writeAll(out, prefix, count: 8, path: path)
        try writeAll(out, header, count: header.count, path: path)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        for part in ordered {
            let expected = part.shape.reduce(part.dtype.byteSize, *)
            let input = open(part.rawPath, O_RDONLY | O_CLOEXEC)
            guard input >= 0 else { throw .cannotFinish(path: part.rawPath, errno: errno) }
            defer { close(input) }
            var copied = 0
            while true {
                let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
                if count < 0 {
                    if errno == EINTR { continue }
                    throw .cannotFinish(path: part.rawPath, errno: errno)
                }
                if count == 0 { break }
                try writeAll(out, buffer, count: count, path: path)
                copied += count
            }
            guard copied == expected else {
                throw .sizeMismatch(
                    path: part.rawPath, shape: part.shape, expectedBytes: expected, writtenBytes: copied)
            }
        }
        do throws(SystemError) {
            try Syscalls.sync(out, path: path)
        } catch {
            throw .cannotFinish(path: path, errno: error.errno)
        }
    }

    /// Writes the first `count` bytes of `bytes`.
    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], count: Int, path: String) throws(TensorWriteError) {
        try withBytes(bytes) { (raw) throws(TensorWriteError) in
            do throws(SystemError) {
                try Syscalls.writeAll(fd, UnsafeRawBufferPointer(rebasing: raw[0..<count]), path: path)
            } catch {
                throw .writeFailed(path: path, errno: error.errno)
            }
        }
    }
}
