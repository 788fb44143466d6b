#!/usr/bin/env python3
"""Write the benchmark dataset: one project `flowers` (5 tag labels, as the public Flowers demo) with one task
of N frames, chunk size 72, one tag per frame, in the dataset-folder format that
Fixtures/server/cvat_test_server.py serves (`cvat-test-dataset/1`, see Fixtures/datasets/README.md).

    make_dataset.py --frames N --out DIR [--seed S] [--jobs J] [--megapixels 12]

Frames are real photographs from scikit-image's data module (astronaut, coffee, chelsea, rocket, ...), each a
random crop (60-100% of the largest window of the target aspect), randomly flipped, rescaled with Pillow to about
500x375 (width 480-520, height 355-395) and saved as JPEG quality 90 (4:2:0). Frame i depends only on (seed, i),
so the output is deterministic and the work is split over J processes. The `compressed` quality (JPEG at
image_quality 70, as CVAT writes it) is written too, as the format requires.

With `--megapixels 12` (the camera-photo dataset) every frame is a 4000x3000 mosaic of 8x6 tiles of about 500x500,
each a crop of a real photograph at close to its own resolution (scaled by 0.8 to 1.3, never blown up from a small
picture, so each tile keeps a photograph's detail), randomly flipped, saved as JPEG quality 90 (4:2:0), about 2.5 MB
each; the chunk size is then 6, the size CVAT's server picks for 12-megapixel images (36 * 1920 * 1080 pixels per
chunk).

DIR gets a `.complete` marker last: a folder without it is regenerated from scratch.
Needs numpy, Pillow and scikit-image (the bench venv has them).
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import os
import shutil
import sys
from pathlib import Path

import numpy as np
import PIL.Image

FORMAT_VERSION = 1  # bump when the generated pixels or layout change
PHOTOS = ["astronaut", "coffee", "chelsea", "rocket", "hubble_deep_field", "immunohistochemistry", "retina"]
# Mosaic tiles come only from photographs at least 400 pixels on their short side, so no tile is blown up.
TILE_PHOTOS = ["astronaut", "coffee", "rocket", "hubble_deep_field", "immunohistochemistry", "retina"]
MOSAIC = (4000, 3000, 8, 6)  # width, height, columns, rows
CHUNK_SIZE_12MP = 6
LABELS = ["daisy", "dandelion", "roses", "sunflowers", "tulips"]
CHUNK_SIZE = 72
IMAGE_QUALITY = 70
SEGMENT_SIZE = 500
PAT = "cvat_pat_admin.0123456789abcdef"

_sources: dict[str, PIL.Image.Image] = {}


def source(name: str) -> PIL.Image.Image:
    if name not in _sources:
        import skimage.data
        a = getattr(skimage.data, name)()
        if a.ndim == 2:
            a = np.stack([a] * 3, axis=-1)
        _sources[name] = PIL.Image.fromarray(np.ascontiguousarray(a[..., :3]).astype(np.uint8), "RGB")
    return _sources[name]


def make_mosaic(rng) -> tuple[str, PIL.Image.Image]:
    width, height, columns, rows = MOSAIC
    canvas = PIL.Image.new("RGB", (width, height))
    tw, th = width // columns, height // rows
    for row in range(rows):
        for column in range(columns):
            img = source(TILE_PHOTOS[int(rng.integers(len(TILE_PHOTOS)))])
            W, H = img.size
            factor = rng.uniform(max(0.8, max(tw / W, th / H) * 1.01), 1.3)
            cw, ch = int(tw / factor), int(th / factor)
            x0, y0 = int(rng.integers(0, W - cw + 1)), int(rng.integers(0, H - ch + 1))
            tile = img.crop((x0, y0, x0 + cw, y0 + ch))
            if rng.random() < 0.5:
                tile = tile.transpose(PIL.Image.Transpose.FLIP_LEFT_RIGHT)
            canvas.paste(tile.resize((tw, th), PIL.Image.Resampling.BICUBIC), (column * tw, row * th))
    return "mosaic", canvas


def make_frame(args) -> tuple[int, str, int, int, int, bytes, bytes]:
    seed, i, megapixels = args
    rng = np.random.default_rng([seed, i])
    if megapixels:
        photo, frame = make_mosaic(rng)
        return encode(i, photo, frame, rng)
    photo = PHOTOS[int(rng.integers(len(PHOTOS)))]
    img = source(photo)
    w, h = int(rng.integers(480, 521)), int(rng.integers(355, 396))
    W, H = img.size
    aspect = w / h
    max_cw = min(W, int(H * aspect))
    cw = max(16, int(max_cw * rng.uniform(0.6, 1.0)))
    ch = max(16, min(H, int(round(cw / aspect))))
    x0, y0 = int(rng.integers(0, W - cw + 1)), int(rng.integers(0, H - ch + 1))
    crop = img.crop((x0, y0, x0 + cw, y0 + ch))
    if rng.random() < 0.5:
        crop = crop.transpose(PIL.Image.Transpose.FLIP_LEFT_RIGHT)
    frame = crop.resize((w, h), PIL.Image.Resampling.BICUBIC)
    return encode(i, photo, frame, rng)


def encode(i: int, photo: str, frame: PIL.Image.Image, rng) -> tuple[int, str, int, int, int, bytes, bytes]:
    w, h = frame.size
    buf = io.BytesIO()
    frame.save(buf, format="JPEG", quality=90, subsampling=2, optimize=False)
    comp = io.BytesIO()
    frame.save(comp, format="JPEG", quality=IMAGE_QUALITY, subsampling=2, optimize=False)
    label = int(rng.integers(len(LABELS)))
    return i, photo, w, h, label, buf.getvalue(), comp.getvalue()


def dt(day: int, hour: int, minute: int = 0) -> str:
    return f"2025-04-{day:02d}T{hour:02d}:{minute:02d}:00.000000Z"


def dataset_header(description: str, subtitle: str) -> dict:
    """What every bench dataset.json starts with: the format, the server's about, the admin user and its token."""
    return {
        "format": "cvat-test-dataset/1",
        "about": {"name": "Computer Vision Annotation Tool", "description": description,
                  "version": "2.73.0", "logo_url": "https://cvat.ai/static/logo.svg",
                  "subtitle": f"Test server (Fixtures/server/cvat_test_server.py), {subtitle}"},
        "users": [{"id": 1, "username": "admin", "password": "admin-password", "first_name": "Ada",
                   "last_name": "Admin", "email": "admin@example.com", "groups": ["admin"], "is_staff": True,
                   "is_superuser": True, "is_active": True, "last_login": dt(1, 9),
                   "date_joined": dt(1, 8)}],
        "access_tokens": [{"id": 1, "name": "admin-bench", "owner": 1, "value": PAT, "read_only": False,
                           "expiry_date": None, "created_date": dt(1, 8)}],
        "organizations": [],
    }


def generate(n: int, out: Path, seed: int, jobs: int, megapixels: int = 0) -> None:
    chunk_size = CHUNK_SIZE_12MP if megapixels else CHUNK_SIZE
    tmp = out.with_name(out.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    tdir = tmp / "tasks" / "1"
    (tdir / "frames").mkdir(parents=True)
    (tdir / "compressed").mkdir()
    frames: list = [None] * n
    tags = []
    total = 0
    with multiprocessing.Pool(jobs) as pool:
        for done, (i, photo, w, h, label, data, comp) in enumerate(
                pool.imap_unordered(make_frame, [(seed, i, megapixels) for i in range(n)],
                               chunksize=1 if megapixels else 16), 1):
            name = f"{'photo' if megapixels else 'flower'}_{i:06d}.jpg"
            (tdir / "frames" / name).write_bytes(data)
            (tdir / "compressed" / f"{i:06d}.jpeg").write_bytes(comp)
            frames[i] = {"name": name, "width": w, "height": h, "kind": "jpeg",
                         "file": f"tasks/1/frames/{name}", "compressed": f"tasks/1/compressed/{i:06d}.jpeg"}
            tags.append({"id": i + 1, "label_id": label + 1, "frame": i, "group": 0, "source": "manual",
                         "attributes": []})
            total += len(data)
            if done % (25 if megapixels else 1000) == 0:
                print(f"  {done}/{n} frames", file=sys.stderr)
    tags.sort(key=lambda t: t["id"])
    (tdir / "annotations.json").write_text(json.dumps(
        {"version": 0, "tags": tags, "shapes": [], "tracks": [], "intervals": []}) + "\n")

    colors = ["#fa3253", "#34d1b7", "#ff007c", "#ddff33", "#24b353"]
    labels = [{"id": k + 1, "name": name, "color": colors[k], "attributes": [], "type": "tag", "sublabels": [],
               "parent_id": None, "has_parent": False, "project_id": 1} for k, name in enumerate(LABELS)]
    jobs_list = []
    stages = [("annotation", "completed", "annotation"), ("validation", "completed", "validation"),
              ("acceptance", "completed", "completed")]
    for k, start in enumerate(range(0, n, SEGMENT_SIZE)):
        stage, state, status = stages[k % len(stages)]
        jobs_list.append({"id": k + 1, "task_id": 1, "start_frame": start,
                          "stop_frame": min(start + SEGMENT_SIZE, n) - 1, "stage": stage, "state": state,
                          "status": status, "type": "annotation", "assignee": None,
                          "created_date": dt(1, 10), "updated_date": dt(2, 12)})
    dataset = {
        **dataset_header("cvat-ds benchmark dataset", "benchmark data"),
        "projects": [{"id": 1, "name": "flowers", "owner": 1, "assignee": None, "organization": None,
                      "bug_tracker": "", "status": "annotation", "guide_id": None,
                      "created_date": dt(1, 10), "updated_date": dt(2, 12),
                      "target_storage": {"id": 1, "location": "local", "cloud_storage_id": None},
                      "source_storage": {"id": 2, "location": "local", "cloud_storage_id": None}}],
        "labels": labels,
        "tasks": [{"id": 1, "name": f"{'photos 12 MP' if megapixels else 'flowers'} {n}", "project_id": 1, "owner": 1, "assignee": None,
                   "organization": None, "subset": "Train", "segment_size": SEGMENT_SIZE, "overlap": 0,
                   "status": "annotation", "bug_tracker": "", "created_date": dt(1, 10, 5),
                   "updated_date": dt(2, 12), "mode": "annotation", "dimension": "2d", "media_type": "image",
                   "data": {"id": 1, "size": n, "chunk_size": chunk_size, "image_quality": IMAGE_QUALITY,
                            "original_chunk_type": "imageset", "compressed_chunk_type": "imageset",
                            "start_frame": 0, "stop_frame": n - 1, "frame_filter": "", "storage": "local",
                            "cloud_storage_id": None, "chunks_updated_date": dt(1, 10, 6),
                            "deleted_frames": [], "frames": frames}}],
        "jobs": jobs_list,
    }
    (tmp / "dataset.json").write_text(json.dumps(dataset) + "\n")
    info = {"frames": n, "seed": seed, "format_version": FORMAT_VERSION, "jpeg_bytes": total,
            "chunk_size": chunk_size, "megapixels": megapixels,
            "photos": TILE_PHOTOS if megapixels else PHOTOS, "labels": LABELS}
    (tmp / "bench-dataset.json").write_text(json.dumps(info, indent=1) + "\n")
    (tmp / ".complete").write_text("ok\n")
    if out.exists():
        shutil.rmtree(out)
    tmp.rename(out)


def ensure(n: int, out: Path, seed: int = 20250801, jobs: int = 0, megapixels: int = 0) -> dict:
    """Generate unless `out` already holds this N, seed, kind and format version. Returns bench-dataset.json."""
    info_path = out / "bench-dataset.json"
    if (out / ".complete").exists() and info_path.exists():
        info = json.loads(info_path.read_text())
        found = (info.get("frames"), info.get("seed"), info.get("format_version"), info.get("megapixels", 0))
        if found == (n, seed, FORMAT_VERSION, megapixels):
            return info
    print(f"generating {n} frames into {out}", file=sys.stderr)
    generate(n, out, seed, jobs or os.cpu_count() or 1, megapixels)
    return json.loads(info_path.read_text())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=int, default=2000)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=20250801)
    ap.add_argument("--jobs", type=int, default=0)
    ap.add_argument("--megapixels", type=int, choices=[0, 12], default=0,
                    help="12: 4000x3000 mosaics of real photographs (default 0: ~500x375 photographs)")
    args = ap.parse_args()
    print(json.dumps(ensure(args.frames, Path(args.out), args.seed, args.jobs, args.megapixels)))


if __name__ == "__main__":
    main()
