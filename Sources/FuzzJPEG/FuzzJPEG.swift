import CvatCodecs
import CvatImage
import Foundation
import FuzzSupport

/// Fuzzes the JPEG path a chunk member takes: header, full decode, and DCT-scaled decode into a reused image.
/// The pixel limit is lowered so the fuzzer spends its time in the parser, not in allocating huge images.
/// A decoder that cannot be created (TurboJPEG refusing a handle) leaves nothing to fuzz: the run stops, saying why.
nonisolated(unsafe) let decoder: JPEGDecoder = {
    do {
        return try JPEGDecoder(limits: DecodeLimits(maxPixels: 1 << 16))
    } catch {
        fatalError("cannot create the JPEG decoder: \(error)")
    }
}()
nonisolated(unsafe) var reused = RGBImage(width: 1, height: 1)

func fuzzOne(_ input: UnsafeRawBufferPointer) {
    let bytes = Array(input)
    guard let info = try? decoder.readInfo(bytes) else {
        // A header TurboJPEG refuses must be refused by the decoder too.
        if (try? decoder.decode(bytes)) != nil { fatalError("decoded a JPEG whose header was refused") }
        return
    }
    if let image = try? decoder.decode(bytes) {
        precondition(image.width == info.width && image.height == info.height, "decoded size differs from header")
    }
    let minimum = Int(bytes.last ?? 0) % 64 + 1
    for scaling in DCTScaling.allCases {
        _ = try? decoder.decode(bytes, minimumWidth: minimum, minimumHeight: minimum, scaling: scaling, into: &reused)
    }
}

@main
enum Entry {
    static func main() { FuzzDriver.run(fuzzOne) }
}
