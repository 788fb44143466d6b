#!/usr/bin/env python3
"""Rewrite a cached chunk zip with one hostile or broken member, for the export error tests.

    make_bad_chunk.py CHUNK.zip KIND MEMBER_INDEX

KIND:
  corrupt-jpeg   the member's JPEG data after its header is replaced by garbage
  truncated      the member is cut to a third of its length
  huge-header    the member becomes a PNG whose IHDR claims 100000x100000 pixels (a decompression bomb)
  dotdot         the member is renamed ../x.jpg
  absolute       the member is renamed /etc/x.jpg
The other members are copied unchanged, ZIP_STORED, in the same order.
"""

import struct
import sys
import zipfile
import zlib


def bomb_png():
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def main():
    path, kind, index = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with zipfile.ZipFile(path) as z:
        members = [(info.filename, z.read(info)) for info in z.infolist()]
    name, data = members[index]
    if kind == "corrupt-jpeg":
        data = data[:200] + bytes((i * 37) & 0xFF for i in range(len(data) - 200))
    elif kind == "truncated":
        data = data[: len(data) // 3]
    elif kind == "huge-header":
        data = bomb_png()
    elif kind == "dotdot":
        name = "../x.jpg"
    elif kind == "absolute":
        name = "/etc/x.jpg"
    else:
        sys.exit(f"unknown kind {kind}")
    members[index] = (name, data)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        for member_name, member_data in members:
            z.writestr(zipfile.ZipInfo(member_name), member_data)


if __name__ == "__main__":
    main()
