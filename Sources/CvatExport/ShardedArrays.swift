import CvatTensors

/// The export's arrays split in shards of `shardSize` written samples (one shard without a size): a shard's files
/// are finished as soon as it is full, so no file grows past a shard.
final class ShardedArrays {
    /// Between shards (before the first sample, and after a shard filled up) no files are open; the next shard's
    /// are opened by the sample that needs them, so a last shard that would stay empty is never created.
    private enum State {
        case betweenShards
        case open(OutputArrays)
    }

    private let shardSize: Int?
    private let make: (String) throws -> OutputArrays
    private var state = State.betweenShards
    private var shardStart = 0
    private var written = 0
    private var shards: [Manifest.Shard] = []

    init(shardSize: Int?, make: @escaping (String) throws -> OutputArrays) {
        self.shardSize = shardSize
        self.make = make
    }

    /// Opens the next shard's files (`images-00000.npy`, ... with a shard size, `images.npy` without), or returns
    /// the open ones.
    @discardableResult
    func open() throws -> OutputArrays {
        if case .open(let arrays) = state { return arrays }
        let arrays = try make(shardSize == nil ? "" : "-" + Self.number(shards.count))
        state = .open(arrays)
        return arrays
    }

    /// A shard's number as it appears in file names: five digits, zero-padded.
    static func number(_ index: Int) -> String {
        let digits = String(index)
        return String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }

    func append(_ sample: SampleOutput) throws {
        try open().append(sample)
        written += 1
        if let shardSize, written - shardStart == shardSize { try close() }
    }

    private func close() throws {
        guard case .open(let arrays) = state else { return }
        let entries = try arrays.finish()
        let files = try arrays.finishFiles()
        shards.append(Manifest.Shard(index: shards.count, samples: shardStart..<written, arrays: entries, files: files))
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
