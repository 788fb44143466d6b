import Foundation
import Testing

@testable import CvatImage

/// The C passes (`CCvatResample`), each instruction-set variant this CPU supports forced in turn, must give
/// exactly the Swift scalar reference passes' bytes (a plain port of Pillow's loops, which the goldens pin to
/// Pillow), on sizes, filters, boxes and pass orders the goldens do not cover, and on arbitrary Int32 weights
/// whose sums wrap around.
@Suite("C resampling kernels equal the Swift scalar reference")
struct ResampleKernelTests {
    struct Rng {
        var state: UInt64
        init(seed: Int) { state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 1 }
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        mutating func int(_ range: ClosedRange<Int>) -> Int {
            range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
        }
        mutating func int32(_ range: ClosedRange<Int64>) -> Int32 {
            let span = UInt64(range.upperBound - range.lowerBound + 1)
            let r = (next() << 31 ^ next()) % span
            return Int32(range.lowerBound + Int64(r))
        }
        /// A size in 1...300, small ones (the edge cases) more often.
        mutating func size() -> Int { int(0...1) == 0 ? int(1...24) : int(1...300) }
    }

    /// The variants to check: every one this CPU runs, plus `auto`.
    static let variants = ResampleISA.allCases.filter(\.isSupported)

    static func image(_ w: Int, _ h: Int, _ rng: inout Rng, saturated: Bool) -> RGBImage {
        RGBImage(width: w, height: h) { buf in
            for i in 0..<buf.count {
                // Saturated (0/255) images drive bicubic's overshoot into the clipping on both sides.
                buf[i] = saturated ? (rng.next() & 1 == 0 ? 0 : 255) : UInt8(truncatingIfNeeded: rng.next())
            }
        }
    }

    @Test("the CPU's variants are known") func variantsReported() {
        #expect(ResampleISA.scalar.isSupported && ResampleISA.auto.isSupported)
        #expect(ResampleISA.best != .auto && ResampleISA.best.isSupported)
        #if arch(x86_64)
            // Every x86-64 machine this project runs on has SSE4.1; the CI and bench machines have AVX2.
            #expect(ResampleISA.sse41.isSupported)
        #endif
    }

    /// 10 x 50 random resizes: sizes 1...300, box/bilinear/bicubic/nearest, a random fractional box in a third
    /// of them, saturated images in a quarter; every variant against the reference.
    @Test("random sizes, filters and boxes", arguments: 0..<10)
    func random(seed: Int) throws {
        var rng = Rng(seed: seed)
        let reference = Resampler(scalarReference: true)
        let resamplers = Self.variants.map { Resampler(isa: $0) }
        var expected = RGBImage(width: 1, height: 1)
        var got = RGBImage(width: 1, height: 1)
        for _ in 0..<50 {
            let w = rng.size()
            let h = rng.size()
            let src = Self.image(w, h, &rng, saturated: rng.int(0...3) == 0)
            let ow = rng.size()
            let oh = rng.size()
            let filter = [ResampleFilter.box, .bilinear, .bicubic, .bicubic, .bilinear, .nearest][rng.int(0...5)]
            var box: ResampleBox?
            if rng.int(0...2) == 0 {
                let l = Float(rng.int(0...(w * 8))) / 16
                let t = Float(rng.int(0...(h * 8))) / 16
                let r = l + Float(rng.int(0...Int((Float(w) - l) * 16))) / 16
                let b = t + Float(rng.int(0...Int((Float(h) - t) * 16))) / 16
                box = ResampleBox(left: l, top: t, right: r, bottom: b)
            }
            try reference.resize(src, width: ow, height: oh, filter: filter, box: box, into: &expected)
            for resampler in resamplers {
                try resampler.resize(src, width: ow, height: oh, filter: filter, box: box, into: &got)
                #expect(
                    got == expected,
                    "\(resampler.isa!): \(w)x\(h) -> \(ow)x\(oh) \(filter) box \(String(describing: box))")
            }
        }
    }

    @Test(
        "the export's sizes, large downscales and upscales",
        arguments: [
            (500, 375, 224, 224), (375, 500, 224, 224), (640, 480, 112, 112), (1000, 40, 37, 39), (30, 700, 17, 20),
            (224, 224, 500, 375), (300, 2, 1, 1), (5, 6, 299, 1), (1, 300, 1, 7),
        ])
    func sizes(_ w: Int, _ h: Int, _ ow: Int, _ oh: Int) throws {
        var rng = Rng(seed: w * 1000 + h)
        for saturated in [false, true] {
            let src = Self.image(w, h, &rng, saturated: saturated)
            for filter in [ResampleFilter.box, .bilinear, .bicubic] {
                let expected = try Resampler(scalarReference: true).resize(src, width: ow, height: oh, filter: filter)
                for isa in Self.variants {
                    let got = try Resampler(isa: isa).resize(src, width: ow, height: oh, filter: filter)
                    #expect(got == expected, "\(isa): \(w)x\(h) -> \(ow)x\(oh) \(filter) saturated \(saturated)")
                }
            }
        }
    }

    /// Random bounds and weights straight into each pass: weights up to +-2^30 (the largest that split into
    /// 16-bit halves) make the Int32 sums wrap around, which Pillow's `int` arithmetic does too; larger ones
    /// (which no filter produces) must fall back to the scalar C code and still agree. Weights past `count` are
    /// garbage that must be ignored.
    static func coefficients(
        inSize: Int, outSize: Int, maxTaps: Int, weightBound: Int64, _ rng: inout Rng
    ) -> ResampleCoefficients {
        let taps = rng.int(1...maxTaps)
        var first = [Int32]()
        var count = [Int32]()
        var weights = [Int32]()
        for _ in 0..<outSize {
            let n = rng.int(0...min(taps, inSize))
            first.append(Int32(rng.int(0...(inSize - n))))
            count.append(Int32(n))
            for _ in 0..<taps { weights.append(rng.int32(-weightBound...(weightBound - 1))) }
        }
        return ResampleCoefficients(taps: taps, first: first, count: count, weights: weights)
    }

    /// Whether every weight a pass uses splits into 16-bit halves, so the vector variants run.
    static func splits(_ c: ResampleCoefficients) -> Bool {
        c.count.indices.allSatisfy { i in
            (0..<Int(c.count[i])).allSatisfy { t in
                let w = c.weights[i * c.taps + t]
                return w >= -(1 << 30) && w < 1 << 30
            }
        }
    }

    @Test("arbitrary Int32 weights, sums wrapping around", arguments: 0..<6)
    func wrapping(seed: Int) {
        var rng = Rng(seed: 1000 + seed)
        let reference = Resampler(scalarReference: true)
        for round in 0..<40 {
            let splitting = round % 4 != 3
            let bound: Int64 = splitting ? [Int64(1) << 30, 1 << 26, 1 << 23][round % 3] : 1 << 31
            let inW = rng.int(1...80)
            let inH = rng.int(1...80)
            var src = [UInt8](repeating: 0, count: inW * inH * 3)
            for i in 0..<src.count {
                let r = rng.next()
                src[i] = round % 2 == 0 ? UInt8(truncatingIfNeeded: r) : (r & 1 == 0 ? 0 : 255)
            }

            // Horizontal: outW pixels from the rows firstRow..<firstRow + rows, columns from firstColumn on.
            let firstColumn = rng.int(0...(inW - 1))
            let cols = inW - firstColumn
            let outW = rng.int(1...90)
            var hc = Self.coefficients(inSize: cols, outSize: outW, maxTaps: 12, weightBound: bound, &rng)
            hc = ResampleCoefficients(
                taps: hc.taps, first: hc.first.map { $0 + Int32(firstColumn) }, count: hc.count, weights: hc.weights)
            let firstRow = rng.int(0...(inH - 1))
            let rows = rng.int(1...(inH - firstRow))
            // The source holds only columns firstColumn..<inW, as the vertical-first order's intermediate does.
            var narrow = [UInt8]()
            for y in 0..<inH {
                let rowStart: Int = (y * inW + firstColumn) * 3
                let rowEnd: Int = (y + 1) * inW * 3
                narrow += src[rowStart..<rowEnd]
            }
            var expected = [UInt8](repeating: 0, count: rows * outW * 3)
            narrow.withUnsafeBufferPointer { s in
                expected.withUnsafeMutableBufferPointer { d in
                    Resampler.horizontalPassScalar(
                        src: s, srcWidth: cols, firstColumn: firstColumn, firstRow: firstRow, rows: rows,
                        coefficients: hc, dst: d, dstWidth: outW)
                }
            }
            for isa in Self.variants {
                var got = [UInt8](repeating: 7, count: rows * outW * 3)
                let ran = ResampleKernels.horizontal(
                    isa, src: narrow, srcWidth: cols, firstColumn: firstColumn, firstRow: firstRow, rows: rows,
                    coefficients: hc, dst: &got, dstWidth: outW)
                #expect(got == expected, "horizontal \(isa) round \(round) bound \(bound)")
                #expect(!splitting || Self.splits(hc))
                if isa != .auto { #expect(ran == (Self.splits(hc) ? isa : .scalar)) }
            }

            // Vertical: outH rows from source rows rowOffset..., columns firstColumn..<firstColumn + dstW.
            let dstW = rng.int(1...(inW - firstColumn))
            let rowOffset = rng.int(0...5)
            let outH = rng.int(1...90)
            var vc = Self.coefficients(inSize: inH, outSize: outH, maxTaps: 12, weightBound: bound, &rng)
            vc = ResampleCoefficients(
                taps: vc.taps, first: vc.first.map { $0 + Int32(rowOffset) }, count: vc.count, weights: vc.weights)
            var vexpected = [UInt8](repeating: 0, count: outH * dstW * 3)
            src.withUnsafeBufferPointer { s in
                vexpected.withUnsafeMutableBufferPointer { d in
                    reference.verticalPassScalar(
                        src: s, srcWidth: inW, firstColumn: firstColumn, rowOffset: rowOffset, coefficients: vc,
                        dst: d, dstWidth: dstW)
                }
            }
            for isa in Self.variants {
                var got = [UInt8](repeating: 7, count: outH * dstW * 3)
                let ran = ResampleKernels.vertical(
                    isa, src: src, srcWidth: inW, firstColumn: firstColumn, rowOffset: rowOffset, coefficients: vc,
                    dst: &got, dstWidth: dstW)
                #expect(got == vexpected, "vertical \(isa) round \(round) bound \(bound)")
                if isa != .auto { #expect(ran == (Self.splits(vc) ? isa : .scalar)) }
            }
        }
    }
}
