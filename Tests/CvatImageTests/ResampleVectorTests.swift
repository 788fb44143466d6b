@testable import CvatImage
import Foundation
import Testing

/// The vector passes must give exactly the scalar reference passes' bytes (a plain port of Pillow's loops, which
/// the goldens pin to Pillow), on sizes, filters, boxes and pass orders the goldens do not cover.
@Suite("Vector resampling equals the scalar reference")
struct ResampleVectorTests {
    struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        mutating func int(_ range: ClosedRange<Int>) -> Int {
            range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
        }
    }

    static func image(_ w: Int, _ h: Int, _ rng: inout Rng, extremes: Bool) -> RGBImage {
        RGBImage(width: w, height: h) { buf in
            for i in 0..<buf.count {
                // Extremes (0/255 edges) drive bicubic's overshoot into the clipping on both sides.
                buf[i] = extremes ? (rng.next() & 1 == 0 ? 0 : 255) : UInt8(truncatingIfNeeded: rng.next())
            }
        }
    }

    @Test("random sizes, filters and boxes", arguments: 0..<8)
    func random(seed: Int) throws {
        var rng = Rng(state: UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 1)
        let vector = Resampler()
        let reference = Resampler(scalarReference: true)
        var a = RGBImage(width: 1, height: 1)
        var b = RGBImage(width: 1, height: 1)
        for _ in 0..<60 {
            let w = rng.int(1...140), h = rng.int(1...140)
            let src = Self.image(w, h, &rng, extremes: rng.int(0...3) == 0)
            let ow = rng.int(1...160), oh = rng.int(1...160)
            let filter = [ResampleFilter.box, .bilinear, .bicubic][rng.int(0...2)]
            var box: ResampleBox?
            if rng.int(0...2) == 0 {
                let l = Float(rng.int(0...(w * 4))) / 8, t = Float(rng.int(0...(h * 4))) / 8
                let r = l + Float(rng.int(0...Int((Float(w) - l) * 8))) / 8
                let bt = t + Float(rng.int(0...Int((Float(h) - t) * 8))) / 8
                box = ResampleBox(left: l, top: t, right: r, bottom: bt)
            }
            try vector.resize(src, width: ow, height: oh, filter: filter, box: box, into: &a)
            try reference.resize(src, width: ow, height: oh, filter: filter, box: box, into: &b)
            #expect(a == b, "\(w)x\(h) -> \(ow)x\(oh) \(filter) box \(String(describing: box))")
        }
    }

    @Test("the export's sizes and a large downscale", arguments: [
        (500, 375, 224, 224), (375, 500, 224, 224), (640, 480, 112, 112), (1000, 40, 37, 39), (30, 700, 17, 20),
        (224, 224, 500, 375),
    ])
    func sizes(_ w: Int, _ h: Int, _ ow: Int, _ oh: Int) throws {
        var rng = Rng(state: UInt64(w * 1000 + h))
        let src = Self.image(w, h, &rng, extremes: false)
        for filter in [ResampleFilter.box, .bilinear, .bicubic] {
            let a = try Resampler().resize(src, width: ow, height: oh, filter: filter)
            let b = try Resampler(scalarReference: true).resize(src, width: ow, height: oh, filter: filter)
            #expect(a == b, "\(w)x\(h) -> \(ow)x\(oh) \(filter)")
        }
    }

    @Test("split weights rebuild the fixed-point weights")
    func splitWeights() {
        for filter in [ResampleFilter.box, .bilinear, .bicubic] {
            for (inSize, outSize) in [(500, 224), (375, 224), (7, 300), (40, 97)] {
                let c = ResampleCoefficients(inSize: inSize, in0: 0, in1: Float(inSize), outSize: outSize, filter: filter)
                #expect(c.vectorizable)
                for o in 0..<outSize {
                    for t in 0..<c.taps {
                        let lo = c.pairLow[o * c.pairsPerOutput + t / 2][t % 2]
                        let hi = c.pairHigh[o * c.pairsPerOutput + t / 2][t % 2]
                        #expect(Int32(hi) << 15 + Int32(lo) == c.weights[o * c.taps + t])
                    }
                }
            }
        }
    }
}
