public import CvatAPI
public import Foundation

/// Where cvat-sdk keeps what it downloads, and so where cvat-ds keeps it too (`cvat_sdk/datasets/caching.py`).
///
/// ```
/// <root>/servers/<urlsafe base64 of the server URL, no padding>/
///     tasks/<id>/task.json         {"model": TaskRead, "labels": [Label, ...]}
///     tasks/<id>/data_meta.json    DataMetaRead
///     tasks/<id>/annotations.json  LabeledData
///     tasks/<id>/chunks/<n>.zip    original-quality chunk n
///     projects/<id>/project.json   {"model": ProjectRead, "tasks": [ids], "labels": [Label, ...]}
/// ```
/// cvat-ds adds only files cvat-sdk ignores: `tasks/<id>/.cvat-ds.lock`, `chunks/<n>.zip.partial` while a
/// chunk is downloading, and `tasks/<id>/jobs.json` (the task's jobs, `[JobRead, ...]`, for `--job-stage` and
/// `--job-state`).
///
/// Video tasks (original chunks are video, which neither tool decodes) never get `chunks/`; their frames are kept
/// in folders cvat-sdk never opens (it refuses a video task before looking for chunks):
/// ```
///     tasks/<id>/frames/<frame>.png               task-relative frame <frame>, `type=frame&quality=original`
///     tasks/<id>/compressed_chunks/<n>.zip        compressed chunk n (JPEG zip), `type=chunk&quality=compressed`
/// ```
/// each written as `<name>.partial` first and renamed when complete and checked.
public struct CacheLayout: Sendable {
    public let root: URL
    public let server: ServerAddress

    public init(root: URL, server: ServerAddress) {
        self.root = root
        self.server = server
    }

    /// cvat-sdk's default: `platformdirs.user_cache_path("cvat-sdk", "CVAT.ai")`, which on Linux is
    /// `$XDG_CACHE_HOME/cvat-sdk`, else `~/.cache/cvat-sdk`.
    public static func defaultRoot(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg).appendingPathComponent("cvat-sdk")
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".cache/cvat-sdk")
    }

    public var serverDirectory: URL {
        root.appendingPathComponent("servers").appendingPathComponent(server.cacheDirectoryName)
    }

    public func taskDirectory(_ id: Int) -> URL { serverDirectory.appendingPathComponent("tasks/\(id)") }
    public func taskJSON(_ id: Int) -> URL { taskDirectory(id).appendingPathComponent("task.json") }
    public func dataMetaJSON(_ id: Int) -> URL { taskDirectory(id).appendingPathComponent("data_meta.json") }
    public func annotationsJSON(_ id: Int) -> URL { taskDirectory(id).appendingPathComponent("annotations.json") }
    /// A cvat-ds extension: the task's jobs as `GET /api/jobs?task_id=` lists them (cvat-sdk ignores the file).
    public func jobsJSON(_ id: Int) -> URL { taskDirectory(id).appendingPathComponent("jobs.json") }
    public func chunkDirectory(_ id: Int) -> URL { taskDirectory(id).appendingPathComponent("chunks") }
    public func chunk(_ id: Int, _ number: Int) -> URL {
        chunkDirectory(id).appendingPathComponent("\(number).zip")
    }
    public func partialChunk(_ id: Int, _ number: Int) -> URL {
        chunkDirectory(id).appendingPathComponent("\(number).zip.partial")
    }
    /// A cvat-ds extension: compressed chunks of a video task (`--video-frames compressed`).
    public func compressedChunkDirectory(_ id: Int) -> URL {
        taskDirectory(id).appendingPathComponent("compressed_chunks")
    }
    public func compressedChunk(_ id: Int, _ number: Int) -> URL {
        compressedChunkDirectory(id).appendingPathComponent("\(number).zip")
    }
    public func partialCompressedChunk(_ id: Int, _ number: Int) -> URL {
        compressedChunkDirectory(id).appendingPathComponent("\(number).zip.partial")
    }
    /// A cvat-ds extension: original-quality frames of a video task, one PNG each (`--video-frames original`).
    public func videoFrameDirectory(_ id: Int) -> URL { taskDirectory(id).appendingPathComponent("frames") }
    public func videoFrame(_ id: Int, _ frame: Int) -> URL {
        videoFrameDirectory(id).appendingPathComponent("\(frame).png")
    }
    public func partialVideoFrame(_ id: Int, _ frame: Int) -> URL {
        videoFrameDirectory(id).appendingPathComponent("\(frame).png.partial")
    }
    public func taskLock(_ id: Int) -> URL { taskDirectory(id).appendingPathComponent(".cvat-ds.lock") }
    public func projectDirectory(_ id: Int) -> URL { serverDirectory.appendingPathComponent("projects/\(id)") }
    public func projectJSON(_ id: Int) -> URL { projectDirectory(id).appendingPathComponent("project.json") }
}
