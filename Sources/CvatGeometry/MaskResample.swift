public import CvatErrors

/// Why a mask could not be resampled.
///
/// Built by static functions named as its cases were when it was an enum, so throw sites read as before.
public struct MaskResampleError: KindedError, Sendable, Hashable {
    public enum Kind: ErrorKind {
        case sourceSizeMismatch
        case outputSizeMismatch

        /// The caller sized a buffer wrongly: a bug, not the data.
        public var category: ErrorCategory {
            switch self {
            case .sourceSizeMismatch, .outputSizeMismatch: .internalError
            }
        }
    }

    public var kind: Kind
    public var message: String

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public static func sourceSizeMismatch(expected: Int, actual: Int) -> Self {
        Self(
            .sourceSizeMismatch,
            "the source mask holds \(actual) elements, but the plan's source image needs \(expected)")
    }

    public static func outputSizeMismatch(expected: Int, actual: Int) -> Self {
        Self(
            .outputSizeMismatch,
            "the output mask buffer holds \(actual) elements, but the plan's output needs \(expected)")
    }
}

extension ImagePlan {
    /// For each coordinate of the resized axis, the source coordinate Pillow's NEAREST resize reads, or -1.
    ///
    /// This is Pillow's `ImagingScaleAffine`: scale = src / dst in double, start at scale * 0.5 and *add* the
    /// scale per pixel (the running sum, not `(x + 0.5) * scale`, decides which pixel is read at exact halves),
    /// truncating with `COORD`.
    static func nearestTable(source: Int, resized: Int) -> [Int] {
        if source == resized { return Array(0..<source) }
        let scale = Double(Float(source)) / Double(resized)
        var table = [Int](repeating: -1, count: resized)
        var xo = scale * 0.5
        for x in 0..<resized {
            let xin = xo < 0 ? -1 : Int(xo)
            if xin >= 0 && xin < source { table[x] = xin }
            xo += scale
        }
        return table
    }

    /// Resamples a mask (or any one-channel map) of the source size to the output, as torchvision would treat
    /// the PIL image with NEAREST interpolation: Pillow's nearest resize to `resizeSize`, then `crop`, with
    /// `pad` wherever the crop reaches past the resized image.
    public func resampleMask(
        _ source: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>, pad: UInt8 = 0
    ) throws(MaskResampleError) {
        try resampleGeneric(source, into: output, pad: pad)
    }

    /// The 16-bit variant, for class maps with more than 255 classes.
    public func resampleMask(
        _ source: UnsafeBufferPointer<UInt16>, into output: UnsafeMutableBufferPointer<UInt16>, pad: UInt16 = 0
    ) throws(MaskResampleError) {
        try resampleGeneric(source, into: output, pad: pad)
    }

    /// A new resampled mask of `outputSize`.
    public func resampleMask(_ source: [UInt8], pad: UInt8 = 0) throws(MaskResampleError) -> [UInt8] {
        var out = [UInt8](repeating: pad, count: outputSize.width * outputSize.height)
        var failure: MaskResampleError?
        source.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                do throws(MaskResampleError) {
                    try resampleGeneric(src, into: dst, pad: pad)
                } catch {
                    failure = error
                }
            }
        }
        if let failure { throw failure }
        return out
    }

    func resampleGeneric<T>(
        _ source: UnsafeBufferPointer<T>, into output: UnsafeMutableBufferPointer<T>, pad: T
    ) throws(MaskResampleError) {
        let sw = sourceSize.width
        let sh = sourceSize.height
        guard source.count == sw * sh else { throw .sourceSizeMismatch(expected: sw * sh, actual: source.count) }
        let ow = outputSize.width
        let oh = outputSize.height
        guard output.count == ow * oh else { throw .outputSizeMismatch(expected: ow * oh, actual: output.count) }
        let resized = resizeSize ?? sourceSize
        let xTable = Self.nearestTable(source: sw, resized: resized.width)
        let yTable = Self.nearestTable(source: sh, resized: resized.height)
        // Per output column, the source column, or -1 for padding.
        var columns = [Int](repeating: -1, count: ow)
        for x in 0..<ow {
            let rx = x + crop.x
            if rx >= 0 && rx < resized.width { columns[x] = xTable[rx] }
        }
        for y in 0..<oh {
            let ry = y + crop.y
            let sy = ry >= 0 && ry < resized.height ? yTable[ry] : -1
            let row = y * ow
            if sy < 0 {
                for x in 0..<ow { output[row + x] = pad }
                continue
            }
            let srcRow = sy * sw
            for x in 0..<ow {
                let sx = columns[x]
                output[row + x] = sx >= 0 ? source[srcRow + sx] : pad
            }
        }
    }
}
