/// The fields of `TaskRead` that cvat-ds acts on. The full JSON is kept as received for the cache.
public struct TaskModel: Codable, Sendable, Hashable {
    public var id: Int
    public var name: String
    public var projectID: Int?
    public var updatedDate: String
    /// Frames in the task, deleted ones included; absent when the task has no data.
    public var size: Int?
    /// Frames per chunk; absent when the task has no data.
    public var chunkSize: Int?
    public var originalChunkType: String?
    public var compressedChunkType: String?
    public var subset: String?
    public var organizationID: Int?
    public var mode: String?
    public var dimension: String?

    enum CodingKeys: String, CodingKey {
        case id, name, size, subset, mode, dimension
        case projectID = "project_id"
        case updatedDate = "updated_date"
        case chunkSize = "data_chunk_size"
        case originalChunkType = "data_original_chunk_type"
        case compressedChunkType = "data_compressed_chunk_type"
        case organizationID = "organization"
    }

    public init(
        id: Int, name: String, projectID: Int? = nil, updatedDate: String, size: Int? = nil, chunkSize: Int? = nil,
        originalChunkType: String? = nil, compressedChunkType: String? = nil, subset: String? = nil,
        organizationID: Int? = nil, mode: String? = nil, dimension: String? = nil
    ) {
        self.id = id
        self.name = name
        self.projectID = projectID
        self.updatedDate = updatedDate
        self.size = size
        self.chunkSize = chunkSize
        self.originalChunkType = originalChunkType
        self.compressedChunkType = compressedChunkType
        self.subset = subset
        self.organizationID = organizationID
        self.mode = mode
        self.dimension = dimension
    }

    /// A task with frames and chunks; cvat-sdk refuses the others with "The task has no data".
    public var hasData: Bool { (size ?? 0) > 0 && (chunkSize ?? 0) > 0 }

    /// Chunks of original quality are zips of the source images, which is what cvat-sdk and cvat-ds read.
    public var hasImageSetChunks: Bool { originalChunkType == "imageset" }

    /// A 2D video task: original chunks are video, so frames come from the compressed chunks or one by one.
    public var isVideo: Bool { originalChunkType == "video" && dimension != "3d" }

    /// Whether the compressed chunks are JPEG zips (every video task CVAT makes today).
    public var hasImageSetCompressedChunks: Bool { compressedChunkType == "imageset" }
}

/// The fields of `ProjectRead` that cvat-ds acts on.
public struct ProjectModel: Codable, Sendable, Hashable {
    public var id: Int
    public var name: String
    public var updatedDate: String

    enum CodingKeys: String, CodingKey {
        case id, name
        case updatedDate = "updated_date"
    }
}

/// A label (`Label` in the schema); skeleton points are in `sublabels`.
///
/// Everything past `id` and `name` is optional so that labels written by older servers (or older caches) still
/// decode.
public struct LabelModel: Codable, Sendable, Hashable {
    public var id: Int
    public var name: String
    public var type: String?
    public var color: String?
    public var attributes: [AttributeSpec]?
    public var sublabels: [Sublabel]?
    /// A skeleton's drawing: its `<line data-type="edge" ...>` elements are the skeleton's edges.
    public var svg: String?
    /// The skeleton a sublabel belongs to (sublabels listed on their own, as `GET /api/labels` can).
    public var parentID: Int?

    public struct Sublabel: Codable, Sendable, Hashable {
        public var id: Int
        public var name: String
        public var type: String?
        public var color: String?
        public var attributes: [AttributeSpec]?

        public init(
            id: Int, name: String, type: String? = nil, color: String? = nil, attributes: [AttributeSpec]? = nil
        ) {
            self.id = id
            self.name = name
            self.type = type
            self.color = color
            self.attributes = attributes
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, name, type, color, attributes, sublabels, svg
        case parentID = "parent_id"
    }

    public init(
        id: Int, name: String, type: String? = nil, sublabels: [Sublabel]? = nil, color: String? = nil,
        attributes: [AttributeSpec]? = nil, svg: String? = nil, parentID: Int? = nil
    ) {
        self.id = id
        self.name = name
        self.type = type
        self.sublabels = sublabels
        self.color = color
        self.attributes = attributes
        self.svg = svg
        self.parentID = parentID
    }
}

/// An attribute of a label (`Attribute` in the schema): what values annotations may give it.
public struct AttributeSpec: Codable, Sendable, Hashable {
    public var id: Int
    public var name: String
    /// "select", "radio", "checkbox", "number" or "text".
    public var inputType: String
    /// Mutable attributes may change between a track's keyframes.
    public var mutable: Bool
    /// select/radio: the choices; number: min, max, step; checkbox and text: the default alone.
    public var values: [String]
    public var defaultValue: String

    enum CodingKeys: String, CodingKey {
        case id, name, mutable, values
        case inputType = "input_type"
        case defaultValue = "default_value"
    }

    public init(
        id: Int, name: String, inputType: String, mutable: Bool = false, values: [String], defaultValue: String
    ) {
        self.id = id
        self.name = name
        self.inputType = inputType
        self.mutable = mutable
        self.values = values
        self.defaultValue = defaultValue
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int.self, forKey: .id)
        name = try c.decode(String.self, forKey: .name)
        inputType = try c.decodeIfPresent(String.self, forKey: .inputType) ?? "text"
        mutable = try c.decodeIfPresent(Bool.self, forKey: .mutable) ?? false
        values = try c.decodeIfPresent([String].self, forKey: .values) ?? []
        defaultValue = try c.decodeIfPresent(String.self, forKey: .defaultValue) ?? ""
    }
}

/// `DataMetaRead`: frame sizes and names, deleted frames, and when chunks last changed.
public struct DataMeta: Codable, Sendable, Hashable {
    public var chunksUpdatedDate: String?
    public var chunkSize: Int?
    public var size: Int
    public var startFrame: Int?
    public var stopFrame: Int?
    public var frameFilter: String?
    public var frames: [FrameMeta]?
    public var deletedFrames: [Int]

    public struct FrameMeta: Codable, Sendable, Hashable {
        public var name: String
        public var width: Int?
        public var height: Int?
    }

    /// The `step` of `frame_filter` (API.md §1.4: `step\s*=\s*([1-9]\d*)`, default 1).
    public var frameStep: Int {
        guard let filter = frameFilter else { return 1 }
        var searchFrom = filter.startIndex
        while let range = filter.range(of: "step", range: searchFrom..<filter.endIndex) {
            searchFrom = range.upperBound
            var rest = filter[range.upperBound...].drop { $0.isWhitespace }
            guard rest.first == "=" else { continue }
            rest = rest.dropFirst().drop { $0.isWhitespace }
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard let first = digits.first, first != "0", let step = Int(digits) else { continue }
            return step
        }
        return 1
    }

    /// The source (video) frame number of task-relative frame `frame`: `start_frame + frame * step`.
    public func sourceFrame(_ frame: Int) -> Int { (startFrame ?? 0) + frame * frameStep }

    enum CodingKeys: String, CodingKey {
        case size, frames
        case chunksUpdatedDate = "chunks_updated_date"
        case chunkSize = "chunk_size"
        case startFrame = "start_frame"
        case stopFrame = "stop_frame"
        case frameFilter = "frame_filter"
        case deletedFrames = "deleted_frames"
    }
}

/// The fields of `JobRead` that cvat-ds acts on (API.md §1.11). The full JSON is kept as received for the cache.
public struct JobModel: Codable, Sendable, Hashable {
    public var id: Int
    public var taskID: Int
    /// Task-relative, inclusive.
    public var startFrame: Int
    /// Task-relative, inclusive.
    public var stopFrame: Int
    /// "annotation", "validation" or "acceptance".
    public var stage: String
    /// "new", "in progress", "completed" or "rejected".
    public var state: String
    /// "annotation", "ground_truth" or "consensus_replica"; absent on old servers, which only had annotation jobs.
    public var type: String?
    public var updatedDate: String?

    enum CodingKeys: String, CodingKey {
        case id, stage, state, type
        case taskID = "task_id"
        case startFrame = "start_frame"
        case stopFrame = "stop_frame"
        case updatedDate = "updated_date"
    }

    public init(
        id: Int, taskID: Int, startFrame: Int, stopFrame: Int, stage: String, state: String, type: String? = nil,
        updatedDate: String? = nil
    ) {
        self.id = id
        self.taskID = taskID
        self.startFrame = startFrame
        self.stopFrame = stopFrame
        self.stage = stage
        self.state = state
        self.type = type
        self.updatedDate = updatedDate
    }

    /// Whether the job is one of the task's annotation segments (not a ground-truth or consensus job).
    public var isAnnotationJob: Bool { (type ?? "annotation") == "annotation" }
}
