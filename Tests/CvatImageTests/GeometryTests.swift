import CvatImage
import Testing

@Suite("Crop, pad, paste, flip")
struct GeometryTests {
    /// A 4x3 image whose pixel (x, y) is (x, y, 10 * y + x).
    static func ramp() -> RGBImage {
        var p: [UInt8] = []
        for y in 0..<3 {
            for x in 0..<4 { p += [UInt8(x), UInt8(y), UInt8(10 * y + x)] }
        }
        return try! RGBImage(width: 4, height: 3, pixels: p)
    }

    @Test func cropInside() {
        let c = Self.ramp().cropped(left: 1, top: 1, right: 3, bottom: 3)
        #expect(c.width == 2 && c.height == 2)
        #expect(c[0, 0] == (1, 1, 11))
        #expect(c[1, 1] == (2, 2, 22))
    }

    @Test("crop reaching outside is zero-filled like Pillow's")
    func cropOutside() {
        let c = Self.ramp().cropped(left: -1, top: -1, right: 2, bottom: 1)
        #expect(c.width == 3 && c.height == 2)
        #expect(c[0, 0] == (0, 0, 0))
        #expect(c[1, 1] == (0, 0, 0))
        #expect(c[2, 1] == (1, 0, 1))
    }

    @Test func pad() {
        let p = Self.ramp().padded(top: 1, left: 2, bottom: 0, right: 1, fill: (9, 8, 7))
        #expect(p.width == 7 && p.height == 4)
        #expect(p[0, 0] == (9, 8, 7))
        #expect(p[2, 1] == (0, 0, 0))
        #expect(p[5, 3] == (3, 2, 23))
        #expect(p[6, 3] == (9, 8, 7))
    }

    @Test func pasteClips() {
        var canvas = RGBImage(width: 3, height: 3, fill: (5, 5, 5))
        canvas.paste(Self.ramp(), x: 1, y: -1)
        #expect(canvas[0, 0] == (5, 5, 5))
        #expect(canvas[1, 0] == (0, 1, 10))
        #expect(canvas[2, 1] == (1, 2, 21))
        #expect(canvas[1, 2] == (5, 5, 5))
    }

    @Test func flip() {
        let f = Self.ramp().flippedHorizontally()
        #expect(f[0, 2] == (3, 2, 23))
        #expect(f.flippedHorizontally() == Self.ramp())
    }

    @Test("reshape keeps storage and size bookkeeping consistent")
    func reshape() {
        var img = RGBImage(width: 10, height: 10)
        img.reshape(width: 3, height: 2)
        #expect(img.pixels.count == 18)
        img.reshape(width: 20, height: 20)
        #expect(img.pixels.count == 1200 && img.width == 20)
    }

    @Test func sizeMismatchThrows() {
        #expect(throws: ImageError.bufferSizeMismatch(expected: 12, actual: 11)) {
            try RGBImage(width: 2, height: 2, pixels: [UInt8](repeating: 0, count: 11))
        }
    }
}
