internal import CPNGShims
public import CvatImage
public import FoundationEssentials

/// Decodes PNG to `RGBImage` with libpng, giving the pixels of Pillow's `Image.open(p).convert("RGB")`.
///
/// What Pillow does, and so what this does (checked against Pillow 13 goldens for every colour type and depth):
/// - alpha is dropped, never composited; tRNS is ignored (palette, grey and RGB alike);
/// - 1, 2 and 4-bit grey are scaled by bit replication (0/255, x*85, x*17); palettes of any depth are looked up;
/// - 16-bit RGB, RGBA and grey+alpha keep the high byte of each sample;
/// - 16-bit grey without alpha is Pillow's "I;16" mode, whose conversion to RGB *clips* (values above 255 become
///   255; it does not scale). That is surely not what anyone wants from a 16-bit depth map, but it is what
///   cvat-sdk produces, so it is reproduced;
/// - gAMA, cHRM, sRGB and iCCP are ignored (no colour management).
/// Ill-defined in Pillow, and so not promised here: palette indices beyond the PLTE length (libpng gives black),
/// and damaged ancillary chunks (libpng drops them with a warning; Pillow may refuse the file).
///
/// The header is read here in Swift (`ihdr`: no libpng call, no allocation); the pixel work is in
/// `cvat_png_decode_rgb8` (Sources/CPNGShims/cvat_png.c) because libpng reports errors by `longjmp`. It holds
/// only its limits (each decode sets libpng up afresh), so it is a value and may be shared between threads.
public struct PNGDecoder: Sendable {
    /// Checked against every header before pixel memory is allocated.
    public var limits: DecodeLimits

    public init(limits: DecodeLimits = DecodeLimits()) {
        self.limits = limits
    }

    /// Size and pixel layout from the IHDR chunk alone (parsed here; no libpng call, no allocation).
    public func readInfo(_ bytes: some ContiguousBytes) throws(CodecError) -> ImageInfo {
        let result: Result<ImageInfo, CodecError> = bytes.withUnsafeBytes { b in
            do throws(CodecError) { return .success(try Self.ihdr(b)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    static func ihdr(_ b: UnsafeRawBufferPointer) throws(CodecError) -> ImageInfo {
        guard b.count >= 8, b.prefix(8).elementsEqual(ImageFormat.pngSignature) else {
            throw CodecError(.corrupt, format: "PNG", detail: "no PNG signature")
        }
        guard b.count >= 8 + 8 + 13 + 4 else {
            throw CodecError(.truncated, format: "PNG", detail: "the file ends inside its header (\(b.count) bytes)")
        }
        func u32(_ o: Int) -> Int { Int(b[o]) << 24 | Int(b[o + 1]) << 16 | Int(b[o + 2]) << 8 | Int(b[o + 3]) }
        guard u32(8) == 13, b[12] == 0x49, b[13] == 0x48, b[14] == 0x44, b[15] == 0x52 else {
            throw CodecError(.corrupt, format: "PNG", detail: "the first chunk is not a 13-byte IHDR")
        }
        let width = u32(16)
        let height = u32(20)
        let depth = Int(b[24])
        let type = Int(b[25])
        let names = [0: "grey", 2: "RGB", 3: "palette", 4: "grey+alpha", 6: "RGBA"]
        guard let name = names[type] else {
            throw CodecError(.corrupt, format: "PNG", detail: "invalid colour type \(type)")
        }
        return ImageInfo(format: .png, width: width, height: height, detail: "\(name) \(depth)-bit")
    }

    /// Decodes the whole image.
    public func decode(_ bytes: some ContiguousBytes) throws(CodecError) -> RGBImage {
        var image = RGBImage(width: 1, height: 1)
        try decode(bytes, into: &image)
        return image
    }

    /// Decodes into `image`, reusing its storage when it is large enough.
    public func decode(_ bytes: some ContiguousBytes, into image: inout RGBImage) throws(CodecError) {
        let limits = self.limits
        let result: Result<Void, CodecError> = bytes.withUnsafeBytes { b in
            do throws(CodecError) {
                let info = try Self.ihdr(b)
                try limits.check(width: info.width, height: info.height, format: .png)
                image.reshape(width: info.width, height: info.height)
                var message = [CChar](repeating: 0, count: 256)
                let rc = image.withUnsafeMutablePixels { dst in
                    cvat_png_decode_rgb8(
                        b.baseAddress!.assumingMemoryBound(to: UInt8.self), b.count, dst.baseAddress, dst.count,
                        UInt64(limits.maxPixels), &message, message.count)
                }
                if rc != CVAT_PNG_OK {
                    let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                    // The shim knows a cut file from a damaged one (its read callback ran out of data).
                    let kind: CodecError.Kind = rc == CVAT_PNG_TRUNCATED ? .truncated : .corrupt
                    throw CodecError(kind, format: "PNG", detail: "libpng: \(text)")
                }
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }
}
