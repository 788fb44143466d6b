internal import CPNGShims
public import CvatErrors
public import CvatImage

/// Why an image could not be encoded or written as PNG; the reason is libpng's (or strerror's for a file that
/// cannot be created).
public struct PNGEncodeError: KindedError, Sendable, Equatable {
    public enum Kind: ErrorKind {
        /// Encoding to memory failed: libpng refused the image (its size) or memory ran out.
        case encoding
        /// The file could not be created or written.
        case file

        public var category: ErrorCategory {
            switch self {
            case .encoding: .internalError
            case .file: .cannotCreate
            }
        }
    }

    /// The file being written, or nil when encoding to memory.
    public var path: String?
    /// libpng's or strerror's words.
    public var reason: String

    public init(path: String?, message: String) {
        self.path = path
        self.reason = message
    }

    public var kind: Kind { path == nil ? .encoding : .file }
    public var message: String {
        if let path { return "cannot write the PNG \(path): \(reason)" }
        return "cannot encode the PNG: \(reason)"
    }
}

/// Encodes `RGBImage` as an 8-bit RGB PNG with libpng's simplified write API (`png_image_write_to_memory` and
/// `png_image_write_to_file`, wrapped in Sources/CPNGShims/cvat_png_write.c).
///
/// No gamma, colour-profile or text chunks are written beyond what libpng adds by itself (an sRGB-compatible
/// default), so any reader gives back exactly `image.pixels`.
public enum PNGEncoder {
    /// The PNG file's bytes.
    public static func encode(_ image: RGBImage) throws(PNGEncodeError) -> [UInt8] {
        var message = [CChar](repeating: 0, count: 256)
        var out: UnsafeMutablePointer<UInt8>?
        var size = 0
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            message.withUnsafeMutableBufferPointer { text in
                cvat_png_write_rgb8_to_memory(
                    pixels.baseAddress, UInt32(image.width), UInt32(image.height), &out, &size, text.baseAddress,
                    text.count)
            }
        }
        guard status == 0, let out else {
            throw PNGEncodeError(path: nil, message: Self.text(message))
        }
        defer { cvat_png_write_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: size))
    }

    /// Writes the PNG straight to `path`, creating or truncating the file.
    ///
    /// libpng writes in place; a caller that must never leave a half-written file should `encode` and write the
    /// bytes atomically instead.
    public static func write(_ image: RGBImage, toFile path: String) throws(PNGEncodeError) {
        var message = [CChar](repeating: 0, count: 256)
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            message.withUnsafeMutableBufferPointer { text in
                cvat_png_write_rgb8_to_file(
                    path, pixels.baseAddress, UInt32(image.width), UInt32(image.height), text.baseAddress, text.count)
            }
        }
        guard status == 0 else { throw PNGEncodeError(path: path, message: Self.text(message)) }
    }

    private static func text(_ message: [CChar]) -> String {
        let bytes = message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return bytes.isEmpty ? "libpng gave no reason" : String(decoding: bytes, as: UTF8.self)
    }
}
