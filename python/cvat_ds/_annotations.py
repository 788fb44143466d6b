"""annotations.jsonl: one JSON line per sample with the frame's CVAT tags and shapes (CVAT's fields, in source-image
coordinates), read one line at a time."""

from __future__ import annotations

import json
import mmap
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional

import numpy as np


@dataclass(frozen=True)
class AttributeValue:
    spec_id: int
    value: str
    name: Optional[str] = None


@dataclass(frozen=True)
class Tag:
    """A CVAT tag (cvat-sdk's `LabeledImage` fields, plus the label's name)."""

    id: int
    frame: int
    label_id: int
    group: Optional[int]
    source: Optional[str]
    attributes: tuple[AttributeValue, ...]
    label: Optional[str] = None


@dataclass(frozen=True)
class Shape:
    """A CVAT shape (cvat-sdk's `LabeledShape` fields, plus the label's name). A shape made from a track has its
    `track_id` and `keyframe`; skeletons hold their points in `elements`. `type` is a plain string ("rectangle",
    ...), where cvat-sdk has an enum whose `.value` is that string."""

    type: str
    frame: int
    label_id: int
    points: tuple[float, ...]
    occluded: bool = False
    outside: bool = False
    z_order: int = 0
    rotation: float = 0.0
    id: Optional[int] = None
    group: Optional[int] = None
    source: Optional[str] = None
    attributes: tuple[AttributeValue, ...] = ()
    score: Optional[float] = None
    elements: tuple["Shape", ...] = ()
    label: Optional[str] = None
    track_id: Optional[int] = None
    keyframe: Optional[bool] = None


@dataclass(frozen=True)
class FrameAnnotations:
    """A frame's annotations, as cvat-sdk's `FrameAnnotations` (`tags`, `shapes`), with the task and frame."""

    task_id: int
    frame: int
    tags: tuple[Tag, ...]
    shapes: tuple[Shape, ...]


def _attributes(values: Any) -> tuple[AttributeValue, ...]:
    return tuple(AttributeValue(a["spec_id"], a["value"], a.get("name")) for a in values or ())


def _shape(s: Mapping[str, Any], frame: int) -> Shape:
    return Shape(
        type=s["type"], frame=s.get("frame", frame), label_id=s["label_id"], points=tuple(s.get("points") or ()),
        occluded=bool(s.get("occluded", False)), outside=bool(s.get("outside", False)),
        z_order=int(s.get("z_order") or 0), rotation=float(s.get("rotation") or 0.0), id=s.get("id"),
        group=s.get("group"), source=s.get("source"), attributes=_attributes(s.get("attributes")),
        score=s.get("score"), elements=tuple(_shape(e, frame) for e in s.get("elements") or ()),
        label=s.get("label"), track_id=s.get("track_id"), keyframe=s.get("keyframe"))


def parse_frame(line: Mapping[str, Any]) -> FrameAnnotations:
    frame = int(line["frame"])
    return FrameAnnotations(
        task_id=int(line["task_id"]), frame=frame,
        tags=tuple(Tag(t["id"], t.get("frame", frame), t["label_id"], t.get("group"), t.get("source"),
                       _attributes(t.get("attributes")), t.get("label")) for t in line.get("tags") or ()),
        shapes=tuple(_shape(s, frame) for s in line.get("shapes") or ()))


class JsonLines:
    """A JSON Lines file with `count` lines; the line starts are found once (one pass over a memory map) and each
    line is read and parsed only when asked for."""

    def __init__(self, path: Path, count: int) -> None:
        from ._export import ExportError

        self.path = path
        self._starts: Optional[np.ndarray] = None
        self._count = count
        if not path.exists():
            raise ExportError(path, "missing (the manifest lists it)")

    def _index(self) -> np.ndarray:
        from ._export import ExportError

        if self._starts is None:
            size = self.path.stat().st_size
            if size == 0:
                ends = np.zeros(0, dtype=np.int64)
            else:
                with open(self.path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
                    ends = np.flatnonzero(np.frombuffer(m, dtype=np.uint8) == 0x0A).astype(np.int64)
            if len(ends) != self._count:
                raise ExportError(self.path, f"has {len(ends)} lines, the manifest's shard has {self._count} samples")
            self._starts = np.concatenate([[0], ends + 1])
        return self._starts

    def frame(self, local: int) -> FrameAnnotations:
        from ._export import ExportError

        starts = self._index()
        with open(self.path, "rb") as f:
            f.seek(int(starts[local]))
            data = f.read(int(starts[local + 1] - starts[local]))
        try:
            return parse_frame(json.loads(data))
        except (ValueError, KeyError, TypeError) as error:
            raise ExportError(self.path, f"line {local + 1} is not a cvat-ds annotation line ({error})") from None
