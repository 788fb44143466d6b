#!/usr/bin/env python3
"""Writes the seed corpora for the libFuzzer targets (Sources/Fuzz*/) into Fixtures/fuzz/<target>/.

Seeds are small on purpose: libFuzzer mutates faster from small valid inputs. Needs Pillow (the test venv).
Crash inputs the fuzzers found are kept beside the seeds as crash-* files and replayed by every run.

Usage: python3 Fixtures/fuzz/make_seeds.py
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
from pathlib import Path

from PIL import Image

HERE = Path(__file__).resolve().parent


def image(width: int, height: int, mode: str) -> Image.Image:
    im = Image.new("RGB", (width, height))
    im.putdata([((x * 37) % 256, (y * 59) % 256, ((x + y) * 23) % 256) for y in range(height) for x in range(width)])
    return im.convert(mode)


def save(target: str, name: str, data: bytes) -> None:
    folder = HERE / target
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(data)


def encoded(im: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    im.save(out, fmt, **options)
    return out.getvalue()


def main() -> None:
    for name, mode, options in [
        ("rgb420", "RGB", {"subsampling": 2, "quality": 80}),
        ("rgb444", "RGB", {"subsampling": 0, "quality": 95}),
        ("rgb422", "RGB", {"subsampling": 1, "quality": 60}),
        ("gray", "L", {"quality": 75}),
        ("progressive", "RGB", {"progressive": True, "quality": 70}),
        ("cmyk", "CMYK", {"quality": 70}),
    ]:
        save("fuzz-jpeg", f"{name}.jpg", encoded(image(13, 9, mode), "JPEG", **options))

    for name, mode, options in [
        ("rgb8", "RGB", {}), ("rgba8", "RGBA", {}), ("gray8", "L", {}), ("gray1", "1", {}),
        ("palette", "P", {}), ("gray16", "I;16", {}), ("la", "LA", {}), ("interlaced", "RGB", {"interlace": 1}),
    ]:
        im = image(7, 5, "RGB") if mode != "I;16" else image(7, 5, "L").convert("I").point(lambda v: v * 300)
        if mode not in ("RGB", "I;16"):
            im = im.convert(mode)
        if mode == "I;16":
            im = im.convert("I;16")
        save("fuzz-png", f"{name}.png", encoded(im, "PNG", **options))

    for count in (1, 3):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            for i in range(count):
                z.writestr(f"{i:06d}.jpg", encoded(image(4, 4, "RGB"), "JPEG", quality=50))
        save("fuzz-chunk-zip", f"stored{count}.zip", out.getvalue())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("000000.png", encoded(image(4, 4, "RGB"), "PNG"))
        z.writestr("000001.png", b"\0" * 300)
    save("fuzz-chunk-zip", "deflated.zip", out.getvalue())

    label = {"id": 1, "name": "cat", "type": "rectangle", "sublabels": [], "color": "#ff0000", "attributes": []}
    task = {"id": 1, "name": "t", "project_id": 1, "size": 3, "mode": "annotation", "dimension": "2d",
            "data_chunk_size": 2, "data_original_chunk_type": "imageset", "subset": "Train",
            "updated_date": "2025-03-10T12:30:05.123456Z", "data": 1, "status": "annotation"}
    meta = {"chunks_updated_date": "2025-03-10T12:30:05.123456Z", "chunk_size": 2, "size": 3, "start_frame": 0,
            "stop_frame": 2, "frame_filter": "", "image_quality": 70, "deleted_frames": [1],
            "frames": [{"width": 4, "height": 4, "name": f"f{i}.jpg", "related_files": 0} for i in range(3)]}
    annotations = {"version": 0, "tags": [{"frame": 0, "label_id": 1, "attributes": [], "source": "manual",
                                           "group": 0, "id": 1}],
                   "shapes": [{"type": "rectangle", "frame": 0, "label_id": 1, "points": [0, 0, 2, 2],
                               "rotation": 0, "occluded": False, "z_order": 0, "attributes": [], "group": 0,
                               "source": "manual", "id": 2, "outside": False, "elements": []},
                              {"type": "mask", "frame": 2, "label_id": 1, "points": [0, 2, 2, 0, 0, 1, 1],
                               "rotation": 0, "occluded": False, "z_order": 0, "attributes": [], "group": 0,
                               "source": "manual", "id": 3, "outside": False, "elements": []}],
                   "tracks": [{"frame": 0, "label_id": 1, "group": 0, "source": "manual", "attributes": [],
                               "id": 4, "elements": [],
                               "shapes": [{"type": "rectangle", "frame": 0, "points": [0, 0, 1, 1], "outside": False,
                                           "occluded": False, "z_order": 0, "rotation": 0, "attributes": [],
                                           "keyframe": True}]}]}
    project = {"id": 1, "name": "p", "updated_date": "2025-03-10T12:30:05.123456Z", "tasks": {"count": 1}}
    for name, value in [("task", task), ("meta", meta), ("labels", [label]), ("annotations", annotations),
                        ("project", project)]:
        save("fuzz-json-models", f"{name}.json", json.dumps(value).encode())

    # width-1, height-1, mode, then the encoded numbers (mode 0: one byte each; mode 1: float64s).
    save("fuzz-mask-rle", "bytes.bin", bytes([3, 3, 0, 1, 2, 1, 0, 0, 1, 1]))
    save("fuzz-mask-rle", "full.bin", bytes([7, 7, 0, 0, 64, 0, 0, 7, 7]))
    save("fuzz-mask-rle", "doubles.bin", bytes([3, 3, 1]) + struct.pack("<7d", 2, 2, 0, 0, 0, 1, 1))

    # dtype, trailing dimensions, the dimensions, piece size, data.
    save("fuzz-npy", "u8.bin", bytes([0, 2, 2, 3, 5]) + bytes(range(24)))
    save("fuzz-npy", "f32.bin", bytes([3, 1, 2, 0]) + struct.pack("<4f", 1.5, -2, 0, 3))
    save("fuzz-npy", "scalar-rows.bin", bytes([2, 0, 7]) + struct.pack("<3q", 1, -1, 1 << 40))


if __name__ == "__main__":
    main()
