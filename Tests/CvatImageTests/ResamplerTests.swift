import CvatImage
import CvatTestSupport
import Foundation
import Testing

@Suite("Resampling matches Pillow's Image.resize bit for bit")
struct ResamplerTests {
    static let cases = Goldens.cases(kind: "resize") { $0.file.hasSuffix(".png") }

    /// The lossless resize sources and their sizes (make_goldens.py stores each also as raw `.rgb`).
    static let sourceSizes = ["resize_src": (160, 120), "resize_small": (40, 30), "resize_tall": (48, 64)]

    static func source(_ file: String) throws -> RGBImage {
        let stem = file.replacingOccurrences(of: ".png", with: "")
        let (w, h) = try #require(sourceSizes[stem], "unknown resize source \(file)")
        return try RGBImage(width: w, height: h, pixels: Goldens.bytes(stem + ".rgb"))
    }

    @Test("golden cases exist") func haveCases() {
        #expect(Self.cases.count >= 15)
    }

    @Test(arguments: cases)
    func matchesPillow(_ golden: GoldenCase) throws {
        let src = try Self.source(golden.file)
        let filter = try #require(ResampleFilter(rawValue: golden.filter ?? ""))
        let box = golden.box.map { ResampleBox(left: $0[0], top: $0[1], right: $0[2], bottom: $0[3]) }
        let out = try src.resized(width: golden.width, height: golden.height, filter: filter, box: box)
        let expected = try Goldens.bytes(golden.golden)
        #expect(out.width == golden.width && out.height == golden.height)
        let diff = PixelDiff(out.pixels, expected)
        #expect(diff.count == 0, "\(golden.golden): \(diff)")
    }

    @Test("a reused Resampler and destination give the same pixels as fresh ones")
    func reuse() throws {
        let src = try Self.source("resize_src.png")
        let resampler = Resampler()
        var out = RGBImage(width: 1, height: 1)
        for (w, h, f) in [(64, 48, ResampleFilter.bicubic), (50, 77, .bilinear), (64, 48, .bicubic), (7, 300, .box)] {
            try resampler.resize(src, width: w, height: h, filter: f, into: &out)
            let fresh = try src.resized(width: w, height: h, filter: f)
            #expect(out == fresh)
        }
    }

    @Test("same size with no box is a copy")
    func identity() throws {
        let src = try Self.source("resize_src.png")
        for filter in ResampleFilter.allCases {
            #expect(try src.resized(width: 160, height: 120, filter: filter) == src)
        }
    }

    @Test("boxes Pillow refuses are refused")
    func badBoxes() throws {
        let src = try Self.source("resize_small.png")
        #expect(throws: ImageError.self) {
            try src.resized(width: 10, height: 10, box: ResampleBox(left: -1, top: 0, right: 10, bottom: 10))
        }
        #expect(throws: ImageError.self) {
            try src.resized(width: 10, height: 10, box: ResampleBox(left: 0, top: 0, right: 41, bottom: 10))
        }
        #expect(throws: ImageError.self) {
            try src.resized(width: 10, height: 10, box: ResampleBox(left: 20, top: 0, right: 10, bottom: 10))
        }
        #expect(throws: ImageError.invalidSize(width: 0, height: 5)) {
            try src.resized(width: 0, height: 5)
        }
    }
}
