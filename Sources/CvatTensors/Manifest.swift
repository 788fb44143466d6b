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
    /// The arrays by name (`images`, `labels`, `boxes`, ...).
    public var arrays: [String: ArrayEntry]
    /// Every transform parameter, as the command recorded it.
    public var transform: [String: JSONValue]

    public init(
        tool: Tool, source: Source, labels: Labels, samples: [Sample] = [], skipped: [Skipped] = [],
        arrays: [String: ArrayEntry] = [:], transform: [String: JSONValue] = [:]
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
        case tool, source, labels, samples, skipped, arrays, transform
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
        public init(id: Int, updatedDate: String) {
            self.id = id
            self.updatedDate = updatedDate
        }
        enum CodingKeys: String, CodingKey {
            case id
            case updatedDate = "updated_date"
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
        public init(names: [String], labelOffset: Int = 0) {
            self.names = names
            self.labelOffset = labelOffset
        }
        enum CodingKeys: String, CodingKey {
            case names
            case labelOffset = "label_offset"
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
        /// Set when the sample is kept but something about it was dropped (for example boxes without area).
        public var skippedReason: String?

        public init(
            taskID: Int, frame: Int, name: String, width: Int, height: Int, jobID: Int? = nil,
            skippedReason: String? = nil
        ) {
            self.taskID = taskID
            self.frame = frame
            self.name = name
            self.width = width
            self.height = height
            self.jobID = jobID
            self.skippedReason = skippedReason
        }

        enum CodingKeys: String, CodingKey {
            case taskID = "task_id"
            case frame, name, width, height
            case jobID = "job_id"
            case skippedReason = "skipped_reason"
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

/// Why a manifest could not be written or read.
public enum ManifestError: Error, Sendable, CustomStringConvertible {
    case cannotWrite(path: String, reason: String)
    case cannotRead(path: String, reason: String)
    case unsupportedVersion(path: String, version: Int)

    public var description: String {
        switch self {
        case .cannotWrite(let path, let reason): return "cannot write the manifest \(path): \(reason)"
        case .cannotRead(let path, let reason): return "cannot read the manifest \(path): \(reason)"
        case .unsupportedVersion(let path, let version):
            return "the manifest \(path) has format version \(version); this cvat-ds reads version "
                + "\(Manifest.currentFormatVersion)"
        }
    }
}

extension Manifest {
    /// The manifest as pretty-printed JSON with sorted keys (stable, diffable) and a final newline.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }

    /// Writes the manifest atomically (a temporary file renamed into place), so a reader never sees half of it.
    public func write(to url: URL) throws(ManifestError) {
        do {
            try encoded().write(to: url, options: .atomic)
        } catch {
            throw .cannotWrite(path: url.path, reason: "\(error)")
        }
    }

    public static func read(from url: URL) throws(ManifestError) -> Manifest {
        let manifest: Manifest
        do {
            manifest = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: url))
        } catch {
            throw .cannotRead(path: url.path, reason: "\(error)")
        }
        guard manifest.formatVersion == currentFormatVersion else {
            throw .unsupportedVersion(path: url.path, version: manifest.formatVersion)
        }
        return manifest
    }
}
