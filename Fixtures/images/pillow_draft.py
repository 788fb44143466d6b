"""Pillow's reduced-DCT pipeline, for DCTScalingTests: `Image.draft("RGB", size)`, then `convert("RGB")` and
`resize(size, filter)`, the way a Pillow or torchvision user asks for a fast downscale of a JPEG.

Usage: pillow_draft.py CASES.json OUT_DIR
CASES.json is a list of {"file": PATH, "width": W, "height": H, "filter": "bilinear"|"bicubic"|"nearest",
"name": NAME}; for each case OUT_DIR/NAME.rgb gets the RGB bytes, and stdout gets one JSON object: for each name,
the size draft() decoded at, so the test can check it chose the same scale.
"""

import json
import os
import sys

from PIL import Image

FILTERS = {"bilinear": Image.BILINEAR, "bicubic": Image.BICUBIC, "nearest": Image.NEAREST}


def main() -> None:
    cases_path, out_dir = sys.argv[1], sys.argv[2]
    with open(cases_path) as f:
        cases = json.load(f)
    decoded = {}
    for case in cases:
        size = (case["width"], case["height"])
        with Image.open(case["file"]) as image:
            image.draft("RGB", size)
            image.load()
            decoded[case["name"]] = list(image.size)
            rgb = image.convert("RGB").resize(size, FILTERS[case["filter"]])
        with open(os.path.join(out_dir, case["name"] + ".rgb"), "wb") as out:
            out.write(rgb.tobytes())
    json.dump(decoded, sys.stdout)


if __name__ == "__main__":
    main()
