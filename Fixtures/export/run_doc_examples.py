#!/usr/bin/env python3
"""Run the NumPy examples of a Markdown document in a given folder.

    run_doc_examples.py DOC.md WORKDIR

Runs every ```python block that does not import torch (torch is not installed where the tests run), in order,
with WORKDIR as the current directory. Prints {"ran": N, "skipped_torch": M}; exits 1 if any block fails.
"""

import json
import os
import re
import sys
import traceback

doc, workdir = sys.argv[1], sys.argv[2]
blocks = re.findall(r"```python\n(.*?)```", open(doc, encoding="utf-8").read(), flags=re.S)
os.chdir(workdir)
ran = skipped = 0
for block in blocks:
    if re.search(r"^\s*(import|from) torch", block, flags=re.M) or "import numpy as np, torch" in block:
        skipped += 1
        continue
    try:
        exec(compile(block, f"{doc} block {ran + skipped + 1}", "exec"), {})
    except Exception:
        traceback.print_exc()
        sys.exit(1)
    ran += 1
print(json.dumps({"ran": ran, "skipped_torch": skipped}))
