public import CvatCache
public import CvatCodecs
public import CvatImage
public import CvatGeometry

/// Which per-sample targets an export writes besides the images.
public enum TargetKind: String, Sendable, CaseIterable {
    /// Images only.
    case none
    /// One class index per frame from its single tag: cvat-sdk's `ExtractSingleLabelIndex`.
    case label
    /// Axis-aligned boxes and their class indices: cvat-sdk's `ExtractBoundingBoxes`.
    case bboxes
    /// One binary mask per polygon or mask shape, with its box and class: cvat-sdk's `ExtractInstanceMasks`.
    case masks
    /// One class-index map per sample, shapes painted in CVAT's z order.
    case semantic
    /// Skeletons (and points shapes) as (K, 3) keypoints, with a box and class per instance.
    case keypoints

    /// The shape types a target reads.
    public var supportedShapeTypes: Set<ShapeKind> {
        switch self {
        case .none, .label: []
        case .bboxes: [.rectangle, .polygon, .polyline, .points, .ellipse]
        case .masks: [.polygon, .mask]
        case .semantic: [.polygon, .mask, .rectangle]
        case .keypoints: [.skeleton, .points]
        }
    }

    /// The shape types a target reads when `--shape-types` is not given.
    public var defaultShapeTypes: Set<ShapeKind> {
        switch self {
        case .semantic: [.polygon, .mask]
        default: supportedShapeTypes
        }
    }

    /// Whether the target writes `boxes`, `box_labels` and `box_offsets`.
    public var writesBoxes: Bool { self == .bboxes || self == .masks || self == .keypoints }
}

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
    /// Export only this slice of the samples.
    public var slice: SliceSpec?

    public init() {}

    /// The shape types the target actually reads.
    public var resolvedShapeTypes: Set<ShapeKind> { shapeTypes ?? target.defaultShapeTypes }
}
