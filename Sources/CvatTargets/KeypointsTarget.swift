import CvatGeometry

extension TargetExtractor {
    /// Skeletons (keypoints in the label's `sublabels` order; visibility 0 absent or outside, 1 occluded, 2
    /// visible) and points shapes (every point visible), mapped with the image. A keypoint that lands outside the
    /// image part of the output becomes absent; the box is the one around the keypoints left visible, and an
    /// instance with none is dropped.
    func keypointTargets(_ shapes: [FrameShape], plan: ImagePlan) throws(InvalidFrame) -> SampleTargets {
        var targets = SampleTargets()
        let region = plan.contentRegion
        let k = keypointCount
        for shape in selected(shapes) where shape.kind == .skeleton || shape.kind == .points {
            let index = try classIndex(shape)
            var points = [Float](repeating: 0, count: k * 3)
            if shape.kind == .skeleton {
                guard let sublabels = skeletons[shape.labelID], !sublabels.isEmpty else {
                    throw InvalidFrame(
                        reason: "a skeleton\(shape.originPhrase) has label id \(shape.labelID), which is not a "
                            + "skeleton label with keypoints")
                }
                guard sublabels.count == k else {
                    throw InvalidFrame(
                        reason: "a skeleton\(shape.originPhrase) has \(sublabels.count) keypoints, the export \(k)")
                }
                for element in shape.elements where !element.outside {
                    guard let j = sublabels.firstIndex(of: element.labelID) else { continue }
                    guard element.points.count >= 2 else {
                        throw InvalidFrame(
                            reason: "a skeleton keypoint\(shape.originPhrase) has \(element.points.count) coordinates")
                    }
                    setKeypoint(
                        &points, j, element.points[0], element.points[1], visibility: element.occluded ? 1 : 2,
                        plan: plan, region: region)
                }
            } else {
                guard shape.points.count == k * 2 else {
                    throw InvalidFrame(
                        reason: "a points shape\(shape.originPhrase) has \(shape.points.count / 2) points, the "
                            + "export's other instances \(k)")
                }
                for j in 0..<k {
                    setKeypoint(
                        &points, j, shape.points[2 * j], shape.points[2 * j + 1], visibility: 2, plan: plan,
                        region: region)
                }
            }
            guard let box = Self.box(aroundVisible: points, count: k) else { continue }
            targets.boxes.append(box, classIndex: index, of: shape)
            targets.keypoints += points
        }
        return targets
    }

    /// The box around the keypoints with a visibility above 0, or nil when none is.
    static func box(aroundVisible points: [Float], count k: Int) -> Box? {
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
        return box
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
