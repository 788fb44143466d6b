public import CvatErrors

/// One attribute value on a keyframe or a track (`AttributeVal`: `{spec_id, value}`).
///
/// Kept as an ordered list rather than a dictionary because CVAT compares and concatenates attribute lists in
/// order: duplicate keyframes are equal only with the same order, and exported shapes list the shape's
/// attributes before the track's.
public struct TrackAttribute: Sendable, Hashable {
    public var specID: Int
    public var value: String

    public init(specID: Int, value: String) {
        self.specID = specID
        self.value = value
    }
}

/// One keyframe of a track (the API's `TrackedShape`, API.md §1.6).
public struct TrackKeyframe: Sendable, Hashable {
    /// The server's shape id. It takes no part in interpolation; duplicate keyframes may differ in it.
    public var id: Int
    public var frame: Int
    public var type: ShapeKind
    public var points: [Double]
    /// Degrees, 0..<360.
    public var rotation: Double
    public var occluded: Bool
    public var outside: Bool
    public var zOrder: Int
    /// The mutable attributes stored on this keyframe.
    public var attributes: [TrackAttribute]

    public init(
        id: Int = 0, frame: Int, type: ShapeKind, points: [Double], rotation: Double = 0,
        occluded: Bool = false, outside: Bool = false, zOrder: Int = 0, attributes: [TrackAttribute] = []
    ) {
        self.id = id
        self.frame = frame
        self.type = type
        self.points = points
        self.rotation = rotation
        self.occluded = occluded
        self.outside = outside
        self.zOrder = zOrder
        self.attributes = attributes
    }
}

/// A track as the API returns it (`LabeledTrack` / `SubLabeledTrack`), reduced to what interpolation reads.
public struct TrackInput: Sendable, Hashable {
    public var id: Int
    public var labelID: Int
    /// The track's `frame`: no shape before it is emitted, even if a keyframe lies earlier.
    public var startFrame: Int
    /// In any order; they are sorted by frame (stably) as the server does.
    public var keyframes: [TrackKeyframe]
    /// The track's immutable attributes, appended to every emitted shape's own.
    public var attributes: [TrackAttribute]
    /// One element track per skeleton keypoint; empty for other tracks.
    public var elements: [TrackInput]

    public init(
        id: Int, labelID: Int, startFrame: Int, keyframes: [TrackKeyframe],
        attributes: [TrackAttribute] = [], elements: [TrackInput] = []
    ) {
        self.id = id
        self.labelID = labelID
        self.startFrame = startFrame
        self.keyframes = keyframes
        self.attributes = attributes
        self.elements = elements
    }
}

/// One per-frame shape produced from a track.
public struct InterpolatedShape: Sendable, Hashable {
    public var frame: Int
    /// The label of the track that produced the shape (for skeleton elements: the keypoint's sublabel).
    public var labelID: Int
    /// The server id of the track that produced the shape.
    public var trackID: Int
    public var type: ShapeKind
    public var points: [Double]
    public var rotation: Double
    public var occluded: Bool
    /// An outside shape marks the object as not visible on this frame; exporters drop it
    /// (`TrackInterpolation.visibleShapes` does).
    public var outside: Bool
    public var zOrder: Int
    /// Whether this frame holds one of the track's keyframes (rather than an interpolated or propagated copy).
    public var keyframe: Bool
    /// The shape's mutable attributes (propagated from earlier keyframes), then the track's immutable ones.
    public var attributes: [TrackAttribute]
    /// Skeleton keypoints on this frame, in element-track order; outside ones are kept and flagged.
    public var elements: [InterpolatedShape]

    public init(
        frame: Int, labelID: Int, trackID: Int, type: ShapeKind, points: [Double], rotation: Double,
        occluded: Bool, outside: Bool, zOrder: Int, keyframe: Bool, attributes: [TrackAttribute],
        elements: [InterpolatedShape] = []
    ) {
        self.frame = frame
        self.labelID = labelID
        self.trackID = trackID
        self.type = type
        self.points = points
        self.rotation = rotation
        self.occluded = occluded
        self.outside = outside
        self.zOrder = zOrder
        self.keyframe = keyframe
        self.attributes = attributes
        self.elements = elements
    }
}

/// Whether a task is 2D images or 3D point clouds (`DimensionType`); 3D tracks interpolate cuboid angles.
public enum TrackDimension: String, Sendable, Hashable {
    case twoD = "2d"
    case threeD = "3d"
}

/// Tracks the server refuses to interpolate; the server raises on these while exporting.
///
/// Built by static functions named as its cases were when it was an enum, so throw sites read as before.
public struct TrackInterpolationError: KindedError, Sendable, Hashable {
    public enum Kind: ErrorKind {
        /// Two consecutive keyframes have different shape types (the server's `NotImplementedError`).
        case typeMismatch
        /// Two keyframes on the same frame that differ in more than their id (the server's assertion).
        case conflictingKeyframes
        /// Keyframes whose point lists cannot be interpolated: different lengths for a per-coordinate
        /// interpolation, an odd number of coordinates for a polygon or polyline, or (3D) too few angles.
        case malformedPoints

        /// All are annotations the server could not export either.
        public var category: ErrorCategory {
            switch self {
            case .typeMismatch, .conflictingKeyframes, .malformedPoints: .data
            }
        }
    }

    public var kind: Kind
    public var message: String

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public static func typeMismatch(trackID: Int, frame: Int, from: ShapeKind, to: ShapeKind) -> Self {
        Self(
            .typeMismatch,
            "track \(trackID) changes from \(from.rawValue) to \(to.rawValue) at frame \(frame); "
                + "CVAT cannot interpolate between different types")
    }

    public static func conflictingKeyframes(trackID: Int, frame: Int) -> Self {
        Self(.conflictingKeyframes, "track \(trackID) has two different keyframes on frame \(frame)")
    }

    public static func malformedPoints(trackID: Int, frame: Int) -> Self {
        Self(.malformedPoints, "track \(trackID) has keyframe points at frame \(frame) that CVAT cannot interpolate")
    }
}

/// CVAT's track → per-frame shapes, as the server computes it when it exports a dataset.
///
/// A port of `TrackManager.get_interpolated_shapes` and the skeleton part of `TrackManager.to_shapes`
/// (`cvat/apps/dataset_manager/annotation.py`); API.md §2 describes the rules. Arithmetic is done in `Double` in
/// numpy's order so that results agree with the server to the last bit or nearly so. The one deliberate
/// difference: the server cannot interpolate mask tracks (it raises), so a mask is held unchanged from the
/// previous keyframe, as CVAT's own UI shows it.
public enum TrackInterpolation {
    /// The shapes of one track on the frames `track.startFrame ..< endFrame` (none before frame 0, where no task
    /// has frames), with skeleton elements attached.
    ///
    /// With `includeOutside == false` (what exporters use) outside copies are skipped but outside *keyframes*
    /// are kept and flagged, and a skeleton frame whose elements are all outside is dropped. Keyframes on
    /// `deletedFrames` are ignored, and nothing is emitted on those frames. `includedFrames` (GT jobs) only
    /// filters the output.
    public static func interpolate(
        track: TrackInput, endFrame: Int, deletedFrames: Set<Int> = [], includedFrames: Set<Int>? = nil,
        includeOutside: Bool = false, dimension: TrackDimension = .twoD
    ) throws(TrackInterpolationError) -> [InterpolatedShape] {
        var shapes = try interpolatedShapes(
            of: track, endFrame: endFrame, deletedFrames: deletedFrames, includedFrames: includedFrames,
            includeOutside: includeOutside, dimension: dimension)
        for i in shapes.indices { shapes[i].attributes += track.attributes }
        guard !track.elements.isEmpty, !shapes.isEmpty else { return shapes }

        // Elements are controlled by the parent: evaluated only on its frames, with outside ones included.
        var elementFrames = Set(shapes.map(\.frame))
        if let includedFrames { elementFrames.formIntersection(includedFrames) }
        var elementsByFrame: [Int: [InterpolatedShape]] = [:]
        for element in track.elements {
            let elementShapes = try interpolate(
                track: element, endFrame: endFrame, deletedFrames: deletedFrames, includedFrames: elementFrames,
                includeOutside: true, dimension: dimension)
            for shape in elementShapes { elementsByFrame[shape.frame, default: []].append(shape) }
        }
        for i in shapes.indices { shapes[i].elements = elementsByFrame[shapes[i].frame] ?? [] }
        if !includeOutside {
            shapes.removeAll { !$0.elements.isEmpty && $0.elements.allSatisfy(\.outside) }
        }
        return shapes
    }

    /// The shapes an exporter writes for `track`: `interpolate(..., includeOutside: false)` without the outside
    /// ones (`bindings.py` skips them). Skeleton elements keep their outside flags (invisible keypoints).
    public static func visibleShapes(
        track: TrackInput, endFrame: Int, deletedFrames: Set<Int> = [], includedFrames: Set<Int>? = nil,
        dimension: TrackDimension = .twoD
    ) throws(TrackInterpolationError) -> [InterpolatedShape] {
        try interpolate(
            track: track, endFrame: endFrame, deletedFrames: deletedFrames, includedFrames: includedFrames,
            includeOutside: false, dimension: dimension
        ).filter { !$0.outside }
    }

    /// `get_interpolated_shapes`: the track's own shapes, attributes not yet extended with the track's.
    static func interpolatedShapes(
        of track: TrackInput, endFrame: Int, deletedFrames: Set<Int>, includedFrames: Set<Int>?,
        includeOutside: Bool, dimension: TrackDimension
    ) throws(TrackInterpolationError) -> [InterpolatedShape] {
        // Stable sort by frame, like Python's sorted().
        let keyframes = track.keyframes.enumerated()
            .sorted { ($0.element.frame, $0.offset) < ($1.element.frame, $1.offset) }
            .map(\.element)

        // Only frames in the window survive the filter below, so only those are generated: a keyframe far beyond
        // the task (or far before frame 0) in a corrupt or hostile annotations file would otherwise cost a shape
        // per frame in between, billions of them. A task's frames start at 0.
        let first = max(track.startFrame, 0)
        let window = first..<max(first, endFrame)
        var generated: [InterpolatedShape] = []
        var previous: InterpolatedShape?
        var finished = false
        for keyframe in keyframes where !deletedFrames.contains(keyframe.frame) {
            var current = InterpolatedShape(
                frame: keyframe.frame, labelID: track.labelID, trackID: track.id, type: keyframe.type,
                points: keyframe.points, rotation: keyframe.rotation, occluded: keyframe.occluded,
                outside: keyframe.outside, zOrder: keyframe.zOrder, keyframe: true,
                attributes: keyframe.attributes)
            if let prev = previous, endFrame <= current.frame {
                // The track ends inside prev→current: interpolate, keep what is before endFrame, stop. The server
                // neither gates this on prev being visible nor propagates attributes here.
                generated += try between(prev, current, trackID: track.id, dimension: dimension, within: window)
                    .filter { $0.frame < endFrame }
                finished = true
                break
            }
            if let prev = previous {
                if current.frame == prev.frame && sameContent(current, prev) { continue }
                guard current.frame > prev.frame else {
                    throw .conflictingKeyframes(trackID: track.id, frame: current.frame)
                }
                for attribute in prev.attributes
                where !current.attributes.contains(where: { $0.specID == attribute.specID }) {
                    current.attributes.append(attribute)
                }
                if !prev.outside || includeOutside {
                    generated += try between(prev, current, trackID: track.id, dimension: dimension, within: window)
                }
            }
            generated.append(current)
            previous = current
        }
        if !finished, let last = previous, !last.outside || includeOutside, last.frame < endFrame,
            last.frame + 1 < endFrame
        {
            // Up to the window's end, not endFrame: a track starting past the task's end has an empty window
            // whose lower bound exceeds endFrame (fuzz-annotations crash-de012329...).
            for frame in max(last.frame + 1, window.lowerBound)..<window.upperBound {
                generated.append(copy(of: last, frame: frame))
            }
        }

        return generated.filter { shape in
            !deletedFrames.contains(shape.frame) && window.contains(shape.frame)
                && (shape.keyframe || !shape.outside || includeOutside)
                && (includedFrames?.contains(shape.frame) ?? true)
        }
    }

    /// The server's duplicate test: the two keyframes as dictionaries, ignoring `id` and `keyframe`.
    private static func sameContent(_ a: InterpolatedShape, _ b: InterpolatedShape) -> Bool {
        a.frame == b.frame && a.type == b.type && a.points == b.points && a.rotation == b.rotation
            && a.occluded == b.occluded && a.outside == b.outside && a.zOrder == b.zOrder
            && a.attributes == b.attributes
    }

    /// `copy_shape`: everything from `source` (including `outside`), a new frame, not a keyframe.
    static func copy(
        of source: InterpolatedShape, frame: Int, points: [Double]? = nil, rotation: Double? = nil
    ) -> InterpolatedShape {
        var copied = source
        copied.frame = frame
        copied.keyframe = false
        if let points { copied.points = points }
        if let rotation { copied.rotation = rotation }
        return copied
    }

    /// `interpolate(shape0, shape1)`: the shapes strictly between two keyframes, on the frames in `window` only.
    /// Whether it throws does not depend on `window`: the server checks the keyframes whenever a frame lies
    /// between them.
    static func between(
        _ shape0: InterpolatedShape, _ shape1: InterpolatedShape, trackID: Int, dimension: TrackDimension,
        within window: Range<Int>
    ) throws(TrackInterpolationError) -> [InterpolatedShape] {
        guard shape0.type == shape1.type else {
            throw .typeMismatch(trackID: trackID, frame: shape1.frame, from: shape0.type, to: shape1.type)
        }
        if dimension == .threeD {
            return try simple3DInterpolation(shape0, shape1, trackID: trackID, within: window)
        }
        switch shape0.type {
        case .rectangle, .cuboid, .ellipse, .skeleton:
            return try simpleInterpolation(shape0, shape1, trackID: trackID, within: window)
        case .points:
            if shape0.points.count == 2 && shape1.points.count == 2 {
                return try simpleInterpolation(shape0, shape1, trackID: trackID, within: window)
            }
            return hold(shape0, until: shape1, within: window)
        case .polygon, .polyline:
            return try polyshapeInterpolation(shape0, shape1, trackID: trackID, within: window)
        case .mask:
            // The server raises NotImplementedError here; hold the mask like the UI does.
            return hold(shape0, until: shape1, within: window)
        }
    }

    /// Copies of `shape0` on every frame before `shape1`'s in `window` (points with several points, masks).
    private static func hold(
        _ shape0: InterpolatedShape, until shape1: InterpolatedShape, within window: Range<Int>
    ) -> [InterpolatedShape] {
        frames(between: shape0, shape1, within: window).map { copy(of: shape0, frame: $0) }
    }

    /// Whether any frame lies strictly between the two keyframes (`frame0 + 1 < frame1`, without overflowing).
    static func framesLieBetween(_ shape0: InterpolatedShape, _ shape1: InterpolatedShape) -> Bool {
        shape0.frame < shape1.frame && shape0.frame + 1 < shape1.frame
    }

    /// The frames strictly between the two keyframes that lie in `window`.
    static func frames(
        between shape0: InterpolatedShape, _ shape1: InterpolatedShape, within window: Range<Int>
    ) -> Range<Int> {
        guard framesLieBetween(shape0, shape1) else { return 0..<0 }
        let lower = max(shape0.frame + 1, window.lowerBound)
        let upper = min(shape1.frame, window.upperBound)
        return lower < upper ? lower..<upper : 0..<0
    }

    /// `(frame - frame0) / distance`, Python's true division of two ints (exact operands, one rounding). Frame
    /// numbers so far apart that the differences overflow (only a corrupt file has them) are divided as doubles.
    @inline(__always)
    static func offset(_ frame: Int, _ shape0: InterpolatedShape, _ shape1: InterpolatedShape) -> Double {
        let (numerator, o1) = frame.subtractingReportingOverflow(shape0.frame)
        let (distance, o2) = shape1.frame.subtractingReportingOverflow(shape0.frame)
        guard !o1 && !o2 else {
            return (Double(frame) - Double(shape0.frame)) / (Double(shape1.frame) - Double(shape0.frame))
        }
        return Double(numerator) / Double(distance)
    }

    /// `simple_interpolation`: points `p0 + (p1 - p0) * t` per coordinate and rotation along the shorter arc.
    static func simpleInterpolation(
        _ shape0: InterpolatedShape, _ shape1: InterpolatedShape, trackID: Int, within window: Range<Int>
    ) throws(TrackInterpolationError) -> [InterpolatedShape] {
        guard shape0.points.count == shape1.points.count else {
            throw .malformedPoints(trackID: trackID, frame: shape1.frame)
        }
        let frames = frames(between: shape0, shape1, within: window)
        guard !frames.isEmpty else { return [] }
        let p0 = shape0.points
        var diff = [Double](repeating: 0, count: p0.count)
        for i in p0.indices { diff[i] = shape1.points[i] - p0[i] }
        let angleDiff = findAngleDiff(shape1.rotation, shape0.rotation)
        var shapes: [InterpolatedShape] = []
        shapes.reserveCapacity(frames.count)
        for frame in frames {
            let t = offset(frame, shape0, shape1)
            let rotation = pythonModulo(shape0.rotation + angleDiff * t + 360, 360)
            var points = [Double](repeating: 0, count: p0.count)
            for i in p0.indices { points[i] = p0[i] + diff[i] * t }
            shapes.append(copy(of: shape0, frame: frame, points: points, rotation: rotation))
        }
        return shapes
    }

    /// `simple_3d_interpolation`: like the simple one, then the three angles at `points[3...5]` (radians)
    /// interpolated in degrees along the shorter arc and mapped back to (-π, π].
    static func simple3DInterpolation(
        _ shape0: InterpolatedShape, _ shape1: InterpolatedShape, trackID: Int, within window: Range<Int>
    ) throws(TrackInterpolationError) -> [InterpolatedShape] {
        var shapes = try simpleInterpolation(shape0, shape1, trackID: trackID, within: window)
        // Python: angles = shape0["points"][3:6] + shape1["points"][3:6]
        let angles = Array(shape0.points.dropFirst(3).prefix(3)) + Array(shape1.points.dropFirst(3).prefix(3))
        guard framesLieBetween(shape0, shape1), !angles.isEmpty else { return shapes }
        // Python reads angles[i + 3] for i < 3: anything but three angles per keyframe is an IndexError.
        guard angles.count == 6 else { throw .malformedPoints(trackID: trackID, frame: shape1.frame) }
        let twoPi = Double.pi * 2
        let radToDeg = 180.0 / Double.pi  // CPython's math.degrees factor
        let degToRad = Double.pi / 180.0  // and math.radians'
        for s in shapes.indices {
            let t = offset(shapes[s].frame, shape0, shape1)
            for i in 0..<3 {
                let raw0 = angles[i]
                let raw1 = angles[i + 3]
                let angle0 = (raw0 >= 0 ? raw0 : raw0 + twoPi) * radToDeg
                let angle1 = (raw1 >= 0 ? raw1 : raw1 + twoPi) * radToDeg
                let angle = (angle0 + findAngleDiff(angle1, angle0) * t) * degToRad
                shapes[s].points[i + 3] = angle <= Double.pi ? angle : angle - twoPi
            }
        }
        return shapes
    }

    /// The server's `find_angle_diff`: the signed shorter arc from `left` to `right`, in [-180, 180), except that
    /// an exact half turn (-180 after normalising) becomes +1 (a server quirk; cvat-core gives +180).
    static func findAngleDiff(_ right: Double, _ left: Double) -> Double {
        var angleDiff = right - left
        angleDiff = pythonModulo(angleDiff + 180, 360) - 180
        if abs(angleDiff) >= 180 {
            angleDiff = angleDiff > 0 ? 360 - abs(angleDiff) * -1 : 1
        }
        return angleDiff
    }

    /// Python's float `%` (CPython `float_rem`): the result takes the divisor's sign.
    static func pythonModulo(_ x: Double, _ y: Double) -> Double {
        var mod = x.truncatingRemainder(dividingBy: y)
        if mod != 0 {
            if (y < 0) != (mod < 0) { mod += y }
        } else {
            mod = Double(signOf: y, magnitudeOf: 0)
        }
        return mod
    }
}
