"""The CVAT 2.23 mode of the test server (`--server-version 2.23`), one test per behaviour, in raw HTTP.

Run: /work/main/.venv/bin/python -m pytest -q Fixtures/server/tests
"""

import gzip
import io
import json
import time
import urllib.parse
import zipfile

import PIL.Image
import pytest
from cvat_sdk import make_client

from conftest import ADMIN_PAT, DATASET, Api, RunningServer, basic

DS = json.loads((DATASET / "dataset.json").read_text())
TASKS = {t["id"]: t for t in DS["tasks"]}
CHUNK = "/api/tasks/1/data?type=chunk&number=0&quality=original"
ADMIN = {"Authorization": basic("admin", "admin-password")}


@pytest.fixture(scope="module")
def old_server():
    s = RunningServer(["--server-version", "2.23"])
    yield s
    s.stop()


@pytest.fixture
def old(old_server):
    a = Api(old_server.url)
    a.control("/_test/reset")
    yield a
    a.control("/_test/faults", {})


def get(api, path, headers=None, **kw):
    return api.get(path, auth=None, headers={**ADMIN, **(headers or {})}, **kw)


def login(api, user="admin", password="admin-password"):
    r = api.post("/api/auth/login", {"username": user, "password": password}, auth=None)
    cookies = {c.split("=", 1)[0]: c.split("=", 1)[1].split(";")[0] for c in r.headers.get_all("Set-Cookie") or []}
    return r, cookies


def test_no_personal_access_tokens(old):
    r = old.get("/api/tasks/1", auth=None, headers={"Authorization": f"Bearer {ADMIN_PAT}"})
    assert r.status == 401 and r.header("WWW-Authenticate") == "Token"
    assert r.json() == {"detail": "Authentication credentials were not provided."}
    assert old.get("/api/auth/access_tokens/self", auth=None,
                   headers={"Authorization": f"Bearer {ADMIN_PAT}"}).status == 404
    missing = old.get("/api/tasks/1", auth=None)
    assert missing.status == 401 and missing.header("WWW-Authenticate") == "Token"
    bad_basic = old.get("/api/tasks/1", auth=None, headers={"Authorization": basic("admin", "wrong")})
    assert bad_basic.status == 401 and bad_basic.header("WWW-Authenticate") == "Token"
    bad_token = old.get("/api/tasks/1", auth=None, headers={"Authorization": "Token " + "0" * 40})
    assert bad_token.status == 401 and bad_token.json() == {"detail": "Invalid token."}
    assert get(old, "/api/tasks/1").status == 200


def test_login_session_token_and_csrf(old):
    wrong, _ = login(old, password="nope")
    assert wrong.status == 400
    assert wrong.json() == {"non_field_errors": ["Unable to log in with provided credentials."]}
    assert wrong.header("WWW-Authenticate") is None
    r, cookies = login(old)
    assert r.status == 200 and {"sessionid", "csrftoken"} <= set(cookies)
    key = r.json()["key"]
    assert old.get("/api/users/self", auth=None, headers={"Authorization": f"Token {key}"}).json()["username"] == "admin"
    session = {"Cookie": f"sessionid={cookies['sessionid']}; csrftoken={cookies['csrftoken']}"}
    assert old.get("/api/users/self", auth=None, headers=session).status == 200
    # CSRF only on writes that the session authenticates: a GET needs none, a Token write needs none
    assert old.post("/api/auth/logout", auth=None, headers=session).status == 403
    wrong_origin = {**session, "X-CSRFToken": cookies["csrftoken"], "Origin": "http://evil.example"}
    denied = old.post("/api/auth/logout", auth=None, headers=wrong_origin)
    assert denied.status == 403 and "Origin checking failed" in denied.json()["detail"]
    good = {**session, "X-CSRFToken": cookies["csrftoken"], "Origin": old.url}
    assert old.post("/api/auth/logout", auth=None, headers=good).status == 200
    r, _ = login(old)
    assert old.post("/api/auth/logout", auth=None, headers={"Authorization": f"Token {r.json()['key']}"}).status == 200


def test_about_lacks_newer_fields_and_the_sdk_refuses_it(old, old_server):
    about = old.get("/api/server/about", auth=None).json()
    assert set(about) == {"name", "description", "version"} and about["version"] == "2.23.1"
    # cvat-sdk 2.80 cannot even read this About (its model requires logo_url and subtitle)
    with pytest.raises(TypeError, match="logo_url"):
        make_client(old_server.url, credentials=("admin", "admin-password"))


def test_range_ignored_on_chunks(old):
    full = get(old, CHUNK)
    assert full.status == 200 and full.header("Accept-Ranges") is None and full.header("X-Chunk-Size") is None
    assert full.header("X-Checksum") and full.header("X-Updated-Date") == TASKS[1]["data"]["chunks_updated_date"]
    for rng in ("bytes=100-199", f"bytes={len(full.data)}-", "lines=1-2"):
        r = get(old, CHUNK, {"Range": rng})
        assert r.status == 200 and r.data == full.data and r.header("Content-Range") is None, rng


def test_gzip_on_every_body_that_offers_it(old):
    for path in (CHUNK, "/api/tasks/1/data?type=frame&number=2&quality=original",  # a PNG frame
                 "/api/tasks/7/data?type=frame&number=0&quality=original", "/api/tasks/1/annotations"):
        plain = get(old, path)
        assert plain.header("Content-Encoding") is None, path
        zipped = get(old, path, {"Accept-Encoding": "gzip, deflate"})
        assert zipped.header("Content-Encoding") == "gzip", path
        assert gzip.decompress(zipped.data) == plain.data, path
    for small in ("/api/nothing-here", "/api/tasks/999"):  # 178 and 23 bytes: under Django's 200
        assert get(old, small, {"Accept-Encoding": "gzip"}).header("Content-Encoding") is None, small
    ranged = get(old, CHUNK, {"Accept-Encoding": "gzip", "Range": "bytes=0-99"})
    assert ranged.status == 200 and ranged.header("Content-Encoding") == "gzip"


def test_chunk_not_ready_blocks_then_429(old):
    old.control("/_test/faults", {"chunk_prepare_seconds": 1.5, "chunk_wait_seconds": 0.5, "chunk_retry_after": 2})
    started = time.monotonic()
    first = get(old, CHUNK)
    waited = time.monotonic() - started
    assert first.status == 429 and first.header("Retry-After") == "2" and first.data == b""
    assert 0.45 <= waited < 1.4, waited
    assert get(old, CHUNK).status == 429  # the worker is still at it
    time.sleep(1.1)
    ready = get(old, CHUNK)
    assert ready.status == 200 and zipfile.ZipFile(io.BytesIO(ready.data)).namelist()
    assert [e["fault"] for e in old.log() if e["path"] == "/api/tasks/1/data"] == ["not_ready", "not_ready", None]
    # a chunk that becomes ready within the wait is served after blocking, never answered 202
    old.control("/_test/faults", {"chunk_prepare_seconds": 0.3, "chunk_wait_seconds": 5})
    started = time.monotonic()
    r = get(old, "/api/tasks/1/data?type=chunk&number=1&quality=original")
    assert r.status == 200 and time.monotonic() - started >= 0.25
    # Retry-After is CVAT's 10 unless set
    old.control("/_test/faults", {"chunk_prepare_seconds": 60, "chunk_wait_seconds": 0.1})
    assert get(old, CHUNK).header("Retry-After") == "10"


def test_chunk_wait_default_is_fifty_seconds(old):
    old.control("/_test/faults", {"chunk_prepare_seconds": 0.4})
    started = time.monotonic()
    assert get(old, CHUNK).status == 200  # 0.4 s of preparation fits in the default 50 s wait
    assert time.monotonic() - started >= 0.35


def test_jobs_newest_first_with_ground_truth_and_absolute_next(old):
    page = get(old, "/api/jobs?task_id=1").json()
    assert [j["id"] for j in page["results"]] == [12, 2, 1]
    gt = page["results"][0]
    assert gt["type"] == "ground_truth" and (gt["start_frame"], gt["stop_frame"], gt["frame_count"]) == (2, 13, 4)
    assert "consensus_replicas" not in gt and "parent_job_id" not in gt
    assert get(old, "/api/tasks/1").json()["validation_mode"] == "gt"
    assert get(old, "/api/jobs/12/annotations").json()["shapes"] == []
    everything = get(old, "/api/jobs").json()
    assert everything["count"] == 12 and len(everything["results"]) == 10  # default page size 10
    first = get(old, "/api/jobs?task_id=1&page_size=1&sort=-id").json()
    assert first["next"] == f"{old.url}/api/jobs?page=2&page_size=1&sort=-id&task_id=1"  # absolute, keys sorted
    second = get(old, urllib.parse.urlsplit(first["next"])._replace(scheme="", netloc="").geturl()).json()
    assert [j["id"] for j in second["results"]] == [2]
    assert second["previous"] == f"{old.url}/api/jobs?page_size=1&sort=-id&task_id=1"


def test_video_task_mp4_chunks_and_png_frames(old):
    t = get(old, "/api/tasks/7").json()
    assert t["data_original_chunk_type"] == "video" and t["data_compressed_chunk_type"] == "video"
    assert "consensus_enabled" not in t and "chapters" not in get(old, "/api/tasks/7/data/meta").json()
    for quality in ("original", "compressed"):
        chunk = get(old, f"/api/tasks/7/data?type=chunk&number=0&quality={quality}")
        assert chunk.header("Content-Type") == "video/mp4" and chunk.data[4:12] == b"ftypisom", quality
        frame = get(old, f"/api/tasks/7/data?type=frame&number=5&quality={quality}")
        assert frame.header("Content-Type") == "image/png", quality
        assert PIL.Image.open(io.BytesIO(frame.data)).size == (64, 48)
    assert (get(old, "/api/tasks/7/data?type=frame&number=5&quality=compressed").data
            == get(old, "/api/tasks/7/data?type=frame&number=5&quality=original").data)


def test_default_mode_keeps_the_newer_behaviours(api):
    assert set(api.get("/api/server/about").json()) == {"name", "description", "version", "logo_url", "subtitle"}
    assert api.get("/api/tasks/1").status == 200  # the PAT of the api fixture
    assert [j["id"] for j in api.get("/api/jobs?task_id=1").json()["results"]] == [2, 1]
    assert api.get(CHUNK, headers={"Range": "bytes=0-9"}).status == 206
    assert api.get("/api/tasks/7").json()["data_compressed_chunk_type"] == "imageset"
