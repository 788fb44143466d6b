#!/usr/bin/env python3
"""Print an export's boxes per sample, as JSON: {"samples": [[[xmin, ymin, xmax, ymax, class], ...], ...]}.

    sample_boxes.py EXPORT_DIR
"""

import json
import sys
from pathlib import Path

import numpy as np

folder = Path(sys.argv[1])
manifest = json.loads((folder / "manifest.json").read_text())
arrays = {name: np.load(folder / entry["file"]) for name, entry in manifest["arrays"].items()}
offsets, boxes, labels = arrays["box_offsets"], arrays["boxes"], arrays["box_labels"]
samples = [[[float(v) for v in boxes[row]] + [int(labels[row])] for row in range(offsets[i], offsets[i + 1])]
           for i in range(len(offsets) - 1)]
print(json.dumps({"samples": samples}))
