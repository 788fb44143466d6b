import CvatCache
import CvatGeometry
import CvatTargets

/// The skeleton labels of an export: which sublabels are a skeleton's keypoints, in order.
struct SkeletonKeypoints: Sendable {
    /// Skeleton label id → its keypoints' label ids, in the label's `sublabels` order.
    var sublabels: [Int: [Int]] = [:]
    /// Skeleton label id → its keypoints' names, in the same order.
    var names: [Int: [String]] = [:]
    /// Every label's name by id, for messages.
    var labelNames: [Int: String] = [:]
}

/// K, the number of keypoints per instance, agreed on by every instance of a `keypoints` export.
///
/// `keypoints.npy` is `(M, K, 3)`, so K must be known before the first sample is written and be the same for
/// all; the export is planned first, so a disagreement stops it before any pixel is decoded.
struct KeypointLayout {
    private(set) var count: Int?
    /// Where K was first seen, for the message when another instance disagrees.
    private var firstSeen = ""
    private var skeletonLabels: Set<Int> = []
    private var sawPoints = false

    mutating func check(
        _ shapes: [FrameShape], shapeTypes: Set<ShapeKind>, skeletons: SkeletonKeypoints, task: CachedTask,
        frame: Int
    ) throws {
        for shape in shapes {
            let kind = shape.kind
            guard shapeTypes.contains(kind), kind == .skeleton || kind == .points else { continue }
            let name = skeletons.labelNames[shape.labelID].map { "'\($0)'" } ?? "id \(shape.labelID)"
            let n: Int
            let what: String
            if kind == .skeleton {
                // A skeleton of an unknown label is reported per frame by the extractor (--skip-invalid applies).
                guard let keypoints = skeletons.sublabels[shape.labelID] else { continue }
                n = keypoints.count
                what = "a skeleton\(shape.originPhrase) of label \(name) with \(n) keypoints"
                skeletonLabels.insert(shape.labelID)
            } else {
                n = shape.points.count / 2
                what = "a points shape\(shape.originPhrase) of label \(name) with \(n) points"
                sawPoints = true
            }
            let here = "task \(task.id), frame \(frame)"
            guard let count else {
                count = n
                firstSeen = "\(here) has \(what)"
                continue
            }
            guard n == count else {
                throw ExportError(
                    .data,
                    "\(here) (\(task.layout.annotationsJSON(task.id).path)): \(what), but \(firstSeen); keypoints.npy "
                        + "holds the same number of keypoints for every instance, so they must agree (--shape-types "
                        + "skeleton or --shape-types points exports only one kind)")
            }
        }
    }

    /// K and, when every instance is a skeleton of one label, the keypoints' names. Without any instance, K is
    /// that of the first skeleton label (by id), or 0.
    func resolved(_ skeletons: SkeletonKeypoints, shapeTypes: Set<ShapeKind>) -> (count: Int, names: [String]?) {
        if let count {
            if !sawPoints, skeletonLabels.count == 1, let label = skeletonLabels.first {
                return (count, skeletons.names[label])
            }
            return (count, nil)
        }
        if shapeTypes.contains(.skeleton), let first = skeletons.sublabels.keys.min() {
            return (skeletons.sublabels[first]?.count ?? 0, skeletons.names[first])
        }
        return (0, nil)
    }
}
