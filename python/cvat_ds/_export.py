"""Reading a cvat-ds export: the manifest as typed objects and every array memory-mapped.

An export is one folder with manifest.json. Its arrays may live in one file each (npy, raw .bin, or one
.safetensors file), in shards (`--shard-size`), or in the parts of a merged manifest (`--shard I/N` +
`cvat-ds merge-manifests`); all of them are read through the manifest's `shards` list, so a caller sees one
sequence of samples whichever way the export was written (docs/output-format.md).
"""

from __future__ import annotations

import bisect
import builtins
import json
import os
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping, Optional, Sequence, Union

import numpy as np

from ._annotations import FrameAnnotations, JsonLines, parse_frame
from ._webdataset import TarShard

# Offsets arrays restart at 0 in every shard and index another array of the same shard.
_OFFSETS = ("image_offsets", "box_offsets", "mask_offsets")
# Arrays with one row per box (instance); everything else not listed here has one row per sample.
_ROW_ARRAYS = ("boxes", "box_labels", "keypoints")
_ROW_PREFIX = "box_"


class ExportError(Exception):
    """A missing, unreadable or inconsistent file of an export; the message names the file."""

    def __init__(self, path: Union[str, os.PathLike], message: str) -> None:
        self.path = Path(path)
        super().__init__(f"{self.path}: {message}")


@dataclass(frozen=True)
class AttributeSpec:
    """An attribute of a CVAT label (CVAT's `Attribute`)."""

    id: int
    name: str
    input_type: str
    mutable: bool
    values: tuple[str, ...]
    default_value: str


@dataclass(frozen=True)
class Label:
    """A label of the export. `index` is the class index the arrays hold (offset included); `id` is the CVAT label
    id, None when the manifest has no label definitions (exports of a cvat-ds without annotations.jsonl)."""

    index: int
    name: str
    id: Optional[int] = None
    type: Optional[str] = None
    color: Optional[str] = None
    parent: Optional[int] = None
    attributes: tuple[AttributeSpec, ...] = ()
    sublabels: tuple["Label", ...] = ()
    edges: tuple[tuple[int, int], ...] = ()


def _label_from(entry: Mapping[str, Any], index: int) -> Label:
    return Label(
        index=index, name=entry["name"], id=entry.get("id"), type=entry.get("type"), color=entry.get("color"),
        parent=entry.get("parent"),
        attributes=tuple(AttributeSpec(a["id"], a["name"], a["input_type"], a["mutable"], tuple(a["values"]),
                                       a["default_value"]) for a in entry.get("attributes") or ()),
        sublabels=tuple(_label_from(s, -1) for s in entry.get("sublabels") or ()),
        edges=tuple((int(a), int(b)) for a, b in entry.get("edges") or ()))


class Labels(Sequence[Label]):
    """The export's labels in class-index order, with lookup by name and by CVAT id."""

    def __init__(self, manifest_labels: Mapping[str, Any]) -> None:
        self.offset: int = int(manifest_labels.get("label_offset", 0))
        names: list[str] = list(manifest_labels.get("names", []))
        definitions = {d["name"]: d for d in manifest_labels.get("definitions") or ()}
        id_to_index = {int(k): int(v) for k, v in (manifest_labels.get("label_id_to_index") or {}).items()}
        self._labels = [
            _label_from(definitions.get(name, {"name": name}), position + self.offset)
            for position, name in enumerate(names)]
        self._by_name = {label.name: label for label in self._labels}
        self._by_id = {label.id: label for label in self._labels if label.id is not None}
        self.definitions: tuple[Label, ...] = tuple(
            _label_from(d, id_to_index.get(int(d["id"]), -1)) for d in manifest_labels.get("definitions") or ())
        #: CVAT label id -> class index (cvat-sdk's `Target.label_id_to_index`); empty without label definitions.
        self.label_id_to_index: Mapping[int, int] = id_to_index or {
            label.id: label.index for label in self._labels if label.id is not None}

    def __len__(self) -> int:
        return len(self._labels)

    def __getitem__(self, position):  # type: ignore[override]
        return self._labels[position]

    def by_name(self, name: str) -> Label:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"no label named {name!r}; the export has {[l.name for l in self._labels]}") from None

    def by_id(self, label_id: int) -> Label:
        try:
            return self._by_id[label_id]
        except KeyError:
            if not self._by_id:
                raise KeyError(f"label id {label_id}: this export's manifest has no CVAT label ids "
                               "(export it again with a cvat-ds that writes label definitions)") from None
            raise KeyError(f"no label with CVAT id {label_id}; the export has ids {sorted(self._by_id)}") from None

    def names(self) -> list[str]:
        return [label.name for label in self._labels]


@dataclass(frozen=True)
class TaskSource:
    id: int
    updated_date: Optional[str] = None


@dataclass(frozen=True)
class Source:
    """Where the export came from: the server (never with credentials), the tasks and the project."""

    server: Optional[str]
    tasks: tuple[TaskSource, ...]
    project: Optional[TaskSource] = None


@dataclass(frozen=True)
class Transform:
    """The manifest's `transform`: `target` (none, label, bboxes, masks, semantic, keypoints) and every other
    parameter of the export, the full record in `raw`."""

    target: str
    layout: str
    dtype: str
    format: str
    label_offset: int
    tracks: bool
    shape_types: tuple[str, ...]
    resize: Mapping[str, Any]
    raw: Mapping[str, Any] = field(repr=False)


@dataclass(frozen=True)
class SampleInfo:
    """A manifest `samples` entry: the CVAT task and frame, the file name, the original frame's size."""

    task_id: int
    frame: int
    name: str
    width: int
    height: int
    source_frame: Optional[int] = None
    job_id: Optional[int] = None


@dataclass(frozen=True, repr=False)
class Sample:
    """One sample: its image and its target arrays, in output-image coordinates.

    `label` is set for `--transform label`; `boxes` (K, 4), `labels` (K,) and `track_ids` (K,) for bboxes, masks and
    keypoints; `masks` is (K, H, W) for masks, the class map (H, W) for semantic; `keypoints` (K, P, 3). `extra`
    holds every other array's rows for this sample (e.g. `box_occluded`, `box_attributes`, `tag_attributes`).
    Arrays are views of the memory maps; copy them to keep them past the Export."""

    index: int
    info: SampleInfo
    image: np.ndarray
    label: Optional[int] = None
    boxes: Optional[np.ndarray] = None
    labels: Optional[np.ndarray] = None
    track_ids: Optional[np.ndarray] = None
    masks: Optional[np.ndarray] = None
    keypoints: Optional[np.ndarray] = None
    extra: Mapping[str, np.ndarray] = field(default_factory=dict)
    #: `--keep-encoded` webdataset exports: "jpg" or "png", and `image` is the file's bytes (uint8, 1-D); None
    #: when `image` holds pixels.
    image_format: Optional[str] = None
    _export: Optional["Export"] = field(default=None, repr=False, compare=False)
    _annotations: Optional[FrameAnnotations] = field(default=None, repr=False, compare=False)

    def __repr__(self) -> str:
        def show(a: Optional[np.ndarray]) -> str:
            return f"{a.dtype.name}{list(a.shape)}" if a is not None else "None"
        parts = [f"index={self.index}", f"task_id={self.info.task_id}", f"frame={self.info.frame}",
                 f"image={show(self.image)}"]
        if self.label is not None:
            parts.append(f"label={self.label}")
        for name in ("boxes", "labels", "track_ids", "masks", "keypoints"):
            value = getattr(self, name)
            if value is not None:
                parts.append(f"{name}={show(value)}")
        parts += [f"{k}={show(v)}" for k, v in sorted(self.extra.items())]
        return f"Sample({', '.join(parts)})"

    @property
    def task_id(self) -> int:
        return self.info.task_id

    @property
    def frame(self) -> int:
        return self.info.frame

    @property
    def annotations(self) -> FrameAnnotations:
        """The frame's CVAT annotations (tags and shapes with ids, attributes, track ids) from annotations.jsonl,
        read when first asked for. Raises ExportError when the export has no annotations.jsonl."""
        if self._annotations is not None:
            return self._annotations
        if self._export is None:
            raise ValueError("this Sample is not attached to an Export")
        return self._export.annotations(self.index)


def _dtype(name: str) -> np.dtype:
    return np.dtype(name).newbyteorder("<")


class _SafetensorsFile:
    """The header of a .safetensors file; tensors are memory-mapped from it, not read."""

    _DTYPES = {"U8": "uint8", "U16": "uint16", "I64": "int64", "F32": "float32", "I32": "int32", "F64": "float64",
               "I8": "int8", "I16": "int16", "BOOL": "bool", "F16": "float16", "U32": "uint32", "U64": "uint64"}

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            with builtins.open(path, "rb") as f:
                head = f.read(8)
                if len(head) != 8:
                    raise ExportError(path, "not a safetensors file (shorter than its 8-byte header length)")
                (length,) = struct.unpack("<Q", head)
                header = json.loads(f.read(length))
        except FileNotFoundError:
            raise ExportError(path, "missing (the manifest lists it)") from None
        except (ValueError, UnicodeDecodeError) as error:
            raise ExportError(path, f"unreadable safetensors header ({error})") from None
        self.data_start = 8 + length
        self.tensors = {k: v for k, v in header.items() if k != "__metadata__"}

    def array(self, name: str) -> np.ndarray:
        entry = self.tensors.get(name)
        if entry is None:
            raise ExportError(self.path, f"has no tensor {name!r} (it holds {sorted(self.tensors)})")
        dtype = _dtype(self._DTYPES.get(entry["dtype"], entry["dtype"].lower()))
        start, end = entry["data_offsets"]
        shape = tuple(entry["shape"])
        return _map(self.path, dtype, shape, self.data_start + start, end - start)


def _map(path: Path, dtype: np.dtype, shape: tuple[int, ...], offset: int, nbytes: int) -> np.ndarray:
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if nbytes != expected:
        raise ExportError(path, f"holds {nbytes} bytes for a {dtype.name} array of shape {list(shape)} "
                                f"({expected} bytes expected)")
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ExportError(path, "missing (the manifest lists it)") from None
    if size < offset + nbytes:
        raise ExportError(path, f"is {size} bytes, shorter than the {offset + nbytes} its array needs (truncated?)")
    if nbytes == 0:
        # mmap cannot map zero bytes.
        return np.empty(shape, dtype=dtype)
    return np.memmap(path, dtype=dtype, mode="r", offset=offset, shape=shape)


@dataclass
class _Shard:
    index: int
    start: int
    end: int
    entries: Mapping[str, Mapping[str, Any]]
    files: Mapping[str, Mapping[str, Any]]
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    #: webdataset: the tar and its DALI index, relative to the manifest.
    tar: Optional[str] = None
    dali_index: Optional[str] = None
    opened: Optional[TarShard] = None


class Export(Sequence[Sample]):
    """An opened export. `len(export)` samples; `export[i]` the i-th Sample; iteration in order.

    Arrays are memory-mapped when first used. An Export pickles as its path (a DataLoader worker opens its own
    maps), so no array data is ever pickled."""

    def __init__(self, path: Union[str, os.PathLike]) -> None:
        self.path = Path(path)
        manifest_path = self.path / "manifest.json"
        try:
            self.manifest: Mapping[str, Any] = json.loads(manifest_path.read_text())
        except FileNotFoundError:
            raise ExportError(manifest_path, "missing: not a cvat-ds export folder") from None
        except ValueError as error:
            raise ExportError(manifest_path, f"not valid JSON ({error})") from None
        m = self.manifest
        try:
            self.labels = Labels(m.get("labels") or {})
            src = m.get("source") or {}
            project = src.get("project")
            self.source = Source(
                server=src.get("server"),
                tasks=tuple(TaskSource(t["id"], t.get("updated_date")) for t in src.get("tasks") or ()),
                project=TaskSource(project["id"], project.get("updated_date")) if project else None)
            t = m.get("transform") or {}
            self.transform = Transform(
                target=t.get("target", "none"), layout=t.get("layout", "nhwc"), dtype=t.get("dtype", "uint8"),
                format=t.get("format", "npy"), label_offset=int(t.get("label_offset", 0)),
                tracks=bool(t.get("tracks", True)), shape_types=tuple(t.get("shape_types") or ()),
                resize=t.get("resize") or {"mode": "none"}, raw=t)
            self.samples: tuple[SampleInfo, ...] = tuple(
                SampleInfo(s["task_id"], s["frame"], s.get("name", ""), s.get("width", 0), s.get("height", 0),
                           s.get("source_frame"), s.get("job_id")) for s in m["samples"])
            self.skipped: tuple[Mapping[str, Any], ...] = tuple(m.get("skipped") or ())
            shard_entries = m.get("shards") or [
                {"index": 0, "samples": [0, len(self.samples)], "arrays": m["arrays"], "files": m.get("files") or {}}]
            self._shards = [_Shard(s["index"], int(s["samples"][0]), int(s["samples"][1]), s["arrays"],
                                   s.get("files") or {}, tar=s.get("file"), dali_index=s.get("dali_index"))
                            for s in shard_entries]
        except (KeyError, TypeError, ValueError) as error:
            raise ExportError(manifest_path, f"not a cvat-ds manifest ({type(error).__name__}: {error})") from None
        position = 0
        for shard in self._shards:
            if shard.start != position or shard.end < shard.start:
                raise ExportError(manifest_path, f"shard {shard.index} covers samples [{shard.start}, {shard.end}), "
                                                 f"but the previous shard ended at {position}")
            position = shard.end
        if position != len(self.samples):
            raise ExportError(manifest_path, f"the shards cover {position} samples, the manifest lists "
                                             f"{len(self.samples)}")
        self._starts = [shard.start for shard in self._shards]
        self._safetensors: dict[Path, _SafetensorsFile] = {}
        self._jsonl: dict[int, JsonLines] = {}
        names = set(self._shards[0].entries) if self._shards else set()
        self.array_names: frozenset[str] = frozenset(names)
        #: `--format webdataset`: samples are read from the tar shards, not from arrays.
        self.is_webdataset = self.transform.format == "webdataset"
        self._ragged_images = "image_offsets" in names
        self._ragged_masks = "mask_offsets" in names

    # Pickling: the path only; the other process maps the files itself.
    def __reduce__(self):
        return (Export, (str(self.path),))

    def __len__(self) -> int:
        return len(self.samples)

    def __repr__(self) -> str:
        return (f"Export({str(self.path)!r}, {len(self)} samples, target={self.transform.target!r}, "
                f"{len(self._shards)} shard(s), arrays={sorted(self.array_names)})")

    # -- arrays

    def _array(self, shard: _Shard, name: str) -> np.ndarray:
        cached = shard.arrays.get(name)
        if cached is not None:
            return cached
        entry = shard.entries[name]
        path = self.path / entry["file"]
        dtype = _dtype(entry["dtype"])
        shape = tuple(int(n) for n in entry["shape"])
        if path.suffix == ".safetensors":
            file = self._safetensors.get(path)
            if file is None:
                file = self._safetensors[path] = _SafetensorsFile(path)
            array = file.array(name)
        elif path.suffix == ".npy":
            try:
                array = np.load(path, mmap_mode="r")
            except FileNotFoundError:
                raise ExportError(path, "missing (the manifest lists it)") from None
            except ValueError as error:
                raise ExportError(path, f"not a readable .npy file ({error})") from None
        else:
            nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
            try:
                size = path.stat().st_size
            except FileNotFoundError:
                raise ExportError(path, "missing (the manifest lists it)") from None
            if size != nbytes:
                raise ExportError(path, f"is {size} bytes; the manifest's {entry['dtype']} {list(shape)} needs "
                                        f"{nbytes}")
            array = _map(path, dtype, shape, 0, nbytes)
        if tuple(array.shape) != shape or array.dtype.newbyteorder("<") != dtype:
            raise ExportError(path, f"{name} is {array.dtype.name} {list(array.shape)}, the manifest says "
                                    f"{entry['dtype']} {list(shape)}")
        shard.arrays[name] = array
        return array

    def _shard_of(self, index: int) -> tuple[_Shard, int]:
        if not -len(self) <= index < len(self):
            raise IndexError(f"sample {index} of an export of {len(self)} samples")
        if index < 0:
            index += len(self)
        shard = self._shards[bisect.bisect_right(self._starts, index) - 1]
        return shard, index - shard.start

    def array(self, name: str) -> np.ndarray:
        """The whole array `name` over every shard: the memory map itself for an unsharded export, else the
        shards concatenated (a copy; offsets arrays made global)."""
        if self.is_webdataset:
            raise ExportError(self.path / "manifest.json", "a webdataset export holds tar shards of samples, not "
                                                           "arrays; index or iterate the export instead")
        if name not in self.array_names:
            raise KeyError(f"the export has no array {name!r} (it has {sorted(self.array_names)})")
        parts = [self._array(shard, name) for shard in self._shards]
        if len(parts) == 1:
            return parts[0]
        if name in _OFFSETS:
            pieces, base = [np.zeros(1, dtype=np.int64)], 0
            for offsets in parts:
                pieces.append(np.asarray(offsets[1:]) + base)
                base += int(offsets[-1])
            return np.concatenate(pieces)
        return np.concatenate(parts)

    # -- samples

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        shard, local = self._shard_of(int(index))
        if self.is_webdataset:
            return self._webdataset_sample(shard, local, int(index) % max(len(self), 1))
        names = self.array_names
        if self._ragged_images:
            offsets = self._array(shard, "image_offsets")
            shape = tuple(int(n) for n in self._array(shard, "image_shapes")[local])
            image = self._array(shard, "images")[int(offsets[local]):int(offsets[local + 1])].reshape(shape)
        else:
            image = self._array(shard, "images")[local]
        values: dict[str, Any] = {}
        extra: dict[str, np.ndarray] = {}
        rows = None
        if "box_offsets" in names:
            offsets = self._array(shard, "box_offsets")
            rows = slice(int(offsets[local]), int(offsets[local + 1]))
        for name in names:
            if name in _OFFSETS or name in ("images", "image_shapes"):
                continue
            if name == "masks":
                values["masks"] = self._masks(shard, local, rows)
                continue
            array = self._array(shard, name)
            if name in _ROW_ARRAYS or name.startswith(_ROW_PREFIX):
                if rows is None:
                    raise ExportError(self.path / "manifest.json", f"{name} has one row per box, but the export "
                                                                   "has no box_offsets")
                value = array[rows]
            else:
                value = array[local]
            if name == "labels":
                values["label"] = int(value)
            elif name == "boxes":
                values["boxes"] = value
            elif name == "box_labels":
                values["labels"] = value
            elif name == "box_track_ids":
                values["track_ids"] = value
            elif name == "keypoints":
                values["keypoints"] = value
            else:
                extra[name] = value
        return Sample(index=int(index) % max(len(self), 1), info=self.samples[int(index)], image=image,
                      extra=extra, _export=self, **values)

    def _masks(self, shard: _Shard, local: int, rows: Optional[slice]) -> np.ndarray:
        masks = self._array(shard, "masks")
        semantic = self.transform.target == "semantic"
        if not self._ragged_masks:
            return masks[local] if semantic else masks[rows]
        offsets = self._array(shard, "mask_offsets")
        shape = tuple(int(n) for n in self._array(shard, "image_shapes")[local])
        height, width = (shape[0], shape[1]) if self.transform.layout == "nhwc" else (shape[1], shape[2])
        if semantic:
            return masks[int(offsets[local]):int(offsets[local + 1])].reshape(height, width)
        assert rows is not None
        start, end = int(offsets[rows.start]), int(offsets[rows.stop])
        return masks[start:end].reshape(rows.stop - rows.start, height, width)

    def _tar(self, shard: _Shard) -> TarShard:
        if shard.opened is None:
            if not shard.tar:
                raise ExportError(self.path / "manifest.json", f"webdataset shard {shard.index} names no tar file")
            index = self.path / shard.dali_index if shard.dali_index else None
            shard.opened = TarShard(self.path / shard.tar, index, shard.end - shard.start)
        return shard.opened

    def _webdataset_sample(self, shard: _Shard, local: int, index: int) -> Sample:
        """A sample from its tar members: the image (.npy, or .jpg/.png as bytes), .mask.npy, and the targets
        and annotation line of its .json, as the array formats' Sample has them."""
        members = self._tar(shard).sample(local)
        record = members.json()
        targets = record.get("targets") or {}
        image_format = None
        if "npy" in members:
            image = members.npy("npy")
        else:
            image_format = next((ext for ext in ("jpg", "png") if ext in members), None)
            if image_format is None:
                raise ExportError(members.path, f"sample {record.get('key')} has no .npy, .jpg or .png member")
            image = members.raw(image_format)
        values: dict[str, Any] = {}
        extra: dict[str, np.ndarray] = {}
        if "label" in targets:
            values["label"] = int(targets["label"])
        if "tag_id" in targets:
            extra["tag_ids"] = np.int64(targets["tag_id"])
        if "tag_attributes" in targets:
            extra["tag_attributes"] = _floats(targets["tag_attributes"])
        if "boxes" in targets:
            values["boxes"] = np.asarray(targets["boxes"], dtype=np.float32).reshape(-1, 4)
            values["labels"] = np.asarray(targets["box_labels"], dtype=np.int64)
            if "box_track_ids" in targets:
                values["track_ids"] = np.asarray(targets["box_track_ids"], dtype=np.int64)
            for name, dtype in (("box_shape_ids", np.int64), ("box_occluded", np.uint8), ("box_group", np.int64),
                                ("box_z_order", np.int32)):
                if name in targets:
                    extra[name] = np.asarray(targets[name], dtype=dtype)
            if "box_attributes" in targets:
                columns = len((self.labels_record.get("attribute_columns") or ()))
                extra["box_attributes"] = _floats(targets["box_attributes"]).reshape(-1, columns)
        if "keypoints" in targets:
            count = int(self.transform.raw.get("keypoint_count") or 0)
            values["keypoints"] = np.asarray(targets["keypoints"], dtype=np.float32).reshape(-1, count, 3)
        if "mask.npy" in members:
            values["masks"] = members.npy("mask.npy")
        annotations = parse_frame(record["annotations"]) if "annotations" in record else None
        return Sample(index=index, info=self.samples[index], image=image, extra=extra, image_format=image_format,
                      _export=self, _annotations=annotations, **values)

    @property
    def labels_record(self) -> Mapping[str, Any]:
        return self.manifest.get("labels") or {}

    def __iter__(self) -> Iterator[Sample]:
        for index in range(len(self)):
            yield self[index]

    # -- annotations.jsonl

    @property
    def has_annotations(self) -> bool:
        if self.is_webdataset:
            return bool(self.transform.raw.get("annotations", True))
        return bool(self._shards) and "annotations" in self._shards[0].files

    def annotations(self, index: int) -> FrameAnnotations:
        """Sample `index`'s line of annotations.jsonl (its shard's file), parsed."""
        shard, local = self._shard_of(index)
        if self.is_webdataset:
            record = self._tar(shard).sample(local).json()
            if "annotations" not in record:
                raise ExportError(self.path / "manifest.json", "the export was written with --no-annotations")
            return parse_frame(record["annotations"])
        entry = shard.files.get("annotations")
        if entry is None:
            raise ExportError(self.path / "manifest.json",
                              "the export has no annotations.jsonl (exported with --no-annotations, or by a "
                              "cvat-ds that does not write it)")
        lines = self._jsonl.get(shard.index)
        if lines is None:
            lines = self._jsonl[shard.index] = JsonLines(self.path / entry["file"], shard.end - shard.start)
        return lines.frame(local)


def _floats(values: Any) -> np.ndarray:
    """JSON numbers as float32, null (a NaN or infinity, which JSON cannot hold) as NaN."""
    return np.asarray([np.nan if v is None else v for v in _flatten(values)], dtype=np.float32)


def _flatten(values: Any) -> list:
    return [x for v in values for x in (_flatten(v) if isinstance(v, list) else [v])]


def open(path: Union[str, os.PathLike]) -> Export:  # noqa: A001 - the package's entry point, as `cvat_ds.open`
    """Open the export in folder `path` (any format, sharded or merged)."""
    return Export(path)
