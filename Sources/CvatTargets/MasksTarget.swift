import CvatGeometry

extension TargetExtractor {
    /// cvat-sdk's `ExtractInstanceMasks`: per polygon or mask shape, `draw_mask` at the frame's size (Pillow's
    /// polygon fill on a mode "1" image, or the decoded RLE) and `shape_bbox`; then, when the image is resized or
    /// cropped, each mask resampled with it (Pillow NEAREST) and the boxes mapped and clipped like `bboxes`, a
    /// box left without area dropped with its mask.
    func instanceMasks(_ shapes: [FrameShape], plan: ImagePlan) throws(InvalidFrame) -> SampleTargets {
        let instances = try boxedShapes(shapes)
        var targets = SampleTargets()
        let kept = appendBoxes(instances, plan: plan, to: &targets)
        guard !kept.isEmpty else { return targets }

        let source = plan.sourceSize
        let outputArea = plan.outputSize.width * plan.outputSize.height
        var masks = [UInt8](repeating: 0, count: kept.count * outputArea)
        // Without a geometric transform each mask is drawn straight into its slot; with one it is drawn at the
        // frame's size into one reused buffer and resampled into the slot.
        var scratch = plan.isIdentity ? [] : [UInt8](repeating: 0, count: source.width * source.height)
        var failure: InvalidFrame?
        masks.withUnsafeMutableBufferPointer { all in
            scratch.withUnsafeMutableBufferPointer { scratch in
                for (slotIndex, i) in kept.enumerated() {
                    let slot = UnsafeMutableBufferPointer(
                        rebasing: all[(slotIndex * outputArea)..<((slotIndex + 1) * outputArea)])
                    do throws(InvalidFrame) {
                        if plan.isIdentity {
                            try ShapePainter.draw(instances[i].shape, into: slot, size: source, value: 1)
                        } else {
                            scratch.update(repeating: 0)
                            try ShapePainter.draw(instances[i].shape, into: scratch, size: source, value: 1)
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
}
