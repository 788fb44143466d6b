import CvatGeometry
import CvatImage
import CvatTargets
import CvatTensors
import Foundation

/// The arrays of an export (or of one shard of it), written as samples arrive.
///
/// With `--format safetensors` the arrays stream to raw temporary files in the (temporary) output folder, and
/// `finish` assembles them into one `.safetensors` file and deletes them: the file's header needs every shape,
/// which is known only at the end.
final class OutputArrays {
    private let folder: URL
    private let options: ExportOptions
    /// Appended to every file name: `-00000` for shard 0, empty without shards.
    private let suffix: String
    private let fixedSize: PixelSize?
    /// Nil when the images are reused from an earlier export (only targets are written).
    private let images: (any ArrayWriter)?
    private let imageOffsets: (any ArrayWriter)?
    private let imageShapes: (any ArrayWriter)?
    private let labels: (any ArrayWriter)?
    private let boxes: (any ArrayWriter)?
    private let boxLabels: (any ArrayWriter)?
    private let boxOffsets: (any ArrayWriter)?
    private let boxTrackIDs: (any ArrayWriter)?
    private let boxShapeIDs: (any ArrayWriter)?
    private let boxOccluded: (any ArrayWriter)?
    private let boxGroups: (any ArrayWriter)?
    private let boxZOrders: (any ArrayWriter)?
    /// `--attributes`: `box_attributes` (box transforms) or `tag_attributes` (`label`).
    private let attributeValues: (any ArrayWriter)?
    private let attributes: AttributeColumns?
    /// `label`: the id of each sample's tag.
    private let tagIDs: (any ArrayWriter)?
    /// annotations.jsonl of the shard: its bytes, one line per sample.
    private let annotations: RawWriter?
    private var annotationLines = 0
    private let keypoints: (any ArrayWriter)?
    private let masks: (any ArrayWriter)?
    /// Ragged masks only: where each mask starts in the flat `masks` array, in elements.
    private let maskOffsets: (any ArrayWriter)?
    private let maskElementSize: Int
    private var samples = 0
    private var elements: Int64 = 0
    private var boxCount: Int64 = 0
    private var maskElements: Int64 = 0

    /// `keypointCount` is K of `keypoints`; `semanticWide` makes `semantic` maps uint16; without `writesImages`
    /// no image array is written (a re-export that reuses the earlier export's).
    init(
        folder: URL, options: ExportOptions, fixedSize: PixelSize?, keypointCount: Int = 0, semanticWide: Bool = false,
        attributes: AttributeColumns? = nil, suffix: String = "", writesImages: Bool = true
    ) throws {
        self.folder = folder
        self.options = options
        self.fixedSize = fixedSize
        self.suffix = suffix
        let pixelType: DType = options.pixelType == .uint8 ? .uint8 : .float32
        func make(_ name: String, _ dtype: DType, _ trailing: [Int]) throws(ExportError) -> any ArrayWriter {
            do throws(TensorWriteError) {
                switch options.format {
                case .npy:
                    let path = folder.appendingPathComponent("\(name)\(suffix).npy").path
                    return try NPYWriter(path: path, dtype: dtype, trailingShape: trailing)
                case .raw:
                    let path = folder.appendingPathComponent("\(name)\(suffix).bin").path
                    return try RawWriter(path: path, dtype: dtype, trailingShape: trailing)
                case .safetensors:
                    let path = folder.appendingPathComponent(".\(name)\(suffix).safetensors-part").path
                    return try RawWriter(path: path, dtype: dtype, trailingShape: trailing)
                case .webdataset:
                    preconditionFailure("webdataset shards are written by WebDatasetShard, not OutputArrays")
                }
            } catch {
                throw ExportError(wrapping: error, "\(error)")
            }
        }
        if !writesImages {
            images = nil
            imageOffsets = nil
            imageShapes = nil
        } else if let size = fixedSize {
            let shape = options.layout == .hwc ? [size.height, size.width, 3] : [3, size.height, size.width]
            images = try make("images", pixelType, shape)
            imageOffsets = nil
            imageShapes = nil
        } else {
            images = try make("images", pixelType, [])
            let offsets = try make("image_offsets", .int64, [])
            imageOffsets = offsets
            imageShapes = try make("image_shapes", .int64, [3])
            try Self.startOffsets(offsets)
        }
        labels = options.target == .label ? try make("labels", .int64, []) : nil
        tagIDs = options.target == .label ? try make("tag_ids", .int64, []) : nil
        self.attributes = attributes
        if let attributes, options.target == .label || options.target.writesBoxes {
            let name = options.target == .label ? "tag_attributes" : "box_attributes"
            attributeValues = try make(name, .float32, [attributes.count])
        } else {
            attributeValues = nil
        }
        if options.writeAnnotations {
            let path = folder.appendingPathComponent("annotations\(suffix).jsonl").path
            do throws(TensorWriteError) {
                annotations = try RawWriter(path: path, dtype: .uint8, trailingShape: [])
            } catch {
                throw ExportError(wrapping: error, "\(error)")
            }
        } else {
            annotations = nil
        }
        if options.target.writesBoxes {
            boxes = try make("boxes", .float32, [4])
            boxLabels = try make("box_labels", .int64, [])
            let offsets = try make("box_offsets", .int64, [])
            boxOffsets = offsets
            try Self.startOffsets(offsets)
            boxTrackIDs = options.includeTracks ? try make("box_track_ids", .int64, []) : nil
            boxShapeIDs = try make("box_shape_ids", .int64, [])
            boxOccluded = try make("box_occluded", .uint8, [])
            boxGroups = try make("box_group", .int64, [])
            boxZOrders = try make("box_z_order", .int32, [])
        } else {
            boxes = nil
            boxLabels = nil
            boxOffsets = nil
            boxTrackIDs = nil
            boxShapeIDs = nil
            boxOccluded = nil
            boxGroups = nil
            boxZOrders = nil
        }
        keypoints = options.target == .keypoints ? try make("keypoints", .float32, [keypointCount, 3]) : nil
        if options.target == .masks || options.target == .semantic {
            // One mask per box (masks) or per sample (semantic); flat with offsets when output sizes differ.
            let dtype: DType = options.target == .semantic && semanticWide ? .uint16 : .uint8
            maskElementSize = dtype.byteSize
            if let size = fixedSize {
                masks = try make("masks", dtype, [size.height, size.width])
                maskOffsets = nil
            } else {
                masks = try make("masks", dtype, [])
                let offsets = try make("mask_offsets", .int64, [])
                maskOffsets = offsets
                try Self.startOffsets(offsets)
            }
        } else {
            masks = nil
            maskOffsets = nil
            maskElementSize = 1
        }
    }

    /// The 0 an offsets array begins with, so that sample i's elements are `offsets[i]..<offsets[i + 1]`.
    private static func startOffsets(_ offsets: any ArrayWriter) throws(ExportError) {
        do throws(TensorWriteError) {
            try offsets.append([Int64(0)])
        } catch {
            throw ExportError(wrapping: error, "\(error)")
        }
    }

    func append(_ sample: SampleOutput) throws {
        do {
            if let images { try sample.image.withUnsafeBytes { raw in try images.append(raw) } }
            if let imageOffsets, let imageShapes {
                let count = Int64(sample.outputSize.width * sample.outputSize.height * 3)
                elements += count
                try imageOffsets.append([elements])
                let h = Int64(sample.outputSize.height)
                let w = Int64(sample.outputSize.width)
                try imageShapes.append(options.layout == .hwc ? [h, w, 3] : [3, h, w])
            }
            if let labels, let label = sample.targets.label { try labels.append([label]) }
            if let tagIDs, let tag = sample.targets.tag { try tagIDs.append([tag.id]) }
            if let boxes, let boxLabels, let boxOffsets {
                let columns = sample.targets.boxes
                try boxes.append(columns.corners)
                try boxLabels.append(columns.labels)
                boxCount += Int64(columns.count)
                try boxOffsets.append([boxCount])
                try boxTrackIDs?.append(columns.trackIDs)
                try boxShapeIDs?.append(columns.shapeIDs)
                try boxOccluded?.append(columns.occluded)
                try boxGroups?.append(columns.groups)
                try boxZOrders?.append(columns.zOrders)
            }
            if let attributeValues, let attributes {
                if let tag = sample.targets.tag {
                    try attributeValues.append(attributes.encode([tag]))
                } else if options.target.writesBoxes {
                    try attributeValues.append(attributes.encode(sample.targets.boxes.attributed))
                }
            }
            if let annotations, let line = sample.annotationLine {
                try line.withUnsafeBytes { raw in try annotations.append(raw) }
                annotationLines += 1
            }
            try keypoints?.append(sample.targets.keypoints)
            if let masks {
                try sample.targets.masks.withUnsafeBytes { raw in try masks.append(raw) }
                if let maskOffsets {
                    let area = Int64(sample.outputSize.width * sample.outputSize.height)
                    if options.target == .semantic {
                        maskElements += area
                        try maskOffsets.append([maskElements])
                    } else {
                        var ends: [Int64] = []
                        for _ in 0..<sample.targets.boxes.count {
                            maskElements += area
                            ends.append(maskElements)
                        }
                        try maskOffsets.append(ends)
                    }
                }
            }
        } catch let error as TensorWriteError {
            throw ExportError(wrapping: error, "\(error)")
        }
        samples += 1
    }

    /// The `.safetensors` file of this shard (or export).
    var safetensorsName: String { "arrays\(suffix).safetensors" }

    /// Finishes annotations.jsonl and returns the manifest's `files` entry for it (nil when not written).
    func finishFiles() throws -> [String: Manifest.FileEntry]? {
        guard let annotations else { return nil }
        do throws(TensorWriteError) {
            try annotations.finish()
        } catch {
            throw ExportError(wrapping: error, "\(error)")
        }
        let file = URL(fileURLWithPath: annotations.path).lastPathComponent
        return ["annotations": Manifest.FileEntry(file: file, format: "jsonl", lines: annotationLines)]
    }

    /// Finishes every file and returns the manifest's `arrays` entries.
    func finish() throws -> [String: Manifest.ArrayEntry] {
        var entries: [String: Manifest.ArrayEntry] = [:]
        let attributeName = options.target == .label ? "tag_attributes" : "box_attributes"
        let all: [(String, (any ArrayWriter)?)] = [
            ("images", images), ("image_offsets", imageOffsets), ("image_shapes", imageShapes), ("labels", labels),
            ("tag_ids", tagIDs), ("boxes", boxes), ("box_labels", boxLabels), ("box_offsets", boxOffsets),
            ("box_track_ids", boxTrackIDs), ("box_shape_ids", boxShapeIDs), ("box_occluded", boxOccluded),
            ("box_group", boxGroups), ("box_z_order", boxZOrders), (attributeName, attributeValues),
            ("keypoints", keypoints), ("masks", masks), ("mask_offsets", maskOffsets),
        ]
        for (name, writer) in all {
            guard let writer else { continue }
            do throws(TensorWriteError) {
                let shape = try writer.finish()
                entries[name] = Manifest.ArrayEntry(
                    file: URL(fileURLWithPath: writer.path).lastPathComponent, dtype: writer.dtype, shape: shape)
            } catch {
                throw ExportError(wrapping: error, "\(error)")
            }
        }
        guard options.format == .safetensors else { return entries }
        let parts = all.compactMap { name, writer in
            writer.flatMap { writer in
                entries[name].map {
                    SafetensorsWriter.Part(name: name, dtype: $0.dtype, shape: $0.shape, rawPath: writer.path)
                }
            }
        }
        let file = folder.appendingPathComponent(safetensorsName).path
        do throws(TensorWriteError) {
            try SafetensorsWriter.write(parts, metadata: ["producer": "cvat-ds"], to: file)
        } catch {
            throw ExportError(wrapping: error, "\(error)")
        }
        for part in parts { unlink(part.rawPath) }
        return entries.mapValues { Manifest.ArrayEntry(file: safetensorsName, dtype: $0.dtype, shape: $0.shape) }
    }
}
