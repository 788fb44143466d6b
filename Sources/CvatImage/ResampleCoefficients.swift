/// Fixed-point convolution weights for one axis, as Pillow's `precompute_coeffs` + `normalize_coeffs_8bpc`.
struct ResampleCoefficients: Sendable {
    /// Pillow's PRECISION_BITS: 32 bits minus 8 for the sample minus 2 for overshoot of negative lobes.
    static let precisionBits: Int32 = 32 - 8 - 2

    /// Maximum taps per output sample; each output's weights start at `index * taps`.
    let taps: Int
    /// For each output sample: first source index and number of source samples used.
    let first: [Int32]
    let count: [Int32]
    /// `outSize * taps` weights in fixed point (1.0 == 1 << precisionBits).
    let weights: [Int32]
    /// Taps per output in pairs, for the vector passes: `(taps + 1) / 2`.
    let pairsPerOutput: Int
    /// The weights split for SSE2's `pmaddwd` (16-bit x 16-bit products summed in pairs into 32 bits), two taps
    /// at a time: for output `o`, pair `p` (taps `2p`, `2p + 1`; a missing tap weighs 0), `pairLow[o *
    /// pairsPerOutput + p]` is `(lo(2p), lo(2p + 1))` four times and `pairHigh` the same with `hi`, where
    /// `w == hi * 2^15 + lo`, `lo = w & 0x7FFF` in 0...32767 and `hi = w >> 15` (arithmetic). Then for samples
    /// `a`, `b`: `a * w(2p) + b * w(2p + 1) == (a * hi + b * hi') << 15 + (a * lo + b * lo')` exactly as integers,
    /// so sums of these are congruent modulo 2^32 to Pillow's Int32 sums: the same bits after the shift.
    let pairLow: [SIMD8<Int16>]
    let pairHigh: [SIMD8<Int16>]
    /// Whether every `hi` fits in Int16 (|w| < 2^30: always for normalised weights); otherwise only the scalar
    /// code may be used.
    let vectorizable: Bool

    init(inSize: Int, in0: Float, in1: Float, outSize: Int, filter: ResampleFilter) {
        // Pillow computes (in1 - in0) in float, then divides in double.
        let scale = Double(in1 - in0) / Double(outSize)
        var filterscale = scale
        if filterscale < 1.0 { filterscale = 1.0 }
        let support = filter.support * filterscale
        let taps = Int(support.rounded(.up)) * 2 + 1
        var first = [Int32](repeating: 0, count: outSize)
        var count = [Int32](repeating: 0, count: outSize)
        var weights = [Int32](repeating: 0, count: outSize * taps)
        var k = [Double](repeating: 0, count: taps)
        let start = Double(in0)
        for xx in 0..<outSize {
            let center = start + (Double(xx) + 0.5) * scale
            var ww = 0.0
            let ss = 1.0 / filterscale
            // C's (int) cast truncates toward zero, as Int(_: Double) does.
            var xmin = Int(center - support + 0.5)
            if xmin < 0 { xmin = 0 }
            var xmax = Int(center + support + 0.5)
            if xmax > inSize { xmax = inSize }
            xmax -= xmin
            if xmax < 0 { xmax = 0 }
            for x in 0..<xmax {
                let w = filter.weight((Double(x + xmin) - center + 0.5) * ss)
                k[x] = w
                ww += w
            }
            for x in 0..<xmax where ww != 0.0 {
                k[x] /= ww
            }
            let one = Double(Int32(1) << Self.precisionBits)
            for x in 0..<xmax {
                // normalize_coeffs_8bpc: round half away from zero, then truncate.
                let v = k[x]
                weights[xx * taps + x] = v < 0 ? Int32(-0.5 + v * one) : Int32(0.5 + v * one)
            }
            first[xx] = Int32(xmin)
            count[xx] = Int32(xmax)
        }
        self.taps = taps
        self.first = first
        self.count = count
        self.weights = weights

        let pairs = (taps + 1) / 2
        var low = [SIMD8<Int16>](repeating: .zero, count: outSize * pairs)
        var high = low
        var fits = true
        for xx in 0..<outSize {
            for p in 0..<pairs {
                let t = 2 * p
                let w0 = weights[xx * taps + t]
                let w1 = t + 1 < taps ? weights[xx * taps + t + 1] : 0
                let h0 = w0 >> 15
                let h1 = w1 >> 15
                fits = fits && Int32(Int16.min) <= min(h0, h1) && max(h0, h1) <= Int32(Int16.max)
                let lo = SIMD2<Int16>(Int16(w0 & 0x7FFF), Int16(w1 & 0x7FFF))
                let hi = SIMD2<Int16>(Int16(truncatingIfNeeded: h0), Int16(truncatingIfNeeded: h1))
                low[xx * pairs + p] = SIMD8(lowHalf: SIMD4(lowHalf: lo, highHalf: lo), highHalf: SIMD4(lowHalf: lo, highHalf: lo))
                high[xx * pairs + p] = SIMD8(lowHalf: SIMD4(lowHalf: hi, highHalf: hi), highHalf: SIMD4(lowHalf: hi, highHalf: hi))
            }
        }
        self.pairsPerOutput = pairs
        self.pairLow = low
        self.pairHigh = high
        self.vectorizable = fits
    }
}

/// What a set of coefficients depends on, so a worker resizing many same-sized images computes them once.
struct CoefficientKey: Hashable {
    var inSize: Int
    var in0: Float
    var in1: Float
    var outSize: Int
    var filter: ResampleFilter
}
