#!/usr/bin/env python3
"""Write a test-server dataset whose project 1 holds the sample project's three tasks COPIES times.

    make_copies.py --copies K --out DIR [--sample Fixtures/datasets/sample]

Copy c (1..K-1) of task t (1, 2, 3) is task 100*c + t, with its jobs (ids 1000*c + job id) and the same frames
and annotations: DIR/tasks/<t> are symlinks to the sample's folders and DIR/tasks/<100c+t>/annotations.json to
the sample task's annotations, so frame paths in dataset.json need no change. Everything else of the sample
(task 4, ..., users, tokens) is kept as it is. Nothing is copied, so the folder is small and quick to write.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
from pathlib import Path

PROJECT_TASKS = (1, 2, 3)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--sample", type=Path, default=Path(__file__).resolve().parents[1] / "datasets/sample")
    args = parser.parse_args()
    sample = args.sample.resolve()
    dataset = json.loads((sample / "dataset.json").read_text())
    out = args.out
    (out / "tasks").mkdir(parents=True, exist_ok=True)
    for entry in (sample / "tasks").iterdir():
        link = out / "tasks" / entry.name
        if not link.exists():
            os.symlink(entry, link)
    tasks = {t["id"]: t for t in dataset["tasks"]}
    jobs = [j for j in dataset["jobs"]]
    for c in range(1, args.copies):
        for t in PROJECT_TASKS:
            task = copy.deepcopy(tasks[t])
            task["id"] = 100 * c + t
            task["name"] = f"{task['name']} (copy {c})"
            task["data"]["id"] = 10_000 * c + task["data"]["id"]
            dataset["tasks"].append(task)
            folder = out / "tasks" / str(task["id"])
            folder.mkdir(exist_ok=True)
            link = folder / "annotations.json"
            if not link.exists():
                os.symlink(sample / "tasks" / str(t) / "annotations.json", link)
            for job in jobs:
                if job["task_id"] == t:
                    clone = dict(job, id=1000 * c + job["id"], task_id=task["id"])
                    dataset["jobs"].append(clone)
    (out / "dataset.json").write_text(json.dumps(dataset, indent=1))


if __name__ == "__main__":
    main()
