public import CvatImage
public import FoundationEssentials

/// Decodes CVAT frames, JPEG or PNG by their first bytes, with one set of limits.
///
/// One per worker (it owns a TurboJPEG handle and scratch memory); reuse it for every frame.
public final class ImageDecoder {
    public let jpeg: JPEGDecoder
    public private(set) var png: PNGDecoder

    /// Header limits applied to both formats.
    public var limits: DecodeLimits {
        didSet {
            jpeg.limits = limits
            png.limits = limits
        }
    }

    public init(limits: DecodeLimits = DecodeLimits()) throws(CodecError) {
        self.jpeg = try JPEGDecoder(limits: limits)
        self.png = PNGDecoder(limits: limits)
        self.limits = limits
    }

    private func format(of bytes: some ContiguousBytes) throws(CodecError) -> ImageFormat {
        guard let format = ImageFormat.sniff(bytes) else {
            let head: [UInt8] = bytes.withUnsafeBytes { Array($0.prefix(8)) }
            let hexHead = head.map { String($0, radix: 16) }.joined(separator: " ")
            throw CodecError(.unknownFormat, format: nil, detail: "not a JPEG or PNG (starts with \(hexHead))")
        }
        return format
    }

    /// Format and size from the header only.
    public func readInfo(_ bytes: some ContiguousBytes) throws(CodecError) -> ImageInfo {
        switch try format(of: bytes) {
        case .jpeg: try jpeg.readInfo(bytes)
        case .png: try png.readInfo(bytes)
        }
    }

    /// Decodes at full size: Pillow's `Image.open(...).convert("RGB")`.
    public func decode(_ bytes: some ContiguousBytes) throws(CodecError) -> RGBImage {
        var image = RGBImage(width: 1, height: 1)
        try decode(bytes, into: &image)
        return image
    }

    /// Decodes at full size into `image`, reusing its storage.
    public func decode(_ bytes: some ContiguousBytes, into image: inout RGBImage) throws(CodecError) {
        switch try format(of: bytes) {
        case .jpeg: try jpeg.decode(bytes, into: &image)
        case .png: try png.decode(bytes, into: &image)
        }
    }

    /// Decodes, letting JPEGs use a reduced DCT scale (per `scaling`) when the image will be downscaled to at
    /// least `minimumWidth` x `minimumHeight` afterwards. Returns the scale used (`.full` for PNG).
    @discardableResult
    public func decode(
        _ bytes: some ContiguousBytes, minimumWidth: Int, minimumHeight: Int, scaling: DCTScaling,
        into image: inout RGBImage
    ) throws(CodecError) -> JPEGScale {
        switch try format(of: bytes) {
        case .jpeg:
            return try jpeg.decode(
                bytes, minimumWidth: minimumWidth, minimumHeight: minimumHeight, scaling: scaling, into: &image)
        case .png:
            try png.decode(bytes, into: &image)
            return .full
        }
    }
}
