import CvatTensors
import Foundation
import FuzzSupport

/// Fuzzes the .npy writer round trip: shape, dtype and data (appended in input-chosen pieces) are written, then
/// the file is parsed back as NumPy would and compared.
///
/// Input layout: dtype byte, number of trailing dimensions (0...3), that many dimensions (0...6), a piece size,
/// then the data bytes (cut to whole rows). The piece size also sets the writer's buffer (1...256 bytes, so that
/// appends both fit and overflow it; exports use 1 MiB, which no input here fills).
///
/// The file goes to /dev/shm where there is one: a file per input on a disk was a fifth of an execution.
let scratchDirectory = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
let scratch = scratchDirectory + "/fuzz-npy-\(getpid()).npy"

func fuzzOne(_ input: UnsafeRawBufferPointer) {
    var bytes = Array(input)
    guard bytes.count >= 3 else { return }
    let dtype = DType.allCases[Int(bytes.removeFirst()) % DType.allCases.count]
    let dimensions = Int(bytes.removeFirst() % 4)
    guard bytes.count >= dimensions + 1 else { return }
    let trailing = (0..<dimensions).map { _ in Int(bytes.removeFirst() % 7) }
    let piece = Int(bytes.removeFirst()) + 1
    let rowBytes = trailing.reduce(dtype.byteSize, *)
    let rows = rowBytes == 0 ? Int(bytes.count % 5) : bytes.count / rowBytes
    let payload = Array(bytes.prefix(rows * rowBytes))

    defer { unlink(scratch) }
    do {
        let writer = try NPYWriter(
            path: scratch, dtype: dtype, trailingShape: trailing, atomic: piece % 2 == 0,
            bufferSize: (piece * 37) % 256 + 1)
        var offset = 0
        while offset < payload.count {
            let end = min(payload.count, offset + piece)
            try payload[offset..<end].withUnsafeBytes { try writer.append($0) }
            offset = end
        }
        let shape = try writer.finish(leadingDimension: rows)
        precondition(shape == [rows] + trailing, "finish returned \(shape)")
    } catch {
        fatalError("writing \(dtype) \([rows] + trailing) failed: \(error)")
    }
    guard let file = FileManager.default.contents(atPath: scratch).map(Array.init) else { fatalError("no file") }
    let (descr, fortran, shape, dataOffset) = parse(file)
    precondition(descr == dtype.numpyDescr, "descr \(descr)")
    precondition(!fortran, "fortran_order")
    precondition(shape == [rows] + trailing, "header shape \(shape), wrote \([rows] + trailing)")
    precondition(dataOffset % 64 == 0, "data starts at \(dataOffset)")
    precondition(Array(file[dataOffset...]) == payload, "data differs")
}

/// A strict reader of format 1.0 headers, as `numpy.lib.format.read_array_header_1_0` accepts them.
///
/// Hand-written rather than with Swift Regex, which took most of an execution's time.
func parse(_ file: [UInt8]) -> (String, Bool, [Int], Int) {
    precondition(file.count >= 10 && file[0..<6].elementsEqual([0x93] + Array("NUMPY".utf8)), "magic")
    precondition(file[6] == 1 && file[7] == 0, "version \(file[6]).\(file[7])")
    let length = Int(file[8]) | Int(file[9]) << 8
    precondition(file.count >= 10 + length, "header runs past the file")
    let header = String(decoding: file[10..<(10 + length)], as: UTF8.self)
    precondition(header.hasSuffix("\n") && header.allSatisfy(\.isASCII), "header must be ASCII ending in newline")
    /// The text between `key` and the first `end` after it.
    func value(after key: String, upTo end: Character) -> Substring {
        guard let start = header.range(of: key)?.upperBound, let stop = header[start...].firstIndex(of: end) else {
            fatalError("no \(key)...\(end) in header \(header)")
        }
        return header[start..<stop]
    }
    let descr = value(after: "'descr': '", upTo: "'")
    let fortran = value(after: "'fortran_order': ", upTo: ",")
    precondition(fortran == "True" || fortran == "False", "fortran_order \(fortran)")
    let shapeText = value(after: "'shape': (", upTo: ")")
    precondition(shapeText.allSatisfy { $0.isNumber || $0 == "," || $0 == " " }, "shape (\(shapeText))")
    let shape = shapeText.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    if shape.count == 1 { precondition(shapeText.hasSuffix(","), "a 1-tuple needs its comma: (\(shapeText))") }
    return (String(descr), fortran == "True", shape, 10 + length)
}

@main
enum Entry {
    static func main() { FuzzDriver.run(fuzzOne) }
}
