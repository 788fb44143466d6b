import ArgumentParser
import CvatAPI
import CvatCache
import CvatCodecs
import CvatExport
import CvatGeometry
import CvatImage
import CvatTargets
import Foundation
import Synchronization

/// `cvat-ds export`: sync, then decode, transform and write tensors with a manifest.
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Turn cached tasks into .npy, raw or safetensors arrays or WebDataset shards plus manifest.json, syncing them first.",
        discussion: """
            Samples are the tasks' frames (tasks by id, frames by index, deleted frames left out), with cvat-sdk's \
            label indices (labels sorted by id) unless --label-map says otherwise. Output goes to a temporary \
            folder beside --out and is renamed into place only when complete.

            Examples:
              cvat-ds export --task 42 --transform label --resize 224x224 --out flowers/
              cvat-ds export --project 7 --subset Train --transform bboxes --letterbox 640x640 --label-offset 1 --out det/
              cvat-ds export --task 42 --offline --resize-shorter 256 --center-crop 224x224 --normalize imagenet \\
                  --layout nchw --out val/
              cvat-ds export --task 42 --transform masks --resize 512x512 --label-offset 1 --out inst/
              cvat-ds export --task 42 --transform semantic --letterbox 512x512 --job-stage acceptance \\
                  --job-state completed --out seg/
              cvat-ds export --task 42 --transform keypoints --shape-types skeleton --out pose/

            Tracks are made into per-frame shapes as CVAT's server does (cvat-sdk leaves tracks out); --no-tracks \
            leaves them out too.

            Video tasks are read from the server's PNG frames (lossless) or, with --video-frames compressed, from \
            its JPEG compressed chunks. --shard-size N writes the arrays in shards of N samples; --shard I/N \
            exports only slice I (0-based) of N, for N machines sharing one export (see merge-manifests); \
            --shard auto takes I and N from a Slurm array task, --shard auto/N takes I from a Kubernetes Indexed \
            Job (docs/cluster.md).
              cvat-ds export --task 7 --transform bboxes --shard-size 1000 --format safetensors --out video/
              cvat-ds export --project 7 --resize 224x224 --shard auto --out run/part-$SLURM_ARRAY_TASK_ID

            \(ExitCodes.helpText)
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var selection: SelectionOptions

    @Option(help: "The output folder.")
    var out: String

    @Flag(
        help: ArgumentHelp(
            "Replace --out if it exists. When only annotations changed since that export, its images are reused "
                + "(linked, not decoded again); --no-reuse decodes every frame anyway."))
    var force = false

    @Flag(name: .customLong("no-reuse"), help: "With --force: decode every frame even if the images could be reused.")
    var noReuse = false

    @Flag(help: "Use only the cache; never contact the server.")
    var offline = false

    @Option(
        help: ArgumentHelp(
            "Targets: none, label (one tag per frame), bboxes, masks (instance masks), semantic (a class map per "
                + "frame) or keypoints (skeletons, points).", valueName: "KIND"))
    var transform: TargetKindArgument = .none

    @Flag(
        name: .customLong("no-tracks"),
        help:
            "Leave tracks out (cvat-sdk cannot read them); by default they are interpolated into per-frame shapes as CVAT's server does."
    )
    var noTracks = false

    @Option(
        name: .customLong("background-index"),
        help: "With semantic: the value of pixels no shape covers (0-65535; above 255 makes the maps uint16).")
    var backgroundIndex = 255

    @Option(
        name: .customLong("job-stage"),
        help: ArgumentHelp(
            "Keep only frames of annotation jobs in this stage: annotation, validation or acceptance (repeatable).",
            valueName: "STAGE"))
    var jobStages: [JobStageArgument] = []

    @Option(
        name: .customLong("job-state"),
        help: ArgumentHelp(
            "Keep only frames of annotation jobs in this state: new, \"in progress\", completed or rejected "
                + "(repeatable).", valueName: "STATE"))
    var jobStates: [JobStateArgument] = []

    @Option(help: ArgumentHelp("Stretch every image to this size.", valueName: "WxH"))
    var resize: String?

    @Option(help: ArgumentHelp("Scale to fit this size keeping the aspect ratio, centred, padded.", valueName: "WxH"))
    var letterbox: String?

    @Option(name: .customLong("pad-value"), help: "Grey level of the letterbox padding (0-255).")
    var padValue = 0

    @Option(
        name: .customLong("resize-shorter"),
        help: ArgumentHelp("Scale so the shorter side is N (torchvision Resize(N)).", valueName: "N"))
    var resizeShorter: Int?

    @Option(
        name: .customLong("center-crop"),
        help: ArgumentHelp("After --resize-shorter, cut the centre (torchvision CenterCrop).", valueName: "WxH"))
    var centerCrop: String?

    @Option(help: "Resampling filter: nearest, bilinear (antialiased, as Pillow/torchvision) or bicubic.")
    var filter: FilterArgument = .bilinear

    @Option(help: "Image array layout: nhwc or nchw.")
    var layout: LayoutArgument = .nhwc

    @Option(help: "Image element type: uint8, or float32 (divided by 255).")
    var dtype: PixelTypeArgument = .uint8

    @Option(
        help: ArgumentHelp(
            "Normalise (implies float32): imagenet, or M,M,M/S,S,S (per-channel mean and std of [0,1] values).",
            valueName: "SPEC"))
    var normalize: String?

    @Option(
        help: ArgumentHelp(
            "Array files: npy (NumPy format 1.0), raw (.bin, dtype and shape only in the manifest), safetensors "
                + "(every array in one .safetensors file per shard) or webdataset (tar shards of samples, with "
                + "DALI's .idx)."))
    var format: FormatArgument = .npy

    @Option(
        name: .customLong("video-frames"),
        help: ArgumentHelp(
            "Video tasks: original (the server's PNG frames, lossless; one request per frame) or compressed (the "
                + "JPEG compressed chunks at the task's image quality; one request per chunk).", valueName: "SOURCE"))
    var videoFrames: VideoFramesArgument = .original

    @Option(
        name: .customLong("shard-size"),
        help: ArgumentHelp(
            "Write the arrays as numbered shards of N samples each (images-00000.npy, ...), listed in the manifest.",
            valueName: "N"))
    var shardSize: Int?

    @Option(
        name: .customLong("shard-bytes"),
        help: ArgumentHelp(
            "With --format webdataset: start a new tar shard before a sample that would take it past SIZE (1G, "
                + "500M, 64K or bytes); a sample is never split.", valueName: "SIZE"))
    var shardBytes: String?

    @Flag(
        name: .customLong("keep-encoded"),
        help: ArgumentHelp(
            "With --format webdataset: store each frame's original JPEG or PNG bytes (KEY.jpg / KEY.png) without "
                + "decoding, targets in source pixels (for GPU decoding); no resize, crop, dtype or layout change."))
    var keepEncoded = false

    @Option(
        name: .customLong("shard"),
        help: ArgumentHelp(
            "Export only slice I (0-based) of N contiguous slices of the samples; combine the parts with "
                + "cvat-ds merge-manifests. auto: I and N from a Slurm array (SLURM_ARRAY_TASK_*); auto/N: I from "
                + "a Kubernetes Indexed Job (JOB_COMPLETION_INDEX).", valueName: "I/N|auto|auto/N"))
    var shard: String?

    @Option(
        name: .customLong("label-map"),
        help: ArgumentHelp("A JSON file {\"name\": index} covering every label.", valueName: "FILE"))
    var labelMap: String?

    @Option(
        name: .customLong("label-offset"),
        help: "Add this to every class index (1 for torchvision detection models, which keep 0 for background).")
    var labelOffset = 0

    @Option(
        name: .customLong("shape-types"),
        help: ArgumentHelp(
            "Shape types to use, comma-separated. bboxes: rectangle,polygon,polyline,points,ellipse (default all); "
                + "masks: polygon,mask (default both); semantic: polygon,mask,rectangle (default polygon,mask); "
                + "keypoints: skeleton,points (default both).",
            valueName: "LIST"))
    var shapeTypes: String?

    @Flag(name: .customLong("skip-invalid"), help: "Leave out frames whose targets cannot be made, with a warning.")
    var skipInvalid = false

    @Flag(
        name: .customLong("no-annotations"),
        help: "Do not write annotations.jsonl (every sample's CVAT tags and shapes, with ids and attributes).")
    var noAnnotations = false

    @Option(
        name: .customLong("attributes"),
        help: ArgumentHelp(
            "Write the labels' attributes as numbers: box_attributes.npy (bboxes, masks, keypoints) or "
                + "tag_attributes.npy (label), one column per label and attribute; 'all' or names, comma-separated.",
            valueName: "all|NAME[,NAME...]"))
    var attributes: String?

    @Option(
        name: .customLong("dct-scaling"),
        help: ArgumentHelp(
            "Decode JPEGs at a reduced size when shrinking by 2x or more: disabled (exact, the default); draft "
                + "(1/2, 1/4 or 1/8, bit-identical to Pillow's Image.draft('RGB', size) then resize; fastScales is "
                + "its former name); any (any TurboJPEG scale, the fastest, matching no Pillow pipeline). "
                + "See docs/performance.md.", valueName: "MODE"))
    var dctScaling: DCTScalingArgument = .disabled

    @Option(name: .customLong("max-pixels"), help: "Refuse images with more pixels than this (decompression bombs).")
    var maxPixels = DecodeLimits().maxPixels

    @Option(help: "Parallel decoding workers (default: the number of cores).")
    var jobs = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        let geometry = [resize != nil, letterbox != nil, resizeShorter != nil].filter { $0 }.count
        if geometry > 1 { throw ValidationError("give at most one of --resize, --letterbox and --resize-shorter") }
        if centerCrop != nil && resizeShorter == nil {
            throw ValidationError("--center-crop goes with --resize-shorter")
        }
        if !(0...255).contains(padValue) { throw ValidationError("--pad-value must be between 0 and 255") }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if maxPixels < 1 { throw ValidationError("--max-pixels must be positive") }
        if let shardSize, shardSize < 1 { throw ValidationError("--shard-size must be at least 1") }
        _ = try options()
    }

    func options() throws -> ExportOptions {
        var options = ExportOptions()
        options.target = transform.kind
        if let resize {
            let (w, h) = try Self.size(resize, flag: "--resize")
            options.resize = .resize(width: w, height: h)
        } else if let letterbox {
            let (w, h) = try Self.size(letterbox, flag: "--letterbox")
            options.resize = .letterbox(width: w, height: h)
        } else if let resizeShorter {
            guard resizeShorter > 0 else { throw ValidationError("--resize-shorter must be positive") }
            let crop = try centerCrop.map { try Self.size($0, flag: "--center-crop") }
            options.resize = .resizeShorter(
                resizeShorter, centerCrop: crop.map { PixelSize(width: $0.0, height: $0.1) })
        }
        options.padValue = UInt8(clamping: padValue)
        options.filter = filter.filter
        options.layout = layout == .nhwc ? .hwc : .chw
        options.pixelType = dtype == .uint8 ? .uint8 : .float32
        if let normalize {
            options.normalization = try Self.normalization(normalize)
            options.pixelType = .float32
        }
        options.format = format.format
        options.videoFrames = videoFrames.source
        options.shardSize = shardSize
        if let shardBytes {
            guard format == .webdataset else {
                throw ValidationError("--shard-bytes goes with --format webdataset (use --shard-size for \(format))")
            }
            options.shardBytes = try Self.byteSize(shardBytes, flag: "--shard-bytes")
        }
        if keepEncoded {
            guard format == .webdataset else {
                throw ValidationError(
                    "--keep-encoded goes with --format webdataset (only tar shards can hold the encoded frames)")
            }
            let conflicts: [(Bool, String)] = [
                (resize != nil, "--resize"), (letterbox != nil, "--letterbox"),
                (resizeShorter != nil, "--resize-shorter"), (centerCrop != nil, "--center-crop"),
                (normalize != nil, "--normalize"), (dtype != .uint8, "--dtype float32"),
                (layout != .nhwc, "--layout nchw"), (dctScaling != .disabled, "--dct-scaling"),
            ]
            if let conflict = conflicts.first(where: \.0) {
                throw ValidationError(
                    "--keep-encoded stores the frames as they are, so \(conflict.1) cannot apply; drop one of the two")
            }
            options.keepEncoded = true
        }
        if let shard { options.slice = try Self.slice(shard) }
        options.labelOffset = labelOffset
        if let labelMap {
            guard let data = FileManager.default.contents(atPath: labelMap),
                let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            else { throw ValidationError("--label-map \(labelMap): not a readable JSON object {\"name\": index}") }
            var map: [String: Int] = [:]
            for (name, value) in object {
                guard let index = value as? Int else {
                    throw ValidationError("--label-map \(labelMap): the index of '\(name)' is not an integer")
                }
                map[name] = index
            }
            options.labelMap = map
        }
        if let shapeTypes {
            // Without a target that reads shapes the list is only checked against the bboxes set, as before.
            let supported =
                options.target.writesBoxes || options.target == .semantic
                ? options.target.supportedShapeTypes : TargetKind.bboxes.supportedShapeTypes
            let allowed = ShapeKind.allCases.filter(supported.contains).map(\.rawValue).joined(separator: ", ")
            var kinds = Set<ShapeKind>()
            for name in shapeTypes.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                guard let kind = ShapeKind(rawValue: name), supported.contains(kind) else {
                    throw ValidationError("--shape-types: '\(name)' is not one of \(allowed)")
                }
                kinds.insert(kind)
            }
            options.shapeTypes = kinds
        }
        options.includeTracks = !noTracks
        if backgroundIndex != 255 && transform != .semantic {
            throw ValidationError("--background-index goes with --transform semantic")
        }
        guard (0...65535).contains(backgroundIndex) else {
            throw ValidationError("--background-index must be between 0 and 65535")
        }
        options.backgroundIndex = backgroundIndex
        if !jobStages.isEmpty || !jobStates.isEmpty {
            options.jobFilter = JobFilter(
                stages: Set(jobStages.map(\.stage)), states: Set(jobStates.map(\.state)))
        }
        options.skipInvalid = skipInvalid
        options.writeAnnotations = !noAnnotations
        if let attributes {
            let names = attributes.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard !names.isEmpty, !names.contains(where: \.isEmpty) else {
                throw ValidationError(
                    "--attributes takes 'all' or attribute names separated by commas (got '\(attributes)')")
            }
            options.attributes = names == ["all"] ? .all : .names(names)
        }
        options.dctScaling = dctScaling.scaling
        options.maxPixels = maxPixels
        options.jobs = jobs
        return options
    }

    static func size(_ text: String, flag: String) throws -> (Int, Int) {
        let parts = text.lowercased().split(separator: "x")
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]), w > 0, h > 0, w <= 65536, h <= 65536
        else { throw ValidationError("\(flag) takes WIDTHxHEIGHT, e.g. 224x224 (got '\(text)')") }
        return (w, h)
    }

    /// A size in bytes: digits with an optional K, M, G or T (powers of 1024), e.g. 1G, 500M, 64K, 1000000.
    static func byteSize(_ text: String, flag: String) throws -> Int {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        var digits = Substring(text.uppercased())
        var unit = 1
        if digits.hasSuffix("B") && digits.count > 1 && units[digits.dropLast().last ?? "0"] != nil {
            digits = digits.dropLast()
        }
        if let last = digits.last, let scale = units[last] {
            unit = scale
            digits = digits.dropLast()
        }
        guard let value = Int(digits), value > 0, value <= Int.max / unit else {
            throw ValidationError("\(flag) takes a positive size such as 1G, 500M, 64K or 1000000 (got '\(text)')")
        }
        return value * unit
    }

    /// `I/N` with 0 <= I < N, or `auto` / `auto/N` from the scheduler's variables (`SchedulerSlice`).
    static func slice(
        _ text: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> SliceSpec {
        if SchedulerSlice.isAuto(text) {
            let auto = try SchedulerSlice.resolve(text, environment: environment)
            return SliceSpec(index: auto.index, count: auto.count, scheduler: auto.variables)
        }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1,
            (0..<count).contains(index)
        else {
            throw ValidationError(
                "--shard takes I/N with 0 <= I < N, e.g. 0/4 for the first of four slices, or auto (got '\(text)')")
        }
        return SliceSpec(index: index, count: count)
    }

    static func normalization(_ text: String) throws -> Normalization {
        if text.lowercased() == "imagenet" { return .imageNet }
        let halves = text.split(separator: "/")
        let numbers = halves.map {
            $0.split(separator: ",").compactMap { Float($0.trimmingCharacters(in: .whitespaces)) }
        }
        guard halves.count == 2, numbers[0].count == 3, numbers[1].count == 3, numbers[1].allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--normalize takes imagenet or M,M,M/S,S,S with positive S (got '\(text)')")
        }
        return Normalization(mean: numbers[0], std: numbers[1])
    }

    /// Concurrent chunk (or video frame) requests while an export decodes beside the sync: 4, as a plain sync.
    ///
    /// CVAT prepares a chunk on demand: a request for one it has not prepared blocks a server worker while one of
    /// its few chunk workers builds it, and answers 429 with Retry-After (which RetryPolicy waits out) when that takes
    /// too long; more requests at once than its chunk workers mostly queue on the server or come back 429. Over a
    /// link whose bandwidth is the limit, N requests at once share it, so each chunk arrives N times later and the
    /// last N arrive together at the end (their decoding is the tail left after the download): that argued for
    /// two. Measured, two lost more: while the decoders keep both cores busy, the thread receiving the responses
    /// (and, on one machine, the server sending them) is scheduled late, and with only two responses in flight the
    /// link idles meanwhile. With 20 ms per request and 50 MB/s on 2 cores, 2000 frames: the chunks took 2.3 s to
    /// arrive with two requests against 1.6 s for the sync alone, and the cold export took 1.16x the sync alone
    /// with two, 1.09x with three or four.
    static let overlappedChunkRequests = 4

    func run() async throws {
        let console = output.makeConsole()
        try await runReportingErrors(console) {
            let options = try options()
            let (server, credentials) = try connection.resolve(needCredentials: !offline)
            let layout = CacheLayout(root: connection.cacheRoot, server: server)
            let subsets = selection.subsets.isEmpty ? nil : selection.subsets
            let outURL = URL(fileURLWithPath: out)
            try Exporter.checkOutput(outURL, force: force)
            let exportProgress = ExportProgress(console: console)
            let report: ExportReport
            if offline {
                let source: ExportSource
                if let project = selection.project {
                    let (projectSource, leftOut) = try ExportSource.project(
                        project, subsets: subsets, layout: layout, videoFrames: options.videoFrames)
                    for task in leftOut { console.warning("left out of the export: \(task)") }
                    source = projectSource
                } else {
                    source = try ExportSource.tasks(selection.tasks, layout: layout, videoFrames: options.videoFrames)
                }
                let exporter = Exporter(source: source, options: options, onEvent: { exportProgress.handle($0) })
                report = try await exporter.run(
                    output: outURL, force: force, reuse: !noReuse, toolVersion: CvatDS.version)
            } else {
                // Chunk downloads overlap decoding, so they are limited to keep the in-order writer fed; see
                // `overlappedChunkRequests`.
                let session = try await Session.open(
                    server: server, credentials: credentials, connection: connection, console: console,
                    jobs: Self.overlappedChunkRequests)
                defer { session.close() }
                // The export's bar is the one drawn while both run; the sync still prints its per-task lines.
                let syncProgress = SyncProgress(console: console, drawsBar: false)
                // With a job filter the job list is fetched again on every run: a job's stage or state can change
                // without the task's updated_date changing.
                let synchronizer = Synchronizer(
                    client: session.client, layout: layout, jobs: Self.overlappedChunkRequests,
                    refreshJobs: options.jobFilter != nil, videoFrames: options.videoFrames,
                    onEvent: { syncProgress.handle($0) })
                // Metadata first (task, labels, data/meta, annotations, jobs), then the export starts while the
                // chunks download; each sample waits only for its own chunk.
                let staged: StagedSync
                let source: ExportSource
                if let project = selection.project {
                    staged = try await synchronizer.stageProject(project, subsets: subsets)
                    let (projectSource, leftOut) = try ExportSource.project(
                        try staged.project ?? CachedProject.load(id: project, layout: layout), subsets: subsets,
                        server: layout.server.url, model: { id throws(CacheError) in try staged.model(id) },
                        task: { id throws(CacheError) in try staged.task(id, videoFrames: options.videoFrames) })
                    for task in leftOut { console.warning("left out of the export: \(task)") }
                    source = projectSource
                } else {
                    staged = try await synchronizer.stageTasks(selection.tasks)
                    source = try ExportSource.tasks(selection.tasks, server: layout.server.url) {
                        id throws(CacheError) in try staged.task(id, videoFrames: options.videoFrames)
                    }
                }
                let exporter = Exporter(
                    source: source, options: options, availability: staged.availability,
                    onEvent: { exportProgress.handle($0) })
                report = try await exporter.run(
                    output: outURL, force: force, reuse: !noReuse, toolVersion: CvatDS.version
                ) {
                    _ = try await synchronizer.fetchMedia(staged)
                }
            }
            console.clearProgress()
            if let reason = report.notReusedBecause {
                console.info(
                    "the earlier export in \(report.output) cannot lend its images (\(reason)): decoding every frame")
            }
            var line = "exported \(report.samples) sample(s) to \(report.output)"
            if report.skipped > 0 { line += ", \(report.skipped) skipped (listed in manifest.json)" }
            if let boxes = report.boxes { line += ", \(boxes) box(es)" }
            if let shards = report.shards { line += ", in \(shards) shard(s)" }
            if let reused = report.reused { line += ", reused the images of the earlier export (\(reused.method))" }
            if let slice = report.slice {
                line +=
                    " (slice \(slice.index)/\(slice.count): samples \(slice.samples[0])..<\(slice.samples[1]) of "
                    + "\(slice.totalSamples))"
            }
            console.info(line)
            if output.json { console.emitJSON(report) }
        }
    }
}

/// Export progress: a bar on a terminal, nothing otherwise until the summary.
final class ExportProgress: Sendable {
    private struct State {
        var total = 0
        var done = 0
        var lastDraw = ContinuousClock.now - .seconds(1)
    }
    private let console: Console
    private let started = ContinuousClock.now
    private let state = Mutex(State())

    init(console: Console) { self.console = console }

    func handle(_ event: ExportEvent) {
        switch event {
        case .started(let samples):
            state.withLock { $0.total = samples }
        case .sampleWritten:
            state.withLock { $0.done += 1 }
        case .skipped(let task, let frame, let reason):
            console.warning("skipped task \(task), frame \(frame): \(reason)")
        case .warning(let message):
            console.warning(message)
        }
        guard console.interactive else { return }
        let now = ContinuousClock.now
        guard
            let snapshot = state.withLock({ s -> State? in
                guard now - s.lastDraw >= .milliseconds(100) else { return nil }
                s.lastDraw = now
                return s
            })
        else { return }
        let elapsed = Format.seconds(now - started)
        var line = Format.bar(done: snapshot.done, of: snapshot.total, unit: "samples")
        if elapsed > 0 { line += String(format: "  %.0f/s", Double(snapshot.done) / elapsed) }
        line += Format.eta(done: snapshot.done, of: snapshot.total, elapsed: elapsed)
        console.progress(line)
    }
}

enum TargetKindArgument: String, ExpressibleByArgument, CaseIterable {
    case none, label, bboxes, masks, semantic, keypoints
    var kind: TargetKind { TargetKind(rawValue: rawValue)! }
}

enum JobStageArgument: String, ExpressibleByArgument, CaseIterable {
    case annotation, validation, acceptance
    var stage: JobStage { JobStage(rawValue: rawValue)! }
}

enum JobStateArgument: String, ExpressibleByArgument, CaseIterable {
    case new
    case inProgress = "in progress"
    case completed, rejected
    var state: JobState { JobState(rawValue: rawValue)! }
}

enum FilterArgument: String, ExpressibleByArgument, CaseIterable {
    case nearest, bilinear, bicubic
    var filter: ResampleFilter {
        switch self {
        case .nearest: .nearest
        case .bilinear: .bilinear
        case .bicubic: .bicubic
        }
    }
}

enum LayoutArgument: String, ExpressibleByArgument, CaseIterable { case nhwc, nchw }
enum PixelTypeArgument: String, ExpressibleByArgument, CaseIterable { case uint8, float32 }
enum FormatArgument: String, ExpressibleByArgument, CaseIterable {
    case npy, raw, safetensors, webdataset
    var format: ArrayFormat { ArrayFormat(rawValue: rawValue)! }
}

enum VideoFramesArgument: String, ExpressibleByArgument, CaseIterable {
    case original, compressed
    var source: VideoFrameSource { VideoFrameSource(rawValue: rawValue)! }
}

enum DCTScalingArgument: String, ExpressibleByArgument, CaseIterable {
    /// `fastScales` is the name `draft` had before it was made to pick Pillow's scale; scripts keep working.
    case disabled, draft, fastScales, any
    var scaling: DCTScaling {
        switch self {
        case .disabled: .disabled
        case .draft, .fastScales: .draft
        case .any: .any
        }
    }
}
