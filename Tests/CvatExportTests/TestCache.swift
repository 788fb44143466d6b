import CvatAPI
import CvatCache
import CvatTestSupport
import Foundation

/// A cache in a temporary folder laid out as `cvat-ds sync` leaves it, holding only what planning reads: each
/// task's task.json, data_meta.json, annotations.json and jobs.json. Chunks are empty files: `CachedTask.load`
/// checks that they exist, and planning never opens them.
final class TestCache {
    let root: URL
    let layout: CacheLayout

    /// One frame of a task's frame list.
    struct Frame {
        var name: String
        var width: Int
        var height: Int
    }

    init() throws {
        root = try TestPaths.makeTemporaryDirectory("cvat-export-tests")
        layout = CacheLayout(root: root, server: try ServerAddress(host: "http://127.0.0.1:8080"))
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    /// An image task of `frames` in chunks of `chunkSize`; `labels` are `(id, name)`.
    func addTask(
        id: Int, frames: [Frame], deleted: [Int] = [], chunkSize: Int = 2, labels: [(Int, String)] = [],
        jobs: [[String: Any]]? = nil
    ) throws {
        let model: [String: Any] = [
            "id": id, "name": "task \(id)", "updated_date": "2025-01-0\(id)T00:00:00Z", "size": frames.count,
            "data_chunk_size": chunkSize, "data_original_chunk_type": "imageset",
            "data_compressed_chunk_type": "imageset", "dimension": "2d", "mode": "annotation",
        ]
        let labelObjects = labels.map {
            ["id": $0.0, "name": $0.1, "type": "any", "sublabels": [Any]()] as [String: Any]
        }
        try write(["model": model, "labels": labelObjects], to: layout.taskJSON(id))
        let meta: [String: Any] = [
            "size": frames.count, "chunk_size": chunkSize, "deleted_frames": deleted,
            "frames": frames.map { ["name": $0.name, "width": $0.width, "height": $0.height] },
        ]
        try write(meta, to: layout.dataMetaJSON(id))
        try write(
            ["version": 0, "tags": [Any](), "shapes": [Any](), "tracks": [Any]()], to: layout.annotationsJSON(id))
        if let jobs { try write(jobs, to: layout.jobsJSON(id)) }
        try FileManager.default.createDirectory(at: layout.chunkDirectory(id), withIntermediateDirectories: true)
        for number in 0..<((frames.count + chunkSize - 1) / chunkSize) {
            try Data().write(to: layout.chunk(id, number))
        }
    }

    private func write(_ object: Any, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: object).write(to: url)
    }
}
