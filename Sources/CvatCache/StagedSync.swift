public import CvatAPI
import Foundation
import Synchronization

/// One task of a staged sync: locked, its metadata, annotations and jobs cached, its media still to fetch.
struct StagedTask: Sendable {
    var model: TaskModel
    var meta: DataMeta
    /// Nil when the server's label list could not be read (an export then says so; a plain sync does not need it).
    var labels: [LabelModel]?
    /// task.json to write once the media is in; nil when the cached one is current.
    var taskDocument: [UInt8]?
    var outcome: TaskSyncReport.Outcome
    var media: Synchronizer.MediaPlan
    /// Held until the staged sync is dropped: no other cvat-ds writes the task meanwhile.
    var lock: TaskLock

    /// The task as an export reads it once its media is in.
    func cachedTask(layout: CacheLayout) throws(CacheError) -> CachedTask {
        guard let labels else {
            throw CacheError(.corrupt, "task \(model.id): the label list the server sent could not be read")
        }
        return CachedTask(model: model, labels: labels, meta: meta, layout: layout, videoSource: media.video)
    }
}

/// A sync in two stages, so that an export can read each chunk as soon as it is in the cache instead of after the
/// whole sync: `Synchronizer.stageTasks`/`stageProject` bring in the metadata of every task (task model, labels,
/// data/meta, annotations, jobs) and decide which chunks or frames are missing; `Synchronizer.fetchMedia`
/// downloads those, in the order an export reads them (tasks by id, chunks in order), marking each in
/// `availability` once it is committed.
///
/// The cache rules do not change: each file is renamed into place only after its check, and a task's task.json
/// (the file both cvat-ds and cvat-sdk judge freshness by) is written only after all of its media, and
/// project.json after all tasks; a run stopped in between leaves a cache the next run sees as not current.
public struct StagedSync: Sendable {
    enum Entry: Sendable {
        /// A task with nothing to sync (left out of a project, with its report).
        case done(TaskSyncReport)
        case staged(StagedTask)
    }

    let entries: [Entry]
    /// project.json, written after every task's media.
    let projectDocument: (id: Int, bytes: [UInt8])?
    let layout: CacheLayout
    /// Every project task's server model, for an export's subset filter.
    let projectModels: [Int: TaskModel]
    /// The project as an export reads it (as project.json will hold it); nil for tasks named one by one.
    public let project: CachedProject?
    /// Which of the media files still to fetch are in the cache yet.
    public let availability: ChunkAvailability

    init(
        entries: [Entry], layout: CacheLayout, project: CachedProject? = nil,
        projectDocument: (id: Int, bytes: [UInt8])? = nil, projectModels: [Int: TaskModel] = [:]
    ) {
        self.entries = entries
        self.layout = layout
        self.project = project
        self.projectDocument = projectDocument
        self.projectModels = projectModels
        var pending: [ChunkAvailability.Key] = []
        for case .staged(let task) in entries {
            pending += task.media.missing.map { ChunkAvailability.Key(task: task.model.id, number: $0) }
        }
        availability = ChunkAvailability(pending: pending)
    }

    var stagedTasks: [StagedTask] {
        entries.compactMap {
            if case .staged(let task) = $0 { task } else { nil }
        }
    }

    /// The number of chunks or frames still to download.
    public var filesToFetch: Int { stagedTasks.reduce(0) { $0 + $1.media.missing.count } }

    /// A task's server model: the staged one, else the cached task.json.
    public func model(_ id: Int) throws(CacheError) -> TaskModel {
        if let model = projectModels[id] { return model }
        if let task = stagedTasks.first(where: { $0.model.id == id }) { return task.model }
        return try CachedTask.model(id: id, layout: layout)
    }

    /// A task as an export reads it: from this sync when it synced the task (its task.json may not be written
    /// yet), else from the cache. `videoFrames` is only used for a task read from the cache.
    public func task(_ id: Int, videoFrames: VideoFrameSource? = nil) throws(CacheError) -> CachedTask {
        if let task = stagedTasks.first(where: { $0.model.id == id }) { return try task.cachedTask(layout: layout) }
        return try CachedTask.load(id: id, layout: layout, videoFrames: videoFrames)
    }
}

extension Synchronizer {
    /// The first stage of syncing tasks named on the command line (each once, in id order).
    public func stageTasks(_ ids: [Int]) async throws -> StagedSync {
        var entries: [StagedSync.Entry] = []
        // Locks are taken in id order, as a project sync takes them, so two runs never wait on each other in a cycle.
        for id in Set(ids).sorted() {
            let (model, json) = try await taskToSync(id)
            entries.append(.staged(try await stage(task: model, json: json, labels: nil)))
        }
        return StagedSync(entries: entries, layout: layout)
    }

    /// The first stage of syncing a project's tasks (those in `subsets`, when given), in task id order.
    public func stageProject(_ id: Int, subsets: [String]?) async throws -> StagedSync {
        try FileIO.createPrivateDirectories(layout)
        let (project, projectJSON) = try await client.project(id)
        let cachedProject = try? CachedProject.load(id: id, layout: layout)
        let labelsJSON: [UInt8]
        if let cachedProject, let cachedBytes = FileIO.read(layout.projectJSON(id)),
            Timestamp(cachedProject.model.updatedDate) == Timestamp(project.updatedDate),
            let labels = CacheJSON.labelsJSON(fromCacheFile: cachedBytes)
        {
            labelsJSON = labels
        } else {
            labelsJSON = try await client.labels(of: .project(id)).json
        }
        let tasks = try await client.tasks(projectID: id)
        var entries: [StagedSync.Entry] = []
        for (model, json) in tasks.sorted(by: { $0.model.id < $1.model.id }) {
            if let subsets, !subsets.contains(model.subset ?? "") {
                try recordLeftOutTask(model, json: json, labels: labelsJSON)
                continue
            }
            if let reason = model.unsupportedReason {
                onEvent(.warning("task \(model.id) (\(model.name)) of project \(id) is left out: \(reason)"))
                // task.json alone (as cvat-sdk writes it too) lets an offline export tell "left out" from "missing".
                try FileIO.writeAtomically(
                    try CacheJSON.compose(model: json, labels: labelsJSON), to: layout.taskJSON(model.id))
                let report = TaskSyncReport(
                    id: model.id, name: model.name, outcome: .skipped, updatedDate: model.updatedDate, frames: 0,
                    chunksDownloaded: 0, chunksKept: 0, annotationsFetched: false, reason: reason)
                onEvent(.taskFinished(report))
                entries.append(.done(report))
                continue
            }
            entries.append(.staged(try await stage(task: model, json: json, labels: labelsJSON)))
        }
        let taskIDs = tasks.map(\.model.id).sorted()
        let subsetsByTask = Dictionary(uniqueKeysWithValues: tasks.map { ($0.model.id, $0.model.subset ?? "") })
        let document = try CacheJSON.compose(
            model: projectJSON, labels: labelsJSON, tasks: taskIDs, taskSubsets: subsetsByTask)
        // Unreadable labels do not stop a sync; an export then reads project.json and says what is wrong with it.
        let labels = try? JSONDecoder().decode([LabelModel].self, from: Data(labelsJSON))
        return StagedSync(
            entries: entries, layout: layout,
            project: labels.map {
                CachedProject(model: project, taskIDs: taskIDs, labels: $0, taskSubsets: subsetsByTask)
            },
            projectDocument: (id, document),
            projectModels: Dictionary(uniqueKeysWithValues: tasks.map { ($0.model.id, $0.model) }))
    }

    /// The second stage: downloads every missing chunk or frame of the staged tasks, tasks in id order and each
    /// task's files in order (the order an export reads them, so its in-order writer waits as little as possible),
    /// `jobs` at a time across task boundaries. Each file is marked available once committed; each task's task.json
    /// is written once its last file is in, project.json at the end.
    ///
    /// When a download finally fails (or the run is cancelled), every export wait for a file not yet committed
    /// throws that error, and the error is rethrown here; files already committed stay cached, partial downloads
    /// stay resumable.
    public func fetchMedia(_ staged: StagedSync) async throws -> [TaskSyncReport] {
        do {
            let reports = try await fetchStagedMedia(staged)
            staged.availability.finished()
            return reports
        } catch {
            staged.availability.failed(error)
            throw error
        }
    }

    private func fetchStagedMedia(_ staged: StagedSync) async throws -> [TaskSyncReport] {
        let tasks = staged.stagedTasks.sorted { $0.model.id < $1.model.id }
        let items = tasks.indices.flatMap { index in tasks[index].media.missing.map { (task: index, number: $0) } }
        let remaining = Mutex(tasks.map(\.media.missing.count))
        let reports = Mutex([Int: TaskSyncReport]())
        for task in tasks where task.media.missing.isEmpty {
            let report = try complete(task)
            reports.withLock { $0[task.model.id] = report }
        }
        let availability = staged.availability
        try await forEachConcurrently(Array(items.indices)) { item in
            let (index, number) = items[item]
            let task = tasks[index]
            try await fetchMediaItem(number, of: task)
            availability.committed(ChunkAvailability.Key(task: task.model.id, number: number))
            let last = remaining.withLock { counts -> Bool in
                counts[index] -= 1
                return counts[index] == 0
            }
            if last {
                let report = try complete(task)
                reports.withLock { $0[task.model.id] = report }
            }
        }
        if let (id, document) = staged.projectDocument {
            FileIO.removeStaleTemporaries(in: layout.projectDirectory(id))
            try FileIO.writeAtomically(document, to: layout.projectJSON(id))
        }
        let byID = reports.withLock { $0 }
        return staged.entries.compactMap { entry in
            switch entry {
            case .done(let report): report
            case .staged(let task): byID[task.model.id]
            }
        }
    }
}
