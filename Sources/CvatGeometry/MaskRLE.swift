public import CvatErrors

/// Why an encoded mask was rejected, in the order cvat-sdk's `decode_mask` checks.
///
/// Built by static functions named as its cases were when it was an enum, so throw sites read as before.
public struct MaskDecodeError: KindedError, Sendable, Hashable {
    public enum Kind: ErrorKind {
        case tooFewElements
        case invalidImageSize
        /// A value that is not a whole number (cvat-sdk's "non-integer value in encoded mask").
        case nonInteger
        /// The inclusive box `[x1, y1, x2, y2]` does not lie inside the image.
        case invalidBoundingBox
        case negativeRunLength
        /// The runs cover a different number of pixels than the box holds.
        case lengthMismatch
        /// The output buffer does not hold `imageWidth * imageHeight` elements.
        case bufferSizeMismatch

        /// A mask the server sent that cannot be decoded is its data; a buffer of the wrong size is a bug.
        public var category: ErrorCategory {
            switch self {
            case .tooFewElements, .invalidImageSize, .nonInteger, .invalidBoundingBox, .negativeRunLength,
                .lengthMismatch:
                .data
            case .bufferSizeMismatch: .internalError
            }
        }
    }

    public var kind: Kind
    public var message: String

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public static func tooFewElements(count: Int) -> Self {
        Self(.tooFewElements, "the encoded mask has \(count) numbers; it needs at least 5 (runs, then x1, y1, x2, y2)")
    }

    public static func invalidImageSize(width: Int, height: Int) -> Self {
        Self(.invalidImageSize, "cannot decode a mask for an image of size \(width)x\(height)")
    }

    public static func nonInteger(index: Int, value: Double) -> Self {
        Self(.nonInteger, "the encoded mask holds the non-integer value \(value) at position \(index)")
    }

    public static func invalidBoundingBox(
        x1: Int, y1: Int, x2: Int, y2: Int, imageWidth: Int, imageHeight: Int
    ) -> Self {
        Self(
            .invalidBoundingBox,
            "the encoded mask's box [\(x1), \(y1), \(x2), \(y2)] (inclusive) does not fit the "
                + "\(imageWidth)x\(imageHeight) image")
    }

    public static func negativeRunLength(index: Int, value: Int) -> Self {
        Self(.negativeRunLength, "the encoded mask has the negative run length \(value) at position \(index)")
    }

    public static func lengthMismatch(runTotal: Int, boxArea: Int) -> Self {
        Self(.lengthMismatch, "the encoded mask's runs cover \(runTotal) pixels but its box holds \(boxArea)")
    }

    public static func bufferSizeMismatch(expected: Int, actual: Int) -> Self {
        Self(.bufferSizeMismatch, "the mask buffer holds \(actual) elements, but the image needs \(expected)")
    }
}

/// How a decoded or drawn mask meets what is already in the buffer.
public enum MaskWriteMode: Sendable, Hashable {
    /// Every pixel of the image is written: `value` inside the mask, 0 elsewhere (cvat-sdk's dense mask).
    case replace
    /// Only the mask's pixels are written, with `value`; the rest is left alone (painting a class map).
    case overlay
}

/// CVAT's mask run-length encoding (API.md §1.10), decoded exactly as cvat-sdk's `masks.decode_mask`.
public enum MaskRLE {
    /// Decodes `encoded` for an image of the given size into `buffer` (row-major, `width * height`).
    public static func decode(
        _ encoded: [Double], imageWidth: Int, imageHeight: Int, into buffer: UnsafeMutableBufferPointer<UInt8>,
        value: UInt8 = 1, mode: MaskWriteMode = .replace
    ) throws(MaskDecodeError) {
        try decodeGeneric(
            encoded, imageWidth: imageWidth, imageHeight: imageHeight, into: buffer, value: value, mode: mode)
    }

    /// The 16-bit variant, for class maps with more than 255 classes.
    public static func decode(
        _ encoded: [Double], imageWidth: Int, imageHeight: Int, into buffer: UnsafeMutableBufferPointer<UInt16>,
        value: UInt16, mode: MaskWriteMode = .replace
    ) throws(MaskDecodeError) {
        try decodeGeneric(
            encoded, imageWidth: imageWidth, imageHeight: imageHeight, into: buffer, value: value, mode: mode)
    }

    /// Decodes into a new dense 0/1 mask of `width * height` bytes.
    public static func decode(_ encoded: [Double], imageWidth: Int, imageHeight: Int) throws(MaskDecodeError) -> [UInt8]
    {
        guard imageWidth > 0, imageHeight > 0, encoded.count >= 5 else {
            // Report in cvat-sdk's order without allocating for a bad size.
            _ = try validate(encoded, imageWidth: imageWidth, imageHeight: imageHeight)
            return []
        }
        var out = [UInt8](repeating: 0, count: imageWidth * imageHeight)
        var failure: MaskDecodeError?
        out.withUnsafeMutableBufferPointer { buf in
            do throws(MaskDecodeError) {
                try decodeGeneric(
                    encoded, imageWidth: imageWidth, imageHeight: imageHeight, into: buf, value: 1, mode: .overlay)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return out
    }

    /// The checks of `decode_mask` before any pixel is written; returns the runs and the exclusive box.
    static func validate(
        _ encoded: [Double], imageWidth: Int, imageHeight: Int
    ) throws(MaskDecodeError) -> (runs: [Int], x1: Int, y1: Int, x2: Int, y2: Int) {
        guard encoded.count >= 5 else { throw .tooFewElements(count: encoded.count) }
        guard imageWidth > 0, imageHeight > 0 else {
            throw .invalidImageSize(width: imageWidth, height: imageHeight)
        }
        var ints = [Int]()
        ints.reserveCapacity(encoded.count)
        for (i, v) in encoded.enumerated() {
            // Python's float.is_integer(); the range check keeps Int(v) from trapping on absurd values, which
            // cannot be valid runs or coordinates anyway.
            guard v.isFinite, v.rounded(.towardZero) == v, abs(v) < 9.0e15 else {
                throw .nonInteger(index: i, value: v)
            }
            ints.append(Int(v))
        }
        let n = ints.count
        let x1 = ints[n - 4]
        let y1 = ints[n - 3]
        let x2 = ints[n - 2] + 1
        let y2 = ints[n - 1] + 1
        guard 0 <= x1, x1 < x2, x2 <= imageWidth, 0 <= y1, y1 < y2, y2 <= imageHeight else {
            throw .invalidBoundingBox(
                x1: x1, y1: y1, x2: x2 - 1, y2: y2 - 1, imageWidth: imageWidth, imageHeight: imageHeight)
        }
        let runs = Array(ints[0..<(n - 4)])
        // numpy.repeat rejects negative counts before the size comparison.
        for (i, r) in runs.enumerated() where r < 0 { throw .negativeRunLength(index: i, value: r) }
        let area = (x2 - x1) * (y2 - y1)
        var total = 0
        for r in runs {
            // Saturate: absurd runs must not trap, they are a mismatch all the same.
            let (sum, overflow) = total.addingReportingOverflow(r)
            total = overflow ? Int.max : sum
        }
        guard total == area else { throw .lengthMismatch(runTotal: total, boxArea: area) }
        return (runs, x1, y1, x2, y2)
    }

    static func decodeGeneric<T: FixedWidthInteger>(
        _ encoded: [Double], imageWidth: Int, imageHeight: Int, into buffer: UnsafeMutableBufferPointer<T>,
        value: T, mode: MaskWriteMode
    ) throws(MaskDecodeError) {
        let (runs, x1, y1, x2, _) = try validate(encoded, imageWidth: imageWidth, imageHeight: imageHeight)
        let expected = imageWidth * imageHeight
        guard buffer.count == expected else { throw .bufferSizeMismatch(expected: expected, actual: buffer.count) }
        if mode == .replace { buffer.update(repeating: 0) }
        let boxWidth = x2 - x1
        // Walk the runs in box raster order; odd runs are foreground.
        var position = 0
        for (i, run) in runs.enumerated() {
            if i & 1 == 1 {
                var k = position
                let end = position + run
                while k < end {
                    let row = k / boxWidth
                    let col = k - row * boxWidth
                    let spanEnd = min(end, (row + 1) * boxWidth)
                    let base = (y1 + row) * imageWidth + x1 + col
                    let count = spanEnd - k
                    for j in 0..<count { buffer[base + j] = value }
                    k = spanEnd
                }
            }
            position += run
        }
    }
}
