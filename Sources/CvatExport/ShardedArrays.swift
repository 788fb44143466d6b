import CvatTensors

/// What `ShardedArrays` drives for one shard: the arrays of the array formats (`OutputArrays`) or one
/// WebDataset tar (`WebDatasetShard`).
protocol ShardWriter: AnyObject {
    /// Bytes the shard's files hold so far, for `--shard-bytes`.
    var byteCount: Int { get }
    /// The bytes `sample` would add to the shard, for `--shard-bytes`.
    func byteCount(of sample: SampleOutput, record: Manifest.Sample, key: Int) throws -> Int
    /// `key` is the sample's number in the whole planned sample list (the same in every slice).
    func append(_ sample: SampleOutput, record: Manifest.Sample, key: Int) throws
    /// Finishes the shard's files and returns its manifest entry.
    func finishShard(index: Int, samples: Range<Int>) throws -> Manifest.Shard
}

extension OutputArrays: ShardWriter {
    /// Only webdataset shards are cut by size.
    var byteCount: Int { 0 }
    func byteCount(of sample: SampleOutput, record: Manifest.Sample, key: Int) throws -> Int { 0 }

    func append(_ sample: SampleOutput, record: Manifest.Sample, key: Int) throws { try append(sample) }

    func finishShard(index: Int, samples: Range<Int>) throws -> Manifest.Shard {
        let entries = try finish()
        let files = try finishFiles()
        return Manifest.Shard(index: index, samples: samples, arrays: entries, files: files)
    }
}

/// The export's samples split in shards of `shardSize` written samples, or (webdataset) of at most `shardBytes`
/// bytes, whichever comes first; one shard without either. A shard's files are finished as soon as it is full,
/// so no file grows past a shard.
final class ShardedArrays {
    /// Between shards (before the first sample, and after a shard filled up) no files are open; the next shard's
    /// are opened by the sample that needs them, so a last shard that would stay empty is never created.
    private enum State {
        case betweenShards
        case open(any ShardWriter)
    }

    private let shardSize: Int?
    private let shardBytes: Int?
    /// Makes shard `index`'s writer.
    private let make: (Int) throws -> any ShardWriter
    private var state = State.betweenShards
    private var shardStart = 0
    private var written = 0
    private var shards: [Manifest.Shard] = []

    init(shardSize: Int?, shardBytes: Int? = nil, make: @escaping (Int) throws -> any ShardWriter) {
        self.shardSize = shardSize
        self.shardBytes = shardBytes
        self.make = make
    }

    /// Opens the next shard's files, or returns the open ones.
    @discardableResult
    func open() throws -> any ShardWriter {
        if case .open(let writer) = state { return writer }
        let writer = try make(shards.count)
        state = .open(writer)
        return writer
    }

    /// A shard's number as it appears in file names: five digits, zero-padded.
    static func number(_ index: Int) -> String {
        let digits = String(index)
        return String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }

    /// Appends one sample; with `--shard-bytes` a shard that holds samples already is finished first when this
    /// one would take it past the size (a sample is never split, so one larger than the size is a shard alone).
    func append(_ sample: SampleOutput, record: Manifest.Sample, key: Int) throws {
        if let shardBytes, case .open(let writer) = state, written > shardStart {
            let needed = try writer.byteCount(of: sample, record: record, key: key)
            if writer.byteCount + needed + TarWriter.endOfArchiveSize > shardBytes { try close() }
        }
        try open().append(sample, record: record, key: key)
        written += 1
        if let shardSize, written - shardStart == shardSize { try close() }
    }

    private func close() throws {
        guard case .open(let writer) = state else { return }
        shards.append(try writer.finishShard(index: shards.count, samples: shardStart..<written))
        state = .betweenShards
        shardStart = written
    }

    /// Finishes the last shard (an empty one when there was no sample at all) and returns every shard.
    func finish() throws -> [Manifest.Shard] {
        if shards.isEmpty { try open() }
        try close()
        return shards
    }
}
