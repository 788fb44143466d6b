public import CvatCache
public import CvatCodecs
public import CvatGeometry
public import CvatImage
public import CvatTargets
import CvatTensors

/// CVAT's job stages (`JobRead.stage`).
public enum JobStage: String, Sendable, CaseIterable, Hashable {
    case annotation, validation, acceptance
}

/// CVAT's job states (`JobRead.state`).
public enum JobState: String, Sendable, CaseIterable, Hashable {
    case new
    case inProgress = "in progress"
    case completed, rejected
}

/// Which jobs' frames an export keeps: a frame stays when an annotation job holding it has one of `stages` (any
/// when empty) and one of `states` (any when empty).
public struct JobFilter: Sendable, Hashable {
    public var stages: Set<JobStage>
    public var states: Set<JobState>

    public init(stages: Set<JobStage> = [], states: Set<JobState> = []) {
        self.stages = stages
        self.states = states
    }

    public var isEmpty: Bool { stages.isEmpty && states.isEmpty }
}

/// The element type of the image array.
public enum PixelType: String, Sendable, CaseIterable {
    case uint8
    /// Values divided by 255, then normalised when asked.
    case float32
}

/// The on-disk form of every array.
public enum ArrayFormat: String, Sendable, CaseIterable {
    /// NumPy format 1.0 (`numpy.load`, `mmap_mode="r"`).
    case npy
    /// Headerless little-endian C-order `.bin`; dtype and shape only in the manifest.
    case raw
    /// Every array of a shard (or of the export) in one `.safetensors` file, under its name.
    case safetensors
    /// Tar shards of samples (`shard-00000.tar`, with DALI's `.idx`), each sample's members named by one key.
    case webdataset
}

/// `--shard I/N`: slice `index` (0-based) of `count` contiguous, disjoint slices of the sample list.
public struct SliceSpec: Sendable, Hashable {
    public var index: Int
    public var count: Int
    /// `--shard auto`: the scheduler variables the slice came from, recorded in the manifest's slice.
    public var scheduler: [String: String]?

    public init(index: Int, count: Int, scheduler: [String: String]? = nil) {
        self.index = index
        self.count = count
        self.scheduler = scheduler
    }

    /// Slice `index` of `total` samples: `[total * index / count, total * (index + 1) / count)`. Sizes differ by
    /// at most one, and the slices depend only on `total`, so every machine computes the same ones.
    public func range(of total: Int) -> Range<Int> {
        (total * index / count)..<(total * (index + 1) / count)
    }
}

/// Everything that decides an export's content; recorded in full in the manifest.
public struct ExportOptions: Sendable {
    public var target: TargetKind = .none
    public var resize: ResizeSpec = .original
    public var padValue: UInt8 = 0
    public var filter: ResampleFilter = .bilinear
    public var layout: TensorLayout = .hwc
    public var pixelType: PixelType = .uint8
    /// Applied after dividing by 255 (implies float32).
    public var normalization: Normalization?
    public var format: ArrayFormat = .npy
    /// A user's name → index map; nil means cvat-sdk's default (labels sorted by id, numbered from 0).
    public var labelMap: [String: Int]?
    public var labelOffset = 0
    /// The shape types the target reads; nil means the target's `defaultShapeTypes`.
    public var shapeTypes: Set<ShapeKind>?
    /// Turn tracks into per-frame shapes (CVAT's server interpolation) and use them with the plain shapes.
    public var includeTracks = true
    /// `semantic`: the value of pixels no shape covers.
    public var backgroundIndex = 255
    /// Keep only frames of matching jobs; nil keeps every frame.
    public var jobFilter: JobFilter?
    /// Leave out frames whose targets cannot be made (recorded in the manifest) instead of failing.
    public var skipInvalid = false
    public var dctScaling: DCTScaling = .disabled
    public var maxPixels = DecodeLimits().maxPixels
    public var jobs = 2
    /// Video tasks: PNG frames (lossless) or the compressed JPEG chunks.
    public var videoFrames: VideoFrameSource = .original
    /// Write the arrays as shards of this many samples each; nil writes one file per array.
    public var shardSize: Int?
    /// `--shard-bytes` (webdataset): start a new shard before a sample that would take the tar past this size.
    public var shardBytes: Int?
    /// `--keep-encoded` (webdataset): store each frame's JPEG or PNG bytes as they are, without decoding.
    public var keepEncoded = false
    /// Export only this slice of the samples.
    public var slice: SliceSpec?
    /// Write annotations.jsonl (every sample's CVAT annotation); `--no-annotations` turns it off.
    public var writeAnnotations = true
    /// `--attributes`: attribute columns for `box_attributes` / `tag_attributes`; nil writes none.
    public var attributes: AttributeSelection?

    public init() {}

    /// The shape types the target actually reads.
    public var resolvedShapeTypes: Set<ShapeKind> { shapeTypes ?? target.defaultShapeTypes }
}

extension ExportOptions {
    /// Every parameter, for the manifest's `transform`, so an export can be reproduced, with what the export
    /// derived from the data: K and the keypoint names (`keypoints`), the map's dtype (`semantic`).
    func manifestRecord(
        keypointCount: Int, keypointNames: [String]?, semantic: SemanticSettings
    ) -> Manifest.Transform {
        var record = Manifest.Transform(
            target: target.rawValue, resize: resizeRecord, filter: filter.rawValue,
            layout: layout == .hwc ? "nhwc" : "nchw", dtype: pixelType == .uint8 ? .uint8 : .float32,
            normalize: normalization.map {
                Manifest.Transform.Normalize(mean: $0.mean.map { Double($0) }, std: $0.std.map { Double($0) })
            },
            format: format.rawValue, labelOffset: labelOffset, labelMap: labelMap,
            shapeTypes: resolvedShapeTypes.map(\.rawValue).sorted(), ellipseBox: "full-ellipse",
            tracks: includeTracks,
            jobFilter: jobFilter.map {
                Manifest.Transform.JobFilter(
                    stages: $0.stages.map(\.rawValue).sorted(), states: $0.states.map(\.rawValue).sorted())
            },
            skipInvalid: skipInvalid, dctScaling: dctScaling.rawValue, maxPixels: maxPixels)
        record.annotations = writeAnnotations
        if keepEncoded { record.keepEncoded = true }
        switch attributes {
        case .all?: record.attributes = ["all"]
        case .names(let names)?: record.attributes = names
        case nil: break
        }
        switch target {
        case .semantic:
            record.backgroundIndex = backgroundIndex
            record.maskDType = semantic.wide ? .uint16 : .uint8
        case .keypoints:
            record.keypointCount = keypointCount
            record.keypointNames = keypointNames
        default:
            break
        }
        return record
    }

    private var resizeRecord: Manifest.Transform.Resize {
        switch resize {
        case .original:
            return .init(mode: "none")
        case .resize(let w, let h):
            return .init(mode: "resize", width: w, height: h)
        case .letterbox(let w, let h):
            return .init(mode: "letterbox", width: w, height: h, padValue: Int(padValue))
        case .resizeShorter(let n, let crop):
            return .init(
                mode: "resize-shorter", shorter: n,
                centerCrop: crop.map { Manifest.Transform.Size(width: $0.width, height: $0.height) })
        }
    }
}
