import CvatImage
import CvatTensors
import Foundation

/// An export folder opened for reading: its manifest, and its arrays opened (memory-mapped) on demand.
struct ExportFolder {
    let path: String
    let manifest: Manifest

    /// Opens `path/manifest.json`; a missing folder or manifest is "not found", an unreadable one a data error.
    static func open(_ path: String) throws(Failure) -> ExportFolder {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw Failure(code: ExitCodes.notFound, message: "no export folder at \(path)")
        }
        guard isDirectory.boolValue else {
            throw Failure(code: ExitCodes.usage, message: "\(path) is a file; give the folder cvat-ds export wrote (--out)")
        }
        let manifestPath = (path as NSString).appendingPathComponent("manifest.json")
        guard FileManager.default.fileExists(atPath: manifestPath) else {
            throw Failure(
                code: ExitCodes.notFound,
                message: "\(manifestPath) does not exist: \(path) is not a cvat-ds export folder (or the export did not finish)")
        }
        do {
            let manifest = try Manifest.read(from: URL(fileURLWithPath: manifestPath))
            return ExportFolder(path: path, manifest: manifest)
        } catch {
            throw Failure(code: ExitCodes.dataError, message: "\(error)")
        }
    }

    var manifestPath: String { (path as NSString).appendingPathComponent("manifest.json") }

    /// The array `name`, or nil when the manifest does not list it.
    func array(_ name: String) throws(Failure) -> NPYReader? {
        guard let entry = manifest.arrays[name] else { return nil }
        if manifest.shards != nil {
            // A sharded manifest's `arrays` has no files; the shards hold them.
            throw Failure(
                code: ExitCodes.usage,
                message: "\(path) is a sharded export (--shard-size or merge-manifests); preview reads unsharded "
                    + "exports only: preview an unsharded part, or export a sample without --shard-size")
        }
        guard !entry.file.contains("/"), !entry.file.isEmpty else {
            throw Failure(code: ExitCodes.dataError, message: "\(manifestPath): array '\(name)' has a bad file name '\(entry.file)'")
        }
        do {
            return try NPYReader(entry: entry, directory: path)
        } catch {
            switch error.kind {
            case .missing:
                throw Failure(
                    code: ExitCodes.notFound,
                    message: "\(error.path) does not exist, but manifest.json lists it: the export is incomplete")
            case .malformed: throw Failure(code: ExitCodes.dataError, message: "\(error)")
            case .io: throw Failure(code: ExitCodes.io, message: "\(error)")
            }
        }
    }

    /// The array `name`, which must be listed.
    func required(_ name: String, because reason: String) throws(Failure) -> NPYReader {
        guard let reader = try array(name) else {
            throw Failure(code: ExitCodes.dataError, message: "\(manifestPath) lists no '\(name)' array, which \(reason)")
        }
        return reader
    }

    func malformed(_ reader: NPYReader, _ what: String) -> Failure {
        Failure(code: ExitCodes.dataError, message: "\(reader.path): \(what)")
    }

    /// A 1-D integer array read whole (offsets, labels: small next to the images).
    func wholeInts(_ reader: NPYReader, count: Int? = nil) throws(Failure) -> [Int] {
        guard reader.shape.count == 1, count == nil || reader.shape[0] == count! else {
            throw malformed(reader, "shape \(reader.shape), expected (\(count.map(String.init) ?? "M"),)")
        }
        return try read { () throws(TensorReadError) in try reader.ints(0..<reader.elementCount) }
    }

    func read<T>(_ body: () throws(TensorReadError) -> T) throws(Failure) -> T {
        do { return try body() } catch { throw Failure(code: ExitCodes.dataError, message: "\(error)") }
    }

    /// Checks that `offsets` (N + 1 entries) start at 0, never decrease and end at `total`.
    func checkOffsets(_ offsets: [Int], _ reader: NPYReader, total: Int) throws(Failure) {
        guard offsets.first == 0, offsets.last == total, zip(offsets, offsets.dropFirst()).allSatisfy({ $0 <= $1 })
        else {
            throw malformed(reader, "offsets must rise from 0 to \(total) (the rows they index)")
        }
    }
}

/// What one sample shows: its pixels and targets, in output-image pixels.
struct PreviewSample {
    var index: Int
    var image: RGBImage
    var label: Int?
    var boxes: [(x0: Float, y0: Float, x1: Float, y1: Float, label: Int, track: Int)] = []
    /// Per box (instance masks): the mask, `image.width * image.height` values, non-zero inside.
    var instanceMasks: [[Int]] = []
    /// Semantic map: a class index per pixel.
    var semantic: [Int]?
    /// Per box: K keypoints (x, y, visibility).
    var keypoints: [[(x: Float, y: Float, v: Float)]] = []
}

/// Reads the samples of an export the way the arrays and the manifest's `arrays` and `transform` describe them.
struct PreviewLoader {
    let folder: ExportFolder
    let count: Int
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
    private let masks: NPYReader?
    private let maskOffsets: [Int]?
    private let semantic: Bool
    private let keypoints: NPYReader?

    init(_ folder: ExportFolder) throws(Failure) {
        self.folder = folder
        let manifest = folder.manifest
        count = manifest.samples.count
        let transform = manifest.transform

        images = try folder.required("images", because: "every export has")
        guard transform.layout == "nhwc" || transform.layout == "nchw" else {
            throw Failure(
                code: ExitCodes.dataError, message: "\(folder.manifestPath): unknown transform.layout '\(transform.layout)'")
        }
        channelsFirst = transform.layout == "nchw"
        if images.shape.count == 1 {
            let offsetsReader = try folder.required("image_offsets", because: "a ragged (1-D) images array needs")
            let shapesReader = try folder.required("image_shapes", because: "a ragged (1-D) images array needs")
            let offsets = try folder.wholeInts(offsetsReader, count: count + 1)
            try folder.checkOffsets(offsets, offsetsReader, total: images.elementCount)
            guard shapesReader.shape == [count, 3] else {
                throw folder.malformed(shapesReader, "shape \(shapesReader.shape), expected (\(count), 3)")
            }
            let flat = try folder.read { () throws(TensorReadError) in try shapesReader.ints(0..<shapesReader.elementCount) }
            var shapes: [[Int]] = []
            for i in 0..<count {
                let s = Array(flat[(3 * i)..<(3 * i + 3)])
                let channels = channelsFirst ? s[0] : s[2]
                guard channels == 3, s.allSatisfy({ $0 > 0 }), s.reduce(1, *) == offsets[i + 1] - offsets[i] else {
                    throw folder.malformed(
                        shapesReader, "image \(i) has shape \(s), which does not match its \(offsets[i + 1] - offsets[i]) elements")
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
                throw folder.malformed(images, "shape \(s), expected \(expected) for the \(count) samples in manifest.json")
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
            if let n = transform.normalize {
                guard n.mean.count == 3, n.std.count == 3 else {
                    throw Failure(
                        code: ExitCodes.dataError,
                        message: "\(folder.manifestPath): transform.normalize needs three mean and three std values")
                }
                mean = n.mean.map { Float($0) }
                std = n.std.map { Float($0) }
            }
            denormalize = (0..<3).map { (std[$0] * 255, mean[$0] * 255) }
        case .uint16, .int64:
            throw folder.malformed(images, "images are \(images.dtype.rawValue); uint8 or float32 expected")
        }

        if let reader = try folder.array("labels") {
            labels = try folder.wholeInts(reader, count: count)
        } else {
            labels = nil
        }

        boxes = try folder.array("boxes")
        if let boxes {
            guard boxes.shape.count == 2, boxes.shape[1] == 4, boxes.dtype == .float32 else {
                throw folder.malformed(boxes, "shape \(boxes.shape) \(boxes.dtype.rawValue), expected float32 (M, 4)")
            }
            let m = boxes.shape[0]
            let offsetsReader = try folder.required("box_offsets", because: "boxes.npy needs to say which sample owns a box")
            let offsets = try folder.wholeInts(offsetsReader, count: count + 1)
            try folder.checkOffsets(offsets, offsetsReader, total: m)
            boxOffsets = offsets
            boxLabels = try folder.wholeInts(try folder.required("box_labels", because: "boxes.npy needs"), count: m)
            boxTrackIDs = try folder.array("box_track_ids").map { (r) throws(Failure) in try folder.wholeInts(r, count: m) }
        } else {
            boxOffsets = nil
            boxLabels = []
            boxTrackIDs = nil
        }

        semantic = transform.target == "semantic"
        masks = try folder.array("masks")
        if let masks {
            guard masks.dtype == .uint8 || masks.dtype == .uint16 else {
                throw folder.malformed(masks, "masks are \(masks.dtype.rawValue); uint8 or uint16 expected")
            }
            let rows = semantic ? count : boxLabels.count
            if !semantic && boxes == nil {
                throw Failure(
                    code: ExitCodes.dataError,
                    message: "\(folder.manifestPath): instance masks need boxes.npy and box_offsets.npy (or transform.target 'semantic')")
            }
            if masks.shape.count == 1 {
                let r = try folder.required("mask_offsets", because: "a ragged (1-D) masks array needs")
                let offsets = try folder.wholeInts(r, count: rows + 1)
                try folder.checkOffsets(offsets, r, total: masks.elementCount)
                maskOffsets = offsets
            } else {
                guard masks.shape.count == 3, masks.shape[0] == rows else {
                    throw folder.malformed(
                        masks, "shape \(masks.shape), expected (\(rows), H, W): one mask per \(semantic ? "sample" : "box")")
                }
                maskOffsets = nil
            }
        } else {
            maskOffsets = nil
        }

        keypoints = try folder.array("keypoints")
        if let keypoints {
            guard keypoints.shape.count == 3, keypoints.shape[2] == 3, keypoints.shape[0] == boxLabels.count,
                keypoints.dtype == .float32, boxes != nil
            else {
                throw folder.malformed(
                    keypoints,
                    "shape \(keypoints.shape) \(keypoints.dtype.rawValue), expected float32 (\(boxLabels.count), K, 3), one row per box")
            }
        }
    }

    /// Sample `i`'s pixels and targets; reads only that sample's rows.
    func sample(_ i: Int) throws(Failure) -> PreviewSample {
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
            let bytes = try folder.read { () throws(TensorReadError) in try reader.uint8(range) }
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
            let values = try folder.read { () throws(TensorReadError) in try reader.float32(range) }
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

        var sample = PreviewSample(index: i, image: image, label: labels?[i])
        if let boxes, let boxOffsets {
            let rows = boxOffsets[i]..<boxOffsets[i + 1]
            let values = try folder.read { () throws(TensorReadError) in try boxes.float32(boxes.rowRange(rows)) }
            for (k, row) in rows.enumerated() {
                sample.boxes.append(
                    (values[4 * k], values[4 * k + 1], values[4 * k + 2], values[4 * k + 3], boxLabels[row],
                     boxTrackIDs?[row] ?? -1))
            }
            if let keypoints {
                let kp = try folder.read { () throws(TensorReadError) in try keypoints.float32(keypoints.rowRange(rows)) }
                let k = keypoints.shape[1]
                for b in 0..<rows.count {
                    sample.keypoints.append(
                        (0..<k).map { j in (kp[(b * k + j) * 3], kp[(b * k + j) * 3 + 1], kp[(b * k + j) * 3 + 2]) })
                }
            }
            if let masks, !semantic {
                for row in rows { sample.instanceMasks.append(try mask(masks, row: row, width: w, height: h)) }
            }
        }
        if let masks, semantic {
            sample.semantic = try mask(masks, row: i, width: w, height: h)
        }
        return sample
    }

    private func mask(_ masks: NPYReader, row: Int, width: Int, height: Int) throws(Failure) -> [Int] {
        let range: Range<Int>
        if let maskOffsets {
            range = maskOffsets[row]..<maskOffsets[row + 1]
        } else {
            range = masks.rowRange(row..<(row + 1))
        }
        guard range.count == width * height else {
            throw folder.malformed(masks, "mask \(row) has \(range.count) values, but its image is \(width)x\(height)")
        }
        return try folder.read { () throws(TensorReadError) in try masks.ints(range) }
    }

    /// The semantic map's background value (pixels no shape covers), from the manifest (255 by default).
    var backgroundIndex: Int {
        folder.manifest.transform.backgroundIndex ?? 255
    }
}
