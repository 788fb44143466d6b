import CvatGeometry

extension TargetExtractor {
    /// cvat-sdk's `ExtractBoundingBoxes`: per shape of `shapeTypes`, `shape_bbox` and its class index, mapped with
    /// the image as `appendBoxes` says.
    func boxTargets(_ shapes: [FrameShape], plan: ImagePlan) throws(InvalidFrame) -> SampleTargets {
        var targets = SampleTargets()
        _ = appendBoxes(try boxedShapes(shapes), plan: plan, to: &targets)
        return targets
    }
}
