"""Evaluate a classifier trained by train_classifier.py on another task's export.

    cvat-ds export --task 3 --transform label --resize 224x224 --normalize imagenet --out val/
    python evaluate_classifier.py val/ model.pt

Prints the accuracy over the export's samples. The export must number the classes as the training export did
(same label names in the same order: export both from one project, or pass both the same --label-map).
"""

import argparse

import torch
import torchvision
from torch.utils.data import DataLoader

from cvat_ds.torch import ExportDataset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("export")
    parser.add_argument("model")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    saved = torch.load(args.model)
    dataset = ExportDataset(args.export)
    names = dataset.export.labels.names()
    if names != saved["labels"]:
        raise SystemExit(f"the export's classes {names} are not the model's {saved['labels']}")
    model = torchvision.models.resnet18(weights=None, num_classes=len(names))
    model.load_state_dict(saved["state_dict"])
    model.eval()

    correct = total = 0
    with torch.no_grad():
        for images, labels in DataLoader(dataset, batch_size=args.batch_size, num_workers=args.workers):
            correct += int((model(images).argmax(dim=1) == labels).sum())
            total += len(labels)
    print(f"accuracy {correct / total:.4f} ({correct} of {total})")


if __name__ == "__main__":
    main()
