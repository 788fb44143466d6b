public import CvatErrors

/// A width and height in pixels.
public struct PixelSize: Sendable, Hashable, CustomStringConvertible {
    public var width: Int
    public var height: Int
    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }
    public var description: String { "\(width)x\(height)" }
}

/// A rectangle of whole pixels; its origin may be negative and it may extend past an image, meaning padding.
public struct PixelRect: Sendable, Hashable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }
}

/// A scale-and-translate map from original pixel coordinates to output ones: `x' = x * sx + tx`.
public struct Affine: Sendable, Hashable {
    public var sx: Double
    public var sy: Double
    public var tx: Double
    public var ty: Double
    public init(sx: Double, sy: Double, tx: Double, ty: Double) {
        self.sx = sx
        self.sy = sy
        self.tx = tx
        self.ty = ty
    }
    public static let identity = Affine(sx: 1, sy: 1, tx: 0, ty: 0)

    public func apply(x: Double, y: Double) -> (x: Double, y: Double) { (x * sx + tx, y * sy + ty) }

    /// Maps both corners; the scales are positive, so the box stays ordered.
    public func apply(_ box: Box) -> Box {
        Box(xmin: box.xmin * sx + tx, ymin: box.ymin * sy + ty, xmax: box.xmax * sx + tx, ymax: box.ymax * sy + ty)
    }
}

/// What to do to every image's geometry.
public enum ResizeSpec: Sendable, Hashable {
    /// Keep the image as it is.
    case original
    /// Stretch to exactly this size.
    case resize(width: Int, height: Int)
    /// Scale to fit inside this size keeping the aspect ratio, centred, the rest padded by the caller.
    ///
    /// scale = min(W / w, H / h); the scaled size is `Int((Double(w) * scale).rounded())` (half away from zero)
    /// clamped to [1, W], likewise for the height; the offset is `(W - nw) / 2` in integer division, so an odd
    /// remainder puts the extra padding pixel on the right or bottom.
    case letterbox(width: Int, height: Int)
    /// torchvision's `Resize(shorter)` then, when given, `CenterCrop((height, width))`, on a PIL image.
    case resizeShorter(Int, centerCrop: PixelSize?)
}

/// Why a plan cannot be made.
///
/// Built by static functions named as its cases were when it was an enum, so throw sites read as before.
public struct ImagePlanError: KindedError, Sendable, Hashable {
    public enum Kind: ErrorKind {
        case invalidSourceSize
        case invalidTargetSize
        case invalidShorterSide

        /// A bad image size is the data's; a bad requested size is the command line's.
        public var category: ErrorCategory {
            switch self {
            case .invalidSourceSize: .data
            case .invalidTargetSize, .invalidShorterSide: .usage
            }
        }
    }

    public var kind: Kind
    public var message: String

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public static func invalidSourceSize(_ size: PixelSize) -> Self {
        Self(.invalidSourceSize, "the image size \(size) is invalid; both sides must be positive")
    }

    public static func invalidTargetSize(_ size: PixelSize) -> Self {
        Self(.invalidTargetSize, "the requested size \(size) is invalid; both sides must be positive")
    }

    public static func invalidShorterSide(_ side: Int) -> Self {
        Self(.invalidShorterSide, "the shorter-side size \(side) is invalid; it must be positive")
    }
}

/// The geometry change of one image, computed once and shared by pixels, masks and boxes so that they agree.
///
/// Pixels are first resampled to `resizeSize` (when not nil), then `crop` is cut from the resized image; the
/// parts of `crop` outside the resized image are padding. Coordinates are continuous: the right edge of the
/// image, x = width, maps to the right edge of the resized image.
public struct ImagePlan: Sendable, Hashable {
    public let sourceSize: PixelSize
    /// The size to resample to, or nil when the pixels keep their size.
    public let resizeSize: PixelSize?
    /// The rectangle of the resized image (of the source when `resizeSize` is nil) that becomes the output.
    public let crop: PixelRect
    public let outputSize: PixelSize
    /// From original pixel coordinates to output coordinates.
    public let affine: Affine

    public init(source: PixelSize, spec: ResizeSpec) throws(ImagePlanError) {
        guard source.width > 0, source.height > 0 else { throw .invalidSourceSize(source) }
        let w = source.width
        let h = source.height
        var resized = source
        var crop = PixelRect(x: 0, y: 0, width: w, height: h)
        switch spec {
        case .original:
            break
        case .resize(let tw, let th):
            guard tw > 0, th > 0 else { throw .invalidTargetSize(PixelSize(width: tw, height: th)) }
            resized = PixelSize(width: tw, height: th)
            crop = PixelRect(x: 0, y: 0, width: tw, height: th)
        case .letterbox(let tw, let th):
            guard tw > 0, th > 0 else { throw .invalidTargetSize(PixelSize(width: tw, height: th)) }
            // Rounded half away from zero; the limiting side lands on the target exactly (the clamp absorbs
            // the last-bit error of w * (W / w)), the other side is within half a pixel of w * scale.
            let scale = min(Double(tw) / Double(w), Double(th) / Double(h))
            let nw = min(max(Int((Double(w) * scale).rounded()), 1), tw)
            let nh = min(max(Int((Double(h) * scale).rounded()), 1), th)
            resized = PixelSize(width: nw, height: nh)
            crop = PixelRect(x: -((tw - nw) / 2), y: -((th - nh) / 2), width: tw, height: th)
        case .resizeShorter(let n, let centerCrop):
            guard n > 0 else { throw .invalidShorterSide(n) }
            resized = Self.torchvisionResizeSize(width: w, height: h, shorter: n)
            crop = PixelRect(x: 0, y: 0, width: resized.width, height: resized.height)
            if let c = centerCrop {
                guard c.width > 0, c.height > 0 else { throw .invalidTargetSize(c) }
                crop = Self.torchvisionCenterCrop(image: resized, crop: c)
            }
        }
        self.sourceSize = source
        self.resizeSize = resized == source ? nil : resized
        self.crop = crop
        self.outputSize = PixelSize(width: crop.width, height: crop.height)
        self.affine = Affine(
            sx: Double(resized.width) / Double(w), sy: Double(resized.height) / Double(h),
            tx: Double(-crop.x), ty: Double(-crop.y))
    }

    /// torchvision `_compute_resized_output_size` for an int size: the shorter side becomes `n`, the longer
    /// `int(n * long / short)` — Python's true division of two ints, correctly rounded, then truncated.
    static func torchvisionResizeSize(width w: Int, height h: Int, shorter n: Int) -> PixelSize {
        let (short, long) = w <= h ? (w, h) : (h, w)
        let newLong = Int(Double(n * long) / Double(short))
        return w <= h ? PixelSize(width: n, height: newLong) : PixelSize(width: newLong, height: n)
    }

    /// torchvision `center_crop`: pad with zeros when the crop is larger (left/top get the smaller half), then
    /// crop at `int(round((size - crop) / 2.0))` with Python's round-half-to-even. Returned in the coordinates
    /// of the unpadded image.
    static func torchvisionCenterCrop(image: PixelSize, crop c: PixelSize) -> PixelRect {
        var iw = image.width
        var ih = image.height
        var padLeft = 0
        var padTop = 0
        if c.width > iw || c.height > ih {
            padLeft = c.width > iw ? (c.width - iw) / 2 : 0
            padTop = c.height > ih ? (c.height - ih) / 2 : 0
            let padRight = c.width > iw ? (c.width - iw + 1) / 2 : 0
            let padBottom = c.height > ih ? (c.height - ih + 1) / 2 : 0
            iw += padLeft + padRight
            ih += padTop + padBottom
        }
        let top = Int((Double(ih - c.height) / 2.0).rounded(.toNearestOrEven))
        let left = Int((Double(iw - c.width) / 2.0).rounded(.toNearestOrEven))
        return PixelRect(x: left - padLeft, y: top - padTop, width: c.width, height: c.height)
    }

    /// Whether the pixels keep their size and nothing is cropped or padded, so that coordinates need no mapping.
    public var isIdentity: Bool {
        resizeSize == nil && crop == PixelRect(x: 0, y: 0, width: sourceSize.width, height: sourceSize.height)
    }

    /// The part of the output that shows the image: the mapped source rectangle within `[0, W] x [0, H]`;
    /// letterbox and crop padding lie outside it.
    public var contentRegion: Box {
        let mapped = affine.apply(
            Box(xmin: 0, ymin: 0, xmax: Double(sourceSize.width), ymax: Double(sourceSize.height)))
        return mapped.clipped(width: Double(outputSize.width), height: Double(outputSize.height))
    }

    /// Whether pixels are cut away (a center crop) or added (letterbox or crop padding). A plain resize maps the
    /// whole image onto the whole output and does neither.
    public var cutsOrPads: Bool {
        let size = resizeSize ?? sourceSize
        return crop != PixelRect(x: 0, y: 0, width: size.width, height: size.height)
    }

    /// Boxes mapped to the output; clipped to the image, and those left without area dropped, only where the plan
    /// cuts or pads.
    ///
    /// A resize that cuts nothing changes no box beyond the scaling, so one dataset gives the same boxes at every
    /// output size, as cvat-sdk with torchvision's Resize does: a single-point `points` shape keeps its zero-area
    /// box and a rectangle drawn past the image edge (CVAT allows it) keeps its overhang. Where pixels are cut
    /// away or added, boxes are clipped to `contentRegion` (a box reaching past the image edge stops at the edge,
    /// not in the letterbox bars) and those left without area (wholly outside the crop, or degenerate) are
    /// dropped, because nothing of them is in the picture. `keptIndices` are the input positions of the boxes
    /// kept, for keeping labels and other per-box arrays aligned.
    public func transformBoxes(_ boxes: [Box]) -> (boxes: [Box], keptIndices: [Int]) {
        guard cutsOrPads else { return (boxes.map(affine.apply), Array(boxes.indices)) }
        let region = contentRegion
        var out: [Box] = []
        var kept: [Int] = []
        out.reserveCapacity(boxes.count)
        kept.reserveCapacity(boxes.count)
        for (i, box) in boxes.enumerated() {
            let m = affine.apply(box)
            let b = Box(
                xmin: min(max(m.xmin, region.xmin), region.xmax), ymin: min(max(m.ymin, region.ymin), region.ymax),
                xmax: min(max(m.xmax, region.xmin), region.xmax), ymax: min(max(m.ymax, region.ymin), region.ymax))
            if b.hasArea {
                out.append(b)
                kept.append(i)
            }
        }
        return (out, kept)
    }

    /// `transformBoxes`, carrying each box's label along.
    public func transformBoxes(_ boxes: [Box], labels: [Int]) -> (boxes: [Box], labels: [Int], keptIndices: [Int]) {
        precondition(boxes.count == labels.count, "one label per box")
        let (b, kept) = transformBoxes(boxes)
        return (b, kept.map { labels[$0] }, kept)
    }
}
