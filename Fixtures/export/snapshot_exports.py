#!/usr/bin/env python3
"""Export the sample data in every mode and print a digest of every file written, to show that a refactor left
the bytes unchanged.

    snapshot_exports.py --cvat-ds .build/debug/cvat-ds > after.json
    snapshot_exports.py --cvat-ds .build/debug/cvat-ds --compare before.json

The test server serves Fixtures/datasets/sample; the script syncs it into a scratch cache, runs the export matrix
below (every transform, the geometric transforms, every format, shards, a slice, tracks on and off, video, job
filters) and records, per export, the SHA-256 of each file. The manifest's `tool.version` and `source.server` (the
test server's port changes from run to run) are left out of its digest. With --compare it exits 1 naming every export
and file whose bytes differ from the earlier digest.
"""

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "cvat_pat_admin.0123456789abcdef"

# name -> export arguments (after --server-host/--cache-dir)
MATRIX = {
    "label-project": ["--project", "1", "--transform", "label"],
    "label-224": ["--project", "1", "--transform", "label", "--resize", "224x224"],
    "label-letterbox-nchw-f32": ["--project", "1", "--transform", "label", "--letterbox", "160x120",
                                 "--layout", "nchw", "--dtype", "float32", "--normalize", "imagenet"],
    "label-crop-bicubic": ["--task", "1", "--transform", "label", "--resize-shorter", "100", "--center-crop",
                           "96x96", "--filter", "bicubic"],
    "label-map-offset": ["--project", "1", "--transform", "label", "--label-offset", "1", "--resize", "64x64"],
    "label-raw": ["--project", "1", "--transform", "label", "--format", "raw", "--resize", "64x48"],
    "label-safetensors": ["--project", "1", "--transform", "label", "--format", "safetensors", "--resize", "64x48"],
    "label-shards": ["--project", "1", "--transform", "label", "--shard-size", "5", "--resize", "32x32"],
    "label-slice": ["--project", "1", "--transform", "label", "--shard", "1/3", "--resize", "32x32"],
    "label-subset": ["--project", "1", "--subset", "Train", "--transform", "label", "--resize", "32x32"],
    "bboxes-street": ["--task", "4", "--transform", "bboxes"],
    "bboxes-street-224": ["--task", "4", "--transform", "bboxes", "--resize", "224x224"],
    "bboxes-street-letterbox": ["--task", "4", "--transform", "bboxes", "--letterbox", "200x100"],
    "bboxes-street-crop": ["--task", "4", "--transform", "bboxes", "--resize-shorter", "120", "--center-crop",
                           "100x100"],
    "bboxes-no-tracks": ["--task", "4", "--transform", "bboxes", "--no-tracks"],
    "bboxes-shape-types": ["--task", "4", "--transform", "bboxes", "--shape-types", "rectangle,polygon"],
    "bboxes-project": ["--project", "1", "--transform", "bboxes", "--resize", "100x80"],
    "masks-street": ["--task", "4", "--transform", "masks"],
    "masks-street-160": ["--task", "4", "--transform", "masks", "--resize", "160x120"],
    "masks-street-letterbox": ["--task", "4", "--transform", "masks", "--letterbox", "120x120"],
    "semantic-street": ["--task", "4", "--transform", "semantic"],
    "semantic-street-crop": ["--task", "4", "--transform", "semantic", "--resize-shorter", "90", "--center-crop",
                             "80x80", "--background-index", "0", "--label-offset", "1"],
    "keypoints-street": ["--task", "4", "--transform", "keypoints", "--shape-types", "skeleton"],
    "keypoints-points": ["--task", "4", "--transform", "keypoints", "--shape-types", "points", "--skip-invalid"],
    "keypoints-street-letterbox": ["--task", "4", "--transform", "keypoints", "--letterbox", "128x128",
                                   "--shape-types", "skeleton"],
    "skip-invalid-pets": ["--task", "6", "--transform", "label", "--skip-invalid"],
    "none-video": ["--task", "7", "--transform", "none"],
    "bboxes-video-compressed": ["--task", "7", "--transform", "bboxes", "--video-frames", "compressed",
                                "--resize", "64x64"],
    "job-filter": ["--project", "1", "--transform", "label", "--job-stage", "annotation", "--resize", "32x32"],
}


def start_server():
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "Fixtures/server/cvat_test_server.py"), "--dataset",
         str(ROOT / "Fixtures/datasets/sample"), "--port", "0", "--exit-on-stdin-eof"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = server.stdout.readline().strip()
    if not line.startswith("READY "):
        raise SystemExit(f"the test server did not start: {line!r}")
    return server, line[len("READY "):]


def digest(path, manifest):
    if manifest:
        data = json.loads(path.read_text())
        data.get("tool", {}).pop("version", None)
        data.get("source", {}).pop("server", None)  # the test server's port changes from run to run
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(cvat_ds, scratch):
    server, url = start_server()
    env = dict(os.environ, CVAT_ACCESS_TOKEN=TOKEN, HOME=str(scratch))
    common = ["--server-host", url, "--cache-dir", str(scratch / "cache")]
    result = {}
    try:
        for args in (["--project", "1"], ["--task", "4"], ["--task", "6"], ["--task", "7"],
                     ["--task", "7", "--video-frames", "compressed"]):
            subprocess.run([cvat_ds, "sync", *common, *args], env=env, check=True, stdout=subprocess.DEVNULL)
        for name, args in MATRIX.items():
            out = scratch / "out" / name
            run = subprocess.run([cvat_ds, "export", *common, "--offline", *args, "--out", str(out)], env=env,
                                 capture_output=True, text=True)
            if run.returncode != 0:
                result[name] = {"exit": str(run.returncode)}  # the message names the scratch folder
                continue
            files = {}
            for path in sorted(p for p in out.rglob("*") if p.is_file()):
                files[str(path.relative_to(out))] = digest(path, path.name == "manifest.json")
            result[name] = files
    finally:
        server.stdin.close()
        server.wait(timeout=10)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cvat-ds", required=True)
    parser.add_argument("--compare", help="an earlier digest to compare with")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cvat-ds-snapshot-") as scratch:
        result = snapshot(os.path.abspath(args.cvat_ds), Path(scratch))
    if not args.compare:
        json.dump(result, sys.stdout, indent=1, sort_keys=True)
        print()
        return
    before = json.loads(Path(args.compare).read_text())
    differences = []
    for name in sorted(set(before) | set(result)):
        old, new = before.get(name), result.get(name)
        if old == new:
            continue
        if old is None or new is None:
            differences.append(f"{name}: only in {'the new' if old is None else 'the earlier'} digest")
            continue
        for file in sorted(set(old) | set(new)):
            if old.get(file) != new.get(file):
                differences.append(f"{name}/{file}: {old.get(file)} -> {new.get(file)}")
    print(f"{len(result)} exports, {sum(len(v) for v in result.values())} files compared")
    if differences:
        print("\n".join(differences))
        sys.exit(1)
    print("identical")


if __name__ == "__main__":
    main()
