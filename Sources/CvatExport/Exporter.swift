public import CvatCache
import CvatSystem
import CvatTargets
public import CvatTensors
public import Foundation

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
    /// Set when the image arrays were taken from the earlier export in the output folder.
    public var reused: Manifest.Reused?
    /// Why the earlier export in the output folder could not lend its images (nil when there was none to try).
    public var notReusedBecause: String?
    /// Frames decoded: 0 when the images were reused.
    public var decodedFrames: Int = 0

    enum CodingKeys: String, CodingKey {
        case output, samples, skipped, boxes, arrays, shards, slice, reused
        case notReusedBecause = "not_reused_because"
        case decodedFrames = "decoded_frames"
    }
}

/// Decodes and transforms every sample of the cached tasks on all cores and streams the arrays to disk in sample
/// order, into a temporary folder beside the output that is renamed into place only when everything is written.
public struct Exporter: Sendable {
    public let source: ExportSource
    public let options: ExportOptions
    public let onEvent: @Sendable (ExportEvent) -> Void
    /// Which chunks a sync running beside the export has committed: each sample waits for its chunk (or frame)
    /// before reading it. Nil when everything is in the cache already.
    public let availability: ChunkAvailability?

    public init(
        source: ExportSource, options: ExportOptions, availability: ChunkAvailability? = nil,
        onEvent: @escaping @Sendable (ExportEvent) -> Void
    ) {
        self.source = source
        self.options = options
        self.availability = availability
        self.onEvent = onEvent
    }

    /// Writes the export into `output`. With `force` an existing export there is replaced; when `reuse` is true and
    /// it differs only in its annotations, its image arrays are reused (`ExportReuse`) instead of decoding again.
    public func run(output: URL, force: Bool, reuse: Bool = true, toolVersion: String) async throws -> ExportReport {
        let fileManager = FileManager.default
        try Exporter.checkOutput(output, force: force)
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
            let report = try await write(
                into: temporary, finalPath: output, reuse: reuse && force, toolVersion: toolVersion)
            try await availability?.waitUntilFinished()
            try Task.checkCancellation()
            try Exporter.flushToDisk(temporary)
            try Exporter.replace(output, with: temporary)
            return report
        } catch {
            try? fileManager.removeItem(at: temporary)
            throw error
        }
    }

    /// Refuses an `output` that exists unless `force`. The command checks before it syncs (which can take minutes),
    /// and `run` again when it starts writing.
    public static func checkOutput(_ output: URL, force: Bool) throws(ExportError) {
        if !force && FileManager.default.fileExists(atPath: output.path) {
            throw ExportError(.output, "\(output.path) already exists; pass --force to replace it")
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

    /// Flushes every file of the finished folder, and the folder's own entries, to the disk before it is renamed
    /// into place: without it a power loss just after a successful export could leave `--out` with a manifest that
    /// names arrays the disk never received.
    static func flushToDisk(_ folder: URL) throws {
        do {
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
                let path = folder.appendingPathComponent(name).path
                let fd = open(path, O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else { throw SystemError("open", path: path, errno: errno) }
                defer { close(fd) }
                try Syscalls.sync(fd, path: path)
            }
            try Syscalls.syncDirectory(folder.path)
        } catch let error as SystemError {
            throw ExportError(.io, "cannot flush the export to disk: \(error.message)")
        }
    }

    /// Puts the finished folder in place; an older export is moved aside first and removed only afterwards. The
    /// parent folder is flushed after the rename, so the rename itself survives a power loss.
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
        // Best effort: the export is in place either way, and failing it now would report an export that exists.
        try? Syscalls.syncDirectory(output.deletingLastPathComponent().path)
        if let aside { try? fileManager.removeItem(at: aside) }
    }

    /// Plans every sample, keeps the `--shard I/N` slice, makes and writes the samples in order, then the manifest.
    /// When the earlier export in `finalPath` can lend its images, only the targets are made; should its samples
    /// turn out to differ after all (`--skip-invalid` skipping other frames), the folder is emptied and the export
    /// made in full.
    private func write(into folder: URL, finalPath: URL, reuse: Bool, toolVersion: String) async throws
        -> ExportReport
    {
        // The earlier manifest is read while the plan is made: both are large JSON documents, decoded on two cores.
        let earlierManifest =
            reuse && FileManager.default.fileExists(atPath: finalPath.path)
            ? Task.detached { ExportReuse.readManifest(in: finalPath) } : nil
        var plan = try ExportPlanner(source: source, options: options).plan()
        var slice: Manifest.Slice?
        if let spec = options.slice {
            (plan.samples, slice) = SampleSlicer.slice(plan.samples, spec)
        }
        var notReusedBecause: String?
        if let earlierManifest {
            switch ExportReuse.candidate(
                earlier: finalPath, manifest: await earlierManifest.value, plan: plan, slice: slice, source: source,
                options: options, toolVersion: toolVersion)
            {
            case .success(let earlier):
                do {
                    return try await write(
                        plan, slice: slice, into: folder, finalPath: finalPath, reusing: earlier,
                        toolVersion: toolVersion)
                } catch let mismatch as ExportReuse.Mismatch {
                    notReusedBecause = mismatch.reason
                    try ExportReuse.empty(folder)
                }
            case .failure(let mismatch):
                notReusedBecause = mismatch.reason
            }
        }
        var report = try await write(
            plan, slice: slice, into: folder, finalPath: finalPath, reusing: nil, toolVersion: toolVersion)
        report.notReusedBecause = notReusedBecause
        return report
    }

    /// Writes the planned samples and the manifest; `reusing` makes it write the targets only, beside the
    /// earlier export's image files linked into `folder`.
    private func write(
        _ plan: ExportPlan, slice: Manifest.Slice?, into folder: URL, finalPath: URL,
        reusing earlier: ExportReuse.Earlier?, toolVersion: String
    ) async throws -> ExportReport {
        onEvent(.started(samples: plan.samples.count))
        let method = try earlier?.link(into: folder)

        let options = self.options
        let (fixedSize, keypointCount, semanticWide) = (plan.fixedSize, plan.keypointCount, plan.semantic.wide)
        let attributes = plan.attributeColumns
        let arrays = ShardedArrays(shardSize: options.shardSize, shardBytes: options.shardBytes) { shard in
            if options.format == .webdataset {
                return try WebDatasetShard(
                    folder: folder, name: "shard-" + ShardedArrays.number(shard), options: options,
                    keypointCount: keypointCount, semanticWide: semanticWide, attributes: attributes)
            }
            return try OutputArrays(
                folder: folder, options: options, fixedSize: fixedSize, keypointCount: keypointCount,
                semanticWide: semanticWide, attributes: attributes,
                suffix: options.shardSize == nil ? "" : "-" + ShardedArrays.number(shard), writesImages: earlier == nil)
        }
        try arrays.open()
        let written = try await writeSamples(
            plan, into: arrays, keyOffset: slice?.samples.first ?? 0, decode: earlier == nil)
        var shards = try arrays.finish()
        let records = written.samples(plan, tasks: source.tasks)
        if let earlier { shards = try earlier.addImages(to: shards, written: records, plan: plan) }

        var manifest = try manifest(
            plan: plan, samples: records, skipped: written.skipped, shards: shards, slice: slice,
            attributes: attributes, toolVersion: toolVersion)
        if let earlier, let method { manifest.reused = earlier.record(method: method) }
        try manifest.write(into: folder, atomically: false)
        var report = ExportReport(
            output: finalPath.path, samples: manifest.samples.count, skipped: manifest.skipped.count,
            boxes: manifest.arrays["boxes"]?.shape.first, arrays: manifest.arrays, shards: manifest.shards?.count,
            slice: slice)
        report.reused = manifest.reused
        report.decodedFrames = earlier == nil ? written.count : 0
        return report
    }

    /// Makes the planned samples concurrently and appends each to `arrays` in sample order; a frame whose targets
    /// cannot be made stops the export, or with `--skip-invalid` is recorded as skipped.
    /// `keyOffset` + a sample's index is its number in the whole planned list (a webdataset key).
    /// Without `decode` no frame is read: the samples get their targets only, their images being reused.
    private func writeSamples(
        _ plan: ExportPlan, into arrays: ShardedArrays, keyOffset: Int, decode: Bool = true
    ) async throws -> WrittenSamples {
        let extractor = TargetExtractor(
            kind: options.target, labels: plan.labelMap, shapeTypes: plan.shapeTypes,
            skeletons: plan.skeletons.sublabels, keypointCount: plan.keypointCount, semantic: plan.semantic)
        let pool = WorkerPool(maxPixels: options.maxPixels)
        let scheduler = SampleScheduler(concurrency: options.jobs, window: max(2, options.jobs * 4))
        let (samples, annotations, tasks, options) = (plan.samples, plan.annotations, source.tasks, self.options)
        let catalog = plan.catalog
        let availability = self.availability
        var written = WrittenSamples()
        written.indices.reserveCapacity(samples.count)
        func write(_ index: Int, _ result: Result<SampleOutput, InvalidFrame>) throws {
            let sample = samples[index]
            let task = tasks[sample.taskIndex]
            switch result {
            case .success(let output):
                try arrays.append(
                    output, record: Exporter.record(of: sample, taskID: task.id), key: keyOffset + sample.index)
                written.indices.append(index)
                onEvent(.sampleWritten)
            case .failure(let invalid):
                guard options.skipInvalid else {
                    throw ExportError(
                        .data,
                        "task \(task.id), frame \(sample.frame) (\(sample.name)): \(invalid.reason); --transform "
                            + "\(options.target.rawValue) cannot use it (pass --skip-invalid to leave such frames out)")
                }
                written.skipped.append(Manifest.Skipped(taskID: task.id, frame: sample.frame, reason: invalid.reason))
                onEvent(.skipped(taskID: task.id, frame: sample.frame, reason: invalid.reason))
            }
        }
        guard decode else {
            // Targets alone take microseconds a sample: a child task for each (and the thread wake-ups that hand
            // it over) cost more than making them here, in order.
            for (index, sample) in samples.enumerated() {
                if index % 256 == 0 { try Task.checkCancellation() }
                try write(
                    index,
                    Exporter.produceTargets(
                        sample, taskID: tasks[sample.taskIndex].id, annotations: annotations[sample.taskIndex],
                        extractor: extractor, options: options, catalog: catalog))
            }
            return written
        }
        try await scheduler.run(count: samples.count) { index in
            let sample = samples[index]
            if let availability {
                let task = tasks[sample.taskIndex]
                try await availability.wait(
                    for: ChunkAvailability.Key(task: task.id, number: task.mediaNumber(ofFrame: sample.frame)))
            }
            return try Exporter.produce(
                sample, task: tasks[sample.taskIndex], annotations: annotations[sample.taskIndex],
                extractor: extractor, options: options, catalog: catalog, pool: pool)
        } write: { index, result in
            try write(index, result)
        }
        return written
    }
}
