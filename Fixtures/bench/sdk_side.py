#!/usr/bin/env python3
"""The cvat-sdk side of the benchmark: what a user runs instead of cvat-ds (run with the bench venv).

    sdk_side.py sync   --server URL --cache-dir DIR --task ID
    sdk_side.py export --server URL --cache-dir DIR --task ID --out DIR [--mode torch|pillow] [--workers 2]
                       [--size 224] [--batch-size 64]

sync: builds cvat_sdk.datasets.TaskDataset with the default policies (IF_MISSING_OR_STALE, PRELOAD_ALL): on an
empty cache it downloads every chunk, on a current cache it checks freshness, and after any task change it throws
the task's cache away and downloads everything again.

export, mode torch (the pipeline the cvat-ds README replaces): cvat_sdk.pytorch.TaskVisionDataset with
transform=Compose([Resize((S, S), antialias=True), PILToTensor()]) and target_transform=ExtractSingleLabelIndex(),
a torch DataLoader(batch_size, num_workers), the batches concatenated, made NHWC and written with numpy.save
(images.npy uint8 (N, S, S, 3), labels.npy int64 (N,)).
export, mode pillow (when torch is not installed): the same pipeline without torch: cvat_sdk.datasets.TaskDataset,
Pillow's Image.resize((S, S), BILINEAR) (what torchvision's Resize calls for a PIL image), labels numbered as
TaskVisionDataset does (label ids sorted), a multiprocessing.Pool(workers) in place of the DataLoader's workers,
stacked into one array and written with numpy.save.

Prints one JSON object on stdout: seconds (from creating the client to the files written, imports excluded),
build_seconds (constructing the dataset), frames, maxrss_kb (this process), children_maxrss_kb (the largest
waited-for child, e.g. a DataLoader worker).
"""

import argparse
import json
import resource
import sys
import time
from pathlib import Path

T_START = time.perf_counter()

import numpy as np  # noqa: E402
from cvat_sdk import Config  # noqa: E402
from cvat_sdk.core.client import AccessTokenCredentials, Client  # noqa: E402

PAT = "cvat_pat_admin.0123456789abcdef"
IMPORT_SECONDS = time.perf_counter() - T_START


def client_for(args) -> Client:
    client = Client(url=args.server, config=Config(cache_dir=Path(args.cache_dir)), check_server_version=False)
    client.login(AccessTokenCredentials(PAT))
    return client


def rusage() -> dict:
    return {"maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "children_maxrss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}


def do_sync(args) -> dict:
    global IMPORT_SECONDS
    t = time.perf_counter()
    from cvat_sdk.datasets import TaskDataset
    IMPORT_SECONDS += time.perf_counter() - t
    t0 = time.perf_counter()
    client = client_for(args)
    ds = TaskDataset(client, args.task)
    t1 = time.perf_counter()
    return {"seconds": t1 - t0, "build_seconds": t1 - t0, "frames": len(ds.samples)}


# ---- pillow mode: module-level state so that forked pool workers inherit the dataset
_DS = None
_LABEL_INDEX = None
_SIZE = 224


def _load(i: int):
    import PIL.Image
    sample = _DS.samples[i]
    image = sample.media.load_image()
    if image.mode != "RGB":
        image = image.convert("RGB")
    image = image.resize((_SIZE, _SIZE), PIL.Image.Resampling.BILINEAR)
    tags = sample.annotations.tags
    if len(tags) != 1:
        raise ValueError(f"frame {sample.frame_index} has {len(tags)} tags")
    return i, np.asarray(image).tobytes(), _LABEL_INDEX[tags[0].label_id]


def export_pillow(args, client, out: Path) -> dict:
    global _DS, _LABEL_INDEX, _SIZE
    import multiprocessing
    from cvat_sdk.datasets import TaskDataset
    t0 = time.perf_counter()
    _DS = TaskDataset(client, args.task)
    _LABEL_INDEX = {label.id: k for k, label in enumerate(sorted(_DS.labels, key=lambda l: l.id))}
    _SIZE = args.size
    build = time.perf_counter() - t0
    n = len(_DS.samples)
    images = np.empty((n, args.size, args.size, 3), np.uint8)
    labels = np.empty((n,), np.int64)
    with multiprocessing.get_context("fork").Pool(args.workers) as pool:
        for i, pixels, label in pool.imap(_load, range(n), chunksize=args.batch_size):
            images[i] = np.frombuffer(pixels, np.uint8).reshape(args.size, args.size, 3)
            labels[i] = label
    np.save(out / "images.npy", images)
    np.save(out / "labels.npy", labels)
    return {"build_seconds": build, "frames": n}


_TV_SHIM = None


def import_torchvision():
    """torchvision, also when its C extension cannot load: the PyPI torchvision wheels are built against the CUDA
    torch, so next to a CPU-only torch (the +cpu wheel) `import torchvision` fails on the meta registration of
    the detection ops nms and qnms. Those ops are not used here (Resize on a PIL image calls Pillow, PILToTensor
    is pure Python), so give them a schema and import again. Returns (module, whether the shim was needed)."""
    global _TV_SHIM
    import torch
    try:
        import torchvision
        return torchvision, False
    except RuntimeError as e:
        if "torchvision::nms" not in str(e):
            raise
    for name in [m for m in sys.modules if m == "torchvision" or m.startswith("torchvision.")]:
        del sys.modules[name]
    _TV_SHIM = torch.library.Library("torchvision", "FRAGMENT")
    _TV_SHIM.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    _TV_SHIM.define("qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    import torchvision
    return torchvision, True


def import_torch_side():
    import torch
    torchvision, shimmed = import_torchvision()
    import torchvision.transforms  # noqa: F401
    import cvat_sdk.pytorch  # noqa: F401
    return shimmed


def export_torch(args, client, out: Path) -> dict:
    import torch
    import torchvision
    import torchvision.transforms as T
    from cvat_sdk.pytorch import ExtractSingleLabelIndex, TaskVisionDataset
    t0 = time.perf_counter()
    ds = TaskVisionDataset(client, args.task,
                           transform=T.Compose([T.Resize((args.size, args.size), antialias=True), T.PILToTensor()]),
                           target_transform=ExtractSingleLabelIndex())
    build = time.perf_counter() - t0
    loader = torch.utils.data.DataLoader(ds, batch_size=args.batch_size, num_workers=args.workers)
    xs, ys = [], []
    for x, y in loader:
        xs.append(x)
        ys.append(y)
    images = torch.cat(xs).permute(0, 2, 3, 1).contiguous().numpy()
    labels = torch.cat(ys).to(torch.int64).numpy()
    np.save(out / "images.npy", images)
    np.save(out / "labels.npy", labels)
    return {"build_seconds": build, "frames": int(images.shape[0]), "torch": torch.__version__,
            "torchvision": torchvision.__version__, "torchvision_c_extension": _TV_SHIM is None}


def do_export(args) -> dict:
    global IMPORT_SECONDS
    t = time.perf_counter()
    if args.mode == "torch":  # imports are not part of the measured time
        import_torch_side()
    else:
        import cvat_sdk.datasets  # noqa: F401
        import PIL.Image  # noqa: F401
    IMPORT_SECONDS += time.perf_counter() - t
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    client = client_for(args)
    res = (export_torch if args.mode == "torch" else export_pillow)(args, client, out)
    res["seconds"] = time.perf_counter() - t0
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("command", choices=["sync", "export"])
    ap.add_argument("--server", required=True)
    ap.add_argument("--cache-dir", required=True)
    ap.add_argument("--task", type=int, default=1)
    ap.add_argument("--out")
    ap.add_argument("--mode", choices=["torch", "pillow"], default="pillow")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--batch-size", type=int, default=64)
    args = ap.parse_args()
    res = do_sync(args) if args.command == "sync" else do_export(args)
    res["import_seconds"] = IMPORT_SECONDS
    res.update(rusage())
    json.dump(res, sys.stdout)
    print()


if __name__ == "__main__":
    main()
