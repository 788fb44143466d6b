"""Load any cvat-ds export as whole arrays: npy, raw or safetensors; one folder, shards, or a merged manifest.

    from exports import load_export
    manifest, arrays, shards = load_export("out/")

`arrays` maps each name to the array every shard's array concatenated along axis 0, with the offsets arrays
(which restart at 0 in every shard) turned back into offsets over the whole export, so a sharded or merged
export loads to exactly what the unsharded export of the same data holds. `shards` lists, per shard, its own
arrays as stored (to check that the offsets restart). safetensors files are read with the real `safetensors`
package (`safetensors.numpy.load_file`).
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


def load_export(folder):
    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_text())
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
