import ArgumentParser
import CvatCodecs
import CvatImage
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
            the label name (and track id) in a tag inside the top-left corner; masks are tinted; keypoints are \
            dots (occluded ones fainter). The legend at the top gives each label's colour.

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

    @Option(help: "Pick the samples at random with this seed (default: a random seed, printed so the sheet can be made again).")
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
            let folder = try ExportFolder.open(exportDirectory)
            let loader = try PreviewLoader(folder)
            guard loader.count > 0 else {
                throw Failure(code: ExitCodes.dataError, message: "\(folder.manifestPath) lists no samples; there is nothing to show")
            }
            let usedSeed = first ? nil : (seed ?? UInt64.random(in: 0...999_999))
            let indices = Self.pick(count: min(count, loader.count), from: loader.count, seed: usedSeed)
            var samples: [PreviewSample] = []
            for i in indices { samples.append(try loader.sample(i)) }
            let title =
                "\((exportDirectory as NSString).standardizingPath.split(separator: "/").last ?? "export"): "
                + "\(samples.count) of \(loader.count) samples" + (usedSeed.map { ", seed \($0)" } ?? ", first")
            let sheet = try ContactSheet.render(
                samples, manifest: folder.manifest, columns: columns, maxSize: maxSize, title: title,
                background: loader.backgroundIndex)
            let bytes: [UInt8]
            do {
                bytes = try PNGEncoder.encode(sheet.image)
            } catch {
                throw Failure(code: ExitCodes.internalError, message: "\(error)")
            }
            do {
                try Data(bytes).write(to: URL(fileURLWithPath: out), options: .atomic)
            } catch {
                let reason = (error as NSError).localizedFailureReason ?? error.localizedDescription
                throw Failure(code: ExitCodes.cannotCreate, message: "cannot write \(out): \(reason)")
            }
            if output.json {
                console.emitJSON(sheet.summary(out: out, seed: usedSeed, total: loader.count, manifest: folder.manifest))
            }
            console.info(
                "wrote \(out): \(sheet.image.width)x\(sheet.image.height), \(title)"
                    + (usedSeed != nil && seed == nil ? " (--seed \(usedSeed!) repeats this pick)" : ""))
        }
    }

    /// `n` distinct indices of `0..<total` in ascending order: the first `n`, or a seeded random pick.
    static func pick(count n: Int, from total: Int, seed: UInt64?) -> [Int] {
        guard let seed else { return Array(0..<n) }
        var generator = SplitMix64(seed: seed)
        var all = Array(0..<total)
        // The first n steps of a Fisher-Yates shuffle, with our own generator so a seed means the same pick on
        // every platform and Swift version.
        for k in 0..<n {
            let j = k + Int(generator.next() % UInt64(total - k))
            all.swapAt(k, j)
        }
        return all.prefix(n).sorted()
    }
}

/// A small, fast, seedable generator (Steele, Lea and Flood's SplitMix64).
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The laid-out sheet: the image and where each sample went.
struct ContactSheet {
    /// Layout, in sheet pixels.
    static let margin = 8
    static let gap = 8
    static let lineHeight = BitmapFont.glyphHeight + 2
    /// Title line and legend line.
    static let headerHeight = 2 * lineHeight + 4
    /// Two caption lines under each image, starting 2 pixels below it.
    static let captionHeight = 2 + 2 * lineHeight
    static let backgroundColor: RGBImage.Color = (40, 40, 40)
    static let captionColor: RGBImage.Color = (220, 220, 220)
    static let maskAlpha: Float = 0.45

    /// Distinct colours by class (Sasha Trubetskoy's list without the greys), cycled for more classes.
    static let palette: [RGBImage.Color] = [
        (230, 25, 75), (60, 180, 75), (255, 225, 25), (0, 130, 200), (245, 130, 48), (145, 30, 180),
        (70, 240, 240), (240, 50, 230), (210, 245, 60), (250, 190, 212), (0, 128, 128), (220, 190, 255),
        (170, 110, 40), (255, 250, 200), (128, 0, 0), (170, 255, 195), (128, 128, 0), (255, 215, 180), (0, 0, 128),
    ]

    struct Placement {
        var index: Int
        var x: Int
        var y: Int
        var width: Int
        var height: Int
        var boxThickness: Int
    }

    var image: RGBImage
    var placements: [Placement]
    var columns: Int

    /// The colour of class index `value` (label index + label offset in the arrays).
    static func color(classIndex value: Int, labelOffset: Int) -> RGBImage.Color {
        let i = value - labelOffset
        let n = palette.count
        return palette[((i % n) + n) % n]
    }

    /// Black or white, whichever reads better on `background`.
    static func textColor(on background: RGBImage.Color) -> RGBImage.Color {
        let luma = 0.299 * Double(background.r) + 0.587 * Double(background.g) + 0.114 * Double(background.b)
        return luma > 140 ? (0, 0, 0) : (255, 255, 255)
    }

    /// The size an image of `width` x `height` is shown at: shrunk so its longest side is `maxSize`, enlarged by a
    /// whole factor when tiny (longest side under 64), else as is.
    static func displaySize(width: Int, height: Int, maxSize: Int) -> (width: Int, height: Int) {
        let longest = max(width, height)
        if longest > maxSize {
            let s = Double(maxSize) / Double(longest)
            return (max(1, Int((Double(width) * s).rounded())), max(1, Int((Double(height) * s).rounded())))
        }
        if longest < 64 {
            let k = min(128 / longest, max(1, maxSize / longest))
            return (width * k, height * k)
        }
        return (width, height)
    }

    static func render(
        _ samples: [PreviewSample], manifest: Manifest, columns requested: Int?, maxSize: Int, title: String,
        background: Int
    ) throws(Failure) -> ContactSheet {
        let n = samples.count
        let columns = min(n, requested ?? Int(Double(n).squareRoot().rounded(.up)))
        let rows = (n + columns - 1) / columns
        var cells: [RGBImage] = []
        var thickness: [Int] = []
        for sample in samples {
            let (cell, t) = try drawSample(sample, manifest: manifest, maxSize: maxSize, background: background)
            cells.append(cell)
            thickness.append(t)
        }
        let cellWidth = cells.map(\.width).max() ?? 1
        let cellHeight = cells.map(\.height).max() ?? 1
        let width = 2 * margin + columns * cellWidth + (columns - 1) * gap
        let height = 2 * margin + headerHeight + rows * (cellHeight + captionHeight) + (rows - 1) * gap
        var sheet = RGBImage(width: width, height: height, fill: backgroundColor)

        sheet.drawText(
            BitmapFont.truncated(title, toWidth: width - 2 * margin), x: margin, y: margin, color: captionColor)
        drawLegend(&sheet, manifest: manifest, y: margin + lineHeight + 2, samples: samples)

        var placements: [Placement] = []
        let names = manifest.labels.names
        let offset = manifest.labels.labelOffset
        for (k, sample) in samples.enumerated() {
            let x = margin + (k % columns) * (cellWidth + gap)
            let y = margin + headerHeight + (k / columns) * (cellHeight + captionHeight + gap)
            sheet.paste(cells[k], x: x, y: y)
            placements.append(
                Placement(index: sample.index, x: x, y: y, width: cells[k].width, height: cells[k].height,
                          boxThickness: thickness[k]))
            let meta = manifest.samples[sample.index]
            let line1 = "#\(sample.index) task \(meta.taskID) frame \(meta.frame)"
            sheet.drawText(
                BitmapFont.truncated(line1, toWidth: cellWidth), x: x, y: y + cells[k].height + 2, color: captionColor)
            let line2y = y + cells[k].height + 2 + lineHeight
            if let label = sample.label {
                let text = label - offset >= 0 && label - offset < names.count ? names[label - offset] : "class \(label)"
                sheet.drawText(
                    BitmapFont.truncated(text, toWidth: cellWidth), x: x, y: line2y,
                    color: color(classIndex: label, labelOffset: offset))
            } else {
                let base = meta.name.split(separator: "/").last.map(String.init) ?? meta.name
                sheet.drawText(BitmapFont.truncated(base, toWidth: cellWidth), x: x, y: line2y, color: captionColor)
            }
        }
        return ContactSheet(image: sheet, placements: placements, columns: columns)
    }

    /// One sample at its display size with masks, boxes, tags and keypoints drawn; and the box outline width.
    static func drawSample(
        _ sample: PreviewSample, manifest: Manifest, maxSize: Int, background: Int
    ) throws(Failure) -> (RGBImage, Int) {
        let w = sample.image.width
        let h = sample.image.height
        let (dw, dh) = displaySize(width: w, height: h, maxSize: maxSize)
        var cell: RGBImage
        do {
            cell = dw == w && dh == h
                ? sample.image
                : try sample.image.resized(width: dw, height: dh, filter: dw > w ? .nearest : .box)
        } catch {
            throw Failure(code: ExitCodes.internalError, message: "cannot scale sample \(sample.index): \(error)")
        }
        let sx = Float(dw) / Float(w)
        let sy = Float(dh) / Float(h)
        let offset = manifest.labels.labelOffset
        let names = manifest.labels.names
        // The mask pixel under display pixel (x, y), nearest.
        let mx = (0..<dw).map { min(w - 1, Int((Float($0) + 0.5) / sx)) }
        let my = (0..<dh).map { min(h - 1, Int((Float($0) + 0.5) / sy)) }

        if let map = sample.semantic {
            cell.blendRegion(left: 0, top: 0, right: dw, bottom: dh, alpha: maskAlpha) { x, y in
                let v = map[my[y] * w + mx[x]]
                return v == background ? nil : color(classIndex: v, labelOffset: offset)
            }
        }
        for (b, mask) in sample.instanceMasks.enumerated() {
            let c = color(classIndex: sample.boxes[b].label, labelOffset: offset)
            cell.blendRegion(left: 0, top: 0, right: dw, bottom: dh, alpha: maskAlpha) { x, y in
                mask[my[y] * w + mx[x]] != 0 ? c : nil
            }
        }

        let thickness = max(dw, dh) >= 400 ? 2 : 1
        let rects = sample.boxes.map { box in
            boxPixels(box.x0 * sx, box.y0 * sy, box.x1 * sx, box.y1 * sy, width: dw, height: dh)
        }
        // Tags first, outlines over them, so no tag hides another box's edge.
        for (b, box) in sample.boxes.enumerated() {
            guard let r = rects[b] else { continue }
            let c = color(classIndex: box.label, labelOffset: offset)
            var text = box.label - offset >= 0 && box.label - offset < names.count ? names[box.label - offset] : "\(box.label)"
            if box.track >= 0 { text += " #\(box.track)" }
            let maxWidth = max(dw - r.left - thickness - 2, 6)
            text = BitmapFont.truncated(text, toWidth: maxWidth)
            // Inside the top-left corner when the box has room for it (as torchvision's draw_bounding_boxes);
            // a small box would disappear under its tag, so that one goes above (or below) the box.
            let tagWidth = BitmapFont.width(of: text) + 2
            let tagHeight = BitmapFont.glyphHeight + 2
            var tagY = r.top + thickness
            if r.right - r.left < tagWidth + 2 * thickness || r.bottom - r.top < 2 * tagHeight + 2 * thickness {
                if r.top - tagHeight >= 0 {
                    tagY = r.top - tagHeight
                } else if r.bottom + tagHeight <= dh {
                    tagY = r.bottom
                }
            }
            cell.drawLabel(text, x: r.left + thickness, y: tagY, textColor: textColor(on: c), background: c)
        }
        for (b, box) in sample.boxes.enumerated() {
            guard let r = rects[b] else { continue }
            cell.strokeRectangle(
                left: r.left, top: r.top, right: r.right, bottom: r.bottom,
                color: color(classIndex: box.label, labelOffset: offset), thickness: thickness)
        }

        let radius = max(2, Float(min(dw, dh)) / 80)
        for (b, points) in sample.keypoints.enumerated() {
            let c = color(classIndex: sample.boxes[b].label, labelOffset: offset)
            for p in points where p.v > 0 && p.x.isFinite && p.y.isFinite {
                let x = p.x * sx
                let y = p.y * sy
                let visible = p.v >= 2
                cell.fillCircle(centerX: x, centerY: y, radius: radius + 1, color: (0, 0, 0), alpha: visible ? 1 : 0.5)
                cell.fillCircle(centerX: x, centerY: y, radius: radius, color: c, alpha: visible ? 1 : 0.5)
            }
        }
        return (cell, thickness)
    }

    /// The pixels a box covers on a `width` x `height` image: `[left, right) x [top, bottom)` with every pixel the
    /// box touches (floor of the minimum, ceiling of the maximum), clipped to the image; nil when nothing is left.
    static func boxPixels(
        _ x0: Float, _ y0: Float, _ x1: Float, _ y1: Float, width: Int, height: Int
    ) -> (left: Int, top: Int, right: Int, bottom: Int)? {
        guard x0.isFinite, y0.isFinite, x1.isFinite, y1.isFinite else { return nil }
        let left = max(0, Int(min(x0, x1).rounded(.down)))
        let top = max(0, Int(min(y0, y1).rounded(.down)))
        var right = min(width, Int(max(x0, x1).rounded(.up)))
        var bottom = min(height, Int(max(y0, y1).rounded(.up)))
        if right <= left && left < width { right = left + 1 }
        if bottom <= top && top < height { bottom = top + 1 }
        guard right > left, bottom > top else { return nil }
        return (left, top, right, bottom)
    }

    /// Swatch and name of each label that appears on the sheet (all labels if the sheet has no targets drawn).
    static func drawLegend(_ sheet: inout RGBImage, manifest: Manifest, y: Int, samples: [PreviewSample]) {
        let offset = manifest.labels.labelOffset
        let names = manifest.labels.names
        var shown = Set<Int>()
        for s in samples {
            if let l = s.label { shown.insert(l - offset) }
            for b in s.boxes { shown.insert(b.label - offset) }
        }
        let indices = shown.isEmpty ? Array(names.indices) : shown.filter { names.indices.contains($0) }.sorted()
        var x = margin
        for i in indices {
            let name = names[i]
            let needed = 10 + BitmapFont.width(of: name) + 8
            guard x + needed <= sheet.width - margin else { break }
            sheet.fillRectangle(
                left: x, top: y, right: x + 8, bottom: y + 8, color: color(classIndex: i + offset, labelOffset: offset))
            sheet.drawText(name, x: x + 10, y: y, color: captionColor)
            x += needed
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
    }

    func summary(out: String, seed: UInt64?, total: Int, manifest: Manifest) -> Summary {
        var colors: [String: [Int]] = [:]
        for (i, name) in manifest.labels.names.enumerated() {
            let c = Self.color(classIndex: i + manifest.labels.labelOffset, labelOffset: manifest.labels.labelOffset)
            colors[name] = [Int(c.r), Int(c.g), Int(c.b)]
        }
        return Summary(
            out: out, width: image.width, height: image.height, columns: columns, seed: seed, total: total,
            samples: placements.map {
                let m = manifest.samples[$0.index]
                return Summary.Cell(
                    index: $0.index, taskID: m.taskID, frame: m.frame, x: $0.x, y: $0.y, width: $0.width,
                    height: $0.height, boxThickness: $0.boxThickness)
            },
            colors: colors)
    }
}
