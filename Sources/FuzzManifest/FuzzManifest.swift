import CvatExport
import CvatPreview
import CvatTensors
import Foundation
import FuzzSupport

/// Fuzzes the readers of `manifest.json`: `preview`'s (`ExportReader`: `Manifest.read`, then every array the
/// manifest names opened and checked against it and against each other, then a few samples read) and
/// `merge-manifests`' (`ManifestMerge.merge` over two or three parts).
///
/// Input: up to three manifests separated by NUL bytes (JSON has none). The first is read as an export folder's
/// manifest; all of them are the parts of a merge. The folders hold small valid arrays, made once at start, in
/// every layout an export writes (fixed, ragged, raw, nchw float32, semantic, keypoints), and a few hostile ones
/// (offsets that overflow or fall, absurd image shapes, NaN boxes, a truncated file, text), so that a manifest
/// can name any of them with any dtype and shape. Checks: no crash (errors are thrown, never trapped), and a
/// merge that succeeds wrote a manifest that reads back with shards covering its samples in order.
let root: String = {
    let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    return base + "/fuzz-manifest-\(getpid())"
}()
let dataFolder = root + "/export"
let partFolders = (0..<3).map { root + "/part-\($0)" }
let mergedFolder = URL(fileURLWithPath: root + "/merged")

/// The arrays every folder holds.
func writeArrays(into folder: String) throws {
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    func npy<T>(_ name: String, _ dtype: DType, _ trailing: [Int], _ values: [T], raw: Bool = false) throws {
        let path = folder + "/" + name
        let writer: any ArrayWriter =
            raw
            ? try RawWriter(path: path, dtype: dtype, trailingShape: trailing, atomic: false)
            : try NPYWriter(path: path, dtype: dtype, trailingShape: trailing, atomic: false)
        switch values {
        case let v as [UInt8]: try writer.append(v)
        case let v as [UInt16]: try writer.append(v)
        case let v as [Int64]: try writer.append(v)
        case let v as [Float]: try writer.append(v)
        default: fatalError("no writer for \(T.self)")
        }
        try writer.finish()
    }
    let pixels = (0..<96).map { UInt8(truncatingIfNeeded: $0 &* 37) }
    try npy("images.npy", .uint8, [4, 4, 3], pixels)
    try npy("images.bin", .uint8, [4, 4, 3], pixels, raw: true)
    try npy("images_nchw.npy", .float32, [3, 4, 4], pixels.map { Float($0) / 128 - 1 })
    try npy("images_ragged.npy", .uint8, [], pixels)
    try npy("image_offsets.npy", .int64, [], [0, 48, 96] as [Int64])
    try npy("image_shapes.npy", .int64, [3], [4, 4, 3, 4, 4, 3] as [Int64])
    try npy("image_shapes_nchw.npy", .int64, [3], [3, 4, 4, 3, 4, 4] as [Int64])
    try npy("labels.npy", .int64, [], [0, 1] as [Int64])
    try npy("boxes.npy", .float32, [4], [0, 0, 2, 2, 1, 1, 3, 3, 0.5, 0.5, 4, 4] as [Float])
    try npy("boxes.bin", .float32, [4], [0, 0, 2, 2, 1, 1, 3, 3, 0.5, 0.5, 4, 4] as [Float], raw: true)
    try npy("box_offsets.npy", .int64, [], [0, 2, 3] as [Int64])
    try npy("box_labels.npy", .int64, [], [0, 1, 0] as [Int64])
    try npy("box_track_ids.npy", .int64, [], [-1, 7, -1] as [Int64])
    let mask = (0..<48).map { UInt8($0 % 3 == 0 ? 1 : 0) }
    try npy("masks.npy", .uint8, [4, 4], mask)
    try npy("masks_ragged.npy", .uint8, [], mask)
    try npy("mask_offsets.npy", .int64, [], [0, 16, 32, 48] as [Int64])
    try npy("semantic.npy", .uint8, [4, 4], (0..<32).map { UInt8($0 % 4 == 0 ? 255 : $0 % 2) })
    try npy("semantic16.npy", .uint16, [4, 4], (0..<32).map { UInt16($0 % 4 == 0 ? 300 : $0 % 2) })
    try npy("keypoints.npy", .float32, [2, 3], [1, 1, 2, 0, 0, 0, 2, 2, 1, 3, 3, 2, 4, 4, 2, 0, 1, 2] as [Float])
    // Hostile contents a damaged or hand-edited export could have.
    try npy("offsets_extreme.npy", .int64, [], [0, Int64.max, Int64.min] as [Int64])
    try npy("offsets_falling.npy", .int64, [], [0, 96, 48] as [Int64])
    try npy("shapes_huge.npy", .int64, [3], [Int64.max, 2, 3, -4, 4, 3] as [Int64])
    try npy("boxes_nan.npy", .float32, [4], [.nan, 0, .infinity, 2, -.infinity, 1, 3, 3, 0, 0, 1e38, 1e38] as [Float])
    try npy("truncated.npy", .uint8, [], [UInt8](repeating: 1, count: 100))
    guard truncate(folder + "/truncated.npy", 138) == 0 else { fatalError("cannot truncate in \(folder)") }
    try Data("not an array\n".utf8).write(to: URL(fileURLWithPath: folder + "/text.npy"))
}

let prepared: Void = {
    do {
        try? FileManager.default.removeItem(atPath: root)
        for folder in [dataFolder] + partFolders { try writeArrays(into: folder) }
        // libFuzzer ends the process with exit(); the folders are a few kilobytes of /dev/shm per run.
        atexit { try? FileManager.default.removeItem(atPath: root) }
    } catch {
        fatalError("cannot prepare \(root): \(error)")
    }
}()

func fuzzOne(_ input: UnsafeRawBufferPointer) {
    _ = prepared
    let manifests = input.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false).map { Data($0) }

    // preview: the export folder's manifest, its arrays, a few samples.
    write(manifests[0], into: dataFolder)
    if let reader = try? ExportReader(path: dataFolder) {
        for i in 0..<min(reader.count, 3) { _ = try? reader.sample(i) }
    }

    // merge-manifests: every part, into a folder beside them.
    for (manifest, folder) in zip(manifests, partFolders) { write(manifest, into: folder) }
    let parts = partFolders.prefix(manifests.count).map { URL(fileURLWithPath: $0) }
    guard let report = try? ManifestMerge.merge(parts: parts, into: mergedFolder, force: true) else { return }
    let merged: Manifest
    do {
        merged = try Manifest.read(from: mergedFolder.appendingPathComponent("manifest.json"))
    } catch {
        fatalError("the merged manifest does not read back: \(error)")
    }
    precondition(report.samples == merged.samples.count && report.shards == merged.shards?.count, "report \(report)")
    var next = 0
    for shard in merged.shards ?? [] {
        guard let range = shard.sampleRange, range.lowerBound == next else {
            fatalError("shard \(shard.index) covers \(shard.samples), the shards before it end at \(next)")
        }
        next = range.upperBound
    }
    precondition(next == merged.samples.count, "the shards cover \(next) of \(merged.samples.count) samples")
    _ = try? ExportReader(path: mergedFolder.path)
}

func write(_ manifest: Data, into folder: String) {
    do {
        try manifest.write(to: URL(fileURLWithPath: folder + "/manifest.json"))
    } catch {
        fatalError("cannot write the manifest into \(folder): \(error)")
    }
}

@main
enum Entry {
    static func main() { FuzzDriver.run(fuzzOne) }
}
