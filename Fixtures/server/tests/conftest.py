import base64
import http.client
import json
import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[2]
SERVER = FIXTURES / "server" / "cvat_test_server.py"
DATASET = FIXTURES / "datasets" / "sample"
SDK_DIR = FIXTURES / "sdk"

ADMIN_PAT = "cvat_pat_admin.0123456789abcdef"
WORKER_PAT = "cvat_pat_worker.fedcba9876543210"
EXPIRED_PAT = "cvat_pat_expired.00000000deadbeef"


class RunningServer:
    def __init__(self, extra_args=(), stdin=subprocess.PIPE):
        self.proc = subprocess.Popen(
            [sys.executable, str(SERVER), "--dataset", str(DATASET), "--port", "0", "--exit-on-stdin-eof", *extra_args],
            stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        assert line.startswith("READY "), (line, self.proc.stderr.read() if self.proc.poll() is not None else "")
        self.url = line.split()[1]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if f:
                f.close()


class Resp:
    def __init__(self, r, data):
        self.status = r.status
        self.headers = r.headers
        self.data = data

    def header(self, name):
        return self.headers.get(name)

    def json(self):
        return json.loads(self.data)


def basic(user, pw):
    return "Basic " + base64.b64encode(f"{user}:{pw}".encode()).decode()


class Api:
    """A raw HTTP client (http.client) so the tests control every header."""

    def __init__(self, url):
        self.url = url
        u = urllib.parse.urlsplit(url)
        self.host, self.port, self.scheme = u.hostname, u.port, u.scheme

    def request(self, method, path, headers=None, body=None, auth="admin", timeout=15):
        h = {"Accept-Encoding": "identity"}
        if auth == "admin":
            h["Authorization"] = f"Bearer {ADMIN_PAT}"
        elif auth == "worker":
            h["Authorization"] = f"Bearer {WORKER_PAT}"
        h.update(headers or {})
        h = {k: v for k, v in h.items() if v is not None}
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
            h.setdefault("Content-Type", "application/json")
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            data = r.read()
            return Resp(r, data)
        finally:
            conn.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def control(self, path, body=None):
        r = self.request("POST", path, body=body if body is not None else {}, auth=None)
        assert r.status == 200, (path, r.status, r.data)
        return r.json()

    def log(self):
        return self.get("/_test/log", auth=None).json()


@pytest.fixture(scope="session")
def server():
    s = RunningServer()
    yield s
    s.stop()


@pytest.fixture
def api(server):
    a = Api(server.url)
    a.control("/_test/reset")
    yield a
    a.control("/_test/faults", {})
