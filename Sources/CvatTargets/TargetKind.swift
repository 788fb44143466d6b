public import CvatGeometry

/// Which per-sample targets an export writes besides the images.
public enum TargetKind: String, Sendable, CaseIterable {
    /// Images only.
    case none
    /// One class index per frame from its single tag: cvat-sdk's `ExtractSingleLabelIndex`.
    case label
    /// Axis-aligned boxes and their class indices: cvat-sdk's `ExtractBoundingBoxes`.
    case bboxes
    /// One binary mask per polygon or mask shape, with its box and class: cvat-sdk's `ExtractInstanceMasks`.
    case masks
    /// One class-index map per sample, shapes painted in CVAT's z order.
    case semantic
    /// Skeletons (and points shapes) as (K, 3) keypoints, with a box and class per instance.
    case keypoints

    /// The shape types a target reads.
    public var supportedShapeTypes: Set<ShapeKind> {
        switch self {
        case .none, .label: []
        case .bboxes: [.rectangle, .polygon, .polyline, .points, .ellipse]
        case .masks: [.polygon, .mask]
        case .semantic: [.polygon, .mask, .rectangle]
        case .keypoints: [.skeleton, .points]
        }
    }

    /// The shape types a target reads when `--shape-types` is not given.
    public var defaultShapeTypes: Set<ShapeKind> {
        switch self {
        case .semantic: [.polygon, .mask]
        default: supportedShapeTypes
        }
    }

    /// Whether the target writes `boxes`, `box_labels` and `box_offsets`.
    public var writesBoxes: Bool { self == .bboxes || self == .masks || self == .keypoints }
}
