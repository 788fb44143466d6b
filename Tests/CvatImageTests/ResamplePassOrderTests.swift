import CvatTestSupport
import Foundation
import Testing

@testable import CvatImage

/// Pillow 13 runs the two 8-bit passes in an order that depends on the sizes, and each pass rounds, so the
/// order is visible in the pixels (off by one grey level on a few percent of the values when it is wrong).
@Suite("Resampling runs Pillow's passes in Pillow's order")
struct ResamplePassOrderTests {
    /// The goldens make_goldens.py tags ".vh" (vertical pass first) or ".hv" (horizontal first, pinned).
    static let cases = Goldens.cases(kind: "resize") { $0.golden.contains(".vh.") || $0.golden.contains(".hv.") }

    @Test("pass-order goldens exist for every filter")
    func haveCases() {
        #expect(Self.cases.filter { $0.golden.contains(".vh.") }.count >= 12)
        for filter in ResampleFilter.allCases {
            #expect(Self.cases.contains { $0.filter == filter.rawValue && $0.golden.contains(".vh.") })
        }
    }

    @Test(arguments: cases)
    func matchesPillow(_ golden: GoldenCase) throws {
        let src = try ResamplerTests.source(golden.file)
        let filter = try #require(ResampleFilter(rawValue: golden.filter ?? ""))
        let box = golden.box.map { ResampleBox(left: $0[0], top: $0[1], right: $0[2], bottom: $0[3]) }
        // The tag records Pillow's choice; the rule must agree with it (nearest has no passes, skip it there).
        if filter != .nearest {
            let verticalFirst = Resampler.verticalFirst(
                inWidth: src.width, inHeight: src.height, outWidth: golden.width, outHeight: golden.height)
            #expect(verticalFirst == golden.golden.contains(".vh."), "\(golden.golden)")
        }
        let out = try src.resized(width: golden.width, height: golden.height, filter: filter, box: box)
        let diff = PixelDiff(out.pixels, try Goldens.bytes(golden.golden))
        #expect(diff.count == 0, "\(golden.golden): \(diff)")
    }

    /// (source, target, vertical first?) — the sizes of the parity report and the common downscales.
    @Test(arguments: [
        ((120, 160), (160, 120), true),  // width up, height down
        ((144, 144), (160, 120), true),
        ((96, 128), (160, 120), true),
        ((320, 240), (224, 224), false),  // both down, width more
        ((500, 375), (224, 224), false),
        ((500, 375), (112, 112), false),
        ((40, 30), (97, 71), false),  // both up
        ((160, 120), (50, 77), false),  // width down, height up
        ((40, 30), (35, 20), false),  // 10 rows dropped == 2 * 5 columns: horizontal first
        ((40, 30), (36, 20), true),  // 10 > 2 * 4
        ((40, 30), (40, 20), true),  // same width (a box can still make the horizontal pass run)
        ((40, 30), (50, 30), false),  // same height: no rows dropped
    ])
    func rule(_ size: (Int, Int), _ target: (Int, Int), _ expected: Bool) {
        #expect(
            Resampler.verticalFirst(inWidth: size.0, inHeight: size.1, outWidth: target.0, outHeight: target.1)
                == expected)
    }

    @Test("one Resampler alternating between the two orders keeps its scratch buffers right")
    func reuseAcrossOrders() throws {
        let tall = try ResamplerTests.source("resize_tall.png")
        let small = try ResamplerTests.source("resize_small.png")
        let resampler = Resampler()
        var out = RGBImage(width: 1, height: 1)
        let runs: [(RGBImage, Int, Int, ResampleFilter)] = [
            (tall, 64, 96, .bicubic), (tall, 64, 48, .bilinear), (small, 97, 71, .bilinear),
            (small, 36, 12, .bicubic), (tall, 32, 96, .bilinear), (small, 56, 20, .bicubic), (tall, 64, 48, .bicubic),
        ]
        for (src, w, h, filter) in runs {
            try resampler.resize(src, width: w, height: h, filter: filter, into: &out)
            #expect(out == (try src.resized(width: w, height: h, filter: filter)), "\(w)x\(h) \(filter)")
        }
    }
}
