#!/usr/bin/env python3
"""Read a cvat-sdk cache without touching the network (run with the venv that has cvat-sdk 2.80).

    sdk_read_cache.py --server URL --cache-dir DIR --task ID [ID...]

Opens TaskDataset(..., update_policy=UpdatePolicy.NEVER) with a client that never logs in and
never checks the server version, so it proves the cache alone suffices (the server may be
stopped). Prints JSON:
    {"tasks": [{"id", "labels": [{"id","name"}], "samples": [{"frame_index","frame_name","width",
      "height","mode","sha256" (of image.convert("RGB").tobytes()),"tags": [label_id...],
      "shapes": [{"type","label_id","points","rotation"}...]}...]}...]}
Exits with status 2 and a message on stderr when the cache is incomplete.
"""

import argparse
import hashlib
import json
import logging
import sys
from pathlib import Path

from cvat_sdk import Config
from cvat_sdk.core.client import Client
from cvat_sdk.datasets import TaskDataset
from cvat_sdk.datasets.caching import UpdatePolicy


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", required=True)
    ap.add_argument("--cache-dir", required=True)
    ap.add_argument("--task", type=int, nargs="+", required=True)
    args = ap.parse_args()
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)

    client = Client(url=args.server, config=Config(cache_dir=Path(args.cache_dir)), check_server_version=False)
    out = {"tasks": []}
    for tid in args.task:
        try:
            ds = TaskDataset(client, tid, update_policy=UpdatePolicy.NEVER)
            samples = []
            for s in ds.samples:
                im = s.media.load_image()
                samples.append({
                    "frame_index": s.frame_index,
                    "frame_name": s.frame_name,
                    "width": im.width, "height": im.height, "mode": im.mode,
                    "sha256": hashlib.sha256(im.convert("RGB").tobytes()).hexdigest(),
                    "tags": [t.label_id for t in s.annotations.tags],
                    "shapes": [{"type": str(sh.type), "label_id": sh.label_id,
                                "points": [float(p) for p in sh.points], "rotation": float(sh.rotation)}
                               for sh in s.annotations.shapes],
                })
        except (FileNotFoundError, OSError, KeyError, ValueError) as e:
            print(f"sdk_read_cache: cache for task {tid} is incomplete: {type(e).__name__}: {e}", file=sys.stderr)
            sys.exit(2)
        out["tasks"].append({"id": tid, "labels": [{"id": l.id, "name": l.name} for l in ds.labels],
                             "samples": samples})
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
