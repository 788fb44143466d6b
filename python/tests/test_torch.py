"""cvat_ds.torch.ExportDataset: targets in cvat_sdk.pytorch's formats, and a DataLoader with worker processes gives
exactly what iterating the export gives."""

import pickle

import numpy as np
import pytest

import torch

import cvat_ds
from cvat_ds.torch import ExportDataset, collate_detection

from test_export import TARGETS


def expected(sample, target):
    """What the dataset must give for a sample, written from the Sample fields."""
    image = torch.from_numpy(np.array(sample.image)).permute(2, 0, 1)
    if target == "label":
        return image, torch.tensor(sample.label, dtype=torch.int64)
    t = {"boxes": torch.from_numpy(np.array(sample.boxes)), "labels": torch.from_numpy(np.array(sample.labels))}
    if target == "masks":
        t["masks"] = torch.from_numpy(np.array(sample.masks))
    if target == "keypoints":
        t["keypoints"] = torch.from_numpy(np.array(sample.keypoints))
    return image, t


def assert_same(a, b):
    if isinstance(b, dict):
        assert a.keys() == b.keys()
        for key in b:
            assert_same(a[key], b[key])
    else:
        assert a.dtype == b.dtype and a.shape == b.shape, (a.dtype, b.dtype, a.shape, b.shape)
        assert torch.equal(a, b)


@pytest.mark.parametrize("target", ["label", "bboxes", "masks", "keypoints"])
def test_targets_in_the_sdk_format(exporter, target):
    dataset = ExportDataset(exporter(*TARGETS[target]))
    export = cvat_ds.open(dataset.export.path)
    assert len(dataset) == len(export)
    for i, sample in enumerate(export):
        image, t = dataset[i]
        want_image, want_t = expected(sample, target)
        assert_same(image, want_image)
        assert_same(t, want_t)
        if target == "label":
            assert t.dim() == 0 and t.dtype == torch.int64
        else:
            assert t["boxes"].dtype == torch.float32 and t["boxes"].shape[1] == 4
            assert t["labels"].dtype == torch.int64
    if target == "masks":
        assert any(dataset[i][1]["masks"].shape[0] > 0 for i in range(len(dataset)))


def test_transforms_are_applied(exporter):
    dataset = ExportDataset(exporter(*TARGETS["label"]), transform=lambda x: x.float() / 255,
                            target_transform=lambda t: t + 100)
    image, label = dataset[2]
    sample = dataset.export[2]
    assert image.dtype == torch.float32
    assert torch.equal(image, torch.from_numpy(np.array(sample.image)).permute(2, 0, 1).float() / 255)
    assert int(label) == sample.label + 100


def test_pickled_dataset_holds_no_arrays(exporter):
    dataset = ExportDataset(exporter(*TARGETS["masks"]))
    dataset[0]
    assert len(pickle.dumps(dataset)) < 2000


@pytest.mark.parametrize("context", ["fork", "spawn"])
def test_dataloader_with_workers(exporter, context):
    dataset = ExportDataset(exporter(*TARGETS["masks"]))
    loader = torch.utils.data.DataLoader(dataset, batch_size=3, num_workers=2, collate_fn=collate_detection,
                                         multiprocessing_context=context)
    got = [(image, target) for images, targets in loader for image, target in zip(images, targets)]
    assert len(got) == len(dataset.export)
    for (image, target), sample in zip(got, dataset.export):
        want_image, want_target = expected(sample, "masks")
        assert_same(image, want_image)
        assert_same(target, want_target)


def test_label_batches_stack(exporter):
    dataset = ExportDataset(exporter(*TARGETS["label"]))
    loader = torch.utils.data.DataLoader(dataset, batch_size=4, num_workers=2)
    images, labels = next(iter(loader))
    assert images.shape == (4, 3, 30, 40) and labels.shape == (4,) and labels.dtype == torch.int64
    assert labels.tolist() == [dataset.export[i].label for i in range(4)]


def test_nchw_and_float_images(exporter):
    """--layout nchw images are served as stored; float32 ones keep their values."""
    nhwc = ExportDataset(exporter(*TARGETS["label"]))
    nchw = ExportDataset(exporter(*TARGETS["label"], "--layout", "nchw", "--dtype", "float32"))
    for i in range(len(nhwc)):
        a, b = nhwc[i][0], nchw[i][0]
        assert b.dtype == torch.float32 and b.shape == a.shape
        assert torch.allclose(b, a.float() / 255, atol=1e-6)
