/// The `quality` of a chunk request: source files (`original`) or CVAT's JPEG re-encoding at `image_quality`.
public enum ChunkQuality: String, Sendable {
    case original, compressed
}

/// Whose labels to list: a task's, or a project's (which its tasks share).
public enum LabelOwner: Sendable, Equatable {
    case task(Int)
    case project(Int)

    var filter: (name: String, value: String) {
        switch self {
        case .task(let id): return ("task_id", String(id))
        case .project(let id): return ("project_id", String(id))
        }
    }

    var description: String {
        switch self {
        case .task(let id): return "task \(id)"
        case .project(let id): return "project \(id)"
        }
    }
}

/// The REST endpoints a sync uses. Each throws `APIError`, or `CancellationError` once the task is cancelled.
extension CvatClient {
    /// `GET /api/tasks/{id}`: the task model and its JSON as received.
    public func task(_ id: Int) async throws -> (model: TaskModel, json: [UInt8]) {
        let bytes = try await getJSON("/api/tasks/\(id)", what: "task \(id)")
        return (try JSONBody.decode(TaskModel.self, bytes, what: "task \(id)"), bytes)
    }

    /// `GET /api/projects/{id}`.
    public func project(_ id: Int) async throws -> (model: ProjectModel, json: [UInt8]) {
        let bytes = try await getJSON("/api/projects/\(id)", what: "project \(id)")
        return (try JSONBody.decode(ProjectModel.self, bytes, what: "project \(id)"), bytes)
    }

    /// `GET /api/labels?task_id=` or `project_id=`, all pages, as a JSON array of label objects.
    public func labels(of owner: LabelOwner) async throws -> (models: [LabelModel], json: [UInt8]) {
        let what = "the labels of \(owner.description)"
        let items = try await paginated(
            "/api/labels", query: [owner.filter], what: what, useOrganization: false)
        let json = try JSONBody.serialize(items)
        return (try JSONBody.decode([LabelModel].self, json, what: what), json)
    }

    /// `GET /api/tasks?project_id=`, all pages, each task with its JSON as received.
    public func tasks(projectID: Int) async throws -> [(model: TaskModel, json: [UInt8])] {
        let items = try await paginated(
            "/api/tasks", query: [("project_id", String(projectID)), ("sort", "id")],
            what: "the tasks of project \(projectID)", useOrganization: true)
        var result: [(model: TaskModel, json: [UInt8])] = []
        for item in items {
            let json = try JSONBody.serialize(item)
            result.append((try JSONBody.decode(TaskModel.self, json, what: "a task of project \(projectID)"), json))
        }
        return result
    }

    /// `GET /api/jobs?task_id=`, all pages, sorted by id, as a JSON array of job objects.
    ///
    /// Sent without an organization: a task's jobs are those of the task's organization, and the filter by task
    /// id already selects them (an organization header would hide the jobs of a task in another one).
    public func jobs(taskID: Int) async throws -> (models: [JobModel], json: [UInt8]) {
        let what = "the jobs of task \(taskID)"
        let items = try await paginated(
            "/api/jobs", query: [("task_id", String(taskID)), ("sort", "id")], what: what, useOrganization: false)
        let json = try JSONBody.serialize(items)
        return (try JSONBody.decode([JobModel].self, json, what: what), json)
    }

    /// `GET /api/tasks/{id}/data/meta`.
    public func dataMeta(taskID: Int) async throws -> (model: DataMeta, json: [UInt8]) {
        let bytes = try await getJSON("/api/tasks/\(taskID)/data/meta", what: "the frame list of task \(taskID)")
        return (try JSONBody.decode(DataMeta.self, bytes, what: "the frame list of task \(taskID)"), bytes)
    }

    /// `GET /api/tasks/{id}/annotations`, straight into a file: a large task's annotations need not fit in memory.
    public func downloadAnnotations(taskID: Int, to path: String) async throws {
        try await download(
            "/api/tasks/\(taskID)/annotations", query: [], to: path, what: "the annotations of task \(taskID)",
            accept: "application/vnd.cvat+json", limit: 16 << 30)
    }

    /// `GET /api/tasks/{id}/data?type=chunk&number=N&quality=original` into `path`, resuming what `path` holds.
    ///
    /// A chunk can never be larger than 4 GiB - 1: the chunk reader has no ZIP64, so a larger body is unusable
    /// and only fills the disk. A server that announces the chunk's size (`X-Chunk-Size`) is held to it.
    public func downloadChunk(
        taskID: Int, number: Int, quality: ChunkQuality = .original, to path: String,
        onBytes: (@Sendable (Int) -> Void)? = nil
    ) async throws {
        let what = quality == .original ? "chunk \(number)" : "compressed chunk \(number)"
        try await download(
            "/api/tasks/\(taskID)/data",
            query: [("type", "chunk"), ("number", String(number)), ("quality", quality.rawValue)], to: path,
            what: "\(what) of task \(taskID)", accept: "*/*", limit: Int64(UInt32.max),
            sizeHeader: "X-Chunk-Size", onBytes: onBytes)
    }

    /// `GET /api/tasks/{id}/data?type=frame&number=N&quality=original` into `path`, resuming what `path` holds.
    ///
    /// For a video task the server decodes the frame from the video and answers PNG (API.md §1.5): the only
    /// lossless way to a video frame without an H.264 decoder on this side.
    public func downloadFrame(
        taskID: Int, frame: Int, to path: String, onBytes: (@Sendable (Int) -> Void)? = nil
    ) async throws {
        try await download(
            "/api/tasks/\(taskID)/data",
            query: [("type", "frame"), ("number", String(frame)), ("quality", "original")], to: path,
            what: "frame \(frame) of task \(taskID)", accept: "*/*", limit: 1 << 30, onBytes: onBytes)
    }
}
