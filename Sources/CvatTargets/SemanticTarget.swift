import CvatGeometry

/// How `semantic` maps are written.
package struct SemanticSettings: Sendable {
    /// The value of pixels no shape covers.
    package var background: Int
    /// uint16 rather than uint8 values.
    package var wide: Bool

    package init(background: Int, wide: Bool) {
        self.background = background
        self.wide = wide
    }
}

extension TargetExtractor {
    /// One class-index map: every shape of `shapeTypes` painted with its class index at the frame's size, in
    /// CVAT's stacking order (ascending `z_order`; on equal `z_order` the later shape, plain shapes before track
    /// shapes, lies on top), then resampled with the image (Pillow NEAREST), padding taking the background.
    func semanticMap(_ shapes: [FrameShape], plan: ImagePlan) throws(InvalidFrame) -> SampleTargets {
        var painted: [(shape: FrameShape, index: Int, order: Int)] = []
        for (order, shape) in selected(shapes).enumerated() {
            painted.append((shape, try classIndex(shape), order))
        }
        painted.sort { ($0.shape.zOrder, $0.order) < ($1.shape.zOrder, $1.order) }
        var targets = SampleTargets()
        if semantic.wide {
            let map = try ShapePainter.paint(
                painted.map { ($0.shape, UInt16($0.index)) }, plan: plan, background: UInt16(semantic.background))
            targets.masks = map.withUnsafeBytes { Array($0) }
        } else {
            targets.masks = try ShapePainter.paint(
                painted.map { ($0.shape, UInt8($0.index)) }, plan: plan, background: UInt8(semantic.background))
        }
        return targets
    }
}
