import ArgumentParser
import CvatAPI
import CvatCache
import Foundation

/// `cvat-ds info`: what the cache holds for a task, and whether it is current.
struct Info: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a task's labels, frames and chunk type, and whether the cache holds it and is current.",
        discussion: """
            Reads the cache; unless --offline, also asks the server (one request) whether the task changed \
            since the last sync.

            Example:
              cvat-ds info --task 42 --json

            \(ExitCodes.helpText)
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    @Option(name: .customLong("task"), help: ArgumentHelp("A task id (repeatable).", valueName: "ID"))
    var tasks: [Int]

    @Flag(help: "Do not contact the server; report only what the cache holds.")
    var offline = false

    func run() async throws {
        let console = output.makeConsole()
        try await runReportingErrors(console) {
            let (server, credentials) = try connection.resolve(needCredentials: !offline)
            let layout = CacheLayout(root: connection.cacheRoot, server: server)
            var client: CvatClient?
            if !offline {
                client = try await Session.open(
                    server: server, credentials: credentials, connection: connection, console: console, jobs: 1
                ).client
            }
            defer { client?.close() }
            var reports: [TaskInfo] = []
            for id in tasks {
                reports.append(try await describe(id, layout: layout, client: client))
            }
            if output.json {
                console.emitJSON(reports)
            } else {
                for report in reports { print(report.text) }
            }
        }
    }

    private func describe(_ id: Int, layout: CacheLayout, client: CvatClient?) async throws -> TaskInfo {
        var info = TaskInfo(id: id, cacheDir: layout.taskDirectory(id).path)
        if let cached = try? CachedTask.load(id: id, layout: layout) {
            info.cached = true
            info.name = cached.model.name
            info.labels = cached.labels.sorted { $0.id < $1.id }.map {
                TaskInfo.Label(id: $0.id, name: $0.name, type: $0.type)
            }
            info.frames = cached.model.size
            info.activeFrames = cached.activeFrames.count
            info.deletedFrames = cached.meta.deletedFrames.count
            info.chunkSize = cached.model.chunkSize
            info.chunkType = cached.model.originalChunkType
            info.subset = cached.model.subset
            info.projectID = cached.model.projectID
            info.updatedDate = cached.model.updatedDate
            if let attributes = try? FileManager.default.attributesOfItem(atPath: layout.taskJSON(id).path),
                let date = attributes[.modificationDate] as? Date
            {
                info.lastSync = ISO8601DateFormatter().string(from: date)
            }
        }
        if let client {
            let (model, _) = try await client.task(id)
            info.name = info.name ?? model.name
            info.frames = info.frames ?? model.size
            info.chunkType = info.chunkType ?? model.originalChunkType
            info.serverUpdatedDate = model.updatedDate
            info.current = info.cached && Timestamp(model.updatedDate) == info.updatedDate.flatMap(Timestamp.init)
        } else if !info.cached {
            throw CacheError(
                .missing, "task \(id) is not cached under \(layout.serverDirectory.path); run cvat-ds sync --task \(id)"
            )
        }
        return info
    }
}

/// What `info` reports for one task.
struct TaskInfo: Encodable {
    struct Label: Encodable {
        var id: Int
        var name: String
        var type: String?
    }

    var id: Int
    var cacheDir: String
    var name: String?
    var cached = false
    var current: Bool?
    var labels: [Label] = []
    var frames: Int?
    var activeFrames: Int?
    var deletedFrames: Int?
    var chunkSize: Int?
    var chunkType: String?
    var subset: String?
    var projectID: Int?
    var updatedDate: String?
    var serverUpdatedDate: String?
    var lastSync: String?

    enum CodingKeys: String, CodingKey {
        case id, name, cached, current, labels, frames, subset
        case cacheDir = "cache_dir"
        case activeFrames = "active_frames"
        case deletedFrames = "deleted_frames"
        case chunkSize = "chunk_size"
        case chunkType = "chunk_type"
        case projectID = "project_id"
        case updatedDate = "updated_date"
        case serverUpdatedDate = "server_updated_date"
        case lastSync = "last_sync"
    }

    init(id: Int, cacheDir: String) {
        self.id = id
        self.cacheDir = cacheDir
    }

    var text: String {
        var lines = ["task \(id)\(name.map { " (\($0))" } ?? "")"]
        lines.append("  cached:      \(cached ? "yes, in \(cacheDir)" : "no")")
        if let current {
            lines.append("  current:     \(current ? "yes" : "no, the server has changes (run cvat-ds sync)")")
        }
        if let frames {
            lines.append(
                "  frames:      \(frames)\(activeFrames.map { ", \($0) not deleted" } ?? "")")
        }
        if let chunkType { lines.append("  chunks:      \(chunkType)\(chunkSize.map { ", \($0) frames each" } ?? "")") }
        if let subset, !subset.isEmpty { lines.append("  subset:      \(subset)") }
        if let projectID { lines.append("  project:     \(projectID)") }
        if !labels.isEmpty {
            lines.append("  labels:      " + labels.map { "\($0.id) \($0.name)" }.joined(separator: ", "))
        }
        if let lastSync { lines.append("  last sync:   \(lastSync)") }
        return lines.joined(separator: "\n")
    }
}
