"""Exports made by the cvat-ds binary in this test run, against the test server with the sample dataset.

The binary is $CVAT_DS (the Makefile passes .build/debug/cvat-ds). One server and one cache serve the whole
session; each distinct set of export flags is exported once."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SERVER = REPO / "Fixtures" / "server" / "cvat_test_server.py"
DATASET = REPO / "Fixtures" / "datasets" / "sample"
ADMIN_PAT = "cvat_pat_admin.0123456789abcdef"

sys.path.insert(0, str(REPO / "python"))


def _let_torchvision_import_without_its_ops():
    """Where only a CPU torch wheel is on offer (this machine's pip find-links), torchvision comes from PyPI, built
    against the CUDA torch: its _C extension cannot load (libtorch_cuda.so is missing), and torchvision 0.28 then
    fails at import, registering fake kernels for nms and qnms, the two ops it expects _C to have defined.
    Defining their schemas lets it import; its C++ ops stay unavailable, and nothing here calls them (datasets,
    transforms and ResNet are pure PyTorch). Where a matching torchvision is installed, _C loads and nothing is
    done."""
    import ctypes
    import importlib.util

    torch_spec, vision_spec = importlib.util.find_spec("torch"), importlib.util.find_spec("torchvision")
    if torch_spec is None or vision_spec is None:
        return
    import torch

    extension = Path(vision_spec.origin).parent / "_C.so"
    try:
        ctypes.CDLL(str(extension))
        return
    except OSError:
        pass
    global _TORCHVISION_SCHEMAS
    _TORCHVISION_SCHEMAS = torch.library.Library("torchvision", "DEF")
    for op in ("nms", "qnms"):
        _TORCHVISION_SCHEMAS.define(f"{op}(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")


_let_torchvision_import_without_its_ops()


class Server:
    def __init__(self):
        self.proc = subprocess.Popen(
            [sys.executable, str(SERVER), "--dataset", str(DATASET), "--port", "0", "--exit-on-stdin-eof"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        assert line.startswith("READY "), line
        self.url = line.split()[1]

    def stop(self):
        self.proc.stdin.close()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()


@pytest.fixture(scope="session")
def binary():
    path = os.environ.get("CVAT_DS") or str(REPO / ".build" / "debug" / "cvat-ds")
    assert os.access(path, os.X_OK), f"{path}: no cvat-ds binary (set CVAT_DS or run swift build)"
    return path


@pytest.fixture(scope="session")
def server():
    s = Server()
    yield s
    s.stop()


@pytest.fixture(scope="session", autouse=True)
def _token(monkeypatch_session):
    monkeypatch_session.setenv("CVAT_ACCESS_TOKEN", ADMIN_PAT)


@pytest.fixture(scope="session")
def monkeypatch_session():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


class Exporter:
    def __init__(self, binary, server, root):
        self.binary, self.server, self.root = binary, server, root
        self.cache = root / "cache"
        self.made = {}

    def run(self, *args, check=True):
        return subprocess.run([self.binary, *args], capture_output=True, text=True, check=check)

    def __call__(self, *flags):
        """The folder of an export with these flags (made once per session)."""
        if flags not in self.made:
            out = self.root / f"export-{len(self.made)}"
            result = self.run("export", "--server-host", self.server.url, "--cache-dir", str(self.cache), "--quiet",
                              *flags, "--out", str(out), check=False)
            assert result.returncode == 0, result.stderr
            self.made[flags] = out
        return self.made[flags]


@pytest.fixture(scope="session")
def exporter(binary, server, tmp_path_factory):
    return Exporter(binary, server, tmp_path_factory.mktemp("exports"))
