import CvatSystem

/// A cache file mapped read-only, whose pages can be handed back to the kernel once they have been read.
///
/// A mapped file's pages count in the process's resident memory as they are touched, so a single pass over a
/// gigabyte of annotations would show as a gigabyte of RSS; `release(upTo:)` drops the pages behind the reader
/// (`MADV_DONTNEED`: clean file pages, read again from the page cache if touched again).
final class MappedFile {
    let path: String
    private let base: UnsafeMutableRawPointer?
    let count: Int
    private var released = 0
    private static let page = max(4096, Int(sysconf(Int32(_SC_PAGESIZE))))

    /// Nil when the file cannot be opened or mapped; `errno` says why.
    init?(path: String) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        count = Int(info.st_size)
        guard count > 0 else {
            base = nil
            return
        }
        let p = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let p, p != MAP_FAILED else { return nil }
        base = p
    }

    deinit {
        if let base { munmap(base, count) }
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: base == nil ? 0 : count) }

    /// Gives back the whole pages before `offset`. An offset below the last one starts a new pass over the file.
    func release(upTo offset: Int) {
        guard let base else { return }
        if offset < released {
            released = offset / Self.page * Self.page
            return
        }
        let end = offset / Self.page * Self.page
        guard end > released else { return }
        _ = madvise(base + released, end - released, MADV_DONTNEED)
        released = end
    }
}
