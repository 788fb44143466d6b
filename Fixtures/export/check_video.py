#!/usr/bin/env python3
"""Check a cvat-ds export of a video task against the server: pixels, frame numbering and track boxes.

    check_video.py --export DIR --server URL --token PAT --task ID [--source original|compressed]

- Pixels (the export must be unresized, uint8, NHWC): each sample's image equals the server's
  `type=frame&quality=original` PNG decoded with Pillow (source original, exactly), or the frame's member of
  the `type=chunk&quality=compressed` JPEG zip decoded with Pillow (source compressed, exactly too: both
  decoders are libjpeg-turbo with the same settings).
- Numbering: samples are frames 0..size-1 in order (minus deleted ones), and `source_frame` is
  `start_frame + frame * step` with start_frame and step from the server's data/meta, which the manifest's
  `source.tasks[].video` records too.
- Boxes (when the export has bboxes): rectangles from the task's annotations, tracks expanded frame by frame
  as CVAT's server does for rectangles (linear interpolation between keyframes; nothing after an outside
  keyframe until the next visible one; the last keyframe held to the end), written here independently of
  cvat-ds. Labels are indices of the labels sorted by id.
Prints a JSON report; exits 1 on any disagreement.
"""

import argparse
import io
import json
import re
import sys
import urllib.request
import zipfile
from pathlib import Path

import numpy as np
import PIL.Image

sys.path.insert(0, str(Path(__file__).parent))
from exports import load_export  # noqa: E402


def get(server, token, path):
    request = urllib.request.Request(server + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request) as response:
        return response.read()


def rectangle_boxes(annotations, size, deleted):
    """frame -> [(box, label_id, track_id)]: plain rectangles first, then tracks in order."""
    per_frame = {f: [] for f in range(size)}
    for shape in annotations["shapes"]:
        if shape["type"] == "rectangle" and not shape["outside"] and shape["frame"] < size:
            per_frame[shape["frame"]].append((shape["points"], shape["label_id"], -1))
    for track in annotations["tracks"]:
        keys = sorted((s for s in track["shapes"] if s["frame"] not in deleted), key=lambda s: s["frame"])
        for k, key in enumerate(keys):
            nxt = keys[k + 1] if k + 1 < len(keys) else None
            end = nxt["frame"] if nxt else size
            for f in range(key["frame"], min(end, size)):
                if key["outside"]:
                    continue
                if nxt is None or f == key["frame"]:
                    points = key["points"]
                else:
                    t = (f - key["frame"]) / (nxt["frame"] - key["frame"])
                    points = [p0 + (p1 - p0) * t for p0, p1 in zip(key["points"], nxt["points"])]
                if key["type"] == "rectangle":
                    per_frame[f].append((points, track["label_id"], track["id"]))
    return per_frame


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--export", required=True)
    ap.add_argument("--server", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--task", type=int, required=True)
    ap.add_argument("--source", default="original", choices=["original", "compressed"])
    args = ap.parse_args()
    manifest, arrays, _ = load_export(args.export)
    meta = json.loads(get(args.server, args.token, f"/api/tasks/{args.task}/data/meta"))
    task = json.loads(get(args.server, args.token, f"/api/tasks/{args.task}"))
    step = int(m.group(1)) if (m := re.search(r"step\s*=\s*([1-9]\d*)", meta["frame_filter"] or "")) else 1
    deleted = set(meta["deleted_frames"])
    problems = []

    samples = manifest["samples"]
    expected_frames = [f for f in range(meta["size"]) if f not in deleted]
    frames = [s["frame"] for s in samples if s["task_id"] == args.task]
    if frames != expected_frames:
        problems.append(f"frames {frames[:5]}... are not 0..{meta['size'] - 1} in order")
    wrong = [s for s in samples if s["task_id"] == args.task
             and s.get("source_frame") != meta["start_frame"] + s["frame"] * step]
    if wrong:
        problems.append(f"{len(wrong)} samples have a wrong source_frame, e.g. {wrong[0]}")
    record = next(t for t in manifest["source"]["tasks"] if t["id"] == args.task).get("video") or {}
    want = {"start_frame": meta["start_frame"], "stop_frame": meta["stop_frame"], "frame_step": step,
            "frame_filter": meta["frame_filter"], "frames": args.source}
    if record != want:
        problems.append(f"source.tasks video record {record} != {want}")

    images = arrays["images"]
    width, height = meta["frames"][0]["width"], meta["frames"][0]["height"]
    if images.shape[1:] != (height, width, 3):
        problems.append(f"images are {images.shape}, expected (N, {height}, {width}, 3)")
    worst = 0
    chunk_cache = {}
    for index, sample in enumerate(samples):
        if sample["task_id"] != args.task:
            continue
        frame = sample["frame"]
        if args.source == "original":
            data = get(args.server, args.token, f"/api/tasks/{args.task}/data?type=frame&number={frame}&quality=original")
            if not data.startswith(b"\x89PNG"):
                problems.append(f"frame {frame}: the server did not answer PNG")
        else:
            number = frame // task["data_chunk_size"]
            if number not in chunk_cache:
                chunk_cache[number] = zipfile.ZipFile(io.BytesIO(get(
                    args.server, args.token, f"/api/tasks/{args.task}/data?type=chunk&number={number}&quality=compressed")))
            zf = chunk_cache[number]
            data = zf.read(zf.infolist()[frame % task["data_chunk_size"]])
        expected = np.asarray(PIL.Image.open(io.BytesIO(data)).convert("RGB"))
        diff = int(np.abs(expected.astype(np.int16) - images[index].astype(np.int16)).max())
        worst = max(worst, diff)
    if worst > 0:
        problems.append(f"pixels differ from the server's {args.source} frames by up to {worst}")

    checked_boxes = 0
    if "boxes" in arrays:
        annotations = json.loads(get(args.server, args.token, f"/api/tasks/{args.task}/annotations"))
        labels = json.loads(get(args.server, args.token, f"/api/labels?task_id={args.task}&page_size=all"))["results"]
        index_of = {label["id"]: i + manifest["labels"]["label_offset"]
                    for i, label in enumerate(sorted(labels, key=lambda l: l["id"]))}
        expected = rectangle_boxes(annotations, meta["size"], deleted)
        offsets = arrays["box_offsets"]
        for index, sample in enumerate(samples):
            if sample["task_id"] != args.task:
                continue
            rows = slice(offsets[index], offsets[index + 1])
            want = expected[sample["frame"]]
            got_boxes, got_labels = arrays["boxes"][rows], arrays["box_labels"][rows]
            got_tracks = arrays["box_track_ids"][rows] if "box_track_ids" in arrays else None
            if len(got_boxes) != len(want) or not np.allclose(got_boxes, [w[0] for w in want] or np.zeros((0, 4)), atol=1e-4) \
                    or list(got_labels) != [index_of[w[1]] for w in want] \
                    or (got_tracks is not None and list(got_tracks) != [w[2] for w in want]):
                problems.append(f"frame {sample['frame']}: boxes {got_boxes.tolist()} labels {got_labels.tolist()}, "
                                f"expected {want}")
                break
            checked_boxes += len(want)

    report = {"samples": len(samples), "max_pixel_difference": worst, "boxes": checked_boxes,
              "first_source_frames": [s.get("source_frame") for s in samples[:3]], "problems": problems}
    print(json.dumps(report))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
