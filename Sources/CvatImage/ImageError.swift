public import CvatErrors

/// Errors from pixel operations: sizes, boxes and buffers that do not fit.
///
/// Built by static functions named as its cases were when it was an enum, so throw sites read as before.
public struct ImageError: KindedError, Sendable, Hashable {
    public enum Kind: ErrorKind {
        /// A width or height that is zero or negative.
        case invalidSize
        /// A pixel buffer whose length is not `width * height * channels`.
        case bufferSizeMismatch
        /// A destination buffer too small for what would be written into it.
        case destinationTooSmall
        /// A resize box outside the source image or empty, as Pillow refuses it.
        case invalidBox

        /// A size or box that cannot be resampled comes from the data; a buffer of the wrong size is a bug.
        public var category: ErrorCategory {
            switch self {
            case .invalidSize, .invalidBox: .data
            case .bufferSizeMismatch, .destinationTooSmall: .internalError
            }
        }
    }

    public var kind: Kind
    public var message: String

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public static func invalidSize(width: Int, height: Int) -> Self {
        Self(.invalidSize, "invalid image size \(width)x\(height): both sides must be positive")
    }

    public static func bufferSizeMismatch(expected: Int, actual: Int) -> Self {
        Self(.bufferSizeMismatch, "pixel buffer holds \(actual) bytes, expected \(expected)")
    }

    public static func destinationTooSmall(needed: Int, available: Int) -> Self {
        Self(.destinationTooSmall, "destination holds \(available) elements, \(needed) needed")
    }

    public static func invalidBox(
        left: Float, top: Float, right: Float, bottom: Float, width: Int, height: Int
    ) -> Self {
        Self(
            .invalidBox,
            "resize box (\(left), \(top), \(right), \(bottom)) is empty or outside the \(width)x\(height) source")
    }
}
