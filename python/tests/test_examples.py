"""The example programs of docs/python.md on the sample data: a ResNet trained for one step on the tags of project
1's Train tasks and evaluated on its Validation task."""

import contextlib
import io
import re
import runpy
import sys

from conftest import REPO

EXAMPLES = REPO / "python" / "examples"


def run_example(name, *args):
    """Run the program as `python name args` would, in this process (so that it sees the same torch setup)."""
    saved = sys.argv
    sys.argv = [name, *args]
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            runpy.run_path(str(EXAMPLES / name), run_name="__main__")
    finally:
        sys.argv = saved
    return out.getvalue()


def test_train_then_evaluate(exporter, tmp_path):
    flags = ("--project", "1", "--transform", "label", "--resize", "64x64", "--normalize", "imagenet")
    train = exporter(*flags, "--subset", "Train")
    val = exporter(*flags, "--subset", "Validation")
    model = tmp_path / "model.pt"
    out = run_example("train_classifier.py", str(train), str(model), "--max-steps", "1", "--batch-size", "4")
    assert re.search(r"epoch 0 step 1 loss \d+\.\d+", out) and model.is_file()
    out = run_example("evaluate_classifier.py", str(val), str(model), "--workers", "0")
    match = re.search(r"accuracy (\d\.\d+) \((\d+) of (\d+)\)", out)
    assert match and int(match.group(3)) == 10 and 0 <= float(match.group(1)) <= 1
