"""Load any cvat-ds export as whole arrays: npy, raw, safetensors or webdataset; one folder, shards, or a merged
manifest.

    from exports import load_export
    manifest, arrays, shards = load_export("out/")

`arrays` maps each name to the array every shard's array concatenated along axis 0, with the offsets arrays
(which restart at 0 in every shard) turned back into offsets over the whole export, so a sharded or merged
export loads to exactly what the unsharded export of the same data holds. `shards` lists, per shard, its own
arrays as stored (to check that the offsets restart). safetensors files are read with the real `safetensors`
package (`safetensors.numpy.load_file`), webdataset shards with the real `webdataset` package (load_webdataset).
"""

import json
from pathlib import Path

import numpy as np

OFFSETS = ("image_offsets", "box_offsets", "mask_offsets")


def _load_entry(folder, entry, cache):
    path = folder / entry["file"]
    if path.suffix == ".npy":
        array = np.load(path)
    elif path.suffix == ".safetensors":
        if path not in cache:
            from safetensors.numpy import load_file
            cache[path] = load_file(str(path))
        return cache[path]
    else:
        array = np.fromfile(path, dtype=np.dtype(entry["dtype"]).newbyteorder("<")).reshape(entry["shape"])
    return array


# The .json member's per-box lists, with the dtypes the array formats give them.
_BOX_COLUMNS = {"box_labels": np.int64, "box_track_ids": np.int64, "box_shape_ids": np.int64,
                "box_occluded": np.uint8, "box_group": np.int64, "box_z_order": np.int32}


def load_webdataset(folder, manifest):
    """A webdataset export read with the real `webdataset` package (`WebDataset(urls).decode()`), in the
    manifest's shard order, as the arrays the npy export of the same data holds, plus `keys` (each sample's key)."""
    import webdataset

    urls = [str(folder / shard["file"]) for shard in manifest["shards"]]
    per_name = {}
    for sample in webdataset.WebDataset(urls, shardshuffle=False).decode():
        values = {"keys": np.array([int(sample["__key__"])])}
        image = sample.get("npy")
        values["images"] = image[None] if image is not None else np.frombuffer(
            sample.get("jpg") or sample["png"], dtype=np.uint8)
        targets = sample["json"]["targets"]
        if "cls" in sample:
            values["labels"] = np.array([sample["cls"]], dtype=np.int64)
        if "boxes" in targets:
            values["boxes"] = np.array(targets["boxes"], dtype=np.float32).reshape(-1, 4)
            for name, dtype in _BOX_COLUMNS.items():
                if name in targets:
                    values[name] = np.array(targets[name], dtype=dtype)
        if "mask.npy" in sample:
            masks = sample["mask.npy"]
            values["masks"] = masks[None] if manifest["transform"]["target"] == "semantic" else masks
        for name, value in values.items():
            per_name.setdefault(name, []).append(value)
    arrays = {name: np.concatenate(parts) for name, parts in per_name.items()}
    if "boxes" in arrays:
        counts = [len(part) for part in per_name["boxes"]]
        arrays["box_offsets"] = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    shards = [{"index": shard["index"], "samples": shard["samples"], "arrays": {}} for shard in manifest["shards"]]
    return manifest, arrays, shards


def load_export(folder):
    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    if manifest["transform"]["format"] == "webdataset":
        return load_webdataset(folder, manifest)
    cache = {}
    shard_entries = manifest.get("shards") or [{"index": 0, "samples": [0, len(manifest["samples"])],
                                                  "arrays": manifest["arrays"]}]
    shards = []
    for shard in shard_entries:
        loaded = {}
        for name, entry in shard["arrays"].items():
            value = _load_entry(folder, entry, cache)
            array = value[name] if isinstance(value, dict) else value
            if list(array.shape) != entry["shape"] or array.dtype != np.dtype(entry["dtype"]):
                raise ValueError(f"{entry['file']}:{name} is {array.dtype} {list(array.shape)}, "
                                 f"the manifest says {entry['dtype']} {entry['shape']}")
            loaded[name] = array
        shards.append({"index": shard["index"], "samples": shard["samples"], "arrays": loaded})
    arrays = {}
    for name in shards[0]["arrays"]:
        if name in OFFSETS:
            parts, base = [np.zeros(1, dtype=np.int64)], 0
            for shard in shards:
                offsets = shard["arrays"][name]
                parts.append(offsets[1:] + base)
                base += int(offsets[-1])
            arrays[name] = np.concatenate(parts)
        else:
            arrays[name] = np.concatenate([shard["arrays"][name] for shard in shards])
    return manifest, arrays, shards
