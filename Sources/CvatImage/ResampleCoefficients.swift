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

    /// Coefficients as given (tests feed the passes arbitrary weights, e.g. ones whose sums overflow Int32).
    init(taps: Int, first: [Int32], count: [Int32], weights: [Int32]) {
        self.taps = taps
        self.first = first
        self.count = count
        self.weights = weights
    }

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
