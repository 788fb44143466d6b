#!/usr/bin/env python3
"""Compare two cvat-ds exports array by array (any format, sharded, sliced and merged or not).

    compare_exports.py EXPORT_A EXPORT_B

Both are loaded with exports.load_export (shards concatenated, offsets made global again). Prints JSON
{"equal", "problems", "samples", "shards_a", "shards_b", "arrays", "offsets_restart"}, where offsets_restart
says whether, in both exports, every shard's offsets arrays start at 0 and end at that shard's own element
count. Exits 0 only when the sample lists and every array (names, dtypes, shapes, values) are identical and
the offsets restart in every shard.
"""

import json
import sys

import numpy as np

from exports import OFFSETS, load_export


def offsets_restart(shards):
    for shard in shards:
        n = shard["samples"][1] - shard["samples"][0]
        for name in OFFSETS:
            offsets = shard["arrays"].get(name)
            if offsets is None:
                continue
            # One entry per sample, plus the leading 0; mask_offsets of `masks` has one per mask (= per box).
            entries = n
            if name == "mask_offsets" and "boxes" in shard["arrays"]:
                entries = shard["arrays"]["boxes"].shape[0]
            if len(offsets) != entries + 1 or offsets[0] != 0:
                return False
            data = {"image_offsets": "images", "box_offsets": "boxes", "mask_offsets": "masks"}[name]
            rows = shard["arrays"][data]
            count = rows.size if name != "box_offsets" else rows.shape[0]
            if int(offsets[-1]) != count:
                return False
    return True


def main():
    ma, a, sa = load_export(sys.argv[1])
    mb, b, sb = load_export(sys.argv[2])
    problems = []
    strip = lambda samples: [{k: v for k, v in s.items()} for s in samples]
    if strip(ma["samples"]) != strip(mb["samples"]):
        problems.append("the sample lists differ")
    if sorted(a) != sorted(b):
        problems.append(f"array names differ: {sorted(a)} vs {sorted(b)}")
    for name in sorted(set(a) & set(b)):
        x, y = a[name], b[name]
        if x.dtype != y.dtype or x.shape != y.shape:
            problems.append(f"{name}: {x.dtype} {x.shape} vs {y.dtype} {y.shape}")
        elif not np.array_equal(x, y):
            problems.append(f"{name}: values differ")
    restart = offsets_restart(sa) and offsets_restart(sb)
    if not restart:
        problems.append("some shard's offsets do not restart at 0")
    report = {"equal": not problems, "problems": problems, "samples": len(ma["samples"]),
              "shards_a": len(sa), "shards_b": len(sb), "offsets_restart": restart,
              "arrays": {k: list(v.shape) for k, v in a.items()}}
    print(json.dumps(report))
    sys.exit(0 if not problems else 1)


if __name__ == "__main__":
    main()
