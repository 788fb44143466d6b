"""Regenerates the goldens that CvatGeometryTests compare against.

Run with the cvat-sdk virtualenv (Pillow 13, numpy, cvat-sdk 2.80):
    /tmp/sdkvenv/bin/python Fixtures/tensors/make_goldens.py
Masks are stored as CVAT-style run lengths over the whole image (row-major, starting with background) to keep
the files small and diffable.
"""

import json
import os
import random

import numpy as np
import PIL
import PIL.Image
import PIL.ImageDraw

from cvat_sdk.masks import decode_mask, encode_mask

HERE = os.path.dirname(os.path.abspath(__file__))


def runs(mask: np.ndarray) -> list[int]:
    flat = mask.astype(bool).ravel()
    out = []
    current = False
    n = 0
    for v in flat:
        if v == current:
            n += 1
        else:
            out.append(n)
            current = v
            n = 1
    out.append(n)
    return out


def draw_polygon(points, width, height):
    # Exactly cvat_sdk.pytorch._utils.draw_mask for a polygon.
    image = PIL.Image.new("1", (width, height))
    PIL.ImageDraw.Draw(image).polygon(list(zip(points[0::2], points[1::2])), fill=1)
    return np.array(image)


def polygon_cases():
    rng = random.Random(20240611)
    cases = []
    handmade = [
        (16, 12, [2, 2, 10, 2, 10, 8, 2, 8]),
        (16, 12, [1.5, 1.5, 12.5, 3.2, 6.7, 10.9]),
        (16, 12, [3, 1, 13, 6, 3, 11, 8, 6]),
        (16, 12, [0, 0, 15, 11]),
        (16, 12, [-4, -3, 20, 5, 7, 15]),
        (16, 12, [2, 5, 6, 5, 10, 5, 10, 9, 6, 9, 2, 9]),
        (16, 12, [2, 2, 14, 10, 14, 2, 2, 10]),
        (16, 12, [8, 0, 10, 5, 15, 5, 11, 8, 13, 12, 8, 9, 3, 12, 5, 8, 1, 5, 6, 5]),
        (16, 12, [4.49, 2.51, 11.5, 2.49, 11.51, 9.5, 4.5, 9.49]),
        (16, 12, [5, 5, 5, 5, 5, 5]),
        (16, 12, [-1.7, 3.2, 5.9, -0.4, 9.99, 6.01]),
    ]
    for w, h, pts in handmade:
        cases.append({"width": w, "height": h, "points": [float(v) for v in pts]})
    for n in range(400):
        w = rng.randint(8, 40)
        h = rng.randint(8, 40)
        k = rng.randint(2, 9)
        style = n % 4
        pts = []
        for _ in range(k):
            x = rng.uniform(-6, w + 6)
            y = rng.uniform(-6, h + 6)
            if style == 0:
                x, y = round(x), round(y)
            elif style == 1:
                x, y = round(x * 2) / 2, round(y * 2) / 2
            elif style == 2:
                x, y = round(x, 2), round(y, 2)
            pts += [float(x), float(y)]
        cases.append({"width": w, "height": h, "points": pts})
    for case in cases:
        case["runs"] = runs(draw_polygon(case["points"], case["width"], case["height"]))
    return cases


def nearest_cases():
    # PIL.Image.resize with NEAREST (what torchvision does to a PIL mask), then torchvision's center crop,
    # which equals a PIL crop whose box may reach outside the image (filled with 0). The source is a mode "I"
    # image holding 1 + its pixel's index, so the output tells which source pixel every output pixel read;
    # the goldens keep that as a source column per output column and a source row per output row (-1: padding).
    rng = random.Random(7)
    cases = []
    sizes = [(5, 3, 13, 7, None), (13, 7, 5, 3, None), (10, 10, 3, 3, None), (7, 9, 7, 9, None),
             (37, 23, 11, 29, None), (3, 2, 10, 10, None), (500, 375, 341, 256, (224, 224)),
             (20, 30, 20, 30, (25, 12)), (21, 17, 32, 26, (40, 9)), (1000, 3, 999, 7, None),
             (640, 480, 1333, 1000, (800, 800)), (4032, 3024, 341, 256, None)]
    for _ in range(40):
        sizes.append((rng.randint(1, 300), rng.randint(1, 300), rng.randint(1, 300), rng.randint(1, 300), None))
    for sw, sh, rw, rh, crop in sizes:
        src = (np.arange(sw * sh, dtype=np.int32) + 1).reshape(sh, sw)
        image = PIL.Image.fromarray(src, mode="I").resize((rw, rh), PIL.Image.NEAREST)
        if crop is not None:
            cw, ch = crop
            pl = (cw - rw) // 2 if cw > rw else 0
            pt = (ch - rh) // 2 if ch > rh else 0
            pr = (cw - rw + 1) // 2 if cw > rw else 0
            pb = (ch - rh + 1) // 2 if ch > rh else 0
            top = int(round((rh + pt + pb - ch) / 2.0)) - pt
            left = int(round((rw + pl + pr - cw) / 2.0)) - pl
            image = image.crop((left, top, left + cw, top + ch))
        out = np.array(image).astype(np.int64) - 1
        ys = np.where(out >= 0, out // sw, -1)
        xs = np.where(out >= 0, out % sw, -1)
        columns = xs.max(axis=0)
        rows = ys.max(axis=1)
        # The map must be separable for the tables to describe it.
        expect = np.where((rows[:, None] >= 0) & (columns[None, :] >= 0), rows[:, None] * sw + columns[None, :], -1)
        assert (expect == out).all()
        case = {"source_width": sw, "source_height": sh, "resize_width": rw, "resize_height": rh,
                "columns": columns.tolist(), "rows": rows.tolist()}
        if crop is not None:
            case["crop_width"], case["crop_height"] = crop
        cases.append(case)
    return cases


def rle_cases():
    rng = random.Random(11)
    cases = []
    for _ in range(40):
        w = rng.randint(1, 30)
        h = rng.randint(1, 30)
        bitmap = np.array([[rng.random() < 0.4 for _ in range(w)] for _ in range(h)], dtype=bool)
        x1, y1 = rng.randint(0, w - 1), rng.randint(0, h - 1)
        x2, y2 = rng.randint(x1 + 1, w), rng.randint(y1 + 1, h)
        encoded = encode_mask(bitmap, bbox=[x1, y1, x2, y2])
        decoded = decode_mask([float(v) for v in encoded], image_width=w, image_height=h)
        cases.append({"width": w, "height": h, "encoded": [float(v) for v in encoded], "runs": runs(decoded)})
    bad = [
        ([1, 2, 3, 4], 5, 5),
        ([1, 0, 0, 0, 0], 0, 5),
        ([1.5, 0, 0, 0, 0], 5, 5),
        ([1, 0, 0, 5, 0], 5, 5),
        ([1, -1, 0, 0, 1], 5, 5),
        ([1, 3, 0, 0, 1, 1], 5, 5),
        ([-1, 5, 0, 0, 1, 1], 5, 5),
        ([2, 2, 2, 0, 0, 1, 1], 5, 5),
        ([1, 2, 3, 2, 1, 0, 0], 5, 5),
    ]
    errors = []
    for encoded, w, h in bad:
        try:
            decode_mask([float(v) for v in encoded], image_width=w, image_height=h)
            message = None
        except ValueError as e:
            message = str(e)
        errors.append({"width": w, "height": h, "encoded": [float(v) for v in encoded], "error": message})
    return cases, errors


def main():
    polygons = polygon_cases()
    with open(os.path.join(HERE, "polygons.json"), "w") as f:
        json.dump({"pillow": PIL.__version__, "cases": polygons}, f, separators=(",", ":"))
        f.write("\n")
    with open(os.path.join(HERE, "nearest.json"), "w") as f:
        json.dump({"pillow": PIL.__version__, "cases": nearest_cases()}, f, separators=(",", ":"))
        f.write("\n")
    good, bad = rle_cases()
    with open(os.path.join(HERE, "rle.json"), "w") as f:
        json.dump({"cases": good, "errors": bad}, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
