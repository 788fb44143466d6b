import CvatTestSupport
import Foundation
import Testing

@testable import CvatGeometry

/// The cases of `Fixtures/tracks/input_tracks.json` and what CVAT's server made of them
/// (`expected_shapes.json`, written by `generate_expected.py` from the server's own code).
enum TrackFixtures {
    struct Attribute: Decodable, Sendable {
        let spec_id: Int
        let value: String
        var model: TrackAttribute { TrackAttribute(specID: spec_id, value: value) }
    }

    struct Keyframe: Decodable, Sendable {
        let id: Int
        let type: String
        let frame: Int
        let occluded: Bool
        let outside: Bool
        let z_order: Int
        let rotation: Double
        let points: [Double]
        let attributes: [Attribute]
    }

    struct Track: Decodable, Sendable {
        let id: Int
        let label_id: Int
        let frame: Int
        let shapes: [Keyframe]
        let attributes: [Attribute]
        let elements: [Track]?

        func model() throws -> TrackInput {
            TrackInput(
                id: id, labelID: label_id, startFrame: frame,
                keyframes: try shapes.map { k in
                    let kind = try #require(ShapeKind(rawValue: k.type))
                    return TrackKeyframe(
                        id: k.id, frame: k.frame, type: kind, points: k.points, rotation: k.rotation,
                        occluded: k.occluded, outside: k.outside, zOrder: k.z_order,
                        attributes: k.attributes.map(\.model))
                },
                attributes: attributes.map(\.model), elements: try (elements ?? []).map { try $0.model() })
        }
    }

    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let note: String
        let end_frame: Int
        let deleted_frames: [Int]
        let included_frames: [Int]?
        let include_outside: Bool
        let dimension: String
        let track: Track
        var testDescription: String { name }
    }

    struct Shape: Decodable, Sendable {
        let frame: Int
        let type: String
        let points: [Double]
        let rotation: Double
        let occluded: Bool
        let outside: Bool
        let z_order: Int
        let keyframe: Bool
        let label_id: Int
        let track_id: Int
        let attributes: [Attribute]
        let elements: [Shape]
    }

    struct Expected: Decodable, Sendable {
        let name: String
        let error: String?
        let shapes: [Shape]?
        let exported_frames: [Int]?
    }

    private struct Inputs: Decodable { let cases: [Case] }
    private struct Outputs: Decodable { let cases: [Expected] }

    static let directory = TestPaths.fixtures.appendingPathComponent("tracks")

    static func inputs() -> [Case] {
        do {
            let data = try Data(contentsOf: directory.appendingPathComponent("input_tracks.json"))
            return try JSONDecoder().decode(Inputs.self, from: data).cases
        } catch {
            // An empty argument list would make the parameterised test pass vacuously; the count test catches it.
            return []
        }
    }

    static func expected() throws -> [String: Expected] {
        let data = try Data(contentsOf: directory.appendingPathComponent("expected_shapes.json"))
        let cases = try JSONDecoder().decode(Outputs.self, from: data).cases
        return Dictionary(uniqueKeysWithValues: cases.map { ($0.name, $0) })
    }

    static func run(_ c: Case) throws(TrackInterpolationError) -> [InterpolatedShape] {
        try TrackInterpolation.interpolate(
            track: try! c.track.model(), endFrame: c.end_frame, deletedFrames: Set(c.deleted_frames),
            includedFrames: c.included_frames.map(Set.init), includeOutside: c.include_outside,
            dimension: c.dimension == "3d" ? .threeD : .twoD)
    }
}

@Suite struct TrackInterpolationTests {
    static let cases = TrackFixtures.inputs()

    @Test func fixturesCoverEveryCase() throws {
        let expected = try TrackFixtures.expected()
        #expect(Self.cases.count >= 29)
        #expect(Set(Self.cases.map(\.name)) == Set(expected.keys))
        let kinds = Set(Self.cases.flatMap { c in c.track.shapes.map(\.type) })
        #expect(kinds.isSuperset(of: ["rectangle", "ellipse", "polygon", "polyline", "points", "mask", "skeleton"]))
    }

    /// Every frame, point, rotation, flag and attribute against the server's output.
    @Test(arguments: cases)
    func matchesServer(_ c: TrackFixtures.Case) throws {
        let expected = try #require(try TrackFixtures.expected()[c.name])
        let result: [InterpolatedShape]
        do {
            result = try TrackFixtures.run(c)
        } catch {
            #expect(expected.error != nil, "\(c.name): unexpected \(error)")
            switch error.kind {
            case .typeMismatch: #expect(expected.error == "NotImplementedError")
            case .conflictingKeyframes: #expect(expected.error == "AssertionError")
            case .malformedPoints: #expect(expected.error == "ValueError" || expected.error == "IndexError")
            }
            return
        }
        #expect(expected.error == nil, "\(c.name): the server raises \(expected.error ?? "")")
        let shapes = try #require(expected.shapes)
        compare(result, shapes, context: c.name)

        if let exportedFrames = expected.exported_frames {
            let visible = try TrackInterpolation.visibleShapes(
                track: try c.track.model(), endFrame: c.end_frame, deletedFrames: Set(c.deleted_frames),
                includedFrames: c.included_frames.map(Set.init), dimension: c.dimension == "3d" ? .threeD : .twoD)
            #expect(visible.map(\.frame) == exportedFrames, "\(c.name)")
            #expect(visible.allSatisfy { !$0.outside })
        }
    }

    private func compare(_ actual: [InterpolatedShape], _ expected: [TrackFixtures.Shape], context: String) {
        #expect(actual.map(\.frame) == expected.map(\.frame), "\(context): frames")
        for (a, e) in zip(actual, expected) {
            let at = "\(context) frame \(e.frame) label \(e.label_id)"
            #expect(a.type.rawValue == e.type, "\(at)")
            #expect(a.labelID == e.label_id && a.trackID == e.track_id, "\(at)")
            #expect(a.keyframe == e.keyframe, "\(at): keyframe")
            #expect(a.outside == e.outside, "\(at): outside")
            #expect(a.occluded == e.occluded, "\(at): occluded")
            #expect(a.zOrder == e.z_order, "\(at): z_order")
            #expect(abs(a.rotation - e.rotation) <= 1e-9, "\(at): rotation \(a.rotation) vs \(e.rotation)")
            #expect(a.points.count == e.points.count, "\(at): \(a.points) vs \(e.points)")
            for (p, q) in zip(a.points, e.points) {
                #expect(abs(p - q) <= 1e-6, "\(at): \(a.points) vs \(e.points)")
            }
            #expect(
                a.attributes == e.attributes.map(\.model), "\(at): \(a.attributes) vs \(e.attributes.map(\.model))")
            compare(a.elements, e.elements, context: "\(at) elements")
        }
    }

    /// Bit-for-bit agreement: the port does numpy's float64 operations in numpy's order.
    @Test func matchesServerExactly() throws {
        let expected = try TrackFixtures.expected()
        var compared = 0
        var differing: [String] = []
        func visit(_ a: [InterpolatedShape], _ e: [TrackFixtures.Shape], _ name: String) {
            for (x, y) in zip(a, e) {
                compared += 1
                if x.points != y.points || x.rotation != y.rotation { differing.append("\(name)@\(y.frame)") }
                visit(x.elements, y.elements, name)
            }
        }
        for c in Self.cases {
            guard let shapes = expected[c.name]?.shapes, let result = try? TrackFixtures.run(c) else { continue }
            visit(result, shapes, c.name)
        }
        #expect(compared > 300)
        #expect(differing.isEmpty, "not bit-identical: \(differing)")
    }

    // MARK: Focused rules

    private func ellipse(_ frame: Int, rotation: Double, x: Double = 40) -> TrackKeyframe {
        TrackKeyframe(frame: frame, type: .ellipse, points: [x, 30, x + 15, 22], rotation: rotation)
    }

    private func track(_ keyframes: [TrackKeyframe], elements: [TrackInput] = []) -> TrackInput {
        TrackInput(
            id: 1, labelID: 7, startFrame: keyframes.map(\.frame).min() ?? 0, keyframes: keyframes,
            elements: elements)
    }

    @Test func exactHalfTurnMovesByOneDegree() throws {
        // The server's find_angle_diff maps a difference of exactly 180 to +1 (cvat-core would turn by 180).
        let shapes = try TrackInterpolation.interpolate(
            track: track([ellipse(0, rotation: 350), ellipse(4, rotation: 170)]), endFrame: 5)
        #expect(shapes.map(\.rotation) == [350, 350.25, 350.5, 350.75, 170])
        let reverse = try TrackInterpolation.interpolate(
            track: track([ellipse(0, rotation: 170), ellipse(4, rotation: 350)]), endFrame: 4)
        #expect(reverse.map(\.rotation) == [170, 170.25, 170.5, 170.75])
        #expect(TrackInterpolation.findAngleDiff(170, 350) == 1)
        #expect(TrackInterpolation.findAngleDiff(350, 170) == 1)
    }

    @Test func rotationTakesTheShorterArc() throws {
        let forward = try TrackInterpolation.interpolate(
            track: track([ellipse(0, rotation: 350), ellipse(4, rotation: 10)]), endFrame: 5)
        #expect(forward.map(\.rotation) == [350, 355, 0, 5, 10])
        let backward = try TrackInterpolation.interpolate(
            track: track([ellipse(0, rotation: 10), ellipse(4, rotation: 350)]), endFrame: 4)
        #expect(backward.map(\.rotation) == [10, 5, 0, 355])
        #expect(TrackInterpolation.pythonModulo(-1e-20, 360) == 360)  // Python: -1e-20 % 360 == 360.0
        #expect(TrackInterpolation.pythonModulo(-90, 360) == 270)
    }

    @Test func severalPointsAreHeldOnePointMoves() throws {
        let held = try TrackInterpolation.interpolate(
            track: track([
                TrackKeyframe(frame: 0, type: .points, points: [0, 0, 10, 10]),
                TrackKeyframe(frame: 3, type: .points, points: [30, 30, 40, 40]),
            ]), endFrame: 4)
        #expect(held.map(\.points) == [[0, 0, 10, 10], [0, 0, 10, 10], [0, 0, 10, 10], [30, 30, 40, 40]])
        #expect(held.map(\.keyframe) == [true, false, false, true])
        let moved = try TrackInterpolation.interpolate(
            track: track([
                TrackKeyframe(frame: 0, type: .points, points: [0, 0]),
                TrackKeyframe(frame: 4, type: .points, points: [8, 4]),
            ]), endFrame: 5)
        #expect(moved.map(\.points) == [[0, 0], [2, 1], [4, 2], [6, 3], [8, 4]])
    }

    @Test func masksAreHeldWhereTheServerRaises() throws {
        let shapes = try TrackInterpolation.interpolate(
            track: track([
                TrackKeyframe(frame: 0, type: .mask, points: [0, 4, 2, 10, 10, 11, 11]),
                TrackKeyframe(frame: 2, type: .mask, points: [1, 3, 4, 12, 12, 14, 13]),
            ]), endFrame: 3)
        let first: [Double] = [0, 4, 2, 10, 10, 11, 11]
        #expect(shapes.map(\.points) == [first, first, [1, 3, 4, 12, 12, 14, 13]])
        #expect(shapes.map(\.keyframe) == [true, false, true])
    }

    @Test func outsideKeyframeStopsTheObject() throws {
        let rect = { (f: Int, x: Double, outside: Bool) in
            TrackKeyframe(frame: f, type: .rectangle, points: [x, 0, x + 10, 10], outside: outside)
        }
        let t = track([rect(0, 0, false), rect(2, 2, true), rect(5, 5, false)])
        let all = try TrackInterpolation.interpolate(track: t, endFrame: 7)
        #expect(all.map(\.frame) == [0, 1, 2, 5, 6])
        #expect(all.map(\.outside) == [false, false, true, false, false])
        #expect(try TrackInterpolation.visibleShapes(track: t, endFrame: 7).map(\.frame) == [0, 1, 5, 6])
        // Into the outside keyframe the shape moves toward it; nothing comes out of it.
        #expect(all[1].points == [1, 0, 11, 10])
    }

    @Test func skeletonFrameWithEveryElementOutsideIsDropped() throws {
        let point = { (f: Int, outside: Bool) in
            TrackKeyframe(frame: f, type: .points, points: [Double(f), 1], outside: outside)
        }
        let elements = [
            TrackInput(
                id: 2, labelID: 8, startFrame: 0, keyframes: [point(0, false), point(1, true), point(3, false)]),
            TrackInput(
                id: 3, labelID: 9, startFrame: 0, keyframes: [point(0, false), point(2, true), point(3, false)]),
        ]
        let skeleton = track(
            [
                TrackKeyframe(frame: 0, type: .skeleton, points: []),
                TrackKeyframe(frame: 3, type: .skeleton, points: []),
            ],
            elements: elements)
        let shapes = try TrackInterpolation.interpolate(track: skeleton, endFrame: 4)
        #expect(shapes.map(\.frame) == [0, 1, 3])
        #expect(shapes[1].elements.map(\.outside) == [true, false])
        #expect(shapes[1].elements.map(\.labelID) == [8, 9])
    }

    @Test func rejectsWhatTheServerRejects() {
        let r = { (f: Int, x: Double) in TrackKeyframe(frame: f, type: .rectangle, points: [x, 0, 10, 10]) }
        #expect(throws: TrackInterpolationError.conflictingKeyframes(trackID: 1, frame: 2)) {
            try TrackInterpolation.interpolate(track: track([r(0, 0), r(2, 1), r(2, 2)]), endFrame: 5)
        }
        #expect(throws: TrackInterpolationError.typeMismatch(trackID: 1, frame: 2, from: .rectangle, to: .polygon)) {
            try TrackInterpolation.interpolate(
                track: track([r(0, 0), TrackKeyframe(frame: 2, type: .polygon, points: [0, 0, 1, 0, 1, 1])]),
                endFrame: 5)
        }
    }
}
