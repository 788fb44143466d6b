"""Hugging Face `datasets` reads a webdataset export with its own webdataset loader (make test-ray, in the venv
that has ray[data] and datasets), and what it reads equals cvat_ds.open's samples: the image from KEY.npy, the
class index from KEY.cls, the record and the annotation line from KEY.json."""

import numpy as np
import datasets

import cvat_ds


def test_hf_datasets_webdataset_loader(exporter):
    export = exporter("--task", "1", "--transform", "label", "--skip-invalid", "--resize", "40x30",
                      "--format", "webdataset", "--shard-size", "4")
    shards = sorted(str(p) for p in export.glob("shard-*.tar"))
    assert len(shards) > 1
    ds = datasets.load_dataset("webdataset", data_files={"train": shards}, split="train")
    reference = cvat_ds.open(export)
    assert len(ds) == len(reference) > 0
    for row, sample in zip(ds, reference):
        image = np.asarray(row["npy"], dtype=np.uint8)
        assert image.shape == (30, 40, 3)
        assert np.array_equal(image, sample.image)
        assert row["cls"] == sample.label
        assert (row["json"]["task_id"], row["json"]["frame"]) == (sample.info.task_id, sample.info.frame)
        assert row["json"]["annotations"]["tags"][0]["label"] == reference.labels[sample.label].name
