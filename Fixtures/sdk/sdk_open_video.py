#!/usr/bin/env python3
"""What cvat-sdk 2.80 does with a video task: open it offline from a cache, and online with its own cache.

    sdk_open_video.py --server URL --cache-dir DIR --task ID [--token PAT --own-cache DIR]

Offline: TaskDataset(..., update_policy=UpdatePolicy.NEVER) over --cache-dir, with a client that never logs in
(the cache alone decides). Online (with --token): TaskDataset over --own-cache, fetching what it needs. For each,
prints {"opened": bool, "error_type", "message"}; exits 0 whatever the SDK did (only a crash of this script
exits non-zero), so the caller compares the two outcomes.
"""

import argparse
import json
import logging
import sys
from pathlib import Path

from cvat_sdk import Config, make_client
from cvat_sdk.core.client import Client
from cvat_sdk.datasets import TaskDataset
from cvat_sdk.datasets.caching import UpdatePolicy


def attempt(open_dataset):
    try:
        dataset = open_dataset()
        return {"opened": True, "samples": len(dataset.samples), "error_type": None, "message": None}
    except Exception as e:  # the point is to record what the SDK raises
        return {"opened": False, "error_type": type(e).__name__, "message": str(e)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", required=True)
    ap.add_argument("--cache-dir", required=True)
    ap.add_argument("--task", type=int, required=True)
    ap.add_argument("--token")
    ap.add_argument("--own-cache")
    args = ap.parse_args()
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)

    offline_client = Client(url=args.server, config=Config(cache_dir=Path(args.cache_dir)), check_server_version=False)
    report = {"offline": attempt(lambda: TaskDataset(offline_client, args.task, update_policy=UpdatePolicy.NEVER))}
    if args.token:
        from cvat_sdk.core.client import AccessTokenCredentials
        client = make_client(args.server, credentials=AccessTokenCredentials(args.token))
        client.config.cache_dir = Path(args.own_cache)
        report["online"] = attempt(lambda: TaskDataset(client, args.task))
    print(json.dumps(report))


if __name__ == "__main__":
    main()
