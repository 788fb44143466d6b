#!/usr/bin/env python3
"""Write a task whose annotations are dense tracks over a long video-like image task, for memory measurements:
hundreds of rectangle tracks, each with a keyframe on every frame and two mutable attributes per keyframe, so
that the annotations JSON is about `--target-mb` MB (1 GB by default). The frames are tiny JPEGs (all the same
bytes), so an export spends its time and memory on annotations, not pixels.

    make_dense_tracks.py --out DIR [--frames F] [--target-mb MB]

The folder is in the `cvat-test-dataset/1` format (Fixtures/datasets/README.md) that
Fixtures/server/cvat_test_server.py serves; a file this large is served verbatim from disk. The annotations are
written as a stream (never built as one Python object), so generating them takes little memory. DIR gets a
`.complete` marker last; a folder with the same parameters is reused.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import shutil
import sys
from pathlib import Path

import PIL.Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_dataset  # noqa: E402

FORMAT_VERSION = 1
CHUNK_SIZE = 72
WIDTH, HEIGHT = 64, 48
ACTIVITIES = ["walking", "standing", "running", "sitting"]
# One keyframe as json.dumps writes it is about this many bytes (measured on the output); only sizes the task.
KEYFRAME_BYTES = 215


def tiny_jpeg() -> bytes:
    img = PIL.Image.new("RGB", (WIDTH, HEIGHT), (90, 140, 200))
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=90)
    return buf.getvalue()


def write_annotations(path: Path, frames: int, tracks: int, seed: int) -> int:
    """Streams the LabeledData: `tracks` rectangle tracks, one keyframe per frame. Returns the file's size."""
    rng = random.Random(seed)
    shape_id = 1
    with open(path, "w") as f:
        f.write('{"version":0,"tags":[],"shapes":[],"tracks":[')
        for t in range(tracks):
            if t:
                f.write(",")
            label = 1 + t % 2
            f.write(f'{{"id":{t + 1},"frame":0,"label_id":{label},"group":0,"source":"manual","attributes":'
                    f'[{{"spec_id":{10 + label * 2},"value":"{t % 7}"}}],"elements":[],"shapes":[')
            x, y = rng.uniform(0, WIDTH - 10), rng.uniform(0, HEIGHT - 10)
            dx, dy = rng.uniform(-0.01, 0.01), rng.uniform(-0.01, 0.01)
            parts = []
            for i in range(frames):
                x0, y0 = x + dx * i, y + dy * i
                activity = ACTIVITIES[(t + i // 50) % len(ACTIVITIES)]
                parts.append(
                    f'{{"id":{shape_id},"type":"rectangle","frame":{i},"points":[{x0:.4f},{y0:.4f},{x0 + 8.5:.4f},'
                    f'{y0 + 6.25:.4f}],"rotation":0.0,"occluded":{"true" if i % 17 == 0 else "false"},'
                    f'"outside":false,"z_order":0,"attributes":[{{"spec_id":{11 + label * 2},"value":"{activity}"}},'
                    f'{{"spec_id":{10 + label * 2},"value":"{(t + i) % 7}"}}]}}')
                shape_id += 1
            f.write(",".join(parts))
            f.write("]}")
        f.write('],"intervals":[]}\n')
    return path.stat().st_size


def generate(out: Path, frames: int, target_mb: int, seed: int) -> dict:
    tracks = max(1, target_mb * 1_000_000 // (frames * KEYFRAME_BYTES))
    tmp = out.with_name(out.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    tdir = tmp / "tasks" / "1"
    (tdir / "frames").mkdir(parents=True)
    (tdir / "compressed").mkdir()
    jpeg = tiny_jpeg()
    (tdir / "frames" / "frame.jpg").write_bytes(jpeg)
    (tdir / "compressed" / "frame.jpeg").write_bytes(jpeg)
    # Every frame names the same file (the server reads each path once); the names still differ.
    frame_list = [{"name": f"frame_{i:06d}.jpg", "width": WIDTH, "height": HEIGHT, "kind": "jpeg",
                   "file": "tasks/1/frames/frame.jpg", "compressed": "tasks/1/compressed/frame.jpeg"}
                  for i in range(frames)]
    size = write_annotations(tdir / "annotations.json", frames, tracks, seed)

    def attrs(label):
        return [{"id": 10 + label * 2, "name": "index", "mutable": True, "input_type": "select",
                 "default_value": "0", "values": [str(k) for k in range(7)]},
                {"id": 11 + label * 2, "name": "activity", "mutable": True, "input_type": "select",
                 "default_value": ACTIVITIES[0], "values": ACTIVITIES}]
    labels = [{"id": k, "name": name, "color": color, "attributes": attrs(k), "type": "rectangle",
               "sublabels": [], "parent_id": None, "has_parent": False, "task_id": 1}
              for k, name, color in [(1, "person", "#fa3253"), (2, "car", "#34d1b7")]]
    dt = make_dataset.dt
    dataset = {
        **make_dataset.dataset_header("cvat-ds dense-track dataset", "memory benchmark data"),
        "projects": [],
        "labels": labels,
        "tasks": [{"id": 1, "name": f"dense tracks {frames}x{tracks}", "project_id": None, "owner": 1,
                   "assignee": None, "organization": None, "subset": "", "segment_size": frames, "overlap": 0,
                   "status": "annotation", "bug_tracker": "", "created_date": dt(1, 10, 5),
                   "updated_date": dt(2, 12), "mode": "interpolation", "dimension": "2d", "media_type": "image",
                   "data": {"id": 1, "size": frames, "chunk_size": CHUNK_SIZE, "image_quality": 70,
                            "original_chunk_type": "imageset", "compressed_chunk_type": "imageset",
                            "start_frame": 0, "stop_frame": frames - 1, "frame_filter": "", "storage": "local",
                            "cloud_storage_id": None, "chunks_updated_date": dt(1, 10, 6),
                            "deleted_frames": [], "frames": frame_list}}],
        "jobs": [{"id": 1, "task_id": 1, "start_frame": 0, "stop_frame": frames - 1, "stage": "annotation",
                  "state": "in progress", "status": "annotation", "type": "annotation", "assignee": None,
                  "created_date": dt(1, 10), "updated_date": dt(2, 12)}],
    }
    (tmp / "dataset.json").write_text(json.dumps(dataset) + "\n")
    info = {"frames": frames, "tracks": tracks, "target_mb": target_mb, "seed": seed,
            "format_version": FORMAT_VERSION, "annotations_bytes": size}
    (tmp / "dense-tracks.json").write_text(json.dumps(info, indent=1) + "\n")
    (tmp / ".complete").write_text("ok\n")
    if out.exists():
        shutil.rmtree(out)
    tmp.rename(out)
    return info


def ensure(out: Path, frames: int = 4000, target_mb: int = 1000, seed: int = 7) -> dict:
    info_path = out / "dense-tracks.json"
    if (out / ".complete").exists() and info_path.exists():
        info = json.loads(info_path.read_text())
        if (info.get("frames"), info.get("target_mb"), info.get("seed"), info.get("format_version")) == (
                frames, target_mb, seed, FORMAT_VERSION):
            return info
    print(f"generating dense tracks ({frames} frames, about {target_mb} MB) into {out}", file=sys.stderr)
    return generate(out, frames, target_mb, seed)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--frames", type=int, default=4000)
    ap.add_argument("--target-mb", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    print(json.dumps(ensure(Path(args.out), args.frames, args.target_mb, args.seed)))


if __name__ == "__main__":
    main()
