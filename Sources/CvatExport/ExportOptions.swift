public import CvatCodecs
public import CvatImage
public import CvatTransforms

/// Which per-sample targets an export writes besides the images.
public enum TargetKind: String, Sendable, CaseIterable {
    /// Images only.
    case none
    /// One class index per frame from its single tag: cvat-sdk's `ExtractSingleLabelIndex`.
    case label
    /// Axis-aligned boxes and their class indices: cvat-sdk's `ExtractBoundingBoxes`.
    case bboxes
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
    public var shapeTypes: Set<ShapeKind> = [.rectangle, .polygon, .polyline, .points, .ellipse]
    /// Leave out frames whose targets cannot be made (recorded in the manifest) instead of failing.
    public var skipInvalid = false
    public var dctScaling: DCTScaling = .disabled
    public var maxPixels = DecodeLimits().maxPixels
    public var jobs = 2

    public init() {}
}
