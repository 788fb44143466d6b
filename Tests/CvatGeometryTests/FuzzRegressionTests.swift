import CvatGeometry
import CvatTestSupport
import Foundation
import Testing

/// What fuzz-annotations found in track interpolation (Fixtures/fuzz/fuzz-annotations/crash-*): keyframes far
/// outside the task made a shape for every frame between them, whatever the task's size.
@Suite("fuzz regressions: track interpolation")
struct InterpolationFuzzRegressionTests {
    static func rectangleTrack(_ frames: [Int], startFrame: Int = 0) -> TrackInput {
        TrackInput(
            id: 1, labelID: 1, startFrame: startFrame,
            keyframes: frames.enumerated().map { i, frame in
                TrackKeyframe(frame: frame, type: .rectangle, points: [Double(i), 0, Double(i) + 2, 2])
            })
    }

    @Test("a keyframe far beyond the task costs only the task's frames (it reserved 400 million shapes)")
    func keyframeFarBeyondTheEnd() throws {
        // crash-178210b1...: keyframes on frames 0 and 400,000,000 of a 16-frame task ran out of memory.
        let shapes = try TrackInterpolation.visibleShapes(track: Self.rectangleTrack([0, 400_000_000]), endFrame: 20)
        #expect(shapes.map(\.frame) == Array(0..<20))
        // Frame 10 is interpolated as before: t = 10 / 4e8 of the way from the first keyframe to the second.
        let t = 10.0 / 400_000_000
        #expect(shapes[10].points == [0 + 1 * t, 0, 2 + 1 * t, 2])
    }

    @Test(
        "keyframes before frame 0 and at the ends of Int neither trap nor run for ever",
        arguments: [
            [-400_000_000, 3], [Int.min, Int.max], [Int.min, 5], [5, Int.max],
        ])
    func extremeFrames(_ frames: [Int]) throws {
        for type in [ShapeKind.rectangle, .polygon, .points, .mask] {
            var track = Self.rectangleTrack(frames, startFrame: frames[0])
            for i in track.keyframes.indices {
                track.keyframes[i].type = type
                track.keyframes[i].points = type == .points ? [1, 2, 3, 4] : track.keyframes[i].points
            }
            let shapes = try TrackInterpolation.visibleShapes(track: track, endFrame: 8)
            #expect(shapes.allSatisfy { $0.points.allSatisfy(\.isFinite) }, "\(type) \(frames)")
            // Every frame of the task from the track's start on, and no other: interpolated, held or copied.
            #expect(shapes.map(\.frame) == Array(max(0, frames[0])..<8), "\(type) \(frames)")
        }
    }

    @Test("a track that starts past the task's end has no shapes, whatever its keyframes")
    func trackStartingPastTheEnd() throws {
        // crash-de012329...: track frame 9223372036854775800, one keyframe at -9223372036854775807, a task of 1
        // frame: copying the last keyframe to the end of the task made a range from 9223372036854775800 to 1.
        let track = Self.rectangleTrack([-9_223_372_036_854_775_807], startFrame: 9_223_372_036_854_775_800)
        #expect(try TrackInterpolation.visibleShapes(track: track, endFrame: 1).isEmpty)
        let late = Self.rectangleTrack([2], startFrame: 30)
        #expect(try TrackInterpolation.visibleShapes(track: late, endFrame: 20).isEmpty)
    }

    @Test("a mismatch between keyframes is reported whether or not the frames between them lie in the task")
    func errorsDoNotDependOnTheWindow() throws {
        // Frames 19...99 lie between the keyframes, only 19 is not past the task's end: the odd polygon is an error.
        var track = Self.rectangleTrack([18, 100])
        for i in track.keyframes.indices { track.keyframes[i].type = .polygon }
        track.keyframes[1].points = [1, 2, 3]
        #expect(throws: TrackInterpolationError.self) {
            _ = try TrackInterpolation.visibleShapes(track: track, endFrame: 19)
        }
    }
}
