"""The tar shards of a `--format webdataset` export, read without the webdataset package: the shard's DALI index
(`shard-00000.idx`: a line `v1.2 N`, then per sample `EXT OFFSET SIZE NAME ...`) says where every member's data
is, and the tar is memory-mapped, so sample i is read directly. Without the index the tar's headers are scanned
once with `tarfile`."""

from __future__ import annotations

import ast
import json
import tarfile
from pathlib import Path
from typing import Any, Mapping, Optional

import numpy as np


def _error(path: Path, message: str) -> Exception:
    from ._export import ExportError

    return ExportError(path, message)


class SampleMembers:
    """One sample's members: extension ("npy", "mask.npy", "cls", "json", "jpg", "png") -> its bytes in the map."""

    def __init__(self, path: Path, data: np.ndarray, members: Mapping[str, tuple[int, int]]) -> None:
        self.path = path
        self._data = data
        self._members = members

    def __contains__(self, ext: str) -> bool:
        return ext in self._members

    def raw(self, ext: str) -> np.ndarray:
        offset, size = self._members[ext]
        if offset + size > len(self._data):
            raise _error(self.path, f"member .{ext} at {offset}+{size} runs past the end of the tar (truncated?)")
        return self._data[offset:offset + size]

    def json(self) -> Mapping[str, Any]:
        if "json" not in self._members:
            raise _error(self.path, "a sample has no .json member")
        try:
            return json.loads(self.raw("json").tobytes())
        except ValueError as error:
            raise _error(self.path, f"a sample's .json member is not JSON ({error})") from None

    def npy(self, ext: str) -> np.ndarray:
        """The .npy member as an array viewing the map (no copy)."""
        data = self.raw(ext)
        header = data[:10].tobytes()
        if len(header) < 10 or header[:6] != b"\x93NUMPY" or header[6] != 1:
            raise _error(self.path, f"member .{ext} is not a version 1 .npy file")
        length = 10 + int.from_bytes(header[8:10], "little")
        try:
            fields = ast.literal_eval(data[10:length].tobytes().decode("latin1"))
            dtype = np.dtype(fields["descr"])
            shape = tuple(fields["shape"])
        except (ValueError, SyntaxError, KeyError, TypeError) as error:
            raise _error(self.path, f"member .{ext} has an unreadable .npy header ({error})") from None
        body = data[length:]
        count = int(np.prod(shape, dtype=np.int64))
        if body.nbytes != count * dtype.itemsize:
            raise _error(self.path, f"member .{ext} holds {body.nbytes} bytes for a {dtype} array of {list(shape)}")
        return body.view(dtype).reshape(shape)


class TarShard:
    """One tar shard, memory-mapped; `sample(i)` gives the members of its i-th sample."""

    def __init__(self, path: Path, index: Optional[Path], count: int) -> None:
        self.path = path
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise _error(path, "missing (the manifest lists it)") from None
        self._data = np.memmap(path, dtype=np.uint8, mode="r") if size else np.zeros(0, dtype=np.uint8)
        samples = self._read_index(index) if index is not None and index.exists() else self._scan()
        if len(samples) != count:
            raise _error(path, f"holds {len(samples)} samples, the manifest's shard has {count}")
        self._samples = samples

    def _read_index(self, index: Path) -> list[dict[str, tuple[int, int]]]:
        lines = index.read_text(encoding="ascii").splitlines()
        head = lines[0].split() if lines else []
        if len(head) != 2 or not head[0].startswith("v1.") or not head[1].isdigit():
            raise _error(index, "not a DALI webdataset index (its first line is not 'v1.2 N')")
        samples = []
        for number, line in enumerate(lines[1:], start=2):
            fields = line.split(" ")
            if len(fields) % 4:
                raise _error(index, f"line {number} is not EXT OFFSET SIZE NAME groups")
            samples.append({fields[i]: (int(fields[i + 1]), int(fields[i + 2])) for i in range(0, len(fields), 4)})
        if len(samples) != int(head[1]):
            raise _error(index, f"says {head[1]} samples but lists {len(samples)}")
        return samples

    def _scan(self) -> list[dict[str, tuple[int, int]]]:
        samples: list[dict[str, tuple[int, int]]] = []
        last = None
        try:
            with tarfile.open(self.path) as tar:
                for member in tar:
                    if not member.isfile():
                        continue
                    key, _, ext = member.name.partition(".")
                    if key != last:
                        samples.append({})
                        last = key
                    samples[-1][ext] = (member.offset_data, member.size)
        except tarfile.TarError as error:
            raise _error(self.path, f"not a readable tar ({error})") from None
        return samples

    def sample(self, local: int) -> SampleMembers:
        return SampleMembers(self.path, self._data, self._samples[local])
