#!/usr/bin/env python3
"""Compare a cvat-ds export with what cvat-sdk's PyTorch adapter would produce for the same tasks.

    compare_export.py --export DIR --server URL --cache-dir DIR --task ID [ID...]
                      --transform none|label|bboxes [--resize WxH] [--label-offset N]
                      [--dct-scaling disabled|draft]

Builds the expectation from the real cvat-sdk 2.80 on the cache (TaskDataset with UpdatePolicy.NEVER, so
no network), doing what TaskVisionDataset + torchvision would do without needing torch:
  - samples: tasks in the given order, frames by index, deleted frames left out;
  - label indices: labels sorted by id, numbered from 0 (TaskVisionDataset's default), plus --label-offset;
  - label: ExtractSingleLabelIndex (exactly one tag); bboxes: ExtractBoundingBoxes with cvat_sdk's own
    shape_bbox on rectangle/polygon/polyline/points shapes, scaled by the resize like the pixels are;
  - pixels: PIL image .convert("RGB"), then torchvision's Resize((h, w)) on a PIL image, which is
    PIL.Image.resize((w, h), BILINEAR). With --dct-scaling draft, `Image.draft("RGB", (w, h))` is called on the
    frame before it is decoded, as a Pillow user asking for a fast downscale does.
Prints a JSON report; exits 0 when everything agrees (pixels exactly), 1 otherwise.
"""

import argparse
import json
import sys
import zipfile
from pathlib import Path

import numpy as np
import PIL.Image
from cvat_sdk import Config
from cvat_sdk.core.client import Client
from cvat_sdk.datasets import TaskDataset
from cvat_sdk.datasets.caching import UpdatePolicy

def _load_shape_bbox():
    # cvat_sdk.pytorch imports torch on package import; its _utils module does not need it, so load that file
    # alone: the expectation still comes from the SDK's own shape_bbox.
    import importlib.util

    import cvat_sdk

    path = Path(cvat_sdk.__file__).parent / "pytorch" / "_utils.py"
    spec = importlib.util.spec_from_file_location("cvat_sdk_pytorch_utils", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.shape_bbox


shape_bbox = _load_shape_bbox()

BOX_TYPES = {"rectangle", "polygon", "polyline", "points"}


def load_drafted(ds, frame_index, size):
    """The frame as TaskDataset reads it from its chunk, but with draft() called before the decode: the SDK's own
    load_image() returns an image already decoded, too late for draft. Uses the SDK's private chunk layout
    (_chunk_path, _chunk_dir), the same two lines as its _load_frame_image_from_chunk_dir. Returns the image and
    the frame's full size, which the boxes scale from."""
    chunk_size = ds._task.data_chunk_size
    with zipfile.ZipFile(ds._chunk_path(ds._chunk_dir, frame_index // chunk_size)) as chunk:
        with chunk.open(chunk.infolist()[frame_index % chunk_size]) as member:
            image = PIL.Image.open(member)
            original = image.size
            image.draft("RGB", size)
            return image.convert("RGB"), original


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--export", required=True)
    ap.add_argument("--server", required=True)
    ap.add_argument("--cache-dir", required=True)
    ap.add_argument("--task", type=int, nargs="+", required=True)
    ap.add_argument("--transform", default="none")
    ap.add_argument("--resize")
    ap.add_argument("--label-offset", type=int, default=0)
    ap.add_argument("--dct-scaling", choices=["disabled", "draft"], default="disabled")
    args = ap.parse_args()

    client = Client(url=args.server, config=Config(cache_dir=Path(args.cache_dir)), check_server_version=False)
    export = Path(args.export)
    manifest = json.loads((export / "manifest.json").read_text())
    arrays = {name: np.load(export / entry["file"]) for name, entry in manifest["arrays"].items()}
    size = tuple(int(v) for v in args.resize.lower().split("x")) if args.resize else None

    problems = []
    samples = []
    labels = []
    boxes = []
    pixel_diffs = []
    index = 0
    for task_id in args.task:
        ds = TaskDataset(client, task_id, update_policy=UpdatePolicy.NEVER)
        id_to_index = {l.id: i + args.label_offset for i, l in enumerate(sorted(ds.labels, key=lambda l: l.id))}
        for sample in ds.samples:
            samples.append({"task_id": task_id, "frame": sample.frame_index, "name": sample.frame_name})
            if args.dct_scaling == "draft" and size:
                image, (width, height) = load_drafted(ds, sample.frame_index, size)
            else:
                image = sample.media.load_image().convert("RGB")
                width, height = image.size
            sx = sy = 1.0
            if size:
                sx, sy = size[0] / width, size[1] / height
                image = image.resize(size, PIL.Image.BILINEAR)
            expected = np.asarray(image)
            if "image_offsets" in arrays:
                start, end = arrays["image_offsets"][index], arrays["image_offsets"][index + 1]
                got = arrays["images"][start:end].reshape(arrays["image_shapes"][index])
            else:
                got = arrays["images"][index]
            if got.shape != expected.shape:
                problems.append(f"task {task_id} frame {sample.frame_index}: shape {got.shape} != {expected.shape}")
            else:
                diff = np.abs(got.astype(np.int16) - expected.astype(np.int16))
                pixel_diffs.append((float(diff.mean()), int(diff.max())))
            if args.transform == "label":
                tags = sample.annotations.tags
                labels.append(id_to_index[tags[0].label_id] if len(tags) == 1 else None)
            elif args.transform == "bboxes":
                for shape in sample.annotations.shapes:
                    if shape.type.value not in BOX_TYPES or shape.rotation != 0:
                        continue
                    x0, y0, x1, y1 = shape_bbox(shape)
                    boxes.append((index, [x0 * sx, y0 * sy, x1 * sx, y1 * sy], id_to_index[shape.label_id]))
            index += 1

    got_samples = [{"task_id": s["task_id"], "frame": s["frame"], "name": s["name"]} for s in manifest["samples"]]
    if got_samples != samples:
        problems.append(f"sample lists differ: {len(got_samples)} exported, {len(samples)} expected")
    if args.transform == "label" and list(arrays["labels"]) != labels:
        problems.append(f"labels differ: {list(arrays['labels'])} != {labels}")
    max_box_diff = 0.0
    if args.transform == "bboxes":
        offsets = arrays["box_offsets"]
        got_boxes = []
        for i in range(len(offsets) - 1):
            for row in range(offsets[i], offsets[i + 1]):
                got_boxes.append((i, list(map(float, arrays["boxes"][row])), int(arrays["box_labels"][row])))
        if len(got_boxes) != len(boxes):
            problems.append(f"{len(got_boxes)} boxes exported, {len(boxes)} expected")
        else:
            for (gi, gb, gl), (ei, eb, el) in zip(got_boxes, boxes):
                if gi != ei or gl != el:
                    problems.append(f"box of sample {gi} label {gl} != sample {ei} label {el}")
                max_box_diff = max(max_box_diff, max(abs(a - b) for a, b in zip(gb, eb)))
        if max_box_diff > 1e-4:
            problems.append(f"boxes differ by up to {max_box_diff}")
    mean_abs = max((d[0] for d in pixel_diffs), default=0.0)
    max_abs = max((d[1] for d in pixel_diffs), default=0)
    if max_abs != 0:
        problems.append(f"pixels differ: worst mean {mean_abs}, worst value {max_abs}")
    report = {
        "samples": len(samples), "boxes": len(boxes), "max_box_diff": max_box_diff,
        "worst_mean_abs_pixel_diff": mean_abs, "max_abs_pixel_diff": max_abs, "problems": problems,
    }
    print(json.dumps(report))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
