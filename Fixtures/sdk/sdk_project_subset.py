#!/usr/bin/env python3
"""Read a project's subsets as cvat-sdk's ProjectVisionDataset does, without torch.

    sdk_project_subset.py --server URL --cache-dir DIR --project ID --subset NAME [NAME...] [--token T] [--online]

The steps are ProjectVisionDataset.__init__'s (cvat_sdk/pytorch/project_dataset.py), minus the torch wrappers:
make_cache_manager(client, update_policy), retrieve_project, project.get_tasks(), keep the tasks whose subset is
in include_subsets, sort them by id, and a TaskDataset per task with the same update policy. Without --online the
policy is UpdatePolicy.NEVER and the client never logs in (the cache alone must suffice); with --online it is
IF_MISSING_OR_STALE and the client logs in with the token, so the SDK caches what it reads.

Prints JSON {"tasks": [{"id", "subset", "samples": [{"frame_index", "frame_name", "sha256"}...]}...]}; exits 2
with the SDK's exception on stderr when it cannot read the cache.
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
from cvat_sdk.datasets.caching import UpdatePolicy, make_cache_manager


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", required=True)
    ap.add_argument("--cache-dir", required=True)
    ap.add_argument("--project", type=int, required=True)
    ap.add_argument("--subset", nargs="+", required=True)
    ap.add_argument("--token")
    ap.add_argument("--online", action="store_true")
    args = ap.parse_args()
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)

    client = Client(url=args.server, config=Config(cache_dir=Path(args.cache_dir)), check_server_version=False)
    if args.online:
        from cvat_sdk.core.client import AccessTokenCredentials
        client.login(AccessTokenCredentials(args.token))
    policy = UpdatePolicy.IF_MISSING_OR_STALE if args.online else UpdatePolicy.NEVER
    out = {"tasks": []}
    try:
        cache_manager = make_cache_manager(client, policy)
        project = cache_manager.retrieve_project(args.project)
        tasks = [task for task in project.get_tasks() if task.subset in args.subset]
        tasks.sort(key=lambda t: t.id)
        for task in tasks:
            ds = TaskDataset(client, task.id, update_policy=policy)
            samples = [{"frame_index": s.frame_index, "frame_name": s.frame_name,
                        "sha256": hashlib.sha256(s.media.load_image().convert("RGB").tobytes()).hexdigest()}
                       for s in ds.samples]
            out["tasks"].append({"id": task.id, "subset": task.subset, "samples": samples})
    except (FileNotFoundError, OSError, KeyError, ValueError) as e:
        print(f"sdk_project_subset: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(2)
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
