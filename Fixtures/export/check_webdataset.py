#!/usr/bin/env python3
"""Check a `--format webdataset` export against the array export of the same data (WebDatasetTests).

    check_webdataset.py WEBDATASET_EXPORT REFERENCE_EXPORT [--keep-encoded]

Every shard: its size and sha256 are the manifest's; Python's tarfile and GNU `tar tvf` list it; each sample's
members are contiguous and share one key without a dot; its DALI .idx lists, per sample, each member's
extension, data offset, size and name exactly as tarfile finds them. The real webdataset package
(`WebDataset(urls).decode()`) and cvat_ds.open read the same pixels, class indices, boxes, masks and
annotations as the reference export holds (with --keep-encoded: the .jpg/.png bytes decode with Pillow to the
reference's pixels). Prints {"samples", "shards", "members"}; exits 1 on the first difference.
"""

import hashlib
import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path

import numpy as np
import webdataset

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python"))
import cvat_ds  # noqa: E402

folder, reference = Path(sys.argv[1]), Path(sys.argv[2])
keep_encoded = "--keep-encoded" in sys.argv
manifest = json.loads((folder / "manifest.json").read_text())
members_seen = set()
for shard in manifest["shards"]:
    tar_path = folder / shard["file"]
    data = tar_path.read_bytes()
    assert len(data) == shard["bytes"], (shard, len(data))
    assert hashlib.sha256(data).hexdigest() == shard["sha256"], shard
    listing = subprocess.run(["tar", "tvf", str(tar_path)], capture_output=True, text=True, check=True).stdout
    with tarfile.open(tar_path) as tar:
        members = [m for m in tar]
    assert len(listing.splitlines()) == len(members)
    samples, last = [], None
    for m in members:
        assert m.isfile() and m.mode == 0o644 and m.mtime == 0, m
        key, _, ext = m.name.partition(".")
        assert key.isdigit() and len(key) == 9, m.name
        if key != last:
            assert all(key != s[0] for s in samples), f"{m.name}: its sample's members are not contiguous"
            samples.append((key, []))
            last = key
        samples[-1][1].append(f"{ext} {m.offset_data} {m.size} {m.name}")
        members_seen.add(ext)
    assert len(samples) == shard["samples"][1] - shard["samples"][0], shard
    expected_index = f"v1.2 {len(samples)}\n" + "".join(" ".join(parts) + "\n" for _, parts in samples)
    assert (folder / shard["dali_index"]).read_text() == expected_index, shard["dali_index"]

ours, ref = cvat_ds.open(folder), cvat_ds.open(reference)
assert len(ours) == len(ref) == len(manifest["samples"]) > 0
urls = [str(folder / s["file"]) for s in manifest["shards"]]
streamed = list(webdataset.WebDataset(urls, shardshuffle=False).decode())
assert len(streamed) == len(ref)


def pixels(encoded):
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(bytes(encoded))).convert("RGB"))


for i, (a, b, s) in enumerate(zip(ours, ref, streamed)):
    if keep_encoded:
        assert a.image_format in ("jpg", "png") and a.image_format in s, (i, a.image_format, sorted(s))
        assert bytes(a.image) == s[a.image_format]
        assert np.array_equal(pixels(a.image), b.image), f"sample {i}: the encoded bytes are not the frame"
    else:
        assert a.image_format is None
        assert a.image.dtype == b.image.dtype and np.array_equal(a.image, b.image), i
        assert np.array_equal(s["npy"], b.image), i
    for name in ("label", "boxes", "labels", "track_ids", "masks", "keypoints"):
        x, y = getattr(a, name), getattr(b, name)
        if y is None:
            assert x is None, (i, name)
        elif name == "label":
            assert x == y == s["cls"], (i, x, y)
        else:
            assert x.dtype == y.dtype and np.array_equal(x, y, equal_nan=True), (i, name, x, y)
    if b.masks is not None:
        assert np.array_equal(s["mask.npy"], b.masks), i
    assert sorted(a.extra) == sorted(b.extra), (sorted(a.extra), sorted(b.extra))
    for name, value in b.extra.items():
        assert a.extra[name].dtype == value.dtype and np.array_equal(a.extra[name], value, equal_nan=True), name
    if ref.has_annotations:
        assert a.annotations == b.annotations, i
        assert s["json"]["annotations"]["frame"] == b.info.frame
    assert (s["json"]["task_id"], s["json"]["frame"], s["json"]["name"]) == (b.task_id, b.frame, b.info.name)
print(json.dumps({"samples": len(ref), "shards": len(manifest["shards"]), "members": sorted(members_seen)}))
