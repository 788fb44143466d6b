"""The wheel (`make wheel`) in a fresh venv, run with the Swift toolchain out of sight: `cvat-ds` on the venv's PATH,
no libswift (nor anything under the toolchain) in what it loads, `--version`, a sync and an export against the
test server, and `import cvat_ds` reading that export. `make test-wheel` runs it with CVAT_DS_WHEEL set."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ADMIN_PAT

TOOLCHAIN = Path(os.environ.get("SWIFT_TOOLCHAIN", "/opt/swift"))


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    wheel = os.environ.get("CVAT_DS_WHEEL")
    assert wheel and Path(wheel).is_file(), "CVAT_DS_WHEEL names no wheel (make test-wheel builds one)"
    folder = tmp_path_factory.mktemp("wheel") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    subprocess.run([str(folder / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    wheel], check=True)
    return folder


def hidden_toolchain_env(venv, **extra):
    """A bare environment: only the venv's bin and the system folders on PATH, no LD_LIBRARY_PATH."""
    return {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "LD_LIBRARY_PATH": "", "HOME": str(venv.parent), **extra}


def run(venv, *argv, **extra):
    return subprocess.run(list(argv), env=hidden_toolchain_env(venv, **extra), capture_output=True, text=True)


def test_binary_on_path_without_the_toolchain(venv):
    found = run(venv, "sh", "-c", "command -v cvat-ds")
    assert found.returncode == 0 and found.stdout.strip() == str(venv / "bin" / "cvat-ds")
    assert shutil.which("swift", path=hidden_toolchain_env(venv)["PATH"]) is None
    ldd = run(venv, "ldd", str(venv / "bin" / "cvat-ds"))
    assert ldd.returncode == 0, ldd.stderr
    assert "libswift" not in ldd.stdout and str(TOOLCHAIN) not in ldd.stdout, ldd.stdout
    assert "not found" not in ldd.stdout, ldd.stdout
    version = run(venv, "cvat-ds", "--version")
    assert version.returncode == 0 and version.stdout.strip(), version.stderr


def test_sync_export_and_import(venv, server, tmp_path):
    cache, out = tmp_path / "cache", tmp_path / "flowers"
    sync = run(venv, "cvat-ds", "sync", "--server-host", server.url, "--cache-dir", str(cache), "--task", "1",
               CVAT_ACCESS_TOKEN=ADMIN_PAT)
    assert sync.returncode == 0, sync.stderr
    export = run(venv, "cvat-ds", "export", "--server-host", server.url, "--cache-dir", str(cache), "--task", "1",
                 "--transform", "label", "--resize", "16x16", "--out", str(out), CVAT_ACCESS_TOKEN=ADMIN_PAT)
    assert export.returncode == 0, export.stderr
    check = run(venv, str(venv / "bin" / "python"), "-c",
                "import sys, cvat_ds; e = cvat_ds.open(sys.argv[1]); s = e[0]; "
                "print(len(e), s.image.shape, e.labels.names()[s.label])", str(out))
    assert check.returncode == 0, check.stderr
    count, _, rest = check.stdout.partition(" ")
    assert int(count) == 15 and rest.startswith("(16, 16, 3)")
