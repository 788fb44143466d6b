import CvatSystem

/// The one place CvatTensors calls the C file API: a write-only file with a user-space buffer.
///
/// When `atomic`, data goes to `<path>.partial` and only `commit()` renames it into place, so an interrupted
/// export never leaves a truncated array under the final name; an uncommitted partial file is removed when the
/// writer goes away.
final class BufferedFile {
    let path: String
    let writePath: String
    private let atomic: Bool
    private var fd: Int32
    private let buffer: UnsafeMutableRawBufferPointer
    private var used = 0
    private(set) var committed = false
    /// Bytes handed to `write`, buffered or not.
    private(set) var length = 0
    /// Bytes already handed to the kernel's writeback (`Syscalls.startWriteback`), from the file's start.
    private var writebackStarted = 0
    /// Bytes passed to write(2) so far (`length` less what the buffer holds).
    private var writtenToFile = 0
    /// How much is written before its writeback is started: large enough that the calls cost nothing, small
    /// enough that the disk works while the export does.
    static let writebackStep = 16 << 20
    /// Appends of at least this many bytes bypass the buffer.
    private var directWriteSize: Int { max(buffer.count / 16, 4096) }

    init(path: String, atomic: Bool, bufferSize: Int) throws(TensorWriteError) {
        self.path = path
        self.atomic = atomic
        self.writePath = atomic ? path + ".partial" : path
        // The corresponding C function is `open`.
        let fd = open(writePath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)  // the umask decides
        guard fd >= 0 else { throw .cannotCreate(path: writePath, errno: errno) }
        self.fd = fd
        self.buffer = .allocate(byteCount: max(bufferSize, 1), alignment: 16)
    }

    deinit {
        if fd >= 0 { close(fd) }
        if atomic && !committed { unlink(writePath) }
        buffer.deallocate()
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(TensorWriteError) {
        guard !committed else { throw .alreadyFinished(path: path) }
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        if bytes.count >= directWriteSize {
            // A large append (an image) goes to write(2) from where it is: copying it into the buffer first
            // would only add a memcpy per sample.
            try flush()
            try writeAll(bytes)
        } else if used + bytes.count <= buffer.count {
            (buffer.baseAddress! + used).copyMemory(from: base, byteCount: bytes.count)
            used += bytes.count
        } else {
            try flush()
            if bytes.count >= buffer.count {
                try writeAll(bytes)
            } else {
                buffer.baseAddress!.copyMemory(from: base, byteCount: bytes.count)
                used = bytes.count
            }
        }
        length += bytes.count
    }

    func flush() throws(TensorWriteError) {
        guard used > 0 else { return }
        try writeAll(UnsafeRawBufferPointer(rebasing: buffer[0..<used]))
        used = 0
    }

    /// Overwrites bytes already in the file (the header), after the buffer is flushed.
    func overwrite(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(TensorWriteError) {
        try flush()
        do throws(SystemError) {
            try Syscalls.writeAll(fd, bytes, at: Int64(offset), path: writePath)
        } catch {
            throw .cannotFinish(path: writePath, errno: error.errno)
        }
    }

    /// Flushes, closes and (when atomic) renames into place.
    func commit() throws(TensorWriteError) {
        guard !committed else { throw .alreadyFinished(path: path) }
        try flush()
        let result = close(fd)
        fd = -1
        // close can report a delayed write error (NFS, quota); the data may be lost, so it is a failure.
        guard result == 0 else { throw .cannotFinish(path: writePath, errno: errno) }
        if atomic {
            guard rename(writePath, path) == 0 else { throw .cannotFinish(path: path, errno: errno) }
        }
        committed = true
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws(TensorWriteError) {
        do throws(SystemError) {
            try Syscalls.writeAll(fd, bytes, path: writePath)
        } catch {
            throw .writeFailed(path: writePath, errno: error.errno)
        }
        writtenToFile += bytes.count
        if writtenToFile - writebackStarted >= Self.writebackStep {
            Syscalls.startWriteback(fd, offset: writebackStarted, length: writtenToFile - writebackStarted)
            writebackStarted = writtenToFile
        }
    }
}
