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

    static func export(samples: Int, shardSize: Int?) throws -> (shards: [Manifest.Shard], files: [String]) {
        let folder = try TestPaths.makeTemporaryDirectory("sharded-arrays")
        defer { try? FileManager.default.removeItem(at: folder) }
        let options = ExportOptions()
        let arrays = ShardedArrays(shardSize: shardSize) { suffix in
            try OutputArrays(folder: folder, options: options, fixedSize: size, suffix: suffix)
        }
        try arrays.open()
        for value in 0..<samples { try arrays.append(sample(UInt8(value))) }
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
