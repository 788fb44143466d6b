/// Resizes RGB images exactly as Pillow's `Image.resize(size, filter, box)` does, reusing its scratch memory.
///
/// One `Resampler` per worker: it caches the fixed-point coefficients of the last few (source size, target
/// size, filter, box) combinations, which in a dataset export are almost always the same, and keeps the
/// intermediate buffer of the two-pass resize between calls. It is not thread-safe; it is cheap to create.
///
/// Exactness: for `.box`, `.bilinear` and `.bicubic` this is Pillow's `ImagingResample` for 8-bit images
/// (double-precision weights normalised per output sample, rounded to 22-bit fixed point, two passes each
/// rounding and clipping to 8 bits, in Pillow 13's order: normally the horizontal pass over only the source rows
/// the vertical pass needs, then the vertical pass; vertical first when the height shrinks by more than twice as
/// many pixels as the width, see `verticalFirst`). For `.nearest` it is Pillow's `ImagingScaleAffine` with its
/// accumulated double-precision positions.
/// The passes run in C (`CCvatResample`, SSE4.1 or AVX2 chosen at run time, see `ResampleKernels`); they equal
/// the Swift scalar reference passes kept here byte for byte, because every variant computes the same Int32 sums
/// modulo 2^32 (the order of integer additions does not change them).
public final class Resampler {
    private var intermediate: [UInt8] = []
    private var accumulator: [Int32] = []
    private var cache: [(key: CoefficientKey, value: ResampleCoefficients)] = []
    private let cacheLimit = 8
    /// The variant of the C passes (`CCvatResample`) to run, or nil for the Swift scalar reference passes (a
    /// plain port of Pillow's loops, which the C passes are tested against).
    let isa: ResampleISA?

    public init() { isa = .auto }

    /// A resampler that uses only the Swift scalar reference passes.
    init(scalarReference: Bool) { isa = scalarReference ? nil : .auto }

    /// A resampler that runs the C passes' variant `isa` (the test hook: an unsupported one runs `.auto`).
    init(isa: ResampleISA) { self.isa = isa }

    /// Returns `image` resized to `width` x `height`; see `resize(_:width:height:filter:box:into:)`.
    public func resize(
        _ image: RGBImage, width: Int, height: Int, filter: ResampleFilter, box: ResampleBox? = nil
    ) throws(ImageError) -> RGBImage {
        var out = RGBImage(width: width > 0 ? width : 1, height: height > 0 ? height : 1)
        try resize(image, width: width, height: height, filter: filter, box: box, into: &out)
        return out
    }

    /// Resizes `image` into `output`, reusing `output`'s storage when it is large enough.
    ///
    /// - Parameters:
    ///   - box: the source region to scale, Pillow's `box` (default: the whole image).
    /// - Throws: `ImageError.invalidSize` for a non-positive target, `.invalidBox` for a box Pillow refuses.
    public func resize(
        _ image: RGBImage, width: Int, height: Int, filter: ResampleFilter, box: ResampleBox? = nil,
        into output: inout RGBImage
    ) throws(ImageError) {
        guard width > 0, height > 0 else { throw .invalidSize(width: width, height: height) }
        let box = box ?? .whole(width: image.width, height: image.height)
        // The checks of Pillow's _resize, in its order.
        guard box.left >= 0, box.top >= 0, box.right <= Float(image.width), box.bottom <= Float(image.height),
            box.right - box.left >= 0, box.bottom - box.top >= 0
        else {
            throw .invalidBox(
                left: box.left, top: box.top, right: box.right, bottom: box.bottom,
                width: image.width, height: image.height)
        }
        output.reshape(width: width, height: height)

        // Image.resize returns a copy when nothing changes.
        if width == image.width, height == image.height, box == .whole(width: image.width, height: image.height) {
            output.pixels = image.pixels
            return
        }
        // _resize: an integer box of exactly the target size is a crop.
        if box.left == box.left.rounded(.towardZero), box.right - box.left == Float(width),
            box.top == box.top.rounded(.towardZero), box.bottom - box.top == Float(height)
        {
            let cropped = image.cropped(
                left: Int(box.left), top: Int(box.top), right: Int(box.right), bottom: Int(box.bottom))
            output.pixels = cropped.pixels
            return
        }
        if filter == .nearest {
            nearest(image, box: box, into: &output)
        } else {
            convolve(image, box: box, filter: filter, into: &output)
        }
    }

    private func coefficients(
        inSize: Int, in0: Float, in1: Float, outSize: Int, filter: ResampleFilter
    ) -> ResampleCoefficients {
        let key = CoefficientKey(inSize: inSize, in0: in0, in1: in1, outSize: outSize, filter: filter)
        if let hit = cache.first(where: { $0.key == key }) { return hit.value }
        let value = ResampleCoefficients(inSize: inSize, in0: in0, in1: in1, outSize: outSize, filter: filter)
        if cache.count >= cacheLimit { cache.removeFirst() }
        cache.append((key, value))
        return value
    }

    // MARK: Convolution (Pillow's ImagingResampleInner)

    /// Whether Pillow 13 runs the vertical pass before the horizontal one.
    ///
    /// Pillow 13's `ImagingResampleInner` picks the pass order from the *image* sizes (not the box): when both
    /// passes are needed and the height shrinks by more rows than twice the columns the width shrinks by, it
    /// resamples vertically first (into an `inW` x `outH` intermediate), otherwise horizontally first (into an
    /// `outW` x used-rows intermediate). Each pass rounds to 8 bits, so the order shows in the output: e.g.
    /// 120x160 -> 160x120 (width up, height down) is vertical-first. Integer arithmetic as in Pillow:
    /// `inH - outH > 0 && inH - outH > 2 * (inW - outW)`.
    static func verticalFirst(inWidth: Int, inHeight: Int, outWidth: Int, outHeight: Int) -> Bool {
        let rowsDropped = inHeight - outHeight
        return rowsDropped > 0 && rowsDropped > 2 * (inWidth - outWidth)
    }

    private func convolve(_ image: RGBImage, box: ResampleBox, filter: ResampleFilter, into output: inout RGBImage) {
        let outW = output.width
        let outH = output.height
        let inW = image.width
        let inH = image.height
        // Pillow's test compares box[2] with the *output* width; kept as is for identical behaviour.
        let needHorizontal = outW != inW || box.left != 0 || box.right != Float(outW)
        let needVertical = outH != inH || box.top != 0 || box.bottom != Float(outH)

        let vertical = coefficients(inSize: inH, in0: box.top, in1: box.bottom, outSize: outH, filter: filter)

        if needHorizontal && needVertical
            && Self.verticalFirst(inWidth: inW, inHeight: inH, outWidth: outW, outHeight: outH)
        {
            let horizontal = coefficients(
                inSize: inW, in0: box.left, in1: box.right, outSize: outW, filter: filter)
            // Pillow resamples all inW columns; only the ones the horizontal pass reads change the output.
            let xFirst = Int(horizontal.first[0])
            let xLast = Int(horizontal.first[outW - 1] + horizontal.count[outW - 1])
            let columns = xLast - xFirst
            let needed = columns * outH * 3
            if intermediate.count < needed {
                intermediate = [UInt8](repeating: 0, count: needed)
            }
            verticalPass(
                src: image.pixels, srcWidth: inW, firstColumn: xFirst, rowOffset: 0, coefficients: vertical,
                dst: &intermediate, dstWidth: columns)
            horizontalPass(
                src: intermediate, srcWidth: columns, firstColumn: xFirst, firstRow: 0, rows: outH,
                coefficients: horizontal, dst: &output.pixels, dstWidth: outW)
            return
        }

        let yFirst = Int(vertical.first[0])
        let yLast = Int(vertical.first[outH - 1] + vertical.count[outH - 1])

        if needHorizontal {
            let horizontal = coefficients(
                inSize: inW, in0: box.left, in1: box.right, outSize: outW, filter: filter)
            let rows = yLast - yFirst
            if !needVertical {
                // The horizontal pass is the result (rows == inH here).
                horizontalPass(
                    src: image.pixels, srcWidth: inW, firstColumn: 0, firstRow: yFirst, rows: rows,
                    coefficients: horizontal, dst: &output.pixels, dstWidth: outW)
                return
            }
            let needed = rows * outW * 3
            if intermediate.count < needed {
                intermediate = [UInt8](repeating: 0, count: needed)
            }
            horizontalPass(
                src: image.pixels, srcWidth: inW, firstColumn: 0, firstRow: yFirst, rows: rows,
                coefficients: horizontal, dst: &intermediate, dstWidth: outW)
            verticalPass(
                src: intermediate, srcWidth: outW, firstColumn: 0, rowOffset: yFirst, coefficients: vertical,
                dst: &output.pixels, dstWidth: outW)
        } else if needVertical {
            verticalPass(
                src: image.pixels, srcWidth: inW, firstColumn: 0, rowOffset: 0, coefficients: vertical,
                dst: &output.pixels, dstWidth: inW)
        } else {
            output.pixels = image.pixels
        }
    }

    /// Horizontal pass over `rows` rows of `src` starting at row `firstRow`. `src` holds source columns from
    /// `firstColumn` on (`srcWidth` of them per row), so the coefficient bounds are shifted by `firstColumn`.
    private func horizontalPass(
        src: [UInt8], srcWidth: Int, firstColumn: Int, firstRow: Int, rows: Int,
        coefficients c: ResampleCoefficients, dst: inout [UInt8], dstWidth: Int
    ) {
        if let isa {
            ResampleKernels.horizontal(
                isa, src: src, srcWidth: srcWidth, firstColumn: firstColumn, firstRow: firstRow, rows: rows,
                coefficients: c, dst: &dst, dstWidth: dstWidth)
            return
        }
        src.withUnsafeBufferPointer { s in
            dst.withUnsafeMutableBufferPointer { d in
                Self.horizontalPassScalar(
                    src: s, srcWidth: srcWidth, firstColumn: firstColumn, firstRow: firstRow, rows: rows,
                    coefficients: c, dst: d, dstWidth: dstWidth)
            }
        }
    }

    /// Vertical pass into `dst` (`dstWidth` pixels per row) from columns `firstColumn ..< firstColumn +
    /// dstWidth` of `src` (`srcWidth` pixels per row). `rowOffset` is subtracted from the coefficient bounds:
    /// the source starts at image row `rowOffset` (Pillow's "shift bounds for vertical pass").
    private func verticalPass(
        src: [UInt8], srcWidth: Int, firstColumn: Int, rowOffset: Int, coefficients c: ResampleCoefficients,
        dst: inout [UInt8], dstWidth: Int
    ) {
        if let isa {
            ResampleKernels.vertical(
                isa, src: src, srcWidth: srcWidth, firstColumn: firstColumn, rowOffset: rowOffset, coefficients: c,
                dst: &dst, dstWidth: dstWidth)
            return
        }
        src.withUnsafeBufferPointer { s in
            dst.withUnsafeMutableBufferPointer { d in
                verticalPassScalar(
                    src: s, srcWidth: srcWidth, firstColumn: firstColumn, rowOffset: rowOffset, coefficients: c,
                    dst: d, dstWidth: dstWidth)
            }
        }
    }

    @inline(__always)
    private static func clip8(_ value: Int32) -> UInt8 {
        UInt8(clamping: value >> ResampleCoefficients.precisionBits)
    }

    /// The horizontal pass as a plain port of Pillow's loop (the reference the C passes are tested against).
    static func horizontalPassScalar(
        src: UnsafeBufferPointer<UInt8>, srcWidth: Int, firstColumn: Int, firstRow: Int, rows: Int,
        coefficients c: ResampleCoefficients, dst: UnsafeMutableBufferPointer<UInt8>, dstWidth: Int
    ) {
        let half: Int32 = 1 << (ResampleCoefficients.precisionBits - 1)
        let taps = c.taps
        let srcBase = src.baseAddress!
        let dstBase = dst.baseAddress!
        c.weights.withUnsafeBufferPointer { weights in
            c.first.withUnsafeBufferPointer { first in
                c.count.withUnsafeBufferPointer { count in
                    let kBase = weights.baseAddress!
                    for yy in 0..<rows {
                        let inRow = srcBase + (yy + firstRow) * srcWidth * 3
                        var out = dstBase + yy * dstWidth * 3
                        for xx in 0..<dstWidth {
                            let k = kBase + xx * taps
                            var p = inRow + (Int(first[xx]) - firstColumn) * 3
                            var s0 = half
                            var s1 = half
                            var s2 = half
                            for t in 0..<Int(count[xx]) {
                                let w = k[t]
                                s0 &+= Int32(p[0]) &* w
                                s1 &+= Int32(p[1]) &* w
                                s2 &+= Int32(p[2]) &* w
                                p += 3
                            }
                            out[0] = clip8(s0)
                            out[1] = clip8(s1)
                            out[2] = clip8(s2)
                            out += 3
                        }
                    }
                }
            }
        }
    }

    /// The vertical pass as a plain port of Pillow's loop (the reference the C passes are tested against).
    func verticalPassScalar(
        src: UnsafeBufferPointer<UInt8>, srcWidth: Int, firstColumn: Int, rowOffset: Int,
        coefficients c: ResampleCoefficients, dst: UnsafeMutableBufferPointer<UInt8>, dstWidth: Int
    ) {
        let rowLength = dstWidth * 3
        let srcStride = srcWidth * 3
        if accumulator.count < rowLength {
            accumulator = [Int32](repeating: 0, count: rowLength)
        }
        let half: Int32 = 1 << (ResampleCoefficients.precisionBits - 1)
        let taps = c.taps
        let outH = c.first.count
        let srcBase = src.baseAddress! + firstColumn * 3
        let dstBase = dst.baseAddress!
        accumulator.withUnsafeMutableBufferPointer { acc in
            let a = acc.baseAddress!
            c.weights.withUnsafeBufferPointer { weights in
                for yy in 0..<outH {
                    for i in 0..<rowLength { a[i] = half }
                    let first = Int(c.first[yy]) - rowOffset
                    for t in 0..<Int(c.count[yy]) {
                        let w = weights[yy * taps + t]
                        let row = srcBase + (first + t) * srcStride
                        for i in 0..<rowLength {
                            a[i] &+= Int32(row[i]) &* w
                        }
                    }
                    let out = dstBase + yy * rowLength
                    for i in 0..<rowLength {
                        out[i] = Self.clip8(a[i])
                    }
                }
            }
        }
    }

    // MARK: Nearest (Pillow's ImagingScaleAffine)

    private func nearest(_ image: RGBImage, box: ResampleBox, into output: inout RGBImage) {
        let outW = output.width
        let outH = output.height
        let inW = image.width
        let inH = image.height
        // _resize builds the affine matrix from the float box: a[0], a[4] in double from a float difference.
        let a0 = Double(box.right - box.left) / Double(outW)
        let a4 = Double(box.bottom - box.top) / Double(outH)
        var columns = [Int](repeating: -1, count: outW)
        var xo = Double(box.left) + a0 * 0.5
        for x in 0..<outW {
            let xin = xo < 0.0 ? -1 : Int(xo)
            if xin >= 0 && xin < inW { columns[x] = xin }
            xo += a0
        }
        var yo = Double(box.top) + a4 * 0.5
        image.pixels.withUnsafeBufferPointer { src in
            output.pixels.withUnsafeMutableBufferPointer { dst in
                for y in 0..<outH {
                    let yi = yo < 0.0 ? -1 : Int(yo)
                    yo += a4
                    let out = dst.baseAddress! + y * outW * 3
                    guard yi >= 0 && yi < inH else {
                        out.update(repeating: 0, count: outW * 3)
                        continue
                    }
                    let row = src.baseAddress! + yi * inW * 3
                    for x in 0..<outW {
                        let c = columns[x]
                        if c < 0 {
                            out[x * 3] = 0
                            out[x * 3 + 1] = 0
                            out[x * 3 + 2] = 0
                        } else {
                            out[x * 3] = row[c * 3]
                            out[x * 3 + 1] = row[c * 3 + 1]
                            out[x * 3 + 2] = row[c * 3 + 2]
                        }
                    }
                }
            }
        }
    }
}

extension RGBImage {
    /// This image resized as Pillow's `Image.resize((width, height), filter, box)` would.
    ///
    /// Convenience over a throwaway `Resampler`; a worker resizing many images should keep one `Resampler`.
    public func resized(
        width: Int, height: Int, filter: ResampleFilter = .bicubic, box: ResampleBox? = nil
    ) throws(ImageError) -> RGBImage {
        try Resampler().resize(self, width: width, height: height, filter: filter, box: box)
    }
}
