import CvatGeometry
import CvatTensors
import CvatTestSupport
import Foundation
import Testing

@testable import CvatExport
@testable import CvatTargets

@Suite struct ShardedArraysTests {
    /// 2x1 uint8 HWC images, no targets: the smallest sample `OutputArrays` writes.
    static let size = PixelSize(width: 2, height: 1)

    static func sample(_ value: UInt8) -> SampleOutput {
        SampleOutput(
            image: [UInt8](repeating: value, count: 6), outputSize: size, targets: SampleTargets(),
            annotationLine: Array("{\"frame\": \(value)}\n".utf8))
    }

    static func record(_ value: Int) -> Manifest.Sample {
        Manifest.Sample(taskID: 1, frame: value, name: "f\(value).jpg", width: 2, height: 1)
    }

    /// `images` webdataset samples whose image is `imageBytes[i]` bytes (a fake 1-row image), cut by `shardBytes`.
    static func webdataset(
        imageBytes: [Int], shardSize: Int? = nil, shardBytes: Int?
    ) throws -> (shards: [Manifest.Shard], files: [String]) {
        let folder = try TestPaths.makeTemporaryDirectory("sharded-webdataset")
        defer { try? FileManager.default.removeItem(at: folder) }
        var options = ExportOptions()
        options.format = .webdataset
        options.writeAnnotations = false
        let arrays = ShardedArrays(shardSize: shardSize, shardBytes: shardBytes) { shard in
            try WebDatasetShard(
                folder: folder, name: "shard-" + ShardedArrays.number(shard), options: options, keypointCount: 0,
                semanticWide: false, attributes: nil)
        }
        for (index, bytes) in imageBytes.enumerated() {
            let sample = SampleOutput(
                image: [UInt8](repeating: 1, count: bytes * 3), outputSize: PixelSize(width: bytes, height: 1),
                targets: SampleTargets(), annotationLine: nil)
            try arrays.append(sample, record: record(index), key: 100 + index)
        }
        let shards = try arrays.finish()
        for shard in shards {
            let size =
                try FileManager.default.attributesOfItem(
                    atPath: folder.appendingPathComponent(shard.file ?? "").path)[.size] as? Int
            #expect(size == shard.bytes)
        }
        return (shards, try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted())
    }

    @Test func shardBytesCutBeforeTheSampleThatWouldNotFitAndNeverSplitOne() throws {
        // A sample of w pixels: a .npy member of 128 + 3w bytes and a .json member, each padded to 512 bytes.
        // 100-pixel samples take 2048 bytes in the tar; 4000 pixels take 13824.
        let limit = 1024 + 2 * 2048
        let (shards, files) = try Self.webdataset(imageBytes: [100, 100, 100, 4000, 100], shardBytes: limit)
        #expect(shards.map(\.samples) == [[0, 2], [2, 3], [3, 4], [4, 5]])
        #expect(shards.map(\.bytes) == [limit, 1024 + 2048, 1024 + 13824, 1024 + 2048])
        #expect(shards.map(\.file) == (0..<4).map { "shard-0000\($0).tar" })
        #expect(shards.map(\.daliIndex) == (0..<4).map { "shard-0000\($0).idx" })
        #expect(shards.allSatisfy { $0.arrays.isEmpty && $0.sha256?.count == 64 })
        #expect(files.count == 8)
    }

    @Test func shardSizeAndShardBytesCutAtWhicheverComesFirst() throws {
        let (shards, _) = try Self.webdataset(
            imageBytes: Array(repeating: 100, count: 7), shardSize: 2, shardBytes: 1 << 20)
        #expect(shards.map(\.samples) == [[0, 2], [2, 4], [4, 6], [6, 7]])
        let (one, files) = try Self.webdataset(imageBytes: [], shardBytes: nil)
        #expect(one.map(\.samples) == [[0, 0]])
        #expect(one.first?.bytes == 1024)
        #expect(files == ["shard-00000.idx", "shard-00000.tar"])
    }

    static func export(samples: Int, shardSize: Int?) throws -> (shards: [Manifest.Shard], files: [String]) {
        let folder = try TestPaths.makeTemporaryDirectory("sharded-arrays")
        defer { try? FileManager.default.removeItem(at: folder) }
        let options = ExportOptions()
        let arrays = ShardedArrays(shardSize: shardSize) { shard in
            try OutputArrays(
                folder: folder, options: options, fixedSize: size,
                suffix: shardSize == nil ? "" : "-" + ShardedArrays.number(shard))
        }
        try arrays.open()
        for value in 0..<samples { try arrays.append(sample(UInt8(value)), record: record(value), key: value) }
        let shards = try arrays.finish()
        return (shards, try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted())
    }

    @Test func shardsEndEveryShardSizeSamples() throws {
        let (shards, files) = try Self.export(samples: 5, shardSize: 2)
        #expect(shards.map(\.index) == [0, 1, 2])
        #expect(shards.map(\.samples) == [[0, 2], [2, 4], [4, 5]])
        #expect(shards.map { $0.arrays["images"]?.shape } == [[2, 1, 2, 3], [2, 1, 2, 3], [1, 1, 2, 3]])
        #expect(
            shards.map { $0.arrays["images"]?.file } == ["images-00000.npy", "images-00001.npy", "images-00002.npy"])
        #expect(shards.map { $0.files?["annotations"]?.lines } == [2, 2, 1])
        #expect(
            files == [
                "annotations-00000.jsonl", "annotations-00001.jsonl", "annotations-00002.jsonl", "images-00000.npy",
                "images-00001.npy", "images-00002.npy",
            ])
    }

    @Test func aFullLastShardIsNotFollowedByAnEmptyOne() throws {
        let (shards, files) = try Self.export(samples: 4, shardSize: 2)
        #expect(shards.map(\.samples) == [[0, 2], [2, 4]])
        #expect(
            files == ["annotations-00000.jsonl", "annotations-00001.jsonl", "images-00000.npy", "images-00001.npy"])
    }

    @Test func withoutAShardSizeEverySampleIsInOneUnnumberedShard() throws {
        let (shards, files) = try Self.export(samples: 3, shardSize: nil)
        #expect(shards.map(\.samples) == [[0, 3]])
        #expect(
            shards.first?.arrays["images"]
                == Manifest.ArrayEntry(file: "images.npy", dtype: .uint8, shape: [3, 1, 2, 3]))
        #expect(
            shards.first?.files?["annotations"]
                == Manifest.FileEntry(file: "annotations.jsonl", format: "jsonl", lines: 3))
        #expect(files == ["annotations.jsonl", "images.npy"])
    }

    @Test(arguments: [2, nil] as [Int?])
    func anEmptyExportHasOneEmptyShard(shardSize: Int?) throws {
        let (shards, files) = try Self.export(samples: 0, shardSize: shardSize)
        let file = shardSize == nil ? "images.npy" : "images-00000.npy"
        let lines = shardSize == nil ? "annotations.jsonl" : "annotations-00000.jsonl"
        #expect(shards.count == 1)
        #expect(shards.first?.samples == [0, 0])
        #expect(shards.first?.arrays["images"] == Manifest.ArrayEntry(file: file, dtype: .uint8, shape: [0, 1, 2, 3]))
        #expect(shards.first?.files?["annotations"]?.lines == 0)
        #expect(files == [lines, file], "an empty annotations.jsonl: no sample, no line")
    }

    @Test func shardNumbersHaveFiveDigits() {
        #expect(ShardedArrays.number(0) == "00000")
        #expect(ShardedArrays.number(42) == "00042")
        #expect(ShardedArrays.number(123456) == "123456")
    }
}
