/// A DCT scaling factor TurboJPEG can decode at (output = ceil(size * numerator / denominator)).
public struct JPEGScale: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var numerator: Int
    public var denominator: Int

    public init(_ numerator: Int, _ denominator: Int) {
        precondition(numerator > 0 && denominator > 0, "a scale needs a positive numerator and denominator")
        self.numerator = numerator
        self.denominator = denominator
    }

    /// No scaling: the full-size decode Pillow does.
    public static let full = JPEGScale(1, 1)

    /// `dimension` after scaling, rounded up (TurboJPEG's TJSCALED macro).
    public func scaled(_ dimension: Int) -> Int {
        (dimension * numerator + denominator - 1) / denominator
    }

    public static func < (a: JPEGScale, b: JPEGScale) -> Bool {
        a.numerator * b.denominator < b.numerator * a.denominator
    }

    public var description: String { "\(numerator)/\(denominator)" }
}

/// Whether a JPEG may be decoded at a reduced size when the caller will downscale it anyway.
public enum DCTScaling: String, Sendable, Hashable, CaseIterable {
    /// Always decode at full size: bit-identical to Pillow's `Image.open(...).convert("RGB")`.
    case disabled
    /// What Pillow does when you call `Image.draft("RGB", size)` before resizing to `size`: decode at 1/8, 1/4 or
    /// 1/2, whichever is the smallest that `min(width // size.width, height // size.height)` still reaches. Those
    /// are also the scales libjpeg-turbo has SIMD or trivial IDCTs for (the others are slower than a full-size
    /// decode on x86-64; see docs/performance.md). Followed by the same resize, the pixels are bit-identical to
    /// Pillow's draft + resize (DCTScalingTests checks it against Pillow itself).
    case draft
    /// Any scale TurboJPEG offers, the smallest whose output still covers the target: the fewest pixels decoded,
    /// but the pixels match no Pillow pipeline.
    case any

    /// The scales `any` may use, all at most 1/2 (reduced decoding is only used when the target is at most half the
    /// source in both dimensions).
    private static let anyCandidates = JPEGDecoder.supportedScales.filter { $0 <= JPEGScale(1, 2) }

    /// The scale to decode at before resizing to `minimumWidth` x `minimumHeight`, or `.full`.
    public func scale(sourceWidth: Int, sourceHeight: Int, minimumWidth: Int, minimumHeight: Int) -> JPEGScale {
        guard minimumWidth > 0, minimumHeight > 0 else { return .full }
        switch self {
        case .disabled:
            return .full
        case .draft:
            // JpegImagePlugin.JpegImageFile.draft: scale = min(w // tw, h // th), then the first of 8, 4, 2, 1 it
            // reaches. This is not "the smallest scale that covers the target": 500 px to 63 px is 1/4 here (500 //
            // 63 = 7), although 1/8 would give 63 px.
            let ratio = min(sourceWidth / minimumWidth, sourceHeight / minimumHeight)
            guard let denominator = [8, 4, 2].first(where: { ratio >= $0 }) else { return .full }
            return JPEGScale(1, denominator)
        case .any:
            guard minimumWidth * 2 <= sourceWidth, minimumHeight * 2 <= sourceHeight else { return .full }
            var best = JPEGScale.full
            for s in Self.anyCandidates
            where s.scaled(sourceWidth) >= minimumWidth && s.scaled(sourceHeight) >= minimumHeight && s < best {
                best = s
            }
            return best
        }
    }
}
