import CvatAPI
import CvatGeometry
import CvatTargets
import Testing

/// Each target kind on one small frame, in process: the values cvat-sdk's transforms (or the documented
/// departures from them) give.
@Suite struct TargetExtractorTests {
    // MARK: label

    @Test func labelIsTheClassIndexOfTheOnlyTag() throws {
        let extractor = try TargetInputs.extractor(.label, labelOffset: 1)
        let targets = try extractor.targets(
            tags: [Tag(frame: 0, labelID: 2)], shapes: [], plan: try TargetInputs.plan(4, 4))
        #expect(targets.label == 2)
        #expect(targets.boxes.count == 0)
    }

    @Test func labelNeedsExactlyOneTag() throws {
        let extractor = try TargetInputs.extractor(.label)
        let plan = try TargetInputs.plan(4, 4)
        let none = #expect(throws: InvalidFrame.self) { try extractor.targets(tags: [], shapes: [], plan: plan) }
        #expect(none?.reason == "the frame has no tags; classification needs exactly one")
        // Two tags are an error even with the same label, as in cvat-sdk.
        let two = #expect(throws: InvalidFrame.self) {
            try extractor.targets(
                tags: [Tag(frame: 0, labelID: 1), Tag(frame: 0, labelID: 1)], shapes: [], plan: plan)
        }
        #expect(two?.reason == "the frame has 2 tags; classification needs exactly one")
    }

    // MARK: bboxes

    /// A single-point `points` shape (no area) and a rectangle reaching past the image.
    static let boxShapes = [
        Shape(id: 1, type: "points", frame: 0, labelID: 1, points: [1, 1]),
        Shape(id: 2, type: "rectangle", frame: 0, labelID: 2, points: [-1, -1, 6, 2]),
    ]

    @Test func boxesWithoutGeometryChangeAreCvatSDKsUntouched() throws {
        let extractor = try TargetInputs.extractor(.bboxes)
        let targets = try extractor.targets(
            tags: [], shapes: try TargetInputs.frameShapes(Self.boxShapes), plan: try TargetInputs.plan(4, 4))
        #expect(targets.boxes.corners == [1, 1, 1, 1, -1, -1, 6, 2])
        #expect(targets.boxes.labels == [0, 1])
        #expect(targets.boxes.trackIDs == [-1, -1])
    }

    @Test func aStretchResizeScalesBoxesAndCutsNothing() throws {
        // The whole image maps onto the whole output: the zero-area box and the overhang are kept, only scaled,
        // as cvat-sdk with torchvision's Resize gives them.
        let extractor = try TargetInputs.extractor(.bboxes)
        let targets = try extractor.targets(
            tags: [], shapes: try TargetInputs.frameShapes(Self.boxShapes),
            plan: try TargetInputs.plan(4, 4, .resize(width: 8, height: 8)))
        #expect(targets.boxes.corners == [2, 2, 2, 2, -2, -2, 12, 4])
        #expect(targets.boxes.labels == [0, 1])
        #expect(targets.boxes.trackIDs == [-1, -1])
    }

    @Test func letterboxPaddingClipsBoxesToTheImageAndDropsThoseWithoutArea() throws {
        // 4x4 into 8x4: scale 1, two columns of padding each side; the image is x 2...6 of the output.
        let extractor = try TargetInputs.extractor(.bboxes)
        let targets = try extractor.targets(
            tags: [], shapes: try TargetInputs.frameShapes(Self.boxShapes),
            plan: try TargetInputs.plan(4, 4, .letterbox(width: 8, height: 4)))
        #expect(targets.boxes.corners == [2, 0, 6, 2])
        #expect(targets.boxes.labels == [1])
        #expect(targets.boxes.trackIDs == [-1])
    }

    @Test func aCenterCropClipsBoxesAndDropsThoseOutsideIt() throws {
        // 4x4, shorter side 4 (no scaling), center crop 2x2: the output is x, y 1...3 of the image.
        let extractor = try TargetInputs.extractor(.bboxes)
        let shapes = try TargetInputs.frameShapes(
            Self.boxShapes + [Shape(id: 3, type: "rectangle", frame: 0, labelID: 1, points: [0, 0, 0.5, 0.5])])
        let targets = try extractor.targets(
            tags: [], shapes: shapes,
            plan: try TargetInputs.plan(4, 4, .resizeShorter(4, centerCrop: PixelSize(width: 2, height: 2))))
        #expect(targets.boxes.corners == [0, 0, 2, 1])
        #expect(targets.boxes.labels == [1])
    }

    @Test func aShapeOfAnUnknownLabelMakesTheFrameInvalid() throws {
        let extractor = try TargetInputs.extractor(.bboxes)
        let shapes = try TargetInputs.frameShapes([
            Shape(type: "rectangle", frame: 0, labelID: 9, points: [0, 0, 1, 1])
        ])
        let error = #expect(throws: InvalidFrame.self) {
            try extractor.targets(tags: [], shapes: shapes, plan: try TargetInputs.plan(4, 4))
        }
        #expect(error?.reason == "a rectangle has label id 9, which is not among the labels")
    }

    @Test("a box beyond float32's range makes the frame invalid rather than a row of infinities")
    func aBoxBeyondFloat32MakesTheFrameInvalid() throws {
        // Fixtures/fuzz/fuzz-annotations/crash-eba35d3b...: a rectangle at x = 1e300 (finite as a double).
        let shapes = try TargetInputs.frameShapes([
            Shape(type: "rectangle", frame: 0, labelID: 1, points: [1e300, 0, 1e300, 2])
        ])
        for kind in [TargetKind.bboxes, .masks] {
            let extractor = try TargetInputs.extractor(kind, shapeTypes: [.rectangle, .polygon])
            let error = #expect(throws: InvalidFrame.self) {
                try extractor.targets(tags: [], shapes: shapes, plan: try TargetInputs.plan(4, 4))
            }
            #expect(error?.reason == "a rectangle has coordinates beyond float32's range", "\(kind)")
        }
    }

    // MARK: masks

    @Test func masksDrawAPolygonAsPillowAndDecodeAnRLEMask() throws {
        let extractor = try TargetInputs.extractor(.masks)
        let shapes = try TargetInputs.frameShapes([
            Shape(type: "polygon", frame: 0, labelID: 1, points: [0.5, 0.5, 3.5, 0.5, 0.5, 3.5]),
            // Box (1, 1)-(2, 2) inclusive; runs: 1 background, then 3 foreground pixels.
            Shape(type: "mask", frame: 0, labelID: 2, points: [1, 3, 1, 1, 2, 2]),
            // Not a mask type: skipped, not painted.
            Shape(type: "rectangle", frame: 0, labelID: 1, points: [0, 0, 4, 4]),
        ])
        let targets = try extractor.targets(tags: [], shapes: shapes, plan: try TargetInputs.plan(5, 4))
        // Pillow 13: ImageDraw.polygon([(0.5, 0.5), (3.5, 0.5), (0.5, 3.5)], fill=1) on a 5x4 mode "1" image.
        let triangle: [UInt8] = [
            1, 1, 1, 1, 0,
            1, 1, 1, 0, 0,
            1, 1, 0, 0, 0,
            1, 0, 0, 0, 0,
        ]
        let rle: [UInt8] = [
            0, 0, 0, 0, 0,
            0, 0, 1, 0, 0,
            0, 1, 1, 0, 0,
            0, 0, 0, 0, 0,
        ]
        #expect(targets.masks == triangle + rle)
        #expect(targets.boxes.corners == [0.5, 0.5, 3.5, 3.5, 1, 1, 3, 3])
        #expect(targets.boxes.labels == [0, 1])
    }

    @Test func masksFollowAResize() throws {
        let extractor = try TargetInputs.extractor(.masks)
        let shapes = try TargetInputs.frameShapes([
            Shape(type: "mask", frame: 0, labelID: 1, points: [0, 1, 0, 0, 0, 0])
        ])
        let targets = try extractor.targets(
            tags: [], shapes: shapes, plan: try TargetInputs.plan(2, 2, .resize(width: 4, height: 4)))
        // The top-left pixel of a 2x2 frame, doubled by Pillow's NEAREST.
        #expect(targets.masks == [1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        #expect(targets.boxes.corners == [0, 0, 2, 2])
    }

    // MARK: semantic

    /// Label "a" over [0, 2]^2 and label "b" over [1, 3]^2 on a 4x4 frame, "a" listed first.
    static func overlapping(zOrderOfA: Int) -> [Shape] {
        [
            Shape(type: "rectangle", frame: 0, labelID: 1, points: [0, 0, 2, 2], zOrder: zOrderOfA),
            Shape(type: "rectangle", frame: 0, labelID: 2, points: [1, 1, 3, 3]),
        ]
    }

    @Test func semanticStacksShapesByZOrderThenByPosition() throws {
        let extractor = try TargetInputs.extractor(.semantic, shapeTypes: [.rectangle])
        let plan = try TargetInputs.plan(4, 4)
        // The higher z_order lies on top although it comes first (Pillow fills, as `draw_mask` does).
        let raised = try extractor.targets(
            tags: [], shapes: try TargetInputs.frameShapes(Self.overlapping(zOrderOfA: 1)), plan: plan)
        #expect(
            raised.masks == [
                0, 0, 0, 255,
                0, 0, 0, 1,
                0, 0, 0, 1,
                255, 1, 1, 1,
            ])
        // On equal z_order the later shape lies on top.
        let level = try extractor.targets(
            tags: [], shapes: try TargetInputs.frameShapes(Self.overlapping(zOrderOfA: 0)), plan: plan)
        #expect(
            level.masks == [
                0, 0, 0, 255,
                0, 1, 1, 1,
                0, 1, 1, 1,
                255, 1, 1, 1,
            ])
        #expect(level.boxes.count == 0)
    }

    @Test func semanticWritesUInt16LittleEndianWhenTheMapIsWide() throws {
        let extractor = try TargetInputs.extractor(
            .semantic, labelOffset: 299, shapeTypes: [.rectangle],
            semantic: SemanticSettings(background: 1000, wide: true))
        let targets = try extractor.targets(
            tags: [], shapes: try TargetInputs.frameShapes(Self.overlapping(zOrderOfA: 1)),
            plan: try TargetInputs.plan(4, 4))
        let values: [UInt16] = [
            299, 299, 299, 1000,
            299, 299, 299, 300,
            299, 299, 299, 300,
            1000, 300, 300, 300,
        ]
        #expect(targets.masks == values.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
    }

    @Test func semanticPadsWithTheBackgroundWhenLetterboxed() throws {
        let extractor = try TargetInputs.extractor(.semantic, shapeTypes: [.rectangle])
        // Pillow fills only the left pixel of the 2x1 frame; letterboxing adds a row above and below.
        let shapes = try TargetInputs.frameShapes([
            Shape(type: "rectangle", frame: 0, labelID: 2, points: [0, 0, 0.4, 1])
        ])
        let targets = try extractor.targets(
            tags: [], shapes: shapes, plan: try TargetInputs.plan(2, 1, .letterbox(width: 2, height: 3)))
        #expect(targets.masks == [255, 255, 1, 255, 255, 255])
    }

    // MARK: keypoints

    /// Skeleton label 10 with keypoints 11, 12, 13 (in that order); label 14 is for points shapes.
    static let keypointLabels: [(id: Int, name: String)] = [
        (id: 10, name: "person"), (id: 11, name: "nose"), (id: 12, name: "hand"), (id: 13, name: "foot"),
        (id: 14, name: "dots"),
    ]

    @Test func keypointsGiveSkeletonVisibilityAndPoints() throws {
        let extractor = try TargetInputs.extractor(
            .keypoints, labels: Self.keypointLabels, skeletons: [10: [11, 12, 13]], keypointCount: 3)
        let skeleton = Shape(
            id: 4, type: "skeleton", frame: 0, labelID: 10, points: [],
            elements: [
                // Listed out of the label's order: keypoints are placed by sublabel.
                Shape(type: "points", frame: 0, labelID: 13, points: [3, 3], outside: true),
                Shape(type: "points", frame: 0, labelID: 11, points: [1, 1]),
                Shape(type: "points", frame: 0, labelID: 12, points: [2, 3], occluded: true),
            ])
        let dots = Shape(type: "points", frame: 0, labelID: 14, points: [0.5, 0.5, 1.5, 1.5, 2.5, 3])
        let targets = try extractor.targets(
            tags: [], shapes: try TargetInputs.frameShapes([skeleton, dots]), plan: try TargetInputs.plan(4, 4))
        #expect(targets.keypoints == [1, 1, 2, 2, 3, 1, 0, 0, 0, 0.5, 0.5, 2, 1.5, 1.5, 2, 2.5, 3, 2])
        #expect(targets.boxes.corners == [1, 1, 2, 3, 0.5, 0.5, 2.5, 3])
        #expect(targets.boxes.labels == [0, 4])
    }

    @Test func keypointsOutsideTheImageBecomeAbsentAndAnInstanceWithoutAnyIsDropped() throws {
        let extractor = try TargetInputs.extractor(.keypoints, labels: Self.keypointLabels, keypointCount: 2)
        let shapes = try TargetInputs.frameShapes([
            Shape(type: "points", frame: 0, labelID: 14, points: [1, 1, 5, 1]),
            Shape(type: "points", frame: 0, labelID: 14, points: [-1, 0, 0, 9]),
        ])
        let targets = try extractor.targets(tags: [], shapes: shapes, plan: try TargetInputs.plan(4, 4))
        #expect(targets.keypoints == [1, 1, 2, 0, 0, 0])
        #expect(targets.boxes.corners == [1, 1, 1, 1])
        #expect(targets.boxes.labels == [4])
    }
}
