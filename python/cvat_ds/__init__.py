"""cvat-ds exports from Python: `cvat_ds.open(path)` gives an Export (typed manifest, memory-mapped arrays, one
Sample per index). `cvat_ds.torch` has a PyTorch Dataset over an export, `cvat_ds.pytorch` cvat_sdk.pytorch's
names on top of the cvat-ds binary."""

from ._annotations import AttributeValue, FrameAnnotations, Shape, Tag
from ._export import (AttributeSpec, Export, ExportError, Label, Labels, Sample, SampleInfo, Source, TaskSource,
                      Transform, open)

__version__ = "0.1.0"

__all__ = ["open", "Export", "ExportError", "Sample", "SampleInfo", "Label", "Labels", "AttributeSpec", "Source",
           "TaskSource", "Transform", "FrameAnnotations", "Tag", "Shape", "AttributeValue"]
