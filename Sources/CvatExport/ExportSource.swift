public import CvatAPI
public import CvatCache

/// What to export: cached tasks in sample order, the labels that give class indices, and where they came from.
public struct ExportSource: Sendable {
    public var server: String
    /// Tasks in id order (cvat-sdk's ProjectVisionDataset order).
    public var tasks: [CachedTask]
    /// The labels whose indices the targets use: the project's for a project, else every task's, by id.
    public var labels: [LabelModel]
    public var project: (id: Int, updatedDate: String)?

    public init(server: String, tasks: [CachedTask], labels: [LabelModel], project: (id: Int, updatedDate: String)?) {
        self.server = server
        self.tasks = tasks.sorted { $0.id < $1.id }
        self.labels = labels
        self.project = project
    }

    /// A project's cached tasks (only `subsets`, when given), with the project's labels. Tasks that cannot be
    /// exported (no data, video) are left out and named in `leftOut`.
    public static func project(
        _ id: Int, subsets: [String]?, layout: CacheLayout, videoFrames: VideoFrameSource? = nil
    ) throws(CacheError) -> (
        source: ExportSource, leftOut: [String]
    ) {
        try project(
            try CachedProject.load(id: id, layout: layout), subsets: subsets, server: layout.server.url,
            model: { taskID throws(CacheError) in try CachedTask.model(id: taskID, layout: layout) },
            task: { taskID throws(CacheError) in
                try CachedTask.load(id: taskID, layout: layout, videoFrames: videoFrames)
            })
    }

    /// A project's tasks read through `model` and `task`: from the cache, or from a sync still fetching their media
    /// (`StagedSync`).
    public static func project(
        _ project: CachedProject, subsets: [String]?, server: String,
        model loadModel: (Int) throws(CacheError) -> TaskModel, task loadTask: (Int) throws(CacheError) -> CachedTask
    ) throws(CacheError) -> (source: ExportSource, leftOut: [String]) {
        let id = project.model.id
        var tasks: [CachedTask] = []
        var leftOut: [String] = []
        for taskID in project.taskIDs.sorted() {
            if let subsets, let subset = project.taskSubsets?[taskID], !subsets.contains(subset) { continue }
            let model: TaskModel
            do {
                model = try loadModel(taskID)
            } catch  where subsets != nil && error.kind == .missing {
                // A cache cvat-sdk wrote holds only the tasks it read, and records no subsets.
                throw CacheError(
                    .missing,
                    "task \(taskID) of project \(id) is not cached, so its subset is not known offline; run cvat-ds "
                        + "sync --project \(id) --subset \(subsets?.joined(separator: " --subset ") ?? "") once online")
            }
            if let subsets, !subsets.contains(model.subset ?? "") { continue }
            if let reason = model.unsupportedReason {
                leftOut.append("task \(taskID) (\(model.name)): \(reason)")
                continue
            }
            tasks.append(try loadTask(taskID))
        }
        let source = ExportSource(
            server: server, tasks: tasks, labels: project.labels, project: (id, project.model.updatedDate))
        return (source, leftOut)
    }

    /// Individually named tasks; their labels are merged by id (one project's tasks share the same list).
    public static func tasks(_ ids: [Int], layout: CacheLayout, videoFrames: VideoFrameSource? = nil)
        throws(CacheError) -> ExportSource
    {
        try tasks(ids, server: layout.server.url) { id throws(CacheError) in
            try CachedTask.load(id: id, layout: layout, videoFrames: videoFrames)
        }
    }

    /// Individually named tasks read through `load`: from the cache, or from a sync still fetching their media.
    public static func tasks(_ ids: [Int], server: String, load: (Int) throws(CacheError) -> CachedTask)
        throws(CacheError) -> ExportSource
    {
        var tasks: [CachedTask] = []
        var labels: [Int: LabelModel] = [:]
        for id in ids {
            let task = try load(id)
            tasks.append(task)
            for label in task.labels { labels[label.id] = label }
        }
        return ExportSource(server: server, tasks: tasks, labels: labels.values.sorted { $0.id < $1.id }, project: nil)
    }
}
