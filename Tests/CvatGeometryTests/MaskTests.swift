import CvatGeometry
import Testing

@Suite struct MaskRLETests {
    @Test func decodesLikeCvatSDK() throws {
        let golden = try Goldens.load("rle.json", as: Goldens.RLE.self)
        #expect(golden.cases.count == 40)
        for c in golden.cases {
            let mask = try MaskRLE.decode(c.encoded, imageWidth: c.width, imageHeight: c.height)
            #expect(mask == Goldens.expand(c.runs, count: c.width * c.height), "\(c.encoded)")
        }
    }

    @Test func tinyMaskByHand() throws {
        // 4x3 image, box columns 1...2, rows 0...1: runs 1 bg, 2 fg, 1 bg.
        let mask = try MaskRLE.decode([1, 2, 1, 1, 0, 2, 1], imageWidth: 4, imageHeight: 3)
        #expect(mask == [0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0])
    }

    @Test func overlayPaintsOnlyForeground() throws {
        var buffer = [UInt8](repeating: 7, count: 12)
        try buffer.withUnsafeMutableBufferPointer { buf in
            try MaskRLE.decode(
                [1, 2, 1, 1, 0, 2, 1], imageWidth: 4, imageHeight: 3, into: buf, value: 3, mode: .overlay)
        }
        #expect(buffer == [7, 7, 3, 7, 7, 3, 7, 7, 7, 7, 7, 7])
        var wide = [UInt16](repeating: 9, count: 12)
        try wide.withUnsafeMutableBufferPointer { buf in
            try MaskRLE.decode([1, 2, 1, 1, 0, 2, 1], imageWidth: 4, imageHeight: 3, into: buf, value: 300)
        }
        #expect(wide == [0, 0, 300, 0, 0, 300, 0, 0, 0, 0, 0, 0])
    }

    /// Every input cvat-sdk rejects is rejected, with the matching reason; the one it accepts is accepted.
    @Test func rejectsWhatCvatSDKRejects() throws {
        let golden = try Goldens.load("rle.json", as: Goldens.RLE.self)
        let expected: [String?: (MaskDecodeError) -> Bool] = [
            "too few elements in encoded mask": { $0.kind == .tooFewElements },
            "invalid image dimensions": { $0.kind == .invalidImageSize },
            "non-integer value in encoded mask: 1.5": { $0 == .nonInteger(index: 0, value: 1.5) },
            "invalid encoded bounding box": { $0.kind == .invalidBoundingBox },
            "repeats may not contain negative values.": { $0.kind == .negativeRunLength },
            "encoded bitmap does not match encoded bounding box": { $0.kind == .lengthMismatch },
        ]
        #expect(golden.errors.count == 9)
        for c in golden.errors {
            do {
                _ = try MaskRLE.decode(c.encoded, imageWidth: c.width, imageHeight: c.height)
                #expect(c.error == nil, "accepted \(c.encoded), cvat-sdk says \(c.error ?? "")")
            } catch {
                let matches = try #require(expected[c.error], "rejected \(c.encoded) (\(error)), cvat-sdk accepts it")
                #expect(matches(error), "\(c.encoded): \(error) vs cvat-sdk \(c.error ?? "")")
            }
        }
    }

    @Test func errorMessagesSayWhatIsWrong() {
        #expect(throws: MaskDecodeError.lengthMismatch(runTotal: 5, boxArea: 4)) {
            try MaskRLE.decode([2, 3, 0, 0, 1, 1], imageWidth: 5, imageHeight: 5)
        }
        #expect(
            MaskDecodeError.lengthMismatch(runTotal: 5, boxArea: 4).description
                == "the encoded mask's runs cover 5 pixels but its box holds 4")
        #expect(throws: MaskDecodeError.nonInteger(index: 1, value: .infinity)) {
            try MaskRLE.decode([1, .infinity, 0, 0, 1, 1], imageWidth: 5, imageHeight: 5)
        }
        #expect(throws: MaskDecodeError.lengthMismatch(runTotal: 16_000_000_000_000_000, boxArea: 1)) {
            try MaskRLE.decode([8e15, 8e15, 0, 0, 0, 0], imageWidth: 5, imageHeight: 5)
        }
        var small = [UInt8](repeating: 0, count: 3)
        #expect(throws: MaskDecodeError.bufferSizeMismatch(expected: 25, actual: 3)) {
            try small.withUnsafeMutableBufferPointer {
                try MaskRLE.decode([0, 1, 0, 0, 0, 0], imageWidth: 5, imageHeight: 5, into: $0)
            }
        }
    }
}

@Suite struct PolygonRasterizerTests {
    /// cvat-sdk's `draw_mask` for polygons, against Pillow's own output.
    @Test func matchesPillow() throws {
        let golden = try Goldens.load("polygons.json", as: Goldens.Polygons.self)
        #expect(golden.cases.count == 411)
        var mismatchedCases = 0
        var mismatchedPixels = 0
        for c in golden.cases {
            let mask = try PolygonRasterizer.mask(points: c.points, width: c.width, height: c.height)
            let expected = Goldens.expand(c.runs, count: c.width * c.height)
            let diff = zip(mask, expected).filter { $0 != $1 }.count
            if diff > 0 {
                mismatchedCases += 1
                mismatchedPixels += diff
                Issue.record("\(diff) pixels differ from Pillow \(golden.pillow) for \(c)")
            }
        }
        #expect(mismatchedCases == 0 && mismatchedPixels == 0)
    }

    @Test func axisAlignedSquareIncludesBothEdges() throws {
        // Pillow fills [2, 4] x [1, 3] inclusive for the square with corners (2, 1) and (4, 3).
        let mask = try PolygonRasterizer.mask(points: [2, 1, 4, 1, 4, 3, 2, 3], width: 6, height: 5)
        let rows = (0..<5).map { y in mask[(y * 6)..<(y * 6 + 6)].map(String.init).joined() }
        #expect(rows == ["000000", "001110", "001110", "001110", "000000"])
    }

    @Test func badInputIsAnError() {
        #expect(throws: PolygonError.tooFewPoints(count: 1)) {
            try PolygonRasterizer.mask(points: [1, 1], width: 4, height: 4)
        }
        #expect(throws: PolygonError.oddCoordinateCount(5)) {
            try PolygonRasterizer.mask(points: [1, 1, 2, 2, 3], width: 4, height: 4)
        }
        #expect(throws: PolygonError.invalidImageSize(width: 0, height: 4)) {
            try PolygonRasterizer.mask(points: [1, 1, 2, 2], width: 0, height: 4)
        }
    }
}

@Suite struct MaskResampleTests {
    /// Pillow NEAREST resize (and torchvision's padded center crop) against the source pixel Pillow read for each
    /// output pixel.
    @Test func matchesPillowNearest() throws {
        let golden = try Goldens.load("nearest.json", as: Goldens.Nearest.self)
        #expect(golden.cases.count == 52)
        for c in golden.cases {
            let source = PixelSize(width: c.source_width, height: c.source_height)
            let plan: ImagePlan
            if let cw = c.crop_width, let ch = c.crop_height {
                let shorter = min(c.resize_width, c.resize_height)
                plan = try ImagePlan(
                    source: source, spec: .resizeShorter(shorter, centerCrop: PixelSize(width: cw, height: ch)))
                let resized = plan.resizeSize ?? source
                #expect(resized == PixelSize(width: c.resize_width, height: c.resize_height))
            } else {
                plan = try ImagePlan(source: source, spec: .resize(width: c.resize_width, height: c.resize_height))
            }
            #expect(plan.outputSize == PixelSize(width: c.columns.count, height: c.rows.count))
            // A source whose neighbouring pixels differ, so reading the wrong one shows.
            let sw = c.source_width
            var src = [UInt8](repeating: 0, count: sw * c.source_height)
            for y in 0..<c.source_height {
                for x in 0..<sw { src[y * sw + x] = UInt8((x * 7 + y * 13) % 251 + 1) }
            }
            let out = try plan.resampleMask(src, pad: 0)
            var expected = [UInt8](repeating: 0, count: out.count)
            for (y, sy) in c.rows.enumerated() {
                for (x, sx) in c.columns.enumerated() where sy >= 0 && sx >= 0 {
                    expected[y * c.columns.count + x] = src[sy * sw + sx]
                }
            }
            let diff = zip(out, expected).filter { $0 != $1 }.count
            #expect(
                diff == 0,
                "\(c.source_width)x\(c.source_height) -> \(c.resize_width)x\(c.resize_height), crop \(String(describing: c.crop_width))x\(String(describing: c.crop_height))"
            )
        }
    }

    @Test func letterboxPadsWithTheGivenValue() throws {
        let plan = try ImagePlan(source: PixelSize(width: 2, height: 1), spec: .letterbox(width: 4, height: 4))
        // 2x1 -> 4x2, rows 1...2 of a 4x4 canvas.
        let out = try plan.resampleMask([5, 6], pad: 9)
        #expect(out == [9, 9, 9, 9, 5, 5, 6, 6, 5, 5, 6, 6, 9, 9, 9, 9])
        #expect(throws: MaskResampleError.sourceSizeMismatch(expected: 2, actual: 3)) {
            try plan.resampleMask([1, 2, 3])
        }
    }
}
