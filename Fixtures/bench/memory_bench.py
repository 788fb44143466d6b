#!/usr/bin/env python3
"""Peak RSS of cvat-ds sync and export as the task grows, and on a task with about 1 GB of dense tracks.

    memory_bench.py [--cvat-ds PATH] [--work DIR] [--frames N] [--scale K] [--dense-mb MB] [--dense-frames F]

1. The N-frame benchmark dataset (make_dataset.py), and a K*N-frame one made from it: frame i of the large one is
   frame i % N's file (the server reads each file once), with its own name and tag. Memory that grows with the
   frame count shows in the ratio; pixels are the same kind either way.
2. A task with dense tracks (make_dense_tracks.py): annotations JSON of about MB megabytes over F tiny frames.
3. For each: serves it (Fixtures/server/cvat_test_server.py), runs `cvat-ds sync --task 1` on an empty cache and
   `cvat-ds export --task 1 --transform label --resize 224x224` (the dense task, which has no tags, with
   `--skip-invalid --no-annotations`; with `--dense-full` also `--transform bboxes`, which interpolates every
   track), and records each process's peak RSS (wait4's ru_maxrss).
4. Prints one JSON object on stdout (and returns it from `run()`): peak RSS in MB per run, the ratios
   (K*N)/N for sync and export, and the dense task's MB.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))
import make_dataset  # noqa: E402
import make_dense_tracks  # noqa: E402
from run_bench import Server, run_measured  # noqa: E402


def scaled_dataset(base: Path, n: int, out: Path) -> None:
    """An n-frame copy of the benchmark dataset at `base` whose frames reuse the base's files cyclically."""
    stamp = out / ".complete"
    if stamp.exists() and stamp.read_text().strip() == f"{n} {base}":
        return
    if out.exists():
        shutil.rmtree(out)
    ds = json.loads((base / "dataset.json").read_text())
    task = ds["tasks"][0]
    frames = task["data"]["frames"]
    base_n = len(frames)
    tags = json.loads((base / "tasks/1/annotations.json").read_text())["tags"]
    label_of = {t["frame"]: t["label_id"] for t in tags}
    new_frames, new_tags = [], []
    for i in range(n):
        src = frames[i % base_n]
        new_frames.append({**src, "name": f"flower_{i:06d}.jpg",
                           "file": str((base / src["file"]).resolve()),
                           "compressed": str((base / src["compressed"]).resolve())})
        new_tags.append({"id": i + 1, "label_id": label_of.get(i % base_n, 1), "frame": i, "group": 0,
                         "source": "manual", "attributes": []})
    task["data"].update(size=n, stop_frame=n - 1, frames=new_frames)
    task["name"] = f"flowers {n}"
    seg = make_dataset.SEGMENT_SIZE
    ds["jobs"] = [{**ds["jobs"][0], "id": k + 1, "start_frame": s, "stop_frame": min(s + seg, n) - 1}
                  for k, s in enumerate(range(0, n, seg))]
    (out / "tasks/1").mkdir(parents=True)
    (out / "tasks/1/annotations.json").write_text(json.dumps(
        {"version": 0, "tags": new_tags, "shapes": [], "tracks": [], "intervals": []}) + "\n")
    (out / "dataset.json").write_text(json.dumps(ds) + "\n")
    stamp.write_text(f"{n} {base}\n")


def measure(binary: Path, dataset: Path, work: Path, exports: list[tuple[str, list[str]]]) -> dict:
    server = Server(dataset)
    cache, out = work / "cache-memory", work / "out-memory"
    env = dict(os.environ, CVAT_ACCESS_TOKEN=make_dataset.PAT)
    base = ["--server-host", server.url, "--cache-dir", str(cache), "--task", "1", "--quiet"]
    try:
        shutil.rmtree(cache, ignore_errors=True)
        result = {"sync_mb": run_measured([str(binary), "sync"] + base, env)["maxrss_kb"] / 1024}
        for name, flags in exports:
            # --no-reuse: a whole export every time, also when --out holds one of the same frames
            r = run_measured([str(binary), "export"] + base + flags + ["--out", str(out), "--force", "--no-reuse"],
                             env)
            result[f"export_{name}_mb"] = r["maxrss_kb"] / 1024
            result[f"export_{name}_seconds"] = r["wall"]
        return result
    finally:
        server.close()
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)


def run(binary: Path, work: Path, frames: int = 2000, scale: int = 10, dense_mb: int = 1000,
        dense_frames: int = 4000, dense_full: bool = False) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    small = work / f"dataset-{frames}"
    make_dataset.ensure(frames, small)
    large = work / f"dataset-{frames * scale}-reused"
    scaled_dataset(small, frames * scale, large)
    dense = work / "dense-tracks"
    dense_info = make_dense_tracks.ensure(dense, dense_frames, dense_mb)
    label = [("label", ["--transform", "label", "--resize", "224x224"])]
    # The dense task has no tags; its label export reads tags and shapes and never decodes the tracks.
    # annotations.jsonl and box targets need every track's per-frame shapes: `--dense-full` measures those too.
    dense_runs = [("label", ["--transform", "label", "--resize", "224x224", "--skip-invalid", "--no-annotations"])]
    if dense_full:
        dense_runs += [("bboxes", ["--transform", "bboxes", "--no-annotations"])]
    res = {"frames": [frames, frames * scale],
           "small": measure(binary, small, work, label),
           "large": measure(binary, large, work, label),
           "dense": measure(binary, dense, work, dense_runs),
           "dense_annotations_mb": dense_info["annotations_bytes"] / 1e6}
    res["ratio_sync"] = res["large"]["sync_mb"] / res["small"]["sync_mb"]
    res["ratio_export"] = res["large"]["export_label_mb"] / res["small"]["export_label_mb"]
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cvat-ds", default=str(ROOT / ".build/release/cvat-ds"))
    ap.add_argument("--work", default=str(ROOT / "bench/work"))
    ap.add_argument("--frames", type=int, default=2000)
    ap.add_argument("--scale", type=int, default=10)
    ap.add_argument("--dense-mb", type=int, default=1000)
    ap.add_argument("--dense-frames", type=int, default=4000)
    ap.add_argument("--dense-full", action="store_true",
                    help="also export the dense task with --transform bboxes (interpolates every track; slow)")
    args = ap.parse_args()
    res = run(Path(args.cvat_ds).resolve(), Path(args.work).resolve(), args.frames, args.scale, args.dense_mb,
              args.dense_frames, args.dense_full)
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
