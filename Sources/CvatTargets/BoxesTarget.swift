import CvatGeometry

extension TargetExtractor {
    /// cvat-sdk's `ExtractBoundingBoxes`: per shape of `shapeTypes`, `shape_bbox` and its class index, mapped with
    /// the image as `appendBoxes` says.
    func boxTargets(_ shapes: [FrameShape], plan: ImagePlan) throws(InvalidFrame) -> SampleTargets {
        var rows: [(box: Box, classIndex: Int, shape: FrameShape)] = []
        for shape in selected(shapes) {
            let index = try classIndex(shape)
            rows.append((try box(around: shape), index, shape))
        }
        var targets = SampleTargets()
        _ = appendBoxes(rows, plan: plan, to: &targets)
        return targets
    }
}
