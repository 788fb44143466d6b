#!/usr/bin/env python3
"""CVAT-compatible HTTP test server for cvat-ds (Python 3.11 standard library only).

Serves a dataset folder (Fixtures/datasets/sample, format in Fixtures/datasets/README.md) through
the subset of the CVAT v2.73 REST API that a sync client uses, following ../shared/cvat/API.md
(the CVAT notes beside the repository): trailing-slash 404s, `application/vnd.cvat+json`, DRF pagination,
Token / Bearer (PAT) / session+CSRF / Basic authentication, organizations, chunk zips with
X-Checksum / X-Updated-Date / Range / 206 / 416, Django-style gzip, and so on.

Usage:
    python3 cvat_test_server.py --dataset Fixtures/datasets/sample [--host 127.0.0.1] [--port 0]
        [--ready-file PATH] [--tls-cert CERT --tls-key KEY] [--log-file PATH] [--exit-on-stdin-eof]
        [--server-version 2.73|2.23] [--bandwidth BYTES_PER_SECOND]

When listening, it prints exactly one line `READY http://127.0.0.1:PORT` (https with TLS) to stdout
and writes the same URL to --ready-file. It exits on SIGTERM/SIGINT, and on stdin EOF with
--exit-on-stdin-eof. All state is in memory; nothing on disk is ever modified.

--bandwidth BYTES_PER_SECOND makes the server a link of that bandwidth: the bodies of all /api responses
together go out at that rate (concurrent responses share it, as on a real network), unlike the per-response
`slow_bytes_per_sec` fault. The `bandwidth_bytes_per_sec` fault key sets it too, and takes precedence.

--server-version 2.23 answers like the CVAT 2.23.1 server cvat-ds was checked against (the default, 2.73,
is everything else this docstring says):
    - no personal access tokens: Bearer is ignored (401 "Authentication credentials were not provided.",
      WWW-Authenticate: Token) and /api/auth/access_tokens/self is 404; login (session, legacy Token) and
      Basic work as in 2.73; session writes also fail CSRF on an Origin other than the server's own;
    - /api/server/about has no logo_url/subtitle and says version 2.23.1 (cvat-sdk 2.80 refuses it);
    - chunks: Range is ignored (200, the whole body), no Accept-Ranges, no X-Chunk-Size;
    - gzip on every body of 200 bytes or more (any status, zip chunks and PNG frames included) whenever
      the request's Accept-Encoding offers gzip, even where it does not shrink the body;
    - task 1 gets ground-truth job 12 (frames 2, 5, 8, 13; validation/completed; listed first, newest
      first) and validation_mode "gt";
    - task 7 (video) has MP4 compressed chunks too (data_compressed_chunk_type "video"), and type=frame
      answers PNG in both qualities;
    - fields newer than 2.23 are absent: TaskRead consensus_enabled, JobRead parent_job_id /
      consensus_replicas / replicas_count, DataMetaRead chapters.
Chunk preparation (both versions, fault keys below): CVAT never answers 202 for a chunk. A request for a chunk
that is not prepared blocks while a worker prepares it, and answers 429 `Retry-After: 10` if that takes longer
than 50 s; the chunk is served once prepared.

CVAT endpoints (GET unless noted):
    /api/server/about                         (no auth)
    POST /api/auth/login, POST /api/auth/logout
    /api/auth/access_tokens/self              (Bearer only)
    /api/users/self
    /api/projects, /api/projects/{id}
    /api/tasks, /api/tasks/{id}, /api/tasks/{id}/data/meta, /api/tasks/{id}/annotations[/]
    /api/tasks/{id}/data[/]?type=chunk|frame|context_image&number=N&quality=original|compressed
    /api/labels?task_id=|project_id=|job_id=, /api/labels/{id}
    /api/jobs, /api/jobs/{id}, /api/jobs/{id}/annotations[/]
Unknown URLs (including a trailing slash where CVAT has none) answer 404 text/html, as Django does.

Test-control endpoints (not part of CVAT; no auth; never logged, never subject to faults):
    POST /_test/reset                       reload the dataset: undo every change below, clear faults,
                                            tokens, sessions, the request log and the counters.
    POST /_test/tasks/{id}/annotations      change annotations. Default (body `{}`): move the first
                                            non-mask shape 1 px to the right, and add a tag on the first
                                            non-deleted frame without one or, if every such frame has one,
                                            relabel the first such tag to the next label. Body may give
                                            {"add_tag": {"frame": F, "label_id": L}} to add exactly that
                                            tag instead, or {"add_shapes": [{type, frame, label_id, points,
                                            ...}]} to add exactly those shapes (and change nothing else).
                                            Bumps updated_date of the task, its project and
                                            its jobs; chunks_updated_date is unchanged.
    POST /_test/tasks/{id}/chunks           toggle the first non-deleted frame between its original and an
                                            alternative (mirrored) image, in every chunk/frame quality;
                                            bumps chunks_updated_date and updated_date.
    POST /_test/tasks/{id}/labels           add a label (body: optional name, type, color) to the task's
                                            label set, or the project's when the task is in a project;
                                            bumps updated_date of the project and all its tasks (or the task).
    POST /_test/tasks/{id}/delete           the task (and its jobs) disappears: 404 afterwards.
    POST /_test/tasks/{id}/updated-date     body {"updated_date": "..."}: set it (may go backwards).
    POST /_test/faults                      set fault injection (replaces the previous settings; `{}` clears):
        seed (int, default 0)               random.Random(seed) drives every random decision, so a seed
                                            reproduces the same run given the same request order.
        chunk_5xx_rate (0..1)               answer 500/502/503 to chunk requests (type=chunk)
        json_5xx_rate (0..1)                the same for every other /api request
        drop_rate (0..1)                    send the headers with the full Content-Length and half the
                                            body, then close the connection
        retry_after_first (bool)            the first request for each (task, chunk, quality) answers
                                            429 with Retry-After (as CVAT does while preparing a chunk)
        retry_after_seconds (default 1)     the Retry-After value
        latency_ms                          sleep before every response
        slow_bytes_per_sec                  throttle response bodies
        ignore_range (bool)                 answer 200 + full body to ranged chunk requests
        endless_body (bool)                 chunk responses have no Content-Length and never end (the zip
                                            repeated) until 2 GB are sent or the client closes
        malformed_json [regex...]           JSON bodies of paths matching any regex (re.search) are corrupted
        corrupt_chunks [[task, chunk]...]   those chunks' bytes are replaced by garbage of the same length
                                            (X-Checksum still describes the real chunk)
        redirect_api_to (base URL)          every /api/... request answers 302 Location: base + path?query
        chunk_prepare_seconds               each chunk (per quality) is "not prepared" until this long after its
                                            first request; requests block meanwhile (polling), up to
        chunk_wait_seconds (default 50)     this long, then answer 429 with an empty body and
        chunk_retry_after (default 10)      this Retry-After. The log marks such answers fault "not_ready".
        bandwidth_bytes_per_sec             all /api response bodies share this bandwidth (see --bandwidth)
        fail_chunks [[task, chunk(, status)]...]  those chunks (any quality) always answer status (default
                                            500; 404 with DRF's JSON body); the log marks them "fail:STATUS"
        hold_chunks [[task, chunk]...]      requests for those chunks (any quality) wait, once the chunk is
                                            prepared and before any byte is sent, until POST /_test/release;
                                            the log marks them fault "held"
        Random draws, per request, in this order: one draw for 5xx (when the matching rate > 0) plus one to
        pick the code when it fires; one draw for drop (when drop_rate > 0).
        Faults never apply to /_test/ or /api/server/about.
    GET  /_test/faults                      the current fault settings
    POST /_test/release                     let every request held by hold_chunks so far go on
    GET  /_test/held                        {"held": [[task, chunk], ...]}: the requests waiting for a release
    GET  /_test/log                         every /api request since the last reset (waits up to 1 s for
                                            requests still being answered), in the order responses started, as a JSON list of
                                            {"method","path","query","status","bytes_sent","range","accept",
                                            "accept_encoding","content_encoding","auth_scheme"
                                            ("Token"/"Bearer"/"Basic"/"session"/null),"user","organization",
                                            "fault"} (no secrets)
    POST /_test/log/reset                   clear the log and the counters
    GET  /_test/stats                       {"requests","by_status","logout_calls","login_calls",
                                            "chunk_requests","frame_requests","faults_injected","bytes_sent"}
"""

from __future__ import annotations

import argparse
import base64
import binascii
import copy
import gzip
import hashlib
import http.server
import io
import json
import math
import os
import random
import re
import secrets
import signal
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse
import zipfile
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

CVAT_JSON = "application/vnd.cvat+json"
DEFAULT_PAGE_SIZE = 10
MAX_ENDLESS = 2 * 1024 ** 3

# --------------------------------------------------------------------------------------------
# dates


def parse_dt(s: str) -> datetime:
    if s.endswith("Z"):
        s = s[:-1] + "+00:00"
    d = datetime.fromisoformat(s)
    if d.tzinfo is None:
        d = d.replace(tzinfo=timezone.utc)
    return d.astimezone(timezone.utc)


def fmt_dt(d: datetime) -> str:
    return d.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def bumped(old: str | None) -> str:
    now = datetime.now(timezone.utc)
    if old:
        prev = parse_dt(old) + timedelta(microseconds=1)
        if prev > now:
            now = prev
    return fmt_dt(now)


# --------------------------------------------------------------------------------------------
# small encoders


def png_rgb(width: int, height: int, rgb: bytes) -> bytes:
    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))
    stride = width * 3
    raw = b"".join(b"\x00" + rgb[y * stride:(y + 1) * stride] for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def mp4_placeholder(task_id: int, chunk: int, first: int, last: int, compressed: bool = False) -> bytes:
    """A tiny mp4-looking blob (ftyp + free + mdat). Not decodable: the test dataset has no H.264."""
    def box(tag, data):
        return struct.pack(">I", 8 + len(data)) + tag + data
    note = (f"cvat-test-server placeholder video chunk: task {task_id} chunk {chunk} "
            f"frames {first}-{last}; not decodable, use quality=compressed").encode()
    if compressed:
        note = (f"cvat-test-server placeholder compressed video chunk: task {task_id} chunk {chunk} "
                f"frames {first}-{last}; not decodable, use type=frame").encode()
    payload = hashlib.sha256(note).digest() * 4
    return (box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2avc1mp41")
            + box(b"free", note) + box(b"mdat", payload))


def make_zip(members: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for name, data in members:
            zi = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_STORED
            zf.writestr(zi, data)
    return buf.getvalue()


def chunk_checksum(data: bytes) -> str:
    size_checksum = zlib.crc32(str(len(data)).encode())
    return str(zlib.crc32(data[:1000], size_checksum))


MIME = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "bmp": "image/bmp",
        "tif": "image/tiff", "tiff": "image/tiff", "webp": "image/webp", "gif": "image/gif"}


# --------------------------------------------------------------------------------------------
# state

class HttpError(Exception):
    def __init__(self, status, body, headers=None):
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or []


SERVER_VERSIONS = ("2.73", "2.23")

# What a CVAT 2.23 server's About says: no logo_url or subtitle (cvat-sdk 2.80 cannot even build its About model).
ABOUT_2_23_VERSION = "2.23.1"

# The ground-truth job added to task 1 in the 2.23 mode: a few frames picked from the whole task, validated, newest
# of the task's jobs (so `GET /api/jobs?task_id=1` lists it first). Its frames lie inside both annotation jobs.
GROUND_TRUTH_JOB = {"id": 12, "task_id": 1, "frames": [2, 5, 8, 13], "stage": "validation", "state": "completed",
                    "status": "validation", "type": "ground_truth", "assignee": None,
                    "created_date": "2025-03-11T08:00:00.000000Z", "updated_date": "2025-03-11T08:30:00.000000Z"}


class State:
    def __init__(self, root: Path, version: str = "2.73"):
        self.root = root
        self.version = version
        self.lock = threading.RLock()
        # hold_chunks: held requests wait for release_generation to change (a release, a reset, new faults).
        self.hold = threading.Condition(self.lock)
        self.held: list = []                        # [task, chunk] of requests waiting for /_test/release
        self.release_generation = 0
        self.load()

    def release_held(self):
        with self.hold:
            self.release_generation += 1
            self.hold.notify_all()

    @property
    def old(self) -> bool:
        """The CVAT 2.23 mode (see the module docstring)."""
        return self.version == "2.23"

    def apply_version(self):
        """Turns the dataset into what a CVAT 2.23 server holds: a GT job on task 1, MP4 compressed video chunks."""
        if not self.old:
            return
        self.about = {k: v for k, v in self.about.items() if k not in ("logo_url", "subtitle")}
        self.about["version"] = ABOUT_2_23_VERSION
        gt = copy.deepcopy(GROUND_TRUTH_JOB)
        gt["start_frame"], gt["stop_frame"] = min(gt["frames"]), max(gt["frames"])
        self.jobs[gt["id"]] = gt
        self.tasks[gt["task_id"]]["validation_mode"] = "gt"
        for t in self.tasks.values():
            if t["data"] is not None and "video" in t["data"]:
                t["data"]["compressed_chunk_type"] = "video"

    def load(self):
        with self.lock:
            ds = json.loads((self.root / "dataset.json").read_text())
            self.about = ds["about"]
            self.users = {u["id"]: u for u in ds["users"]}
            self.pats = {t["value"]: t for t in ds["access_tokens"]}
            self.orgs = {o["id"]: o for o in ds["organizations"]}
            self.projects = {p["id"]: p for p in ds["projects"]}
            self.tasks = {t["id"]: t for t in ds["tasks"]}
            self.labels = {l["id"]: l for l in ds["labels"]}
            self.jobs = {j["id"]: j for j in ds["jobs"]}
            self.annotations = LazyAnnotations()
            self.files: dict[str, bytes] = {}
            for t in self.tasks.values():
                p = self.root / "tasks" / str(t["id"]) / "annotations.json"
                if p.exists() and p.stat().st_size > LazyAnnotations.VERBATIM_BYTES:
                    # A huge file (Fixtures/bench/make_dense_tracks.py) is served as it is on disk until a test
                    # changes it: parsing 1 GB of JSON into Python objects would take many GB.
                    self.annotations.verbatim[t["id"]] = p
                    continue
                self.annotations[t["id"]] = (json.loads(p.read_text()) if p.exists() else
                                             {"version": 0, "tags": [], "shapes": [], "tracks": [], "intervals": []})
                d = t["data"]
                if d is None:
                    continue
                d["alt_active"] = False
                for fr in d["frames"]:
                    for key in ("file", "compressed"):
                        if key in fr:
                            self.file(fr[key])
                    for key in ("file", "compressed"):
                        if key in fr.get("alt", {}):
                            self.file(fr["alt"][key])
                if "video" in d:
                    v = d["video"]
                    v["_pano"] = zlib.decompress(self.file(v["panorama"]))
                    for i in range(d["size"]):
                        self.file(v["compressed_pattern"].format(frame=i))
                    self.file(v["alt"]["compressed"])
            self.tokens: dict[int, str] = {}        # user id -> DRF token key
            self.sessions: dict[str, dict] = {}     # sessionid -> {"user", "csrf"}
            self.chunk_cache: dict = {}
            self.faults: dict = {}
            self.rng = random.Random(0)
            self.retry_seen: set = set()
            self.preparing: dict = {}               # (task, chunk, quality, alt) -> monotonic time it is ready
            self.link_free_at = 0.0                 # monotonic time the bandwidth-limited link is free again
            self.log: list = []
            self.inflight = 0
            self.reset_stats()
            self.apply_version()

    def reset_stats(self):
        self.stats = {"requests": 0, "by_status": {}, "logout_calls": 0, "login_calls": 0,
                      "chunk_requests": 0, "frame_requests": 0, "faults_injected": 0, "bytes_sent": 0}

    def file(self, rel: str) -> bytes:
        b = self.files.get(rel)
        if b is None:
            b = (self.root / rel).read_bytes()
            self.files[rel] = b
        return b

    # ---------------- visibility
    def user_is_admin(self, uid):
        return bool(self.users[uid]["is_superuser"])

    def project_visible(self, uid, p):
        return self.user_is_admin(uid) or uid in (p["owner"], p["assignee"])

    def task_visible(self, uid, t):
        if self.user_is_admin(uid) or uid in (t["owner"], t["assignee"]):
            return True
        p = self.projects.get(t["project_id"]) if t["project_id"] else None
        return bool(p and uid in (p["owner"], p["assignee"]))

    def job_visible(self, uid, j):
        t = self.tasks.get(j["task_id"])
        return t is not None and (self.task_visible(uid, t) or j.get("assignee") == uid)

    # ---------------- data
    def first_active_frame(self, t):
        d = t["data"]
        return next(i for i in range(d["size"]) if i not in d["deleted_frames"])

    def frame_file(self, t, i, quality):
        """(bytes, ext) of task-relative frame i of an image task."""
        d = t["data"]
        fr = d["frames"][i]
        use_alt = d.get("alt_active") and i == self.first_active_frame(t) and "alt" in fr
        if quality == "original":
            rel = fr["alt"]["file"] if use_alt else fr["file"]
            return self.file(rel), fr["name"].rsplit(".", 1)[-1].lower()
        rel = fr["alt"]["compressed"] if use_alt else fr["compressed"]
        return self.file(rel), "jpeg"

    def video_frame_png(self, t, i):
        d = t["data"]
        v = d["video"]
        key = ("png", t["id"], i, d.get("alt_active"))
        with self.lock:
            if key in self.chunk_cache:
                return self.chunk_cache[key]
        fw, fh = d["frames"][0]["width"], d["frames"][0]["height"]
        pw = v["panorama_width"]
        x, y = v["offsets"][i]
        pano = v["_pano"]
        rows = []
        for r in range(fh):
            off = ((y + r) * pw + x) * 3
            row = pano[off:off + fw * 3]
            if d.get("alt_active") and i == 0:
                row = b"".join(row[k * 3:k * 3 + 3] for k in range(fw - 1, -1, -1))
            rows.append(row)
        data = png_rgb(fw, fh, b"".join(rows))
        with self.lock:
            self.chunk_cache[key] = data
        return data

    def video_frame_jpeg(self, t, i):
        d = t["data"]
        v = d["video"]
        if d.get("alt_active") and i == 0:
            return self.file(v["alt"]["compressed"])
        return self.file(v["compressed_pattern"].format(frame=i))

    def chunk(self, t, n, quality):
        """(bytes, content type) of chunk n."""
        d = t["data"]
        key = ("chunk", t["id"], n, quality, d.get("alt_active"))
        with self.lock:
            if key in self.chunk_cache:
                return self.chunk_cache[key]
        cs, size = d["chunk_size"], d["size"]
        first, last = n * cs, min((n + 1) * cs, size) - 1
        kind = d["original_chunk_type"] if quality == "original" else d["compressed_chunk_type"]
        if "video" in d:
            if kind == "video":
                res = (mp4_placeholder(t["id"], n, first, last, quality == "compressed"), "video/mp4")
            else:
                res = (make_zip([(f"{i - first:06d}.jpeg", self.video_frame_jpeg(t, i))
                                 for i in range(first, last + 1)]), "application/zip")
        else:
            members = []
            for i in range(first, last + 1):
                data, ext = self.frame_file(t, i, quality)
                members.append((f"{i - first:06d}.{ext}", data))
            res = (make_zip(members), "application/zip")
        with self.lock:
            self.chunk_cache[key] = res
        return res


# --------------------------------------------------------------------------------------------
# serializers

def basic_user(st: State, base: str, uid):
    if uid is None:
        return None
    u = st.users[uid]
    return {"url": f"{base}/api/users/{uid}", "id": uid, "username": u["username"],
            "first_name": u["first_name"], "last_name": u["last_name"]}


def full_user(st: State, base: str, uid):
    u = st.users[uid]
    return {"url": f"{base}/api/users/{uid}", "id": uid, "username": u["username"],
            "first_name": u["first_name"], "last_name": u["last_name"], "email": u["email"],
            "groups": u["groups"], "is_staff": u["is_staff"], "is_superuser": u["is_superuser"],
            "is_active": u["is_active"], "last_login": u["last_login"], "date_joined": u["date_joined"],
            "has_analytics_access": u["is_superuser"]}


def storage(id_):
    return {"id": id_, "location": "local", "cloud_storage_id": None}


def task_read(st: State, base: str, uid, t):
    tid = t["id"]
    d = t["data"]
    p = st.projects.get(t["project_id"]) if t["project_id"] else None
    jobs = [j for j in st.jobs.values() if j["task_id"] == tid]
    out = {"url": f"{base}/api/tasks/{tid}", "id": tid, "name": t["name"], "project_id": t["project_id"],
           "project_name": p["name"] if p and st.project_visible(uid, p) else None,
           "owner": basic_user(st, base, t["owner"]), "assignee": basic_user(st, base, t["assignee"]),
           "bug_tracker": t["bug_tracker"], "created_date": t["created_date"], "updated_date": t["updated_date"],
           "overlap": t["overlap"], "segment_size": t["segment_size"], "status": t["status"]}
    if d is not None:
        out.update({"data_chunk_size": d["chunk_size"], "data_original_chunk_type": d["original_chunk_type"],
                    "data_compressed_chunk_type": d["compressed_chunk_type"],
                    "data_cloud_storage_id": d["cloud_storage_id"]})
    out["guide_id"] = None
    if d is not None:
        out.update({"size": d["size"], "image_quality": d["image_quality"]})
    out.update({
        "data": d["id"] if d is not None else None, "dimension": t["dimension"], "mode": t["mode"],
        "media_type": t["media_type"], "subset": t["subset"], "organization_id": t["organization"],
        "organization": t["organization"], "target_storage": storage(100 + 2 * tid),
        "source_storage": storage(101 + 2 * tid),
        "jobs": {"count": len(jobs),
                 "completed": sum(1 for j in jobs if j["stage"] == "acceptance" and j["state"] == "completed"),
                 "validation": sum(1 for j in jobs if j["stage"] == "validation"),
                 "url": f"{base}/api/jobs?task_id={tid}"},
        "labels": {"url": f"{base}/api/labels?task_id={tid}"},
        "assignee_updated_date": t["created_date"] if t["assignee"] else None,
        "validation_mode": t.get("validation_mode"), "consensus_enabled": False,
    })
    if st.old:  # consensus came after 2.23
        del out["consensus_enabled"]
    return out


def project_read(st: State, base: str, uid, p):
    pid = p["id"]
    tasks = [t for t in st.tasks.values() if t["project_id"] == pid]
    return {"url": f"{base}/api/projects/{pid}", "id": pid, "name": p["name"],
            "owner": basic_user(st, base, p["owner"]), "assignee": basic_user(st, base, p["assignee"]),
            "guide_id": p["guide_id"], "bug_tracker": p["bug_tracker"],
            "task_subsets": sorted({t["subset"] for t in tasks if t["subset"]}),
            "created_date": p["created_date"], "updated_date": p["updated_date"], "status": p["status"],
            "dimension": "2d" if any(t["data"] for t in tasks) else None,
            "organization": p["organization"], "organization_id": p["organization"],
            "target_storage": p.get("target_storage"), "source_storage": p.get("source_storage"),
            "tasks": {"count": len(tasks), "url": f"{base}/api/tasks?project_id={pid}"},
            "labels": {"url": f"{base}/api/labels?project_id={pid}"},
            "assignee_updated_date": None}


def job_read(st: State, base: str, uid, j):
    t = st.tasks[j["task_id"]]
    d = t["data"]
    p = st.projects.get(t["project_id"]) if t["project_id"] else None
    out = {"url": f"{base}/api/jobs/{j['id']}", "id": j["id"], "task_id": t["id"], "task_name": t["name"],
            "project_id": t["project_id"], "project_name": p["name"] if p else None,
            "assignee": basic_user(st, base, j.get("assignee")), "guide_id": None,
            "dimension": t["dimension"], "mode": t["mode"], "media_type": t["media_type"],
            "bug_tracker": t["bug_tracker"] or None, "status": j["status"], "stage": j["stage"],
            "state": j["state"],
            "frame_count": len(j["frames"]) if "frames" in j else j["stop_frame"] - j["start_frame"] + 1,
            "start_frame": j["start_frame"], "stop_frame": j["stop_frame"],
            "data_chunk_size": d["chunk_size"], "data_compressed_chunk_type": d["compressed_chunk_type"],
            "data_original_chunk_type": d["original_chunk_type"],
            "created_date": j["created_date"], "updated_date": j["updated_date"],
            "issues": {"url": f"{base}/api/issues?job_id={j['id']}", "count": 0},
            "labels": {"url": f"{base}/api/labels?job_id={j['id']}"},
            "type": j["type"], "organization": t["organization"],
            "target_storage": storage(100 + 2 * t["id"]), "source_storage": storage(101 + 2 * t["id"]),
            "assignee_updated_date": j["created_date"] if j.get("assignee") else None,
            "parent_job_id": None, "consensus_replicas": 0, "replicas_count": 0}
    if st.old:  # consensus replicas came after 2.23
        for k in ("parent_job_id", "consensus_replicas", "replicas_count"):
            del out[k]
    return out


def label_out(l):
    out = {"id": l["id"], "name": l["name"], "color": l["color"], "attributes": l["attributes"],
           "type": l["type"]}
    if l["type"] == "skeleton":
        out["svg"] = l.get("svg", "")
    out["sublabels"] = l["sublabels"]
    if "project_id" in l:
        out["project_id"] = l["project_id"]
    else:
        out["task_id"] = l["task_id"]
    out["parent_id"] = None
    out["has_parent"] = False
    return out


class LazyAnnotations(dict):
    """Task id -> LabeledData; files larger than VERBATIM_BYTES stay on disk (`verbatim`) and are parsed only
    when something reads them as objects (a job's annotations, a change through /_test)."""

    VERBATIM_BYTES = 64 << 20

    def __init__(self):
        super().__init__()
        self.verbatim: dict = {}

    def __missing__(self, tid):
        path = self.verbatim.pop(tid)
        value = self[tid] = json.loads(path.read_text())
        return value


def data_meta(st: State, t):
    d = t["data"]
    out = {"chunks_updated_date": d["chunks_updated_date"], "chunk_size": d["chunk_size"], "size": d["size"],
            "image_quality": d["image_quality"], "start_frame": d["start_frame"], "stop_frame": d["stop_frame"],
            "frame_filter": d["frame_filter"],
            "frames": [{"width": f["width"], "height": f["height"], "name": f["name"], "related_files": 0,
                        "has_related_context": False} for f in d["frames"]],
            "deleted_frames": list(d["deleted_frames"]), "included_frames": None, "storage": d["storage"],
            "cloud_storage_id": d["cloud_storage_id"], "chapters": [] if "video" in d else None}
    if st.old:  # video chapters came after 2.23
        del out["chapters"]
    return out


def task_label_list(st: State, t):
    if t["project_id"]:
        return [l for l in st.labels.values() if l.get("project_id") == t["project_id"]]
    return [l for l in st.labels.values() if l.get("task_id") == t["id"]]


# --------------------------------------------------------------------------------------------
# JSON-logic filter (the subset CVAT accepts)

def _get_var(obj, name):
    v = obj
    for part in str(name).split("."):
        v = v.get(part) if isinstance(v, dict) else None
    return v


def _coerce(a, b):
    for x, y in ((a, b), (b, a)):
        if isinstance(x, str) and isinstance(y, str) and re.match(r"^\d{4}-\d\d-\d\dT", x) and re.match(r"^\d{4}-\d\d-\d\dT", y):
            return parse_dt(a), parse_dt(b)
    return a, b


def json_logic(expr, obj):
    if not isinstance(expr, dict):
        return expr
    if len(expr) != 1:
        raise ValueError("bad filter")
    op, args = next(iter(expr.items()))
    if not isinstance(args, list):
        args = [args]
    if op == "var":
        return _get_var(obj, args[0])
    vals = [json_logic(a, obj) for a in args]
    if op == "and":
        return all(vals)
    if op == "or":
        return any(vals)
    if op == "!":
        return not vals[0]
    if op == "!!":
        return bool(vals[0])
    if op == "in":
        return vals[0] in vals[1] if vals[1] is not None else False
    if op in ("==", "<", ">", "<=", ">="):
        a, b = _coerce(vals[0], vals[1])
        if op == "==":
            return a == b
        if a is None or b is None:
            return False
        try:
            if len(vals) == 3 and op in ("<", "<="):
                c = _coerce(vals[1], vals[2])[1]
                return (a < b < c) if op == "<" else (a <= b <= c)
            return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]
        except TypeError:
            return False
    raise ValueError(f"unsupported operator {op}")


# --------------------------------------------------------------------------------------------
# HTTP


class Response:
    def __init__(self, status=200, body=b"", content_type=None, headers=None, json_body=False,
                 chunk=False, ranged=False):
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = list(headers or [])
        self.json_body = json_body
        self.chunk = chunk            # a chunk download (for faults)
        self.ranged = ranged
        self.endless = False
        self.drop = False


NOT_FOUND_HTML = (b'<!doctype html>\n<html lang="en">\n<head>\n  <title>Not Found</title>\n</head>\n<body>\n'
                  b'  <h1>Not Found</h1><p>The requested resource was not found on this server.</p>\n</body>\n</html>\n')


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "cvat-test-server/1.0"
    sys_version = ""
    timeout = 120

    def version_string(self):
        return self.server_version

    # quiet default logging
    def log_message(self, format, *args):
        pass

    def setup(self):
        super().setup()
        if isinstance(self.request, ssl.SSLSocket):
            try:
                self.request.settimeout(10)
                self.request.do_handshake()
                self.request.settimeout(self.timeout)
            except (ssl.SSLError, OSError):
                self.close_connection = True
                raise

    def do_GET(self):
        self._dispatch("GET")

    def do_HEAD(self):
        self._dispatch("HEAD")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_PATCH(self):
        self._dispatch("PATCH")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def do_OPTIONS(self):
        self._dispatch("OPTIONS")

    # ------------------------------------------------------------------ plumbing
    @property
    def st(self) -> State:
        return self.server.state

    def base_url(self):
        host = self.headers.get("X-Forwarded-Host") or self.headers.get("Host") or "%s:%d" % self.server.server_address[:2]
        host = host.split(",")[0].strip()
        return f"{self.server.scheme}://{host}"

    def read_body(self) -> bytes:
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def _dispatch(self, method):
        self.method = method
        self.accepted_type = CVAT_JSON
        self.faults_applied = []
        split = urllib.parse.urlsplit(self.path)
        self.url_path = split.path
        self.raw_query = split.query
        self.q = dict(urllib.parse.parse_qsl(split.query, keep_blank_values=True))
        try:
            self.body_bytes = self.read_body()
        except Exception:
            self.close_connection = True
            return
        if self.url_path.startswith("/_test/"):
            try:
                resp = self.control()
            except HttpError as e:
                resp = self.json_resp(e.body, e.status, "application/json")
            self.send(resp, apply_faults=False, gzip_ok=False)
            return
        self.entry = {"method": method, "path": self.url_path, "query": self.raw_query, "status": None,
                      "bytes_sent": 0, "range": self.headers.get("Range"), "accept": self.headers.get("Accept"),
                      "accept_encoding": self.headers.get("Accept-Encoding"), "content_encoding": None,
                      "auth_scheme": self.auth_scheme(), "user": None,
                      "organization": self.headers.get("X-Organization", self.q.get("org", self.q.get("org_id"))),
                      "fault": None}
        self.faults_applied = []
        with self.st.lock:
            self.st.inflight += 1
        try:
            self._answer_api(method)
        finally:
            with self.st.lock:
                self.st.inflight -= 1

    def _answer_api(self, method):
        faults_on = self.url_path.startswith("/api/") and self.url_path != "/api/server/about"
        try:
            resp = self.route(faults_on)
        except HttpError as e:
            if isinstance(e.body, bytes):
                resp = Response(e.status, e.body, "text/html; charset=utf-8", e.headers)
            else:
                resp = self.json_resp(e.body, e.status, headers=e.headers)
        except Exception:  # a bug: answer like Django would
            import traceback
            traceback.print_exc(file=sys.stderr)
            resp = Response(500, b"<h1>Server Error (500)</h1>", "text/html; charset=utf-8")
        self.send(resp, apply_faults=faults_on)

    def auth_scheme(self):
        a = self.headers.get("Authorization")
        if a:
            s = a.split(" ", 1)[0].lower()
            return {"token": "Token", "bearer": "Bearer", "basic": "Basic"}.get(s, a.split(" ", 1)[0][:20])
        if "sessionid" in self.cookies():
            return "session"
        return None

    def cookies(self):
        c = {}
        for part in (self.headers.get("Cookie") or "").split(";"):
            if "=" in part:
                k, v = part.split("=", 1)
                c[k.strip()] = v.strip()
        return c

    def json_resp(self, obj, status=200, content_type=None, headers=None):
        body = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return Response(status, body, content_type or getattr(self, "accepted_type", CVAT_JSON),
                        headers, json_body=True)

    # ------------------------------------------------------------------ sending
    def send(self, resp: Response, apply_faults: bool, gzip_ok: bool = True):
        st = self.st
        faults = st.faults if apply_faults else {}
        body = resp.body or b""
        if apply_faults and faults.get("latency_ms"):
            time.sleep(float(faults["latency_ms"]) / 1000.0)
        if apply_faults and resp.json_body and faults.get("malformed_json"):
            if any(re.search(rx, self.url_path) for rx in faults["malformed_json"]):
                body = body[: max(1, len(body) // 2)] + b'<<garbage "not json'
                self.faults_applied.append("malformed_json")
        headers = list(resp.headers)
        content_encoding = None
        # 2.23: every body of 200 bytes or more, whatever its status or type, as seen from a real 2.23 server
        # (its zip chunks and PNG frames always came gzipped to a client offering gzip).
        status_ok = self.st.old or (200 <= resp.status < 300 and resp.status != 206)
        if (gzip_ok and status_ok and not resp.endless
                and len(body) >= 200 and re.search(r"\bgzip\b", self.headers.get("Accept-Encoding") or "")
                and not any(h[0].lower() == "content-encoding" for h in headers)):
            zbody = gzip.compress(body, mtime=0)
            headers.append(("Vary", "Accept-Encoding"))
            if len(zbody) < len(body) or self.st.old:
                body = zbody
                content_encoding = "gzip"
                headers.append(("Content-Encoding", "gzip"))
        drop = apply_faults and faults.get("drop_rate") and len(body) > 0 and self._draw(faults["drop_rate"])
        if drop:
            self.faults_applied.append("drop")
        rate = float(faults.get("slow_bytes_per_sec") or 0) if apply_faults else 0
        if rate:
            self.faults_applied.append("slow")
        self.link_rate = 0.0
        if self.url_path.startswith("/api/"):
            self.link_rate = float(st.faults.get("bandwidth_bytes_per_sec") or self.server.bandwidth or 0)

        self.send_response(resp.status)
        if resp.content_type:
            self.send_header("Content-Type", resp.content_type)
        for k, v in headers:
            self.send_header(k, v)
        if resp.endless:
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            self.send_header("Content-Length", str(len(body)))
        if drop:
            self.send_header("Connection", "close")
        self.end_headers()

        is_api = hasattr(self, "entry") and not self.url_path.startswith("/_test/")
        if is_api:
            e = self.entry
            e["status"] = resp.status
            e["content_encoding"] = content_encoding
            e["fault"] = ",".join(self.faults_applied) or None
            with st.lock:
                st.log.append(e)  # before the body goes out, so the log order is the request order
        sent = 0
        try:
            if self.method == "HEAD":
                pass
            elif resp.endless:
                block = body or b"\0" * 65536
                while sent < MAX_ENDLESS:
                    n = self._write(block, rate)
                    sent += n
            elif drop:
                sent = self._write(body[: len(body) // 2], rate)
                self.wfile.flush()
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            else:
                sent = self._write(body, rate)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, socket.timeout, ssl.SSLError, OSError):
            self.close_connection = True
        if is_api:
            with st.lock:
                e["bytes_sent"] = sent
                s = st.stats
                s["requests"] += 1
                s["by_status"][str(resp.status)] = s["by_status"].get(str(resp.status), 0) + 1
                s["bytes_sent"] += sent
                if self.faults_applied:
                    s["faults_injected"] += 1
            lf = self.server.log_file
            if lf:
                with self.server.log_lock:
                    lf.write(json.dumps(e) + "\n")
                    lf.flush()

    def _write(self, data: bytes, rate: float) -> int:
        link = getattr(self, "link_rate", 0.0)
        if link:
            return self._write_on_link(data, rate, link)
        if not rate:
            self.wfile.write(data)
            return len(data)
        step = max(1, int(rate / 20))
        sent = 0
        for i in range(0, len(data), step):
            piece = data[i:i + step]
            self.wfile.write(piece)
            sent += len(piece)
            time.sleep(len(piece) / rate)
        return sent

    def _write_on_link(self, data: bytes, rate: float, link: float) -> int:
        """Sends `data` over the shared link of `link` bytes/s: each piece books the link's next free slot, so
        concurrent responses share the bandwidth; `rate` (slow_bytes_per_sec) may slow this response further."""
        step = max(1, int(min(link, rate or link) / 50))
        sent = 0
        for i in range(0, len(data), step):
            piece = data[i:i + step]
            with self.st.lock:
                start = max(time.monotonic(), self.st.link_free_at)
                self.st.link_free_at = start + len(piece) / link
                done_at = self.st.link_free_at
            if rate:
                done_at = max(done_at, time.monotonic() + len(piece) / rate)
            delay = done_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self.wfile.write(piece)
            sent += len(piece)
        return sent

    def _draw(self, p) -> bool:
        with self.st.lock:
            return self.st.rng.random() < float(p)

    # ------------------------------------------------------------------ negotiation & auth
    def negotiate(self):
        accept = self.headers.get("Accept")
        if not accept or not accept.strip():
            return CVAT_JSON
        for rng in accept.split(","):
            parts = [p.strip() for p in rng.split(";")]
            mt = parts[0].lower()
            params = {}
            for p in parts[1:]:
                if "=" in p:
                    k, v = p.split("=", 1)
                    params[k.strip().lower()] = v.strip().strip('"')
            if params.get("q") in ("0", "0.0", "0.00", "0.000"):
                continue
            if mt in ("*/*", "application/*", CVAT_JSON):
                version = params.get("version")
                if version is not None and version != "2.0":
                    self.accepted_type = CVAT_JSON
                    raise HttpError(406, {"detail": 'Invalid version in "Accept" header.'})
                if mt == CVAT_JSON and len(parts) > 1:
                    return rng.strip()
                return CVAT_JSON
        self.accepted_type = CVAT_JSON
        raise HttpError(406, {"detail": "Could not satisfy the request Accept header."})

    def authenticate(self, required=True):
        """Returns the user id (or None), trying Token, Bearer, session, Basic like CVAT."""
        st = self.st
        unauth = [("WWW-Authenticate", 'Token')]
        auth = self.headers.get("Authorization") or ""
        parts = auth.split()
        scheme = parts[0].lower() if parts else ""
        unsafe = self.method not in ("GET", "HEAD", "OPTIONS")
        if scheme == "token":
            if len(parts) != 2:
                raise HttpError(401, {"detail": "Invalid token header. No credentials provided." if len(parts) == 1 else
                                      "Invalid token header. Token string should not contain spaces."}, unauth)
            with st.lock:
                uid = next((u for u, k in st.tokens.items() if k == parts[1]), None)
            if uid is None:
                raise HttpError(401, {"detail": "Invalid token."}, unauth)
            return uid
        if scheme == "bearer" and not st.old:  # 2.23 has no access tokens: nothing claims the header
            tok = st.pats.get(parts[1]) if len(parts) == 2 else None
            if tok is None:
                raise HttpError(401, {"detail": "Invalid token."}, unauth)
            if tok["expiry_date"] and parse_dt(tok["expiry_date"]) < datetime.now(timezone.utc):
                raise HttpError(401, {"detail": "Token has expired."}, unauth)
            if tok["read_only"] and unsafe:
                raise HttpError(403, {"detail": "You do not have permission to perform this action."})
            return tok["owner"]
        cookies = self.cookies()
        sid = cookies.get("sessionid")
        if sid:
            with st.lock:
                sess = st.sessions.get(sid)
            if sess:
                if unsafe:
                    header = self.headers.get("X-CSRFToken")
                    if not cookies.get("csrftoken"):
                        raise HttpError(403, {"detail": "CSRF Failed: CSRF cookie not set."})
                    if not header:
                        raise HttpError(403, {"detail": "CSRF Failed: CSRF token missing."})
                    if header != cookies.get("csrftoken") or header != sess["csrf"]:
                        raise HttpError(403, {"detail": "CSRF Failed: CSRF token incorrect."})
                    origin = self.headers.get("Origin")
                    if st.old and origin is not None and origin != self.base_url():
                        raise HttpError(403, {"detail": f"CSRF Failed: Origin checking failed - {origin} does not "
                                                        "match any trusted origins."})
                return sess["user"]
        if scheme == "basic":
            try:
                user, _, pw = base64.b64decode(parts[1], validate=True).decode("utf-8").partition(":")
            except (IndexError, binascii.Error, UnicodeDecodeError, ValueError):
                raise HttpError(401, {"detail": "Invalid basic header. Credentials not correctly base64 encoded."}, unauth)
            u = next((u for u in st.users.values() if user in (u["username"], u["email"])), None)
            if u is None or u["password"] != pw or not u["is_active"]:
                raise HttpError(401, {"detail": "Invalid username/password."}, unauth)
            return u["id"]
        if required:
            raise HttpError(401, {"detail": "Authentication credentials were not provided."}, unauth)
        return None

    def org_filter(self, uid):
        """Returns a predicate on organization ids, or None when there is no org context."""
        st = self.st
        header = self.headers.get("X-Organization")
        org_slug = self.q.get("org")
        org_id = self.q.get("org_id")
        if org_id is not None and (header is not None or org_slug is not None):
            raise HttpError(400, ["You cannot specify both 'org_id' and 'org' or 'X-Organization'"])
        slug = header if header is not None else org_slug
        if org_id is not None and org_id != "":
            try:
                oid = int(org_id)
            except ValueError:
                raise HttpError(400, {"org_id": ["A valid integer is required."]})
            org = st.orgs.get(oid)
        elif slug is not None and slug != "":
            org = next((o for o in st.orgs.values() if o["slug"] == slug), None)
        elif slug is not None or org_id is not None:
            return lambda oid: oid is None  # personal workspace
        else:
            return None
        if org is None:
            raise HttpError(404, {"detail": "Not found."})
        if not st.user_is_admin(uid) and str(uid) not in org["members"]:
            raise HttpError(403, {"detail": "You do not have permission to perform this action."})
        return lambda oid, _o=org["id"]: oid == _o

    # ------------------------------------------------------------------ pagination
    def paginate(self, items):
        ps_raw = self.q.get("page_size")
        if ps_raw == "all":
            ps = sys.maxsize
        else:
            try:
                ps = int(ps_raw)
                if ps <= 0:
                    ps = DEFAULT_PAGE_SIZE
            except (TypeError, ValueError):
                ps = DEFAULT_PAGE_SIZE
        count = len(items)
        num_pages = max(1, math.ceil(count / ps))
        page_raw = self.q.get("page", "1")
        if page_raw == "last":
            page = num_pages
        else:
            try:
                page = int(page_raw)
            except ValueError:
                raise HttpError(404, {"detail": "Invalid page."})
        if page < 1 or page > num_pages:
            raise HttpError(404, {"detail": "Invalid page."})
        results = items[(page - 1) * ps: page * ps] if ps != sys.maxsize else items
        url = self.base_url() + self.path

        def with_page(n):
            parts = urllib.parse.urlsplit(url)
            qd = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
            if n is None:
                qd.pop("page", None)
            else:
                qd["page"] = [str(n)]
            query = urllib.parse.urlencode(sorted(qd.items()), doseq=True)
            return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))

        nxt = with_page(page + 1) if page < num_pages else None
        prev = None
        if page > 1:
            prev = with_page(None) if page - 1 == 1 else with_page(page - 1)
        return {"count": count, "next": nxt, "previous": prev, "results": results}

    def apply_list_params(self, objs, default_sort, fields, search_field="name"):
        """objs: list of serialized dicts. Equality filters on `fields`, `search`, `filter`, `sort`."""
        out = objs
        for f, getter in fields.items():
            if f in self.q:
                v = self.q[f]
                out = [o for o in out if str(getter(o)) == v or (getter(o) is None and v == "")]
        if self.q.get("search"):
            s = self.q["search"].lower()
            out = [o for o in out if s in str(o.get(search_field, "")).lower()]
        if self.q.get("filter"):
            try:
                expr = json.loads(self.q["filter"])
                out = [o for o in out if json_logic(expr, o)]
            except (ValueError, TypeError, AttributeError) as e:
                raise HttpError(400, [f"filter: {e}"])
        sort = self.q.get("sort") or default_sort
        keys = [k.strip() for k in sort.split(",") if k.strip()]
        for k in reversed(keys):
            desc = k.startswith("-")
            name = k.lstrip("-")
            def key(o, name=name):
                v = o.get(name)
                if isinstance(v, dict):
                    v = v.get("username", v.get("id", 0))
                return (v is None, "" if v is None else v)
            out = sorted(out, key=key, reverse=desc)
        return out

    # ------------------------------------------------------------------ routing
    ROUTES = [
        ("GET", r"/api/server/about", "about"),
        ("POST", r"/api/auth/login", "login"),
        ("POST", r"/api/auth/logout", "logout"),
        ("GET", r"/api/auth/access_tokens/self", "pat_self"),
        ("GET", r"/api/users/self", "users_self"),
        ("GET", r"/api/projects", "projects_list"),
        ("GET", r"/api/projects/(\d+)", "project_detail"),
        ("GET", r"/api/projects/(\d+)/annotations/?", "project_annotations"),
        ("GET", r"/api/tasks", "tasks_list"),
        ("GET", r"/api/tasks/(\d+)", "task_detail"),
        ("GET", r"/api/tasks/(\d+)/annotations/?", "task_annotations"),
        ("GET", r"/api/tasks/(\d+)/data/meta", "task_meta"),
        ("GET", r"/api/tasks/(\d+)/data/?", "task_data"),
        ("GET", r"/api/labels", "labels_list"),
        ("GET", r"/api/labels/(\d+)", "label_detail"),
        ("GET", r"/api/jobs", "jobs_list"),
        ("GET", r"/api/jobs/(\d+)", "job_detail"),
        ("GET", r"/api/jobs/(\d+)/annotations/?", "job_annotations"),
    ]

    def route(self, faults_on):
        path = self.url_path
        matched = None
        methods = set()
        for m, rx, name in self.ROUTES:
            if self.st.old and name == "pat_self":
                continue
            mm = re.fullmatch(rx, path)
            if mm:
                methods.add(m)
                if m == self.method or (m == "GET" and self.method == "HEAD"):
                    matched = (name, mm.groups())
        if not methods:
            raise HttpError(404, NOT_FOUND_HTML)
        self.accepted_type = self.negotiate()
        if matched is None:
            if self.method == "OPTIONS":
                return Response(200, b"", self.accepted_type, [("Allow", ", ".join(sorted(methods | {"OPTIONS"})))])
            raise HttpError(405, {"detail": f'Method "{self.method}" not allowed.'})
        name, groups = matched
        faults = self.st.faults if faults_on else {}
        if faults.get("redirect_api_to"):
            self.faults_applied.append("redirect")
            loc = faults["redirect_api_to"].rstrip("/") + path + (("?" + self.raw_query) if self.raw_query else "")
            return Response(302, b"", "text/html; charset=utf-8", [("Location", loc)])
        is_chunk = name == "task_data" and self.q.get("type") == "chunk"
        if faults:
            if is_chunk and faults.get("retry_after_first"):
                key = (int(groups[0]), self.q.get("number"), self.q.get("quality", "compressed"))
                with self.st.lock:
                    first = key not in self.st.retry_seen
                    self.st.retry_seen.add(key)
                if first:
                    self.faults_applied.append("retry_after")
                    return Response(429, b"", self.accepted_type,
                                    [("Retry-After", str(faults.get("retry_after_seconds", 1)))])
            rate = faults.get("chunk_5xx_rate") if is_chunk else faults.get("json_5xx_rate")
            if rate and self._draw(rate):
                with self.st.lock:
                    code = self.st.rng.choice([500, 502, 503])
                self.faults_applied.append(f"5xx:{code}")
                text = {500: b"<h1>Server Error (500)</h1>", 502: b"<html><body><h1>502 Bad Gateway</h1></body></html>",
                        503: b"<html><body><h1>503 Service Unavailable</h1></body></html>"}[code]
                return Response(code, text, "text/html; charset=utf-8")
        return getattr(self, "h_" + name)(*[int(g) for g in groups])

    # ------------------------------------------------------------------ handlers
    def h_about(self):
        return self.json_resp(self.st.about)

    def h_login(self):
        st = self.st
        with st.lock:
            st.stats["login_calls"] += 1
        try:
            data = json.loads(self.body_bytes or b"{}")
            if not isinstance(data, dict):
                raise ValueError
        except ValueError:
            raise HttpError(400, {"detail": "JSON parse error - Expecting value: line 1 column 1 (char 0)"})
        if not data.get("password"):
            raise HttpError(400, {"password": ["This field is required." if "password" not in data else
                                               "This field may not be blank."]})
        ident = data.get("username") or data.get("email")
        u = next((u for u in st.users.values() if ident and ident in (u["username"], u["email"])), None)
        if u is None or u["password"] != data["password"] or not u["is_active"]:
            raise HttpError(400, {"non_field_errors": ["Unable to log in with provided credentials."]})
        uid = u["id"]
        with st.lock:
            key = st.tokens.get(uid) or secrets.token_hex(20)
            st.tokens[uid] = key
            sid = "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(32))
            csrf = secrets.token_urlsafe(24)[:32]
            st.sessions[sid] = {"user": uid, "csrf": csrf}
            u["last_login"] = fmt_dt(datetime.now(timezone.utc))
        self.entry["user"] = u["username"]
        headers = [("Set-Cookie", f"csrftoken={csrf}; expires=Fri, 31 Dec 2099 23:59:59 GMT; Max-Age=31449600; Path=/; SameSite=Lax"),
                   ("Set-Cookie", f"sessionid={sid}; expires=Fri, 31 Dec 2099 23:59:59 GMT; HttpOnly; Max-Age=1209600; Path=/; SameSite=Lax"),
                   ("Vary", "Cookie")]
        return self.json_resp({"key": key}, headers=headers)

    def h_logout(self):
        st = self.st
        with st.lock:
            st.stats["logout_calls"] += 1
        try:
            uid = self.authenticate(required=False)
        except HttpError as e:  # dj-rest-auth's LogoutView is AllowAny: bad credentials log nobody out,
            if "CSRF" in json.dumps(e.body):  # but a session without the CSRF header is still refused
                raise
            uid = None
        if uid is not None:
            self.entry["user"] = st.users[uid]["username"]
            with st.lock:
                st.tokens.pop(uid, None)
                for sid in [s for s, v in st.sessions.items() if v["user"] == uid]:
                    del st.sessions[sid]
        headers = [("Set-Cookie", 'sessionid=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax')]
        return self.json_resp({"detail": "Successfully logged out."}, headers=headers)

    def user(self):
        uid = self.authenticate()
        self.entry["user"] = self.st.users[uid]["username"]
        return uid

    def h_pat_self(self):
        uid = self.user()
        auth = (self.headers.get("Authorization") or "").split()
        if not auth or auth[0].lower() != "bearer":
            raise HttpError(403, {"detail": "You do not have permission to perform this action."})
        tok = self.st.pats[auth[1]]
        base = self.base_url()
        return self.json_resp({"id": tok["id"], "name": tok["name"], "created_date": tok["created_date"],
                               "updated_date": tok["created_date"], "expiry_date": tok["expiry_date"],
                               "last_used_date": None, "read_only": tok["read_only"],
                               "owner": basic_user(self.st, base, uid)})

    def h_users_self(self):
        uid = self.user()
        return self.json_resp(full_user(self.st, self.base_url(), uid))

    def get_task(self, uid, tid):
        t = self.st.tasks.get(tid)
        if t is None or not self.st.task_visible(uid, t):
            raise HttpError(404, {"detail": "Not found."})
        return t

    def h_projects_list(self):
        uid = self.user()
        st, base = self.st, self.base_url()
        orgf = self.org_filter(uid)
        with st.lock:
            items = [project_read(st, base, uid, p) for p in st.projects.values()
                     if st.project_visible(uid, p) and (orgf is None or orgf(p["organization"]))]
        items = self.apply_list_params(items, "-id", {
            "name": lambda o: o["name"], "status": lambda o: o["status"],
            "owner": lambda o: (o["owner"] or {}).get("username"),
            "assignee": lambda o: (o["assignee"] or {}).get("username"), "id": lambda o: o["id"]})
        return self.json_resp(self.paginate(items))

    def h_project_detail(self, pid):
        uid = self.user()
        st = self.st
        p = st.projects.get(pid)
        if p is None or not st.project_visible(uid, p):
            raise HttpError(404, {"detail": "Not found."})
        with st.lock:
            return self.json_resp(project_read(st, self.base_url(), uid, p))

    def h_project_annotations(self, pid):
        self.h_project_detail(pid)
        return self.json_resp({"detail": "This endpoint is no longer supported: use POST /api/projects/id/dataset/export?save_images=False"}, 410)

    def h_tasks_list(self):
        uid = self.user()
        st, base = self.st, self.base_url()
        orgf = self.org_filter(uid)
        with st.lock:
            items = [task_read(st, base, uid, t) for t in st.tasks.values()
                     if st.task_visible(uid, t) and (orgf is None or orgf(t["organization"]))]
        items = self.apply_list_params(items, "-id", {
            "project_id": lambda o: o["project_id"], "project_name": lambda o: o["project_name"],
            "name": lambda o: o["name"], "subset": lambda o: o["subset"], "status": lambda o: o["status"],
            "mode": lambda o: o["mode"], "dimension": lambda o: o["dimension"],
            "media_type": lambda o: o["media_type"], "validation_mode": lambda o: o["validation_mode"],
            "tracker_link": lambda o: o["bug_tracker"], "id": lambda o: o["id"],
            "owner": lambda o: (o["owner"] or {}).get("username"),
            "assignee": lambda o: (o["assignee"] or {}).get("username")})
        return self.json_resp(self.paginate(items))

    def h_task_detail(self, tid):
        uid = self.user()
        with self.st.lock:
            t = self.get_task(uid, tid)
            return self.json_resp(task_read(self.st, self.base_url(), uid, t))

    def h_task_meta(self, tid):
        uid = self.user()
        with self.st.lock:
            t = self.get_task(uid, tid)
            if t["data"] is None:
                raise HttpError(404, {"detail": "Not found."})
            return self.json_resp(data_meta(self.st, t))

    def h_task_annotations(self, tid):
        uid = self.user()
        if any(k in self.q for k in ("format", "filename", "action", "location", "cloud_storage_id")):
            raise HttpError(410, "This endpoint no longer handles exporting of annotations. Use POST /api/tasks/id/dataset/export?save_images=False")
        with self.st.lock:
            t = self.get_task(uid, tid)
            if t["data"] is None:
                raise HttpError(400, "Exporting annotations from a task without data is not allowed")
            if tid in self.st.annotations.verbatim:
                body = self.st.annotations.verbatim[tid].read_bytes()
                return Response(200, body, getattr(self, "accepted_type", CVAT_JSON), None, json_body=True)
            return self.json_resp(self.st.annotations[tid])

    def h_task_data(self, tid):
        uid = self.user()
        st = self.st
        typ = self.q.get("type")
        quality = self.q.get("quality", "compressed")
        number = self.q.get("number")
        with st.lock:
            t = self.get_task(uid, tid)
        if typ not in ("chunk", "frame", "preview", "context_image"):
            raise HttpError(400, "Data type not specified or has wrong value")
        if typ in ("chunk", "frame") and number is None:
            raise HttpError(400, "Number is not specified")
        if quality not in ("compressed", "original"):
            raise HttpError(400, "Wrong quality value")
        d = t["data"]
        if d is None:
            raise HttpError(404, {"detail": "Not found."})
        try:
            n = int(number) if number is not None else 0
        except ValueError:
            raise HttpError(400, "Number must be an integer")
        if typ == "context_image":
            return Response(404, NOT_FOUND_HTML, "text/html; charset=utf-8")
        if typ == "frame" or typ == "preview":
            with st.lock:
                st.stats["frame_requests"] += 1
            if not 0 <= n < d["size"]:
                raise HttpError(400, f"Incorrect requested frame number: {n}")
            if "video" in d:
                if quality == "original" or st.old:  # 2.23 decodes its compressed video: PNG as well
                    return Response(200, st.video_frame_png(t, n), "image/png")
                return Response(200, st.video_frame_jpeg(t, n), "image/jpeg")
            data, ext = st.frame_file(t, n, quality)
            return Response(200, data, MIME.get(ext, "application/octet-stream"))
        # chunk
        with st.lock:
            st.stats["chunk_requests"] += 1
        nchunks = math.ceil(d["size"] / d["chunk_size"])
        if not 0 <= n < nchunks:
            raise HttpError(400, f"Invalid chunk number '{n}'. The chunk number should be in the [0, {nchunks - 1}] range")
        for failing in st.faults.get("fail_chunks") or []:
            if list(failing[:2]) == [tid, n]:
                status = int(failing[2]) if len(failing) > 2 else 500
                self.faults_applied.append(f"fail:{status}")
                if status == 404:
                    raise HttpError(404, {"detail": "Not found."})
                return Response(status, b"<h1>Server Error (%d)</h1>" % status, "text/html; charset=utf-8")
        not_ready = self.wait_for_chunk(tid, n, quality, d)
        if not_ready is not None:
            return not_ready
        self.hold_chunk(tid, n)
        body, ctype = st.chunk(t, n, quality)
        faults = st.faults
        headers = [("X-Checksum", chunk_checksum(body)), ("X-Updated-Date", d["chunks_updated_date"])]
        if not st.old:  # 2.23 answers every chunk request with the whole body and no Range support
            headers += [("Accept-Ranges", "bytes"), ("X-Chunk-Size", str(len(body)))]
        if faults and [tid, n] in [list(x) for x in faults.get("corrupt_chunks") or []]:
            body = random.Random(f"corrupt-{tid}-{n}-{quality}").randbytes(len(body))
            self.faults_applied.append("corrupt")
        if faults.get("endless_body"):
            self.faults_applied.append("endless")
            resp = Response(200, body, ctype, headers, chunk=True)
            resp.endless = True
            return resp
        rng_hdr = self.headers.get("Range")
        if rng_hdr is not None and not st.old:
            if faults.get("ignore_range"):
                self.faults_applied.append("ignore_range")
                return Response(200, body, ctype, headers, chunk=True)
            size = len(body)
            m = re.fullmatch(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*", rng_hdr)
            if not m or (m.group(1) == "" and m.group(2) == ""):
                raise HttpError(400, "Invalid Range header")
            a, b = m.group(1), m.group(2)
            if a == "":  # suffix
                length = int(b)
                if length == 0:
                    return Response(416, b"", ctype, headers + [("Content-Range", f"bytes */{size}")])
                start, end = max(0, size - length), size - 1
            else:
                start = int(a)
                end = int(b) if b != "" else size - 1
                if b != "" and end < start:
                    raise HttpError(400, "Invalid Range header")
                if start >= size:
                    return Response(416, b"", ctype, headers + [("Content-Range", f"bytes */{size}")])
                end = min(end, size - 1)
            return Response(206, body[start:end + 1], ctype,
                            headers + [("Content-Range", f"bytes {start}-{end}/{size}")], chunk=True, ranged=True)
        return Response(200, body, ctype, headers, chunk=True)

    def hold_chunk(self, tid, n):
        """With the hold_chunks fault: waits until POST /_test/release (at most 10 minutes, so a test that fails
        before releasing cannot hang the server's threads for ever)."""
        st = self.st
        if [tid, n] not in [list(x) for x in st.faults.get("hold_chunks") or []]:
            return
        self.faults_applied.append("held")
        with st.hold:
            generation = st.release_generation
            st.held.append([tid, n])
            st.hold.wait_for(lambda: st.release_generation != generation, timeout=600)
            st.held.remove([tid, n])

    def wait_for_chunk(self, tid, n, quality, d):
        """Blocks while the "worker" prepares a chunk; a 429 when that outlasts the wait, as CVAT's chunk cache.

        The first request for a chunk starts its preparation, which takes `chunk_prepare_seconds` (a fault key;
        0 by default: ready at once). Every request polls for up to `chunk_wait_seconds` (50, CVAT's
        CVAT_CHUNK_CREATE_TIMEOUT) and, if the chunk is still not ready, answers 429 with `Retry-After:
        chunk_retry_after` (10) and an empty body. Returns that response, or None when the chunk is ready.
        """
        st = self.st
        faults = st.faults
        prepare = float(faults.get("chunk_prepare_seconds") or 0)
        if prepare <= 0:
            return None
        key = (tid, n, quality, d.get("alt_active"))
        with st.lock:
            ready_at = st.preparing.setdefault(key, time.monotonic() + prepare)
        deadline = time.monotonic() + float(faults.get("chunk_wait_seconds", 50))
        while time.monotonic() < ready_at:
            if time.monotonic() >= deadline:
                self.faults_applied.append("not_ready")
                return Response(429, b"", self.accepted_type,
                                [("Retry-After", str(faults.get("chunk_retry_after", 10)))])
            time.sleep(min(0.05, max(0.0, min(ready_at, deadline) - time.monotonic())))
        return None

    def h_labels_list(self):
        uid = self.user()
        st = self.st
        given = [k for k in ("task_id", "project_id", "job_id") if k in self.q]
        if len(given) > 1:
            raise HttpError(400, {"detail": "Only 1 of the following fields can be used simultaneously: job_id, task_id, project_id"})
        with st.lock:
            if given:
                k = given[0]
                try:
                    oid = int(self.q[k])
                except ValueError:
                    raise HttpError(400, {k: ["A valid integer is required."]})
                if k == "task_id":
                    t = st.tasks.get(oid)
                    if t is None:
                        raise HttpError(404, {"detail": "Not found."})
                    if not st.task_visible(uid, t):
                        raise HttpError(403, {"detail": "You do not have permission to perform this action."})
                    labels = task_label_list(st, t)
                elif k == "project_id":
                    p = st.projects.get(oid)
                    if p is None:
                        raise HttpError(404, {"detail": "Not found."})
                    if not st.project_visible(uid, p):
                        raise HttpError(403, {"detail": "You do not have permission to perform this action."})
                    labels = [l for l in st.labels.values() if l.get("project_id") == oid]
                else:
                    j = st.jobs.get(oid)
                    if j is None or j["task_id"] not in st.tasks:
                        raise HttpError(404, {"detail": "Not found."})
                    if not st.job_visible(uid, j):
                        raise HttpError(403, {"detail": "You do not have permission to perform this action."})
                    labels = task_label_list(st, st.tasks[j["task_id"]])
            else:
                labels = []
                for l in st.labels.values():
                    if "project_id" in l:
                        p = st.projects.get(l["project_id"])
                        ok = p is not None and st.project_visible(uid, p)
                    else:
                        t = st.tasks.get(l["task_id"])
                        ok = t is not None and st.task_visible(uid, t)
                    if ok:
                        labels.append(l)
            items = [label_out(l) for l in labels]
        items = self.apply_list_params(items, "id", {
            "name": lambda o: o["name"], "type": lambda o: o["type"], "color": lambda o: o["color"],
            "parent_id": lambda o: o["parent_id"], "id": lambda o: o["id"]})
        return self.json_resp(self.paginate(items))

    def h_label_detail(self, lid):
        uid = self.user()
        st = self.st
        with st.lock:
            l = st.labels.get(lid)
            if l is None:
                raise HttpError(404, {"detail": "Not found."})
            if "project_id" in l:
                ok = l["project_id"] in st.projects and st.project_visible(uid, st.projects[l["project_id"]])
            else:
                ok = l["task_id"] in st.tasks and st.task_visible(uid, st.tasks[l["task_id"]])
            if not ok:
                raise HttpError(404, {"detail": "Not found."})
            return self.json_resp(label_out(l))

    def h_jobs_list(self):
        uid = self.user()
        st, base = self.st, self.base_url()
        orgf = self.org_filter(uid)
        with st.lock:
            items = [job_read(st, base, uid, j) for j in st.jobs.values()
                     if j["task_id"] in st.tasks and st.job_visible(uid, j)
                     and (orgf is None or orgf(st.tasks[j["task_id"]]["organization"]))]
        items = self.apply_list_params(items, "-id", {
            "task_id": lambda o: o["task_id"], "project_id": lambda o: o["project_id"],
            "type": lambda o: o["type"], "stage": lambda o: o["stage"], "state": lambda o: o["state"],
            "task_name": lambda o: o["task_name"], "project_name": lambda o: o["project_name"],
            "dimension": lambda o: o["dimension"], "media_type": lambda o: o["media_type"],
            "mode": lambda o: o["mode"], "parent_job_id": lambda o: o["parent_job_id"], "id": lambda o: o["id"],
            "assignee": lambda o: (o["assignee"] or {}).get("username")}, search_field="task_name")
        return self.json_resp(self.paginate(items))

    def get_job(self, uid, jid):
        j = self.st.jobs.get(jid)
        if j is None or j["task_id"] not in self.st.tasks or not self.st.job_visible(uid, j):
            raise HttpError(404, {"detail": "Not found."})
        return j

    def h_job_detail(self, jid):
        uid = self.user()
        with self.st.lock:
            return self.json_resp(job_read(self.st, self.base_url(), uid, self.get_job(uid, jid)))

    def h_job_annotations(self, jid):
        uid = self.user()
        if any(k in self.q for k in ("format", "filename", "action", "location", "cloud_storage_id")):
            raise HttpError(410, "This endpoint no longer handles exporting of annotations. Use POST /api/jobs/id/dataset/export?save_images=False")
        with self.st.lock:
            j = self.get_job(uid, jid)
            if j["type"] == "ground_truth":  # its annotations are its own, and the dataset has none
                return self.json_resp({"version": 0, "tags": [], "shapes": [], "tracks": [], "intervals": []})
            ann = self.st.annotations[j["task_id"]]
            a, b = j["start_frame"], j["stop_frame"]
            return self.json_resp({
                "version": 0,
                "tags": [x for x in ann["tags"] if a <= x["frame"] <= b],
                "shapes": [x for x in ann["shapes"] if a <= x["frame"] <= b],
                "tracks": [x for x in ann["tracks"] if a <= x["frame"] <= b],
                "intervals": []})

    # ------------------------------------------------------------------ control endpoints
    def control(self) -> Response:
        st = self.st
        path = self.url_path
        try:
            body = json.loads(self.body_bytes) if self.body_bytes.strip() else {}
        except ValueError:
            raise HttpError(400, {"detail": "body is not JSON"})
        if not isinstance(body, dict):
            raise HttpError(400, {"detail": "body must be a JSON object"})
        ok = lambda obj: self.json_resp(obj, content_type="application/json")
        if self.method == "GET" and path == "/_test/log":
            deadline = time.monotonic() + 1.0
            while st.inflight > 0 and time.monotonic() < deadline:  # let finished requests record bytes_sent
                time.sleep(0.005)
            with st.lock:
                return ok(copy.deepcopy(st.log))
        if self.method == "GET" and path == "/_test/stats":
            with st.lock:
                return ok(copy.deepcopy(st.stats))
        if self.method == "GET" and path == "/_test/faults":
            with st.lock:
                return ok(st.faults)
        if self.method == "GET" and path == "/_test/held":
            with st.lock:
                return ok({"held": copy.deepcopy(st.held)})
        if self.method != "POST":
            raise HttpError(405, {"detail": f'Method "{self.method}" not allowed.'})
        if path == "/_test/log/reset":
            with st.lock:
                st.log.clear()
                st.reset_stats()
            return ok({"ok": True})
        if path == "/_test/reset":
            st.release_held()
            st.load()
            return ok({"ok": True})
        if path == "/_test/release":
            st.release_held()
            return ok({"ok": True})
        if path == "/_test/faults":
            allowed = {"seed", "chunk_5xx_rate", "json_5xx_rate", "drop_rate", "retry_after_first",
                       "retry_after_seconds", "latency_ms", "slow_bytes_per_sec", "ignore_range", "endless_body",
                       "malformed_json", "corrupt_chunks", "redirect_api_to", "chunk_prepare_seconds",
                       "chunk_wait_seconds", "chunk_retry_after", "bandwidth_bytes_per_sec", "hold_chunks",
                       "fail_chunks"}
            unknown = set(body) - allowed
            if unknown:
                raise HttpError(400, {"detail": f"unknown fault keys: {sorted(unknown)}"})
            for rx in body.get("malformed_json") or []:
                re.compile(rx)
            with st.lock:
                st.faults = {k: v for k, v in body.items() if v not in (None, False, 0, [], "")
                             or k in ("seed", "chunk_wait_seconds", "chunk_retry_after")}
                st.faults.pop("seed", None)
                st.rng = random.Random(int(body.get("seed", 0)))
                st.retry_seen = set()
                st.preparing = {}
                # Requests held by the previous settings go on; new holds wait for the next release.
                st.release_held()
                if "seed" in body:
                    st.faults["seed"] = int(body["seed"])
                st.chunk_cache = {k: v for k, v in st.chunk_cache.items()}
                return ok(st.faults)
        m = re.fullmatch(r"/_test/tasks/(\d+)/(annotations|chunks|labels|delete|updated-date)", path)
        if not m:
            raise HttpError(404, {"detail": "unknown control endpoint"})
        tid, action = int(m.group(1)), m.group(2)
        with st.lock:
            t = st.tasks.get(tid)
            if t is None:
                raise HttpError(404, {"detail": "Not found."})
            p = st.projects.get(t["project_id"]) if t["project_id"] else None
            jobs = [j for j in st.jobs.values() if j["task_id"] == tid]
            if action == "delete":
                del st.tasks[tid]
                for j in jobs:
                    del st.jobs[j["id"]]
                for lid in [l["id"] for l in st.labels.values() if l.get("task_id") == tid]:
                    del st.labels[lid]
                return ok({"deleted": tid})
            if action == "updated-date":
                if "updated_date" not in body:
                    raise HttpError(400, {"updated_date": ["This field is required."]})
                try:
                    t["updated_date"] = fmt_dt(parse_dt(body["updated_date"]))
                except (ValueError, TypeError):
                    raise HttpError(400, {"updated_date": ["Invalid datetime."]})
                return ok({"task": tid, "updated_date": t["updated_date"]})
            if action == "chunks":
                if t["data"] is None:
                    raise HttpError(400, {"detail": "task has no data"})
                d = t["data"]
                d["alt_active"] = not d.get("alt_active")
                d["chunks_updated_date"] = bumped(d["chunks_updated_date"])
                t["updated_date"] = bumped(t["updated_date"])
                st.chunk_cache = {k: v for k, v in st.chunk_cache.items() if k[1] != tid}
                return ok({"task": tid, "updated_date": t["updated_date"],
                           "chunks_updated_date": d["chunks_updated_date"],
                           "changed_frame": 0 if "video" in d else st.first_active_frame(t),
                           "alternative_image": d["alt_active"]})
            if action == "labels":
                new_id = max([l["id"] for l in st.labels.values()] +
                             [s["id"] for l in st.labels.values() for s in l["sublabels"]]) + 1
                owner = {"project_id": p["id"]} if p else {"task_id": tid}
                lab = {"id": new_id, "name": body.get("name") or f"extra-{new_id}",
                       "color": body.get("color") or "#%06x" % (new_id * 2654435761 % 0xFFFFFF),
                       "attributes": [], "type": body.get("type") or "any", "sublabels": [],
                       "parent_id": None, "has_parent": False, **owner}
                st.labels[new_id] = lab
                if p:
                    p["updated_date"] = bumped(p["updated_date"])
                    for t2 in st.tasks.values():
                        if t2["project_id"] == p["id"]:
                            t2["updated_date"] = bumped(t2["updated_date"])
                else:
                    t["updated_date"] = bumped(t["updated_date"])
                return ok({"task": tid, "label": label_out(lab), "updated_date": t["updated_date"]})
            # annotations
            if t["data"] is None:
                raise HttpError(400, {"detail": "task has no data"})
            ann = st.annotations[tid]
            d = t["data"]
            changes = []
            if body.get("add_shapes"):
                # Exactly these shapes (LabeledShape fields; id, group, source, ... filled in when left out).
                next_id = max([x["id"] for x in ann["shapes"]] or [0]) + 1
                for given in body["add_shapes"]:
                    new = {"id": next_id, "group": 0, "source": "manual", "score": 1.0, "occluded": False,
                           "outside": False, "z_order": 0, "rotation": 0.0, "attributes": [], "elements": []}
                    new.update(given)
                    next_id += 1
                    ann["shapes"].append(new)
                    changes.append({"added_shape": new["id"]})
            shp = None if body.get("add_shapes") else next((s for s in ann["shapes"] if s["type"] not in ("mask", "skeleton")), None)
            if shp is not None:
                shp["points"] = [v + 1.0 if k % 2 == 0 else v for k, v in enumerate(shp["points"])]
                changes.append({"moved_shape": shp["id"], "dx": 1})
            all_ids = [x["id"] for x in ann["tags"]] or [0]
            active = [i for i in range(d["size"]) if i not in d["deleted_frames"]]
            labels = task_label_list(st, t)
            if body.get("add_shapes"):
                pass
            elif body.get("add_tag"):
                at = body["add_tag"]
                new = {"id": max(all_ids) + 1, "label_id": int(at["label_id"]), "frame": int(at["frame"]),
                       "group": 0, "source": "manual", "attributes": []}
                ann["tags"].append(new)
                changes.append({"added_tag": new})
            else:
                tagged = {x["frame"] for x in ann["tags"]}
                free = [f for f in active if f not in tagged]
                tag_labels = [l["id"] for l in labels if l["type"] in ("any", "tag")] or [l["id"] for l in labels]
                if free and tag_labels:
                    new = {"id": max(all_ids) + 1, "label_id": tag_labels[0], "frame": free[0],
                           "group": 0, "source": "manual", "attributes": []}
                    ann["tags"].append(new)
                    changes.append({"added_tag": new})
                elif ann["tags"] and tag_labels:
                    tg = next(x for x in ann["tags"] if x["frame"] in active)
                    idx = tag_labels.index(tg["label_id"]) if tg["label_id"] in tag_labels else -1
                    old = tg["label_id"]
                    tg["label_id"] = tag_labels[(idx + 1) % len(tag_labels)]
                    changes.append({"relabeled_tag": tg["id"], "frame": tg["frame"], "from": old, "to": tg["label_id"]})
            t["updated_date"] = bumped(t["updated_date"])
            for j in jobs:
                j["updated_date"] = bumped(j["updated_date"])
            if p:
                p["updated_date"] = bumped(p["updated_date"])
            return ok({"task": tid, "updated_date": t["updated_date"], "changes": changes})


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, addr, state, ssl_ctx=None, log_file=None, bandwidth=0.0):
        self.state = state
        self.ssl_ctx = ssl_ctx
        self.scheme = "https" if ssl_ctx else "http"
        self.log_file = log_file
        self.bandwidth = bandwidth
        self.log_lock = threading.Lock()
        super().__init__(addr, Handler)

    def get_request(self):
        sock, addr = super().get_request()
        if self.ssl_ctx:
            sock = self.ssl_ctx.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, ssl.SSLError, socket.timeout, TimeoutError)):
            return
        super().handle_error(request, client_address)


def main(argv=None):
    ap = argparse.ArgumentParser(description="CVAT-compatible test server")
    ap.add_argument("--dataset", required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--ready-file")
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--log-file")
    ap.add_argument("--exit-on-stdin-eof", action="store_true")
    ap.add_argument("--bandwidth", type=float, default=0, metavar="BYTES_PER_SECOND",
                    help="all /api response bodies together go out at this rate (a link's bandwidth)")
    ap.add_argument("--server-version", choices=SERVER_VERSIONS, default="2.73",
                    help="which CVAT to answer like (2.23: the old server's behaviours, see the docstring)")
    args = ap.parse_args(argv)

    state = State(Path(args.dataset), args.server_version)
    ctx = None
    if args.tls_cert or args.tls_key:
        if not (args.tls_cert and args.tls_key):
            ap.error("--tls-cert and --tls-key go together")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
    log_file = open(args.log_file, "a", encoding="utf-8") if args.log_file else None
    if ":" in args.host:
        Server.address_family = socket.AF_INET6
    server = Server((args.host, args.port), state, ctx, log_file, args.bandwidth)
    host, port = server.server_address[:2]
    if ":" in host:
        host = f"[{host}]"
    url = f"{server.scheme}://{host}:{port}"

    stopping = threading.Event()

    def stop(*_):
        if not stopping.is_set():
            stopping.set()
            threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.exit_on_stdin_eof:
        def watch_stdin():
            try:
                while os.read(0, 65536):
                    pass
            except Exception:
                pass
            stop()
        threading.Thread(target=watch_stdin, daemon=True).start()

    if args.ready_file:
        tmp = args.ready_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(url + "\n")
        os.replace(tmp, args.ready_file)
    sys.stdout.write(f"READY {url}\n")
    sys.stdout.flush()
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        if log_file:
            log_file.close()
    sys.stdout.flush()
    sys.stderr.flush()
    # os._exit: daemon threads (keep-alive connections, the stdin watcher) must not delay or abort exit
    os._exit(0)


if __name__ == "__main__":
    main()
