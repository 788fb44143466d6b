import CSystemShims

/// The POSIX calls cvat-ds makes in more than one place, with the retry on `EINTR` they all need.
///
/// A signal (the progress bar's SIGWINCH, a debugger, a SIGCHLD) can interrupt `write` before it writes anything;
/// the call must then be repeated, not reported as a failure.
public enum Syscalls {
    /// Writes every byte of `buffer` to `fd`, repeating short writes and writes interrupted by a signal. The
    /// corresponding C function is `write`.
    public static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, path: String) throws(SystemError) {
        guard var p = buffer.baseAddress else { return }
        var left = buffer.count
        while left > 0 {
            let n = write(fd, p, left)
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError("write", path: path, errno: errno)
            }
            p += n
            left -= n
        }
    }

    /// Asks the kernel to start writing `length` bytes of `fd` from `offset` to the disk, without waiting, so that
    /// a file written in one stream is mostly on disk by the time it is flushed (the final `fsync` of a 300 MB
    /// image array otherwise waited for all of it at the end). Advisory: where the call is missing or refused (a
    /// file system without it, a pipe), nothing happens, and the flush still does the whole job. The
    /// corresponding C function is `sync_file_range` (Linux), called through `CSystemShims`. Answers whether the
    /// kernel took the request (true elsewhere than Linux, where there is nothing to ask).
    @discardableResult
    public static func startWriteback(_ fd: Int32, offset: Int, length: Int) -> Bool {
        cvat_start_writeback(fd, Int64(offset), Int64(length)) == 0
    }

    /// Writes `buffer` at `offset` without moving the file position. The corresponding C function is `pwrite`.
    public static func writeAll(
        _ fd: Int32, _ buffer: UnsafeRawBufferPointer, at offset: Int64, path: String
    ) throws(SystemError) {
        guard var p = buffer.baseAddress else { return }
        var left = buffer.count
        var at = offset
        while left > 0 {
            let n = pwrite(fd, p, left, off_t(at))
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError("write", path: path, errno: errno)
            }
            p += n
            left -= n
            at += Int64(n)
        }
    }

    /// Flushes a file or a folder to the disk. The corresponding C function is `fsync`.
    public static func sync(_ fd: Int32, path: String) throws(SystemError) {
        while fsync(fd) != 0 {
            if errno == EINTR { continue }
            throw SystemError("fsync", path: path, errno: errno)
        }
    }

    /// Flushes a folder's entries (a rename into it, a new file) to the disk.
    public static func syncDirectory(_ path: String) throws(SystemError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError("open", path: path, errno: errno) }
        defer { close(fd) }
        try sync(fd, path: path)
    }
}
