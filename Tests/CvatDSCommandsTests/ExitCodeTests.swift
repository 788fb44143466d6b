import CvatAPI
import CvatArchive
import CvatCache
import CvatCodecs
import CvatErrors
import CvatExport
import CvatGeometry
import CvatHTTP
import CvatImage
import CvatSystem
import CvatTargets
import CvatTensors
import Foundation
import Testing

@testable import CvatDSCommands

/// An error that is no CvatError: what a bug looks like to the commands.
private struct Unexpected: Error {}

/// Every kind of every layer's error, with the exit code the table in ExitCodes.swift documents for it.
private let documented: [(String, any Error, Int32)] = [
    ("HTTP connection", HTTPError(kind: .connection, message: "refused", url: "u"), 69),
    ("HTTP timeout", HTTPError(kind: .timeout, message: "slow", url: "u"), 69),
    ("HTTP TLS", HTTPError(kind: .tls, message: "untrusted", url: "u"), 69),
    ("HTTP interrupted", HTTPError(kind: .interrupted, message: "reset", url: "u"), 69),
    ("HTTP status", HTTPError(kind: .status(503), message: "503", url: "u", attempts: 3), 69),
    ("HTTP other", HTTPError(kind: .other, message: "curl", url: "u"), 69),
    ("HTTP body too large", HTTPError(kind: .tooLarge, message: "big", url: "u"), 65),
    ("HTTP body not written", HTTPError(kind: .io, message: "disk", url: "u"), 74),
    ("API usage", APIError(.usage, "bad flag"), 64),
    ("API authentication", APIError(.authentication, "401"), 77),
    ("API permission", APIError(.permission, "403"), 77),
    ("API not found", APIError(.notFound, "task 9"), 66),
    ("API network", APIError(.network, "down"), 69),
    ("API bad response", APIError(.badResponse, "JSON"), 65),
    ("API not cached", APIError(.notCached, "task 2 is not cached"), 66),
    ("API from a TLS failure", APIError.network(HTTPError(kind: .tls, message: "x", url: "u"), doing: "login"), 69),
    ("API from a disk failure", APIError.network(HTTPError(kind: .io, message: "x", url: "u"), doing: "get"), 74),
    ("API I/O", APIError(.io, "cannot write 0.zip.partial"), 74),
    ("cache missing", CacheError(.missing, "task 1"), 66),
    ("cache corrupt", CacheError(.corrupt, "task 1"), 65),
    ("cache I/O", CacheError(.io, "task 1"), 74),
    ("cache busy", CacheError(.busy, "task 1"), 75),
    ("chunk unreadable", ChunkArchiveError(.unreadable, path: "0.zip", detail: "EACCES"), 74),
    ("chunk not a zip", ChunkArchiveError(.notAZip, path: "0.zip", detail: "no directory"), 65),
    ("chunk truncated", ChunkArchiveError(.truncated, path: "0.zip", detail: "cut"), 65),
    ("chunk checksum", ChunkArchiveError(.checksumMismatch, path: "0.zip", member: "000000.jpg", detail: "crc"), 65),
    ("chunk member index", ChunkArchiveError(.memberIndexOutOfRange, path: "0.zip", detail: "7 of 4"), 65),
    ("image size", ImageError.invalidSize(width: 0, height: 5), 65),
    ("image box", ImageError.invalidBox(left: 0, top: 0, right: 0, bottom: 0, width: 4, height: 4), 65),
    ("image buffer", ImageError.bufferSizeMismatch(expected: 12, actual: 11), 1),
    ("image destination", ImageError.destinationTooSmall(needed: 6, available: 5), 1),
    ("codec unknown format", CodecError(.unknownFormat, format: nil, detail: "GIF"), 65),
    ("codec corrupt", CodecError(.corrupt, format: "JPEG", detail: "bad Huffman"), 65),
    ("codec truncated", CodecError(.truncated, format: "PNG", detail: "cut"), 65),
    ("codec too many pixels", CodecError(.tooManyPixels, format: "PNG", detail: "bomb"), 65),
    ("codec unsupported", CodecError(.unsupported, format: "JPEG", detail: "scale"), 65),
    ("codec library", CodecError(.libraryFailure, format: "JPEG", detail: "tjInitDecompress"), 1),
    ("PNG file", PNGEncodeError(path: "/x/sheet.png", message: "EACCES"), 73),
    ("PNG in memory", PNGEncodeError(path: nil, message: "too large"), 1),
    ("plan source size", ImagePlanError.invalidSourceSize(PixelSize(width: 0, height: 5)), 65),
    ("plan target size", ImagePlanError.invalidTargetSize(PixelSize(width: 0, height: 5)), 64),
    ("plan shorter side", ImagePlanError.invalidShorterSide(0), 64),
    ("mask resample", MaskResampleError.sourceSizeMismatch(expected: 2, actual: 3), 1),
    ("polygon", PolygonError.tooFewPoints(count: 1), 65),
    ("polygon buffer", PolygonError.bufferSizeMismatch(expected: 4, actual: 3), 1),
    ("label map", LabelMapError.missingLabel(name: "dog", labelID: 7, mappedNames: []), 64),
    ("label ids", LabelMapError.duplicateLabelID(3), 65),
    ("single label", SingleLabelError.multipleTags(count: 2), 65),
    ("mask RLE", MaskDecodeError.lengthMismatch(runTotal: 5, boxArea: 4), 65),
    ("mask RLE buffer", MaskDecodeError.bufferSizeMismatch(expected: 25, actual: 3), 1),
    ("track", TrackInterpolationError.conflictingKeyframes(trackID: 1, frame: 2), 65),
    ("tensor read missing", TensorReadError(.missing, path: "images.npy", "no such file"), 66),
    ("tensor read I/O", TensorReadError(.io, path: "images.npy", "EIO"), 74),
    ("tensor read malformed", TensorReadError(.malformed, path: "images.npy", "truncated"), 65),
    ("tensor write disk full", TensorWriteError.writeFailed(path: "images.npy", errno: ENOSPC), 74),
    ("tensor write I/O", TensorWriteError.writeFailed(path: "images.npy", errno: EIO), 74),
    ("tensor create refused", TensorWriteError.cannotCreate(path: "images.npy", errno: EACCES), 73),
    ("tensor create disk full", TensorWriteError.cannotCreate(path: "images.npy", errno: ENOSPC), 74),
    ("tensor finish", TensorWriteError.cannotFinish(path: "images.npy", errno: EIO), 74),
    ("tensor misuse", TensorWriteError.alreadyFinished(path: "images.npy"), 1),
    ("tensor tar member", TensorWriteError.invalidMember(path: "shard-00000.tar", "name too long"), 1),
    ("manifest write", ManifestError.cannotWrite(path: "manifest.json", reason: "EACCES"), 74),
    ("manifest read", ManifestError.cannotRead(path: "manifest.json", reason: "bad JSON"), 65),
    (
        "manifest missing",
        ManifestError.cannotRead(
            path: "manifest.json", reason: "no such file", underlying: CocoaError(.fileReadNoSuchFile)), 66
    ),
    ("manifest version", ManifestError.unsupportedVersion(path: "manifest.json", version: 2), 65),
    ("manifest shards", ManifestError.inconsistent("shards disagree"), 65),
    ("export data", ExportError(.data, "task 1, frame 2"), 65),
    ("export output", ExportError(.output, "out exists"), 73),
    ("export I/O", ExportError(.io, "disk full"), 74),
    ("export usage", ExportError(.usage, "--shard"), 64),
    ("system call", SystemError("write", path: "x", errno: EIO), 74),
    ("command failure", Failure(code: ExitCodes.notFound, message: "no export folder"), 66),
    ("command failure, unknown code", Failure(code: 42, message: "?"), 1),
    ("cancellation", CancellationError(), 130),
    ("anything else", Unexpected(), 1),
]

@Suite("Every error of every layer exits with its documented code")
struct ExitCodeTests {
    @Test(arguments: documented.indices)
    func classifies(_ index: Int) {
        let (name, error, code) = documented[index]
        #expect(ErrorReport.classify(error).code == code, "\(name): \(error)")
    }

    @Test("each category has its own exit code, and a command's code maps back to its category")
    func tableIsOneToOne() {
        let codes = ErrorCategory.allCases.map(ErrorReport.exitCode)
        #expect(Set(codes).count == ErrorCategory.allCases.count)
        for category in ErrorCategory.allCases {
            #expect(ErrorReport.category(exitCode: ErrorReport.exitCode(category)) == category)
        }
    }

    @Test("the message is the error's text with its advice, unchanged from before")
    func messages() {
        let tls = APIError.network(HTTPError(kind: .tls, message: "self-signed", url: "https://c"), doing: "logging in")
        #expect(
            ErrorReport.classify(tls).message
                == "logging in failed: TLS verification failed (self-signed); pass --ca-cert FILE for a private CA, "
                + "or --insecure to skip verification")
        let retried = HTTPError(kind: .status(503), message: "HTTP 503", url: "https://c/api", attempts: 3)
        #expect(ErrorReport.classify(retried).message == "HTTP 503: https://c/api (after 3 attempts)")
        let full = TensorWriteError.writeFailed(path: "/out/images.npy", errno: ENOSPC)
        #expect(
            ErrorReport.classify(full).message
                == "cannot write /out/images.npy: No space left on device; "
                + "free some space or write the export elsewhere")
        #expect((full.underlying as? SystemError)?.errno == ENOSPC)
        #expect(ErrorReport.classify(CacheError(.busy, "task 3 is locked")).message == "task 3 is locked")
    }
}
