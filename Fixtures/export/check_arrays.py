#!/usr/bin/env python3
"""Check that every array of a cvat-ds export loads with NumPy and agrees with manifest.json.

    check_arrays.py EXPORT_DIR

.npy files are loaded twice (normally and with mmap_mode="r"); raw .bin files with numpy.fromfile using the
manifest's dtype and shape. Prints a JSON summary {name: {"shape", "dtype"}}; exits 1 on any disagreement.
"""

import json
import sys
from pathlib import Path

import numpy as np


def main():
    folder = Path(sys.argv[1])
    manifest = json.loads((folder / "manifest.json").read_text())
    problems = []
    summary = {}
    for name, entry in manifest["arrays"].items():
        path = folder / entry["file"]
        if path.suffix == ".npy":
            array = np.load(path)
            mapped = np.load(path, mmap_mode="r")
            if not np.array_equal(array, mapped):
                problems.append(f"{name}: mmap and normal loads differ")
        else:
            array = np.fromfile(path, dtype=np.dtype(entry["dtype"]).newbyteorder("<")).reshape(entry["shape"])
        if list(array.shape) != entry["shape"]:
            problems.append(f"{name}: shape {list(array.shape)} != manifest {entry['shape']}")
        if array.dtype != np.dtype(entry["dtype"]):
            problems.append(f"{name}: dtype {array.dtype} != manifest {entry['dtype']}")
        summary[name] = {"shape": list(array.shape), "dtype": str(array.dtype)}
    n = len(manifest["samples"])
    for name in ("labels", "image_shapes"):
        if name in summary and summary[name]["shape"][0] != n:
            problems.append(f"{name} has {summary[name]['shape'][0]} rows for {n} samples")
    for name in ("image_offsets", "box_offsets"):
        if name in summary and summary[name]["shape"][0] != n + 1:
            problems.append(f"{name} has {summary[name]['shape'][0]} rows for {n} samples")
    if "images" in summary and "image_offsets" not in summary and summary["images"]["shape"][0] != n:
        problems.append(f"images has {summary['images']['shape'][0]} rows for {n} samples")
    print(json.dumps({"arrays": summary, "problems": problems}))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
