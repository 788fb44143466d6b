import CvatExport
import CvatTensors
import CvatTestSupport
import Foundation
import Testing

/// merge-manifests on parts whose `slice` a damaged or hand-edited manifest made absurd: an error naming the
/// part, never a trap (a negative N made `0..<N`) or a scan of a trillion slice numbers.
@Suite("fuzz regressions: merge-manifests")
struct ManifestMergeFuzzTests {
    static func part(index: Int, count: Int, samples: Range<Int>, total: Int) -> Manifest {
        let transform = Manifest.Transform(
            target: "none", resize: .init(mode: "none"), filter: "bilinear", layout: "nhwc", dtype: .uint8,
            normalize: nil, format: "npy", labelOffset: 0, labelMap: nil, shapeTypes: [], ellipseBox: "full-ellipse",
            tracks: false, jobFilter: nil, skipInvalid: false, dctScaling: "disabled", maxPixels: 1 << 20)
        var manifest = Manifest(
            tool: .init(name: "cvat-ds", version: "test"),
            source: .init(server: "http://localhost", tasks: [.init(id: 1, updatedDate: "2024-01-01T00:00:00Z")]),
            labels: .init(names: ["cat"]),
            samples: samples.map { .init(taskID: 1, frame: $0, name: "f\($0).png", width: 4, height: 4) },
            transform: transform)
        manifest.slice = Manifest.Slice(index: index, count: count, samples: samples, totalSamples: total)
        return manifest
    }

    @Test(
        "a slice count or index no --shard I/N writes is refused",
        arguments: [
            (index: 0, count: -1), (index: 0, count: 0), (index: 2, count: 2), (index: -1, count: 2),
        ])
    func impossibleSlice(_ slice: (index: Int, count: Int)) throws {
        let dir = try TestPaths.makeTemporaryDirectory("cvat-merge-fuzz")
        defer { try? FileManager.default.removeItem(at: dir) }
        let folder = dir.appendingPathComponent("part")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Self.part(index: slice.index, count: slice.count, samples: 0..<2, total: 2)
            .write(to: folder.appendingPathComponent("manifest.json"))
        let error = #expect(throws: ExportError.self) {
            _ = try ManifestMerge.merge(parts: [folder], into: dir.appendingPathComponent("merged"), force: true)
        }
        #expect(error?.message.contains("no --shard I/N writes") == true, "\(String(describing: error))")
    }

    @Test(
        "a part whose shards leave a gap or overlap is refused",
        arguments: [
            [0..<1, 2..<2], [0..<2, 1..<2], [0..<1],
        ])
    func shardsThatDoNotTile(_ ranges: [Range<Int>]) throws {
        // crash-f4c06caf...: shards [0, 1] and [2, 2] of a 2-sample part made a merged manifest whose last shard
        // started past the end of the one before.
        let dir = try TestPaths.makeTemporaryDirectory("cvat-merge-fuzz")
        defer { try? FileManager.default.removeItem(at: dir) }
        let folder = dir.appendingPathComponent("part")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var part = Self.part(index: 0, count: 1, samples: 0..<2, total: 2)
        part.shards = ranges.enumerated().map { Manifest.Shard(index: $0, samples: $1, arrays: [:]) }
        try part.write(to: folder.appendingPathComponent("manifest.json"))
        let error = #expect(throws: ExportError.self) {
            _ = try ManifestMerge.merge(parts: [folder], into: dir.appendingPathComponent("merged"), force: true)
        }
        let message = error?.message ?? ""
        #expect(message.contains("bad sample range") || message.contains("its shards hold samples"), "\(message)")
    }

    @Test("a slice of a trillion names the first missing ones and counts the rest")
    func hugeSliceCount() throws {
        let dir = try TestPaths.makeTemporaryDirectory("cvat-merge-fuzz")
        defer { try? FileManager.default.removeItem(at: dir) }
        let folder = dir.appendingPathComponent("part")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let count = 1_000_000_000_000
        try Self.part(index: 0, count: count, samples: 0..<2, total: 2)
            .write(to: folder.appendingPathComponent("manifest.json"))
        let error = #expect(throws: ExportError.self) {
            _ = try ManifestMerge.merge(parts: [folder], into: dir.appendingPathComponent("merged"), force: true)
        }
        let message = error?.message ?? ""
        #expect(message.hasPrefix("slices 1/\(count), 2/\(count),"), "\(message)")
        #expect(message.contains("10/\(count) and \(count - 11) more of 2 samples are missing"), "\(message)")
    }
}
