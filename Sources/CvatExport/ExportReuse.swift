import CvatCache
import CvatGeometry
import CvatSystem
import CvatTargets
import CvatTensors
import Foundation

/// Re-export after an annotation edit: when the export being replaced (`--force`) was made from the same frames
/// (same server, tasks, `chunks_updated_date`, frame list) with the same image transform by the same cvat-ds, its
/// image files are linked (or cloned, or copied) into the new export's temporary folder, and only the targets,
/// annotations.jsonl and the manifest are written: no frame is decoded.
///
/// The decision is conservative: anything recorded that could change a pixel, and anything not recorded at all
/// (an older manifest without `chunks_updated_date`), means a full export. The earlier files are only read: a hard
/// link is safe because no export ever writes into a file it did not create in its own temporary folder.
enum ExportReuse {
    /// The arrays that hold pixels: `images`, and for ragged images where each one starts and its shape.
    static let imageArrays = ["images", "image_offsets", "image_shapes"]

    /// The `transform` keys that decide a pixel (or whether a frame can be decoded at all).
    static let pixelKeys: Set<String> = Set(
        [
            Manifest.Transform.CodingKeys.resize, .filter, .layout, .dtype, .normalize, .format, .dctScaling,
            .maxPixels, .videoFrames,
        ].map(\.stringValue))

    /// Why the earlier export cannot lend its images; the export is then made in full.
    struct Mismatch: Error {
        var reason: String
    }

    /// An earlier export whose image files fit the new export.
    struct Earlier {
        let folder: URL
        let manifest: Manifest
        /// Per shard (one entry without shards): the image arrays, by name.
        let imageEntries: [[String: Manifest.ArrayEntry]]
        /// Whether the images are height, width, channels (`nhwc`).
        let hwc: Bool

        /// Brings every image file into `folder` under its own name, and says how (the least shared way used).
        func link(into folder: URL) throws -> CloneMethod {
            var method = CloneMethod.hardlink
            for entries in imageEntries {
                for entry in entries.values {
                    let from = self.folder.appendingPathComponent(entry.file).path
                    let to = folder.appendingPathComponent(entry.file).path
                    do {
                        method = max(method, try Syscalls.cloneFile(from, to: to))
                    } catch {
                        throw ExportError(wrapping: error, "cannot reuse \(from) in the new export: \(error.message)")
                    }
                }
            }
            return method
        }

        /// The shards with the earlier export's image entries added, once the written samples are known: they
        /// must be the earlier export's samples, in the same shards, with the image arrays the plan asks for.
        func addImages(
            to shards: [Manifest.Shard], written: [Manifest.Sample], plan: ExportPlan
        ) throws(Mismatch) -> [Manifest.Shard] {
            guard written.count == manifest.samples.count, zip(written, manifest.samples).allSatisfy(sameFrame)
            else {
                throw Mismatch(reason: "other frames were skipped than in the earlier export (--skip-invalid)")
            }
            let earlierRanges = manifest.shards?.map(\.samples) ?? [[0, manifest.samples.count]]
            guard shards.map(\.samples) == earlierRanges, shards.count == imageEntries.count else {
                throw Mismatch(reason: "the shards differ from the earlier export's")
            }
            var sizes: [FrameKey: PixelSize] = [:]
            for job in plan.samples { sizes[FrameKey(job.taskIndex, job.frame)] = job.plan.outputSize }
            let taskIndex = Dictionary(uniqueKeysWithValues: zip(manifest.source.tasks.map(\.id), 0...))
            var result = shards
            for (index, shard) in shards.enumerated() {
                guard let range = shard.sampleRange else { throw Mismatch(reason: "a shard has no sample range") }
                let outputSizes = written[range].map { sample in
                    taskIndex[sample.taskID].flatMap { sizes[FrameKey($0, sample.frame)] }
                }
                let expected = ExportReuse.imageShapes(
                    outputSizes.compactMap { $0 }, fixedSize: plan.fixedSize, layout: hwc)
                let entries = imageEntries[index]
                guard outputSizes.allSatisfy({ $0 != nil }), entries.mapValues(\.shape) == expected else {
                    throw Mismatch(reason: "the earlier export's image arrays have other shapes")
                }
                result[index].arrays.merge(entries) { _, earlier in earlier }
            }
            return result
        }

        /// The manifest's `reused` record.
        func record(method: CloneMethod) -> Manifest.Reused {
            let names = Set(imageEntries.flatMap(\.keys)).sorted { a, b in
                (ExportReuse.imageArrays.firstIndex(of: a) ?? 0) < (ExportReuse.imageArrays.firstIndex(of: b) ?? 0)
            }
            return Manifest.Reused(
                from: Manifest.Reused.Origin(tool: manifest.tool, tasks: manifest.source.tasks), arrays: names,
                method: method.rawValue)
        }
    }

    /// A sample by its task's position in the export and its frame.
    struct FrameKey: Hashable {
        var task: Int
        var frame: Int
        init(_ task: Int, _ frame: Int) {
            self.task = task
            self.frame = frame
        }
    }

    /// Whether two samples are the same frame of the same image (the job that kept it may differ).
    static func sameFrame(_ a: Manifest.Sample, _ b: Manifest.Sample) -> Bool {
        a.taskID == b.taskID && a.frame == b.frame && a.name == b.name && a.width == b.width && a.height == b.height
            && a.sourceFrame == b.sourceFrame
    }

    /// The image arrays' shapes for samples of these output sizes.
    static func imageShapes(_ sizes: [PixelSize], fixedSize: PixelSize?, layout hwc: Bool) -> [String: [Int]] {
        if let size = fixedSize {
            return ["images": [sizes.count] + (hwc ? [size.height, size.width, 3] : [3, size.height, size.width])]
        }
        return [
            "images": [sizes.reduce(0) { $0 + $1.width * $1.height * 3 }], "image_offsets": [sizes.count + 1],
            "image_shapes": [sizes.count, 3],
        ]
    }

    /// The earlier export's manifest (`readManifest`) in `earlier` when everything that decides its pixels is as
    /// the new plan has it, or why not.
    static func candidate(
        earlier: URL, manifest: Result<Manifest, Mismatch>, plan: ExportPlan, slice: Manifest.Slice?,
        source: ExportSource, options: ExportOptions, toolVersion: String
    ) -> Result<Earlier, Mismatch> {
        do {
            return .success(
                try check(
                    earlier: earlier, manifest: try manifest.get(), plan: plan, slice: slice, source: source,
                    options: options, toolVersion: toolVersion))
        } catch {
            return .failure(error)
        }
    }

    /// The manifest of the export in `folder`, or why there is none to reuse.
    static func readManifest(in folder: URL) -> Result<Manifest, Mismatch> {
        do {
            return .success(try Manifest.read(from: folder.appendingPathComponent("manifest.json")))
        } catch {
            return .failure(Mismatch(reason: "it holds no manifest.json this cvat-ds can read"))
        }
    }

    private static func check(
        earlier: URL, manifest: Manifest, plan: ExportPlan, slice: Manifest.Slice?, source: ExportSource,
        options: ExportOptions, toolVersion: String
    ) throws(Mismatch) -> Earlier {
        guard manifest.tool.name == "cvat-ds", manifest.tool.version == toolVersion else {
            throw Mismatch(
                reason:
                    "it was written by \(manifest.tool.name) \(manifest.tool.version), this is cvat-ds \(toolVersion)")
        }
        guard manifest.parts == nil else { throw Mismatch(reason: "it is a merged manifest") }
        guard options.format != .safetensors else {
            throw Mismatch(reason: "safetensors keeps every array in one file, so the images cannot be reused")
        }
        guard options.format != .webdataset, manifest.transform.format != ArrayFormat.webdataset.rawValue else {
            throw Mismatch(reason: "webdataset shards keep each image beside its targets, so it cannot be reused")
        }
        var transform = options.manifestRecord(
            keypointCount: plan.keypointCount, keypointNames: plan.keypointNames, semantic: plan.semantic)
        if source.tasks.contains(where: { $0.model.isVideo }) { transform.videoFrames = options.videoFrames.rawValue }
        let changed = transform.differingKeys(from: manifest.transform).filter(pixelKeys.contains)
        guard changed.isEmpty else {
            throw Mismatch(reason: "the image options differ: \(changed.joined(separator: ", "))")
        }
        try checkSource(manifest.source, source)
        guard slice.map(sliceKey) == manifest.slice.map(sliceKey) else {
            throw Mismatch(reason: "the --shard slice differs")
        }
        guard (options.shardSize == nil) == (manifest.shards == nil) else {
            throw Mismatch(reason: "one export is sharded, the other is not")
        }
        try checkSamples(manifest, plan: plan, source: source)
        let shardArrays = manifest.shards?.map(\.arrays) ?? [manifest.arrays]
        var imageEntries: [[String: Manifest.ArrayEntry]] = []
        for (index, arrays) in shardArrays.enumerated() {
            let suffix = manifest.shards == nil ? "" : "-" + ShardedArrays.number(index)
            let entries = arrays.filter { imageArrays.contains($0.key) }
            for (name, entry) in entries {
                try checkFile(entry, named: name + suffix, in: earlier, format: options.format)
            }
            imageEntries.append(entries)
        }
        return Earlier(folder: earlier, manifest: manifest, imageEntries: imageEntries, hwc: options.layout == .hwc)
    }

    private static func sliceKey(_ slice: Manifest.Slice) -> [Int] {
        [slice.index, slice.count, slice.totalSamples] + slice.samples
    }

    /// Same server, same tasks in the same order, each with the same media (`chunks_updated_date`, which an older
    /// manifest does not record) and the same video frame numbering and frame source.
    private static func checkSource(_ earlier: Manifest.Source, _ source: ExportSource) throws(Mismatch) {
        guard earlier.server == Manifest.Source.redactingCredentials(source.server) else {
            throw Mismatch(reason: "it comes from another server")
        }
        guard earlier.tasks.map(\.id) == source.tasks.map(\.id) else {
            throw Mismatch(reason: "it holds other tasks")
        }
        for (before, task) in zip(earlier.tasks, source.tasks) {
            guard let date = before.chunksUpdatedDate else {
                throw Mismatch(reason: "its manifest does not record task \(task.id)'s chunks_updated_date")
            }
            guard date == task.meta.chunksUpdatedDate else {
                throw Mismatch(reason: "the media of task \(task.id) changed (chunks_updated_date)")
            }
            guard before.video == Exporter.videoRecord(task) else {
                throw Mismatch(reason: "the video frames of task \(task.id) are numbered or read differently")
            }
        }
    }

    /// The planned frames, less those the earlier export skipped, must be its samples, in order.
    private static func checkSamples(_ manifest: Manifest, plan: ExportPlan, source: ExportSource) throws(Mismatch) {
        let skipped = Set(manifest.skipped.map { "\($0.taskID)/\($0.frame)" })
        var earlier = manifest.samples.makeIterator()
        for job in plan.samples {
            let taskID = source.tasks[job.taskIndex].id
            if skipped.contains("\(taskID)/\(job.frame)") { continue }
            let planned = Manifest.Sample(
                taskID: taskID, frame: job.frame, name: job.name, width: job.plan.sourceSize.width,
                height: job.plan.sourceSize.height, sourceFrame: job.sourceFrame)
            guard let before = earlier.next(), sameFrame(before, planned) else {
                throw Mismatch(reason: "the frames differ (task \(taskID), frame \(job.frame))")
            }
        }
        guard earlier.next() == nil else { throw Mismatch(reason: "the earlier export has frames this one has not") }
    }

    /// An image file of the earlier export: named as this export would name it, a regular file (not a link out of
    /// the folder), and as long as its header (or, raw, the manifest) says.
    private static func checkFile(
        _ entry: Manifest.ArrayEntry, named stem: String, in folder: URL, format: ArrayFormat
    ) throws(Mismatch) {
        let file = stem + (format == .raw ? ".bin" : ".npy")
        guard entry.file == file else { throw Mismatch(reason: "its image file \(entry.file) is not \(file)") }
        let path = folder.appendingPathComponent(file).path
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw Mismatch(reason: "\(path) is not a regular file")
        }
        let dataBytes = entry.shape.reduce(1, *) * entry.dtype.byteSize
        var expected = dataBytes
        if format == .npy {
            do {
                let reader = try NPYReader(npyPath: path)
                guard reader.dtype == entry.dtype, reader.shape == entry.shape else {
                    throw Mismatch(reason: "\(path)'s header does not match the manifest")
                }
                expected = reader.dataOffset + dataBytes
            } catch let mismatch as Mismatch {
                throw mismatch
            } catch {
                throw Mismatch(reason: "\(path) cannot be read: \(error)")
            }
        }
        guard Int(info.st_size) == expected else {
            throw Mismatch(reason: "\(path) is \(info.st_size) bytes, not the \(expected) its shape needs")
        }
    }

    /// Removes everything a reuse attempt put in the temporary folder, so the full export starts from nothing.
    static func empty(_ folder: URL) throws {
        do {
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
                try FileManager.default.removeItem(at: folder.appendingPathComponent(name))
            }
        } catch {
            throw ExportError(.io, "cannot empty \(folder.path): \(error.localizedDescription)")
        }
    }
}

extension Exporter {
    /// A sample's targets and annotations.jsonl line without its image, for a re-export that reuses the images:
    /// the image plan alone (source size and geometry) places the boxes, masks and keypoints.
    static func produceTargets(
        _ job: SampleJob, taskID: Int, annotations: FrameAnnotations, extractor: TargetExtractor,
        options: ExportOptions, catalog: LabelCatalog
    ) -> Result<SampleOutput, InvalidFrame> {
        let (tags, shapes) = (annotations.tags[job.frame] ?? [], annotations.shapes[job.frame] ?? [])
        let targets: SampleTargets
        do {
            targets = try extractor.targets(tags: tags, shapes: shapes, plan: job.plan)
        } catch {
            return .failure(error)
        }
        let line =
            options.writeAnnotations
            ? AnnotationLine.encode(taskID: taskID, frame: job.frame, tags: tags, shapes: shapes, catalog: catalog)
            : nil
        return .success(
            SampleOutput(image: [], outputSize: job.plan.outputSize, targets: targets, annotationLine: line))
    }
}
