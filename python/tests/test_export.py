"""cvat_ds.open over real exports: every target, every format, shards and merged parts, against an independent
reader (Fixtures/export/exports.py loads whole arrays with np.load / np.fromfile / safetensors), and the errors
for broken exports."""

import json
import pickle
import shutil
import sys

import numpy as np
import pytest

import cvat_ds

from conftest import REPO

sys.path.insert(0, str(REPO / "Fixtures" / "export"))
from exports import load_export  # noqa: E402

TARGETS = {
    "label": ("--task", "1", "--task", "2", "--transform", "label", "--resize", "40x30"),
    "none-ragged": ("--task", "1", "--transform", "none"),
    "bboxes": ("--task", "4", "--transform", "bboxes", "--resize", "64x48"),
    "bboxes-ragged": ("--task", "4", "--transform", "bboxes"),
    "masks": ("--task", "4", "--transform", "masks", "--resize", "64x48"),
    "masks-ragged": ("--task", "4", "--transform", "masks"),
    "semantic": ("--task", "4", "--transform", "semantic", "--resize", "64x48", "--layout", "nchw"),
    "semantic-ragged": ("--task", "4", "--transform", "semantic"),
    "keypoints": ("--task", "4", "--transform", "keypoints", "--shape-types", "skeleton", "--resize", "64x48",
                  "--dtype", "float32"),
}


def expected_sample(manifest, arrays, i):
    """Sample i cut out of the whole arrays, as output-format.md describes them."""
    target = manifest["transform"]["target"]
    layout = manifest["transform"]["layout"]
    out = {}
    if "image_offsets" in arrays:
        off = arrays["image_offsets"]
        out["image"] = arrays["images"][off[i]:off[i + 1]].reshape(arrays["image_shapes"][i])
    else:
        out["image"] = arrays["images"][i]
    if "labels" in arrays:
        out["label"] = int(arrays["labels"][i])
    rows = None
    if "box_offsets" in arrays:
        off = arrays["box_offsets"]
        rows = slice(off[i], off[i + 1])
        out["boxes"] = arrays["boxes"][rows]
        out["labels"] = arrays["box_labels"][rows]
        if "box_track_ids" in arrays:
            out["track_ids"] = arrays["box_track_ids"][rows]
    if "keypoints" in arrays:
        out["keypoints"] = arrays["keypoints"][rows]
    if "masks" in arrays:
        masks = arrays["masks"]
        if "mask_offsets" in arrays:
            off = arrays["mask_offsets"]
            shape = arrays["image_shapes"][i]
            h, w = (shape[0], shape[1]) if layout == "nhwc" else (shape[1], shape[2])
            if target == "semantic":
                out["masks"] = masks[off[i]:off[i + 1]].reshape(h, w)
            else:
                out["masks"] = masks[off[rows.start]:off[rows.stop]].reshape(rows.stop - rows.start, h, w)
        else:
            out["masks"] = masks[i] if target == "semantic" else masks[rows]
    return out


def assert_matches(export, folder):
    manifest, arrays, _ = load_export(folder)
    assert len(export) == len(manifest["samples"]) > 0
    for i, sample in enumerate(export):
        expected = expected_sample(manifest, arrays, i)
        assert sample.index == i
        assert (sample.task_id, sample.frame) == (manifest["samples"][i]["task_id"], manifest["samples"][i]["frame"])
        assert sample.info.name == manifest["samples"][i]["name"]
        for key, value in expected.items():
            got = getattr(sample, key)
            if isinstance(value, int):
                assert got == value, (i, key)
            else:
                assert got is not None, (i, key)
                assert got.dtype == value.dtype and got.shape == value.shape, (i, key, got.shape, value.shape)
                np.testing.assert_array_equal(got, value, err_msg=f"sample {i} {key}")
    # Negative indices and slices mean what they mean for a list.
    np.testing.assert_array_equal(export[-1].image, export[len(export) - 1].image)
    assert [s.index for s in export[1:3]] == [1, 2]
    with pytest.raises(IndexError):
        export[len(export)]


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_every_target(exporter, target):
    folder = exporter(*TARGETS[target])
    export = cvat_ds.open(folder)
    assert export.transform.target == target.split("-")[0]
    assert_matches(export, folder)


@pytest.mark.parametrize("fmt", ["raw", "safetensors"])
@pytest.mark.parametrize("target", ["label", "masks-ragged", "keypoints"])
def test_every_format(exporter, fmt, target):
    folder = exporter(*TARGETS[target], "--format", fmt)
    export = cvat_ds.open(folder)
    assert export.transform.format == fmt
    assert_matches(export, folder)
    # The same samples as the npy export of the same flags.
    npy = cvat_ds.open(exporter(*TARGETS[target]))
    for a, b in zip(export, npy):
        np.testing.assert_array_equal(a.image, b.image)
        if b.masks is not None:
            np.testing.assert_array_equal(a.masks, b.masks)


def test_arrays_are_memory_mapped(exporter):
    export = cvat_ds.open(exporter(*TARGETS["label"]))
    assert isinstance(export.array("images"), np.memmap)
    st = cvat_ds.open(exporter(*TARGETS["label"], "--format", "safetensors"))
    assert isinstance(st.array("images"), np.memmap)
    assert isinstance(st[0].image.base, np.memmap) or isinstance(st[0].image, np.memmap)


@pytest.mark.parametrize("fmt", ["npy", "safetensors"])
def test_shards_are_joined(exporter, fmt):
    whole = cvat_ds.open(exporter(*TARGETS["bboxes-ragged"], "--format", fmt))
    folder = exporter(*TARGETS["bboxes-ragged"], "--format", fmt, "--shard-size", "6")
    sharded = cvat_ds.open(folder)
    assert len(sharded.manifest["shards"]) > 2
    assert_matches(sharded, folder)
    assert len(sharded) == len(whole)
    for a, b in zip(sharded, whole):
        np.testing.assert_array_equal(a.image, b.image)
        np.testing.assert_array_equal(a.boxes, b.boxes)
        np.testing.assert_array_equal(a.labels, b.labels)
    np.testing.assert_array_equal(sharded.array("box_offsets"), whole.array("box_offsets"))


def test_merged_parts_are_joined(exporter, tmp_path):
    flags = TARGETS["masks"]
    whole = cvat_ds.open(exporter(*flags))
    run = tmp_path / "run"
    run.mkdir()
    for i in range(3):
        part = exporter(*flags, "--shard", f"{i}/3", *(("--shard-size", "2") if i == 1 else ()))
        shutil.copytree(part, run / f"part-{i}")
    exporter.run("merge-manifests", "--quiet", str(run), *(str(run / f"part-{i}") for i in range(3)))
    merged = cvat_ds.open(run)
    assert merged.manifest["parts"]
    assert len(merged) == len(whole)
    for a, b in zip(merged, whole):
        assert (a.task_id, a.frame) == (b.task_id, b.frame)
        np.testing.assert_array_equal(a.image, b.image)
        np.testing.assert_array_equal(a.masks, b.masks)
        np.testing.assert_array_equal(a.boxes, b.boxes)


def test_manifest_as_objects(exporter, server):
    export = cvat_ds.open(exporter("--project", "1", "--transform", "label", "--resize", "8x8", "--label-offset", "1"))
    assert export.source.server == server.url
    assert export.source.project is not None and export.source.project.id == 1
    assert [t.id for t in export.source.tasks] == [1, 2, 3]
    assert export.labels.offset == 1
    names = export.labels.names()
    assert [label.index for label in export.labels] == list(range(1, len(names) + 1))
    rose = export.labels.by_name(names[1])
    assert rose.index == 2
    with pytest.raises(KeyError, match="no label named"):
        export.labels.by_name("no such label")
    for sample in export:
        assert sample.label in range(1, len(names) + 1)
    assert export.transform.resize["mode"] == "resize"
    assert export.transform.tracks is True


def test_pickles_as_its_path(exporter):
    export = cvat_ds.open(exporter(*TARGETS["label"]))
    export[0]  # maps the images
    data = pickle.dumps(export)
    assert len(data) < 1000, "array data was pickled"
    again = pickle.loads(data)
    np.testing.assert_array_equal(again[3].image, export[3].image)


def broken_copy(folder, tmp_path):
    copy = tmp_path / "broken"
    shutil.copytree(folder, copy)
    return copy


def test_missing_manifest(tmp_path):
    with pytest.raises(cvat_ds.ExportError, match="manifest.json: missing"):
        cvat_ds.open(tmp_path)


def test_missing_array_names_the_file(exporter, tmp_path):
    copy = broken_copy(exporter(*TARGETS["bboxes"]), tmp_path)
    (copy / "boxes.npy").unlink()
    export = cvat_ds.open(copy)
    with pytest.raises(cvat_ds.ExportError, match=r"boxes\.npy: missing"):
        export[0]


def test_truncated_raw_array_names_the_file(exporter, tmp_path):
    copy = broken_copy(exporter(*TARGETS["label"], "--format", "raw"), tmp_path)
    with open(copy / "images.bin", "r+b") as f:
        f.truncate(100)
    with pytest.raises(cvat_ds.ExportError, match=r"images\.bin: is 100 bytes"):
        cvat_ds.open(copy)[0]


def test_manifest_disagreeing_with_array(exporter, tmp_path):
    copy = broken_copy(exporter(*TARGETS["label"]), tmp_path)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["arrays"]["labels"]["shape"] = [3]
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(cvat_ds.ExportError,
                       match=r"labels\.npy: labels is int64 \[\d+\], the manifest says int64 \[3\]"):
        cvat_ds.open(copy)[0]


def test_shards_not_covering_the_samples(exporter, tmp_path):
    copy = broken_copy(exporter(*TARGETS["bboxes-ragged"], "--shard-size", "6"), tmp_path)
    manifest = json.loads((copy / "manifest.json").read_text())
    del manifest["shards"][1]
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(cvat_ds.ExportError, match="shard 2 covers samples"):
        cvat_ds.open(copy)


def test_damaged_safetensors_header(exporter, tmp_path):
    copy = broken_copy(exporter(*TARGETS["label"], "--format", "safetensors"), tmp_path)
    with open(copy / "arrays.safetensors", "r+b") as f:
        f.seek(8)
        f.write(b"\xff\xfe not json")
    with pytest.raises(cvat_ds.ExportError, match=r"arrays\.safetensors: unreadable safetensors header"):
        cvat_ds.open(copy)[0]


def writes_annotations(exporter):
    """Whether this cvat-ds writes annotations.jsonl (the export format's annotations, issue 10)."""
    return "--no-annotations" in exporter.run("export", "--help").stdout


def test_annotations_absent_is_a_clear_error(exporter):
    flags = TARGETS["label"] + (("--no-annotations",) if writes_annotations(exporter) else ())
    export = cvat_ds.open(exporter(*flags))
    assert not export.has_annotations
    with pytest.raises(cvat_ds.ExportError, match="no annotations.jsonl"):
        export[0].annotations


@pytest.mark.parametrize("shard_size", [None, "5"])
def test_annotations_lines_are_the_servers(exporter, shard_size):
    """Each sample's annotations line holds the frame's tags and plain shapes as the server stores them (the test
    dataset's annotations.json), then its track shapes; with shards, each shard's own file. Where the binary does
    not write annotations.jsonl, the export says so instead."""
    flags = ("--task", "4", "--transform", "none", "--resize", "8x8") + (("--shard-size", shard_size) if shard_size
                                                                         else ())
    export = cvat_ds.open(exporter(*flags))
    if not writes_annotations(exporter):
        with pytest.raises(cvat_ds.ExportError, match="no annotations.jsonl"):
            export[0].annotations
        return
    assert export.has_annotations
    stored = json.loads((REPO / "Fixtures" / "datasets" / "sample" / "tasks" / "4" / "annotations.json").read_text())
    seen_track = False
    for sample in export:
        a = sample.annotations
        assert (a.task_id, a.frame) == (sample.task_id, sample.frame)
        tags = [t for t in stored["tags"] if t["frame"] == sample.frame]
        shapes = [s for s in stored["shapes"] if s["frame"] == sample.frame]
        assert [(t.id, t.label_id) for t in a.tags] == [(t["id"], t["label_id"]) for t in tags]
        plain = [s for s in a.shapes if s.track_id is None]
        assert [(s.id, s.type, s.label_id, list(s.points)) for s in plain] == [
            (s["id"], s["type"], s["label_id"], [float(v) for v in s["points"]]) for s in shapes]
        tracked = [s for s in a.shapes if s.track_id is not None]
        assert a.shapes[len(plain):] == tuple(tracked), "track shapes follow the plain ones"
        seen_track = seen_track or bool(tracked)
        for shape in a.shapes:
            assert shape.label == export.labels.by_id(shape.label_id).name
    assert seen_track


def assert_same_samples(a_export, b_export):
    assert len(a_export) == len(b_export) > 0
    for a, b in zip(a_export, b_export):
        assert a.info == b.info
        np.testing.assert_array_equal(a.image, b.image)
        assert a.image.dtype == b.image.dtype
        assert a.label == b.label
        for name in ("boxes", "labels", "track_ids", "masks", "keypoints"):
            x, y = getattr(a, name), getattr(b, name)
            assert (x is None) == (y is None), name
            if y is not None:
                assert x.dtype == y.dtype, name
                np.testing.assert_array_equal(x, y)
        assert sorted(a.extra) == sorted(b.extra)
        for name, value in b.extra.items():
            assert a.extra[name].dtype == value.dtype, name
            np.testing.assert_array_equal(a.extra[name], value)
        if b_export.has_annotations:
            assert a.annotations == b.annotations


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_webdataset_samples_are_the_npy_exports(exporter, target):
    """cvat_ds.open reads a webdataset export's tars (through DALI's index, without the webdataset package) as the
    same samples the npy export holds."""
    folder = exporter(*TARGETS[target], "--format", "webdataset", "--shard-bytes", "64K")
    export = cvat_ds.open(folder)
    assert export.is_webdataset and export.transform.format == "webdataset"
    assert_same_samples(export, cvat_ds.open(exporter(*TARGETS[target])))
    assert export[-1].info == export.samples[-1]


def test_webdataset_without_its_index_scans_the_tar(exporter, tmp_path):
    folder = tmp_path / "copy"
    shutil.copytree(exporter(*TARGETS["bboxes"], "--format", "webdataset", "--shard-size", "5"), folder)
    for index in folder.glob("*.idx"):
        index.unlink()
    assert_same_samples(cvat_ds.open(folder), cvat_ds.open(exporter(*TARGETS["bboxes"])))


def test_webdataset_keep_encoded_gives_the_files_bytes(exporter):
    export = cvat_ds.open(exporter("--task", "1", "--task", "4", "--transform", "bboxes", "--format", "webdataset",
                                   "--keep-encoded"))
    reference = cvat_ds.open(exporter("--task", "1", "--task", "4", "--transform", "bboxes"))
    from PIL import Image
    import io

    formats = set()
    for a, b in zip(export, reference):
        formats.add(a.image_format)
        assert a.image.dtype == np.uint8 and a.image.ndim == 1
        np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(a.image.tobytes())).convert("RGB")), b.image)
        np.testing.assert_array_equal(a.boxes, b.boxes)
    assert formats == {"jpg", "png"}


def test_webdataset_has_no_arrays(exporter):
    export = cvat_ds.open(exporter(*TARGETS["label"], "--format", "webdataset"))
    with pytest.raises(cvat_ds.ExportError, match="not arrays"):
        export.array("images")


def test_webdataset_truncated_tar_names_the_file(exporter, tmp_path):
    folder = tmp_path / "copy"
    shutil.copytree(exporter(*TARGETS["label"], "--format", "webdataset"), folder)
    tar = folder / "shard-00000.tar"
    tar.write_bytes(tar.read_bytes()[:4096])
    with pytest.raises(cvat_ds.ExportError, match="shard-00000.tar"):
        list(cvat_ds.open(folder))
