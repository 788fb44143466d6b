import CvatGeometry
import Foundation
import FuzzSupport

/// Fuzzes CVAT's mask run-length decoder with every output variant.
///
/// Input layout: width and height (1...64 each), a mode byte, then the encoded numbers: bytes as small run
/// lengths and coordinates (so valid masks are common), and where the mode byte says so, raw 8-byte doubles
/// (NaN, infinities, huge and fractional values).
func fuzzOne(_ input: UnsafeRawBufferPointer) {
    guard input.count >= 3 else { return }
    let width = Int(input[0] % 64) + 1
    let height = Int(input[1] % 64) + 1
    let mode = input[2]
    let rest = UnsafeRawBufferPointer(rebasing: input[3...])
    var encoded: [Double] = []
    if mode & 1 == 0 {
        encoded = rest.map { Double($0) }
    } else {
        var offset = 0
        while offset + 8 <= rest.count {
            encoded.append(Double(bitPattern: rest.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
            offset += 8
        }
    }
    let dense = try? MaskRLE.decode(encoded, imageWidth: width, imageHeight: height)
    if let dense {
        precondition(dense.count == width * height, "dense mask has the wrong size")
        // Every foreground run lands inside the box: the set pixels are exactly the odd runs' total.
        let runs = encoded.dropLast(4).map { Int($0) }
        let foreground = runs.enumerated().filter { $0.offset & 1 == 1 }.reduce(0) { $0 + $1.element }
        precondition(dense.reduce(0) { $0 + Int($1) } == foreground, "set pixels differ from the runs")
    }
    var bytes = [UInt8](repeating: 7, count: width * height)
    let ok8 =
        (try? bytes.withUnsafeMutableBufferPointer { buffer in
            try MaskRLE.decode(encoded, imageWidth: width, imageHeight: height, into: buffer, value: 3, mode: .replace)
        }) != nil
    precondition(ok8 == (dense != nil), "the byte variant disagrees with the dense one")
    var wide = [UInt16](repeating: 9, count: width * height)
    _ = try? wide.withUnsafeMutableBufferPointer { buffer in
        try MaskRLE.decode(encoded, imageWidth: width, imageHeight: height, into: buffer, value: 300, mode: .overlay)
    }
    // A buffer of the wrong size must be refused, never written past.
    var short = [UInt8](repeating: 0, count: max(0, width * height - 1))
    let wrote =
        (try? short.withUnsafeMutableBufferPointer { buffer in
            try MaskRLE.decode(encoded, imageWidth: width, imageHeight: height, into: buffer)
        }) != nil
    precondition(!wrote, "a short buffer was accepted")
}

@main
enum Entry {
    static func main() { FuzzDriver.run(fuzzOne) }
}
