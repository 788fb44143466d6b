public import CvatCache
public import Foundation
import CvatAPI
import CvatArchive
import CvatCodecs
import CvatImage
public import CvatTensors
import CvatGeometry

/// Progress of an export, for a progress bar.
public enum ExportEvent: Sendable {
    case started(samples: Int)
    case sampleWritten
    case skipped(taskID: Int, frame: Int, reason: String)
    case warning(String)
}

/// What an export produced.
public struct ExportReport: Sendable, Codable {
    public var output: String
    public var samples: Int
    public var skipped: Int
    public var boxes: Int?
    public var arrays: [String: Manifest.ArrayEntry]
    /// The number of shards, with `--shard-size`.
    public var shards: Int?
    /// With `--shard I/N`: the slice written.
    public var slice: Manifest.Slice?
}

/// Decodes and transforms every sample of the cached tasks on all cores and streams the arrays to disk in sample
/// order, into a temporary folder beside the output that is renamed into place only when everything is written.
public struct Exporter: Sendable {
    public let source: ExportSource
    public let options: ExportOptions
    public let onEvent: @Sendable (ExportEvent) -> Void

    public init(source: ExportSource, options: ExportOptions, onEvent: @escaping @Sendable (ExportEvent) -> Void) {
        self.source = source
        self.options = options
        self.onEvent = onEvent
    }

    /// One sample to produce: where its bytes are and how to transform them.
    struct SampleJob: Sendable {
        var index: Int
        var taskIndex: Int
        var frame: Int
        var name: String
        var location: FrameLocation
        /// Video tasks: the frame's number in the video.
        var sourceFrame: Int?
        var plan: ImagePlan
        /// The CVAT job the frame was kept for, with a job filter.
        var jobID: Int?
    }

    public func run(output: URL, force: Bool, toolVersion: String) async throws -> ExportReport {
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: output.path) && !force {
            throw ExportError(.output, "\(output.path) already exists; pass --force to replace it")
        }
        let parent = output.deletingLastPathComponent()
        do {
            try fileManager.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            throw ExportError(.output, "cannot create \(parent.path): \(error.localizedDescription)")
        }
        Exporter.removeStaleTemporaries(beside: output)
        let temporary = parent.appendingPathComponent(".\(output.lastPathComponent).tmp-cvat-ds-\(getpid())")
        try? fileManager.removeItem(at: temporary)
        do {
            try fileManager.createDirectory(at: temporary, withIntermediateDirectories: false)
        } catch {
            throw ExportError(.output, "cannot create \(temporary.path): \(error.localizedDescription)")
        }
        do {
            let report = try await write(into: temporary, finalPath: output, toolVersion: toolVersion)
            try Exporter.replace(output, with: temporary)
            return report
        } catch {
            try? fileManager.removeItem(at: temporary)
            throw error
        }
    }

    /// Folders `.NAME.tmp-cvat-ds-PID` (an unfinished export) and `.NAME.old-cvat-ds-PID` (the export it was
    /// replacing, moved aside by `replace`) left by a run that was killed (its process is gone).
    static func removeStaleTemporaries(beside output: URL) {
        let parent = output.deletingLastPathComponent()
        let prefixes = [".\(output.lastPathComponent).tmp-cvat-ds-", ".\(output.lastPathComponent).old-cvat-ds-"]
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: parent.path) else { return }
        for name in names {
            guard let prefix = prefixes.first(where: { name.hasPrefix($0) }) else { continue }
            if let pid = Int32(name.dropFirst(prefix.count)), pid != getpid(), kill(pid, 0) == 0 { continue }
            try? FileManager.default.removeItem(at: parent.appendingPathComponent(name))
        }
    }

    /// Puts the finished folder in place; an older export is moved aside first and removed only afterwards.
    static func replace(_ output: URL, with finished: URL) throws {
        let fileManager = FileManager.default
        var aside: URL?
        if fileManager.fileExists(atPath: output.path) {
            let old = output.deletingLastPathComponent()
                .appendingPathComponent(".\(output.lastPathComponent).old-cvat-ds-\(getpid())")
            guard rename(output.path, old.path) == 0 else {
                throw ExportError(.io, "cannot move the old \(output.path) aside: \(String(cString: strerror(errno)))")
            }
            aside = old
        }
        guard rename(finished.path, output.path) == 0 else {
            let reason = String(cString: strerror(errno))
            if let aside { rename(aside.path, output.path) }
            throw ExportError(.io, "cannot move the export into \(output.path): \(reason)")
        }
        if let aside { try? fileManager.removeItem(at: aside) }
    }

    private func write(into folder: URL, finalPath: URL, toolVersion: String) async throws -> ExportReport {
        let labelNames = source.labels.sorted { $0.id < $1.id }.map { (id: $0.id, name: $0.name) }
        let labelMap: LabelIndexMap
        do {
            if let names = options.labelMap {
                labelMap = try LabelIndexMap(labels: labelNames, nameToIndex: names, labelOffset: options.labelOffset)
            } else {
                labelMap = try LabelIndexMap(labels: labelNames, labelOffset: options.labelOffset)
            }
        } catch {
            throw ExportError(.usage, "label map: \(error)")
        }
        let shapeTypes = options.resolvedShapeTypes
        let skeletons = Exporter.skeletonKeypoints(source.labels)

        // Plan every sample first: the sample list and every output size are known before any pixel is decoded,
        // so the image array can be fixed-size or ragged from the start.
        var jobs: [SampleJob] = []
        var annotations: [FrameAnnotations] = []
        var keypoints = KeypointLayout()
        for (taskIndex, task) in source.tasks.enumerated() {
            guard task.model.hasData else {
                throw ExportError(.data, "task \(task.id) (\(task.model.name)) has no data to export")
            }
            var active = task.activeFrames
            var jobOfFrame: [Int: Int] = [:]
            if let filter = options.jobFilter {
                jobOfFrame = try Exporter.matchingJobs(of: task, filter: filter)
                active = active.filter { jobOfFrame[$0] != nil }
            }
            let frameAnnotations = try loadAnnotations(task, activeFrames: Set(active))
            annotations.append(frameAnnotations)
            for frame in active {
                let meta = try frameMeta(task, frame)
                let plan: ImagePlan
                do {
                    plan = try ImagePlan(source: PixelSize(width: meta.width, height: meta.height), spec: options.resize)
                } catch {
                    throw ExportError(.data, "task \(task.id), frame \(frame) (\(meta.name)): \(error)")
                }
                if options.target == .keypoints {
                    try keypoints.check(
                        frameAnnotations.shapes[frame] ?? [], shapeTypes: shapeTypes, skeletons: skeletons, task: task,
                        frame: frame)
                }
                jobs.append(
                    SampleJob(
                        index: jobs.count, taskIndex: taskIndex, frame: frame, name: meta.name,
                        location: task.frameLocation(frame),
                        sourceFrame: task.model.isVideo ? task.meta.sourceFrame(frame) : nil, plan: plan,
                        jobID: options.jobFilter == nil ? nil : jobOfFrame[frame]))
            }
        }
        // Decided over every planned sample, before slicing, so that every slice and shard has the same arrays.
        let fixedSize: PixelSize? = {
            guard let first = jobs.first?.plan.outputSize else { return nil }
            return jobs.allSatisfy { $0.plan.outputSize == first } ? first : nil
        }()
        let totalSamples = jobs.count
        var slice: Manifest.Slice?
        if let spec = options.slice {
            let range = spec.range(of: totalSamples)
            jobs = jobs[range].enumerated().map { offset, job in
                var job = job
                job.index = offset
                return job
            }
            slice = Manifest.Slice(
                index: spec.index, count: spec.count, samples: range, totalSamples: totalSamples,
                scheduler: spec.scheduler)
        }
        let semantic = try semanticSettings(labelMap)
        let (keypointCount, keypointNames) = keypoints.resolved(skeletons, shapeTypes: shapeTypes)
        let extractor = TargetExtractor(
            kind: options.target, labels: labelMap, shapeTypes: shapeTypes, skeletons: skeletons.sublabels,
            keypointCount: keypointCount, semantic: semantic)
        onEvent(.started(samples: jobs.count))

        let exportOptions = self.options
        let arrays = ShardedArrays(shardSize: exportOptions.shardSize) { suffix in
            try OutputArrays(
                folder: folder, options: exportOptions, fixedSize: fixedSize, keypointCount: keypointCount,
                semanticWide: semantic.wide, suffix: suffix)
        }
        try arrays.open()

        var manifestSamples: [Manifest.Sample] = []
        var skipped: [Manifest.Skipped] = []
        let pool = WorkerPool(maxPixels: options.maxPixels)
        let window = max(2, options.jobs * 4)
        let tasks = source.tasks
        let options = self.options

        try await withThrowingTaskGroup(of: (Int, Result<SampleOutput, InvalidFrame>).self) { group in
            var launched = 0
            var nextToWrite = 0
            var pending: [Int: Result<SampleOutput, InvalidFrame>] = [:]
            func launch() {
                let job = jobs[launched]
                let frameAnnotations = annotations[job.taskIndex]
                let task = tasks[job.taskIndex]
                group.addTask {
                    try Task.checkCancellation()
                    return (
                        job.index,
                        try Exporter.produce(
                            job, task: task, annotations: frameAnnotations, extractor: extractor, options: options,
                            pool: pool)
                    )
                }
                launched += 1
            }
            // At most `options.jobs` samples are being made at once (`--jobs`), and at most `window` made samples
            // wait for their turn to be written, which bounds memory however slow one sample is.
            var received = 0
            func canLaunch() -> Bool {
                launched < jobs.count && launched - received < options.jobs && launched - nextToWrite < window
            }
            while canLaunch() { launch() }
            while let (index, result) = try await group.next() {
                received += 1
                pending[index] = result
                while let ready = pending.removeValue(forKey: nextToWrite) {
                    let job = jobs[nextToWrite]
                    let task = tasks[job.taskIndex]
                    switch ready {
                    case .success(let sample):
                        try arrays.append(sample)
                        let meta = try frameMeta(task, job.frame)
                        manifestSamples.append(
                            Manifest.Sample(
                                taskID: task.id, frame: job.frame, name: job.name, width: meta.width,
                                height: meta.height, jobID: job.jobID, sourceFrame: job.sourceFrame))
                        onEvent(.sampleWritten)
                    case .failure(let invalid):
                        let where_ = "task \(task.id), frame \(job.frame) (\(job.name))"
                        guard options.skipInvalid else {
                            throw ExportError(
                                .data,
                                "\(where_): \(invalid.reason); --transform \(options.target.rawValue) cannot use it "
                                    + "(pass --skip-invalid to leave such frames out)")
                        }
                        skipped.append(Manifest.Skipped(taskID: task.id, frame: job.frame, reason: invalid.reason))
                        onEvent(.skipped(taskID: task.id, frame: job.frame, reason: invalid.reason))
                    }
                    nextToWrite += 1
                }
                while canLaunch() { launch() }
            }
        }

        let shards = try arrays.finish()
        let entries: [String: Manifest.ArrayEntry]
        if options.shardSize == nil {
            entries = shards.first?.arrays ?? [:]
        } else {
            do {
                entries = try Manifest.combinedArrays(of: shards)
            } catch {
                throw ExportError(.io, "\(error)")
            }
        }
        var transform = options.manifestRecord(
            keypointCount: keypointCount, keypointNames: keypointNames, semantic: semantic)
        if source.tasks.contains(where: { $0.model.isVideo }) {
            transform["video_frames"] = .string(options.videoFrames.rawValue)
        }
        var manifest = Manifest(
            tool: Manifest.Tool(name: "cvat-ds", version: toolVersion),
            source: Manifest.Source(
                server: source.server,
                tasks: source.tasks.map {
                    Manifest.TaskVersion(id: $0.id, updatedDate: $0.model.updatedDate, video: Exporter.videoRecord($0))
                },
                project: source.project.map { Manifest.ProjectVersion(id: $0.id, updatedDate: $0.updatedDate) }),
            labels: Manifest.Labels(names: labelMap.namesByIndexFlat, labelOffset: options.labelOffset),
            samples: manifestSamples, skipped: skipped, arrays: entries, transform: transform)
        manifest.shards = options.shardSize == nil ? nil : shards
        manifest.slice = slice
        manifest.formatVersion = Manifest.currentFormatVersion
        do {
            try manifest.write(to: folder.appendingPathComponent("manifest.json"))
        } catch {
            throw ExportError(.io, "\(error)")
        }
        return ExportReport(
            output: finalPath.path, samples: manifestSamples.count, skipped: skipped.count,
            boxes: entries["boxes"]?.shape.first, arrays: entries,
            shards: options.shardSize == nil ? nil : shards.count, slice: slice)
    }

    /// A video task's frame numbering and frame source, for the manifest.
    static func videoRecord(_ task: CachedTask) -> Manifest.Video? {
        guard task.model.isVideo, let source = task.videoSource else { return nil }
        return Manifest.Video(
            startFrame: task.meta.startFrame ?? 0, stopFrame: task.meta.stopFrame, frameStep: task.meta.frameStep,
            frameFilter: task.meta.frameFilter ?? "", frames: source.rawValue)
    }

    /// A frame's name and original size. A video task's frame list has one entry, which holds for every frame.
    private func frameMeta(_ task: CachedTask, _ frame: Int) throws -> (name: String, width: Int, height: Int) {
        let index = task.model.isVideo ? 0 : frame
        guard let frames = task.meta.frames, index < frames.count, let width = frames[index].width,
            let height = frames[index].height
        else {
            throw ExportError(.data, "task \(task.id): the frame list has no size for frame \(frame)")
        }
        return (frames[index].name, width, height)
    }

    /// Runs on a pool thread: reads the chunk member, renders the image and computes the targets.
    static func produce(
        _ job: SampleJob, task: CachedTask, annotations: FrameAnnotations, extractor: TargetExtractor,
        options: ExportOptions, pool: WorkerPool
    ) throws -> Result<SampleOutput, InvalidFrame> {
        let targets: SampleTargets
        do {
            targets = try extractor.targets(
                tags: annotations.tags[job.frame] ?? [], shapes: annotations.shapes[job.frame] ?? [], plan: job.plan)
        } catch {
            return .failure(error)
        }
        let where_ = "task \(task.id), frame \(job.frame) (\(job.name))"
        return try pool.withWorker { worker in
            let bytes: Data
            switch job.location {
            case .chunkMember(let path, let member):
                do {
                    bytes = try worker.chunk(path).member(at: member)
                } catch {
                    throw ExportError(.data, "\(where_): \(error)")
                }
            case .file(let path):
                do {
                    bytes = try Data(contentsOf: URL(fileURLWithPath: path))
                } catch {
                    throw ExportError(.data, "\(where_): cannot read \(path): \(error.localizedDescription)")
                }
            }
            do {
                let (image, size) = try worker.render(bytes, plan: job.plan, options: options)
                return .success(SampleOutput(image: image, outputSize: size, targets: targets))
            } catch let error as ExportError {
                throw ExportError(error.kind, "\(where_) in \(job.location.path): \(error.message)")
            } catch {
                throw ExportError(.data, "\(where_) in \(job.location.path): \(error)")
            }
        }
    }
}

extension LabelIndexMap {
    /// One name per class index (the first when a user's map sends several labels to one index).
    var namesByIndexFlat: [String] {
        namesByIndex.map { $0.first ?? "" }
    }
}

/// The export's arrays split in shards of `shardSize` written samples (one shard without a size): a shard's files
/// are finished as soon as it is full, so no file grows past a shard.
final class ShardedArrays {
    private let shardSize: Int?
    private let make: (String) throws -> OutputArrays
    private var current: OutputArrays?
    private var shardStart = 0
    private var written = 0
    private var shards: [Manifest.Shard] = []

    init(shardSize: Int?, make: @escaping (String) throws -> OutputArrays) {
        self.shardSize = shardSize
        self.make = make
    }

    /// Opens the next shard's files: `images-00000.npy`, ... with a shard size, `images.npy` without.
    func open() throws {
        guard current == nil else { return }
        current = try make(shardSize == nil ? "" : "-" + Self.number(shards.count))
    }

    static func number(_ index: Int) -> String {
        let digits = String(index)
        return String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }

    func append(_ sample: SampleOutput) throws {
        try open()
        try current!.append(sample)
        written += 1
        if let shardSize, written - shardStart == shardSize { try close() }
    }

    private func close() throws {
        guard let arrays = current else { return }
        let entries = try arrays.finish()
        shards.append(Manifest.Shard(index: shards.count, samples: shardStart..<written, arrays: entries))
        current = nil
        shardStart = written
    }

    /// Finishes the last shard (an empty one when there was no sample at all) and returns every shard.
    func finish() throws -> [Manifest.Shard] {
        if current != nil || shards.isEmpty {
            try open()
            try close()
        }
        return shards
    }
}
