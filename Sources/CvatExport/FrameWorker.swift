import CvatArchive
import CvatCache
import CvatCodecs
import CvatGeometry
import CvatImage
import CvatTargets
import Foundation
import Synchronization

/// What one sample becomes: its image tensor bytes, its size in the output, and its targets.
struct SampleOutput: Sendable {
    /// The image in the output dtype and layout, as raw little-endian bytes.
    var image: [UInt8]
    var outputSize: PixelSize
    var targets: SampleTargets
    /// The sample's line of annotations.jsonl, newline included; nil with `--no-annotations`.
    var annotationLine: [UInt8]?
}

extension Exporter {
    /// Runs on a pool thread: reads the chunk member, renders the image and computes the targets.
    static func produce(
        _ job: SampleJob, task: CachedTask, annotations: FrameAnnotations, extractor: TargetExtractor,
        options: ExportOptions, catalog: LabelCatalog, pool: WorkerPool
    ) throws -> Result<SampleOutput, InvalidFrame> {
        // The targets first, as a re-export makes them without any image: a frame they reject is not decoded.
        let made = produceTargets(
            job, taskID: task.id, annotations: annotations, extractor: extractor, options: options, catalog: catalog)
        guard case .success(var output) = made else { return made }
        let where_ = "task \(task.id), frame \(job.frame) (\(job.name))"
        // Made here, not kept in the plan: a chunk path per sample was a tenth of the plan's memory.
        let location = task.frameLocation(job.frame)
        return try pool.withWorker { worker in
            let bytes: Data
            switch location {
            case .chunkMember(let path, let member):
                do {
                    bytes = try worker.chunk(path).member(at: member)
                } catch {
                    throw ExportError(.data, "\(where_): \(error)")
                }
            case .file(let path):
                do {
                    bytes = try Data(contentsOf: URL(fileURLWithPath: path))
                } catch {
                    throw ExportError(.data, "\(where_): cannot read \(path): \(error.localizedDescription)")
                }
            }
            do {
                // --keep-encoded: the chunk member's bytes as they are, never decoded.
                (output.image, output.outputSize) =
                    options.keepEncoded
                    ? ([UInt8](bytes), job.plan.sourceSize) : try worker.render(bytes, plan: job.plan, options: options)
                return .success(output)
            } catch let error as ExportError {
                throw ExportError(error.kind, "\(where_) in \(location.path): \(error.message)")
            } catch {
                throw ExportError(.data, "\(where_) in \(location.path): \(error)")
            }
        }
    }
}

/// Decoding state one worker reuses from frame to frame: a TurboJPEG handle, libpng, resampling buffers and the
/// chunk it read last (consecutive frames mostly share a chunk).
///
/// Not thread-safe: a worker is used by one task at a time, handed out by `WorkerPool` (the invariant behind
/// `@unchecked Sendable`).
final class FrameWorker: @unchecked Sendable {
    let decoder: ImageDecoder
    let resampler = Resampler()
    private var decoded = RGBImage(width: 1, height: 1)
    private var archive: ChunkArchive?

    init(maxPixels: Int) throws(CodecError) {
        decoder = try ImageDecoder(limits: DecodeLimits(maxPixels: maxPixels))
    }

    func chunk(_ path: String) throws(ChunkArchiveError) -> ChunkArchive {
        if let archive, archive.path == path { return archive }
        let opened = try ChunkArchive(path: path)
        archive = opened
        return opened
    }

    /// Decodes, resamples and crops one frame as `plan` says, and lays it out as `options` ask.
    func render(_ bytes: Data, plan: ImagePlan, options: ExportOptions) throws -> (image: [UInt8], size: PixelSize) {
        if let target = plan.resizeSize, options.dctScaling != .disabled {
            _ = try decoder.decode(
                bytes, minimumWidth: target.width, minimumHeight: target.height, scaling: options.dctScaling,
                into: &decoded)
        } else {
            try decoder.decode(bytes, into: &decoded)
            guard decoded.width == plan.sourceSize.width, decoded.height == plan.sourceSize.height else {
                throw ExportError(
                    .data,
                    "the image is \(decoded.width)x\(decoded.height) but the task's frame list says "
                        + "\(plan.sourceSize.width)x\(plan.sourceSize.height)")
            }
        }
        var image = decoded
        if let size = plan.resizeSize {
            image = try resampler.resize(decoded, width: size.width, height: size.height, filter: options.filter)
        }
        let crop = plan.crop
        if crop != PixelRect(x: 0, y: 0, width: image.width, height: image.height) {
            // Letterbox bars take the pad value; a centre crop larger than the image pads with 0, as torchvision.
            let fill: UInt8
            if case .letterbox = options.resize { fill = options.padValue } else { fill = 0 }
            var canvas = RGBImage(width: crop.width, height: crop.height, fill: (fill, fill, fill))
            canvas.paste(image, x: -crop.x, y: -crop.y)
            image = canvas
        }
        let layout: TensorLayout = options.layout
        switch options.pixelType {
        case .uint8:
            // An RGBImage's pixels are already HWC bytes: hand them over as they are (no second copy per frame).
            if layout == .hwc { return (image.pixels, PixelSize(width: image.width, height: image.height)) }
            var out = [UInt8](repeating: 0, count: image.elementCount)
            try image.writeUInt8(into: &out, layout: layout)
            return (out, PixelSize(width: image.width, height: image.height))
        case .float32:
            var floats = [Float](repeating: 0, count: image.elementCount)
            try image.writeFloat32(into: &floats, layout: layout, normalization: options.normalization ?? .unit)
            let bytes = floats.withUnsafeBytes { Array($0) }
            return (bytes, PixelSize(width: image.width, height: image.height))
        }
    }
}

/// Workers handed out to concurrent tasks, one task per worker at a time.
final class WorkerPool: @unchecked Sendable {
    private let idle = Mutex<[FrameWorker]>([])
    private let maxPixels: Int

    init(maxPixels: Int) {
        self.maxPixels = maxPixels
    }

    func withWorker<R>(_ body: (FrameWorker) throws -> R) throws -> R {
        let worker = try idle.withLock { $0.popLast() } ?? FrameWorker(maxPixels: maxPixels)
        defer { idle.withLock { $0.append(worker) } }
        return try body(worker)
    }
}
