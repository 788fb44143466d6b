import CvatImage
import Testing

@Suite struct BitmapFontTests {
    /// The glyph as rows of "#" and ".", to compare with a drawing.
    func picture(_ c: Character) -> [String] {
        (0..<BitmapFont.glyphHeight).map { y in
            String((0..<BitmapFont.glyphWidth).map { x in BitmapFont.isSet(c, x: x, y: y) ? "#" : "." })
        }
    }

    @Test func glyphsLookLikeTheirLetters() {
        #expect(picture("H") == ["#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#", "....."])
        #expect(
            picture("1")
                == [".#...", "##...", ".#...", ".#...", ".#...", ".#...", "###..", "....."].map {
                    // "1" is centred in the 5-column cell: shift the picture one column right.
                    "." + $0.dropLast()
                })
        #expect(picture("T") == ["#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#..", "....."])
        #expect(picture("g")[7] == ".###.", "g's descender is on row 7")
        #expect(picture(" ") == Array(repeating: ".....", count: 8))
    }

    @Test func everyPrintableCharacterHasItsOwnGlyph() {
        var seen: [ArraySlice<UInt8>: Character] = [:]
        for code in 0x21...0x7E {
            let c = Character(Unicode.Scalar(UInt8(code)))
            let g = BitmapFont.glyph(c)
            #expect(g.contains { $0 != 0 }, "\(c) is blank")
            #expect(seen[g] == nil, "\(c) looks like \(seen[g] ?? " ")")
            seen[g] = c
        }
    }

    @Test func unknownCharactersDrawAsQuestionMarksAndWidthsCount() {
        #expect(BitmapFont.glyph("é") == BitmapFont.glyph("?"))
        #expect(BitmapFont.glyph("\u{7}") == BitmapFont.glyph("?"))
        #expect(BitmapFont.width(of: "") == 0)
        #expect(BitmapFont.width(of: "a") == 5)
        #expect(BitmapFont.width(of: "abc", scale: 2) == 34)
        #expect(BitmapFont.truncated("sunflower", toWidth: 100) == "sunflower")
        let cut = BitmapFont.truncated("sunflower", toWidth: 30)
        #expect(cut == "sun..")
        #expect(BitmapFont.width(of: cut) <= 30)
    }
}

@Suite struct DrawingTests {
    let red: RGBImage.Color = (255, 0, 0)

    /// Coordinates of the pixels equal to `color`.
    func pixels(_ image: RGBImage, _ color: RGBImage.Color) -> Set<[Int]> {
        var out = Set<[Int]>()
        for y in 0..<image.height {
            for x in 0..<image.width where image[x, y] == color { out.insert([x, y]) }
        }
        return out
    }

    @Test func rectangleOutlineIsTheBorderOfTheHalfOpenRectangle() {
        var image = RGBImage(width: 10, height: 8, fill: (9, 9, 9))
        image.strokeRectangle(left: 2, top: 1, right: 6, bottom: 5, color: red)
        var expected = Set<[Int]>()
        for x in 2..<6 {
            expected.insert([x, 1])
            expected.insert([x, 4])
        }
        for y in 1..<5 {
            expected.insert([2, y])
            expected.insert([5, y])
        }
        #expect(pixels(image, red) == expected)
        #expect(image[3, 2] == (9, 9, 9), "the inside is untouched")

        var thick = RGBImage(width: 10, height: 10)
        thick.strokeRectangle(left: 0, top: 0, right: 10, bottom: 10, color: red, thickness: 2)
        #expect(pixels(thick, red).count == 100 - 36)
        // Clipped: a rectangle reaching outside draws only what is inside.
        var clipped = RGBImage(width: 4, height: 4)
        clipped.strokeRectangle(left: -3, top: -3, right: 2, bottom: 2, color: red)
        #expect(pixels(clipped, red) == [[0, 1], [1, 1], [1, 0]])
    }

    @Test func linesIncludeBothEndsAndStayConnected() {
        var image = RGBImage(width: 12, height: 12)
        image.drawLine(x0: 1, y0: 2, x1: 10, y1: 7, color: red)
        let drawn = pixels(image, red)
        #expect(drawn.contains([1, 2]) && drawn.contains([10, 7]))
        #expect(drawn.count == 10, "one pixel per column of a shallow line")
        for x in 1...10 { #expect(drawn.contains { $0[0] == x }) }
        var vertical = RGBImage(width: 5, height: 5)
        vertical.drawLine(x0: 2, y0: 4, x1: 2, y1: 0, color: red)
        #expect(pixels(vertical, red) == Set((0..<5).map { [2, $0] }))
    }

    @Test func blendingAndDots() {
        var image = RGBImage(width: 3, height: 1, fill: (100, 200, 0))
        image.blendPixel(x: 0, y: 0, color: (200, 0, 255), alpha: 0.5)
        #expect(image[0, 0] == (150, 100, 128))
        image.blendPixel(x: 1, y: 0, color: (1, 2, 3), alpha: 0)
        #expect(image[1, 0] == (100, 200, 0))
        image.blendPixel(x: 5, y: 0, color: (1, 2, 3))  // outside: ignored

        var dot = RGBImage(width: 9, height: 9)
        dot.fillCircle(centerX: 4.5, centerY: 4.5, radius: 2, color: red)
        let drawn = pixels(dot, red)
        #expect(
            drawn.contains([4, 4]) && drawn.contains([2, 4]) && drawn.contains([6, 4]) && drawn.contains([4, 2]))
        #expect(!drawn.contains([2, 2]) && !drawn.contains([7, 4]))
        #expect(drawn.count == 13)

        var region = RGBImage(width: 4, height: 2, fill: (0, 0, 0))
        region.blendRegion(left: 0, top: 0, right: 4, bottom: 2, alpha: 0.5) { x, _ in x % 2 == 0 ? (200, 100, 50) : nil
        }
        #expect(region[0, 1] == (100, 50, 25) && region[1, 1] == (0, 0, 0))
    }

    @Test func textIsTheFontScaledAndPlaced() {
        var image = RGBImage(width: 20, height: 20)
        let width = image.drawText("H", x: 3, y: 2, color: red, scale: 2)
        #expect(width == 10)
        var expected = Set<[Int]>()
        for gy in 0..<BitmapFont.glyphHeight {
            for gx in 0..<BitmapFont.glyphWidth where BitmapFont.isSet("H", x: gx, y: gy) {
                for dy in 0..<2 { for dx in 0..<2 { expected.insert([3 + gx * 2 + dx, 2 + gy * 2 + dy]) } }
            }
        }
        #expect(pixels(image, red) == expected)

        var tag = RGBImage(width: 30, height: 12, fill: (0, 0, 0))
        let size = tag.drawLabel("Hi", x: 1, y: 1, textColor: (255, 255, 255), background: (0, 0, 200))
        #expect(size.width == 13 && size.height == 10)
        #expect(tag[1, 1] == (0, 0, 200) && tag[13, 10] == (0, 0, 200) && tag[14, 1] == (0, 0, 0))
        #expect(tag[2, 2] == (255, 255, 255), "H's top-left pixel, one padding pixel in")
    }
}
