/// The resampling filters of Pillow's `Image.resize`, computed the way Pillow computes them.
///
/// `nearest` is Pillow's affine nearest-neighbour path (not a convolution); the others go through Pillow's
/// separable convolution (`ImagingResample` in libImaging/Resample.c). HAMMING and LANCZOS are left out: they
/// need `sin`/`cos`, and bit-exactness with Pillow would then depend on the C library's libm.
public enum ResampleFilter: String, Sendable, Hashable, CaseIterable {
    case nearest
    case box
    case bilinear
    case bicubic

    /// Half-width of the kernel in source pixels at scale 1 (Pillow's `struct filter.support`).
    var support: Double {
        switch self {
        case .nearest: 0
        case .box: 0.5
        case .bilinear: 1.0
        case .bicubic: 2.0
        }
    }

    /// The kernel, written with the same operations in the same order as Pillow's C so the doubles agree.
    @inline(__always)
    func weight(_ x: Double) -> Double {
        switch self {
        case .nearest:
            return 0
        case .box:
            return (x > -0.5 && x <= 0.5) ? 1.0 : 0.0
        case .bilinear:
            let x = x < 0.0 ? -x : x
            return x < 1.0 ? 1.0 - x : 0.0
        case .bicubic:
            // Keys' cubic with a = -0.5, as Pillow's bicubic_filter.
            let a = -0.5
            let x = x < 0.0 ? -x : x
            if x < 1.0 { return ((a + 2.0) * x - (a + 3.0)) * x * x + 1 }
            if x < 2.0 { return (((x - 5) * x + 8) * x - 4) * a }
            return 0.0
        }
    }
}

/// A source region for `resize`, in source pixel coordinates, like the `box` argument of Pillow's `resize`.
///
/// The coordinates are `Float` because Pillow parses the box into C `float`s, and that rounding shows in the
/// output when a coordinate is not exactly representable.
public struct ResampleBox: Sendable, Hashable {
    public var left: Float
    public var top: Float
    public var right: Float
    public var bottom: Float

    public init(left: Float, top: Float, right: Float, bottom: Float) {
        self.left = left
        self.top = top
        self.right = right
        self.bottom = bottom
    }

    /// The whole of a `width` x `height` image.
    public static func whole(width: Int, height: Int) -> ResampleBox {
        ResampleBox(left: 0, top: 0, right: Float(width), bottom: Float(height))
    }
}
