#!/usr/bin/env python3
"""Generate Fixtures/datasets/sample/ — the CVAT test dataset served by
Fixtures/server/cvat_test_server.py.

Frames are crops of the real photographs bundled with scikit-image
(skimage.data). The output is deterministic (fixed seed, fixed encoder
settings), so re-running the script with the same library versions rewrites
identical files.

Needs numpy, Pillow and scikit-image. Use a scratch venv, e.g.:

    python3 -m venv /tmp/genvenv
    /tmp/genvenv/bin/pip install scikit-image pillow numpy
    /tmp/genvenv/bin/python Fixtures/datasets/generate_sample.py

The format of the output is documented in Fixtures/datasets/README.md.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import shutil
import struct
import zlib
from pathlib import Path

import numpy as np
import PIL.Image
import skimage.data
import skimage.transform

SEED = 20250801
HERE = Path(__file__).resolve().parent

rng = np.random.RandomState(SEED)

# --------------------------------------------------------------------------------------------
# source photographs

_SOURCES = {}


def source(name: str) -> np.ndarray:
    """uint8 HxWx3 RGB (greyscale sources are stacked)."""
    if name not in _SOURCES:
        a = getattr(skimage.data, name)()
        if a.dtype == bool:
            a = (a * 255).astype(np.uint8)
        if a.ndim == 2:
            a = np.stack([a] * 3, axis=-1)
        a = a[..., :3]
        _SOURCES[name] = np.ascontiguousarray(a)
    return _SOURCES[name]


PHOTOS = ["astronaut", "coffee", "chelsea", "rocket", "immunohistochemistry",
          "camera", "coins", "moon", "page", "brick", "grass", "gravel", "colorwheel", "clock"]
COLOUR_PHOTOS = ["astronaut", "coffee", "chelsea", "rocket", "immunohistochemistry", "colorwheel"]


def crop_resize(img: np.ndarray, w: int, h: int) -> np.ndarray:
    """A random crop of img with aspect w:h, resized to exactly w x h."""
    H, W = img.shape[:2]
    aspect = w / h
    # crop between 40% and 100% of the largest possible window
    max_cw = min(W, int(H * aspect))
    scale = rng.uniform(0.4, 1.0)
    cw = max(w, int(max_cw * scale))
    cw = min(cw, W)
    ch = max(1, min(H, int(round(cw / aspect))))
    x0 = rng.randint(0, W - cw + 1)
    y0 = rng.randint(0, H - ch + 1)
    crop = img[y0:y0 + ch, x0:x0 + cw]
    out = skimage.transform.resize(crop, (h, w), order=1, anti_aliasing=True, preserve_range=True)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


SIZES = [(96, 72), (128, 96), (160, 120), (200, 150), (240, 180), (320, 240), (120, 160),
         (96, 128), (144, 144), (176, 99), (256, 144), (100, 100), (180, 120), (112, 84)]

# --------------------------------------------------------------------------------------------
# encoders


def encode_jpeg(img: PIL.Image.Image, quality: int, subsampling: int = 2) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=quality, subsampling=subsampling, optimize=False)
    return buf.getvalue()


def encode_png(img: PIL.Image.Image, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False, compress_level=9, **kw)
    return buf.getvalue()


def png_chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def encode_png_rgb16(a16: np.ndarray) -> bytes:
    """16-bit RGB PNG (Pillow cannot write these)."""
    h, w, _ = a16.shape
    raw = b"".join(b"\x00" + a16[y].astype(">u2").tobytes() for y in range(h))
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0))
            + png_chunk(b"IDAT", zlib.compress(raw, 9)) + png_chunk(b"IEND", b""))


def to_compressed(data: bytes, quality: int) -> bytes:
    """What CVAT's compressed chunk writer does: RGB or L JPEG at image_quality."""
    im = PIL.Image.open(io.BytesIO(data))
    if im.mode in ("I;16", "I;16B", "I"):
        im = PIL.Image.fromarray((np.asarray(im).astype(np.float64) / 257).astype(np.uint8), "L")
    elif im.mode in ("L", "1", "LA"):
        im = im.convert("L")
    else:
        im = im.convert("RGB")
    return encode_jpeg(im, quality)


# --------------------------------------------------------------------------------------------
# frame factory

def make_frame(kind: str, w: int, h: int, photo: str) -> tuple[bytes, str]:
    """Returns (file bytes, extension)."""
    a = crop_resize(source(photo), w, h)
    rgb = PIL.Image.fromarray(a, "RGB")
    if kind == "jpeg":
        return encode_jpeg(rgb, 90, 2), "jpg"
    if kind == "jpeg444":
        return encode_jpeg(rgb, 90, 0), "jpg"
    if kind == "jpeg_grey":
        return encode_jpeg(rgb.convert("L"), 90), "jpg"
    if kind == "png_rgb":
        return encode_png(rgb), "png"
    if kind == "png_rgba":
        yy, xx = np.mgrid[0:h, 0:w]
        alpha = np.clip(255 - 255 * np.hypot(xx - w / 2, yy - h / 2) / (0.6 * max(w, h)), 0, 255)
        im = PIL.Image.fromarray(np.dstack([a, alpha.astype(np.uint8)]), "RGBA")
        return encode_png(im), "png"
    if kind == "png_grey":
        return encode_png(rgb.convert("L")), "png"
    if kind == "png_grey_alpha":
        grey = np.asarray(rgb.convert("L"))
        alpha = np.tile(np.linspace(255, 64, w).astype(np.uint8), (h, 1))
        return encode_png(PIL.Image.fromarray(np.dstack([grey, alpha]), "LA")), "png"
    if kind == "png_palette":
        return encode_png(rgb.quantize(colors=32, method=PIL.Image.Quantize.MEDIANCUT, dither=PIL.Image.Dither.NONE)), "png"
    if kind == "png_palette_trns":
        p = rgb.quantize(colors=16, method=PIL.Image.Quantize.MEDIANCUT, dither=PIL.Image.Dither.NONE)
        return encode_png(p, transparency=0), "png"
    if kind == "png_rgb16":
        a16 = a.astype(np.uint16) * 257 + rng.randint(0, 256, size=a.shape).astype(np.uint16) % 257
        return encode_png_rgb16(np.minimum(a16, 65535)), "png"
    if kind == "png_1bit":
        return encode_png(rgb.convert("L").convert("1", dither=PIL.Image.Dither.NONE)), "png"
    raise ValueError(kind)


# --------------------------------------------------------------------------------------------
# annotations helpers

ISO = "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:06d}Z"


def dt(day: int, hour: int, minute: int = 0, second: int = 0, micro: int = 0, month: int = 3) -> str:
    return ISO.format(2025, month, day, hour, minute, second, micro)


def r2(v: float) -> float:
    return float(round(v, 2))


def encode_mask(bitmap: np.ndarray) -> list[float]:
    """CVAT RLE (API.md §1.10): runs over the tight bbox, row-major, background first,
    followed by the inclusive bbox [x1, y1, x2, y2]."""
    ys, xs = np.nonzero(bitmap)
    x1, x2 = int(xs.min()), int(xs.max()) + 1
    y1, y2 = int(ys.min()), int(ys.max()) + 1
    flat = bitmap[y1:y2, x1:x2].astype(bool).ravel()
    runs = []
    cur, n = False, 0
    for v in flat:
        if v == cur:
            n += 1
        else:
            runs.append(n)
            cur, n = v, 1
    runs.append(n)
    return [float(r) for r in runs] + [float(x1), float(y1), float(x2 - 1), float(y2 - 1)]


class Ids:
    def __init__(self, start=1):
        self.n = start - 1

    def __call__(self):
        self.n += 1
        return self.n


shape_ids = Ids(1)
tag_ids = Ids(1)
track_ids = Ids(1)
tracked_shape_ids = Ids(1)


def attrs(*pairs):
    return [{"spec_id": s, "value": str(v)} for s, v in pairs]


def tag(label_id, frame, attributes=(), group=0):
    return {"id": tag_ids(), "label_id": label_id, "frame": frame, "group": group, "source": "manual",
            "attributes": list(attributes)}


def shape(type_, label_id, frame, points, rotation=0.0, attributes=(), elements=None,
          occluded=False, z_order=0, source="manual", score=1.0, sub=False, group=0):
    d = {"id": shape_ids(), "label_id": label_id, "type": type_, "frame": frame, "group": group,
         "source": source, "score": score, "occluded": occluded, "outside": False, "z_order": z_order,
         "rotation": float(rotation), "points": [float(p) for p in points],
         "attributes": list(attributes)}
    if not sub:
        d["elements"] = elements or []
    return d


def kf(type_, frame, points, outside=False, rotation=0.0, attributes=(), occluded=False):
    return {"id": tracked_shape_ids(), "type": type_, "frame": frame, "occluded": occluded,
            "outside": outside, "z_order": 0, "rotation": float(rotation),
            "points": [float(p) for p in points], "attributes": list(attributes)}


def track(label_id, shapes, attributes=(), elements=None, sub=False, source="manual", group=0):
    d = {"id": track_ids(), "label_id": label_id, "frame": shapes[0]["frame"], "group": group,
         "source": source, "shapes": shapes, "attributes": list(attributes)}
    if not sub:
        d["elements"] = elements or []
    return d


# --------------------------------------------------------------------------------------------
# labels

def attribute(id_, name, input_type, values, default, mutable=False):
    return {"id": id_, "name": name, "mutable": mutable, "input_type": input_type,
            "default_value": default, "values": values}


COLORS = ["#fa3253", "#34d1b7", "#ff007c", "#ddff33", "#24b353", "#b83df5", "#66ff66", "#32b7fa",
          "#ffcc33", "#83e070", "#fafa37", "#5986b3", "#8c78f0", "#ff6a4d", "#f078f0", "#2a7dd1"]


def label(id_, name, type_, owner, attributes=(), sublabels=None, svg=None):
    d = {"id": id_, "name": name, "color": COLORS[id_ % len(COLORS)], "attributes": list(attributes),
         "type": type_, "sublabels": sublabels or [], "parent_id": None, "has_parent": False}
    if svg is not None:
        d["svg"] = svg
    d.update(owner)
    return d


def sublabel(id_, name, attributes=()):
    return {"id": id_, "name": name, "color": COLORS[id_ % len(COLORS)], "attributes": list(attributes),
            "type": "points", "has_parent": True}


# --------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(HERE / "sample"))
    args = ap.parse_args()
    out = Path(args.out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)

    IMAGE_QUALITY = 70
    CHUNK = 8

    # ---------------- labels
    P1 = {"project_id": 1}
    # classification labels: ids deliberately NOT in name order
    labels = [
        label(1, "tulip", "any", P1),
        # rose's attributes are on tags (tasks 1-3): a select shared by name with car's, and a text
        label(2, "rose", "any", P1, [attribute(11, "colour", "select", ["red", "white", "pink"], "red"),
                                     attribute(12, "note", "text", [""], "")]),
        label(3, "daisy", "any", P1),
        label(4, "sunflower", "any", P1),
        label(5, "bee", "rectangle", P1, [attribute(1, "species", "select", ["honey", "bumble", "wild"], "honey")]),
        label(6, "leaf", "polygon", P1),
    ]
    T4 = {"task_id": 4}
    skeleton_svg = (
        '<line x1="50" y1="20" x2="30" y2="60" data-type="edge" data-node-from="1" data-node-to="2"></line>'
        '<line x1="50" y1="20" x2="70" y2="60" data-type="edge" data-node-from="1" data-node-to="3"></line>'
        '<line x1="50" y1="20" x2="50" y2="90" data-type="edge" data-node-from="1" data-node-to="4"></line>'
        '<circle r="1.5" stroke="black" fill="#b3b3b3" cx="50" cy="20" stroke-width="0.1" data-type="element node" data-element-id="1" data-node-id="1" data-label-id="18"></circle>'
        '<circle r="1.5" stroke="black" fill="#b3b3b3" cx="30" cy="60" stroke-width="0.1" data-type="element node" data-element-id="2" data-node-id="2" data-label-id="19"></circle>'
        '<circle r="1.5" stroke="black" fill="#b3b3b3" cx="70" cy="60" stroke-width="0.1" data-type="element node" data-element-id="3" data-node-id="3" data-label-id="20"></circle>'
        '<circle r="1.5" stroke="black" fill="#b3b3b3" cx="50" cy="90" stroke-width="0.1" data-type="element node" data-element-id="4" data-node-id="4" data-label-id="21"></circle>'
    )
    labels += [
        label(10, "car", "rectangle", T4, [
            attribute(2, "colour", "select", ["red", "blue", "white", "black"], "red"),
            attribute(3, "parked", "checkbox", ["false"], "false", mutable=True),
        ]),
        label(11, "person", "any", T4, [attribute(4, "age", "number", ["0", "120", "1"], "30"),
                                         attribute(8, "role", "select", ["pedestrian", "driver", "cyclist"],
                                                   "pedestrian"),
                                         attribute(9, "carrying", "checkbox", ["false"], "false"),
                                         attribute(10, "nickname", "text", [""], "")]),
        label(12, "road", "polygon", T4),
        label(13, "lane", "polyline", T4),
        label(14, "keypoint", "points", T4),
        label(15, "wheel", "ellipse", T4),
        label(16, "sky", "mask", T4),
        label(17, "body", "skeleton", T4, [attribute(5, "pose", "radio", ["standing", "sitting"], "standing"),
                                            attribute(6, "note", "text", [""], "", mutable=True)],
              sublabels=[sublabel(18, "head"), sublabel(19, "left-hand"), sublabel(20, "right-hand"),
                         sublabel(21, "foot", [attribute(7, "visible", "checkbox", ["true"], "true", mutable=True)])],
              svg=skeleton_svg),
    ]
    T5 = {"task_id": 5}
    labels += [label(25, "thing", "any", T5)]
    T6 = {"task_id": 6}
    labels += [label(30, "zebra", "tag", T6), label(31, "cat", "tag", T6), label(32, "dog", "tag", T6)]
    T7 = {"task_id": 7}
    labels += [label(40, "vehicle", "rectangle", T7), label(41, "pedestrian", "rectangle", T7)]

    # ---------------- image tasks
    # per task: (size, special kinds by frame index)
    plans = {
        1: (17, {2: "png_rgb", 6: "jpeg444", 9: "jpeg_grey", 12: "png_palette_trns"}),
        2: (12, {5: "png_grey"}),
        3: (10, {4: "jpeg444"}),
        4: (20, {1: "png_rgba", 4: "png_grey", 7: "png_grey_alpha", 10: "png_palette",
                 13: "png_rgb16", 15: "png_1bit", 18: "jpeg_grey"}),
        6: (6, {}),
    }
    deleted = {1: [3, 16], 4: [9, 17]}
    task_frames = {}
    for tid, (size, special) in plans.items():
        frames = []
        tdir = out / "tasks" / str(tid)
        (tdir / "frames").mkdir(parents=True)
        (tdir / "compressed").mkdir()
        for i in range(size):
            kind = special.get(i, "jpeg")
            w, h = SIZES[rng.randint(len(SIZES))]
            if kind.startswith("png"):  # keep PNGs small
                w, h = [(96, 72), (112, 84), (100, 100), (128, 96)][i % 4]
            grey_kind = kind in ("jpeg_grey", "png_grey", "png_grey_alpha", "png_1bit")
            pool = PHOTOS if grey_kind else COLOUR_PHOTOS
            photo = pool[rng.randint(len(pool))]
            data, ext = make_frame(kind, w, h, photo)
            sub = "batch_a/" if i < size // 2 else "batch_b/"
            name = f"{sub}{photo}_{i:03d}.{ext}"
            (tdir / "frames" / sub).mkdir(exist_ok=True)
            (tdir / "frames" / name).write_bytes(data)
            comp = f"compressed/{i:06d}.jpeg"
            (tdir / comp).write_bytes(to_compressed(data, IMAGE_QUALITY))
            frames.append({"name": name, "width": w, "height": h, "kind": kind,
                           "file": f"tasks/{tid}/frames/{name}", "compressed": f"tasks/{tid}/{comp}"})
        # alternative content for the first active frame (used by POST /_test/tasks/N/chunks):
        first = next(i for i in range(size) if i not in deleted.get(tid, []))
        f = frames[first]
        data = (out / f["file"]).read_bytes()
        im = PIL.Image.open(io.BytesIO(data))
        (tdir / "alt").mkdir()
        if im.format == "JPEG":
            alt = encode_jpeg(PIL.Image.fromarray(np.asarray(im)[:, ::-1].copy(), im.mode), 90)
        else:
            alt = encode_png(im.transpose(PIL.Image.Transpose.FLIP_LEFT_RIGHT))
        ext = f["name"].rsplit(".", 1)[1]
        (tdir / f"alt/frame.{ext}").write_bytes(alt)
        (tdir / "alt/compressed.jpeg").write_bytes(to_compressed(alt, IMAGE_QUALITY))
        f["alt"] = {"file": f"tasks/{tid}/alt/frame.{ext}", "compressed": f"tasks/{tid}/alt/compressed.jpeg"}
        task_frames[tid] = frames

    # ---------------- video task 7: 300 frames of 64x48 panning over a photograph
    VW, VH = 64, 48
    pano = skimage.transform.resize(source("coffee"), (133, 200), order=1, anti_aliasing=True, preserve_range=True)
    pano = np.clip(np.rint(pano), 0, 255).astype(np.uint8)
    v_start, v_step, v_size = 4, 2, 300
    v_stop = v_start + v_step * (v_size - 1)
    offsets = []
    for i in range(v_size):
        s = v_start + i * v_step  # source (video) frame number
        x = int(round((200 - VW) / 2 * (1 - math.cos(2 * math.pi * s / 600))))
        y = int(round((133 - VH) / 2 * (1 - math.cos(2 * math.pi * s / 300))))
        offsets.append([x, y])
    vdir = out / "tasks/7"
    (vdir / "compressed").mkdir(parents=True)
    (vdir / "panorama.rgb.zlib").write_bytes(zlib.compress(pano.tobytes(), 9))
    for i, (x, y) in enumerate(offsets):
        crop = PIL.Image.fromarray(pano[y:y + VH, x:x + VW].copy(), "RGB")
        (vdir / f"compressed/{i:06d}.jpeg").write_bytes(encode_jpeg(crop, IMAGE_QUALITY))
    (vdir / "alt").mkdir()
    x, y = offsets[0]
    flipped = pano[y:y + VH, x:x + VW][:, ::-1].copy()
    (vdir / "alt/compressed.jpeg").write_bytes(encode_jpeg(PIL.Image.fromarray(flipped, "RGB"), IMAGE_QUALITY))

    # ---------------- annotations
    annotations = {}

    def frame_wh(tid, f):
        fr = task_frames[tid][f]
        return fr["width"], fr["height"]

    # classification tasks 1, 2, 3: exactly one tag per non-deleted frame (plus tags on deleted frames)
    for tid in (1, 2, 3):
        size = plans[tid][0]
        tags, shapes = [], []
        for f in range(size):
            lid = [1, 2, 3, 4][(f * 7 + tid) % 4]
            # rose tags: colour on even frames (odd ones leave it out), a note on every third frame
            rose = []
            if lid == 2 and f % 2 == 0:
                rose.append((11, ["red", "white", "pink"][f % 3]))
            if lid == 2 and f % 3 == 0:
                rose.append((12, f"note {tid}.{f}"))
            tags.append(tag(lid, f, attrs(*rose)))
            w, h = frame_wh(tid, f)
            if f % 3 == 0:
                bw, bh = rng.randint(10, w // 2), rng.randint(10, h // 2)
                x0, y0 = rng.randint(0, w - bw), rng.randint(0, h - bh)
                shapes.append(shape("rectangle", 5, f, [x0, y0, x0 + bw, y0 + bh],
                                    attributes=attrs((1, ["honey", "bumble", "wild"][f % 3]))))
            if f % 4 == 1:
                cx, cy = w / 2, h / 2
                pts = []
                for k in range(5):
                    ang = 2 * math.pi * k / 5
                    rad = min(w, h) * (0.25 + 0.1 * (k % 2))
                    pts += [r2(cx + rad * math.cos(ang)), r2(cy + rad * math.sin(ang))]
                shapes.append(shape("polygon", 6, f, pts))
        annotations[tid] = {"version": 0, "tags": tags, "shapes": shapes, "tracks": [], "intervals": []}

    # task 6: one frame with two tags, one without
    tags6 = []
    for f in range(6):
        if f == 4:
            continue
        tags6.append(tag([31, 32, 30][f % 3], f))
        if f == 2:
            tags6.append(tag(30, f))
    annotations[6] = {"version": 0, "tags": tags6, "shapes": [], "tracks": [], "intervals": []}

    # task 4: every shape type, rotated shapes, tracks
    s4 = []
    # frame 0: the first car is occluded and grouped with the road (group 1); the second car's colour is the
    # default and its `parked` is left out
    s4.append(shape("rectangle", 10, 0, [10.5, 12.25, 60.0, 50.75], attributes=attrs((2, "blue"), (3, "true")),
                    occluded=True, group=1))
    s4.append(shape("rectangle", 10, 0, [30, 20, 70, 45], rotation=30.0, attributes=attrs((2, "red"))))
    s4.append(shape("polygon", 12, 0, [5, 60, 40, 40, 80, 62, 60, 70, 10, 70], z_order=1, group=1))
    s4.append(shape("polyline", 13, 1, [0, 70, 30, 50, 60, 40, 90, 35]))
    s4.append(shape("points", 14, 1, [20, 20, 40, 25, 60, 30]))
    s4.append(shape("ellipse", 15, 2, [40, 30, 55, 22]))
    s4.append(shape("ellipse", 15, 2, [50, 40, 70, 32], rotation=45.0))
    w, h = frame_wh(4, 3)
    bm = np.zeros((h, w), dtype=np.uint8)
    yy, xx = np.mgrid[0:h, 0:w]
    bm[((xx - 30) ** 2 + (yy - 20) ** 2) < 15 ** 2] = 1
    bm[5:12, 50:80] = 1
    s4.append(shape("mask", 16, 3, encode_mask(bm)))
    els = [shape("points", 18, 5, [50, 10], sub=True), shape("points", 19, 5, [35, 40], sub=True),
           shape("points", 20, 5, [65, 40], sub=True), shape("points", 21, 5, [50, 65], sub=True)]
    els[2]["outside"] = True
    els[3]["attributes"] = attrs((7, "false"))
    s4.append(shape("skeleton", 17, 5, [], attributes=attrs((5, "sitting"), (6, "first skeleton")), elements=els))
    s4.append(shape("rectangle", 10, 9, [1, 1, 20, 20], attributes=attrs((2, "white"), (3, "false"))))  # deleted frame
    s4.append(shape("points", 14, 11, [10, 10], occluded=True))
    s4.append(shape("rectangle", 10, 19, [5, 5, 50, 40], rotation=350.0, source="auto", score=0.87,
                    attributes=attrs((2, "black"), (3, "false"))))
    # the person tag leaves `carrying` out; the second tag is on a deleted frame
    t4 = [tag(11, 2, attrs((4, "42"), (8, "driver"), (10, "Bob \"the\" driver")), group=2),
          tag(11, 17, attrs((4, "7")))]

    tr4 = []
    # rectangle track with an outside keyframe, keyframes across chunk boundaries (chunk size 8)
    tr4.append(track(10, [
        kf("rectangle", 0, [10, 10, 40, 30], attributes=attrs((3, "false"))),
        kf("rectangle", 6, [22, 16, 52, 36], attributes=attrs((3, "false"))),
        kf("rectangle", 10, [30, 20, 60, 40], attributes=attrs((3, "true"))),
        kf("rectangle", 13, [30, 20, 60, 40], outside=True, attributes=attrs((3, "true"))),
        kf("rectangle", 15, [5, 5, 35, 25], rotation=20.0, attributes=attrs((3, "false"))),
        kf("rectangle", 19, [15, 25, 45, 45], rotation=340.0, attributes=attrs((3, "false"))),
    ], attributes=attrs((2, "white")), group=3))
    # polygon track starting after frame 0, with a keyframe on the deleted frame 9
    tr4.append(track(12, [
        kf("polygon", 3, [10, 10, 50, 10, 50, 50, 10, 50]),
        kf("polygon", 9, [12, 12, 52, 12, 52, 52, 12, 52]),
        kf("polygon", 12, [20, 10, 60, 20, 50, 60, 30, 60, 10, 30]),
        kf("polygon", 16, [20, 10, 60, 20, 50, 60, 30, 60, 10, 30], outside=True),
    ]))
    # points track (single point → interpolated; then 3 points → held)
    tr4.append(track(14, [
        kf("points", 2, [10, 10]),
        kf("points", 8, [40, 34]),
        kf("points", 11, [40, 34, 50, 40, 60, 45]),
        kf("points", 14, [20, 20, 30, 30, 40, 40]),
    ]))
    # ellipse track with rotation across the 0/360 wrap
    tr4.append(track(15, [
        kf("ellipse", 4, [40, 30, 55, 22], rotation=350.0),
        kf("ellipse", 12, [48, 34, 63, 26], rotation=10.0),
        kf("ellipse", 18, [48, 34, 63, 26], rotation=10.0, outside=True),
    ]))
    # skeleton track
    sk_frames = [4, 10, 14]
    parent = [kf("skeleton", f, [], attributes=attrs((6, f"kf{f}"))) for f in sk_frames]
    pos = {18: [(50, 10), (52, 12), (55, 14)], 19: [(35, 40), (37, 42), (40, 44)],
           20: [(65, 40), (67, 42), (70, 44)], 21: [(50, 65), (52, 66), (55, 68)]}
    elements = []
    for lid, ps in pos.items():
        ks = [kf("points", f, list(p), attributes=attrs((7, "true")) if lid == 21 else []) for f, p in zip(sk_frames, ps)]
        if lid == 20:
            ks[1]["outside"] = True  # right hand hidden from frame 10
        elements.append(track(lid, ks, sub=True))
    tr4.append(track(17, parent, attributes=attrs((5, "standing")), elements=elements))
    annotations[4] = {"version": 0, "tags": t4, "shapes": s4, "tracks": tr4, "intervals": []}

    # task 7 (video): a rectangle track
    tr7 = [track(40, [
        kf("rectangle", 0, [5, 5, 25, 20]),
        kf("rectangle", 40, [30, 20, 55, 40]),
        kf("rectangle", 100, [30, 20, 55, 40], outside=True),
        kf("rectangle", 150, [10, 10, 30, 30]),
        kf("rectangle", 299, [34, 18, 60, 44]),
    ]), track(41, [kf("rectangle", 120, [2, 2, 12, 30]), kf("rectangle", 130, [8, 2, 18, 30], outside=True)])]
    annotations[7] = {"version": 0, "tags": [], "shapes": [shape("rectangle", 41, 3, [1, 1, 10, 20])],
                      "tracks": tr7, "intervals": []}

    for tid, ann in annotations.items():
        (out / f"tasks/{tid}").mkdir(parents=True, exist_ok=True)
        (out / f"tasks/{tid}/annotations.json").write_text(json.dumps(ann, indent=1) + "\n")

    # ---------------- users, tokens, orgs, projects, tasks, jobs
    users = [
        {"id": 1, "username": "admin", "password": "admin-password", "first_name": "Ada", "last_name": "Admin",
         "email": "admin@example.com", "groups": ["admin"], "is_staff": True, "is_superuser": True,
         "is_active": True, "last_login": dt(1, 9), "date_joined": dt(1, 8, month=1)},
        {"id": 2, "username": "worker", "password": "worker-password", "first_name": "Wim", "last_name": "Worker",
         "email": "worker@example.com", "groups": ["worker"], "is_staff": False, "is_superuser": False,
         "is_active": True, "last_login": None, "date_joined": dt(2, 8, month=1)},
    ]
    tokens = [
        {"id": 1, "name": "admin-ci", "owner": 1, "value": "cvat_pat_admin.0123456789abcdef", "read_only": False,
         "expiry_date": None, "created_date": dt(1, 10, month=2)},
        {"id": 2, "name": "worker-ci", "owner": 2, "value": "cvat_pat_worker.fedcba9876543210", "read_only": True,
         "expiry_date": None, "created_date": dt(2, 10, month=2)},
        {"id": 3, "name": "admin-expired", "owner": 1, "value": "cvat_pat_expired.00000000deadbeef", "read_only": True,
         "expiry_date": dt(1, 0, month=1), "created_date": dt(1, 0, month=1)},
    ]
    orgs = [{"id": 1, "slug": "lab", "name": "Lab", "members": {"1": "owner", "2": "worker"}}]
    projects = [{"id": 1, "name": "flowers", "owner": 1, "assignee": None, "organization": None,
                 "bug_tracker": "", "status": "annotation", "guide_id": None,
                 "created_date": dt(3, 10, 0, 0, 111111), "updated_date": dt(10, 12, 30, 5, 123456),
                 "target_storage": {"id": 1, "location": "local", "cloud_storage_id": None},
                 "source_storage": {"id": 2, "location": "local", "cloud_storage_id": None}}]

    def image_data(tid, data_id, chunks_updated):
        frames = task_frames[tid]
        return {"id": data_id, "chunk_size": CHUNK, "image_quality": IMAGE_QUALITY,
                "original_chunk_type": "imageset", "compressed_chunk_type": "imageset",
                "start_frame": 0, "stop_frame": len(frames) - 1, "frame_filter": "", "storage": "local",
                "cloud_storage_id": None, "chunks_updated_date": chunks_updated,
                "deleted_frames": deleted.get(tid, []),
                "frames": [dict(fr) for fr in frames]}

    tasks = [
        {"id": 1, "name": "flowers train A", "project_id": 1, "owner": 1, "assignee": 2, "organization": None,
         "subset": "Train", "segment_size": 10, "overlap": 0, "status": "annotation", "bug_tracker": "",
         "created_date": dt(3, 10, 5, 0, 222222), "updated_date": dt(10, 12, 30, 5, 123456),
         "mode": "annotation", "dimension": "2d", "media_type": "image", "data": image_data(1, 11, dt(3, 10, 6, 0, 5))},
        {"id": 2, "name": "flowers train B", "project_id": 1, "owner": 1, "assignee": None, "organization": 1,
         "subset": "Train", "segment_size": 6, "overlap": 0, "status": "validation", "bug_tracker": "https://bugs.example.com/2",
         "created_date": dt(3, 11, 0, 0, 333333), "updated_date": dt(9, 8, 15, 0, 500000),
         "mode": "annotation", "dimension": "2d", "media_type": "image", "data": image_data(2, 12, dt(3, 11, 1, 0, 7))},
        {"id": 3, "name": "flowers validation", "project_id": 1, "owner": 1, "assignee": None, "organization": None,
         "subset": "Validation", "segment_size": 10, "overlap": 0, "status": "completed", "bug_tracker": "",
         "created_date": dt(3, 12, 0, 0, 444444), "updated_date": dt(8, 17, 45, 30, 250000),
         "mode": "annotation", "dimension": "2d", "media_type": "image", "data": image_data(3, 13, dt(3, 12, 1, 0, 9))},
        {"id": 4, "name": "street scenes (all shape types)", "project_id": None, "owner": 1, "assignee": None,
         "organization": None, "subset": "", "segment_size": 12, "overlap": 0, "status": "annotation",
         "bug_tracker": "", "created_date": dt(4, 9, 0, 0, 10), "updated_date": dt(11, 14, 2, 3, 456789),
         "mode": "annotation", "dimension": "2d", "media_type": "image", "data": image_data(4, 14, dt(4, 9, 1, 0, 20))},
        {"id": 5, "name": "empty task (no data)", "project_id": None, "owner": 1, "assignee": None,
         "organization": None, "subset": "", "segment_size": 0, "overlap": None, "status": "annotation",
         "bug_tracker": "", "created_date": dt(5, 9, 0, 0, 1), "updated_date": dt(5, 9, 0, 0, 1),
         "mode": "", "dimension": "", "media_type": "", "data": None},
        {"id": 6, "name": "pets (broken classification)", "project_id": None, "owner": 1, "assignee": 2,
         "organization": None, "subset": "Test", "segment_size": 6, "overlap": 0, "status": "annotation",
         "bug_tracker": "", "created_date": dt(6, 9, 0, 0, 0), "updated_date": dt(6, 10, 0, 0, 600000),
         "mode": "annotation", "dimension": "2d", "media_type": "image", "data": image_data(6, 16, dt(6, 9, 1, 0, 0))},
        {"id": 7, "name": "coffee pan (video)", "project_id": None, "owner": 1, "assignee": None,
         "organization": None, "subset": "", "segment_size": 100, "overlap": 0, "status": "annotation",
         "bug_tracker": "", "created_date": dt(7, 9, 0, 0, 0), "updated_date": dt(7, 11, 0, 0, 700000),
         "mode": "interpolation", "dimension": "2d", "media_type": "image",
         "data": {"id": 17, "chunk_size": 32, "image_quality": IMAGE_QUALITY, "original_chunk_type": "video",
                  "compressed_chunk_type": "imageset", "start_frame": v_start, "stop_frame": v_stop,
                  "frame_filter": f"step={v_step}", "storage": "local", "cloud_storage_id": None,
                  "chunks_updated_date": dt(7, 9, 2, 0, 0), "deleted_frames": [], "size": v_size,
                  "frames": [{"name": "video.mp4", "width": VW, "height": VH}],
                  "video": {"panorama": "tasks/7/panorama.rgb.zlib", "panorama_width": 200, "panorama_height": 133,
                            "offsets": offsets, "compressed_pattern": "tasks/7/compressed/{frame:06d}.jpeg",
                            "alt": {"compressed": "tasks/7/alt/compressed.jpeg"}}}},
    ]
    for t in tasks:
        if t["data"] is not None and "size" not in t["data"]:
            t["data"]["size"] = len(t["data"]["frames"])

    stage_state = [("annotation", "in progress"), ("validation", "completed"), ("acceptance", "completed"),
                   ("annotation", "new"), ("validation", "rejected"), ("annotation", "completed")]
    status_of = {"annotation": "annotation", "validation": "validation", "acceptance": "completed"}
    jobs = []
    jid = 1
    for t in tasks:
        if t["data"] is None:
            continue
        size = t["data"]["size"]
        for k, start in enumerate(range(0, size, t["segment_size"])):
            stop = min(start + t["segment_size"], size) - 1
            stage, state = stage_state[(jid - 1) % len(stage_state)]
            jobs.append({"id": jid, "task_id": t["id"], "start_frame": start, "stop_frame": stop,
                         "stage": stage, "state": state, "status": status_of[stage], "type": "annotation",
                         "assignee": t["assignee"],
                         "created_date": t["created_date"], "updated_date": t["updated_date"]})
            jid += 1

    dataset = {
        "format": "cvat-test-dataset/1",
        "about": {"name": "Computer Vision Annotation Tool",
                  "description": "CVAT is completely re-designed and re-implemented version of Video Annotation Tool from Irvine, California tool. It is free, online, interactive video and image annotation tool for computer vision. It is being used by our team to annotate million of objects with different properties. Many UI and UX decisions are based on feedbacks from professional data annotation team.",
                  "version": "2.73.0", "logo_url": "https://cvat.ai/static/logo.svg",
                  "subtitle": "Test server (Fixtures/server/cvat_test_server.py)"},
        "users": users, "access_tokens": tokens, "organizations": orgs,
        "projects": projects, "tasks": tasks, "labels": labels, "jobs": jobs,
    }
    (out / "dataset.json").write_text(json.dumps(dataset, indent=1) + "\n")

    # summary for README
    summary = {tid: [(i, fr["kind"], fr["width"], fr["height"]) for i, fr in enumerate(frs) if fr["kind"] != "jpeg"]
               for tid, frs in task_frames.items()}
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
