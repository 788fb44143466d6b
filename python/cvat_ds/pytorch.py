"""cvat_sdk.pytorch's names on top of the cvat-ds binary: change the import, keep the script.

    from cvat_ds.pytorch import TaskVisionDataset, ExtractSingleLabelIndex   # was: from cvat_sdk.pytorch import ...

Each dataset runs `cvat-ds export` (which syncs the cache first) into a folder under the cache, then serves
samples from that export: a PIL image and, by default, a `Target`. With one of this module's target transforms
(`ExtractSingleLabelIndex`, `ExtractBoundingBoxes`, `ExtractInstanceMasks`) the target comes straight from the
exported arrays; with any other (or none) it is a `Target` built from the export's annotations.jsonl.
"""

from __future__ import annotations

import enum
import hashlib
import json
import math
import os
import subprocess
import tempfile
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Container, Mapping, Optional, Sequence, Union

import numpy as np
import torch
import torch.utils.data

from ._annotations import FrameAnnotations, Shape
from ._binary import binary_path
from ._export import Export
from .torch import target_of

__all__ = ["TaskVisionDataset", "ProjectVisionDataset", "ExtractSingleLabelIndex", "ExtractBoundingBoxes",
           "ExtractInstanceMasks", "Target", "UpdatePolicy", "CvatDsError", "shape_bbox", "draw_mask"]


class UpdatePolicy(enum.Enum):
    """cvat_sdk's update policies: IF_MISSING_OR_STALE syncs (cheap when nothing changed), NEVER uses only the
    cache (`--offline`)."""

    IF_MISSING_OR_STALE = enum.auto()
    NEVER = enum.auto()


class CvatDsError(RuntimeError):
    """The cvat-ds binary failed; the message holds its error output and exit code."""


@dataclass(frozen=True)
class Target:
    """cvat_sdk.pytorch's Target: the frame's annotations (tags and shapes with attributes, from
    annotations.jsonl), `label_id_to_index`, and the image size (width, height)."""

    annotations: FrameAnnotations
    label_id_to_index: Mapping[int, int]
    image_size: tuple[int, int]


@dataclass(frozen=True)
class ExtractSingleLabelIndex:
    """The frame's single tag as a 0-dim int64 tensor (cvat_sdk's transform of the same name)."""

    def __call__(self, target: Target) -> torch.Tensor:
        tags = target.annotations.tags
        if not tags:
            raise ValueError("sample has no tags")
        if len(tags) > 1:
            raise ValueError("sample has multiple tags")
        return torch.tensor(target.label_id_to_index[tags[0].label_id], dtype=torch.long)

    def _export_args(self) -> list[str]:
        return ["--transform", "label"]


def _shape_types(value: Any, supported: frozenset[str]) -> frozenset[str]:
    types_ = frozenset(value)
    unknown = types_ - supported
    if unknown:
        raise ValueError(f"unsupported shape types {sorted(unknown)}; supported: {sorted(supported)}")
    return types_


@dataclass(frozen=True)
class ExtractBoundingBoxes:
    """{"boxes": float32 (K, 4), "labels": int64 (K,)} (cvat_sdk's transform of the same name). Boxes come from
    cvat-ds: an ellipse's box is the whole ellipse and rotated shapes are boxed rotated, where cvat_sdk boxes a
    quarter of the ellipse and refuses rotation (docs/differences.md)."""

    include_shape_types: frozenset[str]
    SUPPORTED_SHAPE_TYPES = frozenset(["rectangle", "polygon", "polyline", "points", "ellipse"])

    def __init__(self, *, include_shape_types: Any) -> None:
        object.__setattr__(self, "include_shape_types", _shape_types(include_shape_types, self.SUPPORTED_SHAPE_TYPES))

    def __call__(self, target: Target) -> dict[str, torch.Tensor]:
        shapes = [s for s in target.annotations.shapes if s.type in self.include_shape_types]
        return {"boxes": _boxes([shape_bbox(s) for s in shapes]),
                "labels": torch.tensor([target.label_id_to_index[s.label_id] for s in shapes], dtype=torch.long)}

    def _export_args(self) -> list[str]:
        return ["--transform", "bboxes", "--shape-types", ",".join(sorted(self.include_shape_types))]


@dataclass(frozen=True)
class ExtractInstanceMasks:
    """{"boxes", "labels", "masks": uint8 (K, H, W)} (cvat_sdk's transform of the same name)."""

    include_shape_types: frozenset[str]
    SUPPORTED_SHAPE_TYPES = frozenset(["polygon", "mask"])

    def __init__(self, *, include_shape_types: Any) -> None:
        object.__setattr__(self, "include_shape_types", _shape_types(include_shape_types, self.SUPPORTED_SHAPE_TYPES))

    def __call__(self, target: Target) -> dict[str, torch.Tensor]:
        shapes = [s for s in target.annotations.shapes if s.type in self.include_shape_types]
        width, height = target.image_size
        masks = [torch.from_numpy(draw_mask(s, target.image_size).astype(np.uint8)) for s in shapes]
        return {"boxes": _boxes([shape_bbox(s) for s in shapes]),
                "labels": torch.tensor([target.label_id_to_index[s.label_id] for s in shapes], dtype=torch.long),
                "masks": torch.stack(masks) if masks else torch.empty((0, height, width), dtype=torch.uint8)}

    def _export_args(self) -> list[str]:
        return ["--transform", "masks", "--shape-types", ",".join(sorted(self.include_shape_types))]


def _rotate(points: Sequence[tuple[float, float]], degrees: float, cx: float, cy: float) -> list[tuple[float, float]]:
    # Clockwise in image coordinates (y down), as CVAT draws a rotation.
    a = math.radians(degrees)
    c, s = math.cos(a), math.sin(a)
    return [(cx + (x - cx) * c - (y - cy) * s, cy + (x - cx) * s + (y - cy) * c) for x, y in points]


def shape_bbox(shape: Shape) -> tuple[float, float, float, float]:
    """The box cvat-ds exports for a shape (docs/differences.md): a mask's stored box made exclusive; an ellipse's
    whole ellipse; any other shape's points; a rotated shape's box around it rotated about its centre."""
    p = shape.points
    if shape.type == "mask":
        x1, y1, x2, y2 = p[-4:]
        return x1, y1, x2 + 1, y2 + 1
    if shape.type == "ellipse":
        cx, cy, rx, ry = p[0], p[1], abs(p[2] - p[0]), abs(p[1] - p[3])
        a = math.radians(shape.rotation)
        half_w = math.hypot(rx * math.cos(a), ry * math.sin(a))
        half_h = math.hypot(rx * math.sin(a), ry * math.cos(a))
        return cx - half_w, cy - half_h, cx + half_w, cy + half_h
    xy = list(zip(p[0::2], p[1::2]))
    if shape.type == "rectangle":
        (x1, y1), (x2, y2) = xy[0], xy[1]
        xy = [(x1, y1), (x2, y1), (x2, y2), (x1, y2)]
    if shape.rotation:
        xs, ys = [x for x, _ in xy], [y for _, y in xy]
        xy = _rotate(xy, shape.rotation, (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
    xs, ys = [x for x, _ in xy], [y for _, y in xy]
    return min(xs), min(ys), max(xs), max(ys)


def draw_mask(shape: Shape, image_size: tuple[int, int]) -> np.ndarray:
    """A polygon or mask shape as a (height, width) bool array, as cvat_sdk draws it (Pillow's polygon fill on a
    mode "1" image; a mask decoded from its run lengths)."""
    width, height = image_size
    if shape.type == "mask":
        *runs, x1, y1, x2, y2 = (int(v) for v in shape.points)
        bits = np.repeat((np.arange(len(runs)) & 1) != 0, runs)
        full = np.zeros((height, width), dtype=bool)
        full[y1:y2 + 1, x1:x2 + 1] = bits.reshape(y2 + 1 - y1, x2 + 1 - x1)
        return full
    from PIL import Image, ImageDraw

    xy = list(zip(shape.points[0::2], shape.points[1::2]))
    if shape.rotation:
        xs, ys = [x for x, _ in xy], [y for _, y in xy]
        xy = _rotate(xy, shape.rotation, (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
    image = Image.new("1", image_size)
    ImageDraw.Draw(image).polygon(xy, fill=1)
    return np.array(image)


def _boxes(boxes: list[tuple[float, float, float, float]]) -> torch.Tensor:
    return torch.tensor(boxes, dtype=torch.float32) if boxes else torch.empty((0, 4), dtype=torch.float32)


_FAST = (ExtractSingleLabelIndex, ExtractBoundingBoxes, ExtractInstanceMasks)


@dataclass(frozen=True)
class _Connection:
    """How the binary reaches the server: the flags and environment it is run with (credentials only in the
    environment, never on a command line other processes can read)."""

    host: str
    cache_dir: Optional[Path]
    flags: tuple[str, ...]
    env: Mapping[str, str]


def _connection(client: Any, auth: Optional[tuple[str, str]], cache_dir: Optional[Union[str, os.PathLike]]
                ) -> _Connection:
    env: dict[str, str] = {}
    flags: list[str] = []
    if isinstance(client, str):
        host = client
    else:
        # A cvat_sdk Client: its host, its access token, its cache folder.
        host = client.api_map.host
        token = getattr(client.api_client.configuration, "access_token", None)
        if token:
            env["CVAT_ACCESS_TOKEN"] = token
        elif auth is None:
            raise ValueError("the cvat_sdk Client logged in with a password, which it does not keep; pass "
                             "auth=(user, password), or log in with an access token")
        if cache_dir is None:
            cache_dir = client.config.cache_dir
        if client.config.verify_ssl is False:
            flags.append("--insecure")
    if auth is not None:
        user, password = auth
        flags += ["--auth", user]
        env["PASS"] = password
    return _Connection(host, Path(cache_dir) if cache_dir is not None else None, tuple(flags), env)


def _run(conn: _Connection, command: str, args: Sequence[str]) -> str:
    argv = [binary_path(), command, "--server-host", conn.host, *conn.flags, "--quiet"]
    if conn.cache_dir is not None:
        argv += ["--cache-dir", str(conn.cache_dir)]
    argv += list(args)
    process = subprocess.run(argv, env={**os.environ, **conn.env}, stdin=subprocess.DEVNULL,
                             capture_output=True, text=True)
    if process.returncode != 0:
        raise CvatDsError(f"cvat-ds {command} exited with {process.returncode}: {process.stderr.strip()}")
    return process.stdout


def _cache_root(conn: _Connection) -> Path:
    # cvat-ds's default, which is cvat_sdk's.
    return conn.cache_dir or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "cvat-sdk"


def _exports_root(conn: _Connection) -> Path:
    return _cache_root(conn) / "cvat-ds-exports"


def _sync(conn: _Connection, selection: Sequence[str]) -> dict[str, Any]:
    """`cvat-ds sync --json`: the cache folder of the server (`server_dir`) and each task's `id`, `updated_date`."""
    try:
        return json.loads(_run(conn, "sync", [*selection, "--json"]))
    except ValueError as error:
        raise CvatDsError(f"cvat-ds sync --json printed no JSON ({error})") from None


def _task_flags(task_ids: Sequence[int]) -> list[str]:
    return [a for t in task_ids for a in ("--task", str(t))]


def _export(conn: _Connection, task_ids: Sequence[int], args: Sequence[str], update_policy: UpdatePolicy) -> Export:
    """Export the tasks with these flags into a folder named after them (and the server), reusing it when the
    export is current: an existing export is replaced only when a task's updated_date changed."""
    # The binary is part of the key: a newer cvat-ds may write more (annotations.jsonl, new arrays), so its
    # exports are made anew rather than an older one's reused.
    binary = os.stat(binary_path())
    key = hashlib.sha256(json.dumps([conn.host, list(task_ids), list(args), binary.st_size, binary.st_mtime_ns]
                                    ).encode()).hexdigest()[:16]
    out = _exports_root(conn) / key
    flags = _task_flags(task_ids) + list(args)
    if update_policy is UpdatePolicy.NEVER:
        if (out / "manifest.json").exists():
            return Export(out)
        flags.append("--offline")
    elif (out / "manifest.json").exists():
        # The sync costs one request per unchanged task, and says whether any changed.
        synced = _sync(conn, _task_flags(task_ids))
        current = Export(out)
        if {t["id"]: t.get("updated_date") for t in synced.get("tasks", [])} == {
                t.id: t.updated_date for t in current.source.tasks}:
            return current
    out.parent.mkdir(parents=True, exist_ok=True)
    _run(conn, "export", [*flags, "--out", str(out), "--force"])
    return Export(out)


def _default_server_dir(conn: _Connection) -> Path:
    """cvat_sdk's cache folder of a server (its host URL, base64url without padding), where cvat-ds syncs too;
    used only offline, when no sync reports the folder."""
    import base64

    name = base64.urlsafe_b64encode(conn.host.rstrip("/").encode()).rstrip(b"=").decode()
    return _cache_root(conn) / "servers" / name


def _cached_task(server_dir: Path, task_id: int) -> dict[str, Any]:
    path = server_dir / "tasks" / str(task_id) / "task.json"
    try:
        return dict(json.loads(path.read_text())["model"])
    except (FileNotFoundError, KeyError, ValueError) as error:
        raise CvatDsError(f"{path}: task {task_id} is not in the cache ({error})") from None


def _label_map_args(label_name_to_index: Optional[Mapping[str, int]], folder: Path) -> list[str]:
    if label_name_to_index is None:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    data = json.dumps(dict(sorted(label_name_to_index.items())))
    path = folder / f"label-map-{hashlib.sha256(data.encode()).hexdigest()[:16]}.json"
    if not path.exists():
        with tempfile.NamedTemporaryFile("w", dir=folder, delete=False) as f:
            f.write(data)
        os.replace(f.name, path)
    return ["--label-map", str(path)]


class _ExportVisionDataset(torch.utils.data.Dataset):
    """The samples of one export as cvat_sdk.pytorch serves them: (PIL image, Target), or the fast target."""

    def __init__(self, conn: _Connection, task_ids: Sequence[int], *, transforms: Optional[Callable],
                 transform: Optional[Callable], target_transform: Optional[Callable],
                 label_name_to_index: Optional[Mapping[str, int]], update_policy: UpdatePolicy,
                 resize: Optional[tuple[int, int]], include_tracks: bool) -> None:
        if transforms is not None and (transform is not None or target_transform is not None):
            raise ValueError("Only transforms or transform/target_transform can be passed")
        self.transform = transform
        self.target_transform = target_transform
        self.transforms = transforms
        self._fast = isinstance(target_transform, _FAST)
        args = ["--transform", "none"]
        if isinstance(target_transform, _FAST):
            args = target_transform._export_args()
        if resize is not None:
            args += ["--resize", f"{resize[0]}x{resize[1]}"]
        if not include_tracks:
            args.append("--no-tracks")
        args += _label_map_args(label_name_to_index, _exports_root(conn))
        self.export = _export(conn, task_ids, args, update_policy)
        self._label_id_to_index = types.MappingProxyType(dict(self.export.labels.label_id_to_index))

    def __len__(self) -> int:
        return len(self.export)

    # A DataLoader worker that is spawned receives the dataset pickled: the export as its path, the mapping as a
    # dict (a mappingproxy does not pickle).
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_label_id_to_index"] = dict(self._label_id_to_index)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._label_id_to_index = types.MappingProxyType(state["_label_id_to_index"])

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        from PIL import Image

        sample = self.export[index]
        image = Image.fromarray(np.ascontiguousarray(sample.image), mode="RGB")
        if self._fast:
            target: Any = target_of(sample, self.export.transform.target)
        else:
            target = Target(sample.annotations, self._label_id_to_index, (sample.info.width, sample.info.height))
        if self.transforms is not None:
            return self.transforms(image, target)
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None and not self._fast:
            target = self.target_transform(target)
        return image, target


class TaskVisionDataset(_ExportVisionDataset):
    """cvat_sdk.pytorch.TaskVisionDataset: one sample per frame of the task (deleted frames left out).

    `client` is a cvat_sdk Client (its host, access token and cache folder are used) or a server URL, with
    CVAT_ACCESS_TOKEN in the environment or `auth=(user, password)`. `resize=(w, h)` exports resized images
    (boxes and masks follow them); `include_tracks=False` gives cvat_sdk's view, which leaves tracks out."""

    def __init__(self, client: Any, task_id: int, *, transforms: Optional[Callable] = None,
                 transform: Optional[Callable] = None, target_transform: Optional[Callable] = None,
                 label_name_to_index: Optional[Mapping[str, int]] = None,
                 update_policy: Any = UpdatePolicy.IF_MISSING_OR_STALE, auth: Optional[tuple[str, str]] = None,
                 cache_dir: Optional[Union[str, os.PathLike]] = None, resize: Optional[tuple[int, int]] = None,
                 include_tracks: bool = True) -> None:
        conn = _connection(client, auth, cache_dir)
        super().__init__(conn, [task_id], transforms=transforms, transform=transform,
                         target_transform=target_transform, label_name_to_index=label_name_to_index,
                         update_policy=_policy(update_policy), resize=resize, include_tracks=include_tracks)


class _TaskRecord(types.SimpleNamespace):
    """A cached task model with attribute access (`task.subset`, `task.name`), for `task_filter` when cvat_sdk
    is not installed."""


def _task_models(tasks: list[dict[str, Any]]) -> list[Any]:
    try:
        from cvat_sdk import models

        return [models.TaskRead._from_openapi_data(**t) for t in tasks]
    except ImportError:
        return [_TaskRecord(**t) for t in tasks]


class ProjectVisionDataset(_ExportVisionDataset):
    """cvat_sdk.pytorch.ProjectVisionDataset: the samples of the project's tasks, tasks by id. `task_filter`
    receives each task's model (cvat_sdk's TaskRead when cvat_sdk is installed)."""

    def __init__(self, client: Any, project_id: int, *, transforms: Optional[Callable] = None,
                 transform: Optional[Callable] = None, target_transform: Optional[Callable] = None,
                 label_name_to_index: Optional[Mapping[str, int]] = None,
                 task_filter: Optional[Callable[[Any], bool]] = None, include_subsets: Optional[Container[str]] = None,
                 update_policy: Any = UpdatePolicy.IF_MISSING_OR_STALE, auth: Optional[tuple[str, str]] = None,
                 cache_dir: Optional[Union[str, os.PathLike]] = None, resize: Optional[tuple[int, int]] = None,
                 include_tracks: bool = True) -> None:
        conn = _connection(client, auth, cache_dir)
        policy = _policy(update_policy)
        if policy is UpdatePolicy.NEVER:
            server_dir = _default_server_dir(conn)
            project_json = server_dir / "projects" / str(project_id) / "project.json"
            try:
                task_ids = [int(t) for t in json.loads(project_json.read_text())["tasks"]]
            except (FileNotFoundError, KeyError, ValueError) as error:
                raise CvatDsError(f"{project_json}: project {project_id} is not in the cache ({error})") from None
        else:
            synced = _sync(conn, ["--project", str(project_id)])
            server_dir = Path(synced["server_dir"])
            task_ids = [int(t["id"]) for t in synced.get("tasks", [])]
        # Tasks by id, as cvat_sdk orders them.
        tasks = [_cached_task(server_dir, task_id) for task_id in sorted(task_ids)]
        models = _task_models(tasks)
        kept = [task["id"] for task, model in zip(tasks, models)
                if (task_filter is None or task_filter(model))
                and (include_subsets is None or task.get("subset") in include_subsets)
                and task.get("data") is not None and task.get("dimension", "2d") == "2d"]
        super().__init__(conn, kept, transforms=transforms, transform=transform, target_transform=target_transform,
                         label_name_to_index=label_name_to_index, update_policy=policy, resize=resize,
                         include_tracks=include_tracks)


def _policy(value: Any) -> UpdatePolicy:
    # cvat_sdk.datasets.caching.UpdatePolicy has the same member names.
    name = getattr(value, "name", value)
    try:
        return UpdatePolicy[name]
    except KeyError:
        raise ValueError(f"unknown update policy {value!r}") from None
