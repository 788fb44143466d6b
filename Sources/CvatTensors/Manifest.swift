import CvatJSON

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// `manifest.json`: what an export holds and how it was made, so that a loader needs nothing else and a rerun
/// can tell whether the export is stale.
public struct Manifest: Codable, Sendable, Hashable {
    /// The manifest layout this code writes; readers refuse other versions.
    public static let currentFormatVersion = 1

    public var formatVersion: Int
    public var tool: Tool
    public var source: Source
    public var labels: Labels
    /// The exported samples, in the order of the arrays' leading dimension.
    public var samples: [Sample]
    /// Frames left out, with the reason.
    public var skipped: [Skipped]
    /// The arrays by name (`images`, `labels`, `boxes`, ...). In a sharded manifest (`shards` is set) `file` is
    /// empty, and `dtype` and `shape` describe every shard's array concatenated along the first axis.
    public var arrays: [String: ArrayEntry]
    /// Every parameter that decided the content.
    public var transform: Transform
    /// Set when the arrays are split in shards (`--shard-size`, or a merged manifest): where each range of
    /// `samples` is stored.
    public var shards: [Shard]?
    /// Set by `--shard I/N`: which slice of the full sample list this export holds.
    public var slice: Slice?
    /// Set by `merge-manifests`: the part folders it combined, relative to the manifest, in slice order.
    public var parts: [Part]?
    /// Files that are not arrays (`annotations`: annotations.jsonl), by name; in a sharded manifest `file` is
    /// empty and `lines` counts every shard's lines.
    public var files: [String: FileEntry]?
    /// Set when the export took arrays from the earlier export it replaced instead of decoding the frames again.
    public var reused: Reused?

    public init(
        tool: Tool, source: Source, labels: Labels, samples: [Sample] = [], skipped: [Skipped] = [],
        arrays: [String: ArrayEntry] = [:], transform: Transform
    ) {
        self.formatVersion = Self.currentFormatVersion
        self.tool = tool
        self.source = source
        self.labels = labels
        self.samples = samples
        self.skipped = skipped
        self.arrays = arrays
        self.transform = transform
    }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version"
        case tool, source, labels, samples, skipped, arrays, transform, shards, slice, parts, files, reused
    }

    /// The arrays an export took from the earlier export in its folder (only the annotations had changed), and how.
    public struct Reused: Codable, Sendable, Hashable {
        /// The earlier export: the tool that wrote it and its tasks as they were then.
        public var from: Origin
        /// The reused arrays' names (`images`, and `image_offsets`/`image_shapes` when the images are ragged).
        public var arrays: [String]
        /// `hardlink`, `reflink` or `copy`: how the files came into the new folder (the least shared one when
        /// they differ); the earlier files are never written to.
        public var method: String
        public init(from: Origin, arrays: [String], method: String) {
            self.from = from
            self.arrays = arrays
            self.method = method
        }

        public struct Origin: Codable, Sendable, Hashable {
            public var tool: Tool
            public var tasks: [TaskVersion]
            public init(tool: Tool, tasks: [TaskVersion]) {
                self.tool = tool
                self.tasks = tasks
            }
        }
    }

    /// A text file of an export: JSON Lines, one line per sample of its shard (or of the export).
    public struct FileEntry: Codable, Sendable, Hashable {
        /// Relative to the manifest.
        public var file: String
        /// "jsonl".
        public var format: String
        public var lines: Int
        public init(file: String, format: String, lines: Int) {
            self.file = file
            self.format = format
            self.lines = lines
        }
    }

    /// One shard: samples `[samples[0], samples[1])` of this manifest's `samples`, and the files holding them.
    /// Offsets arrays (`image_offsets`, `box_offsets`, `mask_offsets`) start at 0 in every shard.
    public struct Shard: Codable, Sendable, Hashable {
        public var index: Int
        public var samples: [Int]
        /// The shard's arrays; `file` is relative to the manifest (a safetensors shard lists one file for all,
        /// each array under its name).
        public var arrays: [String: ArrayEntry]
        /// The shard's annotations.jsonl part (`annotations-00000.jsonl`), when written.
        public var files: [String: FileEntry]?
        /// `--format webdataset`: the shard's tar (relative to the manifest; `arrays` is then empty), its size in
        /// bytes, its SHA-256 (hex) and DALI's index of it (`shard-00000.idx`). Absent for the array formats.
        public var file: String?
        public var bytes: Int?
        public var sha256: String?
        public var daliIndex: String?
        public init(
            index: Int, samples: Range<Int>, arrays: [String: ArrayEntry], files: [String: FileEntry]? = nil
        ) {
            self.index = index
            self.samples = [samples.lowerBound, samples.upperBound]
            self.arrays = arrays
            self.files = files
        }
        enum CodingKeys: String, CodingKey {
            case index, samples, arrays, files, file, bytes, sha256
            case daliIndex = "dali_index"
        }
        public var sampleRange: Range<Int>? {
            guard samples.count == 2, samples[0] >= 0, samples[0] <= samples[1] else { return nil }
            return samples[0]..<samples[1]
        }
    }

    /// Slice `index` of `count` (0-based) of an export's full sample list: samples `[samples[0], samples[1])` of
    /// the `total_samples` that the unsliced export would plan (before `--skip-invalid` drops any).
    public struct Slice: Codable, Sendable, Hashable {
        public var index: Int
        public var count: Int
        public var samples: [Int]
        public var totalSamples: Int
        /// `--shard auto`: the scheduler's variables the slice was read from (name -> value, e.g.
        /// `SLURM_ARRAY_TASK_ID`), so a part tells which array task wrote it; absent for `--shard I/N`.
        public var scheduler: [String: String]?
        public init(
            index: Int, count: Int, samples: Range<Int>, totalSamples: Int, scheduler: [String: String]? = nil
        ) {
            self.index = index
            self.count = count
            self.samples = [samples.lowerBound, samples.upperBound]
            self.totalSamples = totalSamples
            self.scheduler = scheduler
        }
        enum CodingKeys: String, CodingKey {
            case index, count, samples, scheduler
            case totalSamples = "total_samples"
        }
    }

    /// A part folder a merged manifest refers to.
    public struct Part: Codable, Sendable, Hashable {
        /// Relative to the merged manifest's folder.
        public var folder: String
        public var slice: Int
        public init(folder: String, slice: Int) {
            self.folder = folder
            self.slice = slice
        }
    }

    public struct Tool: Codable, Sendable, Hashable {
        public var name: String
        public var version: String
        public init(name: String, version: String) {
            self.name = name
            self.version = version
        }
    }

    public struct Source: Codable, Sendable, Hashable {
        /// The server's address, without credentials, query or fragment.
        public var server: String
        public var tasks: [TaskVersion]
        public var project: ProjectVersion?

        /// Strips any `user:password@`, query and fragment from `server` so that no secret reaches the file.
        public init(server: String, tasks: [TaskVersion], project: ProjectVersion? = nil) {
            self.server = Self.redactingCredentials(server)
            self.tasks = tasks
            self.project = project
        }

        /// `scheme://user:pass@host:port/path?query#frag` → `scheme://host:port/path`.
        public static func redactingCredentials(_ address: String) -> String {
            var s = Substring(address)
            if let cut = s.firstIndex(where: { $0 == "?" || $0 == "#" }) { s = s[..<cut] }
            let schemeEnd = s.firstRange(of: "://")?.upperBound ?? s.startIndex
            let authorityEnd = s[schemeEnd...].firstIndex(of: "/") ?? s.endIndex
            if let at = s[schemeEnd..<authorityEnd].lastIndex(of: "@") {
                return String(s[..<schemeEnd]) + String(s[s.index(after: at)...])
            }
            return String(s)
        }
    }

    /// A task and the `updated_date` its annotations had when exported.
    public struct TaskVersion: Codable, Sendable, Hashable {
        public var id: Int
        /// The server's ISO 8601 text, kept verbatim so comparisons are exact.
        public var updatedDate: String
        /// Video tasks only: how task frames map to video frames, and which frames were read.
        public var video: Video?
        /// The `chunks_updated_date` of the task's data (when its media last changed), verbatim; absent in older
        /// manifests and for servers that do not send it. A re-export reuses pixels only when it is the same.
        public var chunksUpdatedDate: String?
        public init(id: Int, updatedDate: String, video: Video? = nil, chunksUpdatedDate: String? = nil) {
            self.id = id
            self.updatedDate = updatedDate
            self.video = video
            self.chunksUpdatedDate = chunksUpdatedDate
        }
        enum CodingKeys: String, CodingKey {
            case id, video
            case updatedDate = "updated_date"
            case chunksUpdatedDate = "chunks_updated_date"
        }
    }

    /// A video task's frame numbering: task frame `i` is video frame `start_frame + i * frame_step`.
    public struct Video: Codable, Sendable, Hashable {
        public var startFrame: Int
        public var stopFrame: Int?
        public var frameStep: Int
        public var frameFilter: String
        /// `original` (PNG frames, lossless) or `compressed` (the JPEG compressed chunks).
        public var frames: String
        public init(startFrame: Int, stopFrame: Int?, frameStep: Int, frameFilter: String, frames: String) {
            self.startFrame = startFrame
            self.stopFrame = stopFrame
            self.frameStep = frameStep
            self.frameFilter = frameFilter
            self.frames = frames
        }
        enum CodingKeys: String, CodingKey {
            case frames
            case startFrame = "start_frame"
            case stopFrame = "stop_frame"
            case frameStep = "frame_step"
            case frameFilter = "frame_filter"
        }
    }

    public struct ProjectVersion: Codable, Sendable, Hashable {
        public var id: Int
        public var updatedDate: String
        public init(id: Int, updatedDate: String) {
            self.id = id
            self.updatedDate = updatedDate
        }
        enum CodingKeys: String, CodingKey {
            case id
            case updatedDate = "updated_date"
        }
    }

    public struct Labels: Codable, Sendable, Hashable {
        /// Label names by class index, before the offset: `names[i]` is class `i + labelOffset`.
        public var names: [String]
        public var labelOffset: Int
        /// Every label as CVAT defines it, in label-id order.
        public var definitions: [LabelDefinition]?
        /// CVAT label id (as text: JSON keys are strings) → the class index the arrays hold (offset included),
        /// cvat-sdk's `Target.label_id_to_index` when the offset is 0.
        public var labelIDToIndex: [String: Int]?
        /// `--attributes`: the columns of `box_attributes` / `tag_attributes`.
        public var attributeColumns: [AttributeColumn]?

        public init(
            names: [String], labelOffset: Int = 0, definitions: [LabelDefinition]? = nil,
            labelIDToIndex: [String: Int]? = nil, attributeColumns: [AttributeColumn]? = nil
        ) {
            self.names = names
            self.labelOffset = labelOffset
            self.definitions = definitions
            self.labelIDToIndex = labelIDToIndex
            self.attributeColumns = attributeColumns
        }
        enum CodingKeys: String, CodingKey {
            case names, definitions
            case labelOffset = "label_offset"
            case labelIDToIndex = "label_id_to_index"
            case attributeColumns = "attribute_columns"
        }
    }

    /// A CVAT label (or skeleton sublabel) with its attribute specs.
    public struct LabelDefinition: Codable, Sendable, Hashable {
        public var id: Int
        public var name: String
        public var type: String?
        public var color: String?
        /// The skeleton's id, for a sublabel.
        public var parent: Int?
        public var attributes: [AttributeDefinition]
        /// A skeleton's keypoints, in keypoint order (the order of `keypoints.npy`).
        public var sublabels: [LabelDefinition]?
        /// A skeleton's edges as pairs of 0-based keypoint indices, from its SVG.
        public var edges: [[Int]]?

        public init(
            id: Int, name: String, type: String?, color: String?, parent: Int?, attributes: [AttributeDefinition],
            sublabels: [LabelDefinition]? = nil, edges: [[Int]]? = nil
        ) {
            self.id = id
            self.name = name
            self.type = type
            self.color = color
            self.parent = parent
            self.attributes = attributes
            self.sublabels = sublabels
            self.edges = edges
        }

        /// Null rather than absent for `type`, `color` and `parent`, which every label has in CVAT's schema.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(name, forKey: .name)
            if let type { try c.encode(type, forKey: .type) } else { try c.encodeNil(forKey: .type) }
            if let color { try c.encode(color, forKey: .color) } else { try c.encodeNil(forKey: .color) }
            if let parent { try c.encode(parent, forKey: .parent) } else { try c.encodeNil(forKey: .parent) }
            try c.encode(attributes, forKey: .attributes)
            try c.encodeIfPresent(sublabels, forKey: .sublabels)
            try c.encodeIfPresent(edges, forKey: .edges)
        }
    }

    /// An attribute spec (`Attribute` in CVAT's schema).
    public struct AttributeDefinition: Codable, Sendable, Hashable {
        public var id: Int
        public var name: String
        public var inputType: String
        public var mutable: Bool
        public var values: [String]
        public var defaultValue: String
        public init(id: Int, name: String, inputType: String, mutable: Bool, values: [String], defaultValue: String) {
            self.id = id
            self.name = name
            self.inputType = inputType
            self.mutable = mutable
            self.values = values
            self.defaultValue = defaultValue
        }
        enum CodingKeys: String, CodingKey {
            case id, name, mutable, values
            case inputType = "input_type"
            case defaultValue = "default_value"
        }
    }

    /// One column of `box_attributes` / `tag_attributes`: one attribute of one label.
    public struct AttributeColumn: Codable, Sendable, Hashable {
        public var index: Int
        public var labelID: Int
        public var label: String
        public var specID: Int
        public var attribute: String
        public var inputType: String
        /// The spec's values: select and radio values are indices into it.
        public var values: [String]
        /// Text attributes: the values are indices into this table (first-seen order over the samples).
        public var strings: [String]?
        public init(
            index: Int, labelID: Int, label: String, specID: Int, attribute: String, inputType: String,
            values: [String], strings: [String]? = nil
        ) {
            self.index = index
            self.labelID = labelID
            self.label = label
            self.specID = specID
            self.attribute = attribute
            self.inputType = inputType
            self.values = values
            self.strings = strings
        }
        enum CodingKeys: String, CodingKey {
            case index, label, attribute, values, strings
            case labelID = "label_id"
            case specID = "spec_id"
            case inputType = "input_type"
        }
    }

    public struct Sample: Codable, Sendable, Hashable {
        public var taskID: Int
        public var frame: Int
        /// The frame's file name on the server.
        public var name: String
        /// The original image size, before any transform.
        public var width: Int
        public var height: Int
        public var jobID: Int?
        /// Video tasks only: the frame's number in the video (`frame` is task-relative).
        public var sourceFrame: Int?

        public init(
            taskID: Int, frame: Int, name: String, width: Int, height: Int, jobID: Int? = nil,
            sourceFrame: Int? = nil
        ) {
            self.taskID = taskID
            self.frame = frame
            self.name = name
            self.width = width
            self.height = height
            self.jobID = jobID
            self.sourceFrame = sourceFrame
        }

        enum CodingKeys: String, CodingKey {
            case taskID = "task_id"
            case frame, name, width, height
            case jobID = "job_id"
            case sourceFrame = "source_frame"
        }
    }

    public struct Skipped: Codable, Sendable, Hashable {
        public var taskID: Int
        public var frame: Int
        public var reason: String
        public init(taskID: Int, frame: Int, reason: String) {
            self.taskID = taskID
            self.frame = frame
            self.reason = reason
        }
        enum CodingKeys: String, CodingKey {
            case taskID = "task_id"
            case frame, reason
        }
    }

    public struct ArrayEntry: Codable, Sendable, Hashable {
        /// The file name, relative to the manifest.
        public var file: String
        public var dtype: DType
        public var shape: [Int]
        public init(file: String, dtype: DType, shape: [Int]) {
            self.file = file
            self.dtype = dtype
            self.shape = shape
        }
    }
}

extension Manifest {
    /// The manifest as pretty-printed JSON with sorted keys (stable, diffable) and a final newline.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encodedWithPlainSamples(encoder) ?? encoder.encode(self)
        data.append(0x0A)
        return data
    }

    /// Writes the manifest atomically (a temporary file renamed into place), so a reader never sees half of it.
    public func write(to url: URL) throws(ManifestError) {
        do {
            try encoded().write(to: url, options: .atomic)
        } catch {
            throw .cannotWrite(path: url.path, reason: "\(error)", underlying: error)
        }
    }

    public static func read(from url: URL) throws(ManifestError) -> Manifest {
        let manifest: Manifest
        do {
            manifest = try decode(Data(contentsOf: url))
        } catch {
            throw .cannotRead(path: url.path, reason: "\(error)", underlying: error)
        }
        guard manifest.formatVersion == currentFormatVersion else {
            throw .unsupportedVersion(path: url.path, version: manifest.formatVersion)
        }
        return manifest
    }
}

extension Manifest {
    /// The manifest in `data` as JSONDecoder reads it, with its samples (one per frame, most of the document) read
    /// plainly when they all can be; otherwise the whole document by JSONDecoder.
    package static func decode(_ data: Data) throws -> Manifest {
        let plain: Manifest? = data.withUnsafeBytes { bytes in
            guard let (samples, rest) = JSONScanner(bytes).plainArray(member: "samples", Sample.plain),
                var manifest = try? JSONDecoder().decode(Manifest.self, from: Data(rest))
            else { return nil }
            manifest.samples = samples
            return manifest
        }
        return try plain ?? JSONDecoder().decode(Manifest.self, from: data)
    }
}

extension Manifest.Sample {
    /// The sample at `range` when it is written plainly (`JSONScanner`'s plain values), else nil.
    static func plain(_ scanner: JSONScanner, _ range: Range<Int>) -> Manifest.Sample? {
        var record = PlainRecord()
        var sample = Manifest.Sample(taskID: 0, frame: 0, name: "", width: 0, height: 0)
        var required = 0
        let read = scanner.forEachPlainMember(ofObject: range) { key, member in
            switch key {
            case "task_id":
                guard record.first(0), let v = scanner.plainInt(member) else { return false }
                (sample.taskID, required) = (v, required + 1)
            case "frame":
                guard record.first(1), let v = scanner.plainInt(member) else { return false }
                (sample.frame, required) = (v, required + 1)
            case "width":
                guard record.first(2), let v = scanner.plainInt(member) else { return false }
                (sample.width, required) = (v, required + 1)
            case "height":
                guard record.first(3), let v = scanner.plainInt(member) else { return false }
                (sample.height, required) = (v, required + 1)
            case "name":
                guard record.first(4), let v = scanner.plainString(member) else { return false }
                (sample.name, required) = (v, required + 1)
            case "job_id":
                guard record.first(5), let v = PlainRecord.optionalInt(scanner, member) else { return false }
                sample.jobID = v
            case "source_frame":
                guard record.first(6), let v = PlainRecord.optionalInt(scanner, member) else { return false }
                sample.sourceFrame = v
            default: break
            }
            return true
        }
        return read && required == 5 ? sample : nil
    }

    /// Appends the sample as JSONEncoder writes it inside `encoded()` (pretty-printed at the depth of `samples`'
    /// elements, keys sorted, nil fields left out), or answers false, appending nothing, when its name holds a
    /// character JSONEncoder escapes (a control character, a quote or a backslash).
    func appendPlainJSON(to out: inout [UInt8]) -> Bool {
        let nameBytes = name.utf8
        guard !nameBytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") })
        else { return false }
        func key(_ key: StaticString) {
            out.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        }
        func member(_ name: StaticString, _ value: Int, last: Bool = false) {
            key(name)
            appendDecimal(value, to: &out)
            out.append(contentsOf: last ? [0x0A] : [0x2C, 0x0A])
        }
        key("    {\n")
        member("      \"frame\" : ", frame)
        member("      \"height\" : ", height)
        if let jobID { member("      \"job_id\" : ", jobID) }
        key("      \"name\" : \"")
        out.append(contentsOf: nameBytes)
        key("\",\n")
        if let sourceFrame { member("      \"source_frame\" : ", sourceFrame) }
        member("      \"task_id\" : ", taskID)
        member("      \"width\" : ", width, last: true)
        out.append(contentsOf: "    }".utf8)
        return true
    }
}

/// Appends `value` in decimal, as JSONEncoder writes an integer (String(value) costs an allocation-free but slow
/// conversion per field, a tenth of the manifest's time).
private func appendDecimal(_ value: Int, to out: inout [UInt8]) {
    if value < 0 { out.append(UInt8(ascii: "-")) }
    var magnitude = value.magnitude
    var divisor: UInt = 1
    while magnitude / divisor >= 10 { divisor *= 10 }
    while divisor > 0 {
        out.append(UInt8(ascii: "0") + UInt8(magnitude / divisor))
        magnitude %= divisor
        divisor /= 10
    }
}

extension Manifest {
    /// `encoded()` with the samples (one per frame, most of the document, and most of JSONEncoder's time and
    /// memory) written by `Sample.appendPlainJSON` into JSONEncoder's output for the rest; nil when a sample
    /// cannot be written plainly. ManifestTests compares the two byte for byte.
    package func encodedWithPlainSamples(_ encoder: JSONEncoder) throws -> Data? {
        guard !samples.isEmpty else { return nil }
        var rest = self
        rest.samples = []
        let head = try [UInt8](encoder.encode(rest))
        // JSONEncoder writes an empty top-level array so; a newline never occurs inside a written string.
        let empty = Array("\n  \"samples\" : [\n\n  ]".utf8)
        guard let at = head.firstRange(of: empty) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(head.count + samples.count * 160)
        out.append(contentsOf: head[..<at.lowerBound])
        out.append(contentsOf: "\n  \"samples\" : [\n".utf8)
        for (index, sample) in samples.enumerated() {
            if index > 0 { out.append(contentsOf: ",\n".utf8) }
            guard sample.appendPlainJSON(to: &out) else { return nil }
        }
        out.append(contentsOf: "\n  ]".utf8)
        out.append(contentsOf: head[at.upperBound...])
        return Data(out)
    }
}

extension Manifest {
    /// The `arrays` of a sharded manifest: each array's dtype, and its shards' shapes concatenated along the first
    /// axis (for the offsets arrays, which restart in every shard, that is samples + shards rows), with no file.
    /// Shards must agree on every array's dtype and trailing shape.
    public static func combinedArrays(of shards: [Shard]) throws(ManifestError) -> [String: ArrayEntry] {
        var combined: [String: ArrayEntry] = [:]
        for shard in shards {
            for (name, entry) in shard.arrays {
                guard let so_far = combined[name] else {
                    combined[name] = ArrayEntry(file: "", dtype: entry.dtype, shape: entry.shape)
                    continue
                }
                guard so_far.dtype == entry.dtype, so_far.shape.dropFirst() == entry.shape.dropFirst(),
                    let rows = entry.shape.first, let before = so_far.shape.first
                else {
                    throw .inconsistent(
                        "array '\(name)' of shard \(shard.index) is \(entry.dtype.rawValue) \(entry.shape), but earlier "
                            + "shards have \(so_far.dtype.rawValue) with trailing shape \(Array(so_far.shape.dropFirst()))"
                    )
                }
                combined[name]!.shape[0] = before + rows
            }
        }
        for shard in shards where Set(shard.arrays.keys) != Set(combined.keys) {
            throw .inconsistent(
                "shard \(shard.index) has the arrays \(shard.arrays.keys.sorted()), but others have "
                    + "\(combined.keys.sorted())")
        }
        return combined
    }

    /// The `files` of a sharded manifest: each file's line counts summed, with no file name; nil when no shard
    /// has files.
    public static func combinedFiles(of shards: [Shard]) throws(ManifestError) -> [String: FileEntry]? {
        var combined: [String: FileEntry] = [:]
        for shard in shards {
            for (name, entry) in shard.files ?? [:] {
                combined[name, default: FileEntry(file: "", format: entry.format, lines: 0)].lines += entry.lines
            }
        }
        for shard in shards where Set((shard.files ?? [:]).keys) != Set(combined.keys) {
            throw .inconsistent(
                "shard \(shard.index) has the files \((shard.files ?? [:]).keys.sorted()), but others have "
                    + "\(combined.keys.sorted())")
        }
        return combined.isEmpty ? nil : combined
    }
}
