"""The Ray Data recipe of docs/cluster.md, run as it is on a real webdataset export (make test-ray, in a venv
with ray[data]), and what it reads compared with cvat_ds.open's samples."""

import os
import re

import numpy as np
import ray

import cvat_ds

from conftest import REPO


def recipe():
    text = (REPO / "docs" / "cluster.md").read_text()
    section = text[text.index("## Ray Data"):]
    return re.search(r"```python\n(.*?)```", section, flags=re.S).group(1)


def test_ray_data_recipe(exporter, tmp_path, capsys):
    export = exporter("--project", "1", "--transform", "bboxes", "--resize", "64x48", "--format", "webdataset",
                      "--shard-size", "10")
    (tmp_path / "det").symlink_to(export)
    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True)
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        namespace = {}
        exec(compile(recipe(), "docs/cluster.md (Ray Data)", "exec"), namespace)
    finally:
        os.chdir(cwd)
    printed = capsys.readouterr().out
    assert "37 samples in 4 shards" in printed, printed
    reference = cvat_ds.open(export)
    rows = sorted(namespace["ds"].take_all(), key=lambda row: row["key"])
    assert len(rows) == len(reference) == 37
    for row, sample in zip(rows, reference):
        assert np.array_equal(row["image"], sample.image)
        assert np.array_equal(row["boxes"], sample.boxes)
        assert np.array_equal(row["labels"], sample.labels)
    ray.shutdown()
