import CvatCodecs
package import CvatImage
package import CvatTensors

/// A contact sheet of an export's samples with their targets drawn, to check by eye that boxes, masks and
/// keypoints still sit on the objects after resizing, letterboxing or cropping: the image and where each sample
/// went.
package struct ContactSheet: Sendable {
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

    /// Where one sample's image went on the sheet, in sheet pixels.
    package struct Placement: Sendable, Hashable {
        /// The sample's index in the manifest.
        package var index: Int
        package var x: Int
        package var y: Int
        package var width: Int
        package var height: Int
        /// The width of the box outlines drawn on it.
        package var boxThickness: Int
    }

    package var image: RGBImage
    package var placements: [Placement]
    package var columns: Int

    /// The colour of class index `value` (label index + label offset in the arrays).
    package static func color(classIndex value: Int, labelOffset: Int) -> RGBImage.Color {
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

    /// Lays out `samples` in `requested` columns (a square-ish grid by default) under a title line and a legend,
    /// each image shown at `displaySize(...maxSize:)` with two caption lines; `background` is the semantic map's
    /// value that is left untinted.
    package static func render(
        _ samples: [ExportSample], manifest: Manifest, columns requested: Int?, maxSize: Int, title: String,
        background: Int
    ) throws(PreviewError) -> ContactSheet {
        precondition(!samples.isEmpty, "a sheet shows at least one sample")
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
                Placement(
                    index: sample.index, x: x, y: y, width: cells[k].width, height: cells[k].height,
                    boxThickness: thickness[k]))
            let meta = manifest.samples[sample.index]
            let line1 = "#\(sample.index) task \(meta.taskID) frame \(meta.frame)"
            sheet.drawText(
                BitmapFont.truncated(line1, toWidth: cellWidth), x: x, y: y + cells[k].height + 2, color: captionColor)
            let line2y = y + cells[k].height + 2 + lineHeight
            if let label = sample.label {
                var text =
                    label - offset >= 0 && label - offset < names.count ? names[label - offset] : "class \(label)"
                for attribute in sample.attributes.first ?? [] { text += " " + attribute }
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
        _ sample: ExportSample, manifest: Manifest, maxSize: Int, background: Int
    ) throws(PreviewError) -> (RGBImage, Int) {
        let w = sample.image.width
        let h = sample.image.height
        let (dw, dh) = displaySize(width: w, height: h, maxSize: maxSize)
        var cell: RGBImage
        do {
            cell =
                dw == w && dh == h
                ? sample.image
                : try sample.image.resized(width: dw, height: dh, filter: dw > w ? .nearest : .box)
        } catch {
            throw PreviewError(.internalError, "cannot scale sample \(sample.index): \(error)", underlying: error)
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
                let v = map[mx[x], my[y]]
                return v == background ? nil : color(classIndex: v, labelOffset: offset)
            }
        }
        for (b, mask) in sample.instanceMasks.enumerated() {
            let c = color(classIndex: sample.boxes[b].label, labelOffset: offset)
            cell.blendRegion(left: 0, top: 0, right: dw, bottom: dh, alpha: maskAlpha) { x, y in
                mask[mx[x], my[y]] != 0 ? c : nil
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
            var text =
                box.label - offset >= 0 && box.label - offset < names.count ? names[box.label - offset] : "\(box.label)"
            if box.track >= 0 { text += " #\(box.track)" }
            // What the export knows beyond the class: `car #12 occl colour=red`.
            if sample.occluded.indices.contains(b), sample.occluded[b] { text += " occl" }
            if sample.attributes.indices.contains(b) {
                for attribute in sample.attributes[b] { text += " " + attribute }
            }
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
    static func drawLegend(_ sheet: inout RGBImage, manifest: Manifest, y: Int, samples: [ExportSample]) {
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

    /// The sheet as PNG bytes.
    package func png() throws(PreviewError) -> [UInt8] {
        do {
            return try PNGEncoder.encode(image)
        } catch {
            throw PreviewError(.internalError, "\(error)", underlying: error)
        }
    }
}
