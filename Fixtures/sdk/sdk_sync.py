#!/usr/bin/env python3
"""Fill a cvat-sdk cache the way cvat-sdk itself does (run with the venv that has cvat-sdk 2.80).

    sdk_sync.py --server URL --cache-dir DIR (--task ID [ID...] | --project ID) [--token PAT]
                [--user NAME --password PW]

Builds cvat_sdk.datasets.TaskDataset for each task (for --project: the SDK's project retrieval,
then a TaskDataset per task of it) with the default update policy (IF_MISSING_OR_STALE) and
media policy (PRELOAD_ALL), so the SDK writes its cache under
DIR/servers/<urlsafe-b64(URL)>/. Prints a JSON summary to stdout.
Default credentials: the admin PAT of the sample dataset.
"""

import argparse
import json
import logging
import sys
from pathlib import Path

from cvat_sdk import Config
from cvat_sdk.core.client import AccessTokenCredentials, Client
from cvat_sdk.datasets import TaskDataset, UnsupportedDatasetError
from cvat_sdk.datasets.caching import UpdatePolicy, make_cache_manager

ADMIN_PAT = "cvat_pat_admin.0123456789abcdef"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", required=True)
    ap.add_argument("--cache-dir", required=True)
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--task", type=int, nargs="+")
    g.add_argument("--project", type=int)
    ap.add_argument("--token")
    ap.add_argument("--user")
    ap.add_argument("--password")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()

    logging.basicConfig(level=logging.INFO if args.verbose else logging.ERROR, stream=sys.stderr)
    client = Client(url=args.server, config=Config(cache_dir=Path(args.cache_dir)), check_server_version=False)
    if args.user:
        client.login((args.user, args.password or ""))
    else:
        client.login(AccessTokenCredentials(args.token or ADMIN_PAT))

    summary = {"server": args.server, "cache_dir": args.cache_dir, "tasks": []}
    if args.project is not None:
        cache = make_cache_manager(client, UpdatePolicy.IF_MISSING_OR_STALE)
        project = cache.retrieve_project(args.project)
        task_ids = [t.id for t in project.get_tasks()]
        summary["project"] = {"id": project.id, "name": project.name, "tasks": task_ids,
                              "project_dir": str(cache.project_dir(project.id))}
    else:
        task_ids = args.task

    failed = False
    for tid in task_ids:
        try:
            ds = TaskDataset(client, tid)
        except UnsupportedDatasetError as e:  # e.g. a video task, or a task without data
            summary["tasks"].append({"id": tid, "error": str(e)})
            failed = True
            continue
        summary["tasks"].append({
            "id": tid,
            "samples": len(ds.samples),
            "frames": [s.frame_index for s in ds.samples],
            "labels": [{"id": l.id, "name": l.name} for l in ds.labels],
            "task_dir": str(ds._cache_manager.task_dir(tid)),
        })
    # never log out: the PAT/token stays valid for other clients
    json.dump(summary, sys.stdout, indent=1)
    print()
    return 3 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
