import CvatCodecs
import CvatImage
import Foundation
import Testing

@Suite struct PNGEncoderTests {
    func gradient(width: Int, height: Int) throws -> RGBImage {
        var pixels: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width { pixels += [UInt8(x * 7 % 256), UInt8(y * 13 % 256), UInt8((x ^ y) % 256)] }
        }
        return try RGBImage(width: width, height: height, pixels: pixels)
    }

    @Test func encodedPNGDecodesToTheSamePixels() throws {
        for (w, h) in [(1, 1), (37, 5), (200, 130)] {
            let image = try gradient(width: w, height: h)
            let bytes = try PNGEncoder.encode(image)
            #expect(Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            #expect(try PNGDecoder().decode(bytes) == image)
        }
    }

    @Test func writesAFileAndNamesItWhenItCannot() throws {
        let image = try gradient(width: 16, height: 9)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("png-encoder-\(UUID().uuidString).png")
            .path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try PNGEncoder.write(image, toFile: path)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(try PNGDecoder().decode(data) == image)

        let bad = "/nonexistent-folder-\(UUID().uuidString)/x.png"
        #expect {
            try PNGEncoder.write(image, toFile: bad)
        } throws: { error in
            (error as? PNGEncodeError)?.path == bad && "\(error)".contains(bad)
        }
    }
}
