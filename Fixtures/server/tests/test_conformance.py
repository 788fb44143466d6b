"""Conformance tests of Fixtures/server/cvat_test_server.py against the real cvat-sdk 2.80.

Run: /tmp/sdkvenv/bin/python -m pytest -q Fixtures/server/tests
"""

import gzip
import hashlib
import http.client
import io
import json
import os
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import PIL.Image
import pytest
from cvat_sdk import Config, make_client
from cvat_sdk.core.client import Client
from cvat_sdk.datasets import TaskDataset, UnsupportedDatasetError
from cvat_sdk.masks import decode_mask

from conftest import (ADMIN_PAT, DATASET, EXPIRED_PAT, SDK_DIR, WORKER_PAT, Api, RunningServer, basic)

DS = json.loads((DATASET / "dataset.json").read_text())
TASKS = {t["id"]: t for t in DS["tasks"]}
IMAGE_TASKS = [1, 2, 3, 4, 6]


def sdk_client(server, tmp_path, **kw):
    client = make_client(server.url, **kw)
    client.config.cache_dir = tmp_path / "cache"
    return client


def crc(body):
    return str(zlib.crc32(body[:1000], zlib.crc32(str(len(body)).encode())))


# ------------------------------------------------------------------------------------------------ basics

def test_about_without_auth(api):
    r = api.get("/api/server/about", auth=None)
    assert r.status == 200
    assert r.header("Content-Type") == "application/vnd.cvat+json"
    about = r.json()
    assert set(about) == {"name", "description", "version", "logo_url", "subtitle"}
    assert about["version"] == "2.73.0"


def test_trailing_slash_and_accept(api):
    assert api.get("/api/tasks/1/").status == 404
    assert api.get("/api/tasks/").status == 404
    assert api.get("/api/tasks/1/", auth=None).status == 404  # URL resolution precedes auth
    assert api.get("/api/tasks/1/annotations/").status == 200
    assert api.get("/api/tasks/1/annotations").status == 200
    assert api.get("/api/tasks/1/data/?type=frame&number=0").status == 200
    assert api.get("/api/nonexistent").status == 404
    assert api.get("/api/tasks/1", headers={"Accept": "application/json"}).status == 406
    assert api.get("/api/tasks/1", headers={"Accept": "application/vnd.cvat+json; version=2.0"}).status == 200
    assert api.get("/api/tasks/1", headers={"Accept": "application/vnd.cvat+json; version=1.0"}).status == 406
    assert api.get("/api/tasks/1", headers={"Accept": "*/*"}).status == 200
    assert api.request("DELETE", "/api/server/about").status == 405


def test_auth_schemes(api):
    missing = api.get("/api/tasks/1", auth=None)
    assert missing.status == 401 and missing.header("WWW-Authenticate") == "Token"
    assert missing.json() == {"detail": "Authentication credentials were not provided."}
    assert api.get("/api/tasks/1", auth=None, headers={"Authorization": "Bearer cvat_pat_nope.123"}).status == 401
    assert api.get("/api/tasks/1", auth=None, headers={"Authorization": f"Bearer {EXPIRED_PAT}"}).status == 401
    assert api.get("/api/tasks/1", auth=None, headers={"Authorization": "Token " + "0" * 40}).status == 401
    bad = api.get("/api/tasks/1", auth=None, headers={"Authorization": basic("admin", "wrong")})
    assert bad.status == 401 and "detail" in bad.json()
    assert api.get("/api/tasks/1", auth=None, headers={"Authorization": basic("admin", "admin-password")}).status == 200
    assert api.get("/api/tasks/1", auth=None, headers={"Authorization": basic("admin@example.com", "admin-password")}).status == 200

    # login -> Token + session cookies
    wrong = api.post("/api/auth/login", {"username": "admin", "password": "nope"}, auth=None)
    assert wrong.status == 400
    assert wrong.json() == {"non_field_errors": ["Unable to log in with provided credentials."]}
    r = api.post("/api/auth/login", {"username": "worker", "password": "worker-password"}, auth=None)
    assert r.status == 200
    key = r.json()["key"]
    assert len(key) == 40 and all(c in "0123456789abcdef" for c in key)
    cookies = {c.split("=", 1)[0]: c.split("=", 1)[1].split(";")[0] for c in r.headers.get_all("Set-Cookie")}
    assert {"sessionid", "csrftoken"} <= set(cookies)
    token_h = {"Authorization": f"Token {key}"}
    assert api.get("/api/users/self", auth=None, headers=token_h).json()["username"] == "worker"
    cookie_h = {"Cookie": f"sessionid={cookies['sessionid']}; csrftoken={cookies['csrftoken']}"}
    assert api.get("/api/users/self", auth=None, headers=cookie_h).json()["username"] == "worker"
    # unsafe method with a session needs the CSRF header
    assert api.post("/api/auth/logout", auth=None, headers=cookie_h).status == 403
    # logout with the token deletes token and session
    assert api.get("/_test/stats", auth=None).json()["logout_calls"] == 1
    assert api.post("/api/auth/logout", auth=None, headers=token_h).status == 200
    assert api.get("/_test/stats", auth=None).json()["logout_calls"] == 2
    assert api.get("/api/users/self", auth=None, headers=token_h).status == 401
    assert api.get("/api/users/self", auth=None, headers=cookie_h).status == 401

    schemes = [e["auth_scheme"] for e in api.log()]
    assert {"Token", "Bearer", "Basic", "session", None} <= set(schemes)
    log_text = json.dumps(api.log())
    for secret in (ADMIN_PAT, key, cookies["sessionid"], "admin-password", "worker-password"):
        assert secret not in log_text


def test_users_self(api):
    me = api.get("/api/users/self").json()
    assert me["username"] == "admin" and me["is_superuser"] is True
    for k in ("url", "id", "first_name", "last_name", "email", "groups", "is_staff", "is_active",
              "last_login", "date_joined", "has_analytics_access"):
        assert k in me


# ------------------------------------------------------------------------------------------------ SDK

def test_sdk_pat_client(server, api, tmp_path):
    client = sdk_client(server, tmp_path, access_token=ADMIN_PAT)
    assert client.users.retrieve_current_user().username == "admin"
    task = client.tasks.retrieve(1)
    assert task.size == 17 and task.data_chunk_size == 8 and task.project_id == 1
    assert task.subset == "Train"
    labels = task.get_labels()
    assert [l.id for l in labels] == [1, 2, 3, 4, 5, 6]
    assert [l.name for l in labels] != sorted(l.name for l in labels)
    assert all(l.project_id == 1 for l in labels)
    meta = task.get_meta()
    assert meta.deleted_frames == [3, 16] and meta.size == 17 and meta.chunk_size == 8
    assert len(meta.frames) == 17
    ann = task.get_annotations()
    assert {t.frame for t in ann.tags} == set(range(17))  # including the deleted frames
    project = client.projects.retrieve(1)
    assert project.name == "flowers"
    # The SDK lists a project's tasks in the project's workspace (org=""), so task 2 (org "lab") is absent.
    assert sorted(t.id for t in project.get_tasks()) == [1, 3]
    assert sorted(t["id"] for t in api.get("/api/tasks?project_id=1").json()["results"]) == [1, 2, 3]
    assert api.get("/_test/stats", auth=None).json()["logout_calls"] == 0


def test_sdk_password_client(server, api, tmp_path):
    client = sdk_client(server, tmp_path, credentials=("worker", "worker-password"))
    assert client.users.retrieve_current_user().username == "worker"
    assert sorted(t.id for t in client.tasks.list()) == [1, 6]
    t1 = client.tasks.retrieve(1)
    assert t1.project_name is None  # the worker cannot see project 1
    assert len(t1.get_labels()) == 6
    with pytest.raises(Exception) as e:
        client.tasks.retrieve(2)
    assert getattr(e.value, "status", None) == 404
    schemes = {e["auth_scheme"] for e in api.log() if e["path"].startswith("/api/tasks")}
    assert schemes == {"session"}
    assert api.get("/_test/stats", auth=None).json()["logout_calls"] == 0  # not needed, not called


def test_sdk_task_4_every_shape(server, api, tmp_path):
    client = sdk_client(server, tmp_path, access_token=ADMIN_PAT)
    task = client.tasks.retrieve(4)
    labels = {l.name: l for l in task.get_labels()}
    sk = labels["body"]
    assert sk.type == "skeleton" and len(sk.sublabels) == 4 and "data-node-from" in sk.svg
    assert all(l.task_id == 4 for l in labels.values())
    meta = task.get_meta()
    ann = task.get_annotations()
    types = {s.type.value if hasattr(s.type, "value") else str(s.type) for s in ann.shapes}
    assert types == {"rectangle", "polygon", "polyline", "points", "ellipse", "mask", "skeleton"}
    assert any(s.rotation and str(s.type) == "rectangle" for s in ann.shapes)
    assert any(s.rotation and str(s.type) == "ellipse" for s in ann.shapes)
    mask = next(s for s in ann.shapes if str(s.type) == "mask")
    fr = meta.frames[mask.frame]
    m = decode_mask(mask.points, image_width=fr.width, image_height=fr.height)
    assert m.sum() > 100
    ttypes = {str(t.shapes[0].type) for t in ann.tracks}
    assert ttypes == {"rectangle", "polygon", "points", "ellipse", "skeleton"}
    assert any(t.frame > 0 for t in ann.tracks)
    assert any(s.outside for t in ann.tracks for s in t.shapes)
    assert any(s.frame in meta.deleted_frames for t in ann.tracks for s in t.shapes)
    skel = next(t for t in ann.tracks if str(t.shapes[0].type) == "skeleton")
    assert len(skel.elements) == 4


@pytest.mark.parametrize("tid", IMAGE_TASKS)
def test_sdk_task_dataset(server, api, tmp_path, tid):
    client = sdk_client(server, tmp_path, access_token=ADMIN_PAT)
    ds = TaskDataset(client, tid)
    d = TASKS[tid]["data"]
    active = [i for i in range(d["size"]) if i not in d["deleted_frames"]]
    assert [s.frame_index for s in ds.samples] == active
    for s in ds.samples:
        im = s.media.load_image()
        assert isinstance(im, PIL.Image.Image)
        fr = d["frames"][s.frame_index]
        assert im.size == (fr["width"], fr["height"]) and s.frame_name == fr["name"]
        if tid in (1, 2, 3):
            assert len(s.annotations.tags) == 1
    chunk_numbers = {int(dict(p.split("=") for p in e["query"].split("&"))["number"])
                     for e in api.log() if e["path"].rstrip("/") == f"/api/tasks/{tid}/data"}
    assert chunk_numbers == {i // d["chunk_size"] for i in active}
    if tid == 1:
        assert 2 not in chunk_numbers  # chunk 2 holds only the deleted frame 16


def test_sdk_video_task(server, api, tmp_path):
    client = sdk_client(server, tmp_path, access_token=ADMIN_PAT)
    task = client.tasks.retrieve(7)
    assert task.data_original_chunk_type == "video" and task.mode == "interpolation"
    meta = task.get_meta()
    assert len(meta.frames) == 1 and meta.frame_filter == "step=2"
    assert meta.stop_frame == meta.start_frame + 2 * (meta.size - 1)
    with pytest.raises(UnsupportedDatasetError):
        TaskDataset(client, 7)
    r = api.get("/api/tasks/7/data?type=chunk&number=0&quality=original")
    assert r.status == 200 and r.header("Content-Type") == "video/mp4" and r.data[4:8] == b"ftyp"
    r = api.get("/api/tasks/7/data?type=chunk&number=9&quality=compressed")
    z = zipfile.ZipFile(io.BytesIO(r.data))
    assert [i.filename for i in z.infolist()] == [f"{i:06d}.jpeg" for i in range(300 - 9 * 32)]
    r = api.get("/api/tasks/7/data?type=frame&number=123&quality=original")
    assert r.header("Content-Type") == "image/png"
    assert PIL.Image.open(io.BytesIO(r.data)).size == (64, 48)
    assert len(task.get_annotations().tracks) == 2


def test_no_data_task(api, server, tmp_path):
    t = api.get("/api/tasks/5").json()
    for k in ("size", "data_chunk_size", "data_original_chunk_type", "image_quality"):
        assert k not in t
    assert t["data"] is None and t["jobs"]["count"] == 0
    assert api.get("/api/tasks/5/annotations").status == 400
    client = sdk_client(server, tmp_path, access_token=ADMIN_PAT)
    # cvat-sdk 2.80 reads task.size before checking it, so the absent field raises ApiAttributeError
    with pytest.raises(Exception):
        TaskDataset(client, 5)


# ------------------------------------------------------------------------------------------------ chunks

def test_chunks_range_and_headers(api):
    full = api.get("/api/tasks/1/data?type=chunk&number=0&quality=original")
    assert full.status == 200
    assert full.header("Content-Type") == "application/zip"
    assert full.header("Accept-Ranges") == "bytes"
    assert full.header("X-Chunk-Size") == str(len(full.data))
    assert full.header("X-Checksum") == crc(full.data)
    assert full.header("X-Updated-Date") == TASKS[1]["data"]["chunks_updated_date"]
    z = zipfile.ZipFile(io.BytesIO(full.data))
    infos = z.infolist()
    frames = TASKS[1]["data"]["frames"]
    assert [i.filename for i in infos] == [f"{k:06d}.{frames[k]['name'].rsplit('.', 1)[1]}" for k in range(8)]
    assert all(i.compress_type == zipfile.ZIP_STORED for i in infos)
    assert z.read(infos[2]) == (DATASET / frames[2]["file"]).read_bytes()
    last = api.get("/api/tasks/1/data?type=chunk&number=2&quality=original")
    assert len(zipfile.ZipFile(io.BytesIO(last.data)).infolist()) == 1  # partial last chunk
    comp = api.get("/api/tasks/1/data?type=chunk&number=0&quality=compressed")
    names = zipfile.ZipFile(io.BytesIO(comp.data)).namelist()
    assert all(n.endswith(".jpeg") for n in names)
    assert api.get("/api/tasks/1/data?type=chunk&number=3&quality=original").status == 400
    assert api.get("/api/tasks/1/data?type=chunk&number=-1").status == 400
    assert api.get("/api/tasks/1/data?type=chunk&number=0&quality=best").status == 400

    n = len(full.data)
    r = api.get("/api/tasks/1/data?type=chunk&number=0&quality=original", headers={"Range": "bytes=100-199"})
    assert r.status == 206 and r.data == full.data[100:200]
    assert r.header("Content-Range") == f"bytes 100-199/{n}"
    r = api.get("/api/tasks/1/data?type=chunk&number=0&quality=original", headers={"Range": f"bytes={n - 10}-"})
    assert r.status == 206 and r.data == full.data[-10:]
    r = api.get("/api/tasks/1/data?type=chunk&number=0&quality=original", headers={"Range": f"bytes={n}-"})
    assert r.status == 416 and r.header("Content-Range") == f"bytes */{n}"
    r = api.get("/api/tasks/1/data?type=chunk&number=0&quality=original", headers={"Range": "lines=1-2"})
    assert r.status == 400

    fr = api.get("/api/tasks/4/data?type=frame&number=1&quality=original")
    assert fr.header("Content-Type") == "image/png"
    assert fr.data == (DATASET / TASKS[4]["data"]["frames"][1]["file"]).read_bytes()
    fr = api.get("/api/tasks/4/data?type=frame&number=1&quality=compressed")
    assert fr.header("Content-Type") == "image/jpeg"


def test_gzip(api):
    plain = api.get("/api/tasks/4/annotations")
    assert plain.header("Content-Encoding") is None
    gz = api.get("/api/tasks/4/annotations", headers={"Accept-Encoding": "gzip, deflate"})
    assert gz.header("Content-Encoding") == "gzip"
    assert gzip.decompress(gz.data) == plain.data
    small = api.get("/api/server/about", headers={"Accept-Encoding": "gzip"})
    assert small.header("Content-Encoding") == "gzip"  # >= 200 bytes
    err = api.get("/api/tasks/999", headers={"Accept-Encoding": "gzip"})
    assert err.header("Content-Encoding") is None  # < 200 bytes
    url = "/api/tasks/1/data?type=chunk&number=0&quality=original"
    full = api.get(url)
    cz = api.get(url, headers={"Accept-Encoding": "gzip"})
    if cz.header("Content-Encoding") == "gzip":
        assert gzip.decompress(cz.data) == full.data and len(cz.data) < len(full.data)
    else:
        assert cz.data == full.data
    rg = api.get(url, headers={"Accept-Encoding": "gzip", "Range": "bytes=0-9999"})
    assert rg.status == 206 and rg.header("Content-Encoding") is None and len(rg.data) == 10000
    log = [e for e in api.log() if e["path"] == "/api/tasks/4/annotations"]
    assert [e["content_encoding"] for e in log] == [None, "gzip"]


# ------------------------------------------------------------------------------------------------ lists

def test_pagination(api):
    first = api.get("/api/tasks?page_size=2&sort=id").json()
    assert first["count"] == 7 and first["previous"] is None
    ids = [t["id"] for t in first["results"]]
    nxt = first["next"]
    pages = 1
    while nxt:
        assert nxt.startswith(api.url + "/api/tasks?") and "sort=id" in nxt and "page_size=2" in nxt
        page = api.get(nxt[len(api.url):]).json()
        assert page["previous"] is not None
        ids += [t["id"] for t in page["results"]]
        nxt = page["next"]
        pages += 1
    assert ids == [1, 2, 3, 4, 5, 6, 7] and pages == 4
    assert [t["id"] for t in api.get("/api/tasks").json()["results"]] == [7, 6, 5, 4, 3, 2, 1]
    assert len(api.get("/api/tasks?page_size=all").json()["results"]) == 7
    past = api.get("/api/tasks?page=5&page_size=2")
    assert past.status == 404 and past.json() == {"detail": "Invalid page."}
    labels = api.get("/api/labels?task_id=4&page_size=3").json()
    assert labels["count"] == 8 and len(labels["results"]) == 3 and labels["next"]
    assert api.get("/api/labels?task_id=1&project_id=1").status == 400
    assert [t["id"] for t in api.get("/api/tasks?subset=Train&sort=id").json()["results"]] == [1, 2]
    jobs = api.get("/api/jobs?task_id=1").json()["results"]
    assert [j["id"] for j in jobs] == [2, 1]
    assert {(j["stage"], j["state"]) for j in api.get("/api/jobs?page_size=all").json()["results"]} >= {
        ("annotation", "in progress"), ("validation", "completed"), ("acceptance", "completed"), ("validation", "rejected")}
    flt = json.dumps({"and": [{">": [{"var": "updated_date"}, "2025-03-09T00:00:00Z"]}]})
    got = api.get("/api/tasks?sort=id&filter=" + __import__("urllib.parse").parse.quote(flt)).json()["results"]
    assert [t["id"] for t in got] == [1, 2, 4]
    assert api.get("/api/projects").json()["count"] == 1


def test_organizations(api):
    def ids(path, **kw):
        return sorted(t["id"] for t in api.get(path, **kw).json()["results"])
    assert ids("/api/tasks", headers={"X-Organization": "lab"}) == [2]
    assert ids("/api/tasks?org=lab") == [2]
    assert ids("/api/tasks?org_id=1") == [2]
    assert ids("/api/tasks?org=") == [1, 3, 4, 5, 6, 7]
    assert ids("/api/jobs", headers={"X-Organization": "lab"}) == [3, 4]
    assert api.get("/api/tasks?org_id=1", headers={"X-Organization": "lab"}).status == 400
    assert api.get("/api/tasks", headers={"X-Organization": "nope"}).status == 404
    assert api.get("/api/tasks/2").json()["organization"] == 1  # detail needs no org
    assert api.get("/api/tasks/1", headers={"X-Organization": "lab"}).status == 200
    log = api.log()
    assert log[0]["organization"] == "lab"


def test_worker_visibility(api):
    assert api.get("/api/tasks/2", auth="worker").status == 404
    assert api.get("/api/projects/1", auth="worker").status == 404
    assert api.get("/api/tasks/1", auth="worker").json()["project_name"] is None
    assert sorted(j["task_id"] for j in api.get("/api/jobs", auth="worker").json()["results"]) == [1, 1, 6]
    assert api.get("/api/tasks/999").status == 404


# ------------------------------------------------------------------------------------------------ control

def test_control_annotations(api):
    before_t = api.get("/api/tasks/1").json()
    before_p = api.get("/api/projects/1").json()
    before_j = api.get("/api/jobs/1").json()
    before_m = api.get("/api/tasks/1/data/meta").json()
    before_a = api.get("/api/tasks/1/annotations").json()
    res = api.control("/_test/tasks/1/annotations")
    after_a = api.get("/api/tasks/1/annotations").json()
    assert after_a != before_a
    moved = res["changes"][0]["moved_shape"]
    s0 = next(s for s in before_a["shapes"] if s["id"] == moved)
    s1 = next(s for s in after_a["shapes"] if s["id"] == moved)
    assert s1["points"][0] == s0["points"][0] + 1
    assert api.get("/api/tasks/1").json()["updated_date"] > before_t["updated_date"]
    assert api.get("/api/projects/1").json()["updated_date"] > before_p["updated_date"]
    assert api.get("/api/jobs/1").json()["updated_date"] > before_j["updated_date"]
    assert api.get("/api/tasks/1/data/meta").json()["chunks_updated_date"] == before_m["chunks_updated_date"]
    # explicit tag
    api.control("/_test/tasks/6/annotations", {"add_tag": {"frame": 0, "label_id": 32}})
    tags = api.get("/api/tasks/6/annotations").json()["tags"]
    assert sum(1 for t in tags if t["frame"] == 0) == 2


def test_control_chunks(api, server, tmp_path):
    url = "/api/tasks/1/data?type=chunk&number=0&quality=original"
    c0 = api.get(url)
    t0 = api.get("/api/tasks/1").json()["updated_date"]
    res = api.control("/_test/tasks/1/chunks")
    c1 = api.get(url)
    assert c1.data != c0.data and c1.header("X-Checksum") != c0.header("X-Checksum")
    assert c1.header("X-Updated-Date") == res["chunks_updated_date"] > c0.header("X-Updated-Date")
    assert api.get("/api/tasks/1").json()["updated_date"] > t0
    f = res["changed_frame"]
    a = zipfile.ZipFile(io.BytesIO(c0.data)).read(zipfile.ZipFile(io.BytesIO(c0.data)).infolist()[f])
    b = zipfile.ZipFile(io.BytesIO(c1.data)).read(zipfile.ZipFile(io.BytesIO(c1.data)).infolist()[f])
    ia, ib = PIL.Image.open(io.BytesIO(a)), PIL.Image.open(io.BytesIO(b))
    assert ia.size == ib.size and ia.convert("RGB").tobytes() != ib.convert("RGB").tobytes()
    # the compressed chunk changes too, and the video task can be bumped as well
    assert api.get("/api/tasks/1/data?type=chunk&number=0&quality=compressed").status == 200
    api.control("/_test/tasks/7/chunks")


def test_control_labels_delete_dates(api):
    t2 = api.get("/api/tasks/2").json()["updated_date"]
    res = api.control("/_test/tasks/1/labels", {"name": "orchid"})
    assert res["label"]["project_id"] == 1
    names = [l["name"] for l in api.get("/api/labels?task_id=3&page_size=all").json()["results"]]
    assert names[-1] == "orchid"
    assert api.get("/api/tasks/2").json()["updated_date"] > t2
    res = api.control("/_test/tasks/4/labels")
    assert res["label"]["task_id"] == 4
    api.control("/_test/tasks/4/updated-date", {"updated_date": "2020-01-01T00:00:00.000000Z"})
    assert api.get("/api/tasks/4").json()["updated_date"] == "2020-01-01T00:00:00.000000Z"
    api.control("/_test/tasks/3/delete")
    assert api.get("/api/tasks/3").status == 404
    assert api.get("/api/tasks/3/annotations").status == 404
    assert api.get("/api/tasks?page_size=all").json()["count"] == 6
    api.control("/_test/reset")
    assert api.get("/api/tasks/3").status == 200


# ------------------------------------------------------------------------------------------------ faults

CHUNK = "/api/tasks/1/data?type=chunk&number=0&quality=original"


def test_fault_5xx_and_seed(api):
    api.control("/_test/faults", {"seed": 7, "chunk_5xx_rate": 1.0})
    r = api.get(CHUNK)
    assert r.status in (500, 502, 503)
    assert api.get("/api/tasks/1").status == 200
    assert api.log()[-2]["fault"].startswith("5xx")
    api.control("/_test/faults", {"json_5xx_rate": 1.0})
    assert api.get("/api/tasks/1").status in (500, 502, 503)
    assert api.get("/api/server/about").status == 200  # never faulted

    def run():
        api.control("/_test/faults", {"seed": 42, "chunk_5xx_rate": 0.5})
        return [api.get(CHUNK).status for _ in range(12)]
    a, b = run(), run()
    assert a == b and 200 in a and any(s >= 500 for s in a)


def test_fault_drop(api):
    api.control("/_test/faults", {"drop_rate": 1.0})
    with pytest.raises(http.client.IncompleteRead):
        api.get(CHUNK)
    assert api.log()[-1]["fault"] == "drop"


def test_fault_retry_after(api):
    api.control("/_test/faults", {"retry_after_first": True, "retry_after_seconds": 3})
    r = api.get(CHUNK)
    assert r.status == 429 and r.header("Retry-After") == "3"
    assert api.get(CHUNK).status == 200
    assert api.get(CHUNK.replace("original", "compressed")).status == 429


def test_fault_latency_and_slow(api):
    api.control("/_test/faults", {"latency_ms": 300})
    t = time.monotonic()
    api.get("/api/tasks/1")
    assert time.monotonic() - t >= 0.3
    api.control("/_test/faults", {"slow_bytes_per_sec": 20000})
    t = time.monotonic()
    r = api.get("/api/tasks/1/data?type=chunk&number=2&quality=original")  # a ~10 KB chunk
    assert r.status == 200
    assert time.monotonic() - t >= 0.8 * len(r.data) / 20000


def test_fault_bandwidth_hold_and_fail_chunks(api):
    import threading
    # A link of 50 KB/s shared by two concurrent chunk responses: together they take their summed size / 50 KB/s.
    api.control("/_test/faults", {"bandwidth_bytes_per_sec": 50000})
    sizes = []
    t = time.monotonic()
    threads = [threading.Thread(target=lambda n=n: sizes.append(len(api.get(
        f"/api/tasks/1/data?type=chunk&number={n}&quality=compressed").data))) for n in (0, 1)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert time.monotonic() - t >= 0.8 * sum(sizes) / 50000
    # A held chunk is answered only after /_test/release; other chunks pass meanwhile.
    api.control("/_test/faults", {"hold_chunks": [[1, 1]]})
    got = {}
    held = threading.Thread(target=lambda: got.update(r=api.get("/api/tasks/1/data?type=chunk&number=1")))
    held.start()
    deadline = time.monotonic() + 10
    while api.get("/_test/held", auth=None).json()["held"] != [[1, 1]] and time.monotonic() < deadline:
        time.sleep(0.02)
    assert api.get("/_test/held", auth=None).json()["held"] == [[1, 1]] and "r" not in got
    assert api.get(CHUNK).status == 200
    api.control("/_test/release")
    held.join(10)
    assert got["r"].status == 200 and api.log()[-1]["fault"] == "held"
    # fail_chunks: that chunk always fails, with the status asked for.
    api.control("/_test/faults", {"fail_chunks": [[1, 0], [1, 1, 404]]})
    assert api.get(CHUNK).status == 500 and api.log()[-1]["fault"] == "fail:500"
    assert api.get("/api/tasks/1/data?type=chunk&number=1").status == 404
    assert api.get("/api/tasks/2/data?type=chunk&number=0").status == 200


def test_fault_ignore_range_and_endless(api, server):
    api.control("/_test/faults", {"ignore_range": True})
    r = api.get(CHUNK, headers={"Range": "bytes=0-9"})
    assert r.status == 200 and len(r.data) > 10
    api.control("/_test/faults", {"endless_body": True})
    conn = http.client.HTTPConnection(api.host, api.port, timeout=10)
    conn.request("GET", CHUNK, headers={"Authorization": f"Bearer {ADMIN_PAT}", "Accept-Encoding": "identity"})
    resp = conn.getresponse()
    assert resp.status == 200 and resp.getheader("Content-Length") is None
    got = 0
    while got < 3_000_000:
        got += len(resp.read(65536))
    conn.close()
    assert got >= 3_000_000


def test_fault_malformed_corrupt_redirect(api):
    api.control("/_test/faults", {"malformed_json": [r"/annotations$"], "corrupt_chunks": [[1, 0]]})
    with pytest.raises(ValueError):
        api.get("/api/tasks/1/annotations").json()
    api.get("/api/tasks/1").json()  # others unaffected
    bad = api.get(CHUNK)
    with pytest.raises(zipfile.BadZipFile):
        zipfile.ZipFile(io.BytesIO(bad.data))
    assert api.get("/api/tasks/1/data?type=chunk&number=1&quality=original").status == 200
    api.control("/_test/faults", {"redirect_api_to": "http://127.0.0.1:9"})
    r = api.get("/api/tasks?page=1")
    assert r.status == 302 and r.header("Location") == "http://127.0.0.1:9/api/tasks?page=1"
    api.control("/_test/faults", {})
    assert zipfile.ZipFile(io.BytesIO(api.get(CHUNK).data))


# ------------------------------------------------------------------------------------------------ sdk scripts

def test_sdk_scripts_round_trip(tmp_path):
    srv = RunningServer()
    try:
        cache = tmp_path / "cache"
        py = sys.executable
        out = subprocess.run([py, str(SDK_DIR / "sdk_sync.py"), "--server", srv.url, "--cache-dir", str(cache),
                              "--project", "1"], capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        summary = json.loads(out.stdout)
        assert sorted(t["id"] for t in summary["tasks"]) == [1, 3]
        out = subprocess.run([py, str(SDK_DIR / "sdk_sync.py"), "--server", srv.url, "--cache-dir", str(cache),
                              "--task", "2", "4"], capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
    finally:
        srv.stop()
    out = subprocess.run([py, str(SDK_DIR / "sdk_read_cache.py"), "--server", srv.url, "--cache-dir", str(cache),
                          "--task", "1", "4"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    t1, t4 = data["tasks"]
    assert len(t1["samples"]) == 15 and len(t4["samples"]) == 18
    assert all(len(s["tags"]) == 1 for s in t1["samples"])
    assert [l["id"] for l in t1["labels"]] == [1, 2, 3, 4, 5, 6]
    fr = TASKS[1]["data"]["frames"][0]
    img = PIL.Image.open(DATASET / fr["file"])
    assert t1["samples"][0]["sha256"] == hashlib.sha256(img.convert("RGB").tobytes()).hexdigest()
    assert any(s["shapes"] and s["shapes"][0]["rotation"] for s in t4["samples"])
    out = subprocess.run([py, str(SDK_DIR / "sdk_read_cache.py"), "--server", srv.url, "--cache-dir", str(cache),
                          "--task", "6"], capture_output=True, text=True, timeout=60)
    assert out.returncode != 0 and "incomplete" in out.stderr


# ------------------------------------------------------------------------------------------------ process

def test_tls_ready_file_and_exit(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=127.0.0.1"], check=True, capture_output=True)
    ready = tmp_path / "ready"
    srv = RunningServer(["--tls-cert", str(cert), "--tls-key", str(key), "--ready-file", str(ready)])
    try:
        assert srv.url.startswith("https://127.0.0.1:")
        assert ready.read_text().strip() == srv.url
        import ssl
        ctx = ssl.create_default_context(cafile=str(cert))
        ctx.check_hostname = False
        conn = http.client.HTTPSConnection("127.0.0.1", int(srv.url.rsplit(":", 1)[1]), context=ctx, timeout=10)
        conn.request("GET", "/api/tasks/1", headers={"Authorization": f"Bearer {ADMIN_PAT}"})
        r = conn.getresponse()
        body = json.loads(r.read())
        assert r.status == 200 and body["url"].startswith("https://")
        conn.close()
        # closing stdin stops a server started with --exit-on-stdin-eof
        srv.proc.stdin.close()
        assert srv.proc.wait(5) == 0
    finally:
        srv.stop()
    srv = RunningServer()
    srv.proc.terminate()
    assert srv.proc.wait(5) == 0
    srv.stop()
