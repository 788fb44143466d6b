"""Train a torchvision ResNet on a task's tags, from a cvat-ds export.

    cvat-ds export --task 1 --transform label --resize 224x224 --normalize imagenet --out train/
    python train_classifier.py train/ model.pt --epochs 5

The export holds the images already resized and normalised (float32, CHW after ExportDataset), and one class index
per image; the model is saved with the export's label names, so evaluate_classifier.py can check that another
export numbers the classes the same way.
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
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--max-steps", type=int, default=None, help="stop after this many batches (for a test)")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    torch.manual_seed(0)
    dataset = ExportDataset(args.export)
    names = dataset.export.labels.names()
    loader = DataLoader(dataset, batch_size=args.batch_size, shuffle=True, num_workers=args.workers)
    model = torchvision.models.resnet18(weights=None, num_classes=len(names))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = torch.nn.CrossEntropyLoss()

    model.train()
    steps = 0
    for epoch in range(args.epochs):
        for images, labels in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(images), labels)
            loss.backward()
            optimizer.step()
            steps += 1
            print(f"epoch {epoch} step {steps} loss {loss.item():.4f}")
            if args.max_steps is not None and steps >= args.max_steps:
                break
        if args.max_steps is not None and steps >= args.max_steps:
            break
    torch.save({"state_dict": model.state_dict(), "labels": names}, args.model)
    print(f"saved {args.model} after {steps} steps")


if __name__ == "__main__":
    main()
