import CvatGeometry
import Testing

@Suite struct ImagePlanTests {
    @Test func originalChangesNothing() throws {
        let plan = try ImagePlan(source: PixelSize(width: 640, height: 480), spec: .original)
        #expect(plan.resizeSize == nil)
        #expect(plan.crop == PixelRect(x: 0, y: 0, width: 640, height: 480))
        #expect(plan.outputSize == PixelSize(width: 640, height: 480))
        #expect(plan.affine == .identity)
    }

    @Test func torchvisionResize256AndCenterCrop224() throws {
        // torchvision: Resize(256) of 500x375 -> 341x256; CenterCrop(224) -> left round(58.5) = 58, top 16.
        let plan = try ImagePlan(
            source: PixelSize(width: 500, height: 375),
            spec: .resizeShorter(256, centerCrop: PixelSize(width: 224, height: 224)))
        #expect(plan.resizeSize == PixelSize(width: 341, height: 256))
        #expect(plan.crop == PixelRect(x: 58, y: 16, width: 224, height: 224))
        #expect(plan.outputSize == PixelSize(width: 224, height: 224))
        #expect(plan.affine == Affine(sx: 341.0 / 500, sy: 256.0 / 375, tx: -58, ty: -16))
        // The image's right edge lands at 341 - 58.
        #expect(plan.affine.apply(x: 500, y: 375) == (283, 240))
    }

    @Test(arguments: [
        // (w, h, n, expected w, expected h): int(n * long / short), truncated.
        (375, 500, 256, 256, 341), (640, 480, 224, 298, 224), (100, 100, 32, 32, 32), (3, 1000, 7, 7, 2333),
        (1001, 999, 333, 333, 333), (256, 300, 256, 256, 300),
    ])
    func resizeShorterSizes(_ c: (Int, Int, Int, Int, Int)) throws {
        let plan = try ImagePlan(source: PixelSize(width: c.0, height: c.1), spec: .resizeShorter(c.2, centerCrop: nil))
        let expected = PixelSize(width: c.3, height: c.4)
        #expect(plan.outputSize == expected)
        #expect(plan.resizeSize == (expected == PixelSize(width: c.0, height: c.1) ? nil : expected))
    }

    @Test func centerCropLargerThanImagePadsLikeTorchvision() throws {
        // 20x30 stays 20x30 (shorter side already 20); crop (w 25, h 12): pad left (25-20)//2 = 2, right 3;
        // then top = round((30 - 12) / 2) = 9, left = 0 in the padded image -> x = -2 in the image.
        let plan = try ImagePlan(
            source: PixelSize(width: 20, height: 30),
            spec: .resizeShorter(20, centerCrop: PixelSize(width: 25, height: 12)))
        #expect(plan.resizeSize == nil)
        #expect(plan.crop == PixelRect(x: -2, y: 9, width: 25, height: 12))
        // Both sides larger, odd differences: 5x3 into 8x8 -> pad left 1, top 2.
        let small = try ImagePlan(
            source: PixelSize(width: 5, height: 3), spec: .resizeShorter(3, centerCrop: PixelSize(width: 8, height: 8)))
        #expect(small.crop == PixelRect(x: -1, y: -2, width: 8, height: 8))
    }

    @Test func centerCropRoundsHalfToEven() throws {
        // (341 - 224) / 2 = 58.5 -> 58, (343 - 224) / 2 = 59.5 -> 60.
        let a = try ImagePlan(
            source: PixelSize(width: 341, height: 256),
            spec: .resizeShorter(256, centerCrop: PixelSize(width: 224, height: 224)))
        let b = try ImagePlan(
            source: PixelSize(width: 343, height: 256),
            spec: .resizeShorter(256, centerCrop: PixelSize(width: 224, height: 224)))
        #expect(a.crop.x == 58)
        #expect(b.crop.x == 60)
    }

    @Test func letterboxKeepsAspectAndCentres() throws {
        // 640x480 into 416x416: scale 0.65 -> 416x312, 52 rows of padding above.
        let plan = try ImagePlan(source: PixelSize(width: 640, height: 480), spec: .letterbox(width: 416, height: 416))
        #expect(plan.resizeSize == PixelSize(width: 416, height: 312))
        #expect(plan.crop == PixelRect(x: 0, y: -52, width: 416, height: 416))
        #expect(plan.outputSize == PixelSize(width: 416, height: 416))
        #expect(plan.affine.apply(x: 640, y: 480) == (416, 364))
        // 1000x10 into 64x64: 64x0.64 -> height rounds to 1, offset (64 - 1) / 2 = 31.
        let thin = try ImagePlan(source: PixelSize(width: 1000, height: 10), spec: .letterbox(width: 64, height: 64))
        #expect(thin.resizeSize == PixelSize(width: 64, height: 1))
        #expect(thin.crop == PixelRect(x: 0, y: -31, width: 64, height: 64))
        // 3x7 into 10x10: scale 10/7 -> 4.2857 rounds to 4; offset 3.
        let odd = try ImagePlan(source: PixelSize(width: 3, height: 7), spec: .letterbox(width: 10, height: 10))
        #expect(odd.resizeSize == PixelSize(width: 4, height: 10))
        #expect(odd.crop == PixelRect(x: -3, y: 0, width: 10, height: 10))
    }

    @Test func stretchResize() throws {
        let plan = try ImagePlan(source: PixelSize(width: 200, height: 100), spec: .resize(width: 50, height: 50))
        #expect(plan.resizeSize == PixelSize(width: 50, height: 50))
        #expect(plan.affine == Affine(sx: 0.25, sy: 0.5, tx: 0, ty: 0))
        let same = try ImagePlan(source: PixelSize(width: 200, height: 100), spec: .resize(width: 200, height: 100))
        #expect(same.resizeSize == nil)
    }

    @Test func invalidSizesAreErrors() {
        #expect(throws: ImagePlanError.invalidSourceSize(PixelSize(width: 0, height: 5))) {
            try ImagePlan(source: PixelSize(width: 0, height: 5), spec: .original)
        }
        #expect(throws: ImagePlanError.invalidTargetSize(PixelSize(width: 10, height: -1))) {
            try ImagePlan(source: PixelSize(width: 5, height: 5), spec: .letterbox(width: 10, height: -1))
        }
        #expect(throws: ImagePlanError.invalidShorterSide(0)) {
            try ImagePlan(source: PixelSize(width: 5, height: 5), spec: .resizeShorter(0, centerCrop: nil))
        }
    }

    @Test func boxesFollowPixelsAndAreClipped() throws {
        let plan = try ImagePlan(
            source: PixelSize(width: 500, height: 375),
            spec: .resizeShorter(256, centerCrop: PixelSize(width: 224, height: 224)))
        let boxes = [
            Box(xmin: 0, ymin: 0, xmax: 500, ymax: 375),  // whole image -> whole crop
            Box(xmin: 0, ymin: 0, xmax: 50, ymax: 50),  // left of the crop: 50 * 0.682 = 34.1 < 58 -> dropped
            Box(xmin: 250, ymin: 150, xmax: 300, ymax: 200),
            Box(xmin: 100, ymin: 100, xmax: 100, ymax: 120),  // no width
        ]
        let (out, labels, kept) = plan.transformBoxes(boxes, labels: [1, 2, 3, 4])
        #expect(kept == [0, 2])
        #expect(labels == [1, 3])
        #expect(out[0] == Box(xmin: 0, ymin: 0, xmax: 224, ymax: 224))
        let sx = 341.0 / 500
        let sy = 256.0 / 375
        #expect(out[1] == Box(xmin: 250 * sx - 58, ymin: 150 * sy - 16, xmax: 300 * sx - 58, ymax: 200 * sy - 16))
    }

    @Test func aStretchResizeOnlyScalesBoxes() throws {
        let plan = try ImagePlan(source: PixelSize(width: 200, height: 100), spec: .resize(width: 100, height: 100))
        #expect(!plan.cutsOrPads)
        let (out, kept) = plan.transformBoxes([
            Box(xmin: 10, ymin: 10, xmax: 10, ymax: 10),  // a single point: no area, kept
            Box(xmin: 150, ymin: 50, xmax: 233.5, ymax: 120),  // past the right and bottom edges: kept as drawn
        ])
        #expect(kept == [0, 1])
        #expect(out == [Box(xmin: 5, ymin: 10, xmax: 5, ymax: 10), Box(xmin: 75, ymin: 50, xmax: 116.75, ymax: 120)])
    }

    @Test func onlyCropsAndPaddingCutOrPad() throws {
        let source = PixelSize(width: 640, height: 480)
        #expect(try !ImagePlan(source: source, spec: .original).cutsOrPads)
        #expect(try !ImagePlan(source: source, spec: .resize(width: 32, height: 32)).cutsOrPads)
        #expect(try !ImagePlan(source: source, spec: .resizeShorter(240, centerCrop: nil)).cutsOrPads)
        #expect(try !ImagePlan(source: source, spec: .letterbox(width: 320, height: 240)).cutsOrPads)
        #expect(try ImagePlan(source: source, spec: .letterbox(width: 320, height: 320)).cutsOrPads)
        #expect(
            try ImagePlan(source: source, spec: .resizeShorter(240, centerCrop: PixelSize(width: 224, height: 224)))
                .cutsOrPads)
    }

    @Test func letterboxBoxesShiftByPadding() throws {
        let plan = try ImagePlan(source: PixelSize(width: 640, height: 480), spec: .letterbox(width: 416, height: 416))
        let (out, kept) = plan.transformBoxes([
            Box(xmin: 100, ymin: 100, xmax: 200, ymax: 300), Box(xmin: -10, ymin: 470, xmax: 20, ymax: 500),
        ])
        #expect(kept == [0, 1])
        #expect(out[0] == Box(xmin: 65, ymin: 117, xmax: 130, ymax: 247))
        // Clipped to the image's bottom edge (y 364), not to the letterbox bar below it.
        #expect(out[1] == Box(xmin: 0, ymin: 470 * 0.65 + 52, xmax: 13, ymax: 364))
        #expect(plan.contentRegion == Box(xmin: 0, ymin: 52, xmax: 416, ymax: 364))
    }
}
