#!/usr/bin/env python3
"""Create the image fixtures and Pillow's golden outputs for CvatImageTests and CvatCodecsTests.

Run with a Python that has Pillow and numpy (the tests were made with Pillow 13.0.0):

    python Fixtures/images/make_goldens.py --photos DIR

DIR holds scikit-image's bundled sample photographs (astronaut.png, chelsea.png, coffee.png, camera.png);
they are public domain or CC0. Get them without installing anything into the repo, e.g.
`pip download scikit-image --no-deps -d /tmp/sk && unzip /tmp/sk/*.whl 'skimage/data/*' -d /tmp/sk`.
Without --photos the script falls back to Pillow's own test patterns plus a noisy gradient.

Every golden is Pillow's answer, written as raw 8-bit interleaved RGB (`.rgb`, row-major HWC) and described in
`goldens.json`: for a decode case, `Image.open(path).convert("RGB")`; for a resize case,
`Image.open(source).convert("RGB").resize((w, h), filter, box)`, exactly what torchvision's `Resize` does on a
PIL image (reducing_gap=None).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import struct
import zlib
from pathlib import Path

import numpy as np
import PIL
from PIL import Image, features

HERE = Path(__file__).resolve().parent
RNG = np.random.default_rng(20240613)


def load_photos(photos: Path | None) -> dict[str, Image.Image]:
    names = {"cat": "chelsea.png", "astronaut": "astronaut.png", "coffee": "coffee.png", "camera": "camera.png"}
    if photos is not None and all((photos / n).exists() for n in names.values()):
        return {k: Image.open(photos / v).convert("RGB" if k != "camera" else "L") for k, v in names.items()}
    # Fallback: synthetic but detailed content (mandelbrot + noisy gradient).
    w, h = 600, 400
    mandel = Image.effect_mandelbrot((w, h), (-2.0, -1.2, 1.0, 1.2), 100)
    yy, xx = np.mgrid[0:h, 0:w]
    grad = np.stack([xx * 255 // w, yy * 255 // h, (xx + yy) * 255 // (w + h)], axis=-1)
    noisy = np.clip(grad + RNG.normal(0, 20, grad.shape), 0, 255).astype(np.uint8)
    rgb = Image.fromarray(noisy)
    rgb.paste(Image.merge("RGB", [mandel] * 3), (0, 0), Image.linear_gradient("L").resize((w, h)))
    return {"cat": rgb.crop((0, 0, 451, 300)), "astronaut": rgb, "coffee": rgb, "camera": mandel}


def raw(im: Image.Image) -> bytes:
    assert im.mode == "RGB"
    return im.tobytes()


cases: list[dict] = []


def golden_decode(name: str, note: str = "") -> None:
    im = Image.open(HERE / name)
    mode = im.mode
    rgb = im.convert("RGB")
    gname = name.rsplit(".", 1)[0] + ".decoded.rgb"
    (HERE / gname).write_bytes(raw(rgb))
    cases.append(
        {"kind": "decode", "file": name, "golden": gname, "width": rgb.width, "height": rgb.height,
         "pillowMode": mode, "note": note})


FILTERS = {"nearest": Image.Resampling.NEAREST, "bilinear": Image.Resampling.BILINEAR,
           "bicubic": Image.Resampling.BICUBIC}
ALL_FILTERS = {**FILTERS, "box": Image.Resampling.BOX}


def golden_resize(source: str, w: int, h: int, flt: str, box=None, tag: str = "") -> None:
    im = Image.open(HERE / source).convert("RGB")
    out = im.resize((w, h), ALL_FILTERS[flt], box=box)
    stem = source.rsplit(".", 1)[0]
    gname = f"{stem}.{w}x{h}.{flt}{tag}.rgb"
    (HERE / gname).write_bytes(raw(out))
    case = {"kind": "resize", "file": source, "golden": gname, "width": w, "height": h, "filter": flt}
    if box is not None:
        case["box"] = list(box)
    cases.append(case)


def save_png_raw(path: Path, width: int, height: int, bit_depth: int, color_type: int, rows: list[bytes],
                 plte: bytes | None = None, trns: bytes | None = None, extra: list[tuple[bytes, bytes]] = ()) -> None:
    """A minimal PNG writer, so the exact bit depth and colour type are under control (Pillow cannot write all)."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0))
    for tag, data in extra:
        out += chunk(tag, data)
    if plte is not None:
        out += chunk(b"PLTE", plte)
    if trns is not None:
        out += chunk(b"tRNS", trns)
    out += chunk(b"IDAT", zlib.compress(b"".join(b"\x00" + r for r in rows), 9))
    out += chunk(b"IEND", b"")
    path.write_bytes(out)


def pack_bits(values: np.ndarray, bits: int) -> list[bytes]:
    rows = []
    per_byte = 8 // bits
    for row in values:
        padded = np.zeros(((len(row) + per_byte - 1) // per_byte) * per_byte, dtype=np.uint8)
        padded[: len(row)] = row
        groups = padded.reshape(-1, per_byte)
        b = np.zeros(len(groups), dtype=np.uint8)
        for i in range(per_byte):
            b |= (groups[:, i] << (8 - bits * (i + 1))).astype(np.uint8)
        rows.append(b.tobytes())
    return rows


def make_pngs(photo: Image.Image) -> None:
    # 61x43: odd width so sub-byte rows end in padding bits.
    src = photo.resize((61, 43), Image.Resampling.LANCZOS)
    rgb = np.asarray(src).astype(np.uint16)
    grey = np.asarray(src.convert("L")).astype(np.uint16)
    h, w = grey.shape
    alpha = (np.arange(w)[None, :] * 255 // (w - 1) + np.zeros((h, 1), dtype=int)).astype(np.uint16)
    # 16-bit samples whose low byte is noise, so "high byte" and "rounded" reductions differ.
    noise = RNG.integers(0, 256, size=(h, w, 4), dtype=np.uint16)
    rgb16 = (rgb << 8) | noise[:, :, :3]
    alpha16 = (alpha << 8) | noise[:, :, 3]
    # Grey 16: the left half stays below 256 so Pillow's I;16 -> RGB clipping and high-byte reduction differ.
    grey16 = np.where(np.arange(w)[None, :] < w // 2, grey, (grey << 8) | noise[:, :, 0])

    def be16(a: np.ndarray) -> list[bytes]:
        return [r.astype(">u2").tobytes() for r in a]

    for bits in (1, 2, 4):
        q = (grey >> (8 - bits)).astype(np.uint8)
        save_png_raw(HERE / f"png_grey{bits}.png", w, h, bits, 0, pack_bits(q, bits))
    save_png_raw(HERE / "png_grey8.png", w, h, 8, 0, [r.astype(np.uint8).tobytes() for r in grey])
    save_png_raw(HERE / "png_grey8_trns.png", w, h, 8, 0, [r.astype(np.uint8).tobytes() for r in grey],
                 trns=struct.pack(">H", int(grey[0, 0])))
    save_png_raw(HERE / "png_grey8_gamma.png", w, h, 8, 0, [r.astype(np.uint8).tobytes() for r in grey],
                 extra=[(b"gAMA", struct.pack(">I", 100000))])
    save_png_raw(HERE / "png_grey16.png", w, h, 16, 0, be16(grey16))
    save_png_raw(HERE / "png_rgb8.png", w, h, 8, 2, [r.astype(np.uint8).tobytes() for r in rgb])
    save_png_raw(HERE / "png_rgb8_trns.png", w, h, 8, 2, [r.astype(np.uint8).tobytes() for r in rgb],
                 trns=struct.pack(">HHH", *[int(v) for v in rgb[0, 0]]))
    save_png_raw(HERE / "png_rgb8_gamma_srgb.png", w, h, 8, 2, [r.astype(np.uint8).tobytes() for r in rgb],
                 extra=[(b"gAMA", struct.pack(">I", 45455)), (b"sRGB", b"\x00")])
    save_png_raw(HERE / "png_rgb16.png", w, h, 16, 2, be16(rgb16.reshape(h, w * 3)))
    save_png_raw(HERE / "png_rgb16_gamma.png", w, h, 16, 2, be16(rgb16.reshape(h, w * 3)),
                 extra=[(b"gAMA", struct.pack(">I", 220000))])
    ga8 = np.stack([grey, alpha], axis=-1).reshape(h, w * 2)
    save_png_raw(HERE / "png_greyalpha8.png", w, h, 8, 4, [r.astype(np.uint8).tobytes() for r in ga8])
    ga16 = np.stack([(grey << 8) | noise[:, :, 0], alpha16], axis=-1).reshape(h, w * 2)
    save_png_raw(HERE / "png_greyalpha16.png", w, h, 16, 4, be16(ga16))
    rgba8 = np.concatenate([rgb, alpha[:, :, None]], axis=-1).reshape(h, w * 4)
    save_png_raw(HERE / "png_rgba8.png", w, h, 8, 6, [r.astype(np.uint8).tobytes() for r in rgba8])
    rgba16 = np.concatenate([rgb16, alpha16[:, :, None]], axis=-1).reshape(h, w * 4)
    save_png_raw(HERE / "png_rgba16.png", w, h, 16, 6, be16(rgba16))

    # Palettes: Pillow's quantiser picks the colours; indices are written at the wanted depth.
    for bits in (1, 2, 4, 8):
        colours = 1 << bits
        pal_img = src.quantize(colors=colours, method=Image.Quantize.MEDIANCUT)
        idx = np.asarray(pal_img).astype(np.uint8)
        plte = bytes(pal_img.getpalette()[: 3 * colours])
        plte = plte + bytes(3 * colours - len(plte))
        rows = pack_bits(idx, bits) if bits < 8 else [r.tobytes() for r in idx]
        save_png_raw(HERE / f"png_palette{bits}.png", w, h, bits, 3, rows, plte=plte)
        if bits == 8:
            trns = bytes((i * 37) & 0xFF for i in range(colours // 2))  # partial tRNS: the rest stay opaque
            save_png_raw(HERE / "png_palette8_trns.png", w, h, bits, 3, rows, plte=plte, trns=trns)
    # Adam7 interlacing, through Pillow's writer... Pillow cannot write interlaced PNGs; libpng-style Adam7 below.
    save_interlaced(HERE / "png_rgb8_interlaced.png", np.asarray(src))


def save_interlaced(path: Path, rgb: np.ndarray) -> None:
    h, w, _ = rgb.shape
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
    data = b""
    for x0, y0, dx, dy in passes:
        sub = rgb[y0::dy, x0::dx]
        if sub.size == 0:
            continue
        data += b"".join(b"\x00" + r.tobytes() for r in sub)

    def chunk(tag: bytes, d: bytes) -> bytes:
        return struct.pack(">I", len(d)) + tag + d + struct.pack(">I", zlib.crc32(tag + d) & 0xFFFFFFFF)

    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 1))
                     + chunk(b"IDAT", zlib.compress(data, 9)) + chunk(b"IEND", b""))


def make_jpegs(cat: Image.Image, camera: Image.Image) -> None:
    # 131x97: not a multiple of any MCU size, so the edge blocks and upsampling edges are exercised.
    src = cat.crop((150, 40, 412, 234)).resize((131, 97), Image.Resampling.LANCZOS)
    src.save(HERE / "jpeg_444.jpg", quality=90, subsampling="4:4:4")
    src.save(HERE / "jpeg_422.jpg", quality=90, subsampling="4:2:2")
    src.save(HERE / "jpeg_420.jpg", quality=90, subsampling="4:2:0")
    src.save(HERE / "jpeg_420_progressive.jpg", quality=85, subsampling="4:2:0", progressive=True)
    src.save(HERE / "jpeg_420_restart.jpg", quality=75, subsampling="4:2:0", restart_marker_blocks=2)
    camera.resize((97, 131), Image.Resampling.LANCZOS).save(HERE / "jpeg_grey.jpg", quality=90)
    src.convert("CMYK").save(HERE / "jpeg_cmyk.jpg", quality=90)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--photos", type=Path, default=os.environ.get("CVAT_DS_PHOTOS"))
    args = ap.parse_args()
    photos = load_photos(args.photos)
    for old in HERE.glob("*"):
        if old.suffix in (".jpg", ".png", ".rgb", ".bin") or old.name == "goldens.json":
            old.unlink()

    make_jpegs(photos["cat"], photos["camera"])
    make_pngs(photos["astronaut"])

    # A ~500x375 photograph like the ones a CVAT task holds: for speed, the DCT-scaled path and resize goldens.
    coffee = photos["coffee"].resize((500, 375), Image.Resampling.LANCZOS)
    coffee.save(HERE / "photo_500x375.jpg", quality=90)  # Pillow's default 4:2:0, like most cameras
    # A 160x120 source for the resize goldens, stored losslessly so resize tests do not depend on JPEG decoding.
    coffee.crop((100, 80, 420, 320)).resize((160, 120), Image.Resampling.LANCZOS).save(HERE / "resize_src.png")
    photos["cat"].crop((200, 60, 240, 90)).save(HERE / "resize_small.png")  # 40x30 for upscaling
    # 48x64 portrait, like a 120x160 / 96x128 phone frame that goes to a landscape 160x120 target (scaled down).
    photos["cat"].crop((150, 40, 330, 280)).resize((48, 64), Image.Resampling.LANCZOS).save(HERE / "resize_tall.png")
    # Raw copies of the lossless resize sources, so CvatImageTests need no decoder.
    for name in ("resize_src", "resize_small", "resize_tall"):
        (HERE / f"{name}.rgb").write_bytes(raw(Image.open(HERE / f"{name}.png").convert("RGB")))

    for name in sorted(p.name for p in HERE.glob("*.jpg")):
        if name != "photo_500x375.jpg":
            golden_decode(name)
    for name in sorted(p.name for p in HERE.glob("png_*.png")):
        golden_decode(name)

    for flt in FILTERS:
        golden_resize("resize_src.png", 64, 48, flt)
        golden_resize("resize_src.png", 50, 77, flt)
        golden_resize("resize_src.png", 160, 33, flt)  # one axis unchanged: Pillow skips the horizontal pass
        golden_resize("resize_small.png", 97, 71, flt)
        golden_resize("resize_src.png", 64, 48, flt, box=(10.5, 7.25, 150.0, 100.5), tag=".box")
    golden_resize("resize_src.png", 45, 33, "bilinear", box=(20, 30, 65, 63), tag=".cropbox")  # Pillow crops
    # Pass order. Pillow 13 resamples vertically first when both passes run and, in *image* pixels,
    # inH - outH > 0 and inH - outH > 2 * (inW - outW); otherwise horizontally first. Each pass rounds to 8 bits,
    # so the order shows. Tag ".vh" marks a vertical-first case, ".hv" a horizontal-first one worth pinning.
    for flt in ALL_FILTERS:
        golden_resize("resize_tall.png", 64, 48, flt, tag=".vh")  # width up, height down (120x160 -> 160x120)
        golden_resize("resize_tall.png", 64, 96, flt, tag=".hv")  # both up
        golden_resize("resize_tall.png", 32, 96, flt, tag=".hv")  # width down, height up
        golden_resize("resize_small.png", 56, 20, flt, tag=".vh")  # width up, height down
        golden_resize("resize_small.png", 36, 12, flt, tag=".vh")  # both down, height by far more
    golden_resize("resize_small.png", 35, 20, "bilinear", tag=".hv")  # both down, 10 == 2 * 5: still horizontal
    golden_resize("resize_small.png", 36, 20, "bilinear", tag=".vh")  # both down, 10 > 2 * 4: vertical first
    golden_resize("resize_small.png", 35, 20, "bicubic", tag=".hv")
    golden_resize("resize_small.png", 36, 20, "bicubic", tag=".vh")
    # Same width, but a box makes the horizontal pass run: 0 columns dropped, so vertical first.
    golden_resize("resize_small.png", 40, 20, "bilinear", box=(2.5, 0, 40, 30), tag=".box.vh")
    # The rule uses the image size, not the box: 40x30 -> 45x12 drops rows, adds columns.
    golden_resize("resize_small.png", 45, 12, "bicubic", box=(3.5, 2.25, 38.0, 27.5), tag=".box.vh")
    # Box taller than the output but the image is not: 30 - 34 < 0, so horizontal first.
    golden_resize("resize_small.png", 20, 34, "bilinear", box=(1.5, 0.5, 39.0, 29.5), tag=".box.hv")
    golden_resize("photo_500x375.jpg", 224, 224, "bilinear")
    golden_resize("photo_500x375.jpg", 112, 112, "bilinear")
    golden_resize("photo_500x375.jpg", 64, 64, "bicubic")

    meta = {"pillow": PIL.__version__, "libjpeg_turbo": features.version("libjpeg_turbo"), "cases": cases}
    (HERE / "goldens.json").write_text(json.dumps(meta, indent=1) + "\n")
    total = sum(p.stat().st_size for p in HERE.iterdir() if p.is_file())
    print(f"{len(cases)} cases, {total / 1e6:.2f} MB in {HERE}")


if __name__ == "__main__":
    main()
