/// How `Syscalls.cloneFile` brought a file to its new name.
public enum CloneMethod: String, Sendable, Comparable {
    /// A second name for the same inode: nothing copied. The caller must never write to either name.
    case hardlink
    /// A copy-on-write clone (btrfs, XFS): new inode, shared blocks until one is written.
    case reflink
    /// Every byte copied.
    case copy

    /// Ordered from the most shared to the least, so that `max` names the least shared of several files.
    public static func < (a: CloneMethod, b: CloneMethod) -> Bool {
        let order: [CloneMethod] = [.hardlink, .reflink, .copy]
        return order.firstIndex(of: a)! < order.firstIndex(of: b)!
    }
}

extension Syscalls {
    /// Makes `destination` (which must not exist) hold the bytes of `source` as cheaply as the file system allows:
    /// a hard link, else a reflink clone, else a copy. The source is only ever read. The corresponding C functions
    /// are `link`, `ioctl(FICLONE)`, and `read` and `write`.
    public static func cloneFile(_ source: String, to destination: String) throws(SystemError) -> CloneMethod {
        if link(source, destination) == 0 { return .hardlink }
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw SystemError("open", path: source, errno: errno) }
        defer { close(input) }
        let output = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw SystemError("open", path: destination, errno: errno) }
        defer { close(output) }
        // FICLONE is _IOW(0x94, 9, int); Linux only, and only where the two files share a file system that
        // supports it.
        if ioctl(output, 0x4004_9409, input) == 0 { return .reflink }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError("read", path: source, errno: errno)
            }
            if n == 0 { break }
            var failure: SystemError?
            buffer.withUnsafeBytes { bytes in
                do throws(SystemError) {
                    try writeAll(output, UnsafeRawBufferPointer(rebasing: bytes[..<n]), path: destination)
                } catch {
                    failure = error
                }
            }
            if let failure { throw failure }
        }
        return .copy
    }
}
