internal import CTurboJPEG
public import CvatImage
public import FoundationEssentials

/// Decodes JPEG to `RGBImage` with TurboJPEG, giving the pixels Pillow gives.
///
/// Pillow decodes with libjpeg(-turbo)'s defaults: accurate integer IDCT ("islow") and fancy upsampling; so does
/// `tjDecompress2` with flags 0. Greyscale JPEGs come out as R = G = B (libjpeg's grey-to-RGB conversion
/// replicates, as Pillow's "L" -> "RGB" does); CMYK and YCCK JPEGs are decoded to CMYK, inverted as Pillow always
/// does ("assume Adobe conventions"), and converted with Pillow's `cmyk2rgb` formula.
///
/// Owns one TurboJPEG handle, freed in `deinit`. Not thread-safe: use one decoder per worker and reuse it.
/// The corresponding C functions are `tjInitDecompress`, `tjDecompressHeader3`, `tjDecompress2`.
public final class JPEGDecoder {
    private let handle: UnsafeMutableRawPointer
    private var cmykScratch: [UInt8] = []
    /// Checked against every header before pixel memory is allocated.
    public var limits: DecodeLimits

    public init(limits: DecodeLimits = DecodeLimits()) throws(CodecError) {
        guard let handle = tjInitDecompress() else {
            throw CodecError(
                .libraryFailure, format: "JPEG", detail: "tjInitDecompress failed: \(Self.globalMessage())")
        }
        self.handle = handle
        self.limits = limits
    }

    deinit {
        tjDestroy(handle)
    }

    /// The scaling factors TurboJPEG supports (from `tjGetScalingFactors`), largest first.
    public static let supportedScales: [JPEGScale] = {
        var count: Int32 = 0
        guard let factors = tjGetScalingFactors(&count) else { return [.full] }
        return (0..<Int(count)).map { JPEGScale(Int(factors[$0].num), Int(factors[$0].denom)) }.sorted(by: >)
    }()

    private struct Header {
        var width: Int
        var height: Int
        var subsampling: Int32
        var colorspace: Int32
    }

    /// Size and layout from the header alone.
    public func readInfo(_ bytes: some ContiguousBytes) throws(CodecError) -> ImageInfo {
        let h = try withBytes(bytes) { (b) throws(CodecError) in try header(b) }
        return ImageInfo(format: .jpeg, width: h.width, height: h.height, detail: Self.subsamplingName(h))
    }

    /// Decodes at `scale` (default full size, exactly Pillow's pixels).
    public func decode(_ bytes: some ContiguousBytes, scale: JPEGScale = .full) throws(CodecError) -> RGBImage {
        var image = RGBImage(width: 1, height: 1)
        try decode(bytes, scale: scale, into: &image)
        return image
    }

    /// Decodes into `image`, reusing its storage when it is large enough.
    public func decode(
        _ bytes: some ContiguousBytes, scale: JPEGScale = .full, into image: inout RGBImage
    ) throws(CodecError) {
        try withBytes(bytes) { (b) throws(CodecError) in
            let h = try header(b)
            try limits.check(width: h.width, height: h.height, format: .jpeg)
            guard Self.supportedScales.contains(scale) else {
                throw CodecError(.unsupported, format: "JPEG", detail: "TurboJPEG cannot scale by \(scale)")
            }
            try decodePixels(b, header: h, scale: scale, into: &image)
        }
    }

    /// Decodes at the smallest scale `scaling` allows whose output still covers the requested size; the caller
    /// then resizes to the exact target. Returns the image and the scale used.
    public func decode(
        _ bytes: some ContiguousBytes, minimumWidth: Int, minimumHeight: Int, scaling: DCTScaling,
        into image: inout RGBImage
    ) throws(CodecError) -> JPEGScale {
        try withBytes(bytes) { (b) throws(CodecError) -> JPEGScale in
            let h = try header(b)
            try limits.check(width: h.width, height: h.height, format: .jpeg)
            let scale = scaling.scale(
                sourceWidth: h.width, sourceHeight: h.height, minimumWidth: minimumWidth, minimumHeight: minimumHeight)
            try decodePixels(b, header: h, scale: scale, into: &image)
            return scale
        }
    }

    // MARK: Internals

    private func withBytes<R>(
        _ bytes: some ContiguousBytes, _ body: (UnsafeRawBufferPointer) throws(CodecError) -> R
    ) throws(CodecError) -> R {
        let result: Result<R, CodecError> = bytes.withUnsafeBytes { b in
            do throws(CodecError) { return .success(try body(b)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    private func header(_ b: UnsafeRawBufferPointer) throws(CodecError) -> Header {
        guard let base = b.baseAddress, b.count >= 3 else {
            throw CodecError(.truncated, format: "JPEG", detail: "only \(b.count) bytes")
        }
        var w: Int32 = 0
        var h: Int32 = 0
        var subsamp: Int32 = 0
        var colorspace: Int32 = 0
        let rc = tjDecompressHeader3(
            handle, base.assumingMemoryBound(to: UInt8.self), UInt(b.count), &w, &h, &subsamp, &colorspace)
        if rc != 0 {
            throw failure("cannot read the JPEG header")
        }
        return Header(width: Int(w), height: Int(h), subsampling: subsamp, colorspace: colorspace)
    }

    private func decodePixels(
        _ b: UnsafeRawBufferPointer, header h: Header, scale: JPEGScale, into image: inout RGBImage
    ) throws(CodecError) {
        let width = scale.scaled(h.width)
        let height = scale.scaled(h.height)
        let src = b.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let cmyk = h.colorspace == Int32(TJCS_CMYK.rawValue) || h.colorspace == Int32(TJCS_YCCK.rawValue)
        image.reshape(width: width, height: height)
        var rc: Int32 = 0
        if cmyk {
            if cmykScratch.count < width * height * 4 {
                cmykScratch = [UInt8](repeating: 0, count: width * height * 4)
            }
            rc = cmykScratch.withUnsafeMutableBufferPointer { dst in
                tjDecompress2(
                    handle, src, UInt(b.count), dst.baseAddress, Int32(width), Int32(width * 4), Int32(height),
                    Int32(TJPF_CMYK.rawValue), 0)
            }
        } else {
            rc = image.withUnsafeMutablePixels { dst in
                tjDecompress2(
                    handle, src, UInt(b.count), dst.baseAddress, Int32(width), Int32(width * 3), Int32(height),
                    Int32(TJPF_RGB.rawValue), 0)
            }
        }
        if rc != 0 {
            // Warnings still produce an image. Pillow accepts what libjpeg only warns about, except running out
            // of data, which Pillow reports as a truncated file.
            if tjGetErrorCode(handle) != Int32(TJERR_WARNING.rawValue) || Self.ranOutOfData(Self.message(handle)) {
                throw failure("cannot decode the JPEG data")
            }
        }
        if cmyk {
            let count = width * height
            cmykScratch.withUnsafeBufferPointer { s in
                image.withUnsafeMutablePixels { d in
                    for i in 0..<count {
                        // Pillow reads CMYK JPEGs as "CMYK;I" (inverted), then cmyk2rgb:
                        // channel = clip(nk - nk * ink / 255) with nk = 255 - k, MULDIV255's rounding.
                        let k = 255 - Int(s[i * 4 + 3])
                        let nk = 255 - k
                        for c in 0..<3 {
                            let ink = 255 - Int(s[i * 4 + c])
                            let t = ink * nk + 128
                            let v = nk - (((t >> 8) + t) >> 8)
                            d[i * 3 + c] = UInt8(clamping: v)
                        }
                    }
                }
            }
        }
    }

    private func failure(_ what: String) -> CodecError {
        let message = Self.message(handle)
        let cut = Self.ranOutOfData(message) || Self.segmentEndedEarly(message)
        let kind: CodecError.Kind = cut ? .truncated : .corrupt
        return CodecError(kind, format: "JPEG", detail: "\(what): \(message)")
    }

    // TurboJPEG 2.1 tells a warning from a fatal error (`tjGetErrorCode`) but not which one: libjpeg's message
    // code stays inside the handle, and only its text comes out (`tjGetErrorStr2`). So these two, and only these,
    // are told apart by libjpeg's fixed texts (jerror.h).

    /// libjpeg's JWRN_JPEG_EOF ("Premature end of JPEG file") or JERR_INPUT_EOF ("Premature end of input file"):
    /// the data ended before the image did.
    private static func ranOutOfData(_ message: String) -> Bool { message.contains("Premature end") }

    /// libjpeg's JWRN_HIT_MARKER ("Corrupt JPEG data: premature end of data segment"), a scan cut short. As a
    /// warning the image is still accepted (Pillow does too); it only decides the kind of a fatal error after it.
    private static func segmentEndedEarly(_ message: String) -> Bool { message.contains("premature end") }

    private static func message(_ handle: UnsafeMutableRawPointer) -> String {
        guard let c = tjGetErrorStr2(handle) else { return "unknown TurboJPEG error" }
        return String(cString: c)
    }

    private static func globalMessage() -> String {
        guard let c = tjGetErrorStr2(nil) else { return "unknown TurboJPEG error" }
        return String(cString: c)
    }

    private static func subsamplingName(_ h: Header) -> String {
        let names = ["4:4:4", "4:2:2", "4:2:0", "gray", "4:4:0", "4:1:1"]
        let sub = (0..<names.count).contains(Int(h.subsampling)) ? names[Int(h.subsampling)] : "unknown subsampling"
        let spaces = ["RGB", "YCbCr", "gray", "CMYK", "YCCK"]
        let space = (0..<spaces.count).contains(Int(h.colorspace)) ? spaces[Int(h.colorspace)] : "unknown"
        return "\(space) \(sub)"
    }
}
