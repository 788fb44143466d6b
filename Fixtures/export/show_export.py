#!/usr/bin/env python3
"""Print what NumPy sees in a cvat-ds export: each array's file, shape and dtype, and the first labels.

    show_export.py EXPORT_DIR
"""

import json
import sys
from pathlib import Path

import numpy as np

folder = Path(sys.argv[1])
manifest = json.loads((folder / "manifest.json").read_text())
for name, entry in manifest["arrays"].items():
    array = np.load(folder / entry["file"], mmap_mode="r")
    print(f"{name:14} {entry['file']:18} {str(array.shape):22} {array.dtype}")
names = manifest["labels"]["names"]
if "labels" in manifest["arrays"]:
    first = np.load(folder / "labels.npy")[:8]
    print("labels of the first 8 samples:", [names[i - manifest["labels"]["label_offset"]] for i in first])
print(f"{len(manifest['samples'])} samples from tasks", sorted({s["task_id"] for s in manifest["samples"]}))
