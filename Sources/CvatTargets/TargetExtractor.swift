package import CvatAPI
package import CvatGeometry

/// A frame whose targets cannot be made; with --skip-invalid it is left out and recorded.
package struct InvalidFrame: Error {
    package var reason: String

    package init(reason: String) {
        self.reason = reason
    }
}

/// Turns a frame's annotations into targets, following cvat-sdk's target transforms except where documented.
///
/// Each target kind lives in its own file as an extension (`LabelTarget.swift`, `BoxesTarget.swift`, ...); this
/// file holds what they share.
package struct TargetExtractor: Sendable {
    let kind: TargetKind
    let labels: LabelIndexMap
    let shapeTypes: Set<ShapeKind>
    /// Skeleton label id → the label ids of its keypoints, in the label's `sublabels` order.
    let skeletons: [Int: [Int]]
    /// `keypoints`: K, the same for every instance.
    let keypointCount: Int
    let semantic: SemanticSettings

    package init(
        kind: TargetKind, labels: LabelIndexMap, shapeTypes: Set<ShapeKind>, skeletons: [Int: [Int]],
        keypointCount: Int, semantic: SemanticSettings
    ) {
        self.kind = kind
        self.labels = labels
        self.shapeTypes = shapeTypes
        self.skeletons = skeletons
        self.keypointCount = keypointCount
        self.semantic = semantic
    }

    package func targets(tags: [Tag], shapes: [FrameShape], plan: ImagePlan) throws(InvalidFrame) -> SampleTargets {
        switch kind {
        case .none: SampleTargets()
        case .label: try labelTarget(tags)
        case .bboxes: try boxTargets(shapes, plan: plan)
        case .masks: try instanceMasks(shapes, plan: plan)
        case .semantic: try semanticMap(shapes, plan: plan)
        case .keypoints: try keypointTargets(shapes, plan: plan)
        }
    }

    /// The shapes of the frame this export reads, in the frame's order.
    func selected(_ shapes: [FrameShape]) -> [FrameShape] {
        shapes.filter { shapeTypes.contains($0.kind) }
    }

    func classIndex(_ shape: FrameShape) throws(InvalidFrame) -> Int {
        guard let index = labels.index(ofLabelID: shape.labelID) else {
            throw InvalidFrame(
                reason: "a \(shape.kind.rawValue)\(shape.originPhrase) has label id \(shape.labelID), which is not "
                    + "among the labels")
        }
        return index
    }

    /// The shapes of `shapeTypes` with their class index and their box as cvat-sdk's `shape_bbox` computes it, in
    /// the frame's order.
    func boxedShapes(_ shapes: [FrameShape]) throws(InvalidFrame) -> [BoxedShape] {
        var result: [BoxedShape] = []
        for shape in selected(shapes) {
            let index = try classIndex(shape)
            let geometry = ShapeGeometry(type: shape.kind, points: shape.points, rotation: shape.rotation)
            guard let box = boundingBox(of: geometry) else {
                throw InvalidFrame(
                    reason: "a \(shape.kind.rawValue)\(shape.originPhrase) has malformed points "
                        + "(\(shape.points.count) values)")
            }
            // Boxes are written as float32: a corner beyond its range (about 3.4e38) would become infinity
            // (a rectangle at x = 1e300: Fixtures/fuzz/fuzz-annotations/crash-eba35d3b...).
            guard [box.xmin, box.ymin, box.xmax, box.ymax].allSatisfy({ Float($0).isFinite }) else {
                throw InvalidFrame(
                    reason: "a \(shape.kind.rawValue)\(shape.originPhrase) has coordinates beyond float32's range")
            }
            result.append(BoxedShape(shape: shape, box: box, classIndex: index))
        }
        return result
    }

    /// Appends one row per box as the image's plan leaves it, and returns the positions in `shapes` kept.
    ///
    /// Without a geometric transform the boxes are cvat-sdk's, untouched (even those without area or reaching
    /// outside the image); with one they follow the pixels and are clipped, and those left without area are
    /// dropped with the rest of their row.
    func appendBoxes(_ shapes: [BoxedShape], plan: ImagePlan, to targets: inout SampleTargets) -> [Int] {
        if plan.isIdentity {
            for item in shapes { targets.boxes.append(item.box, classIndex: item.classIndex, of: item.shape) }
            return Array(shapes.indices)
        }
        let (mapped, kept) = plan.transformBoxes(shapes.map(\.box))
        for (box, i) in zip(mapped, kept) {
            targets.boxes.append(box, classIndex: shapes[i].classIndex, of: shapes[i].shape)
        }
        return kept
    }
}

/// A shape with what a box row needs, before the image's plan maps the box.
struct BoxedShape {
    var shape: FrameShape
    /// In the shape's original pixel coordinates.
    var box: Box
    var classIndex: Int
}
