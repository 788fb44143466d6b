"""Finding the cvat-ds binary the drop-in datasets run."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path


def binary_path() -> str:
    """$CVAT_DS when set; else the cvat-ds installed beside this Python (the wheel puts it in the environment's
    bin folder, which need not be on PATH, e.g. a venv used without activating it); else cvat-ds on PATH."""
    explicit = os.environ.get("CVAT_DS")
    if explicit:
        return explicit
    beside = Path(sys.executable).parent / "cvat-ds"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("cvat-ds")
    if found:
        return found
    raise FileNotFoundError("cvat-ds is not installed: pip install the cvat-ds wheel (make wheel), or set CVAT_DS "
                            "to the binary's path")
