import CvatAPI
import CvatGeometry
import CvatTargets
import Foundation
import Testing

/// Grouping one task's annotations by frame: what reaches the extractor on each frame, in which order.
@Suite struct FrameAnnotationsTests {
    /// A rectangle track (server id 7) with keyframes on frames 0 and 2, visible to the end of the task.
    static let track = """
        {"id": 7, "frame": 0, "label_id": 2, "shapes": [
            {"id": 70, "type": "rectangle", "frame": 0, "points": [0, 0, 2, 2], "z_order": 1},
            {"id": 71, "type": "rectangle", "frame": 2, "points": [2, 2, 4, 4], "z_order": 1}
        ]}
        """

    static func annotations() throws -> Annotations {
        Annotations(
            tags: [Tag(frame: 0, labelID: 1), Tag(frame: 2, labelID: 1)],
            shapes: [
                Shape(id: 5, type: "polygon", frame: 1, labelID: 1, points: [0, 0, 1, 0, 1, 1]),
                Shape(id: 6, type: "points", frame: 2, labelID: 1, points: [1, 1]),
                Shape(id: 8, type: "points", frame: 1, labelID: 1, points: [2, 2]),
            ],
            tracks: [try TargetInputs.decode(Track.self, Self.track)])
    }

    @Test func tracksAreInterpolatedOntoFramesAfterThePlainShapes() throws {
        // Frame 2 is outside the export (a job filter, say) and frame 3 is deleted: nothing of either is kept.
        let grouped = try FrameAnnotations(
            try Self.annotations(), activeFrames: [0, 1, 3],
            tracks: TrackContext(endFrame: 4, deletedFrames: [3], dimension: .twoD))
        #expect(grouped.tags.keys.sorted() == [0])
        #expect(grouped.shapes.keys.sorted() == [0, 1])

        let frame0 = try #require(grouped.shapes[0])
        #expect(frame0.map(\.origin) == [.track(id: 7)])
        #expect(frame0[0].points == [0, 0, 2, 2])

        // The plain shapes first in stored order, then the track's.
        let frame1 = try #require(grouped.shapes[1])
        #expect(frame1.map(\.origin) == [.shape(id: 5), .shape(id: 8), .track(id: 7)])
        #expect(frame1.map(\.kind) == [.polygon, .points, .rectangle])
        #expect(frame1[2].points == [1, 1, 3, 3])
        #expect(frame1[2].labelID == 2)
        #expect(frame1[2].zOrder == 1)
        #expect(frame1[2].trackID == 7)
        #expect(frame1[0].trackID == nil)
    }

    @Test func withoutATrackContextTracksAreLeftOut() throws {
        let grouped = try FrameAnnotations(try Self.annotations(), activeFrames: [0, 1, 2, 3], tracks: nil)
        #expect(grouped.shapes.keys.sorted() == [1, 2])
        #expect(grouped.shapes.values.allSatisfy { $0.allSatisfy { $0.trackID == nil } })
        #expect(grouped.tags.keys.sorted() == [0, 2])
    }

    @Test func aTrackShapeCarriesItsTrackIntoTheBoxColumns() throws {
        let grouped = try FrameAnnotations(
            try Self.annotations(), activeFrames: [1],
            tracks: TrackContext(endFrame: 4, deletedFrames: [], dimension: .twoD))
        let extractor = try TargetInputs.extractor(.bboxes)
        let targets = try extractor.targets(
            tags: [], shapes: grouped.shapes[1] ?? [], plan: try TargetInputs.plan(4, 4))
        #expect(targets.boxes.corners == [0, 0, 1, 1, 2, 2, 2, 2, 1, 1, 3, 3])
        #expect(targets.boxes.labels == [0, 0, 1])
        #expect(targets.boxes.trackIDs == [-1, -1, 7])
    }

    // MARK: unknown shape types

    @Test func aPlainShapeOfAnUnknownTypeIsLeftOutWhenGrouped() throws {
        let annotations = Annotations(shapes: [
            Shape(id: 1, type: "cylinder", frame: 0, labelID: 1, points: [0, 0, 1, 1]),
            Shape(id: 2, type: "rectangle", frame: 0, labelID: 1, points: [0, 0, 1, 1]),
        ])
        #expect(FrameShape(annotations.shapes[0]) == nil)
        let grouped = try FrameAnnotations(annotations, activeFrames: [0], tracks: nil)
        let shapes = try #require(grouped.shapes[0])
        #expect(shapes.map(\.origin) == [.shape(id: 2)])

        // So no target sees it, even one that reads every type cvat-ds knows.
        let extractor = try TargetInputs.extractor(.bboxes, shapeTypes: Set(ShapeKind.allCases))
        let targets = try extractor.targets(tags: [], shapes: shapes, plan: try TargetInputs.plan(4, 4))
        #expect(targets.boxes.count == 1)
    }

    @Test func aTrackKeyframeOfAnUnknownTypeIsAnError() throws {
        let track = try TargetInputs.decode(
            Track.self,
            """
            {"id": 9, "frame": 0, "label_id": 1, "shapes": [{"type": "cylinder", "frame": 3, "points": [0, 0]}]}
            """)
        let error = #expect(throws: TrackConversionError.self) {
            try FrameAnnotations(
                Annotations(tracks: [track]), activeFrames: [0],
                tracks: TrackContext(endFrame: 4, deletedFrames: [], dimension: .twoD))
        }
        #expect(error?.message == "track 9 has a keyframe of the unknown type 'cylinder' on frame 3")
    }

    @Test func aSkeletonElementIsAKeypointWhateverItsType() throws {
        let skeleton = Shape(
            type: "skeleton", frame: 0, labelID: 10, points: [],
            elements: [Shape(type: "vertex", frame: 0, labelID: 11, points: [1, 2])])
        let shapes = try TargetInputs.frameShapes([skeleton])
        let extractor = try TargetInputs.extractor(
            .keypoints, labels: [(id: 10, name: "person"), (id: 11, name: "nose")], skeletons: [10: [11]],
            keypointCount: 1)
        let targets = try extractor.targets(tags: [], shapes: shapes, plan: try TargetInputs.plan(4, 4))
        #expect(targets.keypoints == [1, 2, 2])
    }
}

/// Inputs fuzz-annotations crashed on (Fixtures/fuzz/fuzz-annotations/crash-*), grouped as an export groups them.
@Suite("fuzz regressions: annotations")
struct AnnotationsFuzzRegressionTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/fuzz/fuzz-annotations")

    @Test("every saved crash input is grouped by frame, or refused with an error, within a 16-frame task")
    func savedCrashes() throws {
        let inputs = try FileManager.default.contentsOfDirectory(at: Self.corpus, includingPropertiesForKeys: nil)
            .filter { $0.lastPathComponent.hasPrefix("crash-") }
        #expect(!inputs.isEmpty)
        for url in inputs {
            let annotations = try JSONDecoder().decode(Annotations.self, from: Data(contentsOf: url))
            let context = TrackContext(endFrame: 16, deletedFrames: [3], dimension: .twoD)
            do {
                let grouped = try FrameAnnotations(annotations, activeFrames: Set(0..<16), tracks: context)
                #expect(grouped.shapes.keys.allSatisfy { (0..<16).contains($0) }, "\(url.lastPathComponent)")
            } catch {
                #expect(!error.message.isEmpty, "\(url.lastPathComponent)")
            }
        }
    }

    @Test func tagsAreGroupedByFrameInTheirOrderOnEachFrame() {
        let given = [(5, 1), (2, 2), (5, 3), (0, 4), (2, 5), (9, 6)].map { Tag(id: $0.1, frame: $0.0, labelID: 1) }
        for tags in [given, given.sorted { $0.frame < $1.frame }] {
            let grouped = FrameTags(tags)
            #expect(grouped.keys == [0, 2, 5, 9])
            #expect(grouped[2]?.map(\.id) == [2, 5])
            #expect(grouped[5]?.map(\.id) == [1, 3])
            #expect(grouped[9]?.map(\.id) == [6])
            #expect(grouped[0]?.map(\.id) == [4])
            for missing in [-1, 1, 3, 6, 10] { #expect(grouped[missing] == nil) }
            #expect(grouped.all.map(\.frame) == [0, 2, 2, 5, 5, 9])
        }
        #expect(FrameTags([])[0] == nil)
        #expect(FrameTags([]).keys.isEmpty)
    }
}
