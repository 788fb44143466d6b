/// An 8-bit RGB image: `height` rows of `width` pixels, each pixel three bytes R, G, B (HWC, no row padding).
///
/// This is the one pixel format the pipeline hands around, the same as a Pillow image in mode "RGB" (whose
/// `tobytes()` gives exactly `pixels`) and as `PILToTensor` before its permute.
public struct RGBImage: Sendable, Hashable {
    /// Width in pixels.
    public private(set) var width: Int
    /// Height in pixels.
    public private(set) var height: Int
    /// `width * height * 3` bytes, row-major, interleaved R, G, B.
    ///
    /// Read-only outside this module so the count always matches the size; write through
    /// `withUnsafeMutablePixels`, the subscript, or build a new image.
    public internal(set) var pixels: [UInt8]

    /// Wraps existing pixels; throws if the count does not match the size.
    public init(width: Int, height: Int, pixels: [UInt8]) throws(ImageError) {
        guard width > 0, height > 0 else { throw .invalidSize(width: width, height: height) }
        guard pixels.count == width * height * 3 else {
            throw .bufferSizeMismatch(expected: width * height * 3, actual: pixels.count)
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// A `width` x `height` image filled with one colour (black by default).
    public init(width: Int, height: Int, fill: (r: UInt8, g: UInt8, b: UInt8) = (0, 0, 0)) {
        precondition(width > 0 && height > 0, "RGBImage size must be positive")
        self.width = width
        self.height = height
        if fill.r == fill.g && fill.g == fill.b {
            self.pixels = [UInt8](repeating: fill.r, count: width * height * 3)
        } else {
            var p = [UInt8](repeating: 0, count: width * height * 3)
            var i = 0
            while i < p.count {
                p[i] = fill.r
                p[i + 1] = fill.g
                p[i + 2] = fill.b
                i += 3
            }
            self.pixels = p
        }
    }

    /// Builds an image by letting `body` fill all `width * height * 3` bytes of fresh, uninitialised storage.
    ///
    /// Decoders use this so their output is written once, straight into the array that the image keeps.
    public init(
        width: Int, height: Int,
        unsafeUninitializedPixels body: (inout UnsafeMutableBufferPointer<UInt8>) throws -> Void
    ) rethrows {
        precondition(width > 0 && height > 0, "RGBImage size must be positive")
        let count = width * height * 3
        self.width = width
        self.height = height
        self.pixels = try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialised in
            try body(&buffer)
            initialised = count
        }
    }

    /// Number of bytes in one row.
    public var rowBytes: Int { width * 3 }

    /// The pixel at column `x`, row `y`.
    public subscript(x: Int, y: Int) -> (r: UInt8, g: UInt8, b: UInt8) {
        get {
            precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside \(width)x\(height)")
            let i = (y * width + x) * 3
            return (pixels[i], pixels[i + 1], pixels[i + 2])
        }
        set {
            precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside \(width)x\(height)")
            let i = (y * width + x) * 3
            pixels[i] = newValue.r
            pixels[i + 1] = newValue.g
            pixels[i + 2] = newValue.b
        }
    }

    /// Gives `body` the pixel bytes to modify in place (the count cannot change).
    public mutating func withUnsafeMutablePixels<R, E: Error>(
        _ body: (UnsafeMutableBufferPointer<UInt8>) throws(E) -> R
    ) throws(E) -> R {
        try pixels.withUnsafeMutableBufferPointer { (buffer) throws(E) -> R in try body(buffer) }
    }

    /// Changes the size, reusing the pixel storage when it is large enough; the pixel values are unspecified.
    ///
    /// Lets a worker keep one `RGBImage` per stage and refill it image after image without reallocating.
    public mutating func reshape(width: Int, height: Int) {
        precondition(width > 0 && height > 0, "RGBImage size must be positive")
        let count = width * height * 3
        // removeLast/append keep the array's capacity, so shrinking then growing back does not reallocate.
        if pixels.count > count {
            pixels.removeLast(pixels.count - count)
        } else if pixels.count < count {
            pixels.append(contentsOf: repeatElement(0, count: count - pixels.count))
        }
        self.width = width
        self.height = height
    }
}

extension RGBImage: CustomStringConvertible {
    public var description: String { "RGBImage(\(width)x\(height))" }
}
