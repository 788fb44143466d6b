#!/usr/bin/env python3
"""Compare the masks, semantic, keypoints and track targets of a cvat-ds export with independent expectations.

    compare_targets.py --export DIR --server URL --cache-dir DIR --task ID [ID...]
                       --transform masks|semantic|keypoints|bboxes [--resize WxH] [--label-offset N]
                       [--tracks Fixtures/tracks/expected_shapes.json] [--track-ids-only]
                       [--background-index N] [--shape-types LIST]

The plain shapes come from the real cvat-sdk 2.80 reading the cache (TaskDataset, UpdatePolicy.NEVER, no network).
Track shapes (cvat-sdk cannot read tracks) come from `--tracks`, the per-frame shapes CVAT's own server code made
of the sample task's tracks (Fixtures/tracks/expected_shapes.json, cases named task<ID>-track<N>); on each frame
they follow the plain shapes, in track order, as in CVAT's AnnotationManager.to_shapes.

  - masks: cvat-sdk's ExtractInstanceMasks, computed with the SDK's own draw_mask and shape_bbox (loaded from
    cvat_sdk/pytorch/_utils.py, as compare_export.py does, because cvat_sdk.pytorch imports torch); with --resize
    each mask is resized as torchvision resizes a PIL mask with NEAREST (PIL.Image.resize(..., NEAREST)) and the
    boxes are scaled like the pixels (a stretch resize cuts nothing, so none is clipped or dropped).
  - semantic: draw_mask of each polygon/mask shape painted with its class index in ascending z_order (stable: on
    equal z_order the later shape wins), background elsewhere, then resized with NEAREST.
  - keypoints: skeletons, keypoints in the label's sublabel order, (x, y, v) with v = 0 absent/outside, 1 occluded,
    2 visible; scaled with the image; the box around the keypoints with v > 0.
  - bboxes: only the rows that come from tracks (box_track_ids >= 0), against boxes of the expected track shapes
    (rotation about the centre, full ellipse; docs/differences.md).
Prints a JSON report; exits 0 when everything agrees, 1 otherwise.
"""

import argparse
import importlib.util
import json
import math
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import PIL.Image
import cvat_sdk
from cvat_sdk import Config
from cvat_sdk.core.client import Client
from cvat_sdk.datasets import TaskDataset
from cvat_sdk.datasets.caching import UpdatePolicy


def _load_sdk_utils():
    path = Path(cvat_sdk.__file__).parent / "pytorch" / "_utils.py"
    spec = importlib.util.spec_from_file_location("cvat_sdk_pytorch_utils", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sdk_utils = _load_sdk_utils()


def as_shape(d):
    """A track's per-frame shape (JSON) in the form draw_mask/shape_bbox read (shape.type.value, shape.points)."""
    return SimpleNamespace(
        type=SimpleNamespace(value=d["type"]), points=d["points"], rotation=d["rotation"], label_id=d["label_id"],
        z_order=d["z_order"], occluded=d["occluded"], outside=d["outside"], track_id=d["track_id"],
        elements=[as_shape(e) for e in d.get("elements", [])])


def plain(shape):
    try:
        elements = shape.elements or []
    except AttributeError:  # SubLabeledShape has no elements
        elements = []
    return SimpleNamespace(
        type=shape.type, points=list(shape.points), rotation=shape.rotation, label_id=shape.label_id,
        z_order=shape.z_order, occluded=shape.occluded, outside=shape.outside, track_id=-1,
        elements=[plain(e) for e in elements])


def track_shapes(path, task_id):
    """frame -> [shape] from the server's per-frame shapes of the task's tracks, outside ones dropped."""
    by_frame = {}
    if not path:
        return by_frame
    cases = json.loads(Path(path).read_text())["cases"]
    for case in cases:
        if not case["name"].startswith(f"task{task_id}-track"):
            continue
        exported = set(case["exported_frames"])
        for s in case["shapes"]:
            if s["frame"] in exported and not s["outside"]:
                by_frame.setdefault(s["frame"], []).append(as_shape(s))
    return by_frame


def rotated_box(points, rotation):
    xs, ys = points[0::2], points[1::2]
    if rotation == 0:
        return min(xs), min(ys), max(xs), max(ys)
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    r = math.radians(rotation)
    s, c = math.sin(r), math.cos(r)
    rx = [cx + (x - cx) * c - (y - cy) * s for x, y in zip(xs, ys)]
    ry = [cy + (x - cx) * s + (y - cy) * c for x, y in zip(xs, ys)]
    return min(rx), min(ry), max(rx), max(ry)


def track_box(shape):
    p, t, rot = shape.points, shape.type.value, shape.rotation
    if t == "rectangle":
        return rotated_box([p[0], p[1], p[2], p[1], p[2], p[3], p[0], p[3]], rot)
    if t == "ellipse":
        cx, cy, rx, ry = p[0], p[1], abs(p[2] - p[0]), abs(p[1] - p[3])
        r = math.radians(rot)
        s, c = math.sin(r), math.cos(r)
        hx = math.hypot(rx * c, ry * s)
        hy = math.hypot(rx * s, ry * c)
        return cx - hx, cy - hy, cx + hx, cy + hy
    return rotated_box(p, rot)


def map_box(box, sx, sy, size):
    # A stretch resize cuts nothing: boxes are only scaled, as torchvision's Resize scales them (zero-area boxes
    # and overhangs kept); cvat-ds clips and drops only where a crop or letterbox cuts or pads.
    return [box[0] * sx, box[1] * sy, box[2] * sx, box[3] * sy]


def resize_nearest(array, size):
    if size is None:
        return array
    # uint8 arrays become mode "L" images, uint16 ones "I;16"; NEAREST copies values in either.
    return np.asarray(PIL.Image.fromarray(array).resize(size, PIL.Image.NEAREST)).astype(array.dtype)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--export", required=True)
    ap.add_argument("--server", required=True)
    ap.add_argument("--cache-dir", required=True)
    ap.add_argument("--task", type=int, nargs="+", required=True)
    ap.add_argument("--transform", required=True)
    ap.add_argument("--resize")
    ap.add_argument("--label-offset", type=int, default=0)
    ap.add_argument("--tracks")
    ap.add_argument("--background-index", type=int, default=255)
    ap.add_argument("--shape-types", default="polygon,mask")
    args = ap.parse_args()

    client = Client(url=args.server, config=Config(cache_dir=Path(args.cache_dir)), check_server_version=False)
    export = Path(args.export)
    manifest = json.loads((export / "manifest.json").read_text())
    arrays = {name: np.load(export / entry["file"]) for name, entry in manifest["arrays"].items()}
    size = tuple(int(v) for v in args.resize.lower().split("x")) if args.resize else None
    types = set(args.shape_types.split(","))

    problems = []
    expected_rows = []  # (sample, box, label, track_id, extra)
    expected_maps = []
    index = 0
    datasets = [TaskDataset(client, task_id, update_policy=UpdatePolicy.NEVER) for task_id in args.task]
    # Several tasks named one by one share one numbering: their labels merged by id, sorted by id (cvat-ds's rule;
    # for the tasks of one project this is cvat-sdk's numbering).
    labels = sorted({l.id: l for ds in datasets for l in ds.labels}.values(), key=lambda l: l.id)
    id_to_index = {l.id: i + args.label_offset for i, l in enumerate(labels)}
    sublabels = {l.id: [s.id for s in (l.sublabels or [])] for l in labels if l.type == "skeleton"}
    for task_id, ds in zip(args.task, datasets):
        tracks = track_shapes(args.tracks, task_id)
        for sample in ds.samples:
            width, height = sample.media.load_image().size
            sx, sy = (size[0] / width, size[1] / height) if size else (1.0, 1.0)
            shapes = [plain(s) for s in sample.annotations.shapes] + tracks.get(sample.frame_index, [])
            if args.transform == "masks":
                for s in shapes:
                    if s.type.value not in types or s.rotation != 0:
                        continue
                    box = map_box(sdk_utils.shape_bbox(s), sx, sy, size)
                    if box is None:
                        continue
                    mask = sdk_utils.draw_mask(s, (width, height)).astype(np.uint8)
                    expected_rows.append((index, box, id_to_index[s.label_id], s.track_id, resize_nearest(mask, size)))
            elif args.transform == "semantic":
                wide = len(labels) + args.label_offset > 254 or args.background_index > 255
                dtype = np.uint16 if wide else np.uint8
                paint = np.full((height, width), args.background_index, dtype=dtype)
                chosen = [s for s in shapes if s.type.value in types]
                for s in sorted(chosen, key=lambda s: s.z_order):  # stable: later wins on equal z_order
                    paint[sdk_utils.draw_mask(s, (width, height))] = id_to_index[s.label_id]
                expected_maps.append(resize_nearest(paint, size))
            elif args.transform == "keypoints":
                for s in shapes:
                    if s.type.value != "skeleton":
                        continue
                    points = []
                    for sub in sublabels[s.label_id]:
                        e = next((e for e in s.elements if e.label_id == sub), None)
                        if e is None or e.outside:
                            points.append([0.0, 0.0, 0.0])
                            continue
                        x, y = e.points[0] * sx, e.points[1] * sy
                        w, h = size if size else (width, height)
                        if not (0 <= x <= w and 0 <= y <= h):
                            points.append([0.0, 0.0, 0.0])
                            continue
                        points.append([x, y, 1.0 if e.occluded else 2.0])
                    seen = [p for p in points if p[2] > 0]
                    if not seen:
                        continue
                    box = [min(p[0] for p in seen), min(p[1] for p in seen), max(p[0] for p in seen),
                           max(p[1] for p in seen)]
                    expected_rows.append((index, box, id_to_index[s.label_id], s.track_id, np.array(points)))
            elif args.transform == "bboxes":
                for s in tracks.get(sample.frame_index, []):
                    if s.type.value not in ("rectangle", "polygon", "polyline", "points", "ellipse"):
                        continue
                    box = map_box(track_box(s), sx, sy, size)
                    if box is not None:
                        expected_rows.append((index, box, id_to_index[s.label_id], s.track_id, None))
            index += 1

    if len(manifest["samples"]) != index:
        problems.append(f"{len(manifest['samples'])} samples exported, {index} expected")

    max_box_diff = 0.0
    mask_pixels_differing = 0
    max_keypoint_diff = 0.0
    if args.transform in ("masks", "keypoints", "bboxes"):
        offsets = arrays["box_offsets"]
        track_ids = arrays.get("box_track_ids")
        got = []
        for i in range(len(offsets) - 1):
            for row in range(offsets[i], offsets[i + 1]):
                tid = int(track_ids[row]) if track_ids is not None else -1
                if args.transform == "bboxes" and tid < 0:
                    continue
                got.append((i, row, tid))
        if len(got) != len(expected_rows):
            problems.append(f"{len(got)} rows exported, {len(expected_rows)} expected")
        mask_offsets = arrays.get("mask_offsets")
        for (gi, row, tid), (ei, ebox, elabel, etid, extra) in zip(got, expected_rows):
            glabel = int(arrays["box_labels"][row])
            if (gi, glabel, tid) != (ei, elabel, etid):
                problems.append(f"row {row}: sample/label/track {(gi, glabel, tid)} != expected {(ei, elabel, etid)}")
                continue
            max_box_diff = max(max_box_diff, max(abs(float(a) - b) for a, b in zip(arrays["boxes"][row], ebox)))
            if args.transform == "masks":
                if mask_offsets is not None:
                    m = arrays["masks"][mask_offsets[row]:mask_offsets[row + 1]].reshape(extra.shape)
                else:
                    m = arrays["masks"][row]
                if m.shape != extra.shape:
                    problems.append(f"row {row}: mask shape {m.shape} != {extra.shape}")
                else:
                    mask_pixels_differing += int(np.count_nonzero(m != extra))
            elif args.transform == "keypoints":
                max_keypoint_diff = max(max_keypoint_diff, float(np.abs(arrays["keypoints"][row] - extra).max()))
        if max_box_diff > 1e-4:
            problems.append(f"boxes differ by up to {max_box_diff}")
        if mask_pixels_differing:
            problems.append(f"{mask_pixels_differing} mask pixels differ")
        if max_keypoint_diff > 1e-4:
            problems.append(f"keypoints differ by up to {max_keypoint_diff}")

    semantic_pixels_differing = 0
    if args.transform == "semantic":
        mask_offsets = arrays.get("mask_offsets")
        for i, expected in enumerate(expected_maps):
            if mask_offsets is not None:
                got_map = arrays["masks"][mask_offsets[i]:mask_offsets[i + 1]].reshape(expected.shape)
            else:
                got_map = arrays["masks"][i]
            if got_map.dtype != expected.dtype or got_map.shape != expected.shape:
                problems.append(f"sample {i}: map {got_map.dtype}{got_map.shape} != {expected.dtype}{expected.shape}")
            else:
                semantic_pixels_differing += int(np.count_nonzero(got_map != expected))
        if semantic_pixels_differing:
            problems.append(f"{semantic_pixels_differing} class-map pixels differ")

    report = {
        "samples": index, "rows": len(expected_rows), "track_rows": sum(1 for r in expected_rows if r[3] >= 0),
        "maps": len(expected_maps), "max_box_diff": max_box_diff, "mask_pixels_differing": mask_pixels_differing,
        "mask_pixels_compared": int(sum(r[4].size for r in expected_rows if isinstance(r[4], np.ndarray) and args.transform == "masks")),
        "semantic_pixels_differing": semantic_pixels_differing,
        "semantic_non_background": int(sum(int(np.count_nonzero(m != args.background_index)) for m in expected_maps)),
        "max_keypoint_diff": max_keypoint_diff, "problems": problems,
    }
    print(json.dumps(report))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
