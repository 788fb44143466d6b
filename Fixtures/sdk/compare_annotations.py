#!/usr/bin/env python3
"""Compare a cvat-ds export's annotations.jsonl, label metadata and per-row arrays with cvat-sdk 2.80.

    compare_annotations.py --export DIR --server URL --cache-dir DIR --task ID [ID...]
                           [--tracks Fixtures/tracks/expected_shapes.json] [--check-arrays]

The expectation is the real cvat-sdk on the cache cvat-ds synced (TaskDataset with UpdatePolicy.NEVER, so no
network):
  - one line per sample, in sample order (tasks in the given order, deleted frames absent), with task_id and frame;
  - the line's tags equal `sample.annotations.tags` and its plain shapes (those without `track_id`) equal
    `sample.annotations.shapes`, field by field (every field of the SDK's `to_dict()`, elements included), in the
    same order; the SDK's fields appear in the line in the order of the model's `attribute_map`;
  - the names cvat-ds adds: `label` is the label's (or sublabel's) name, each attribute's `name` its spec's name;
  - with --tracks: every shape with a `track_id` equals CVAT's own per-frame shape of that track on that frame
    (expected_shapes.json, case "task4-track<N>", made by CVAT's server code), and every frame CVAT exports for
    the track and the export holds has the shape;
  - manifest labels.label_id_to_index equals what cvat_sdk.pytorch's TaskVisionDataset builds (its code, quoted
    in `sdk_label_id_to_index`, since importing cvat_sdk.pytorch needs torch), and labels.definitions hold the
    SDK's labels (id, name, type, color, attributes);
  - with --check-arrays (an export without resizing): the per-box arrays (box_shape_ids, box_track_ids,
    box_occluded, box_group, box_z_order, box_labels, box_attributes) or, for --transform label, tag_ids and
    tag_attributes, against the lines, the attribute values encoded here independently.
Prints a JSON report; exits 0 when everything agrees, 1 otherwise.
"""

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np
from cvat_sdk import Config
from cvat_sdk.api_client.model.labeled_image import LabeledImage
from cvat_sdk.api_client.model.labeled_shape import LabeledShape
from cvat_sdk.api_client.model.sub_labeled_shape import SubLabeledShape
from cvat_sdk.core.client import Client
from cvat_sdk.datasets import TaskDataset
from cvat_sdk.datasets.caching import UpdatePolicy

# What cvat-ds adds to the SDK's fields, and where it adds them.
ADDED_TAG = {"label"}
ADDED_SHAPE = {"label", "track_id", "keyframe"}
ADDED_ATTRIBUTE = {"name"}


def sdk_label_id_to_index(labels):
    # cvat_sdk/pytorch/task_dataset.py, TaskVisionDataset.__init__ without label_name_to_index:
    #     {label.id: label_index for label_index, label in enumerate(sorted(self._underlying.labels, key=lambda l: l.id))}
    return {label.id: index for index, label in enumerate(sorted(labels, key=lambda l: l.id))}


def load_lines(export, manifest):
    files = manifest.get("files") or {}
    if "annotations" not in files:
        return None
    shards = manifest.get("shards")
    names = [s["files"]["annotations"]["file"] for s in shards] if shards else [files["annotations"]["file"]]
    lines = []
    for name in names:
        lines += [json.loads(line) for line in (export / name).read_text().splitlines()]
    return lines


class Comparer:
    def __init__(self, label_names, attribute_names):
        self.problems = []
        self.label_names = label_names
        self.attribute_names = attribute_names
        self.fields = 0

    def problem(self, where, text):
        if len(self.problems) < 50:
            self.problems.append(f"{where}: {text}")

    def attributes(self, where, got, want):
        if not isinstance(got, list) or len(got) != len(want):
            return self.problem(where, f"attributes {got} != {want}")
        for g, w in zip(got, want):
            if set(g) - set(w) != ADDED_ATTRIBUTE:
                self.problem(where, f"attribute keys {sorted(g)}")
            for key in w:
                self.fields += 1
                if g.get(key) != w[key]:
                    self.problem(where, f"attribute {key}: {g.get(key)!r} != {w[key]!r}")
            if g.get("name") != self.attribute_names.get(w["spec_id"]):
                self.problem(where, f"attribute name {g.get('name')!r} for spec {w['spec_id']}")

    def record(self, where, got, want, model, added):
        """One tag, shape or element: every SDK field equal, the SDK's fields in attribute_map order."""
        extra = set(got) - set(want)
        if not extra <= added:
            self.problem(where, f"unexpected keys {sorted(extra - added)}")
        missing = set(want) - set(got)
        if missing:
            self.problem(where, f"missing keys {sorted(missing)}")
        order = [key for key in model.attribute_map if key in got and key in want]
        if [key for key in got if key in want] != order:
            self.problem(where, f"key order {list(got)} is not the model's {list(model.attribute_map)}")
        for key, value in want.items():
            if key == "attributes":
                self.attributes(where, got.get(key), value)
            elif key == "elements":
                g = got.get(key) or []
                if len(g) != len(value):
                    self.problem(where, f"{len(g)} elements != {len(value)}")
                for i, (ge, we) in enumerate(zip(g, value)):
                    self.record(f"{where} element {i}", ge, we, SubLabeledShape, {"label"})
            else:
                self.fields += 1
                if got.get(key) != value:
                    self.problem(where, f"{key}: {got.get(key)!r} != {value!r}")
        if "label" in got and got["label"] != self.label_names.get(got.get("label_id")):
            self.problem(where, f"label {got['label']!r} for label id {got.get('label_id')}")


def close(a, b):
    return len(a) == len(b) and all(math.isclose(x, y, rel_tol=0, abs_tol=1e-9) for x, y in zip(a, b))


def compare_track_shape(c, where, got, want):
    for key in ("type", "label_id", "occluded", "outside", "z_order", "keyframe", "track_id"):
        c.fields += 1
        if got.get(key) != want.get(key):
            c.problem(where, f"{key}: {got.get(key)!r} != CVAT's {want.get(key)!r}")
    if not close(got["points"], want["points"]) or not math.isclose(got["rotation"], want["rotation"], abs_tol=1e-9):
        c.problem(where, f"points {got['points']} / {got['rotation']} != CVAT's {want['points']} / {want['rotation']}")
    if [(a["spec_id"], a["value"]) for a in got["attributes"]] != [(a["spec_id"], a["value"]) for a in want["attributes"]]:
        c.problem(where, f"attributes {got['attributes']} != CVAT's {want['attributes']}")
    if len(got.get("elements", [])) != len(want.get("elements", [])):
        return c.problem(where, "element count differs from CVAT's")
    for i, (ge, we) in enumerate(zip(got.get("elements", []), want.get("elements", []))):
        compare_track_shape(c, f"{where} element {i}", ge, we)


def encode_attribute(column, value):
    kind = column["input_type"]
    if kind in ("select", "radio"):
        return float(column["values"].index(value)) if value in column["values"] else math.nan
    if kind == "checkbox":
        return {"true": 1.0, "false": 0.0}.get(value.lower(), math.nan)
    if kind == "number":
        try:
            return float(np.float32(float(value)))
        except ValueError:
            return math.nan
    strings = column.get("strings") or []
    return float(strings.index(value)) if value in strings else math.nan


def expected_attributes(columns, record):
    row = []
    for column in columns:
        values = [a["value"] for a in record["attributes"] if a["spec_id"] == column["spec_id"]]
        row.append(encode_attribute(column, values[0]) if column["label_id"] == record["label_id"] and values
                   else math.nan)
    return row


def same_floats(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and bool(np.all((a == b) | (np.isnan(a) & np.isnan(b))))


def load_arrays(export, manifest):
    """Every .npy array; a sharded export's shards concatenated, offsets arrays (which restart at 0 in every
    shard) stitched into one."""
    shards = manifest.get("shards")
    if not shards:
        return {name: np.load(export / entry["file"]) for name, entry in manifest["arrays"].items()}
    arrays = {}
    for name in manifest["arrays"]:
        parts = [np.load(export / shard["arrays"][name]["file"]) for shard in shards]
        if name.endswith("_offsets"):
            stitched, base = [np.zeros(1, dtype=np.int64)], 0
            for part in parts:
                stitched.append(part[1:] + base)
                base += int(part[-1])
            arrays[name] = np.concatenate(stitched)
        else:
            arrays[name] = np.concatenate(parts)
    return arrays


def check_arrays(c, export, manifest, lines, report):
    arrays = load_arrays(export, manifest)
    transform = manifest["transform"]
    columns = manifest["labels"].get("attribute_columns")
    id_to_index = {int(k): v for k, v in manifest["labels"]["label_id_to_index"].items()}
    if transform["target"] == "label":
        tag_ids = arrays["tag_ids"]
        for i, line in enumerate(lines):
            tag = line["tags"][0]
            if tag_ids[i] != (tag["id"] if tag["id"] is not None else -1):
                c.problem(f"sample {i}", f"tag_ids {tag_ids[i]} != {tag['id']}")
            if arrays["labels"][i] != id_to_index[tag["label_id"]]:
                c.problem(f"sample {i}", "labels disagree with the tag")
            if columns is not None and not same_floats(arrays["tag_attributes"][i], expected_attributes(columns, tag)):
                c.problem(f"sample {i}", f"tag_attributes {arrays['tag_attributes'][i]} != {tag['attributes']}")
        report["checked_rows"] = len(lines)
        return
    kinds = set(transform["shape_types"])
    offsets = arrays["box_offsets"]
    rows = 0
    for i, line in enumerate(lines):
        shapes = [s for s in line["shapes"] if s["type"] in kinds]
        start, end = int(offsets[i]), int(offsets[i + 1])
        if end - start != len(shapes):
            c.problem(f"sample {i}", f"{end - start} box rows for {len(shapes)} shapes")
            continue
        for row, shape in zip(range(start, end), shapes):
            where = f"sample {i} row {row}"
            is_track = "track_id" in shape
            want = {
                "box_shape_ids": -1 if is_track or shape["id"] is None else shape["id"],
                "box_occluded": int(shape["occluded"]),
                "box_group": shape["group"] or 0,
                "box_z_order": shape["z_order"],
                "box_labels": id_to_index[shape["label_id"]],  # the offset is already in the map
            }
            if "box_track_ids" in arrays:
                want["box_track_ids"] = shape["track_id"] if is_track else -1
            for name, value in want.items():
                if int(arrays[name][row]) != value:
                    c.problem(where, f"{name} {arrays[name][row]} != {value}")
            if columns is not None:
                expected = expected_attributes(columns, shape)
                if not same_floats(arrays["box_attributes"][row], expected):
                    c.problem(where, f"box_attributes {arrays['box_attributes'][row]} != {expected}")
            rows += 1
    report["checked_rows"] = rows
    if columns is not None:
        values = arrays["box_attributes"]
        report["attribute_values"] = int(np.count_nonzero(~np.isnan(values)))
        report["attribute_nans"] = int(np.count_nonzero(np.isnan(values)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--export", required=True)
    ap.add_argument("--server", required=True)
    ap.add_argument("--cache-dir", required=True)
    ap.add_argument("--task", type=int, nargs="+", required=True)
    ap.add_argument("--tracks")
    ap.add_argument("--check-arrays", action="store_true")
    args = ap.parse_args()

    client = Client(url=args.server, config=Config(cache_dir=Path(args.cache_dir)), check_server_version=False)
    export = Path(args.export)
    manifest = json.loads((export / "manifest.json").read_text())
    lines = load_lines(export, manifest)
    report = {"samples": 0, "tags": 0, "shapes": 0, "track_shapes": 0, "fields": 0}
    if lines is None:
        print(json.dumps({"problems": ["the export has no annotations.jsonl"]}))
        return 1

    datasets = [TaskDataset(client, task_id, update_policy=UpdatePolicy.NEVER) for task_id in args.task]
    label_names, attribute_names, sdk_labels = {}, {}, {}
    for ds in datasets:
        for label in ds.labels:
            sdk_labels[label.id] = label
            label_names[label.id] = label.name
            for spec in label.attributes:
                attribute_names[spec.id] = spec.name
            for sub in label.sublabels or []:
                label_names[sub.id] = sub.name
                for spec in sub.attributes:
                    attribute_names[spec.id] = spec.name
    c = Comparer(label_names, attribute_names)

    expected_tracks = {}
    if args.tracks:
        for case in json.loads(Path(args.tracks).read_text())["cases"]:
            if case["name"].startswith("task4-track"):
                expected_tracks[int(case["name"][len("task4-track"):])] = case

    index = 0
    seen_track_frames = set()
    held_frames = set()
    for task_id, ds in zip(args.task, datasets):
        for sample in ds.samples:
            where = f"task {task_id} frame {sample.frame_index}"
            if index >= len(lines):
                c.problem(where, "no line")
                index += 1
                continue
            line = lines[index]
            index += 1
            report["samples"] += 1
            held_frames.add((task_id, sample.frame_index))
            if list(line) != ["task_id", "frame", "tags", "shapes"]:
                c.problem(where, f"line keys {list(line)}")
            if (line.get("task_id"), line.get("frame")) != (task_id, sample.frame_index):
                c.problem(where, f"line is task {line.get('task_id')} frame {line.get('frame')}")
            want_tags = [t.to_dict() for t in sample.annotations.tags]
            if len(line["tags"]) != len(want_tags):
                c.problem(where, f"{len(line['tags'])} tags != {len(want_tags)}")
            for i, (got, want) in enumerate(zip(line["tags"], want_tags)):
                c.record(f"{where} tag {i}", got, want, LabeledImage, ADDED_TAG)
                report["tags"] += 1
            plain = [s for s in line["shapes"] if "track_id" not in s]
            tracked = [s for s in line["shapes"] if "track_id" in s]
            if line["shapes"] != plain + tracked:
                c.problem(where, "track shapes are not after the plain shapes")
            want_shapes = [s.to_dict() for s in sample.annotations.shapes]
            if len(plain) != len(want_shapes):
                c.problem(where, f"{len(plain)} plain shapes != {len(want_shapes)}")
            for i, (got, want) in enumerate(zip(plain, want_shapes)):
                c.record(f"{where} shape {i}", got, want, LabeledShape, ADDED_SHAPE)
                report["shapes"] += 1
            for shape in tracked:
                report["track_shapes"] += 1
                if not isinstance(shape.get("keyframe"), bool):
                    c.problem(where, f"track shape keyframe {shape.get('keyframe')!r}")
                if shape.get("keyframe") is False and shape.get("id") is not None:
                    c.problem(where, "an interpolated track shape has an id")
                case = expected_tracks.get(shape["track_id"])
                if case is None:
                    continue
                seen_track_frames.add((shape["track_id"], sample.frame_index))
                want = [s for s in case["shapes"] if s["frame"] == sample.frame_index and not s["outside"]]
                if len(want) != 1:
                    c.problem(where, f"track {shape['track_id']}: CVAT exports no shape here")
                    continue
                compare_track_shape(c, f"{where} track {shape['track_id']}", shape, want[0])
    if index != len(lines):
        c.problem("annotations.jsonl", f"{len(lines)} lines for {index} samples")
    for track_id, case in expected_tracks.items():
        for frame in case["exported_frames"]:
            if (4, frame) in held_frames and (track_id, frame) not in seen_track_frames:
                c.problem(f"task 4 frame {frame}", f"track {track_id}'s shape is missing")
    report["fields"] = c.fields

    got_map = {int(k): v for k, v in (manifest["labels"].get("label_id_to_index") or {}).items()}
    sdk_map = {}
    for ds in datasets:
        sdk_map.update(sdk_label_id_to_index(ds.labels))
    if got_map != sdk_map:
        c.problem("manifest", f"label_id_to_index {got_map} != cvat-sdk's {sdk_map}")
    report["label_id_to_index"] = len(sdk_map)
    definitions = {d["id"]: d for d in manifest["labels"].get("definitions") or []}
    for label_id, label in sdk_labels.items():
        d = definitions.get(label_id)
        if d is None:
            c.problem("manifest", f"label {label_id} has no definition")
            continue
        want = {"name": label.name, "type": label.type, "color": label.color}
        for key, value in want.items():
            if d.get(key) != value:
                c.problem("manifest", f"label {label_id} {key}: {d.get(key)!r} != {value!r}")
        want_attributes = [
            {"id": a.id, "name": a.name, "input_type": getattr(a.input_type, "value", a.input_type), "mutable": a.mutable, "values": list(a.values),
             "default_value": a.default_value} for a in label.attributes]
        if d.get("attributes") != want_attributes:
            c.problem("manifest", f"label {label_id} attributes {d.get('attributes')} != {want_attributes}")
        if label.type == "skeleton":
            subs = [(s["id"], s["name"], s["parent"]) for s in d.get("sublabels") or []]
            if subs != [(s.id, s.name, label_id) for s in label.sublabels]:
                c.problem("manifest", f"skeleton {label_id} sublabels {subs}")

    if args.check_arrays:
        check_arrays(c, export, manifest, lines, report)
    report["problems"] = c.problems
    print(json.dumps(report))
    return 0 if not c.problems else 1


if __name__ == "__main__":
    sys.exit(main())
