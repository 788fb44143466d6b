public import CvatAPI
import Foundation

/// A task as the cache holds it: everything an export reads, without the network.
public struct CachedTask: Sendable {
    public let model: TaskModel
    public let labels: [LabelModel]
    public let meta: DataMeta
    public let layout: CacheLayout
    /// Video tasks: the frames an export reads (every needed file is cached). Nil for image tasks.
    public let videoSource: VideoFrameSource?
    /// The folder `frameLocation` points into, as a path made once: an export plans every frame, and a path
    /// built through URL per frame (a stat per component) cost more than the rest of the plan.
    private let frameDirectory: String

    init(model: TaskModel, labels: [LabelModel], meta: DataMeta, layout: CacheLayout, videoSource: VideoFrameSource?) {
        self.model = model
        self.labels = labels
        self.meta = meta
        self.layout = layout
        self.videoSource = videoSource
        switch videoSource {
        case nil: frameDirectory = layout.chunkDirectory(model.id).path
        case .compressed: frameDirectory = layout.compressedChunkDirectory(model.id).path
        case .original: frameDirectory = layout.videoFrameDirectory(model.id).path
        }
    }

    public var id: Int { model.id }

    /// Only the task's model, from task.json: enough to decide whether the task belongs in an export.
    public static func model(id: Int, layout: CacheLayout) throws(CacheError) -> TaskModel {
        try CacheJSON.readTaskFile(layout.taskJSON(id), task: id).model
    }

    /// Loads a task's metadata from the cache, naming the first file that is missing or unreadable.
    ///
    /// `videoFrames` is the source a video task's frames should come from; nil accepts whichever is complete
    /// (original frames first).
    public static func load(id: Int, layout: CacheLayout, videoFrames: VideoFrameSource? = nil) throws(CacheError)
        -> CachedTask
    {
        let taskFile = try CacheJSON.readTaskFile(layout.taskJSON(id), task: id)
        let metaURL = layout.dataMetaJSON(id)
        guard let metaBytes = FileIO.read(metaURL) else {
            if !FileIO.exists(layout.annotationsJSON(id)) && !FileIO.exists(layout.chunkDirectory(id)) {
                // task.json alone: a project sync with --subset recorded it (for cvat-sdk) but left its data out.
                throw CacheError(
                    .missing,
                    "task \(id) (\(taskFile.model.name), subset '\(taskFile.model.subset ?? "")') is cached for its "
                        + "metadata only, its data was left out by a project sync with --subset; run cvat-ds sync "
                        + "--task \(id)")
            }
            throw CacheError(.missing, "task \(id) is not fully cached: \(metaURL.path) is missing; run cvat-ds sync")
        }
        let meta = try CacheJSON.decodeDataMeta(metaBytes, file: metaURL)
        let model = taskFile.model
        guard FileIO.exists(layout.annotationsJSON(id)) else {
            throw CacheError(
                .missing,
                "task \(id) is not fully cached: \(layout.annotationsJSON(id).path) is missing; run cvat-ds sync")
        }
        guard model.isVideo else {
            for number in neededChunks(meta: meta, task: model) where !FileIO.exists(layout.chunk(id, number)) {
                throw CacheError(
                    .missing,
                    "task \(id) is not fully cached: chunk \(number) (\(layout.chunk(id, number).path)) is missing; run "
                        + "cvat-ds sync")
            }
            return CachedTask(model: model, labels: taskFile.labels, meta: meta, layout: layout, videoSource: nil)
        }
        let candidates = videoFrames.map { [model.videoFrameSource($0)] } ?? [.original, .compressed]
        var firstProblem: String?
        for source in candidates {
            if let problem = missingVideoFile(id: id, meta: meta, model: model, layout: layout, source: source) {
                firstProblem = firstProblem ?? problem
                continue
            }
            return CachedTask(model: model, labels: taskFile.labels, meta: meta, layout: layout, videoSource: source)
        }
        throw CacheError(.missing, "task \(id) is not fully cached: \(firstProblem ?? "its frames are missing")")
    }

    /// The first file of a video task's `source` that is not cached, in words, or nil when all are.
    private static func missingVideoFile(
        id: Int, meta: DataMeta, model: TaskModel, layout: CacheLayout, source: VideoFrameSource
    ) -> String? {
        switch source {
        case .original:
            for frame in activeFrames(meta: meta, task: model) where !FileIO.exists(layout.videoFrame(id, frame)) {
                return "frame \(frame) (\(layout.videoFrame(id, frame).path)) is missing; run cvat-ds sync --task \(id)"
            }
        case .compressed:
            for number in neededChunks(meta: meta, task: model) where !FileIO.exists(layout.compressedChunk(id, number))
            {
                return "compressed chunk \(number) (\(layout.compressedChunk(id, number).path)) is missing; run "
                    + "cvat-ds sync --task \(id) --video-frames compressed"
            }
        }
        return nil
    }

    /// Frames in task order, deleted ones left out: the samples cvat-sdk's TaskDataset has.
    public var activeFrames: [Int] { CachedTask.activeFrames(meta: meta, task: model) }

    static func activeFrames(meta: DataMeta, task: TaskModel) -> [Int] {
        let deleted = Set(meta.deletedFrames)
        return (0..<(task.size ?? 0)).filter { !deleted.contains($0) }
    }

    /// Where task-relative `frame`'s pixels are in the cache: a chunk zip and the member index inside it, or (for
    /// a video task read frame by frame) a PNG file.
    public func frameLocation(_ frame: Int) -> FrameLocation {
        let chunkSize = max(1, model.chunkSize ?? 1)
        switch videoSource {
        case nil, .compressed:
            // layout.chunk(id, n).path and layout.compressedChunk(id, n).path.
            return .chunkMember(path: frameDirectory + "/\(frame / chunkSize).zip", member: frame % chunkSize)
        case .original:
            // layout.videoFrame(id, frame).path
            return .file(path: frameDirectory + "/\(frame).png")
        }
    }

    /// The number of the media file that holds task-relative `frame`: its chunk, or the frame itself for a video read
    /// frame by frame. With the task id it names the file in `ChunkAvailability`.
    public func mediaNumber(ofFrame frame: Int) -> Int {
        videoSource == .original ? frame : frame / max(1, model.chunkSize ?? 1)
    }

    /// Chunks that hold at least one frame that is not deleted.
    public var neededChunks: [Int] { CachedTask.neededChunks(meta: meta, task: model) }

    static func neededChunks(meta: DataMeta, task: TaskModel) -> [Int] {
        guard let chunkSize = task.chunkSize, chunkSize > 0 else { return [] }
        let deleted = Set(meta.deletedFrames)
        var chunks: [Int] = []
        for frame in 0..<(task.size ?? 0) where !deleted.contains(frame) {
            let chunk = frame / chunkSize
            if chunks.last != chunk { chunks.append(chunk) }
        }
        return chunks
    }

    /// The task's annotations, decoded element by element from the mapped file (`Annotations.decodeStreaming`):
    /// memory holds the decoded values, not the document. `includeTracks == false` leaves the tracks out, for
    /// exports that never read them.
    public func loadAnnotations(includeTracks: Bool = true) throws(CacheError) -> Annotations {
        let url = layout.annotationsJSON(id)
        guard let file = MappedFile(path: url.path) else {
            if errno == ENOENT { throw CacheError(.missing, "task \(id): \(url.path) is missing; run cvat-ds sync") }
            throw FileIO.ioError("task \(id): cannot read \(url.path)")
        }
        do {
            return try Annotations.decodeStreaming(file.bytes, includeTracks: includeTracks) { file.release(upTo: $0) }
        } catch {
            throw CacheError(.corrupt, "task \(id): \(url.path) is not valid: \(error)")
        }
    }
}

extension CachedTask {
    /// The task's jobs from `jobs.json`, sorted by id. Only cvat-ds writes that file (every sync that fetches the
    /// task, and every export with job filters), so a cache that cvat-sdk wrote lacks it.
    public func loadJobs() throws(CacheError) -> [JobModel] {
        let url = layout.jobsJSON(id)
        guard let bytes = FileIO.read(url) else {
            throw CacheError(
                .missing,
                "task \(id): its jobs are not cached (\(url.path) is missing); export without --offline (or run "
                    + "cvat-ds sync --task \(id)) to fetch them")
        }
        return try CacheJSON.decode([JobModel].self, bytes, file: url).sorted { $0.id < $1.id }
    }
}

/// Where one frame's encoded image is in the cache.
public enum FrameLocation: Sendable, Hashable {
    /// Member `member` (0-based, in zip order) of the chunk zip at `path`.
    case chunkMember(path: String, member: Int)
    /// A file holding just this frame.
    case file(path: String)

    public var path: String {
        switch self {
        case .chunkMember(let path, _), .file(let path): path
        }
    }
}

/// A project as the cache holds it.
public struct CachedProject: Sendable {
    public let model: ProjectModel
    public let taskIDs: [Int]
    public let labels: [LabelModel]
    /// Each task's subset, recorded by cvat-ds beside cvat-sdk's fields (which cvat-sdk ignores), so that a
    /// subset can be chosen offline without every task being cached. Nil in a cache cvat-sdk wrote.
    public let taskSubsets: [Int: String]?

    public static func load(id: Int, layout: CacheLayout) throws(CacheError) -> CachedProject {
        let url = layout.projectJSON(id)
        guard let bytes = FileIO.read(url) else {
            throw CacheError(
                .missing, "project \(id) is not cached: \(url.path) is missing; run cvat-ds sync --project \(id)")
        }
        struct File: Decodable {
            var model: ProjectModel
            var tasks: [Int]
            var labels: [LabelModel]
            var taskSubsets: [String: String]?
            enum CodingKeys: String, CodingKey {
                case model, tasks, labels
                case taskSubsets = "cvat_ds_task_subsets"
            }
        }
        let file = try CacheJSON.decode(File.self, bytes, file: url)
        let subsets = file.taskSubsets.map { raw in
            Dictionary(uniqueKeysWithValues: raw.compactMap { key, value in Int(key).map { ($0, value) } })
        }
        return CachedProject(model: file.model, taskIDs: file.tasks, labels: file.labels, taskSubsets: subsets)
    }
}

/// Reading and writing the cache's JSON files in cvat-sdk's shapes.
enum CacheJSON {
    struct TaskFile: Decodable {
        var model: TaskModel
        var labels: [LabelModel]
    }

    static func readTaskFile(_ url: URL, task: Int) throws(CacheError) -> TaskFile {
        guard let bytes = FileIO.read(url) else {
            throw CacheError(
                .missing, "task \(task) is not cached: \(url.path) is missing; run cvat-ds sync --task \(task)")
        }
        return try decode(TaskFile.self, bytes, file: url)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8], file: URL) throws(CacheError) -> T {
        try reading(file) { try JSONDecoder().decode(type, from: Data(bytes)) }
    }

    /// `data_meta.json`, read as `decode` reads it (DataMeta.decode reads the frames plainly), with its errors.
    static func decodeDataMeta(_ bytes: [UInt8], file: URL) throws(CacheError) -> DataMeta {
        try reading(file) { try bytes.withUnsafeBytes { try DataMeta.decode($0) } }
    }

    /// `decode`'s result, its failure named by `file`.
    private static func reading<T>(_ file: URL, _ decode: () throws -> T) throws(CacheError) -> T {
        do {
            return try decode()
        } catch let error as DecodingError {
            throw CacheError(.corrupt, "\(file.path) is not valid: \(DecodingErrorText.describe(error))")
        } catch {
            throw CacheError(.corrupt, "\(file.path) is not valid JSON")
        }
    }

    /// `{"model": ..., "labels": [...]}` (plus `"tasks"` for a project), from the JSON the server sent.
    static func compose(model: [UInt8], labels: [UInt8], tasks: [Int]? = nil, taskSubsets: [Int: String]? = nil)
        throws(CacheError) -> [UInt8]
    {
        guard let modelObject = try? JSONSerialization.jsonObject(with: Data(model)),
            let labelsObject = try? JSONSerialization.jsonObject(with: Data(labels))
        else { throw CacheError(.corrupt, "the server's task or label JSON could not be parsed") }
        var document: [String: Any] = ["model": modelObject, "labels": labelsObject]
        if let tasks { document["tasks"] = tasks }
        if let taskSubsets {
            document["cvat_ds_task_subsets"] = Dictionary(uniqueKeysWithValues: taskSubsets.map { (String($0), $1) })
        }
        guard
            var data = try? JSONSerialization.data(
                withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { throw CacheError(.corrupt, "the cache file could not be encoded") }
        data.append(0x0A)  // cvat-sdk ends its files with a newline too
        return Array(data)
    }
}
