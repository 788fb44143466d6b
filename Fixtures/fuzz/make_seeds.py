#!/usr/bin/env python3
"""Writes the seed corpora for the libFuzzer targets (Sources/Fuzz*/) into Fixtures/fuzz/<target>/.

Seeds are small on purpose: libFuzzer mutates faster from small valid inputs. Needs Pillow (the test venv).
Crash inputs the fuzzers found are kept beside the seeds as crash-* files and replayed by every run.

Usage: python3 Fixtures/fuzz/make_seeds.py (fuzz-annotations reads the sample dataset's annotations and
Fixtures/tracks/input_tracks.json)
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

    annotation_seeds()
    manifest_seeds()


FIXTURES = HERE.parent


def shape(kind: str, frame: int, label: int, points: list, **extra) -> dict:
    value = {"type": kind, "frame": frame, "label_id": label, "points": points, "rotation": 0, "occluded": False,
             "outside": False, "z_order": 0, "attributes": [], "group": 0, "source": "manual", "elements": []}
    value.update(extra)
    return value


def keyframe(kind: str, frame: int, points: list, **extra) -> dict:
    value = {"type": kind, "frame": frame, "points": points, "rotation": 0, "occluded": False, "outside": False,
             "z_order": 0, "attributes": []}
    value.update(extra)
    return value


def track(label: int, frame: int, shapes: list, elements: list | None = None, track_id: int | None = None) -> dict:
    value = {"frame": frame, "label_id": label, "group": 0, "source": "manual", "attributes": [], "shapes": shapes,
             "elements": elements or []}
    if track_id is not None:
        value["id"] = track_id
    return value


def annotations(tags=(), shapes=(), tracks=()) -> bytes:
    return json.dumps({"version": 0, "tags": list(tags), "shapes": list(shapes), "tracks": list(tracks)}).encode()


def annotation_seeds() -> None:
    """fuzz-annotations: a task's annotations JSON (the target derives the task: size, labels, skeletons)."""
    for task in sorted((FIXTURES / "datasets/sample/tasks").glob("*/annotations.json")):
        save("fuzz-annotations", f"task{task.parent.name}.json", task.read_bytes())
    # Every track interpolation case, one track per seed (the cases' frames fit the target's 16-frame task
    # closely enough; those past it exercise the end of a track).
    cases = json.loads((FIXTURES / "tracks/input_tracks.json").read_text())["cases"]
    for case in cases:
        save("fuzz-annotations", f"track-{case['name']}.json", annotations(tracks=[case["track"]]))
    # Every shape type on one frame, with a tag.
    save("fuzz-annotations", "every-type.json", annotations(
        tags=[{"frame": 0, "label_id": 1, "attributes": [], "source": "manual", "group": 0}],
        shapes=[shape("rectangle", 0, 1, [1, 1, 6, 5], rotation=30), shape("polygon", 0, 2, [0, 0, 8, 1, 4, 9]),
                shape("polyline", 0, 1, [0, 0, 3, 3, 6, 0]), shape("points", 0, 2, [1, 2, 3, 4]),
                shape("ellipse", 0, 1, [8, 6, 12, 9]), shape("cuboid", 0, 1, list(range(16))),
                shape("mask", 0, 2, [0, 3, 2, 5, 1, 2, 4, 5], z_order=1),
                shape("skeleton", 0, 3, [], elements=[shape("points", 0, 4, [2, 2]),
                                                      shape("points", 0, 5, [9, 7], occluded=True),
                                                      shape("points", 0, 6, [4, 4], outside=True)])]))
    # A skeleton track whose element tracks go outside and come back, beside a plain skeleton.
    elements = [track(4, 0, [keyframe("points", 0, [1, 1]), keyframe("points", 6, [9, 9])], track_id=11),
                track(5, 0, [keyframe("points", 0, [5, 5]), keyframe("points", 3, [5, 5], outside=True),
                             keyframe("points", 5, [6, 6])], track_id=12),
                track(6, 0, [keyframe("points", 0, [3, 8], occluded=True)], track_id=13)]
    save("fuzz-annotations", "skeleton-track.json", annotations(
        shapes=[shape("skeleton", 2, 3, [], elements=[shape("points", 2, 4, [2, 2]), shape("points", 2, 5, [3, 3]),
                                                      shape("points", 2, 6, [4, 4])])],
        tracks=[track(3, 0, [keyframe("skeleton", 0, []), keyframe("skeleton", 6, [])], elements, track_id=10)]))
    # Keyframes at the ends of Int and far before frame 0 (interpolation trapped or ran out of memory on such).
    save("fuzz-annotations", "track-extreme-frames.json", annotations(tracks=[
        track(1, -(1 << 63), [keyframe("rectangle", -(1 << 63), [0, 0, 2, 2]),
                              keyframe("rectangle", (1 << 63) - 1, [4, 4, 6, 6])]),
        track(2, -400000000, [keyframe("polygon", -400000000, [0, 0, 4, 0, 2, 3]),
                              keyframe("polygon", 3, [1, 1, 5, 1, 3, 4])]),
    ]))
    # Tracks of every interpolated kind across a deleted-frame pattern, one ending outside, one starting late.
    save("fuzz-annotations", "tracks-mixed.json", annotations(tracks=[
        track(1, 0, [keyframe("rectangle", 0, [0, 0, 4, 4], rotation=350), keyframe("rectangle", 8, [8, 6, 14, 11],
                                                                                   rotation=20)], track_id=1),
        track(2, 1, [keyframe("polygon", 1, [0, 0, 6, 0, 3, 5]), keyframe("polygon", 9, [1, 1, 9, 1, 9, 9, 1, 9]),
                     keyframe("polygon", 12, [1, 1, 9, 1, 9, 9], outside=True)], track_id=2),
        track(1, 4, [keyframe("points", 2, [1, 1, 2, 2]), keyframe("points", 7, [3, 3, 4, 4])], track_id=3),
        track(2, 0, [keyframe("mask", 0, [0, 2, 2, 0, 1, 1, 2, 2]), keyframe("mask", 5, [1, 1, 3, 4, 2, 2, 3, 3])]),
        track(1, 0, [keyframe("ellipse", 0, [6, 6, 9, 8]), keyframe("ellipse", 4, [6, 6, 10, 10], rotation=170)]),
        track(1, 0, [keyframe("cuboid", 0, [0, 0, 0, 0.1, -3.0, 3.1, 1, 1, 1] + [0] * 7),
                     keyframe("cuboid", 6, [2, 2, 2, -3.1, 3.0, 0.2, 1, 1, 1] + [0] * 7)]),
    ]))


def npy_entry(file: str, dtype: str, shape: list) -> dict:
    return {"file": file, "dtype": dtype, "shape": shape}


def manifest(target: str, arrays: dict, samples: int = 2, layout: str = "nhwc", dtype: str = "uint8",
             **extra) -> dict:
    transform = {"target": target, "resize": {"mode": "resize", "width": 4, "height": 4}, "filter": "bilinear",
                 "layout": layout, "dtype": dtype, "normalize": None, "format": "npy", "label_offset": 0,
                 "label_map": None, "shape_types": ["rectangle", "polygon"], "ellipse_box": "cvat-sdk",
                 "tracks": False, "job_filter": None, "skip_invalid": False, "dct_scaling": "off", "max_pixels": 0}
    transform.update(extra.pop("transform", {}))
    value = {"format_version": 1, "tool": {"name": "cvat-ds", "version": "0.1.0"},
             "source": {"server": "http://localhost:8080", "tasks": [{"id": 1, "updated_date": "2025-03-10T12:30:05Z"}]},
             "labels": {"names": ["cat", "dog"], "label_offset": 0},
             "samples": [{"task_id": 1, "frame": i, "name": f"f{i}.jpg", "width": 8, "height": 6} for i in range(samples)],
             "skipped": [], "arrays": arrays, "transform": transform}
    value.update(extra)
    return value


def manifest_seeds() -> None:
    """fuzz-manifest: manifest.json files naming the arrays the target writes (Sources/FuzzManifest), with the
    shapes those arrays have; NUL-separated manifests are the parts of a merge."""
    images = {"images": npy_entry("images.npy", "uint8", [2, 4, 4, 3])}
    boxes = {"boxes": npy_entry("boxes.npy", "float32", [3, 4]), "box_offsets": npy_entry("box_offsets.npy", "int64", [3]),
             "box_labels": npy_entry("box_labels.npy", "int64", [3]),
             "box_track_ids": npy_entry("box_track_ids.npy", "int64", [3])}
    seeds = {
        "label": manifest("label", images | {"labels": npy_entry("labels.npy", "int64", [2])}),
        "raw": manifest("label", {"images": npy_entry("images.bin", "uint8", [2, 4, 4, 3]),
                                  "labels": npy_entry("labels.npy", "int64", [2])}, transform={"format": "raw"}),
        "bboxes": manifest("bboxes", images | boxes),
        "masks": manifest("masks", images | boxes | {"masks": npy_entry("masks.npy", "uint8", [3, 4, 4])}),
        "masks-ragged": manifest("masks", images | boxes | {
            "masks": npy_entry("masks_ragged.npy", "uint8", [48]), "mask_offsets": npy_entry("mask_offsets.npy", "int64", [4])}),
        "semantic": manifest("semantic", images | {"masks": npy_entry("semantic.npy", "uint8", [2, 4, 4])},
                             transform={"background_index": 255, "mask_dtype": "uint8"}),
        "semantic16": manifest("semantic", images | {"masks": npy_entry("semantic16.npy", "uint16", [2, 4, 4])},
                               transform={"background_index": 300, "mask_dtype": "uint16"}),
        "keypoints": manifest("keypoints", images | boxes | {"keypoints": npy_entry("keypoints.npy", "float32", [3, 2, 3])},
                              transform={"keypoint_count": 2, "keypoint_names": ["nose", "tail"]}),
        "nchw-float": manifest("label", {"images": npy_entry("images_nchw.npy", "float32", [2, 3, 4, 4])},
                               layout="nchw", dtype="float32",
                               transform={"normalize": {"mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]}}),
        "ragged": manifest("none", {"images": npy_entry("images_ragged.npy", "uint8", [96]),
                                    "image_offsets": npy_entry("image_offsets.npy", "int64", [3]),
                                    "image_shapes": npy_entry("image_shapes.npy", "int64", [2, 3])},
                           transform={"resize": {"mode": "original"}}),
        "hostile-offsets": manifest("bboxes", images | boxes | {"box_offsets": npy_entry("offsets_extreme.npy", "int64", [3])}),
        "hostile-shapes": manifest("none", {"images": npy_entry("images_ragged.npy", "uint8", [96]),
                                            "image_offsets": npy_entry("image_offsets.npy", "int64", [3]),
                                            "image_shapes": npy_entry("shapes_huge.npy", "int64", [2, 3])}),
        "nan-boxes": manifest("bboxes", images | boxes | {"boxes": npy_entry("boxes_nan.npy", "float32", [3, 4])}),
    }
    for name, value in seeds.items():
        save("fuzz-manifest", f"{name}.json", json.dumps(value).encode())

    # merge-manifests: the slices of one export, sharded or not, and a pair that disagree.
    def part(index: int, count: int, start: int, stop: int, total: int, **extra) -> dict:
        return manifest("label", images | {"labels": npy_entry("labels.npy", "int64", [2])}, samples=stop - start,
                        slice={"index": index, "count": count, "samples": [start, stop], "total_samples": total}, **extra)
    two = [part(0, 2, 0, 2, 4), part(1, 2, 2, 4, 4)]
    sharded = part(2, 3, 4, 6, 6, shards=[
        {"index": 0, "samples": [0, 1], "arrays": images | {"labels": npy_entry("labels.npy", "int64", [2])}},
        {"index": 1, "samples": [1, 2], "arrays": images | {"labels": npy_entry("labels.npy", "int64", [2])}}])
    three = [part(0, 3, 0, 2, 6), part(1, 3, 2, 4, 6), sharded]
    differ = [part(0, 2, 0, 2, 4), part(1, 2, 2, 4, 4, labels={"names": ["cat"], "label_offset": 0})]
    for name, parts in [("merge-two", two), ("merge-three-sharded", three), ("merge-differing", differ)]:
        save("fuzz-manifest", f"{name}.bin", b"\0".join(json.dumps(p).encode() for p in parts))



if __name__ == "__main__":
    main()
