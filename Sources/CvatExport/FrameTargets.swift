import CvatAPI
import CvatTransforms

/// One task's annotations grouped by frame, as cvat-sdk's TaskDataset groups them: tags and top-level shapes of
/// frames that are not deleted (annotations on deleted frames are dropped, tracks are not read).
struct FrameAnnotations: Sendable {
    var tags: [Int: [Tag]] = [:]
    var shapes: [Int: [Shape]] = [:]

    init(_ annotations: Annotations, activeFrames: Set<Int>) {
        for tag in annotations.tags where activeFrames.contains(tag.frame) { tags[tag.frame, default: []].append(tag) }
        for shape in annotations.shapes where activeFrames.contains(shape.frame) {
            shapes[shape.frame, default: []].append(shape)
        }
    }
}

/// The targets of one sample, ready to be written.
struct SampleTargets: Sendable {
    var label: Int64?
    /// xmin, ymin, xmax, ymax per box, in output pixels.
    var boxes: [Float] = []
    var boxLabels: [Int64] = []
}

/// A frame whose targets cannot be made; with --skip-invalid it is left out and recorded.
struct InvalidFrame: Error {
    var reason: String
}

/// Turns a frame's annotations into targets, following cvat-sdk's target transforms except where documented.
struct TargetExtractor: Sendable {
    let kind: TargetKind
    let labels: LabelIndexMap
    let shapeTypes: Set<ShapeKind>

    func targets(tags: [Tag], shapes: [Shape], plan: ImagePlan) throws(InvalidFrame) -> SampleTargets {
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
            for shape in shapes {
                guard let kind = ShapeKind(rawValue: shape.type), shapeTypes.contains(kind) else { continue }
                guard let index = labels.index(ofLabelID: shape.labelID) else {
                    throw InvalidFrame(reason: "a \(shape.type) has label id \(shape.labelID), which is not among the labels")
                }
                guard let box = boundingBox(of: ShapeGeometry(type: kind, points: shape.points, rotation: shape.rotation))
                else { throw InvalidFrame(reason: "a \(shape.type) has malformed points (\(shape.points.count) values)") }
                boxes.append(box)
                indices.append(index)
            }
            // Without a geometric transform the boxes are cvat-sdk's, untouched (even those without area or
            // reaching outside the image); with one they follow the pixels and are clipped, and those left
            // without area are dropped with their labels.
            let mapped: (boxes: [Box], labels: [Int])
            if plan.resizeSize == nil && plan.crop == PixelRect(x: 0, y: 0, width: plan.sourceSize.width, height: plan.sourceSize.height) {
                mapped = (boxes, indices)
            } else {
                let result = plan.transformBoxes(boxes, labels: indices)
                mapped = (result.boxes, result.labels)
            }
            var targets = SampleTargets()
            targets.boxes.reserveCapacity(mapped.boxes.count * 4)
            for box in mapped.boxes {
                targets.boxes += [Float(box.xmin), Float(box.ymin), Float(box.xmax), Float(box.ymax)]
            }
            targets.boxLabels = mapped.labels.map(Int64.init)
            return targets
        }
    }
}
