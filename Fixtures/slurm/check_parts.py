#!/usr/bin/env python3
"""Check the parts a Slurm array wrote with `cvat-ds export --shard auto` (make test-slurm).

    check_parts.py RUN_DIR --ids ID [ID ...] --min MIN --step STEP --max MAX

RUN_DIR holds part-<id> for every array task id. Each part's manifest must record slice
(id - MIN) / STEP of len(ids), read from the SLURM_ARRAY_TASK_* variables that Slurm set for that
task (slice.scheduler), so the resolution is checked against what a real slurmd exports, not against
what the unit tests assume. Prints one JSON line {"parts", "samples"}; exits 1 with the problems.
"""

import argparse
import json
import sys
from pathlib import Path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run_dir")
    ap.add_argument("--ids", type=int, nargs="+", required=True)
    ap.add_argument("--min", type=int, required=True)
    ap.add_argument("--max", type=int, required=True)
    ap.add_argument("--step", type=int, required=True)
    args = ap.parse_args()
    problems = []
    samples = 0
    for task_id in args.ids:
        folder = Path(args.run_dir) / f"part-{task_id}"
        manifest = json.loads((folder / "manifest.json").read_text())
        piece = manifest.get("slice") or {}
        expected_index = (task_id - args.min) // args.step
        if (piece.get("index"), piece.get("count")) != (expected_index, len(args.ids)):
            problems.append(f"{folder}: slice {piece.get('index')}/{piece.get('count')}, "
                            f"expected {expected_index}/{len(args.ids)}")
        expected = {
            "SLURM_ARRAY_TASK_ID": str(task_id), "SLURM_ARRAY_TASK_MIN": str(args.min),
            "SLURM_ARRAY_TASK_MAX": str(args.max), "SLURM_ARRAY_TASK_COUNT": str(len(args.ids)),
            "SLURM_ARRAY_TASK_STEP": str(args.step),
        }
        if piece.get("scheduler") != expected:
            problems.append(f"{folder}: slice.scheduler is {piece.get('scheduler')}, expected {expected}")
        samples += len(manifest["samples"])
    if problems:
        print("\n".join(problems), file=sys.stderr)
        sys.exit(1)
    print(json.dumps({"parts": len(args.ids), "samples": samples}))


if __name__ == "__main__":
    main()
