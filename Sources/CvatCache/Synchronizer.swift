public import CvatAPI
import CvatJSON
import Foundation

/// What happened while syncing, for progress display. Delivered from many tasks at once; keep handlers quick.
public enum SyncEvent: Sendable {
    /// A task is being checked; `chunksToFetch` is known once its frame list is.
    case taskStarted(id: Int, name: String)
    case chunksPlanned(task: Int, toFetch: Int, cached: Int)
    case bytesReceived(Int)
    case chunkFinished(task: Int, number: Int)
    case taskFinished(TaskSyncReport)
    /// Something the user should know that does not stop the sync.
    case warning(String)
}

/// What a task's sync did, for `--json` and for tests.
public struct TaskSyncReport: Sendable, Codable, Equatable {
    public enum Outcome: String, Sendable, Codable {
        /// `updated_date` unchanged and every file present: one request.
        case upToDate = "up-to-date"
        /// Newly cached.
        case fetched
        /// Changed on the server and refreshed.
        case updated
        /// Not cached: the task has no data or is not an image task.
        case skipped
    }

    public var id: Int
    public var name: String
    public var outcome: Outcome
    public var updatedDate: String
    public var frames: Int
    public var chunksDownloaded: Int
    public var chunksKept: Int
    public var annotationsFetched: Bool
    public var reason: String?
    /// Video tasks only: where the frames came from (`original` PNG frames or `compressed` chunks).
    public var videoFrames: VideoFrameSource?
    /// Video tasks read frame by frame: PNG frames downloaded and already cached.
    public var framesDownloaded: Int?
    public var framesKept: Int?

    enum CodingKeys: String, CodingKey {
        case id, name, outcome, frames, reason
        case updatedDate = "updated_date"
        case chunksDownloaded = "chunks_downloaded"
        case chunksKept = "chunks_kept"
        case annotationsFetched = "annotations_fetched"
        case videoFrames = "video_frames"
        case framesDownloaded = "frames_downloaded"
        case framesKept = "frames_kept"
    }
}

/// Brings the cache up to date with the server, downloading only what changed.
///
/// Order matters for crash safety: stale chunks are removed before the new frame list is written, and
/// `task.json` (whose `updated_date` both tools use to judge freshness) is written last. A run stopped at any
/// point therefore leaves a cache that the next run, of either tool, recognises as not yet current.
public struct Synchronizer: Sendable {
    public let client: CvatClient
    public let layout: CacheLayout
    public let jobs: Int
    /// Fetch `jobs.json` again even for a task whose `updated_date` did not change (one request per task).
    ///
    /// Set by exports with `--job-stage`/`--job-state`: CVAT does not promise that moving a job to another stage or
    /// state touches its task's `updated_date` (only annotation saves are documented to), so the task's date alone
    /// cannot say whether the cached job list is current.
    public let refreshJobs: Bool
    /// Which frames of a video task to fetch (`--video-frames`); image tasks ignore it.
    public let videoFrames: VideoFrameSource
    public let onEvent: @Sendable (SyncEvent) -> Void

    public init(
        client: CvatClient, layout: CacheLayout, jobs: Int, refreshJobs: Bool = false,
        videoFrames: VideoFrameSource = .original, onEvent: @escaping @Sendable (SyncEvent) -> Void
    ) {
        self.client = client
        self.layout = layout
        self.jobs = max(1, jobs)
        self.refreshJobs = refreshJobs
        self.videoFrames = videoFrames
        self.onEvent = onEvent
    }

    /// Syncs one task named on the command line: a task that cannot be cached is an error here.
    public func syncTask(_ id: Int) async throws -> TaskSyncReport {
        let (model, json) = try await taskToSync(id)
        return try await sync(task: model, json: json, labels: nil)
    }

    /// A task named on the command line, from the server: one that cannot be cached is an error here.
    func taskToSync(_ id: Int) async throws -> (model: TaskModel, json: [UInt8]) {
        try FileIO.createPrivateDirectories(layout)
        let fetched: (model: TaskModel, json: [UInt8])
        do {
            fetched = try await client.task(id)
        } catch let error as APIError where error.kind == .notFound && FileIO.exists(layout.taskJSON(id)) {
            // Saying only "not found" would leave the user wondering whether the cache is still good.
            throw APIError(
                .notFound,
                "task \(id) is no longer on \(client.server) (deleted, or this account lost access to it); its "
                    + "cached copy in \(layout.taskDirectory(id).path) was left as it was; delete that folder to drop it"
            )
        }
        if let reason = fetched.model.unsupportedReason {
            throw APIError(.badResponse, "task \(id) (\(fetched.model.name)) cannot be synced: \(reason)")
        }
        return fetched
    }

    /// Syncs a project's tasks (those in `subsets`, when given): the metadata of every task first, then their
    /// media in task id order, `jobs` files at a time across task boundaries.
    public func syncProject(_ id: Int, subsets: [String]?) async throws -> [TaskSyncReport] {
        try await fetchMedia(try await stageProject(id, subsets: subsets))
    }

    /// A task of another subset gets its task.json only (as a task cvat-ds cannot export does): cvat-sdk, offline,
    /// loads every task of a project to read its subset before it filters (`ProjectVisionDataset` with
    /// `include_subsets`), so without it the SDK cannot read a subset cvat-ds synced. Without data_meta.json the
    /// task is still not cached for cvat-ds (an offline export names it) nor current for a later sync, which
    /// fetches everything. An existing task.json is left as it is: a newer one over older data would make that
    /// data look current to both tools.
    func recordLeftOutTask(_ model: TaskModel, json: [UInt8], labels: [UInt8]) throws {
        guard !FileIO.exists(layout.taskJSON(model.id)) else { return }
        try FileIO.createDirectory(layout.taskDirectory(model.id))
        try FileIO.writeAtomically(try CacheJSON.compose(model: json, labels: labels), to: layout.taskJSON(model.id))
    }

    /// Brings one task up to date given its current server model. `labels` is the project's label list when the
    /// task is synced as part of a project (the server would return the same list for the task).
    private func sync(task model: TaskModel, json: [UInt8], labels projectLabels: [UInt8]?) async throws
        -> TaskSyncReport
    {
        let staged = try await stage(task: model, json: json, labels: projectLabels)
        try await forEachConcurrently(staged.media.missing) { number in
            try await fetchMediaItem(number, of: staged)
        }
        return try complete(staged)
    }

    /// Everything of a task's sync but its media: the task is locked, its metadata, annotations and jobs are in the
    /// cache, and the chunks (or frames) still to download are known. `complete` finishes it once they are in.
    func stage(task model: TaskModel, json: [UInt8], labels projectLabels: [UInt8]?) async throws -> StagedTask {
        let id = model.id
        onEvent(.taskStarted(id: id, name: model.name))
        let lock = try await TaskLock.acquire(layout.taskLock(id))
        FileIO.removeStaleTemporaries(in: layout.taskDirectory(id))

        let cachedTask = try? CacheJSON.readTaskFile(layout.taskJSON(id), task: id)
        let cachedMeta = FileIO.read(layout.dataMetaJSON(id)).flatMap {
            try? CacheJSON.decodeDataMeta($0, file: layout.dataMetaJSON(id))
        }
        let newDate = Timestamp(model.updatedDate)
        let cachedDate = cachedTask.flatMap { Timestamp($0.model.updatedDate) }
        if let cachedTask, let cachedDate, let newDate, newDate < cachedDate {
            onEvent(
                .warning(
                    "task \(id): the server's updated_date (\(model.updatedDate)) is older than the cached one "
                        + "(\(cachedTask.model.updatedDate)); refetching it to be safe"))
        }
        let unchanged =
            cachedDate != nil && cachedDate == newDate && cachedMeta != nil
            && FileIO.exists(layout.annotationsJSON(id))

        if unchanged, let cachedMeta, let cachedTask {
            // Only files lost since the last sync need fetching; the metadata is current.
            if refreshJobs { try await fetchJobs(task: id) }
            return StagedTask(
                model: model, meta: cachedMeta, labels: cachedTask.labels, taskDocument: nil,
                outcome: .upToDate, media: try planMedia(task: model, meta: cachedMeta), lock: lock)
        }

        let labelsJSON: [UInt8]
        if let projectLabels {
            labelsJSON = projectLabels
        } else {
            labelsJSON = try await client.labels(of: .task(id)).json
        }
        let labels = try? JSONDecoder().decode([LabelModel].self, from: Data(labelsJSON))
        if let cachedTask, let labels, let change = Synchronizer.labelChanges(from: cachedTask.labels, to: labels) {
            onEvent(
                .warning(
                    "task \(id): the label set changed since the last sync (\(change)); label indices of exports "
                        + "made before may not match new ones"))
        }
        let (meta, metaJSON) = try await client.dataMeta(taskID: id)
        // The frame list of an earlier (possibly interrupted) run says which media its chunks came from.
        let chunksCurrent =
            cachedMeta?.chunksUpdatedDate.flatMap(Timestamp.init) != nil
            && cachedMeta?.chunksUpdatedDate.flatMap(Timestamp.init) == meta.chunksUpdatedDate.flatMap(Timestamp.init)
            && cachedMeta?.chunkSize == meta.chunkSize && cachedMeta?.size == meta.size
        if !chunksCurrent {
            // The media changed (or we cannot tell): no old chunk or frame may survive next to the new frame list.
            FileIO.remove(layout.chunkDirectory(id))
            FileIO.remove(layout.compressedChunkDirectory(id))
            FileIO.remove(layout.videoFrameDirectory(id))
        }
        try FileIO.createDirectory(layout.taskDirectory(id))
        try FileIO.writeAtomically(metaJSON, to: layout.dataMetaJSON(id))
        try await fetchAnnotations(task: id)
        try await fetchJobs(task: id)
        let document = try CacheJSON.compose(model: json, labels: labelsJSON)
        return StagedTask(
            model: model, meta: meta, labels: labels, taskDocument: document,
            outcome: cachedTask == nil ? .fetched : .updated, media: try planMedia(task: model, meta: meta),
            lock: lock)
    }

    /// Ends a staged task's sync once every item of its media plan is in: task.json last, then the report.
    func complete(_ staged: StagedTask) throws -> TaskSyncReport {
        let model = staged.model
        var report: TaskSyncReport
        if let document = staged.taskDocument {
            try FileIO.writeAtomically(document, to: layout.taskJSON(model.id))
            report = TaskSyncReport(
                id: model.id, name: model.name, outcome: staged.outcome, updatedDate: model.updatedDate,
                frames: staged.meta.size, chunksDownloaded: 0, chunksKept: 0, annotationsFetched: true, reason: nil)
        } else {
            report = TaskSyncReport(
                id: model.id, name: model.name, outcome: staged.media.missing.isEmpty ? .upToDate : .updated,
                updatedDate: model.updatedDate, frames: model.size ?? 0, chunksDownloaded: 0, chunksKept: 0,
                annotationsFetched: false, reason: nil)
        }
        staged.media.record(in: &report)
        onEvent(.taskFinished(report))
        return report
    }

    private func fetchAnnotations(task id: Int) async throws {
        let final = layout.annotationsJSON(id)
        let temporary = final.path + ".tmp-cvat-ds-\(getpid())"
        unlink(temporary)
        do {
            try await client.downloadAnnotations(taskID: id, to: temporary)
            // A body that is not JSON is a server or proxy fault; never let it become the cached annotations. The
            // check scans the file in place (constant memory, pages given back behind it): annotations of dense
            // tracks can be gigabytes.
            guard let file = MappedFile(path: temporary) else {
                throw FileIO.ioError("task \(id): cannot read the downloaded annotations \(temporary)")
            }
            do {
                try JSONScanner(file.bytes) { file.release(upTo: $0) }.validateObject()
            } catch {
                throw APIError(
                    .badResponse,
                    "the annotations of task \(id) from \(client.server) are not valid JSON (\(error)); they were "
                        + "not cached")
            }
            let fd = open(temporary, O_RDONLY | O_CLOEXEC)
            try FileIO.commit(fd: fd, temporary: temporary, to: final)
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// `GET /api/jobs?task_id=` into `jobs.json` (a cvat-ds extension of the cache; cvat-sdk ignores it).
    private func fetchJobs(task id: Int) async throws {
        let json = try await client.jobs(taskID: id).json
        try FileIO.writeAtomically(json, to: layout.jobsJSON(id))
    }

    /// What a task's media sync does: which chunks (of which quality) or video frames are missing and will be
    /// downloaded, and how many are kept from the cache.
    struct MediaPlan: Sendable {
        enum Kind: Sendable {
            case chunks(ChunkQuality)
            /// A video task's PNG frames, with the frame list's size to check them against.
            case frames(width: Int?, height: Int?)
        }
        var kind: Kind
        /// Chunk numbers, or frame numbers for `.frames`, in ascending order.
        var missing: [Int]
        var kept: Int
        /// Nil for image tasks.
        var video: VideoFrameSource?

        func record(in report: inout TaskSyncReport) {
            report.videoFrames = video
            if video == .original {
                report.framesDownloaded = missing.count
                report.framesKept = kept
            } else {
                report.chunksDownloaded = missing.count
                report.chunksKept = kept
            }
        }
    }

    /// Decides how a task's pixels come into the cache: original chunks for an image task; for a video task, its
    /// frames as `videoFrames` asks (PNG frames, or compressed chunks when they are image sets). Cached files that
    /// are unusable are removed here, so they are downloaded again.
    private func planMedia(task model: TaskModel, meta: DataMeta) throws -> MediaPlan {
        guard model.isVideo else {
            let (missing, kept) = try missingChunks(
                task: model, needed: CachedTask.neededChunks(meta: meta, task: model))
            return MediaPlan(kind: .chunks(.original), missing: missing, kept: kept, video: nil)
        }
        let source = model.videoFrameSource(videoFrames)
        if source != videoFrames {
            onEvent(
                .warning(
                    "task \(model.id): its compressed chunks are '\(model.compressedChunkType ?? "unknown")', not image "
                        + "sets; fetching its original frames one by one instead"))
        }
        switch source {
        case .compressed:
            let (missing, kept) = try missingChunks(
                task: model, needed: CachedTask.neededChunks(meta: meta, task: model), quality: .compressed)
            return MediaPlan(kind: .chunks(.compressed), missing: missing, kept: kept, video: .compressed)
        case .original:
            let size = meta.frames?.first
            let (missing, kept) = try missingFrames(task: model, meta: meta)
            return MediaPlan(
                kind: .frames(width: size?.width, height: size?.height), missing: missing, kept: kept,
                video: .original)
        }
    }

    /// Downloads, checks and commits one item (`number`: a chunk, or a frame) of a staged task's media plan.
    func fetchMediaItem(_ number: Int, of staged: StagedTask) async throws {
        switch staged.media.kind {
        case .chunks(let quality):
            try await fetchChunk(
                task: staged.model, number: number,
                place: ChunkPlace(layout: layout, task: staged.model.id, quality: quality))
        case .frames(let width, let height):
            try await fetchFrame(task: staged.model, frame: number, width: width, height: height)
        }
    }

    /// Runs `body` for every item, at most `jobs` at once, starting them in the items' order; the first error
    /// cancels the rest.
    func forEachConcurrently(_ items: [Int], _ body: @escaping @Sendable (Int) async throws -> Void)
        async throws
    {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var pending = items[...]
            for _ in 0..<min(jobs, pending.count) {
                let item = pending.removeFirst()
                group.addTask { try await body(item) }
            }
            while try await group.next() != nil {
                if let item = pending.popFirst() {
                    group.addTask { try await body(item) }
                }
            }
        }
    }

    /// The PNG frames of a video task that are missing or unusable (those are removed).
    private func missingFrames(task model: TaskModel, meta: DataMeta) throws -> (missing: [Int], kept: Int) {
        let id = model.id
        let size = meta.frames?.first
        let needed = CachedTask.activeFrames(meta: meta, task: model)
        var missing: [Int] = []
        for frame in needed {
            let url = layout.videoFrame(id, frame)
            guard FileIO.exists(url) else {
                missing.append(frame)
                continue
            }
            if let problem = FrameCheck.problem(url, width: size?.width, height: size?.height) {
                onEvent(
                    .warning(
                        "task \(id): cached frame \(frame) (\(url.path)) is unusable (\(problem)); fetching it again"))
                FileIO.remove(url)
                missing.append(frame)
            }
        }
        onEvent(.chunksPlanned(task: id, toFetch: missing.count, cached: needed.count - missing.count))
        if !missing.isEmpty { try FileIO.createDirectory(layout.videoFrameDirectory(id)) }
        return (missing, needed.count - missing.count)
    }

    private func fetchFrame(task model: TaskModel, frame: Int, width: Int?, height: Int?) async throws {
        let id = model.id
        let onEvent = self.onEvent
        try await fetchChecked(
            task: id, number: frame, item: "frame \(frame)", format: "PNG",
            partial: layout.partialVideoFrame(id, frame), final: layout.videoFrame(id, frame),
            download: { path in
                try await client.downloadFrame(taskID: id, frame: frame, to: path) { onEvent(.bytesReceived($0)) }
            },
            problem: { FrameCheck.problem($0, width: width, height: height) })
    }

    /// The needed chunks that are missing or unreadable (those are removed).
    private func missingChunks(task model: TaskModel, needed: [Int], quality: ChunkQuality = .original) throws
        -> (missing: [Int], kept: Int)
    {
        let id = model.id
        let place = ChunkPlace(layout: layout, task: id, quality: quality)
        var missing: [Int] = []
        for number in needed {
            let url = place.chunk(number)
            guard FileIO.exists(url) else {
                missing.append(number)
                continue
            }
            if let problem = ChunkCheck.problem(url, expectedMembers: expectedMembers(model, number)) {
                onEvent(.warning("task \(id): cached chunk \(number) is unusable (\(problem)); fetching it again"))
                FileIO.remove(url)
                missing.append(number)
            }
        }
        onEvent(.chunksPlanned(task: id, toFetch: missing.count, cached: needed.count - missing.count))
        if !missing.isEmpty { try FileIO.createDirectory(place.directory) }
        return (missing, needed.count - missing.count)
    }

    /// Where chunks of one quality live: `chunks/` (cvat-sdk's) or `compressed_chunks/` (a cvat-ds extension).
    struct ChunkPlace: Sendable {
        let layout: CacheLayout
        let task: Int
        let quality: ChunkQuality

        var directory: URL {
            quality == .original ? layout.chunkDirectory(task) : layout.compressedChunkDirectory(task)
        }
        func chunk(_ number: Int) -> URL {
            quality == .original ? layout.chunk(task, number) : layout.compressedChunk(task, number)
        }
        func partial(_ number: Int) -> URL {
            quality == .original ? layout.partialChunk(task, number) : layout.partialCompressedChunk(task, number)
        }
    }

    private func expectedMembers(_ model: TaskModel, _ number: Int) -> Int {
        let chunkSize = model.chunkSize ?? 1
        return min(chunkSize, (model.size ?? 0) - number * chunkSize)
    }

    private func fetchChunk(task model: TaskModel, number: Int, place: ChunkPlace) async throws {
        let id = model.id
        let onEvent = self.onEvent
        let members = expectedMembers(model, number)
        try await fetchChecked(
            task: id, number: number, item: "chunk \(number)", format: "zip", partial: place.partial(number),
            final: place.chunk(number),
            download: { path in
                try await client.downloadChunk(taskID: id, number: number, quality: place.quality, to: path) {
                    onEvent(.bytesReceived($0))
                }
            },
            problem: { ChunkCheck.problem($0, expectedMembers: members, full: true) })
    }

    /// Downloads one chunk or frame into `partial`, checks it, and renames it to `final`.
    ///
    /// An unusable download gets one more try, from zero: a resumed download that turns out unreadable may have
    /// mixed two versions of the file. `number` is what `.chunkFinished` reports; `item` and `format` name the file
    /// and what it should have been in messages ("chunk 3", "zip").
    private func fetchChecked(
        task id: Int, number: Int, item: String, format: String, partial: URL, final: URL,
        download: (String) async throws -> Void, problem: (URL) -> String?
    ) async throws {
        for attempt in 1...2 {
            do {
                try await download(partial.path)
            } catch {
                // Only a broken connection (or a cancelled run) leaves bytes worth resuming; what an oversized or
                // refused answer left is not.
                if let error = error as? APIError, error.kind != .network { FileIO.remove(partial) }
                throw error
            }
            if let problem = problem(partial) {
                FileIO.remove(partial)
                if attempt == 2 {
                    throw APIError(
                        .badResponse,
                        "\(item) of task \(id) from \(client.server) is not a usable \(format), twice in a row, so it "
                            + "was not cached: \(problem)")
                }
                onEvent(.warning("task \(id): downloaded \(item) is unusable (\(problem)); fetching it again"))
                continue
            }
            let fd = open(partial.path, O_RDONLY | O_CLOEXEC)
            try FileIO.commit(fd: fd, temporary: partial.path, to: final)
            onEvent(.chunkFinished(task: id, number: number))
            return
        }
    }
}

extension Synchronizer {
    /// What differs between two label sets, in words, or nil when they hold the same labels.
    static func labelChanges(from old: [LabelModel], to new: [LabelModel]) -> String? {
        let oldByID = Dictionary(old.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let newByID = Dictionary(new.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        func named(_ label: LabelModel) -> String { "'\(label.name)' (id \(label.id))" }
        var parts: [String] = []
        let added = new.filter { oldByID[$0.id] == nil }
        let removed = old.filter { newByID[$0.id] == nil }
        let renamed = new.compactMap { label -> String? in
            guard let before = oldByID[label.id], before.name != label.name else { return nil }
            return "'\(before.name)' to '\(label.name)' (id \(label.id))"
        }
        let retyped = new.filter { label in
            guard let before = oldByID[label.id] else { return false }
            return before.name == label.name && (before.type != label.type || before.sublabels != label.sublabels)
        }
        if !added.isEmpty { parts.append("added " + added.map(named).joined(separator: ", ")) }
        if !removed.isEmpty { parts.append("removed " + removed.map(named).joined(separator: ", ")) }
        if !renamed.isEmpty { parts.append("renamed " + renamed.joined(separator: ", ")) }
        if !retyped.isEmpty { parts.append("changed " + retyped.map(named).joined(separator: ", ")) }
        if parts.isEmpty && old.map(\.id) != new.map(\.id) { parts.append("the labels are in a different order") }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }
}

extension CacheJSON {
    /// The `labels` list of a cached task.json or project.json, re-encoded.
    static func labelsJSON(fromCacheFile bytes: [UInt8]) -> [UInt8]? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
            let labels = object["labels"] as? [Any],
            let data = try? JSONSerialization.data(withJSONObject: labels, options: [.sortedKeys])
        else { return nil }
        return Array(data)
    }
}

extension TaskModel {
    /// Why a task cannot be cached and exported (as image chunks, or a video's frames), or nil when it can.
    public var unsupportedReason: String? {
        if !hasData { return "the task has no data" }
        if dimension == "3d" { return "it is a 3D (point cloud) task" }
        if !hasImageSetChunks && !isVideo {
            return "its original chunks are '\(originalChunkType ?? "unknown")', neither image sets nor video"
        }
        return nil
    }
}
