import CvatAPI
import CvatCache
import CvatGeometry
import CvatTargets

/// One sample to produce: where its bytes are and how to transform them.
struct SampleJob: Sendable {
    /// The sample's position in the export (in the slice, with `--shard I/N`).
    var index: Int
    /// The sample's task, as an index into the source's tasks and the plan's annotations.
    var taskIndex: Int
    var frame: Int
    var name: String
    /// Video tasks: the frame's number in the video.
    var sourceFrame: Int?
    /// The frame's original size (from the task's frame list) and what the resize makes of it.
    var plan: ImagePlan
    /// The CVAT job the frame was kept for, with a job filter.
    var jobID: Int?
}

/// Every sample of an export and everything its targets need, known before any pixel is decoded, so the image
/// array can be fixed-size or ragged from the start and a bad frame list or label map stops the export early.
struct ExportPlan: Sendable {
    /// In sample order: tasks by id, each task's kept frames in order.
    var samples: [SampleJob]
    /// Each task's annotations by frame, in the source's task order.
    var annotations: [FrameAnnotations]
    var labelMap: LabelIndexMap
    var shapeTypes: Set<ShapeKind>
    var skeletons: SkeletonKeypoints
    /// K of `keypoints` and, when every instance is a skeleton of one label, the keypoints' names.
    var keypointCount: Int
    var keypointNames: [String]?
    var semantic: SemanticSettings
    /// The one output size of every sample, or nil when they differ and the arrays are ragged. Decided over every
    /// planned sample, before slicing, so that every slice and shard has the same arrays.
    var fixedSize: PixelSize?
    /// The names annotations.jsonl gives label and attribute ids.
    var catalog: LabelCatalog
    /// `--attributes`: the columns of the attribute array; nil without the option.
    var attributeColumns: AttributeColumns?

    /// The size every sample shares, or nil (also for no sample at all).
    static func commonSize(of samples: [SampleJob]) -> PixelSize? {
        guard let first = samples.first?.plan.outputSize else { return nil }
        return samples.allSatisfy { $0.plan.outputSize == first } ? first : nil
    }
}

/// Plans an export: the label map, the frames the job filter keeps, each frame's size and image plan, and the
/// keypoint layout, all read from the cache's metadata and annotations.
struct ExportPlanner {
    let source: ExportSource
    let options: ExportOptions

    func plan() throws -> ExportPlan {
        let labelMap = try labelIndexMap()
        let shapeTypes = options.resolvedShapeTypes
        let skeletons = Self.skeletonKeypoints(source.labels)
        var samples: [SampleJob] = []
        var annotations: [FrameAnnotations] = []
        var keypoints = KeypointLayout()
        var kept: [(frames: [Int], jobOfFrame: [Int: Int]?)] = []
        for task in source.tasks {
            guard task.model.hasData else {
                throw ExportError(.data, "task \(task.id) (\(task.model.name)) has no data to export")
            }
            kept.append(try keptFrames(of: task))
        }
        // One sample per kept frame, in an array of exactly that size (grown by appending, it would hold up to
        // twice the samples' memory for the whole export).
        samples.reserveCapacity(kept.reduce(0) { $0 + $1.frames.count })
        for (taskIndex, task) in source.tasks.enumerated() {
            let (frames, jobOfFrame) = kept[taskIndex]
            let frameAnnotations = try loadAnnotations(task, activeFrames: Set(frames))
            annotations.append(frameAnnotations)
            for frame in frames {
                let sample = try sampleJob(
                    index: samples.count, taskIndex: taskIndex, task: task, frame: frame, jobID: jobOfFrame?[frame])
                if options.target == .keypoints {
                    try keypoints.check(
                        frameAnnotations.shapes[frame] ?? [], shapeTypes: shapeTypes, skeletons: skeletons, task: task,
                        frame: frame)
                }
                samples.append(sample)
            }
        }
        let semantic = try semanticSettings(labelMap)
        let (keypointCount, keypointNames) = keypoints.resolved(skeletons, shapeTypes: shapeTypes)
        return ExportPlan(
            samples: samples, annotations: annotations, labelMap: labelMap, shapeTypes: shapeTypes,
            skeletons: skeletons, keypointCount: keypointCount, keypointNames: keypointNames, semantic: semantic,
            fixedSize: ExportPlan.commonSize(of: samples), catalog: LabelCatalog(source.labels),
            attributeColumns: try attributeColumns(annotations))
    }

    /// `--attributes` over the source's labels; only targets with box or tag rows have an array to put them in.
    func attributeColumns(_ annotations: [FrameAnnotations]) throws -> AttributeColumns? {
        guard let selection = options.attributes else { return nil }
        guard options.target.writesBoxes || options.target == .label else {
            throw ExportError(
                .usage,
                "--attributes needs a transform with one row per box or per tag (bboxes, masks, keypoints or "
                    + "label); --transform \(options.target.rawValue) has none")
        }
        var columns: AttributeColumns
        do {
            columns = try AttributeColumns(labels: source.labels, selection: selection)
        } catch {
            throw ExportError(wrapping: error, error.message)
        }
        for task in annotations { columns.collectTextValues(task) }
        return columns
    }

    /// Class indices for the source's labels (by id): the user's `--label-map` or cvat-sdk's numbering.
    func labelIndexMap() throws -> LabelIndexMap {
        let labelNames = source.labels.sorted { $0.id < $1.id }.map { (id: $0.id, name: $0.name) }
        do {
            if let names = options.labelMap {
                return try LabelIndexMap(labels: labelNames, nameToIndex: names, labelOffset: options.labelOffset)
            }
            return try LabelIndexMap(labels: labelNames, labelOffset: options.labelOffset)
        } catch {
            throw ExportError(wrapping: error, "label map: \(error)")
        }
    }

    /// The task's frames that become samples, in order, and (with a job filter) the job each was kept for.
    func keptFrames(of task: CachedTask) throws -> (frames: [Int], jobOfFrame: [Int: Int]?) {
        guard let filter = options.jobFilter else { return (task.activeFrames, nil) }
        let jobOfFrame = try Self.matchingJobs(of: task, filter: filter)
        return (task.activeFrames.filter { jobOfFrame[$0] != nil }, jobOfFrame)
    }

    func sampleJob(index: Int, taskIndex: Int, task: CachedTask, frame: Int, jobID: Int?) throws -> SampleJob {
        let meta = try Self.frameMeta(task, frame)
        let plan: ImagePlan
        do {
            plan = try ImagePlan(source: PixelSize(width: meta.width, height: meta.height), spec: options.resize)
        } catch {
            throw ExportError(wrapping: error, "task \(task.id), frame \(frame) (\(meta.name)): \(error)")
        }
        return SampleJob(
            index: index, taskIndex: taskIndex, frame: frame, name: meta.name,
            sourceFrame: task.model.isVideo ? task.meta.sourceFrame(frame) : nil, plan: plan, jobID: jobID)
    }

    /// A frame's name and original size. A video task's frame list has one entry, which holds for every frame.
    static func frameMeta(_ task: CachedTask, _ frame: Int) throws -> (name: String, width: Int, height: Int) {
        let index = task.model.isVideo ? 0 : frame
        guard let frames = task.meta.frames, index < frames.count, let width = frames[index].width,
            let height = frames[index].height
        else {
            throw ExportError(.data, "task \(task.id): the frame list has no size for frame \(frame)")
        }
        return (frames[index].name, width, height)
    }

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

    /// A task's annotations by frame, with its tracks made into per-frame shapes when the target reads shapes or
    /// annotations.jsonl lists them.
    func loadAnnotations(_ task: CachedTask, activeFrames: Set<Int>) throws -> FrameAnnotations {
        guard options.target != .none || options.writeAnnotations else { return FrameAnnotations() }
        var context: TrackContext?
        if options.includeTracks && (options.target != .label || options.writeAnnotations) {
            context = TrackContext(
                endFrame: task.model.size ?? task.meta.size, deletedFrames: Set(task.meta.deletedFrames),
                dimension: task.model.dimension == "3d" ? .threeD : .twoD)
        }
        // Tracks no target reads are not even decoded: dense tracks are most of a video task's annotations.
        let raw = try task.loadAnnotations(includeTracks: context != nil)
        do {
            return try FrameAnnotations(raw, activeFrames: activeFrames, tracks: context)
        } catch {
            throw ExportError(
                wrapping: error, "task \(task.id) (\(task.layout.annotationsJSON(task.id).path)): \(error.message)")
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
            throw ExportError(
                .usage, "--transform semantic holds at most 65535 class indices; the labels need \(classCount)")
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
