import CvatAPI
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

extension Exporter {
    static func skeletonKeypoints(_ labels: [LabelModel]) -> SkeletonKeypoints {
        var result = SkeletonKeypoints()
        for label in labels {
            result.labelNames[label.id] = label.name
            guard label.type == "skeleton", let sublabels = label.sublabels, !sublabels.isEmpty else { continue }
            result.sublabels[label.id] = sublabels.map(\.id)
            result.names[label.id] = sublabels.map(\.name)
        }
        return result
    }

    /// Frame → the id of the first (lowest-id) annotation job holding it whose stage and state pass `filter`.
    /// Ground-truth and consensus jobs are ignored: they repeat frames of the annotation jobs.
    static func matchingJobs(of task: CachedTask, filter: JobFilter) throws -> [Int: Int] {
        let jobs = try task.loadJobs()
        var result: [Int: Int] = [:]
        for job in jobs where job.isAnnotationJob {
            if !filter.stages.isEmpty {
                guard let stage = JobStage(rawValue: job.stage), filter.stages.contains(stage) else { continue }
            }
            if !filter.states.isEmpty {
                guard let state = JobState(rawValue: job.state), filter.states.contains(state) else { continue }
            }
            guard job.stopFrame >= job.startFrame else { continue }
            for frame in max(0, job.startFrame)...job.stopFrame where result[frame] == nil { result[frame] = job.id }
        }
        return result
    }

    /// A task's annotations by frame, with its tracks made into per-frame shapes when the target reads shapes.
    func loadAnnotations(_ task: CachedTask, activeFrames: Set<Int>) throws -> FrameAnnotations {
        guard options.target != .none else { return FrameAnnotations() }
        let raw = try task.loadAnnotations()
        var context: TrackContext?
        if options.includeTracks && options.target != .label {
            context = TrackContext(
                endFrame: task.model.size ?? task.meta.size, deletedFrames: Set(task.meta.deletedFrames),
                dimension: task.model.dimension == "3d" ? .threeD : .twoD)
        }
        do {
            return try FrameAnnotations(raw, activeFrames: activeFrames, tracks: context)
        } catch {
            throw ExportError(
                .data, "task \(task.id) (\(task.layout.annotationsJSON(task.id).path)): \(error.message)")
        }
    }

    /// The value type and background of `semantic` maps: uint8 unless the classes (with the offset) number more
    /// than 254 or the background needs more.
    func semanticSettings(_ labels: LabelIndexMap) throws -> SemanticSettings {
        let background = options.backgroundIndex
        let classCount = labels.classCount
        let settings = SemanticSettings(background: background, wide: classCount > 254 || background > 255)
        guard options.target == .semantic else { return settings }
        guard (0...65535).contains(background) else {
            throw ExportError(.usage, "--background-index must be between 0 and 65535 (got \(background))")
        }
        guard classCount <= 65535 else {
            throw ExportError(.usage, "--transform semantic holds at most 65535 class indices; the labels need \(classCount)")
        }
        let base = background - labels.labelOffset
        if base >= 0, base < labels.namesByIndex.count, let name = labels.namesByIndex[base].first {
            throw ExportError(
                .usage,
                "--background-index \(background) is the class index of label '\(name)'; choose another (255 by "
                    + "default, or 0 together with --label-offset 1)")
        }
        return settings
    }
}
