#!/usr/bin/env python3
"""Judge what a killed (or finished) cvat-ds run left behind: a cache, or an export folder.

    check_state.py cache CACHE_ROOT
    check_state.py export OUT_DIR

`cache`: every file under its final name must be complete and valid. task.json, data_meta.json,
annotations.json, jobs.json and project.json parse as JSON objects (or the list jobs.json is); every
`chunks/N.zip` (and `compressed_chunks/N.zip`) is a zip whose members all pass their CRC, with as many members
as the chunk holds frames (chunk_size and size from the task's data_meta.json, which a sync writes before any
chunk; a chunk without it is a problem). `*.partial` and `*.tmp-cvat-ds-*` files are in-progress names: listed,
never judged. Prints {"problems": [...], "complete_chunks": ["TASK/N", ...], "temporaries": [...],
"files": N} and exits 1 when there is a problem.

`export`: OUT_DIR is either absent or a complete export: manifest.json parses, and every array file it names
(those of every shard too) loads with NumPy (`.npy` with np.load, `.bin` with np.fromfile) with the manifest's
shape and dtype; no `.partial` file is left inside. Prints {"state": "absent"|"complete", "samples": N,
"problems": [...]} and exits 1 when there is a problem.

Used by Tests/CvatDSCommandsTests/KillTests.swift and Fixtures/soak/soak.py.
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

JSON_FILES = {"task.json": dict, "data_meta.json": dict, "annotations.json": dict, "jobs.json": list,
              "project.json": dict}


def in_progress(name: str) -> bool:
    return name.endswith(".partial") or ".tmp-cvat-ds-" in name


def check_cache(root: Path) -> dict:
    problems: list[str] = []
    complete: list[str] = []
    temporaries: list[str] = []
    count = 0
    for path in sorted(root.rglob("*")):
        if path.is_dir() or path.name == ".cvat-ds.lock":
            continue
        count += 1
        rel = str(path.relative_to(root))
        if in_progress(path.name):
            temporaries.append(rel)
            continue
        if path.name in JSON_FILES:
            try:
                value = json.loads(path.read_bytes())
            except ValueError as error:
                problems.append(f"{rel}: not JSON ({error})")
                continue
            if not isinstance(value, JSON_FILES[path.name]):
                problems.append(f"{rel}: a {type(value).__name__}, not a {JSON_FILES[path.name].__name__}")
            continue
        if path.parent.name in ("chunks", "compressed_chunks") and path.suffix == ".zip":
            task_dir = path.parent.parent
            try:
                meta = json.loads((task_dir / "data_meta.json").read_bytes())
            except (OSError, ValueError):
                problems.append(f"{rel}: a chunk, but its task has no readable data_meta.json")
                continue
            number = int(path.stem)
            expected = min(meta["chunk_size"], meta["size"] - number * meta["chunk_size"])
            try:
                with zipfile.ZipFile(path) as archive:
                    bad = archive.testzip()
                    members = len(archive.infolist())
            except (zipfile.BadZipFile, OSError, ValueError) as error:
                problems.append(f"{rel}: not a valid zip ({error})")
                continue
            if bad is not None:
                problems.append(f"{rel}: member {bad} fails its CRC")
            elif members != expected:
                problems.append(f"{rel}: {members} members where {expected} were expected")
            else:
                if path.parent.name == "chunks":
                    complete.append(f"{task_dir.name}/{number}")
            continue
        if path.parent.name == "frames" and path.suffix == ".png":
            data = path.read_bytes()
            if not (data.startswith(b"\x89PNG\r\n\x1a\n") and data.endswith(b"IEND\xaeB`\x82")):
                problems.append(f"{rel}: not a complete PNG")
            continue
        problems.append(f"{rel}: a file the cache should not hold")
    # task.json is written last: a task that has it must have every chunk it needs (a kill before that point
    # leaves no task.json, so the next run of either tool sees the task as not yet current).
    for task_json in sorted(root.glob("servers/*/tasks/*/task.json")):
        task_dir = task_json.parent
        try:
            model = json.loads(task_json.read_bytes())["model"]
            meta = json.loads((task_dir / "data_meta.json").read_bytes())
        except (OSError, ValueError, KeyError):
            if json.loads(task_json.read_bytes()).get("model", {}).get("data") is not None:
                problems.append(f"{task_dir.name}: task.json is there, data_meta.json is not")
            continue
        if model.get("data_original_chunk_type") != "imageset":
            continue
        deleted = set(meta.get("deleted_frames") or [])
        needed = sorted({f // meta["chunk_size"] for f in range(meta["size"]) if f not in deleted})
        missing = [n for n in needed if f"{task_dir.name}/{n}" not in complete]
        if missing:
            problems.append(f"task {task_dir.name}: task.json is there but chunks {missing} are not complete")
    return {"problems": problems, "complete_chunks": complete, "temporaries": temporaries, "files": count}


def check_export(out: Path) -> dict:
    if not out.exists():
        return {"state": "absent", "samples": 0, "problems": []}
    import numpy as np

    problems: list[str] = []
    try:
        manifest = json.loads((out / "manifest.json").read_bytes())
    except (OSError, ValueError) as error:
        return {"state": "broken", "samples": 0, "problems": [f"manifest.json: {error}"]}
    entries = []
    if manifest.get("shards"):
        for shard in manifest["shards"]:
            entries += list(shard["arrays"].items())
    else:
        entries = list(manifest["arrays"].items())
    for name, entry in entries:
        path = out / entry["file"]
        try:
            if path.suffix == ".npy":
                array = np.load(path)
            else:
                array = np.fromfile(path, dtype=np.dtype(entry["dtype"]).newbyteorder("<"))
                array = array.reshape(entry["shape"])
        except Exception as error:  # noqa: BLE001 - any failure to load is the finding
            problems.append(f"{entry['file']}: does not load ({type(error).__name__}: {error})")
            continue
        if list(array.shape) != entry["shape"]:
            problems.append(f"{entry['file']}: shape {list(array.shape)}, manifest says {entry['shape']}")
        if array.dtype != np.dtype(entry["dtype"]):
            problems.append(f"{entry['file']}: dtype {array.dtype}, manifest says {entry['dtype']}")
    if not entries:
        problems.append("the manifest lists no array")
    leftovers = [str(p.relative_to(out)) for p in out.rglob("*") if in_progress(p.name)]
    if leftovers:
        problems.append(f"unfinished files inside: {leftovers}")
    return {"state": "complete" if not problems else "broken", "samples": len(manifest.get("samples", [])),
            "problems": problems}


def main() -> int:
    if len(sys.argv) != 3 or sys.argv[1] not in ("cache", "export"):
        print(__doc__, file=sys.stderr)
        return 64
    path = Path(sys.argv[2])
    result = check_cache(path) if sys.argv[1] == "cache" else check_export(path)
    print(json.dumps(result))
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
