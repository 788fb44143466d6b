#ifndef CVAT_SYSTEM_H
#define CVAT_SYSTEM_H

/// Starts writing `length` bytes of `fd` from `offset` to the disk without waiting for it (Linux's
/// sync_file_range with SYNC_FILE_RANGE_WRITE, which Swift's Glibc module does not declare: it needs
/// _GNU_SOURCE). Returns 0, or -1 with errno set; elsewhere than Linux it does nothing and returns 0.
int cvat_start_writeback(int fd, long long offset, long long length);

#endif
