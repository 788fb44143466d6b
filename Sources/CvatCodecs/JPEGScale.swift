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
///
/// Any reduced decode changes pixels (it is not what Pillow does); the result after the final resize stays
/// close to Pillow's (see the figures in CvatCodecsTests/DCTScalingTests) but is not bit-identical.
public enum DCTScaling: String, Sendable, Hashable, CaseIterable {
    /// Always decode at full size: bit-identical to Pillow.
    case disabled
    /// Only 1/2, 1/4 and 1/8, the scales libjpeg-turbo has SIMD or trivial IDCTs for (the others are slower
    /// than a full-size decode on x86-64; see docs/performance).
    case fastScales
    /// Any scale TurboJPEG offers.
    case any

    /// The scales this policy may use, all at most 1/2 (reduced decoding is only used when the target is at most
    /// half the source in both dimensions).
    var candidates: [JPEGScale] {
        switch self {
        case .disabled: []
        case .fastScales: [JPEGScale(1, 2), JPEGScale(1, 4), JPEGScale(1, 8)]
        case .any: JPEGDecoder.supportedScales.filter { $0 <= JPEGScale(1, 2) }
        }
    }

    /// The smallest allowed scale whose output still covers `minimumWidth` x `minimumHeight`, or `.full`.
    public func scale(sourceWidth: Int, sourceHeight: Int, minimumWidth: Int, minimumHeight: Int) -> JPEGScale {
        guard minimumWidth * 2 <= sourceWidth, minimumHeight * 2 <= sourceHeight else { return .full }
        var best = JPEGScale.full
        for s in candidates
        where s.scaled(sourceWidth) >= minimumWidth && s.scaled(sourceHeight) >= minimumHeight && s < best {
            best = s
        }
        return best
    }
}
