import CvatImage
package import CvatTensors
import Foundation

/// An export folder opened for reading: its manifest, decoded with the same `Manifest` types the exporter writes,
/// and its samples read the way the manifest's `arrays` and `transform` describe them.
///
/// Opening checks every array against the manifest and against each other (sample counts, offsets, dtypes), so
/// that reading a sample afterwards only fails when a file changes underneath. The arrays are memory-mapped and
/// a sample reads only its own rows: a preview of 16 images out of a 100 GB `images.npy` touches a few megabytes.
package struct ExportReader {
    package let path: String
    package let manifest: Manifest
    /// How many samples the manifest lists.
    package let count: Int

    private let images: NPYReader
    private let channelsFirst: Bool
    /// Ragged images: element offsets and shapes per sample.
    private let imageOffsets: [Int]?
    private let imageShapes: [[Int]]?
    /// float32 images: per channel, value * scale + shift gives 0...255.
    private let denormalize: [(scale: Float, shift: Float)]
    private let labels: [Int]?
    private let boxes: NPYReader?
    private let boxLabels: [Int]
    private let boxOffsets: [Int]?
    private let boxTrackIDs: [Int]?
    private let boxOccluded: [Int]?
    /// `box_attributes` (one row per box) or `tag_attributes` (one row per sample), with the manifest's columns.
    private let attributeValues: NPYReader?
    private let attributeColumns: [Manifest.AttributeColumn]
    private let masks: NPYReader?
    private let maskOffsets: [Int]?
    private let semantic: Bool
    private let keypoints: NPYReader?

    package var manifestPath: String { Self.manifestPath(in: path) }

    /// The semantic map's background value (pixels no shape covers), from the manifest (255 by default).
    package var backgroundIndex: Int { manifest.transform.backgroundIndex ?? 255 }

    /// Opens the export `path` wrote by `cvat-ds export --out`; a missing folder, manifest or array is
    /// `.missing`, one that cannot be read as the manifest says is `.malformed`.
    package init(path: String) throws(PreviewError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw PreviewError(.missing, "no export folder at \(path)")
        }
        guard isDirectory.boolValue else {
            throw PreviewError(
                .unsupported, "\(path) is a file", advice: "give the folder cvat-ds export wrote (--out)")
        }
        let manifestPath = Self.manifestPath(in: path)
        guard FileManager.default.fileExists(atPath: manifestPath) else {
            throw PreviewError(
                .missing,
                "\(manifestPath) does not exist: \(path) is not a cvat-ds export folder (or the export did not finish)")
        }
        let manifest: Manifest
        do {
            manifest = try Manifest.read(from: URL(fileURLWithPath: manifestPath))
        } catch {
            throw PreviewError(.malformed, "\(error)", underlying: error)
        }
        try self.init(path: path, manifest: manifest)
    }

    /// Reads the export in `path` that `manifest` describes (its `manifest.json`, already decoded).
    package init(path: String, manifest: Manifest) throws(PreviewError) {
        self.path = path
        self.manifest = manifest
        let files = Files(path: path, manifest: manifest)
        count = manifest.samples.count
        let transform = manifest.transform
        guard transform.format != "webdataset" else {
            throw PreviewError(
                .unsupported, "\(path) is a webdataset export (tar shards); preview reads the array formats only",
                advice: "export a sample with --format npy to preview it, or read the tars with cvat_ds.open")
        }

        images = try files.required("images", because: "every export has")
        guard transform.layout == "nhwc" || transform.layout == "nchw" else {
            throw PreviewError(.malformed, "\(files.manifestPath): unknown transform.layout '\(transform.layout)'")
        }
        channelsFirst = transform.layout == "nchw"
        if images.shape.count == 1 {
            let offsetsReader = try files.required("image_offsets", because: "a ragged (1-D) images array needs")
            let shapesReader = try files.required("image_shapes", because: "a ragged (1-D) images array needs")
            let offsets = try files.wholeInts(offsetsReader, count: count + 1)
            try files.checkOffsets(offsets, offsetsReader, total: images.elementCount)
            guard shapesReader.shape == [count, 3] else {
                throw files.malformed(shapesReader, "shape \(shapesReader.shape), expected (\(count), 3)")
            }
            let flat = try files.read { () throws(TensorReadError) in
                try shapesReader.ints(0..<shapesReader.elementCount)
            }
            var shapes: [[Int]] = []
            for i in 0..<count {
                let s = Array(flat[(3 * i)..<(3 * i + 3)])
                let channels = channelsFirst ? s[0] : s[2]
                // A damaged image_shapes.npy may hold sizes whose product overflows: malformed, not a trap.
                let (plane, overflowed) = s[0].multipliedReportingOverflow(by: s[1])
                let (elements, overflowedAgain) = plane.multipliedReportingOverflow(by: s[2])
                guard channels == 3, s.allSatisfy({ $0 > 0 }), !overflowed, !overflowedAgain,
                    elements == offsets[i + 1] - offsets[i]
                else {
                    throw files.malformed(
                        shapesReader,
                        "image \(i) has shape \(s), which does not match its \(offsets[i + 1] - offsets[i]) elements")
                }
                shapes.append(s)
            }
            imageOffsets = offsets
            imageShapes = shapes
        } else {
            let s = images.shape
            let channels = s.count == 4 ? (channelsFirst ? s[1] : s[3]) : 0
            guard s.count == 4, s[0] == count, channels == 3, s[1] > 0, s[2] > 0, s[3] > 0 else {
                let expected = channelsFirst ? "(\(count), 3, H, W)" : "(\(count), H, W, 3)"
                throw files.malformed(
                    images, "shape \(s), expected \(expected) for the \(count) samples in manifest.json")
            }
            imageOffsets = nil
            imageShapes = nil
        }
        switch images.dtype {
        case .uint8:
            denormalize = Array(repeating: (1, 0), count: 3)
        case .float32:
            // Export: x / 255, then (x - mean) / std per channel. Back: (v * std + mean) * 255.
            var mean: [Float] = [0, 0, 0]
            var std: [Float] = [1, 1, 1]
            if let normalize = transform.normalize {
                guard normalize.mean.count == 3, normalize.std.count == 3 else {
                    throw PreviewError(
                        .malformed, "\(files.manifestPath): transform.normalize needs three mean and three std values")
                }
                mean = normalize.mean.map { Float($0) }
                std = normalize.std.map { Float($0) }
            }
            denormalize = (0..<3).map { (std[$0] * 255, mean[$0] * 255) }
        case .uint16, .int32, .int64:
            throw files.malformed(images, "images are \(images.dtype.rawValue); uint8 or float32 expected")
        }

        if let reader = try files.array("labels") {
            labels = try files.wholeInts(reader, count: count)
        } else {
            labels = nil
        }

        boxes = try files.array("boxes")
        if let boxes {
            guard boxes.shape.count == 2, boxes.shape[1] == 4, boxes.dtype == .float32 else {
                throw files.malformed(boxes, "shape \(boxes.shape) \(boxes.dtype.rawValue), expected float32 (M, 4)")
            }
            let m = boxes.shape[0]
            let offsetsReader = try files.required(
                "box_offsets", because: "boxes.npy needs to say which sample owns a box")
            let offsets = try files.wholeInts(offsetsReader, count: count + 1)
            try files.checkOffsets(offsets, offsetsReader, total: m)
            boxOffsets = offsets
            boxLabels = try files.wholeInts(try files.required("box_labels", because: "boxes.npy needs"), count: m)
            boxTrackIDs = try files.array("box_track_ids").map { (r) throws(PreviewError) in
                try files.wholeInts(r, count: m)
            }
            boxOccluded = try files.array("box_occluded").map { (r) throws(PreviewError) in
                try files.wholeInts(r, count: m)
            }
        } else {
            boxOffsets = nil
            boxLabels = []
            boxTrackIDs = nil
            boxOccluded = nil
        }

        attributeColumns = manifest.labels.attributeColumns ?? []
        let attributeRows = boxes == nil ? count : boxLabels.count
        attributeValues = try files.array(boxes == nil ? "tag_attributes" : "box_attributes")
        if let attributeValues {
            guard attributeValues.shape == [attributeRows, attributeColumns.count], attributeValues.dtype == .float32
            else {
                throw files.malformed(
                    attributeValues,
                    "shape \(attributeValues.shape) \(attributeValues.dtype.rawValue), expected float32 "
                        + "(\(attributeRows), \(attributeColumns.count)): one row per "
                        + "\(boxes == nil ? "sample" : "box"), "
                        + "one column per labels.attribute_columns entry")
            }
        }

        semantic = transform.target == "semantic"
        masks = try files.array("masks")
        if let masks {
            guard masks.dtype == .uint8 || masks.dtype == .uint16 else {
                throw files.malformed(masks, "masks are \(masks.dtype.rawValue); uint8 or uint16 expected")
            }
            let rows = semantic ? count : boxLabels.count
            if !semantic && boxes == nil {
                throw PreviewError(
                    .malformed,
                    "\(files.manifestPath): instance masks need boxes.npy and box_offsets.npy (or transform.target 'semantic')"
                )
            }
            if masks.shape.count == 1 {
                let r = try files.required("mask_offsets", because: "a ragged (1-D) masks array needs")
                let offsets = try files.wholeInts(r, count: rows + 1)
                try files.checkOffsets(offsets, r, total: masks.elementCount)
                maskOffsets = offsets
            } else {
                guard masks.shape.count == 3, masks.shape[0] == rows else {
                    throw files.malformed(
                        masks,
                        "shape \(masks.shape), expected (\(rows), H, W): one mask per \(semantic ? "sample" : "box")")
                }
                maskOffsets = nil
            }
        } else {
            maskOffsets = nil
        }

        keypoints = try files.array("keypoints")
        if let keypoints {
            guard keypoints.shape.count == 3, keypoints.shape[2] == 3, keypoints.shape[0] == boxLabels.count,
                keypoints.dtype == .float32, boxes != nil
            else {
                throw files.malformed(
                    keypoints,
                    "shape \(keypoints.shape) \(keypoints.dtype.rawValue), expected float32 (\(boxLabels.count), K, 3), "
                        + "one row per box")
            }
        }
    }

    /// Sample `i`'s pixels and targets; reads only that sample's rows.
    package func sample(_ i: Int) throws(PreviewError) -> ExportSample {
        precondition((0..<count).contains(i), "sample \(i) of \(count)")
        let files = Files(path: path, manifest: manifest)
        let (h, w, range): (Int, Int, Range<Int>)
        if let imageOffsets, let imageShapes {
            let s = imageShapes[i]
            (h, w) = channelsFirst ? (s[1], s[2]) : (s[0], s[1])
            range = imageOffsets[i]..<imageOffsets[i + 1]
        } else {
            let s = images.shape
            (h, w) = channelsFirst ? (s[2], s[3]) : (s[1], s[2])
            range = images.rowRange(i..<(i + 1))
        }
        let plane = w * h
        let reader = images
        let chw = channelsFirst
        let image: RGBImage
        switch images.dtype {
        case .uint8:
            let bytes = try files.read { () throws(TensorReadError) in try reader.uint8(range) }
            image = RGBImage(width: w, height: h) { out in
                if chw {
                    for p in 0..<plane {
                        out[3 * p] = bytes[p]
                        out[3 * p + 1] = bytes[plane + p]
                        out[3 * p + 2] = bytes[2 * plane + p]
                    }
                } else {
                    for k in 0..<(3 * plane) { out[k] = bytes[k] }
                }
            }
        default:
            let values = try files.read { () throws(TensorReadError) in try reader.float32(range) }
            let d = denormalize
            image = RGBImage(width: w, height: h) { out in
                for p in 0..<plane {
                    for c in 0..<3 {
                        let v = chw ? values[c * plane + p] : values[3 * p + c]
                        let x = (v * d[c].scale + d[c].shift).rounded()
                        out[3 * p + c] = x.isNaN ? 0 : UInt8(max(0, min(255, x)))
                    }
                }
            }
        }

        var sample = ExportSample(index: i, image: image, label: labels?[i])
        if boxes == nil, attributeValues != nil {
            sample.attributes = try attributeTexts(i..<(i + 1), files: files)
        }
        if let boxes, let boxOffsets {
            let rows = boxOffsets[i]..<boxOffsets[i + 1]
            if let boxOccluded { sample.occluded = rows.map { boxOccluded[$0] != 0 } }
            if attributeValues != nil { sample.attributes = try attributeTexts(rows, files: files) }
            let values = try files.read { () throws(TensorReadError) in try boxes.float32(boxes.rowRange(rows)) }
            for (k, row) in rows.enumerated() {
                sample.boxes.append(
                    (
                        values[4 * k], values[4 * k + 1], values[4 * k + 2], values[4 * k + 3], boxLabels[row],
                        boxTrackIDs?[row] ?? -1
                    ))
            }
            if let keypoints {
                let kp = try files.read { () throws(TensorReadError) in
                    try keypoints.float32(keypoints.rowRange(rows))
                }
                let k = keypoints.shape[1]
                for b in 0..<rows.count {
                    sample.keypoints.append(
                        (0..<k).map { j in (kp[(b * k + j) * 3], kp[(b * k + j) * 3 + 1], kp[(b * k + j) * 3 + 2]) })
                }
            }
            if let masks, !semantic {
                for row in rows {
                    sample.instanceMasks.append(try mask(masks, row: row, width: w, height: h, files: files))
                }
            }
        }
        if let masks, semantic {
            sample.semantic = try mask(masks, row: i, width: w, height: h, files: files)
        }
        return sample
    }

    /// Each row's attributes as `name=value`, NaN (not the row's label, or no value) left out.
    private func attributeTexts(_ rows: Range<Int>, files: Files) throws(PreviewError) -> [[String]] {
        guard let reader = attributeValues else { return [] }
        let values = try files.read { () throws(TensorReadError) in try reader.float32(reader.rowRange(rows)) }
        let width = attributeColumns.count
        return (0..<rows.count).map { k in
            attributeColumns.indices.compactMap { c in
                let v = values[k * width + c]
                guard !v.isNaN else { return nil }
                return "\(attributeColumns[c].attribute)=\(Self.attributeText(v, column: attributeColumns[c]))"
            }
        }
    }

    /// The value a number in the attribute array stands for (see docs/output-format.md, "Attributes").
    static func attributeText(_ value: Float, column: Manifest.AttributeColumn) -> String {
        let index = Int(value)
        switch column.inputType {
        case "select", "radio":
            return column.values.indices.contains(index) ? column.values[index] : "\(index)"
        case "checkbox":
            return value == 0 ? "false" : "true"
        case "text":
            let strings = column.strings ?? []
            return strings.indices.contains(index) ? strings[index] : "\(index)"
        default:
            return value == value.rounded() && abs(value) < 1e9 ? "\(Int(value))" : "\(value)"
        }
    }

    private func mask(
        _ masks: NPYReader, row: Int, width: Int, height: Int, files: Files
    ) throws(PreviewError) -> SampleMask {
        let range: Range<Int>
        if let maskOffsets {
            range = maskOffsets[row]..<maskOffsets[row + 1]
        } else {
            range = masks.rowRange(row..<(row + 1))
        }
        guard range.count == width * height else {
            throw files.malformed(masks, "mask \(row) has \(range.count) values, but its image is \(width)x\(height)")
        }
        let values = try files.read { () throws(TensorReadError) in
            // The dtype was checked on opening: uint8 or uint16.
            masks.dtype == .uint16 ? try masks.uint16(range) : try masks.uint8(range).map { UInt16($0) }
        }
        return SampleMask(width: width, height: height, values: values)
    }

    private static func manifestPath(in folder: String) -> String {
        (folder as NSString).appendingPathComponent("manifest.json")
    }

    /// The folder's arrays, opened and checked on demand, with errors that name the file.
    private struct Files {
        let path: String
        let manifest: Manifest
        var manifestPath: String { ExportReader.manifestPath(in: path) }

        /// The array `name`, or nil when the manifest does not list it.
        func array(_ name: String) throws(PreviewError) -> NPYReader? {
            guard let entry = manifest.arrays[name] else { return nil }
            if manifest.shards != nil {
                // A sharded manifest's `arrays` has no files; the shards hold them.
                throw PreviewError(
                    .unsupported,
                    "\(path) is a sharded export (--shard-size or merge-manifests); preview reads unsharded exports only",
                    advice: "preview an unsharded part, or export a sample without --shard-size")
            }
            guard !entry.file.contains("/"), !entry.file.isEmpty else {
                throw PreviewError(.malformed, "\(manifestPath): array '\(name)' has a bad file name '\(entry.file)'")
            }
            do {
                return try NPYReader(entry: entry, directory: path)
            } catch {
                switch error.kind {
                case .missing:
                    throw PreviewError(
                        .missing, "\(error.path) does not exist, but manifest.json lists it: the export is incomplete",
                        underlying: error)
                case .malformed: throw PreviewError(.malformed, "\(error)", underlying: error)
                case .io: throw PreviewError(.io, "\(error)", underlying: error)
                }
            }
        }

        /// The array `name`, which must be listed.
        func required(_ name: String, because reason: String) throws(PreviewError) -> NPYReader {
            guard let reader = try array(name) else {
                throw PreviewError(.malformed, "\(manifestPath) lists no '\(name)' array, which \(reason)")
            }
            return reader
        }

        func malformed(_ reader: NPYReader, _ what: String) -> PreviewError {
            PreviewError(.malformed, "\(reader.path): \(what)")
        }

        /// A 1-D integer array read whole (offsets, labels: small next to the images).
        func wholeInts(_ reader: NPYReader, count: Int? = nil) throws(PreviewError) -> [Int] {
            guard reader.shape.count == 1, count == nil || reader.shape[0] == count! else {
                throw malformed(reader, "shape \(reader.shape), expected (\(count.map(String.init) ?? "M"),)")
            }
            return try read { () throws(TensorReadError) in try reader.ints(0..<reader.elementCount) }
        }

        /// `body`'s result; a file that no longer reads as it did on opening is malformed.
        func read<T>(_ body: () throws(TensorReadError) -> T) throws(PreviewError) -> T {
            do { return try body() } catch { throw PreviewError(.malformed, "\(error)", underlying: error) }
        }

        /// Checks that `offsets` (N + 1 entries) start at 0, never decrease and end at `total`.
        func checkOffsets(_ offsets: [Int], _ reader: NPYReader, total: Int) throws(PreviewError) {
            guard offsets.first == 0, offsets.last == total, zip(offsets, offsets.dropFirst()).allSatisfy({ $0 <= $1 })
            else {
                throw malformed(reader, "offsets must rise from 0 to \(total) (the rows they index)")
            }
        }
    }
}
