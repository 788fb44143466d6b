import CvatCodecs
import CvatImage
import Foundation
import FuzzSupport

/// Fuzzes the PNG path: the IHDR reader, libpng's simplified API through the C shim, and format sniffing.
/// A decoder that cannot be created (TurboJPEG refusing a handle) leaves nothing to fuzz: the run stops, saying why.
nonisolated(unsafe) let decoder: ImageDecoder = {
    do {
        return try ImageDecoder(limits: DecodeLimits(maxPixels: 1 << 16))
    } catch {
        fatalError("cannot create the image decoder: \(error)")
    }
}()
nonisolated(unsafe) var reused = RGBImage(width: 1, height: 1)

func fuzzOne(_ input: UnsafeRawBufferPointer) {
    // Most inputs should look like PNG to reach libpng; the corpus starts from real files.
    let bytes = Array(input)
    let info = try? decoder.png.readInfo(bytes)
    if let image = try? decoder.png.decode(bytes) {
        guard let info else { fatalError("decoded a PNG whose IHDR was refused") }
        precondition(image.width == info.width && image.height == info.height, "decoded size differs from IHDR")
        precondition(image.pixels.count == image.width * image.height * 3, "pixel buffer size is wrong")
    }
    // The format-sniffing entry point, into a reused image as the export workers call it.
    if ImageFormat.sniff(bytes) == .png { _ = try? decoder.decode(bytes, into: &reused) }
}

@main
enum Entry {
    static func main() { FuzzDriver.run(fuzzOne) }
}
