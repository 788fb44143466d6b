import ArgumentParser
import CvatExport
import CvatGeometry
import CvatImage
import CvatTestSupport
import Foundation
import Testing

@testable import CvatDSCommands

/// Every subcommand's flags parsed in-process, as swift-argument-parser's own tests do: good flag sets become the
/// right command with the right values, bad ones fail with the message the user sees and exit code 64, without
/// starting a process or a server.
@Suite("argument parsing")
struct ParsingTests {
    /// Parses `arguments` as `cvat-ds` would and expects a command of type `C`.
    func parse<C: ParsableCommand>(_ arguments: [String], as type: C.Type) throws -> C {
        let command = try CvatDS.parseAsRoot(arguments)
        return try #require(command as? C, "\(arguments) parsed as \(Swift.type(of: command))")
    }

    /// The message and exit code `cvat-ds arguments...` stops with, or nil when the arguments parse.
    func failure(_ arguments: [String]) -> (message: String, code: Int32)? {
        do {
            _ = try CvatDS.parseAsRoot(arguments)
            return nil
        } catch {
            return (CvatDS.message(for: error), CvatDS.exitCode(for: error).rawValue)
        }
    }

    /// Expects `arguments` to fail as a usage error whose message contains `message`.
    func expectUsageError(
        _ arguments: [String], _ message: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard let failure = failure(arguments) else {
            Issue.record("\(arguments) parsed, expected \"\(message)\"", sourceLocation: sourceLocation)
            return
        }
        #expect(failure.message.contains(message), "\(arguments): \(failure.message)", sourceLocation: sourceLocation)
        #expect(failure.code == ExitCodes.usage, "\(arguments): exit \(failure.code)", sourceLocation: sourceLocation)
    }

    // MARK: - The root

    @Test("the root names its version, and an unknown subcommand is a usage error")
    func root() {
        let version = failure(["--version"])
        #expect(version?.message == CvatDS.version && version?.code == 0)
        expectUsageError(["frobnicate"], "Unexpected argument 'frobnicate'")
    }

    // MARK: - sync

    @Test("sync: tasks, connection, output and download flags land in their fields")
    func syncFlags() throws {
        let sync = try parse(
            [
                "sync", "--task", "1", "--task", "3", "--jobs", "8", "--video-frames", "compressed",
                "--server-host", "http://127.0.0.1:8080", "--org", "lab", "--auth", "ann:pw", "--auth-method", "basic",
                "--retries", "2", "--timeout", "5.5", "--cache-dir", "/data/cache", "--insecure", "--json", "-q",
            ], as: Sync.self)
        #expect(sync.selection.tasks == [1, 3] && sync.selection.project == nil && sync.selection.subsets.isEmpty)
        #expect(sync.jobs == 8 && sync.videoFrames == .compressed)
        #expect(sync.connection.serverHost == "http://127.0.0.1:8080" && sync.connection.organization == "lab")
        #expect(sync.connection.auth == "ann:pw" && sync.connection.authMethod == .basic)
        #expect(sync.connection.retries == 2 && sync.connection.timeout == 5.5 && sync.connection.insecure)
        #expect(sync.connection.cacheRoot.path == "/data/cache")
        #expect(sync.output.quiet && sync.output.json && !sync.output.verbose)

        let project = try parse(
            ["sync", "--project", "7", "--subset", "Train", "--subset", "Validation", "--profile", "work"],
            as: Sync.self)
        #expect(project.selection.project == 7 && project.selection.subsets == ["Train", "Validation"])
        #expect(project.connection.profile == "work" && project.jobs == 4 && project.videoFrames == .original)
    }

    @Test(
        "sync: bad flag sets are usage errors that say what is wrong",
        arguments: [
            (["sync"], "give --task ID (repeatable) or --project ID"),
            (["sync", "--task", "1", "--project", "2"], "give either --task or --project, not both"),
            (["sync", "--task", "1", "--subset", "Train"], "--subset goes with --project"),
            (["sync", "--task", "1", "--jobs", "0"], "--jobs must be at least 1"),
            (["sync", "--task", "1", "--quiet", "--verbose"], "--quiet and --verbose cannot be used together"),
            (
                ["sync", "--task", "1", "--profile", "work", "--server-host", "http://h"],
                "--profile cannot be combined with --server-host, --server-port or --auth"
            ),
            (["sync", "--task", "1", "--server-port", "70000"], "--server-port must be between 1 and 65535"),
            (["sync", "--task", "1", "--retries=-1"], "--retries must not be negative"),
            (["sync", "--task", "1", "--timeout", "0"], "--timeout must be positive"),
            (["sync", "--task", "one"], "The value 'one' is invalid for '--task <ID>'"),
            (["sync", "--task", "1", "--video-frames", "jpeg"], "The value 'jpeg' is invalid for '--video-frames"),
            (
                ["sync", "--task", "1", "--auth-method", "kerberos"],
                "The value 'kerberos' is invalid for '--auth-method"
            ),
        ])
    func syncErrors(arguments: [String], message: String) {
        expectUsageError(arguments, message)
    }

    // MARK: - export

    @Test("export: a detection export's flags become its ExportOptions")
    func exportDetection() throws {
        let export = try parse(
            [
                "export", "--project", "7", "--subset", "Train", "--transform", "bboxes", "--letterbox", "640x480",
                "--pad-value", "114", "--label-offset", "1", "--shape-types", "rectangle, polygon", "--format",
                "safetensors", "--shard-size", "100", "--shard", "1/4", "--jobs", "2", "--no-tracks",
                "--skip-invalid", "--job-stage", "acceptance", "--job-state", "in progress", "--job-state",
                "completed", "--video-frames", "compressed", "--max-pixels", "1000000", "--out", "det/", "--force",
                "--offline",
            ], as: Export.self)
        #expect(export.out == "det/" && export.force && export.offline)
        #expect(export.selection.project == 7 && export.selection.subsets == ["Train"])
        let options = try export.options()
        #expect(options.target == .bboxes)
        #expect(options.resize == .letterbox(width: 640, height: 480))
        #expect(options.padValue == 114 && options.labelOffset == 1)
        #expect(options.shapeTypes == [.rectangle, .polygon])
        #expect(options.format == .safetensors && options.shardSize == 100)
        #expect(options.slice == SliceSpec(index: 1, count: 4))
        #expect(options.jobs == 2 && options.maxPixels == 1_000_000)
        #expect(!options.includeTracks && options.skipInvalid)
        #expect(options.jobFilter == JobFilter(stages: [.acceptance], states: [.inProgress, .completed]))
        #expect(options.videoFrames == .compressed)
        #expect(options.pixelType == .uint8 && options.normalization == nil && options.layout == .hwc)
    }

    @Test("export: a classification export's flags become its ExportOptions")
    func exportClassification() throws {
        let export = try parse(
            [
                "export", "--task", "42", "--task", "43", "--transform", "label", "--resize-shorter", "256",
                "--center-crop", "224x224", "--normalize", "imagenet", "--layout", "nchw", "--filter", "bicubic",
                "--dct-scaling", "fastScales", "--format", "raw", "--out", "val/",
            ], as: Export.self)
        #expect(export.selection.tasks == [42, 43])
        let options = try export.options()
        #expect(options.target == .label)
        #expect(options.resize == .resizeShorter(256, centerCrop: PixelSize(width: 224, height: 224)))
        #expect(options.normalization == .imageNet && options.pixelType == .float32, "--normalize implies float32")
        #expect(options.layout == .chw && options.filter == .bicubic && options.dctScaling == .draft)
        #expect(options.format == .raw && options.slice == nil && options.jobFilter == nil)

        let plain = try parse(["export", "--task", "1", "--resize", "32X16", "--out", "o"], as: Export.self)
        #expect(try plain.options().resize == .resize(width: 32, height: 16), "the x may be upper case")
        let stats = try parse(
            ["export", "--task", "1", "--normalize", "0.5,0.5,0.5/0.25,0.25,0.25", "--dtype", "float32", "--out", "o"],
            as: Export.self)
        #expect(try stats.options().normalization == Normalization(mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25]))
        let semantic = try parse(
            ["export", "--task", "1", "--transform", "semantic", "--background-index", "300", "--out", "seg/"],
            as: Export.self)
        #expect(try semantic.options().backgroundIndex == 300)
    }

    @Test("export: --label-map is read into the options and checked")
    func exportLabelMap() throws {
        let scratch = try ScratchDirectory("cvat-ds-parsing")
        let good = scratch.url.appendingPathComponent("good.json")
        try Data(#"{"cat": 1, "dog": 2}"#.utf8).write(to: good)
        let bad = scratch.url.appendingPathComponent("bad.json")
        try Data(#"{"cat": "one"}"#.utf8).write(to: bad)
        let list = scratch.url.appendingPathComponent("list.json")
        try Data("[1, 2]".utf8).write(to: list)

        let export = try parse(["export", "--task", "1", "--label-map", good.path, "--out", "o"], as: Export.self)
        #expect(try export.options().labelMap == ["cat": 1, "dog": 2])
        expectUsageError(
            ["export", "--task", "1", "--label-map", bad.path, "--out", "o"],
            "--label-map \(bad.path): the index of 'cat' is not an integer")
        expectUsageError(
            ["export", "--task", "1", "--label-map", list.path, "--out", "o"],
            "--label-map \(list.path): not a readable JSON object {\"name\": index}")
        let missing = scratch.url.appendingPathComponent("missing.json").path
        expectUsageError(
            ["export", "--task", "1", "--label-map", missing, "--out", "o"],
            "--label-map \(missing): not a readable JSON object")
        withExtendedLifetime(scratch) {}
    }

    @Test(
        "export: bad flag sets are usage errors that say what is wrong",
        arguments: [
            (["--resize", "0x10"], "--resize takes WIDTHxHEIGHT, e.g. 224x224 (got '0x10')"),
            (["--resize", "224"], "--resize takes WIDTHxHEIGHT, e.g. 224x224 (got '224')"),
            (["--letterbox", "70000x10"], "--letterbox takes WIDTHxHEIGHT, e.g. 224x224 (got '70000x10')"),
            (
                ["--letterbox", "64x64", "--resize", "32x32"],
                "give at most one of --resize, --letterbox and --resize-shorter"
            ),
            (
                ["--resize", "32x32", "--resize-shorter", "64"],
                "give at most one of --resize, --letterbox and --resize-shorter"
            ),
            (["--center-crop", "224x224"], "--center-crop goes with --resize-shorter"),
            (["--resize-shorter", "0"], "--resize-shorter must be positive"),
            (["--resize-shorter", "256", "--center-crop", "0x0"], "--center-crop takes WIDTHxHEIGHT"),
            (["--pad-value", "256"], "--pad-value must be between 0 and 255"),
            (["--jobs", "0"], "--jobs must be at least 1"),
            (["--max-pixels", "0"], "--max-pixels must be positive"),
            (["--shard-size", "0"], "--shard-size must be at least 1"),
            (
                ["--shard", "3/2"],
                "--shard takes I/N with 0 <= I < N, e.g. 0/4 for the first of four slices, or auto (got '3/2')"
            ),
            (["--shard", "0/0"], "--shard takes I/N with 0 <= I < N"),
            (["--shard=-1/2"], "--shard takes I/N with 0 <= I < N"),
            (["--shard", "1"], "--shard takes I/N with 0 <= I < N"),
            (
                ["--normalize", "1,2/3,4,5"],
                "--normalize takes imagenet or M,M,M/S,S,S with positive S (got '1,2/3,4,5')"
            ),
            (["--normalize", "0,0,0/1,0,1"], "--normalize takes imagenet or M,M,M/S,S,S with positive S"),
            (["--background-index", "3"], "--background-index goes with --transform semantic"),
            (
                ["--transform", "semantic", "--background-index", "70000"],
                "--background-index must be between 0 and 65535"
            ),
            (
                ["--transform", "bboxes", "--shape-types", "circle"],
                "--shape-types: 'circle' is not one of rectangle, polygon, polyline, points, ellipse"
            ),
            (
                ["--transform", "masks", "--shape-types", "rectangle"],
                "--shape-types: 'rectangle' is not one of polygon, mask"
            ),
            (
                ["--transform", "keypoints", "--shape-types", "polygon"],
                "--shape-types: 'polygon' is not one of points, skeleton"
            ),
            (["--transform", "boxes"], "The value 'boxes' is invalid for '--transform <KIND>'"),
            (["--format", "hdf5"], "The value 'hdf5' is invalid for '--format"),
            (["--job-stage", "review"], "The value 'review' is invalid for '--job-stage <STAGE>'"),
            (["--job-state", "done"], "The value 'done' is invalid for '--job-state <STATE>'"),
            (["--project", "7", "--task", "1"], "give either --task or --project, not both"),
        ])
    func exportErrors(extra: [String], message: String) {
        expectUsageError(["export", "--task", "1", "--out", "o"] + extra, message)
    }

    @Test("export: --out is required")
    func exportNeedsOut() {
        expectUsageError(["export", "--task", "1"], "Missing expected argument '--out <out>'")
    }

    // MARK: - info

    @Test("info: repeated tasks, --offline and --json")
    func infoFlags() throws {
        let info = try parse(["info", "--task", "1", "--task", "3", "--offline", "--json"], as: Info.self)
        #expect(info.tasks == [1, 3] && info.offline && info.output.json)
        expectUsageError(["info"], "Missing expected argument '--task <ID> ...'")
        expectUsageError(["info", "--task", "1", "--profile", "p", "--auth", "u"], "--profile cannot be combined")
    }

    // MARK: - preview

    @Test("preview: the export folder, the sheet and its layout")
    func previewFlags() throws {
        let preview = try parse(
            [
                "preview", "det/", "--out", "det.png", "--count", "36", "--columns", "6", "--seed", "7", "--max-size",
                "480",
            ], as: Preview.self)
        #expect(preview.exportDirectory == "det/" && preview.out == "det.png")
        #expect(preview.count == 36 && preview.columns == 6 && preview.seed == 7 && preview.maxSize == 480)
        #expect(!preview.first)
        let first = try parse(["preview", "seg/", "--out", "seg.png", "--first"], as: Preview.self)
        #expect(first.first && first.seed == nil && first.count == 16 && first.columns == nil && first.maxSize == 320)
    }

    @Test(
        "preview: bad flag sets are usage errors that say what is wrong",
        arguments: [
            (["--count", "0"], "--count must be at least 1"),
            (["--columns", "0"], "--columns must be at least 1"),
            (["--seed", "1", "--first"], "--seed and --first cannot be used together"),
            (["--max-size", "8"], "--max-size must be between 16 and 4096"),
            (["--max-size", "5000"], "--max-size must be between 16 and 4096"),
        ])
    func previewErrors(extra: [String], message: String) {
        expectUsageError(["preview", "det/", "--out", "det.png"] + extra, message)
    }

    @Test("preview: the export folder and --out are required")
    func previewNeedsFolderAndOut() {
        expectUsageError(["preview", "--out", "x.png"], "Missing expected argument '<EXPORT_DIR>'")
        expectUsageError(["preview", "det/"], "Missing expected argument '--out <out>'")
    }

    // MARK: - merge-manifests

    @Test("merge-manifests: OUT_DIR, then the parts")
    func mergeFlags() throws {
        let merge = try parse(
            ["merge-manifests", "run/", "run/part-0", "run/part-1", "--force", "--json"], as: MergeManifests.self)
        #expect(merge.outDir == "run/" && merge.parts == ["run/part-0", "run/part-1"])
        #expect(merge.force && merge.output.json)
        // At least one part is required by the parser itself, before validate() runs.
        expectUsageError(["merge-manifests", "run/"], "Missing expected argument '<PART_DIR> ...'")
        expectUsageError(["merge-manifests"], "Missing expected argument '<OUT_DIR>'")
    }
}
