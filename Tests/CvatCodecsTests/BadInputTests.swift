import CvatCodecs
import CvatImage
import CvatTestSupport
import Foundation
import Testing

@Suite("Bad input gives clear errors, before allocating for bombs")
struct BadInputTests {
    /// jpeg_420.jpg with its SOF0 size fields replaced.
    static func jpegClaiming(width: Int, height: Int) throws -> [UInt8] {
        var b = try Goldens.bytes("jpeg_420.jpg")
        var i = 2
        while i + 9 < b.count {
            precondition(b[i] == 0xFF, "marker expected")
            let marker = b[i + 1]
            let length = Int(b[i + 2]) << 8 | Int(b[i + 3])
            if marker == 0xC0 || marker == 0xC2 {
                b[i + 5] = UInt8(height >> 8)
                b[i + 6] = UInt8(height & 0xFF)
                b[i + 7] = UInt8(width >> 8)
                b[i + 8] = UInt8(width & 0xFF)
                return b
            }
            i += 2 + length
        }
        Issue.record("no SOF marker in jpeg_420.jpg")
        return b
    }

    /// png_rgb8.png with IHDR claiming another size (CRC fixed, so only the size is wrong).
    static func pngClaiming(width: Int, height: Int) throws -> [UInt8] {
        var b = try Goldens.bytes("png_rgb8.png")
        for (o, v) in [(16, width), (20, height)] {
            b[o] = UInt8(v >> 24 & 0xFF)
            b[o + 1] = UInt8(v >> 16 & 0xFF)
            b[o + 2] = UInt8(v >> 8 & 0xFF)
            b[o + 3] = UInt8(v & 0xFF)
        }
        let crc = crc32(b[12..<29])
        b[29] = UInt8(crc >> 24)
        b[30] = UInt8(crc >> 16 & 0xFF)
        b[31] = UInt8(crc >> 8 & 0xFF)
        b[32] = UInt8(crc & 0xFF)
        return b
    }

    func code(_ body: () throws -> Void) -> CodecError? {
        do {
            try body()
            return nil
        } catch let error as CodecError {
            return error
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }

    @Test("a PNG header claiming 100000x100000 is refused by the pixel limit")
    func pngBomb() throws {
        let bytes = try Self.pngClaiming(width: 100_000, height: 100_000)
        let decoder = try ImageDecoder()
        #expect(try decoder.readInfo(bytes).width == 100_000)
        let error = code { _ = try decoder.decode(bytes) }
        #expect(error?.kind == .tooManyPixels)
        #expect(error?.description.contains("100000x100000") == true)
    }

    @Test("a JPEG header claiming 65000x65000 (JPEG's maximum is 65535) is refused by the pixel limit")
    func jpegBomb() throws {
        let bytes = try Self.jpegClaiming(width: 65_000, height: 65_000)
        let decoder = try ImageDecoder()
        let error = code { _ = try decoder.decode(bytes) }
        #expect(error?.kind == .tooManyPixels)
        #expect(error?.format == "JPEG")
    }

    @Test("a lower --max-pixels style limit applies to both formats")
    func customLimit() throws {
        let decoder = try ImageDecoder(limits: DecodeLimits(maxPixels: 1000))
        #expect(code { _ = try decoder.decode(try Goldens.bytes("jpeg_444.jpg")) }?.kind == .tooManyPixels)
        #expect(code { _ = try decoder.decode(try Goldens.bytes("png_rgb8.png")) }?.kind == .tooManyPixels)
        decoder.limits = DecodeLimits(maxPixels: 61 * 43)
        #expect(code { _ = try decoder.decode(try Goldens.bytes("png_rgb8.png")) } == nil)
    }

    @Test("a corrupt JPEG: garbage after the header")
    func corruptJPEG() throws {
        var bytes = try Goldens.bytes("jpeg_420.jpg")
        // Overwrite the Huffman tables and everything after with a pattern that is not valid JPEG syntax.
        for i in 20..<bytes.count - 2 { bytes[i] = UInt8(truncatingIfNeeded: i &* 37) | 0x01 }
        let error = code { _ = try ImageDecoder().decode(bytes) }
        #expect(error?.kind == .corrupt || error?.kind == .truncated)
        #expect(error?.format == "JPEG")
        #expect((error?.detail.count ?? 0) > 20, "the TurboJPEG message is included: \(String(describing: error))")
    }

    @Test("a truncated JPEG reports truncation, as Pillow does")
    func truncatedJPEG() throws {
        let bytes = try Goldens.bytes("jpeg_420.jpg")
        let error = code { _ = try ImageDecoder().decode(Array(bytes.prefix(bytes.count / 2))) }
        #expect(error?.kind == .truncated)
        #expect(error?.detail.contains("Premature end") == true)
    }

    @Test("a truncated PNG", arguments: [0.3, 0.8, 0.97])
    func truncatedPNG(fraction: Double) throws {
        let bytes = try Goldens.bytes("png_rgb8.png")
        let cut = Array(bytes.prefix(Int(Double(bytes.count) * fraction)))
        let error = code { _ = try ImageDecoder().decode(cut) }
        // The shim's read callback runs out of data: a status code, not a guess from libpng's words.
        #expect(error?.kind == .truncated, "\(String(describing: error))")
        #expect(error?.detail.hasPrefix("libpng: ") == true, "\(String(describing: error))")
    }

    /// png_rgb8.png with its image data cut to the first `keep` bytes of the first IDAT (later IDATs dropped,
    /// CRC fixed), so the file ends properly with IEND but its rows stop early.
    static func pngWithShortImageData(keep: Int) throws -> [UInt8] {
        let b = try Goldens.bytes("png_rgb8.png")
        var out = Array(b.prefix(8))
        var i = 8
        var sawIDAT = false
        while i + 12 <= b.count {
            let length = Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3])
            let type = Array(b[i + 4..<i + 8])
            let chunk = Array(b[i..<i + 12 + length])
            i += 12 + length
            guard type == Array("IDAT".utf8) else {
                out += chunk
                continue
            }
            if sawIDAT { continue }
            sawIDAT = true
            let data = Array(chunk[8..<8 + min(keep, length)])
            let n = UInt32(data.count)
            out += [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + type + data
            let crc = crc32(type + data)
            out += [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)]
        }
        return out
    }

    @Test("a PNG whose image data stops before the last row, with a proper end, is truncated too")
    func shortImageData() throws {
        let error = code { _ = try ImageDecoder().decode(try Self.pngWithShortImageData(keep: 40)) }
        #expect(error?.kind == .truncated, "\(String(describing: error))")
        // libpng's own error for it, which has no code: the shim compares it exactly.
        #expect(error?.detail == "libpng: Not enough image data", "\(String(describing: error))")
    }

    @Test("a PNG cut inside its header")
    func pngHeaderCut() throws {
        let bytes = Array(try Goldens.bytes("png_rgb8.png").prefix(20))
        #expect(code { _ = try ImageDecoder().readInfo(bytes) }?.kind == .truncated)
    }

    @Test("a PNG whose pixel data is damaged fails its CRC or zlib check")
    func damagedPNG() throws {
        var bytes = try Goldens.bytes("png_rgb8.png")
        for i in 60..<90 { bytes[i] ^= 0x5A }
        let error = code { _ = try ImageDecoder().decode(bytes) }
        #expect(error?.kind == .corrupt)
    }

    @Test("neither JPEG nor PNG")
    func unknown() throws {
        let error = code { _ = try ImageDecoder().decode(Array("GIF89a....".utf8)) }
        #expect(error?.kind == .unknownFormat)
        #expect(error?.description.contains("47 49 46 38") == true)
        #expect(code { _ = try ImageDecoder().decode([UInt8]()) }?.kind == .unknownFormat)
    }

    @Test("an unsupported scale is refused")
    func badScale() throws {
        let error = code { _ = try JPEGDecoder().decode(try Goldens.bytes("jpeg_420.jpg"), scale: JPEGScale(1, 3)) }
        #expect(error?.kind == .unsupported)
    }
}
