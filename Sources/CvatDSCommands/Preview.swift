import ArgumentParser
import CvatErrors
import CvatPreview
import CvatTensors
import Foundation

/// `cvat-ds preview`: a contact sheet of an export's samples with their targets drawn, to check by eye that boxes,
/// masks and keypoints still sit on the objects after resizing, letterboxing or cropping.
struct Preview: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw a contact sheet (PNG) of an export's samples with their boxes, masks, keypoints and labels.",
        discussion: """
            Reads only the arrays and the rows it shows (images.npy is memory-mapped). float32 images are turned \
            back into colours with the manifest's normalisation. Boxes are outlined in their label's colour with \
            the label name (track id, "occl" for an occluded box, the --attributes values) in a tag inside the \
            top-left corner; masks are tinted; keypoints are dots (occluded ones fainter). The legend at the top \
            gives each label's colour.

            Examples:
              cvat-ds preview det/ --out det.png
              cvat-ds preview det/ --out det.png --count 36 --columns 6 --seed 7
              cvat-ds preview seg/ --out seg.png --first --max-size 480

            \(ExitCodes.helpText)
            """)

    @OptionGroup var output: OutputOptions

    @Argument(help: ArgumentHelp("The folder `cvat-ds export --out` wrote.", valueName: "EXPORT_DIR"))
    var exportDirectory: String

    @Option(help: "The PNG file to write (replaced if it exists).")
    var out: String

    @Option(help: "How many samples to show (all of them if the export has fewer).")
    var count = 16

    @Option(help: "Samples per row (default: a square-ish grid).")
    var columns: Int?

    @Option(
        help:
            "Pick the samples at random with this seed (default: a random seed, printed so the sheet can be made again)."
    )
    var seed: UInt64?

    @Flag(help: "Show the first samples instead of a random pick.")
    var first = false

    @Option(
        name: .customLong("max-size"),
        help: "The longest side, in pixels, of an image on the sheet; larger images are shrunk to it (16-4096).")
    var maxSize = 320

    func validate() throws {
        if count < 1 { throw ValidationError("--count must be at least 1") }
        if let columns, columns < 1 { throw ValidationError("--columns must be at least 1") }
        if seed != nil && first { throw ValidationError("--seed and --first cannot be used together") }
        if !(16...4096).contains(maxSize) { throw ValidationError("--max-size must be between 16 and 4096") }
    }

    func run() async throws {
        let console = output.makeConsole()
        try await runReportingErrors(console) {
            let reader = try ExportReader(path: exportDirectory)
            guard reader.count > 0 else {
                throw Failure(
                    code: ExitCodes.dataError,
                    message: "\(reader.manifestPath) lists no samples; there is nothing to show")
            }
            let usedSeed = first ? nil : (seed ?? UInt64.random(in: 0...999_999))
            let indices = SamplePick.indices(count: min(count, reader.count), of: reader.count, seed: usedSeed)
            let title =
                "\((exportDirectory as NSString).standardizingPath.split(separator: "/").last ?? "export"): "
                + "\(indices.count) of \(reader.count) samples" + (usedSeed.map { ", seed \($0)" } ?? ", first")
            let samples = try indices.map { i in try reader.sample(i) }
            let sheet = try ContactSheet.render(
                samples, manifest: reader.manifest, columns: columns, maxSize: maxSize, title: title,
                background: reader.backgroundIndex)
            let bytes = try sheet.png()
            do {
                try Data(bytes).write(to: URL(fileURLWithPath: out), options: .atomic)
            } catch {
                let reason = (error as NSError).localizedFailureReason ?? error.localizedDescription
                throw Failure(code: ExitCodes.cannotCreate, message: "cannot write \(out): \(reason)")
            }
            if output.json {
                console.emitJSON(
                    Summary(sheet, out: out, seed: usedSeed, total: reader.count, manifest: reader.manifest))
            }
            console.info(
                "wrote \(out): \(sheet.image.width)x\(sheet.image.height), \(title)"
                    + (usedSeed != nil && seed == nil ? " (--seed \(usedSeed!) repeats this pick)" : ""))
        }
    }

    /// The `--json` result.
    struct Summary: Encodable {
        struct Cell: Encodable {
            var index: Int
            var taskID: Int
            var frame: Int
            var x: Int
            var y: Int
            var width: Int
            var height: Int
            var boxThickness: Int
            enum CodingKeys: String, CodingKey {
                case index, frame, x, y, width, height
                case taskID = "task_id"
                case boxThickness = "box_thickness"
            }
        }
        var out: String
        var width: Int
        var height: Int
        var columns: Int
        var seed: UInt64?
        var total: Int
        var samples: [Cell]
        /// Label name → [r, g, b].
        var colors: [String: [Int]]

        init(_ sheet: ContactSheet, out: String, seed: UInt64?, total: Int, manifest: Manifest) {
            let offset = manifest.labels.labelOffset
            var colors: [String: [Int]] = [:]
            for (i, name) in manifest.labels.names.enumerated() {
                let c = ContactSheet.color(classIndex: i + offset, labelOffset: offset)
                colors[name] = [Int(c.r), Int(c.g), Int(c.b)]
            }
            self.out = out
            width = sheet.image.width
            height = sheet.image.height
            columns = sheet.columns
            self.seed = seed
            self.total = total
            samples = sheet.placements.map {
                let m = manifest.samples[$0.index]
                return Cell(
                    index: $0.index, taskID: m.taskID, frame: m.frame, x: $0.x, y: $0.y, width: $0.width,
                    height: $0.height, boxThickness: $0.boxThickness)
            }
            self.colors = colors
        }
    }
}
