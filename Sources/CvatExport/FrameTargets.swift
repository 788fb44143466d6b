import CvatAPI
import CvatGeometry

/// One shape on one frame: a plain shape as stored, or a per-frame shape CVAT's server makes from a track.
///
/// Targets read this rather than the API's `Shape` so that both kinds flow through every transform alike.
struct FrameShape: Sendable {
    var type: String
    var labelID: Int
    var points: [Double]
    var rotation: Double
    var occluded: Bool
    var outside: Bool
    var zOrder: Int
    /// Skeleton keypoints (sublabel shapes); empty for other types.
    var elements: [FrameShape]
    /// The server id of the track the shape comes from; nil for a plain shape.
    var trackID: Int?

    var kind: ShapeKind? { ShapeKind(rawValue: type) }

    init(_ shape: Shape) {
        type = shape.type
        labelID = shape.labelID
        points = shape.points
        rotation = shape.rotation
        occluded = shape.occluded
        outside = shape.outside
        zOrder = shape.zOrder
        elements = (shape.elements ?? []).map(FrameShape.init)
        trackID = nil
    }

    init(_ shape: InterpolatedShape, trackID: Int) {
        type = shape.type.rawValue
        labelID = shape.labelID
        points = shape.points
        rotation = shape.rotation
        occluded = shape.occluded
        outside = shape.outside
        zOrder = shape.zOrder
        elements = shape.elements.map { FrameShape($0, trackID: trackID) }
        self.trackID = trackID
    }
}

/// What track interpolation needs to know about a task.
struct TrackContext: Sendable {
    /// The task's size: tracks are evaluated on frames `0 ..< endFrame` (API.md §2.4).
    var endFrame: Int
    var deletedFrames: Set<Int>
    var dimension: TrackDimension
}

/// A track that cannot be turned into per-frame shapes; the caller adds the task and file.
struct TrackConversionError: Error {
    var message: String
}

/// One task's annotations grouped by frame: tags, then on each frame the plain shapes in stored order followed by
/// the tracks' shapes in track order (the order CVAT's `AnnotationManager.to_shapes` produces). Annotations on
/// deleted frames are dropped, as cvat-sdk's TaskDataset drops them.
struct FrameAnnotations: Sendable {
    var tags: [Int: [Tag]] = [:]
    var shapes: [Int: [FrameShape]] = [:]

    init() {}

    /// `tracks` nil leaves tracks out (cvat-sdk cannot read them at all).
    init(_ annotations: Annotations, activeFrames: Set<Int>, tracks: TrackContext?) throws(TrackConversionError) {
        for tag in annotations.tags where activeFrames.contains(tag.frame) { tags[tag.frame, default: []].append(tag) }
        for shape in annotations.shapes where activeFrames.contains(shape.frame) {
            shapes[shape.frame, default: []].append(FrameShape(shape))
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
                throw TrackConversionError(message: "\(error)")
            }
            for shape in perFrame where activeFrames.contains(shape.frame) {
                shapes[shape.frame, default: []].append(FrameShape(shape, trackID: input.id))
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

/// The targets of one sample, ready to be written.
struct SampleTargets: Sendable {
    var label: Int64?
    /// xmin, ymin, xmax, ymax per box, in output pixels.
    var boxes: [Float] = []
    var boxLabels: [Int64] = []
    /// Per box: the server id of the track it comes from, or -1.
    var boxTrackIDs: [Int64] = []
    /// `keypoints`: x, y, visibility per keypoint, K per box.
    var keypoints: [Float] = []
    /// `masks`: one output-size 0/1 mask per box, one after another. `semantic`: the class map, as little-endian
    /// uint8 or uint16 values.
    var masks: [UInt8] = []
}

/// A frame whose targets cannot be made; with --skip-invalid it is left out and recorded.
struct InvalidFrame: Error {
    var reason: String
}

/// How `semantic` maps are written.
struct SemanticSettings: Sendable {
    /// The value of pixels no shape covers.
    var background: Int
    /// uint16 rather than uint8 values.
    var wide: Bool
}

/// Turns a frame's annotations into targets, following cvat-sdk's target transforms except where documented.
struct TargetExtractor: Sendable {
    let kind: TargetKind
    let labels: LabelIndexMap
    let shapeTypes: Set<ShapeKind>
    /// Skeleton label id → the label ids of its keypoints, in the label's `sublabels` order.
    let skeletons: [Int: [Int]]
    /// `keypoints`: K, the same for every instance.
    let keypointCount: Int
    let semantic: SemanticSettings

    func targets(tags: [Tag], shapes: [FrameShape], plan: ImagePlan) throws(InvalidFrame) -> SampleTargets {
        switch kind {
        case .none:
            return SampleTargets()
        case .label:
            do {
                let index = try labels.singleLabelIndex(tagLabelIDs: tags.map(\.labelID))
                return SampleTargets(label: Int64(index))
            } catch {
                throw InvalidFrame(reason: "\(error)")
            }
        case .bboxes:
            var boxes: [Box] = []
            var indices: [Int] = []
            var tracks: [Int64] = []
            for shape in shapes {
                guard let kind = shape.kind, shapeTypes.contains(kind) else { continue }
                let index = try classIndex(shape)
                guard let box = boundingBox(of: ShapeGeometry(type: kind, points: shape.points, rotation: shape.rotation))
                else { throw InvalidFrame(reason: "a \(shape.type) has malformed points (\(shape.points.count) values)") }
                boxes.append(box)
                indices.append(index)
                tracks.append(Int64(shape.trackID ?? -1))
            }
            // Without a geometric transform the boxes are cvat-sdk's, untouched (even those without area or
            // reaching outside the image); with one they follow the pixels and are clipped, and those left
            // without area are dropped with their labels.
            var targets = SampleTargets()
            if plan.isIdentity {
                targets.append(boxes: boxes, labels: indices, tracks: tracks)
            } else {
                let (mapped, kept) = plan.transformBoxes(boxes)
                targets.append(boxes: mapped, labels: kept.map { indices[$0] }, tracks: kept.map { tracks[$0] })
            }
            return targets
        case .masks:
            return try instanceMasks(shapes, plan: plan)
        case .semantic:
            return try semanticMap(shapes, plan: plan)
        case .keypoints:
            return try keypointTargets(shapes, plan: plan)
        }
    }

    private func classIndex(_ shape: FrameShape) throws(InvalidFrame) -> Int {
        guard let index = labels.index(ofLabelID: shape.labelID) else {
            throw InvalidFrame(reason: "a \(shape.type)\(shape.origin) has label id \(shape.labelID), which is not among the labels")
        }
        return index
    }

    // MARK: masks

    /// cvat-sdk's `ExtractInstanceMasks`: per polygon or mask shape, `draw_mask` at the frame's size (Pillow's
    /// polygon fill on a mode "1" image, or the decoded RLE) and `shape_bbox`; then, when the image is resized or
    /// cropped, each mask resampled with it (Pillow NEAREST) and the boxes mapped and clipped like `bboxes`, a
    /// box left without area dropped with its mask.
    private func instanceMasks(_ shapes: [FrameShape], plan: ImagePlan) throws(InvalidFrame) -> SampleTargets {
        var chosen: [(shape: FrameShape, kind: ShapeKind)] = []
        var boxes: [Box] = []
        var indices: [Int] = []
        var tracks: [Int64] = []
        for shape in shapes {
            guard let kind = shape.kind, shapeTypes.contains(kind) else { continue }
            let index = try classIndex(shape)
            guard let box = boundingBox(of: ShapeGeometry(type: kind, points: shape.points, rotation: shape.rotation))
            else { throw InvalidFrame(reason: "a \(shape.type)\(shape.origin) has malformed points (\(shape.points.count) values)") }
            chosen.append((shape, kind))
            boxes.append(box)
            indices.append(index)
            tracks.append(Int64(shape.trackID ?? -1))
        }
        var targets = SampleTargets()
        let kept: [Int]
        if plan.isIdentity {
            kept = Array(boxes.indices)
            targets.append(boxes: boxes, labels: indices, tracks: tracks)
        } else {
            let mapped: [Box]
            (mapped, kept) = plan.transformBoxes(boxes)
            targets.append(boxes: mapped, labels: kept.map { indices[$0] }, tracks: kept.map { tracks[$0] })
        }
        guard !kept.isEmpty else { return targets }

        let source = plan.sourceSize
        let outputArea = plan.outputSize.width * plan.outputSize.height
        var masks = [UInt8](repeating: 0, count: kept.count * outputArea)
        var scratch = plan.isIdentity ? [] : [UInt8](repeating: 0, count: source.width * source.height)
        var failure: InvalidFrame?
        masks.withUnsafeMutableBufferPointer { all in
            scratch.withUnsafeMutableBufferPointer { scratch in
                for (row, i) in kept.enumerated() {
                    let slot = UnsafeMutableBufferPointer(rebasing: all[(row * outputArea)..<((row + 1) * outputArea)])
                    let target = plan.isIdentity ? slot : scratch
                    do throws(InvalidFrame) {
                        if !plan.isIdentity { target.update(repeating: 0) }
                        try draw(chosen[i].shape, kind: chosen[i].kind, into: target, size: source, value: UInt8(1))
                        if !plan.isIdentity {
                            do {
                                try plan.resampleMask(UnsafeBufferPointer(scratch), into: slot, pad: 0)
                            } catch {
                                throw InvalidFrame(reason: "\(error)")
                            }
                        }
                    } catch {
                        failure = error
                        return
                    }
                }
            }
        }
        if let failure { throw failure }
        targets.masks = masks
        return targets
    }

    /// Paints one shape with `value` into a frame-size buffer: a mask's RLE decoded, a polygon or rectangle filled
    /// as Pillow's `ImageDraw.polygon` fills it, rotation applied as CVAT draws it.
    private func draw<T: FixedWidthInteger>(
        _ shape: FrameShape, kind: ShapeKind, into buffer: UnsafeMutableBufferPointer<T>, size: PixelSize, value: T
    ) throws(InvalidFrame) {
        switch kind {
        case .mask:
            do {
                if let wide = buffer as? UnsafeMutableBufferPointer<UInt16> {
                    try MaskRLE.decode(
                        shape.points, imageWidth: size.width, imageHeight: size.height, into: wide,
                        value: UInt16(value), mode: .overlay)
                } else if let narrow = buffer as? UnsafeMutableBufferPointer<UInt8> {
                    try MaskRLE.decode(
                        shape.points, imageWidth: size.width, imageHeight: size.height, into: narrow,
                        value: UInt8(value), mode: .overlay)
                }
            } catch {
                throw InvalidFrame(reason: "a mask\(shape.origin) cannot be decoded: \(error)")
            }
        case .polygon, .rectangle:
            guard let outline = ShapeGeometry(type: kind, points: shape.points, rotation: shape.rotation).outline else {
                throw InvalidFrame(reason: "a \(shape.type)\(shape.origin) has malformed points (\(shape.points.count) values)")
            }
            do {
                if let wide = buffer as? UnsafeMutableBufferPointer<UInt16> {
                    try PolygonRasterizer.fill(
                        points: outline, width: size.width, height: size.height, into: wide, value: UInt16(value))
                } else if let narrow = buffer as? UnsafeMutableBufferPointer<UInt8> {
                    try PolygonRasterizer.fill(
                        points: outline, width: size.width, height: size.height, into: narrow, value: UInt8(value))
                }
            } catch {
                throw InvalidFrame(reason: "a \(shape.type)\(shape.origin) cannot be drawn: \(error)")
            }
        case .polyline, .points, .ellipse, .skeleton, .cuboid:
            throw InvalidFrame(reason: "a \(shape.type) cannot be painted as a mask")
        }
    }

    // MARK: semantic

    /// One class-index map: every shape of `shapeTypes` painted with its class index at the frame's size, in
    /// CVAT's stacking order (ascending `z_order`; on equal `z_order` the later shape, plain shapes before track
    /// shapes, lies on top), then resampled with the image (Pillow NEAREST), padding taking the background.
    private func semanticMap(_ shapes: [FrameShape], plan: ImagePlan) throws(InvalidFrame) -> SampleTargets {
        var painted: [(shape: FrameShape, kind: ShapeKind, index: Int, order: Int)] = []
        for (order, shape) in shapes.enumerated() {
            guard let kind = shape.kind, shapeTypes.contains(kind) else { continue }
            painted.append((shape, kind, try classIndex(shape), order))
        }
        painted.sort { ($0.shape.zOrder, $0.order) < ($1.shape.zOrder, $1.order) }
        var targets = SampleTargets()
        if semantic.wide {
            let map: [UInt16] = try paint(painted, plan: plan, background: UInt16(semantic.background))
            targets.masks = map.withUnsafeBytes { Array($0) }
        } else {
            targets.masks = try paint(painted, plan: plan, background: UInt8(semantic.background))
        }
        return targets
    }

    private func paint<T: FixedWidthInteger>(
        _ painted: [(shape: FrameShape, kind: ShapeKind, index: Int, order: Int)], plan: ImagePlan, background: T
    ) throws(InvalidFrame) -> [T] {
        let source = plan.sourceSize
        var map = [T](repeating: background, count: source.width * source.height)
        var failure: InvalidFrame?
        map.withUnsafeMutableBufferPointer { buffer in
            do throws(InvalidFrame) {
                for item in painted {
                    try draw(item.shape, kind: item.kind, into: buffer, size: source, value: T(item.index))
                }
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        if plan.isIdentity { return map }
        var out = [T](repeating: background, count: plan.outputSize.width * plan.outputSize.height)
        map.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                do throws(MaskResampleError) {
                    if let s = src as? UnsafeBufferPointer<UInt16>, let d = dst as? UnsafeMutableBufferPointer<UInt16> {
                        try plan.resampleMask(s, into: d, pad: UInt16(background))
                    } else if let s = src as? UnsafeBufferPointer<UInt8>, let d = dst as? UnsafeMutableBufferPointer<UInt8> {
                        try plan.resampleMask(s, into: d, pad: UInt8(background))
                    }
                } catch {
                    failure = InvalidFrame(reason: "\(error)")
                }
            }
        }
        if let failure { throw failure }
        return out
    }

    // MARK: keypoints

    /// Skeletons (keypoints in the label's `sublabels` order; visibility 0 absent or outside, 1 occluded, 2
    /// visible) and points shapes (every point visible), mapped with the image. A keypoint that lands outside the
    /// image part of the output becomes absent; the box is the one around the keypoints left visible, and an
    /// instance with none is dropped.
    private func keypointTargets(_ shapes: [FrameShape], plan: ImagePlan) throws(InvalidFrame) -> SampleTargets {
        var targets = SampleTargets()
        let region = plan.contentRegion
        let k = keypointCount
        for shape in shapes {
            guard let kind = shape.kind, shapeTypes.contains(kind), kind == .skeleton || kind == .points else { continue }
            let index = try classIndex(shape)
            var points = [Float](repeating: 0, count: k * 3)
            switch kind {
            case .skeleton:
                guard let sublabels = skeletons[shape.labelID], !sublabels.isEmpty else {
                    throw InvalidFrame(reason: "a skeleton\(shape.origin) has label id \(shape.labelID), which is not a skeleton label with keypoints")
                }
                guard sublabels.count == k else {
                    throw InvalidFrame(reason: "a skeleton\(shape.origin) has \(sublabels.count) keypoints, the export \(k)")
                }
                for element in shape.elements where !element.outside {
                    guard let j = sublabels.firstIndex(of: element.labelID) else { continue }
                    guard element.points.count >= 2 else {
                        throw InvalidFrame(reason: "a skeleton keypoint\(shape.origin) has \(element.points.count) coordinates")
                    }
                    setKeypoint(&points, j, element.points[0], element.points[1], visibility: element.occluded ? 1 : 2,
                        plan: plan, region: region)
                }
            default:
                guard shape.points.count == k * 2 else {
                    throw InvalidFrame(reason: "a points shape\(shape.origin) has \(shape.points.count / 2) points, the export's other instances \(k)")
                }
                for j in 0..<k {
                    setKeypoint(&points, j, shape.points[2 * j], shape.points[2 * j + 1], visibility: 2, plan: plan,
                        region: region)
                }
            }
            var box: Box?
            for j in 0..<k where points[3 * j + 2] > 0 {
                let x = Double(points[3 * j])
                let y = Double(points[3 * j + 1])
                if var b = box {
                    b.xmin = min(b.xmin, x)
                    b.ymin = min(b.ymin, y)
                    b.xmax = max(b.xmax, x)
                    b.ymax = max(b.ymax, y)
                    box = b
                } else {
                    box = Box(xmin: x, ymin: y, xmax: x, ymax: y)
                }
            }
            guard let box else { continue }
            targets.append(boxes: [box], labels: [index], tracks: [Int64(shape.trackID ?? -1)])
            targets.keypoints += points
        }
        return targets
    }

    private func setKeypoint(
        _ points: inout [Float], _ j: Int, _ x: Double, _ y: Double, visibility: Float, plan: ImagePlan, region: Box
    ) {
        let (ox, oy) = plan.isIdentity ? (x, y) : plan.affine.apply(x: x, y: y)
        guard ox.isFinite, oy.isFinite, ox >= region.xmin, ox <= region.xmax, oy >= region.ymin, oy <= region.ymax
        else { return }
        points[3 * j] = Float(ox)
        points[3 * j + 1] = Float(oy)
        points[3 * j + 2] = visibility
    }
}

extension SampleTargets {
    mutating func append(boxes: [Box], labels: [Int], tracks: [Int64]) {
        self.boxes.reserveCapacity(self.boxes.count + boxes.count * 4)
        for box in boxes {
            self.boxes += [Float(box.xmin), Float(box.ymin), Float(box.xmax), Float(box.ymax)]
        }
        boxLabels += labels.map(Int64.init)
        boxTrackIDs += tracks
    }
}

extension FrameShape {
    /// " of track N" for a track's shape, for messages.
    var origin: String { trackID.map { " of track \($0)" } ?? "" }
}

extension ImagePlan {
    /// Whether the pixels keep their size and nothing is cropped or padded.
    var isIdentity: Bool {
        resizeSize == nil && crop == PixelRect(x: 0, y: 0, width: sourceSize.width, height: sourceSize.height)
    }
}
