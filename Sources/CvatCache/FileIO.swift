import CvatSystem
import Foundation

/// File operations that never leave a half-written file under its final name.
enum FileIO {
    /// Writes `bytes` to a temporary name beside `url`, flushes it to disk, and renames it over `url`. A crash at
    /// any moment leaves either the old file or the new one.
    static func writeAtomically(_ bytes: [UInt8], to url: URL) throws(CacheError) {
        try createDirectory(url.deletingLastPathComponent())
        let temporary = url.path + ".tmp-cvat-ds-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw ioError("cannot create \(temporary)") }
        let failure = bytes.withUnsafeBytes { buffer -> SystemError? in
            do throws(SystemError) {
                try Syscalls.writeAll(fd, buffer, path: temporary)
                return nil
            } catch {
                return error
            }
        }
        if let failure {
            close(fd)
            unlink(temporary)
            throw CacheError(.io, "cannot write \(url.path): \(SystemError.text(failure.errno))")
        }
        try commit(fd: fd, temporary: temporary, to: url)
    }

    /// Flushes an open temporary file, closes it and renames it into place.
    static func commit(fd: Int32, temporary: String, to url: URL) throws(CacheError) {
        do {
            try Syscalls.sync(fd, path: temporary)
        } catch {
            close(fd)
            unlink(temporary)
            throw CacheError(.io, "cannot flush \(url.path): \(SystemError.text(error.errno))")
        }
        close(fd)
        try rename(temporary, to: url)
    }

    static func rename(_ from: String, to url: URL) throws(CacheError) {
        guard Foundation.rename(from, url.path) == 0 else {
            let error = ioError("cannot move \(from) to \(url.path)")
            unlink(from)
            throw error
        }
        syncDirectory(url.deletingLastPathComponent())
    }

    /// Makes a rename durable: without it a power cut can forget the new directory entry.
    ///
    /// A failure is not an error: the rename itself has happened, and some file systems (network and FUSE ones)
    /// refuse to flush a folder at all.
    static func syncDirectory(_ url: URL) {
        try? Syscalls.syncDirectory(url.path)
    }

    /// Creates `url` and its missing parents with the user's umask (no explicit mode: FileManager would chmod it).
    static func createDirectory(_ url: URL) throws(CacheError) {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw CacheError(.io, "cannot create the folder \(url.path): \(error.localizedDescription)")
        }
    }

    /// Creates the cache root, `servers/` and the server's folder, those that are missing, as 0700 (narrowed
    /// further by a stricter umask): chunks and annotations can be private data. Folders that already exist keep
    /// their mode, which is the user's choice; everything below inherits the protection of these.
    static func createPrivateDirectories(_ layout: CacheLayout) throws(CacheError) {
        let servers = layout.root.appendingPathComponent("servers")
        for url in [layout.root, servers, layout.serverDirectory] where !exists(url) {
            try createDirectory(url.deletingLastPathComponent())
            if mkdir(url.path, 0o700) != 0 && errno != EEXIST {
                throw ioError("cannot create the folder \(url.path)")
            }
        }
    }

    /// Removes `*.tmp-cvat-ds-PID[-N]` files in `directory` whose process is gone: what `writeAtomically` and the
    /// annotations download leave when a run is killed. Their names carry the writer's pid, so no later run would
    /// ever reuse or remove them otherwise; a live process's temporaries are left alone.
    static func removeStaleTemporaries(in directory: URL) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
        for name in names {
            guard let marker = name.range(of: ".tmp-cvat-ds-") else { continue }
            let digits = name[marker.upperBound...].prefix { $0.isNumber }
            guard let pid = Int32(digits), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            unlink(directory.appendingPathComponent(name).path)
        }
    }

    static func read(_ url: URL) -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        return Array(data)
    }

    static func exists(_ url: URL) -> Bool { FileManager.default.fileExists(atPath: url.path) }

    static func size(_ url: URL) -> Int64? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path) else { return nil }
        return (attributes[.size] as? NSNumber)?.int64Value
    }

    static func remove(_ url: URL) {
        try? FileManager.default.removeItem(at: url)
    }

    static func ioError(_ what: String) -> CacheError {
        CacheError(.io, "\(what): \(String(cString: strerror(errno)))")
    }
}

/// An exclusive lock on a task's cache folder, so two cvat-ds runs never write the same task at once.
///
/// `flock` is released by the kernel when the process dies, so a killed run never leaves a stale lock.
final class TaskLock: Sendable {
    private let fd: Int32

    private init(fd: Int32) { self.fd = fd }

    /// Waits up to `seconds` for the lock. Throws `CacheError` (`.busy` when the wait runs out), or
    /// `CancellationError` as soon as the task is cancelled while waiting.
    static func acquire(_ url: URL, waitingFor seconds: Double = 3600) async throws -> TaskLock {
        try FileIO.createDirectory(url.deletingLastPathComponent())
        let fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw FileIO.ioError("cannot open the lock \(url.path)") }
        let deadline = ContinuousClock.now + .seconds(seconds)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR, ContinuousClock.now < deadline else {
                close(fd)
                throw CacheError(.busy, "another cvat-ds is still writing \(url.deletingLastPathComponent().path)")
            }
            do {
                // Polling, not a blocking flock: a blocked thread could not notice that the task was cancelled.
                try await Task.sleep(for: .milliseconds(100))
            } catch {
                close(fd)
                throw error
            }
        }
        return TaskLock(fd: fd)
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
