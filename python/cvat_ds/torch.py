"""A PyTorch Dataset over a cvat-ds export, with targets in cvat_sdk.pytorch's (and torchvision's) formats."""

from __future__ import annotations

import os
from typing import Any, Callable, Optional, Sequence, Union

import numpy as np
import torch
import torch.utils.data

from ._export import Export, ExportError, Sample


def _tensor(array: Optional[np.ndarray], dtype: torch.dtype, empty_shape: Sequence[int]) -> torch.Tensor:
    if array is None:
        return torch.empty(tuple(empty_shape), dtype=dtype)
    # np.array copies out of the read-only memory map, so the tensor owns writable memory.
    return torch.from_numpy(np.array(array)).to(dtype)


def image_tensor(sample: Sample, layout: str) -> torch.Tensor:
    """The sample's image as a CHW tensor in the export's dtype (uint8 as torchvision.io.read_image gives it,
    float32 as exported)."""
    image = torch.from_numpy(np.array(sample.image))
    return image.permute(2, 0, 1) if layout == "nhwc" else image


def target_of(sample: Sample, target: str) -> Any:
    """The sample's target as cvat_sdk.pytorch's transforms give it: a 0-dim int64 tensor for `label`
    (ExtractSingleLabelIndex); {"boxes": float32 (K, 4), "labels": int64 (K,)} for `bboxes`
    (ExtractBoundingBoxes); plus "masks" uint8 (K, H, W) for `masks` (ExtractInstanceMasks, Mask R-CNN's
    format); plus "keypoints" float32 (K, P, 3) for `keypoints` (Keypoint R-CNN's format); an int64 (H, W) class
    map for `semantic`; an empty dict for `none`."""
    if target == "label":
        if sample.label is None:
            raise ExportError("manifest.json", "the export's target is label, but it has no labels array")
        return torch.tensor(sample.label, dtype=torch.long)
    if target == "semantic":
        return _tensor(sample.masks, torch.long, (0, 0))
    if target in ("bboxes", "masks", "keypoints"):
        result = {"boxes": _tensor(sample.boxes, torch.float32, (0, 4)),
                  "labels": _tensor(sample.labels, torch.long, (0,))}
        if target == "masks":
            result["masks"] = _tensor(sample.masks, torch.uint8, (0, 0, 0))
        if target == "keypoints":
            result["keypoints"] = _tensor(sample.keypoints, torch.float32, (0, 0, 3))
        return result
    return {}


class ExportDataset(torch.utils.data.Dataset):
    """`dataset[i]` is `(image, target)`: the image a CHW tensor, the target in cvat_sdk.pytorch's format for the
    export's `--transform` (see `target_of`), each passed through `transform` / `target_transform` when given.

    Works with `num_workers > 0`: the dataset pickles as its path and each worker maps the files itself."""

    def __init__(self, path: Union[str, os.PathLike, Export], transform: Optional[Callable[[Any], Any]] = None,
                 target_transform: Optional[Callable[[Any], Any]] = None) -> None:
        self.export = path if isinstance(path, Export) else Export(path)
        self.transform = transform
        self.target_transform = target_transform

    def __len__(self) -> int:
        return len(self.export)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        sample = self.export[index]
        image: Any = image_tensor(sample, self.export.transform.layout)
        target: Any = target_of(sample, self.export.transform.target)
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target


def collate_detection(batch: Sequence[tuple[Any, Any]]) -> tuple[list[Any], list[Any]]:
    """A DataLoader `collate_fn` for detection: a list of images and a list of target dicts, as torchvision's
    detection models take them (their images and box counts differ, so they cannot be stacked)."""
    images, targets = zip(*batch) if batch else ((), ())
    return list(images), list(targets)
