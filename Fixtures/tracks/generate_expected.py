#!/usr/bin/env python3
"""Write expected_shapes.json: what CVAT's server makes of the tracks in input_tracks.json.

cvat-ds ports CVAT's track interpolation to Swift (Sources/CvatGeometry/TrackInterpolation.swift). This script
runs the server's own code on the cases in input_tracks.json so that the Swift tests compare against CVAT rather
than against a second reading of it. Only the resulting JSON is committed; CVAT's source never is.

Getting CVAT's source (keep it out of the repository, e.g. under /tmp):
    Save `cvat/apps/dataset_manager/annotation.py` from the cvat-ai/cvat repository, tag v2.73.0 (or the newest
    version you have; it must have `deleted_frames` and `streaming` in `TrackManager.get_interpolated_shapes`):
        curl -fsSL -o /tmp/cvat-annotation.py \
            https://raw.githubusercontent.com/cvat-ai/cvat/v2.73.0/cvat/apps/dataset_manager/annotation.py
    The committed expected_shapes.json was made from the newest stored version the developer had (see
    `cvat_source` in its header).

Running (numpy is the only dependency):
    /tmp/sdkvenv/bin/python Fixtures/tracks/generate_expected.py --annotation-py /tmp/cvat-annotation.py

How it works: the module imports Django, scipy and shapely, so it is not imported. Instead the two methods
`TrackManager.get_interpolated_shapes` and `TrackManager.to_shapes` are cut out of the file with `ast`, unchanged,
and executed in a namespace that supplies small stand-ins for what they use from the rest of CVAT (API.md §2.5):
the `ShapeType`/`DimensionType` str enums, `faster_deepcopy` (a drop-in for `copy.deepcopy`) and
`make_getter_by_frame_for_annotation_stream` (hands out a frame-ordered stream one frame at a time).
`to_shapes` is what exporters call; it adds the skeleton rules (elements evaluated with include_outside=True on
the parent's frames, skeleton frames with every element outside dropped).

Each case records the server's result, or the exception the server raises (`error`). The one exception to
"what the server does": mask tracks. The server raises NotImplementedError as soon as it has to interpolate
between two mask keyframes, while cvat-ds holds the previous keyframe's mask (as CVAT's UI shows it). For such a
case the script records `server_error` and then derives the expected hold from the server's own code path for
holding: the mask keyframes are run as `points` shapes (whose in-between frames the server copies from the
previous keyframe when there is more than one point) and the type is restored afterwards (`client_rule`).

`exported_frames` lists the frames an exporter writes (`bindings.py` skips outside shapes).
"""

import argparse
import ast
import copy
import enum
import heapq
import itertools
import json
import math
import sys
import textwrap
import typing
from collections import abc
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


class ShapeType(str, enum.Enum):
    RECTANGLE = "rectangle"
    POLYGON = "polygon"
    POLYLINE = "polyline"
    POINTS = "points"
    ELLIPSE = "ellipse"
    CUBOID = "cuboid"
    MASK = "mask"
    SKELETON = "skeleton"


class DimensionType(str, enum.Enum):
    DIM_3D = "3d"
    DIM_2D = "2d"


def faster_deepcopy(value):
    return copy.deepcopy(value)


def make_getter_by_frame_for_annotation_stream(stream):
    """Returns get(frame) yielding the stream's items on `frame`; frames must be asked for in increasing order."""
    iterator = iter(stream)
    pending = []

    def get(frame):
        while True:
            if not pending:
                item = next(iterator, None)
                if item is None:
                    return
                pending.append(item)
            if pending[0]["frame"] != frame:
                assert pending[0]["frame"] > frame, "stream is not ordered by frame"
                return
            yield pending.pop()

    return get


def extract_track_manager(source: str):
    """Builds a TrackManager holding the server's two methods, taken verbatim from annotation.py."""
    tree = ast.parse(source)
    manager = next(
        (n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "TrackManager"), None
    )
    if manager is None:
        sys.exit("annotation.py has no class TrackManager")
    methods = {n.name: n for n in manager.body if isinstance(n, ast.FunctionDef)}
    lines = source.splitlines()
    parts = []
    for name in ("to_shapes", "get_interpolated_shapes"):
        node = methods.get(name)
        if node is None:
            sys.exit(f"TrackManager has no method {name}")
        first = min([node.lineno] + [d.lineno for d in node.decorator_list])
        parts.append(textwrap.dedent("\n".join(lines[first - 1 : node.end_lineno])))
    if "deleted_frames" not in parts[1] or "streaming" not in parts[1]:
        sys.exit("this annotation.py predates deleted_frames/streaming; use v2.73.0 or newer")

    body = "\n\n".join(textwrap.indent(p, "    ") for p in parts)
    module = (
        "class TrackManager:\n"
        "    def __init__(self, objects, *, dimension):\n"
        "        self.objects = objects\n"
        "        self.dimension = dimension\n\n" + body + "\n"
    )
    namespace = {
        "np": np,
        "heapq": heapq,
        "math": math,
        "chain": itertools.chain,
        "copy": copy.copy,
        "deepcopy": copy.deepcopy,
        "faster_deepcopy": faster_deepcopy,
        "make_getter_by_frame_for_annotation_stream": make_getter_by_frame_for_annotation_stream,
        "ShapeType": ShapeType,
        "DimensionType": DimensionType,
        "Any": typing.Any,
        "Optional": typing.Optional,
        "Sequence": abc.Sequence,
        "Generator": abc.Generator,
        "Iterable": abc.Iterable,
        "Iterator": abc.Iterator,
        "Callable": abc.Callable,
        "Container": abc.Container,
    }
    exec(compile(module, "annotation.py:TrackManager", "exec"), namespace)
    return namespace["TrackManager"]


KEYS = ("frame", "type", "points", "rotation", "occluded", "outside", "z_order", "keyframe", "label_id", "track_id")


def plain(shape, type_map):
    out = {k: shape[k] for k in KEYS}
    out["type"] = type_map.get(out["type"], out["type"])
    out["points"] = [float(v) for v in out["points"]]
    out["rotation"] = float(out["rotation"])
    out["attributes"] = [{"spec_id": a["spec_id"], "value": a["value"]} for a in shape["attributes"]]
    out["elements"] = [plain(e, type_map) for e in shape["elements"]]
    return out


def run_server(TrackManager, case, track):
    shapes = TrackManager([track], dimension=case["dimension"]).to_shapes(
        case["end_frame"],
        included_frames=case["included_frames"],
        deleted_frames=case["deleted_frames"],
        include_outside=case["include_outside"],
        use_server_track_ids=True,
    )
    return list(shapes)


def as_points(track):
    """The mask keyframes of `track` retyped as multi-point `points`, which the server holds."""
    track = copy.deepcopy(track)
    for shape in track["shapes"]:
        if shape["type"] == "mask":
            assert len(shape["points"]) != 2
            shape["type"] = "points"
    return track


def run_case(TrackManager, case):
    result = {"name": case["name"]}
    try:
        shapes = run_server(TrackManager, case, copy.deepcopy(case["track"]))
        type_map = {}
    except (NotImplementedError, AssertionError, ValueError, IndexError) as error:
        is_mask = any(s["type"] == "mask" for s in case["track"]["shapes"])
        if not (is_mask and isinstance(error, NotImplementedError) and case["dimension"] == "2d"):
            result["error"] = type(error).__name__
            return result
        result["server_error"] = type(error).__name__
        result["client_rule"] = "mask held from the previous keyframe"
        shapes = run_server(TrackManager, case, as_points(case["track"]))
        type_map = {"points": "mask"}
    result["shapes"] = [plain(s, type_map) for s in shapes]
    if not case["include_outside"]:
        result["exported_frames"] = [s["frame"] for s in shapes if not s["outside"]]
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--annotation-py", required=True, type=Path, help="CVAT's dataset_manager/annotation.py")
    parser.add_argument("--cvat-source", default=None, help="where annotation.py came from, for the header")
    parser.add_argument("--input", type=Path, default=HERE / "input_tracks.json")
    parser.add_argument("--output", type=Path, default=HERE / "expected_shapes.json")
    args = parser.parse_args()

    TrackManager = extract_track_manager(args.annotation_py.read_text())
    cases = json.loads(args.input.read_text())["cases"]
    results = [run_case(TrackManager, case) for case in cases]
    document = {
        "generator": "Fixtures/tracks/generate_expected.py",
        "cvat_source": args.cvat_source or str(args.annotation_py.name),
        "numpy": np.__version__,
        "cases": results,
    }
    args.output.write_text(json.dumps(document, indent=1) + "\n")
    errors = sum("error" in r for r in results)
    print(f"{len(results)} cases ({errors} rejected by the server) -> {args.output}")


if __name__ == "__main__":
    main()
