public import FoundationEssentials

/// The encoded formats cvat-ds reads (CVAT stores frames as JPEG, or PNG for lossless tasks).
public enum ImageFormat: String, Sendable, Hashable {
    case jpeg = "JPEG"
    case png = "PNG"

    /// The format from the first bytes (JPEG: FF D8 FF; PNG: its 8-byte signature), or nil.
    public static func sniff(_ bytes: some ContiguousBytes) -> ImageFormat? {
        bytes.withUnsafeBytes { b in
            if b.count >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF { return .jpeg }
            if b.count >= 8 && b.prefix(8).elementsEqual(pngSignature) { return .png }
            return nil
        }
    }

    /// The 8 bytes every PNG starts with.
    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
}

/// What a header says about an image, read without decoding pixels.
public struct ImageInfo: Sendable, Hashable {
    public var format: ImageFormat
    public var width: Int
    public var height: Int
    /// JPEG: "4:4:4", "4:2:2", "4:2:0", "gray", "4:4:0", "4:1:1"; PNG: "<colour type> <bits>-bit".
    public var detail: String

    public init(format: ImageFormat, width: Int, height: Int, detail: String) {
        self.format = format
        self.width = width
        self.height = height
        self.detail = detail
    }

    public var pixelCount: Int { width * height }
}

/// Limits applied to headers before any pixel memory is allocated.
public struct DecodeLimits: Sendable, Hashable {
    /// Largest width * height accepted. The default is Pillow's own hard limit (`Image.MAX_IMAGE_PIXELS * 2`,
    /// above which Pillow raises `DecompressionBombError`), so anything cvat-sdk can load, cvat-ds can too.
    public var maxPixels: Int

    public init(maxPixels: Int = DecodeLimits.pillowMaxPixels) {
        self.maxPixels = maxPixels
    }

    /// 2 * 89_478_485: Pillow's DecompressionBombError threshold.
    public static let pillowMaxPixels = 178_956_970

    func check(width: Int, height: Int, format: ImageFormat) throws(CodecError) {
        guard width > 0, height > 0 else {
            throw CodecError(.corrupt, format: format.rawValue, detail: "header gives an empty size \(width)x\(height)")
        }
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, pixels <= maxPixels, width <= maxPixels, height <= maxPixels else {
            // A PNG header may claim 2^31 x 2^31: the product must not be computed with trapping arithmetic.
            let claimed = overflow ? "more than \(Int.max)" : "\(pixels)"
            throw CodecError(
                .tooManyPixels, format: format.rawValue,
                detail: "header claims \(width)x\(height) = \(claimed) pixels, over the limit of \(maxPixels)")
        }
    }
}
