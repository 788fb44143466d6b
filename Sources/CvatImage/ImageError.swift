/// Errors from pixel operations: sizes, boxes and buffers that do not fit.
public enum ImageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A width or height that is zero or negative.
    case invalidSize(width: Int, height: Int)
    /// A pixel buffer whose length is not `width * height * channels`.
    case bufferSizeMismatch(expected: Int, actual: Int)
    /// A destination buffer too small for what would be written into it.
    case destinationTooSmall(needed: Int, available: Int)
    /// A resize box outside the source image or empty, as Pillow refuses it.
    case invalidBox(left: Float, top: Float, right: Float, bottom: Float, width: Int, height: Int)

    public var description: String {
        switch self {
        case .invalidSize(let w, let h): "invalid image size \(w)x\(h): both sides must be positive"
        case .bufferSizeMismatch(let e, let a): "pixel buffer holds \(a) bytes, expected \(e)"
        case .destinationTooSmall(let n, let a): "destination holds \(a) elements, \(n) needed"
        case .invalidBox(let l, let t, let r, let b, let w, let h):
            "resize box (\(l), \(t), \(r), \(b)) is empty or outside the \(w)x\(h) source"
        }
    }
}
