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
/// The vertical pass accumulates a whole row per tap instead of a column per pixel; integer sums are exact, so
/// the order does not change the result, and the row order lets the compiler vectorise it.
public final class Resampler {
    private var intermediate: [UInt8] = []
    private var accumulator: [Int32] = []
    /// Scratch for the vector horizontal pass: its source rows transposed, and its result transposed.
    private var transposedIn: [UInt8] = []
    private var transposedOut: [UInt8] = []
    private var cache: [(key: CoefficientKey, value: ResampleCoefficients)] = []
    private let cacheLimit = 8
    /// False only in tests: every pass then runs the scalar reference code (a plain port of Pillow's loops).
    let vectorPasses: Bool

    public init() { vectorPasses = true }

    /// A resampler that uses only the scalar reference passes, to check the vector passes against.
    init(scalarReference: Bool) { vectorPasses = !scalarReference }

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
            intermediate.withUnsafeMutableBufferPointer { tmp in
                image.pixels.withUnsafeBufferPointer { src in
                    verticalPass(
                        src: src, srcWidth: inW, firstColumn: xFirst, rowOffset: 0, coefficients: vertical,
                        dst: tmp, dstWidth: columns)
                }
            }
            output.pixels.withUnsafeMutableBufferPointer { dst in
                intermediate.withUnsafeBufferPointer { tmp in
                    horizontalPass(
                        src: tmp, srcWidth: columns, firstColumn: xFirst, firstRow: 0, rows: outH,
                        coefficients: horizontal, dst: dst, dstWidth: outW)
                }
            }
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
                output.pixels.withUnsafeMutableBufferPointer { dst in
                    image.pixels.withUnsafeBufferPointer { src in
                        horizontalPass(
                            src: src, srcWidth: inW, firstColumn: 0, firstRow: yFirst, rows: rows,
                            coefficients: horizontal, dst: dst, dstWidth: outW)
                    }
                }
                return
            }
            let needed = rows * outW * 3
            if intermediate.count < needed {
                intermediate = [UInt8](repeating: 0, count: needed)
            }
            intermediate.withUnsafeMutableBufferPointer { tmp in
                image.pixels.withUnsafeBufferPointer { src in
                    horizontalPass(
                        src: src, srcWidth: inW, firstColumn: 0, firstRow: yFirst, rows: rows,
                        coefficients: horizontal, dst: tmp, dstWidth: outW)
                }
            }
            output.pixels.withUnsafeMutableBufferPointer { dst in
                intermediate.withUnsafeBufferPointer { tmp in
                    verticalPass(
                        src: tmp, srcWidth: outW, firstColumn: 0, rowOffset: yFirst, coefficients: vertical,
                        dst: dst, dstWidth: outW)
                }
            }
        } else if needVertical {
            output.pixels.withUnsafeMutableBufferPointer { dst in
                image.pixels.withUnsafeBufferPointer { src in
                    verticalPass(
                        src: src, srcWidth: inW, firstColumn: 0, rowOffset: 0, coefficients: vertical,
                        dst: dst, dstWidth: inW)
                }
            }
        } else {
            output.pixels = image.pixels
        }
    }

    @inline(__always)
    private static func clip8(_ value: Int32) -> UInt8 {
        UInt8(clamping: value >> ResampleCoefficients.precisionBits)
    }

    /// Horizontal pass over `rows` rows of `src` starting at row `firstRow`. `src` holds source columns from
    /// `firstColumn` on (`srcWidth` of them per row), so the coefficient bounds are shifted by `firstColumn`.
    ///
    /// The vector version transposes the rows (pixels stay 3 bytes), runs the vector vertical pass with the
    /// horizontal coefficients, and transposes the result back: only whole pixels move, and the sums are the
    /// vertical pass's, congruent modulo 2^32 to the scalar ones.
    private func horizontalPass(
        src: UnsafeBufferPointer<UInt8>, srcWidth: Int, firstColumn: Int, firstRow: Int, rows: Int,
        coefficients c: ResampleCoefficients, dst: UnsafeMutableBufferPointer<UInt8>, dstWidth: Int
    ) {
        guard vectorPasses && c.vectorizable && rows * 3 >= 16 else {
            Self.horizontalPassScalar(
                src: src, srcWidth: srcWidth, firstColumn: firstColumn, firstRow: firstRow, rows: rows,
                coefficients: c, dst: dst, dstWidth: dstWidth)
            return
        }
        if transposedIn.count < srcWidth * rows * 3 { transposedIn = [UInt8](repeating: 0, count: srcWidth * rows * 3) }
        if transposedOut.count < dstWidth * rows * 3 {
            transposedOut = [UInt8](repeating: 0, count: dstWidth * rows * 3)
        }
        transposedIn.withUnsafeMutableBufferPointer { tin in
            Self.transpose(
                src: src.baseAddress! + firstRow * srcWidth * 3, width: srcWidth, height: rows, dst: tin.baseAddress!)
            transposedOut.withUnsafeMutableBufferPointer { tout in
                Self.verticalPassVector(
                    src: UnsafeBufferPointer(tin), srcWidth: rows, firstColumn: 0, rowOffset: firstColumn,
                    coefficients: c, dst: tout, dstWidth: rows)
                Self.transpose(src: tout.baseAddress!, width: rows, height: dstWidth, dst: dst.baseAddress!)
            }
        }
    }

    /// Writes the `width` x `height` RGB image at `src` transposed (`height` x `width`) to `dst`, in blocks so
    /// both sides stay in cache.
    private static func transpose(
        src: UnsafePointer<UInt8>, width: Int, height: Int, dst: UnsafeMutablePointer<UInt8>
    ) {
        let block = 16
        var y0 = 0
        while y0 < height {
            let y1 = min(y0 + block, height)
            var x0 = 0
            while x0 < width {
                let x1 = min(x0 + block, width)
                for y in y0..<y1 {
                    let row = src + y * width * 3
                    var out = dst + (x0 * height + y) * 3
                    for x in x0..<x1 {
                        out[0] = row[x * 3]
                        out[1] = row[x * 3 + 1]
                        out[2] = row[x * 3 + 2]
                        out += height * 3
                    }
                }
                x0 = x1
            }
            y0 = y1
        }
    }

    /// The horizontal pass as a plain port of Pillow's loop (the reference the vector pass is tested against).
    private static func horizontalPassScalar(
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

    /// Vertical pass into `dst` (`dstWidth` pixels per row) from columns `firstColumn ..< firstColumn +
    /// dstWidth` of `src` (`srcWidth` pixels per row). `rowOffset` is subtracted from the coefficient bounds:
    /// the source starts at image row `rowOffset` (Pillow's "shift bounds for vertical pass").
    private func verticalPass(
        src: UnsafeBufferPointer<UInt8>, srcWidth: Int, firstColumn: Int, rowOffset: Int,
        coefficients c: ResampleCoefficients, dst: UnsafeMutableBufferPointer<UInt8>, dstWidth: Int
    ) {
        if vectorPasses && c.vectorizable && dstWidth * 3 >= 16 {
            Self.verticalPassVector(
                src: src, srcWidth: srcWidth, firstColumn: firstColumn, rowOffset: rowOffset, coefficients: c,
                dst: dst, dstWidth: dstWidth)
        } else {
            verticalPassScalar(
                src: src, srcWidth: srcWidth, firstColumn: firstColumn, rowOffset: rowOffset, coefficients: c,
                dst: dst, dstWidth: dstWidth)
        }
    }

    /// The vertical pass as SIMD over x: each output row is a linear combination of whole source rows, done 16
    /// bytes (any channels) at a time with the accumulators in registers, two taps per `pmaddwd` using the split
    /// weights of `ResampleCoefficients.pairLow`/`pairHigh`. The result is congruent modulo 2^32 to the scalar
    /// pass's wrapping Int32 sum, so the same after rounding, shifting and clipping. A row whose length is not a
    /// multiple of 16 ends with a chunk that overlaps the previous one (recomputing the same bytes).
    private static func verticalPassVector(
        src: UnsafeBufferPointer<UInt8>, srcWidth: Int, firstColumn: Int, rowOffset: Int,
        coefficients c: ResampleCoefficients, dst: UnsafeMutableBufferPointer<UInt8>, dstWidth: Int
    ) {
        let rowLength = dstWidth * 3
        let srcStride = srcWidth * 3
        let outH = c.first.count
        let pairs = c.pairsPerOutput
        let srcBase = UnsafeRawPointer(src.baseAddress! + firstColumn * 3)
        let dstBase = UnsafeMutableRawPointer(dst.baseAddress!)
        c.pairLow.withUnsafeBufferPointer { lowWeights in
            c.pairHigh.withUnsafeBufferPointer { highWeights in
                for yy in 0..<outH {
                    let first = Int(c.first[yy]) - rowOffset
                    let n = Int(c.count[yy])
                    let rows = srcBase + first * srcStride
                    let wl = lowWeights.baseAddress! + yy * pairs
                    let wh = highWeights.baseAddress! + yy * pairs
                    let out = dstBase + yy * rowLength
                    var i = 0
                    while i < rowLength {
                        let x = min(i, rowLength - 16)
                        var l0 = SIMD4<Int32>.zero, l1 = l0, l2 = l0, l3 = l0
                        var h0 = l0, h1 = l0, h2 = l0, h3 = l0
                        var t = 0
                        while t < n {
                            let pa = rows + t * srcStride + x
                            // An odd last tap pairs with itself at weight 0 (never reads past its row).
                            let pb = t + 1 < n ? pa + srcStride : pa
                            let a = pa.loadUnaligned(as: SIMD16<UInt8>.self)
                            let b = pb.loadUnaligned(as: SIMD16<UInt8>.self)
                            let z0 = zip4(a, b, 0), z1 = zip4(a, b, 4), z2 = zip4(a, b, 8), z3 = zip4(a, b, 12)
                            let lo = wl[t >> 1], hi = wh[t >> 1]
                            l0 &+= madd(z0, lo); l1 &+= madd(z1, lo); l2 &+= madd(z2, lo); l3 &+= madd(z3, lo)
                            h0 &+= madd(z0, hi); h1 &+= madd(z1, hi); h2 &+= madd(z2, hi); h3 &+= madd(z3, hi)
                            t += 2
                        }
                        let r = SIMD16<Int32>(
                            lowHalf: SIMD8(lowHalf: finish(l0, h0), highHalf: finish(l1, h1)),
                            highHalf: SIMD8(lowHalf: finish(l2, h2), highHalf: finish(l3, h3)))
                        (out + x).storeBytes(of: SIMD16<UInt8>(truncatingIfNeeded: r), as: SIMD16<UInt8>.self)
                        i += 16
                    }
                }
            }
        }
    }

    /// SSE2's `pmaddwd`: `a[2i] * b[2i] + a[2i+1] * b[2i+1]` in 32 bits (LLVM selects the instruction for this).
    @inline(__always)
    static func madd(_ a: SIMD8<Int16>, _ b: SIMD8<Int16>) -> SIMD4<Int32> {
        SIMD4<Int32>(truncatingIfNeeded: a.evenHalf) &* SIMD4<Int32>(truncatingIfNeeded: b.evenHalf)
            &+ SIMD4<Int32>(truncatingIfNeeded: a.oddHalf) &* SIMD4<Int32>(truncatingIfNeeded: b.oddHalf)
    }

    /// Bytes `o ..< o + 4` of `a` and `b` interleaved and widened: `(a[o], b[o], a[o+1], b[o+1], ...)`.
    @inline(__always)
    static func zip4(_ a: SIMD16<UInt8>, _ b: SIMD16<UInt8>, _ o: Int) -> SIMD8<Int16> {
        SIMD8<Int16>(
            Int16(a[o]), Int16(b[o]), Int16(a[o + 1]), Int16(b[o + 1]),
            Int16(a[o + 2]), Int16(b[o + 2]), Int16(a[o + 3]), Int16(b[o + 3]))
    }

    /// `(high << 15) + low`, rounded, shifted and clipped as Pillow's `clip8`.
    @inline(__always)
    static func finish(_ low: SIMD4<Int32>, _ high: SIMD4<Int32>) -> SIMD4<Int32> {
        let half = SIMD4<Int32>(repeating: 1 << (ResampleCoefficients.precisionBits - 1))
        let v = ((high &<< 15) &+ low &+ half) &>> SIMD4<Int32>(repeating: ResampleCoefficients.precisionBits)
        // min/max then truncation is the pattern LLVM turns into saturating packs.
        return pointwiseMin(pointwiseMax(v, .zero), SIMD4(repeating: 255))
    }

    /// The vertical pass as a plain port of Pillow's loop (the reference the vector pass is tested against).
    private func verticalPassScalar(
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
