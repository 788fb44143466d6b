package import CvatAPI
package import CvatErrors
package import CvatGeometry

/// Where a frame's shape comes from: the server's identity of what was annotated.
///
/// Kept on every shape so that per-box columns and messages can name the annotation a target row was made from.
package enum ShapeOrigin: Sendable, Hashable {
    /// A shape stored on the frame; `id` is the server's shape id (nil in annotations written without ids).
    case shape(id: Int?)
    /// A per-frame shape the server makes from a track; `id` is the track's server id, or its position among the
    /// task's tracks when it has none.
    case track(id: Int)
}

/// One shape on one frame: a plain shape as stored, or a per-frame shape CVAT's server makes from a track.
///
/// Targets read this rather than the API's `Shape` so that both kinds flow through every transform alike, and so
/// that the shape's type is decided once, when the frame's annotations are grouped.
package struct FrameShape: Sendable {
    package var kind: ShapeKind
    /// The frame the shape is on (its skeleton elements' too).
    package var frame: Int
    package var labelID: Int
    package var points: [Double]
    package var rotation: Double
    package var occluded: Bool
    package var outside: Bool
    package var zOrder: Int
    /// Skeleton keypoints (sublabel shapes); empty for other types.
    package var elements: [SkeletonElement]
    package var origin: ShapeOrigin
    /// What annotations.jsonl and the per-box columns tell beyond the geometry.
    package var details: ShapeDetails

    /// A stored shape, or nil when its type is not one of `ShapeKind` (see `FrameAnnotations.init`).
    package init?(_ shape: Shape) {
        guard let kind = ShapeKind(rawValue: shape.type) else { return nil }
        self.kind = kind
        frame = shape.frame
        labelID = shape.labelID
        points = shape.points
        rotation = shape.rotation
        occluded = shape.occluded
        outside = shape.outside
        zOrder = shape.zOrder
        elements = (shape.elements ?? []).map(SkeletonElement.init)
        origin = .shape(id: shape.id)
        details = ShapeDetails(shape)
    }

    /// A track's shape on one frame; `track` gives the group, source and score, and the keyframe's id when the
    /// frame holds one.
    package init(_ shape: InterpolatedShape, of track: Track) {
        kind = shape.type
        frame = shape.frame
        labelID = shape.labelID
        points = shape.points
        rotation = shape.rotation
        occluded = shape.occluded
        outside = shape.outside
        zOrder = shape.zOrder
        let elementTracks = track.elements ?? []
        // Element tracks without a server id are named by their position, as `trackInput` names them.
        elements = shape.elements.map { element in
            let index = elementTracks.indices.first { (elementTracks[$0].id ?? $0) == element.trackID }
            return SkeletonElement(element, of: index.map { elementTracks[$0] })
        }
        origin = .track(id: shape.trackID)
        details = ShapeDetails(shape, of: track)
    }

    package init(_ shape: InterpolatedShape) {
        kind = shape.type
        frame = shape.frame
        labelID = shape.labelID
        points = shape.points
        rotation = shape.rotation
        occluded = shape.occluded
        outside = shape.outside
        zOrder = shape.zOrder
        elements = shape.elements.map { SkeletonElement($0, of: nil) }
        origin = .track(id: shape.trackID)
        details = ShapeDetails(shape, of: nil)
    }

    /// The CVAT shape id of a plain shape; nil for a track's shape (which is no `LabeledShape`).
    package var shapeID: Int? {
        if case .shape(let id) = origin { id } else { nil }
    }

    /// The server id of the track the shape comes from; nil for a plain shape.
    package var trackID: Int? {
        if case .track(let id) = origin { id } else { nil }
    }

    /// " of track N" for a track's shape, empty for a plain one: appended to the shape's type in messages.
    package var originPhrase: String { trackID.map { " of track \($0)" } ?? "" }
}

/// One keypoint of a skeleton on one frame: a stored skeleton's element, or an element track's shape.
///
/// An element is read as one keypoint whatever type it is stored with (CVAT stores every element as `points`),
/// so it carries no `ShapeKind` and an element of a type cvat-ds does not know is kept.
package struct SkeletonElement: Sendable {
    /// The keypoint's sublabel.
    package var labelID: Int
    /// As stored ("points" in every CVAT), for annotations.jsonl.
    package var type: String
    package var points: [Double]
    package var rotation: Double
    package var occluded: Bool
    package var outside: Bool
    package var zOrder: Int
    package var origin: ShapeOrigin
    package var details: ShapeDetails

    init(_ shape: Shape) {
        labelID = shape.labelID
        type = shape.type
        points = shape.points
        rotation = shape.rotation
        occluded = shape.occluded
        outside = shape.outside
        zOrder = shape.zOrder
        origin = .shape(id: shape.id)
        details = ShapeDetails(shape)
    }

    init(_ shape: InterpolatedShape, of track: Track?) {
        labelID = shape.labelID
        type = shape.type.rawValue
        points = shape.points
        rotation = shape.rotation
        occluded = shape.occluded
        outside = shape.outside
        zOrder = shape.zOrder
        origin = .track(id: shape.trackID)
        details = ShapeDetails(shape, of: track)
    }
}

/// A shape's fields that no target reads but annotations.jsonl and the per-box columns write, as the REST API
/// gives them (nil where an older server leaves a field out).
package struct ShapeDetails: Sendable, Hashable {
    /// A plain shape's id; for a track's shape the id of the keyframe stored on the frame (a `TrackedShape` id),
    /// nil on frames the server interpolates.
    package var id: Int?
    package var group: Int?
    package var source: String?
    package var score: Double?
    /// In stored order; for a track's shape, CVAT's export merge: the frame's mutable attributes (carried from
    /// the last keyframe that set each), then the track's immutable ones.
    package var attributes: [AttributeValue]
    /// Track shapes only: whether the frame holds one of the track's stored keyframes.
    package var keyframe: Bool?

    package init(
        id: Int? = nil, group: Int? = nil, source: String? = nil, score: Double? = nil,
        attributes: [AttributeValue] = [], keyframe: Bool? = nil
    ) {
        self.id = id
        self.group = group
        self.source = source
        self.score = score
        self.attributes = attributes
        self.keyframe = keyframe
    }

    init(_ shape: Shape) {
        self.init(
            id: shape.id, group: shape.group, source: shape.source, score: shape.score,
            attributes: shape.attributes ?? [])
    }

    init(_ shape: InterpolatedShape, of track: Track?) {
        let stored = shape.keyframe ? track?.shapes.first { $0.frame == shape.frame } : nil
        self.init(
            id: stored?.id, group: track?.group, source: track?.source, score: track?.score,
            attributes: shape.attributes.map { AttributeValue(specID: $0.specID, value: $0.value) },
            keyframe: shape.keyframe)
    }
}

/// What track interpolation needs to know about a task.
package struct TrackContext: Sendable {
    /// The task's size: tracks are evaluated on frames `0 ..< endFrame` (API.md §2.4).
    package var endFrame: Int
    package var deletedFrames: Set<Int>
    package var dimension: TrackDimension

    package init(endFrame: Int, deletedFrames: Set<Int>, dimension: TrackDimension) {
        self.endFrame = endFrame
        self.deletedFrames = deletedFrames
        self.dimension = dimension
    }
}

/// A track that cannot be turned into per-frame shapes (the data's fault); the caller adds the task and file.
package struct TrackConversionError: CvatError {
    package var message: String
    /// The interpolation's own error, when it was the interpolation that failed.
    package var underlying: (any Error)?

    package init(message: String, underlying: (any Error)? = nil) {
        self.message = message
        self.underlying = underlying
    }

    package var category: ErrorCategory { .data }
}

/// A task's tags by frame, in the server's order on each frame, held in one array sorted by frame: most frames of
/// a classification task have one tag, and an array per frame in a dictionary cost a heap block each, most of the
/// export's memory per frame after its plan.
package struct FrameTags: Sendable {
    /// Sorted by frame; on one frame, in the order given.
    private var tags: [Tag] = []
    /// The frames that have tags, ascending, and where each one's tags start in `tags`.
    private var frames: [Int] = []
    private var starts: [Int] = []

    package init() {}

    package init(_ given: [Tag]) {
        // Servers list tags by frame already; otherwise a stable sort (by frame, then position).
        if zip(given, given.dropFirst()).allSatisfy({ $0.frame <= $1.frame }) {
            tags = given
        } else {
            let sorted = given.enumerated().sorted { ($0.element.frame, $0.offset) < ($1.element.frame, $1.offset) }
            tags = sorted.map(\.element)
        }
        for (index, tag) in tags.enumerated() where frames.last != tag.frame {
            frames.append(tag.frame)
            starts.append(index)
        }
    }

    /// The tags of `frame`, nil when it has none.
    package subscript(frame: Int) -> [Tag]? {
        var (low, high) = (0, frames.count)
        while low < high {
            let middle = (low + high) / 2
            if frames[middle] < frame { low = middle + 1 } else { high = middle }
        }
        guard low < frames.count, frames[low] == frame else { return nil }
        let end = low + 1 < starts.count ? starts[low + 1] : tags.count
        return Array(tags[starts[low]..<end])
    }

    /// The frames that have tags, ascending.
    package var keys: [Int] { frames }

    /// Every tag, by frame.
    package var all: [Tag] { tags }
}

/// One task's annotations grouped by frame: tags, then on each frame the plain shapes in stored order followed by
/// the tracks' shapes in track order (the order CVAT's `AnnotationManager.to_shapes` produces). Annotations on
/// deleted frames are dropped, as cvat-sdk's TaskDataset drops them.
package struct FrameAnnotations: Sendable {
    package var tags = FrameTags()
    package var shapes: [Int: [FrameShape]] = [:]

    package init() {}

    /// `tracks` nil leaves tracks out (cvat-sdk cannot read them at all).
    package init(
        _ annotations: Annotations, activeFrames: Set<Int>, tracks: TrackContext?
    ) throws(TrackConversionError) {
        // Sized for every tag up front: grown by appending, the array would hold up to twice their memory.
        var kept: [Tag] = []
        kept.reserveCapacity(annotations.tags.count)
        for tag in annotations.tags where activeFrames.contains(tag.frame) { kept.append(tag) }
        tags = FrameTags(kept)
        for shape in annotations.shapes where activeFrames.contains(shape.frame) {
            // A plain shape of a type cvat-ds does not know (a newer server's) has no target any transform could
            // make, so it is left out here, once, as a type outside --shape-types would be. A track's keyframe of
            // such a type is an error instead (`trackInput`): interpolation cannot move points it cannot read.
            guard let frameShape = FrameShape(shape) else { continue }
            shapes[shape.frame, default: []].append(frameShape)
        }
        guard let tracks else { return }
        for (position, track) in annotations.tracks.enumerated() {
            let input = try Self.trackInput(track, position: position)
            let perFrame: [InterpolatedShape]
            do {
                perFrame = try TrackInterpolation.visibleShapes(
                    track: input, endFrame: tracks.endFrame, deletedFrames: tracks.deletedFrames,
                    dimension: tracks.dimension)
            } catch {
                throw TrackConversionError(message: "\(error)", underlying: error)
            }
            for shape in perFrame where activeFrames.contains(shape.frame) {
                shapes[shape.frame, default: []].append(FrameShape(shape, of: track))
            }
        }
    }

    /// The API's `LabeledTrack` as interpolation reads it. A track without a server id is named by its position.
    static func trackInput(_ track: Track, position: Int) throws(TrackConversionError) -> TrackInput {
        let id = track.id ?? position
        var keyframes: [TrackKeyframe] = []
        keyframes.reserveCapacity(track.shapes.count)
        for shape in track.shapes {
            guard let kind = ShapeKind(rawValue: shape.type) else {
                throw TrackConversionError(
                    message: "track \(id) has a keyframe of the unknown type '\(shape.type)' on frame \(shape.frame)")
            }
            keyframes.append(
                TrackKeyframe(
                    id: shape.id ?? 0, frame: shape.frame, type: kind, points: shape.points, rotation: shape.rotation,
                    occluded: shape.occluded, outside: shape.outside, zOrder: shape.zOrder,
                    attributes: (shape.attributes ?? []).map { TrackAttribute(specID: $0.specID, value: $0.value) }))
        }
        var elements: [TrackInput] = []
        for (index, element) in (track.elements ?? []).enumerated() {
            elements.append(try trackInput(element, position: index))
        }
        return TrackInput(
            id: id, labelID: track.labelID, startFrame: track.frame, keyframes: keyframes,
            attributes: (track.attributes ?? []).map { TrackAttribute(specID: $0.specID, value: $0.value) },
            elements: elements)
    }
}
