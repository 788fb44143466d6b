import CvatCodecs
import CvatImage
import CvatTestSupport
import Foundation
import Testing

@Suite("Decoding matches Pillow's Image.open(...).convert(\"RGB\") bit for bit")
struct DecodeGoldenTests {
    static let cases = Goldens.cases(kind: "decode")

    @Test("every format in the fixtures has a golden")
    func coverage() {
        let files = Set(Self.cases.map(\.file))
        for name in [
            "jpeg_444.jpg", "jpeg_422.jpg", "jpeg_420.jpg", "jpeg_grey.jpg", "jpeg_cmyk.jpg",
            "jpeg_420_progressive.jpg",
            "png_grey1.png", "png_grey2.png", "png_grey4.png", "png_grey8.png", "png_grey16.png", "png_rgb8.png",
            "png_rgb16.png", "png_palette8.png", "png_palette8_trns.png", "png_greyalpha8.png", "png_greyalpha16.png",
            "png_rgba8.png", "png_rgba16.png", "png_rgb8_interlaced.png",
        ] {
            #expect(files.contains(name), "missing golden for \(name)")
        }
    }

    @Test(arguments: cases)
    func matchesPillow(_ golden: GoldenCase) throws {
        let decoder = try ImageDecoder()
        let bytes = try Goldens.bytes(golden.file)
        let info = try decoder.readInfo(bytes)
        #expect(info.width == golden.width && info.height == golden.height)
        let image = try decoder.decode(bytes)
        #expect(image.width == golden.width && image.height == golden.height)
        let diff = PixelDiff(image.pixels, try Goldens.bytes(golden.golden))
        #expect(diff.count == 0, "\(golden.file) (Pillow mode \(golden.pillowMode ?? "?")): \(diff)")
    }

    @Test("a reused decoder and image give the same pixels across formats and sizes")
    func reuse() throws {
        let decoder = try ImageDecoder()
        var image = RGBImage(width: 1, height: 1)
        for golden in Self.cases {
            try decoder.decode(try Goldens.bytes(golden.file), into: &image)
            #expect(image.pixels == (try Goldens.bytes(golden.golden)), "\(golden.file)")
        }
    }

    @Test("format sniffing and header info")
    func info() throws {
        let decoder = try ImageDecoder()
        let jpeg = try decoder.readInfo(try Goldens.bytes("jpeg_420.jpg"))
        #expect(jpeg.format == .jpeg && jpeg.detail == "YCbCr 4:2:0")
        #expect(try decoder.readInfo(try Goldens.bytes("jpeg_444.jpg")).detail == "YCbCr 4:4:4")
        #expect(try decoder.readInfo(try Goldens.bytes("jpeg_grey.jpg")).detail == "gray gray")
        let png = try decoder.readInfo(try Goldens.bytes("png_rgba16.png"))
        #expect(png.format == .png && png.width == 61 && png.height == 43 && png.detail == "RGBA 16-bit")
        let photo = try decoder.readInfo(Data(try Goldens.bytes("photo_500x375.jpg")))
        #expect(photo.width == 500 && photo.height == 375)
    }
}

@Suite("Full decode + resize of a 500x375 photo matches Pillow")
struct PhotoPipelineTests {
    static let cases = Goldens.cases(kind: "resize") { $0.file == "photo_500x375.jpg" }

    @Test(arguments: cases)
    func decodeThenResize(_ golden: GoldenCase) throws {
        let decoder = try JPEGDecoder()
        let image = try decoder.decode(try Goldens.bytes(golden.file))
        let filter = try #require(ResampleFilter(rawValue: golden.filter ?? ""))
        let out = try image.resized(width: golden.width, height: golden.height, filter: filter)
        let diff = PixelDiff(out.pixels, try Goldens.bytes(golden.golden))
        #expect(diff.count == 0, "\(golden.golden): \(diff)")
    }
}
