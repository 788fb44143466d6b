#!/usr/bin/env python3
"""The cvat-ds benchmark driver (`make bench`; run with the bench venv, see the Makefile).

    run_bench.py [--frames N] [--repeat R] [--torch] [--scale] [--cvat-ds PATH] [--work DIR] [--results FILE]

1. Generates (or reuses) the dataset of N real-photograph JPEGs (make_dataset.py) under --work.
2. Serves it from Fixtures/server/cvat_test_server.py on 127.0.0.1.
3. Measures, R times each, cvat-ds against cvat-sdk 2.80 (sdk_side.py), alternating which goes first:
   cold sync (empty cache), warm sync (nothing changed), re-sync after an annotation-only change
   (POST /_test/tasks/1/annotations), and export to 224x224 uint8 NHWC + labels; counts the requests and bytes of
   every run from the server's /_test/log; records each process's peak RSS (wait4) and the peak RSS summed over
   its process tree (sampled from /proc every 20 ms).
4. Runs the decode limit: decode_floor.c (compiled here with cc -O2 -lturbojpeg -lpthread) decoding every frame at
   the DCT scale the export uses, on all cores and on one.
5. With --scale, repeats the cvat-ds measurements at 10N frames (RSS growth).
6. Prints a table and appends a run record to --results (bench/results.json).

SDK times are measured inside the Python process from creating the client to the last file written, so Python's
and torch's import time is not counted against the SDK (the wall time of the whole process is recorded too).
cvat-ds times are the wall time of the whole process.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))
import make_dataset  # noqa: E402

PAT = make_dataset.PAT
TASK = 1
PAGE = os.sysconf("SC_PAGE_SIZE")


# ------------------------------------------------------------------ process measurement

def _tree_rss_kb(root: int) -> int:
    """RSS summed over `root` and its descendants (shared pages counted once per process: an upper bound)."""
    parent = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat", "rb") as f:
                s = f.read()
            parent[int(d)] = int(s[s.rindex(b")") + 2:].split()[1])
        except (OSError, ValueError):
            pass
    tree, frontier = {root}, [root]
    while frontier:
        p = frontier.pop()
        for c, pp in parent.items():
            if pp == p and c not in tree:
                tree.add(c)
                frontier.append(c)
    total = 0
    for p in tree:
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * PAGE // 1024
        except (OSError, ValueError, IndexError):
            pass
    return total


def _hwm_kb(pid: int) -> int:
    """VmHWM (peak resident set) of one process, 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def run_measured(cmd: list[str], env: dict | None = None, check: bool = True) -> dict:
    """Run cmd; wall seconds, exit code, stdout, peak RSS of the process (wait4) and of its tree (sampled)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        peak = [0]
        done = threading.Event()

        hwm = [0]

        def sample():
            while not done.is_set():
                peak[0] = max(peak[0], _tree_rss_kb(p.pid))
                hwm[0] = max(hwm[0], _hwm_kb(p.pid))
                done.wait(0.02)

        th = threading.Thread(target=sample, daemon=True)
        th.start()
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        done.set()
        th.join()
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    # ru_maxrss counts what a forked child shared with this (Python) process before exec; VmHWM sampled from /proc
    # is the process's own high-water mark. The last one read is at most 20 ms old, so ru_maxrss stays the bound
    # when the process was too short to be sampled.
    own = hwm[0] or ru.ru_maxrss
    res = {"wall": wall, "rc": p.returncode, "maxrss_kb": own, "ru_maxrss_kb": ru.ru_maxrss,
           "tree_peak_kb": max(peak[0], own),
           "user": ru.ru_utime, "sys": ru.ru_stime, "stdout": stdout}
    if check and p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}\n{stdout[-2000:]}\n{stderr[-4000:]}")
    return res


# ------------------------------------------------------------------ the test server

class Server:
    def __init__(self, dataset: Path):
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "Fixtures/server/cvat_test_server.py"), "--dataset", str(dataset),
             "--host", "127.0.0.1", "--port", "0", "--exit-on-stdin-eof"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline().strip()
        if not line.startswith("READY "):
            raise RuntimeError(f"test server did not start: {line!r}")
        self.url = line.split(" ", 1)[1]

    def call(self, method: str, path: str, body: dict | None = None):
        data = json.dumps(body).encode() if body is not None else (b"{}" if method == "POST" else None)
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as r:
            return json.loads(r.read())

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process has used so far (it shares this machine's cores)."""
        with open(f"/proc/{self.proc.pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def reset_log(self):
        self.call("POST", "/_test/log/reset")

    def log_summary(self) -> dict:
        log = self.call("GET", "/_test/log")
        chunks = [e for e in log if "type=chunk" in (e.get("query") or "")]
        kinds: dict[str, int] = {}
        for e in log:
            k = f"{e['method']} {e['path']}" + (" (chunk)" if e in chunks else "")
            kinds[k] = kinds.get(k, 0) + 1
        return {"requests": len(log), "bytes": sum(e.get("bytes_sent") or 0 for e in log),
                "chunk_requests": len(chunks), "chunk_bytes": sum(e.get("bytes_sent") or 0 for e in chunks),
                "by_endpoint": kinds}

    def close(self):
        try:
            self.proc.stdin.close()
            self.proc.wait(10)
        except Exception:
            self.proc.kill()


# ------------------------------------------------------------------ the two tools

class CvatDS:
    name = "cvat-ds"

    def __init__(self, binary: Path, server: Server, cache: Path):
        self.binary, self.server, self.cache = binary, server, cache
        self.env = dict(os.environ, CVAT_ACCESS_TOKEN=PAT)
        self._flags: dict[str, bool] = {}

    def base(self, command: str) -> list[str]:
        return [str(self.binary), command, "--server-host", self.server.url, "--cache-dir", str(self.cache),
                "--task", str(TASK), "--quiet"]

    def sync(self) -> dict:
        r = run_measured(self.base("sync"), self.env)
        r["seconds"] = r["wall"]
        return r

    def export(self, out: Path, size: int, extra: list[str] | None = None, full: bool = True) -> dict:
        """`full`: a whole export every time. Every run writes into the same --out with --force, which cvat-ds
        would otherwise answer from the previous run's images (the re-export reuse) from the second run on."""
        no_reuse = ["--no-reuse"] if full and self.supports("--no-reuse") else []
        r = run_measured(self.base("export") + ["--transform", "label", "--resize", f"{size}x{size}",
                                                "--out", str(out), "--force"] + no_reuse + (extra or []), self.env)
        r["seconds"] = r["wall"]
        return r

    def supports(self, flag: str) -> bool:
        """Whether this binary's `export --help` lists `flag` (the bench also measures older builds)."""
        if flag not in self._flags:
            self._flags[flag] = flag in subprocess.run([str(self.binary), "export", "--help"], capture_output=True,
                                                       text=True).stdout
        return self._flags[flag]


class SDK:
    name = "cvat-sdk"

    def __init__(self, server: Server, cache: Path, mode: str):
        self.server, self.cache, self.mode = server, cache, mode

    def base(self, command: str) -> list[str]:
        return [sys.executable, str(HERE / "sdk_side.py"), command, "--server", self.server.url,
                "--cache-dir", str(self.cache), "--task", str(TASK)]

    def _run(self, cmd) -> dict:
        r = run_measured(cmd)
        inner = json.loads(r["stdout"].strip().splitlines()[-1])
        r.update({"seconds": inner["seconds"], "inner": inner,
                  "children_maxrss_kb": inner["children_maxrss_kb"]})
        return r

    def sync(self) -> dict:
        return self._run(self.base("sync"))

    def export(self, out: Path, size: int) -> dict:
        if out.exists():
            shutil.rmtree(out)
        return self._run(self.base("export") + ["--out", str(out), "--mode", self.mode, "--size", str(size),
                                                "--workers", "2"])


# ------------------------------------------------------------------ statistics and output

def stats(values: list[float]) -> dict:
    return {"min": min(values), "median": statistics.median(values), "max": max(values), "all": values}


def summarize(runs: list[dict]) -> dict:
    out = {"seconds": stats([r["seconds"] for r in runs]), "wall": stats([r["wall"] for r in runs]),
           "cpu": stats([r["user"] + r["sys"] for r in runs]),
           "peak_rss_kb": max(r["maxrss_kb"] for r in runs),
           "tree_peak_rss_kb": max(r["tree_peak_kb"] for r in runs)}
    if "children_maxrss_kb" in runs[0]:
        out["children_maxrss_kb"] = max(r["children_maxrss_kb"] for r in runs)
    if "log" in runs[0]:
        out["requests"] = stats([r["log"]["requests"] for r in runs])
        out["bytes"] = stats([r["log"]["bytes"] for r in runs])
        out["chunk_requests"] = stats([r["log"]["chunk_requests"] for r in runs])
        out["chunk_bytes"] = stats([r["log"]["chunk_bytes"] for r in runs])
        out["by_endpoint"] = runs[-1]["log"]["by_endpoint"]
    return out


def machine_info() -> dict:
    info = {"hostname": platform.node(), "kernel": platform.release(), "machine": platform.machine(),
            "cores": os.cpu_count(), "python": platform.python_version()}
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                info["mem_total_mb"] = int(line.split()[1]) // 1024
                break
    except OSError:
        pass
    for key, cmd in [("swift", ["swift", "--version"]), ("libturbojpeg", ["pkg-config", "--modversion", "libturbojpeg"])]:
        try:
            info[key] = subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout.strip().splitlines()[0]
        except Exception:
            pass
    try:
        import cvat_sdk
        info["cvat_sdk"] = cvat_sdk.__version__
    except Exception:
        pass
    return info


def revision() -> str:
    try:
        rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short=12", "HEAD"], capture_output=True,
                             text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "Sources", "Package.swift"],
                               capture_output=True, text=True).stdout.strip()
        return rev + ("-dirty" if dirty else "")
    except Exception:
        return "unknown"


def fmt_s(st: dict) -> str:
    return f"{st['median']:8.3f} {st['min']:8.3f}"


def mb(kb: int) -> str:
    return f"{kb / 1024:7.0f}"


def human_bytes(b: float) -> str:
    for unit in ["B", "KB", "MB", "GB"]:
        if b < 1024 or unit == "GB":
            return f"{b:.0f} {unit}" if unit == "B" else f"{b:.1f} {unit}"
        b /= 1024
    return str(b)


def table(rec: dict) -> str:
    n = rec["frames"]
    r = rec["results"]
    sdk_label = rec["sdk_pipeline"]
    lines = [f"cvat-ds benchmark, {n} frames ({rec['dataset']['jpeg_bytes'] / n / 1024:.0f} KB JPEGs ~500x375 q90, "
             f"chunk size 72), {rec['repeat']} runs each, {rec['machine']['cores']} cores, {rec['date']}",
             f"cvat-ds {rec['revision']}; SDK side: {sdk_label}",
             "times in seconds: median, min; ratio = SDK median / cvat-ds median (>1: cvat-ds is faster)",
             "",
             f"{'phase':34} {'cvat-ds':>17} {'cvat-sdk':>17} {'ratio':>7}   {'requests ds/sdk':>15} "
             f"{'bytes ds / sdk':>21}   {'peak RSS MB ds/sdk':>18}   {'CPU s ds/sdk':>13}"]
    for key, title in [("cold_sync", "cold sync (empty cache)"), ("warm_sync", "warm sync (nothing changed)"),
                       ("annotation_sync", "re-sync after annotation change"),
                       ("export", f"export {rec['size']}x{rec['size']} NHWC + labels")]:
        d, s = r[key]["cvat-ds"], r[key]["cvat-sdk"]
        ratio = s["seconds"]["median"] / d["seconds"]["median"]
        req = f"{d['requests']['median']:.0f} / {s['requests']['median']:.0f}"
        byt = f"{human_bytes(d['bytes']['median'])} / {human_bytes(s['bytes']['median'])}"
        sdk_rss = s["tree_peak_rss_kb"]
        lines.append(f"{title:34} {fmt_s(d['seconds'])} {fmt_s(s['seconds'])} {ratio:6.1f}x   {req:>15} "
                     f"{byt:>21}   {mb(d['tree_peak_rss_kb'])} /{mb(sdk_rss)}   "
                     f"{d['cpu']['median']:6.2f}/{s['cpu']['median']:6.2f}")
    fl = r["decode_limit"]
    ex = r["export"]["cvat-ds"]["seconds"]["median"]
    lines += ["",
              f"decode limit (TurboJPEG, scale {fl['scale']}, {fl['threads']} threads): median {fl['all_cores']['median']:.3f} s, "
              f"min {fl['all_cores']['min']:.3f} s ({n / fl['all_cores']['median']:.0f} frames/s); "
              f"1 thread: median {fl['one_thread']['median']:.3f} s",
              f"export throughput: cvat-ds {n / ex:.0f} frames/s, SDK {n / r['export']['cvat-sdk']['seconds']['median']:.0f} frames/s; "
              f"cvat-ds export / decode limit = {ex / fl['all_cores']['median']:.2f}x (target <= 1.3x); "
              f"SDK / cvat-ds = {r['export']['cvat-sdk']['seconds']['median'] / ex:.1f}x (target >= 10x)",
              "CPU s = user + system time of the whole process and its children (SDK: imports included), median",
              f"SDK whole-process wall times (imports included), median: cold sync {r['cold_sync']['cvat-sdk']['wall']['median']:.3f} s, "
              f"export {r['export']['cvat-sdk']['wall']['median']:.3f} s",
              f"peak RSS is summed over the process tree (sampled every 20 ms); largest single process: cvat-ds "
              f"export {r['export']['cvat-ds']['peak_rss_kb'] / 1024:.0f} MB, SDK export main "
              f"{r['export']['cvat-sdk']['peak_rss_kb'] / 1024:.0f} MB, largest child "
              f"{r['export']['cvat-sdk'].get('children_maxrss_kb', 0) / 1024:.0f} MB"]
    if "parity" in r:
        p = r["parity"]
        lines.append(f"same output: labels equal {p['labels_equal']}, images max |diff| {p['max_abs_diff']}, "
                     f"identical bytes {p['identical_fraction'] * 100:.3f}%")
    lines += round13_lines(r, n)
    if "scale" in r:
        lines += [""] + scale_lines({"frames": n, **{k: r[k]["cvat-ds"] for k in ("cold_sync", "warm_sync", "export")}},
                                    r["scale"])
    return "\n".join(lines)


def scale_lines(a: dict, b: dict) -> list[str]:
    lines = [f"scale: cvat-ds at {a['frames']} and {b['frames']} frames (median seconds, peak RSS of the process):"]
    for key in ("cold_sync", "warm_sync", "export"):
        x, y = a[key], b[key]
        lines.append(f"  {key:10} {x['seconds']['median']:8.3f} -> {y['seconds']['median']:8.3f} s "
                     f"({y['seconds']['median'] / x['seconds']['median']:5.1f}x time)   RSS "
                     f"{x['peak_rss_kb'] / 1024:5.0f} -> {y['peak_rss_kb'] / 1024:5.0f} MB "
                     f"({y['peak_rss_kb'] / x['peak_rss_kb']:.2f}x)   requests {x['requests']['median']:.0f} -> "
                     f"{y['requests']['median']:.0f}")
    return lines


def scale_table(rec: dict) -> str:
    return "\n".join([f"cvat-ds scale run, {rec['date']}, cvat-ds {rec['revision']}, {rec['machine']['cores']} cores"]
                     + scale_lines(rec["results"]["base"], rec["results"]["scale"]))


# ------------------------------------------------------------------ measurements

def log_progress(msg: str):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def measure_syncs(server: Server, tools: list, repeat: int) -> dict:
    res = {k: {t.name: [] for t in tools} for k in ("cold_sync", "warm_sync", "annotation_sync")}
    for rep in range(repeat):
        order = tools if rep % 2 == 0 else tools[::-1]
        for phase in ("cold_sync", "warm_sync", "annotation_sync"):
            if phase == "annotation_sync":
                server.call("POST", f"/_test/tasks/{TASK}/annotations")
            for t in order:
                if phase == "cold_sync" and t.cache.exists():
                    shutil.rmtree(t.cache)
                server.reset_log()
                r = t.sync()
                r["log"] = server.log_summary()
                res[phase][t.name].append(r)
        log_progress(f"sync round {rep + 1}/{repeat}: " + ", ".join(
            f"{t.name} cold {res['cold_sync'][t.name][-1]['seconds']:.2f}s" for t in tools))
    return {phase: {name: summarize(runs) for name, runs in by.items()} for phase, by in res.items()}


def measure_exports(server: Server, tools: list, outs: dict, repeat: int, size: int) -> dict:
    res = {t.name: [] for t in tools}
    for rep in range(repeat):
        order = tools if rep % 2 == 0 else tools[::-1]
        for t in order:
            server.reset_log()
            r = t.export(outs[t.name], size)
            r["log"] = server.log_summary()
            res[t.name].append(r)
        log_progress(f"export round {rep + 1}/{repeat}: " + ", ".join(
            f"{t.name} {res[t.name][-1]['seconds']:.2f}s" for t in tools))
    return {name: summarize(runs) for name, runs in res.items()}


def parity(ds_out: Path, sdk_out: Path) -> dict:
    import numpy as np
    a, b = np.load(ds_out / "images.npy", mmap_mode="r"), np.load(sdk_out / "images.npy", mmap_mode="r")
    la, lb = np.load(ds_out / "labels.npy"), np.load(sdk_out / "labels.npy")
    if a.shape != b.shape:
        return {"labels_equal": bool(la.shape == lb.shape and (la == lb).all()), "max_abs_diff": None,
                "identical_fraction": 0.0, "shapes": [list(a.shape), list(b.shape)]}
    diff_max, same = 0, 0
    for i in range(0, a.shape[0], 256):
        x, y = np.asarray(a[i:i + 256]).astype(np.int16), np.asarray(b[i:i + 256]).astype(np.int16)
        d = np.abs(x - y)
        diff_max = max(diff_max, int(d.max()))
        same += int((d == 0).sum())
    return {"labels_equal": bool(la.shape == lb.shape and (la == lb).all()), "max_abs_diff": diff_max,
            "identical_fraction": same / a.size, "shape": list(a.shape)}


def decode_limit(work: Path, dataset: Path, repeat: int, scale: str, one_thread: bool = True) -> dict:
    exe = work / "decode_floor"
    src = HERE / "decode_floor.c"
    if not exe.exists() or exe.stat().st_mtime < src.stat().st_mtime:
        cc = os.environ.get("CC", "cc")
        subprocess.run([cc, "-O2", "-o", str(exe), str(src), "-lturbojpeg", "-lpthread"], check=True)
    ds = json.loads((dataset / "dataset.json").read_text())
    paths = "\n".join(str(dataset / fr["file"]) for fr in ds["tasks"][0]["data"]["frames"]) + "\n"
    cores = os.cpu_count() or 1
    out = {"scale": scale, "threads": cores}
    for key, threads in [("all_cores", cores)] + ([("one_thread", 1)] if one_thread else []):
        # several rounds in one process (the files stay in memory); min and median over the rounds
        r = subprocess.run([str(exe), str(threads), scale, str(repeat)], input=paths, capture_output=True,
                           text=True, check=True)
        j = json.loads(r.stdout)
        out[key] = stats(j["all_seconds"])
        out[key]["megapixels"] = j["megapixels"]
    return out


def measure_cvat_ds_only(work: Path, binary: Path, n: int, repeat: int, size: int) -> dict:
    """cvat-ds alone at n frames: cold sync, warm sync, export (for the RSS growth from N to 10N)."""
    dataset = work / f"dataset-{n}"
    make_dataset.ensure(n, dataset)
    server = Server(dataset)
    try:
        t = CvatDS(binary, server, work / f"cache-cvat-ds-{n}")
        runs = {"cold_sync": [], "warm_sync": [], "export": []}
        CvatDS(binary, server, work / "cache-warmup-ds").sync()
        shutil.rmtree(work / "cache-warmup-ds")
        out = work / f"out-cvat-ds-{n}"
        for rep in range(repeat):
            if t.cache.exists():
                shutil.rmtree(t.cache)
            for phase, fn in [("cold_sync", t.sync), ("warm_sync", t.sync), ("export", lambda: t.export(out, size))]:
                server.reset_log()
                r = fn()
                r["log"] = server.log_summary()
                runs[phase].append(r)
            log_progress(f"cvat-ds alone at {n} frames, round {rep + 1}/{repeat}: cold sync "
                         f"{runs['cold_sync'][-1]['seconds']:.2f}s, export {runs['export'][-1]['seconds']:.2f}s")
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(t.cache, ignore_errors=True)
        return {"frames": n, **{k: summarize(v) for k, v in runs.items()}}
    finally:
        server.close()


def export_scale(size: int, width: int = 500, height: int = 375) -> str:
    """The DCT scale cvat-ds export decodes at by default (--dct-scaling disabled): always 1/1. With
    --dct-scaling it would only go below 1/1 when the target is at most half the source in both dimensions,
    which 224 of 375 is not, so 1/1 either way here."""
    return "1/1"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=int, default=int(os.environ.get("BENCH_FRAMES", 2000)))
    ap.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", 5)))
    ap.add_argument("--torch", action="store_true", default=os.environ.get("BENCH_TORCH") == "1")
    ap.add_argument("--scale", action="store_true", default=os.environ.get("BENCH_SCALE") == "1")
    ap.add_argument("--scale-only", action="store_true",
                    help="only cvat-ds at N and 10N frames (no SDK, no decode limit): the RSS growth")
    ap.add_argument("--scale-repeat", type=int, default=2)
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--cvat-ds", default=str(ROOT / ".build/release/cvat-ds"))
    ap.add_argument("--revision", default=None, help="what the cvat-ds binary was built from (default: git HEAD)")
    ap.add_argument("--work", default=str(ROOT / "bench/work"))
    ap.add_argument("--results", default=str(ROOT / "bench/results.json"))
    ap.add_argument("--note", default="", help="free text stored in the run record")
    ap.add_argument("--photos12", type=int, default=int(os.environ.get("BENCH_12MP_FRAMES", 150)),
                    help="frames of the 12 MP camera-photo dataset (0: leave that part out)")
    ap.add_argument("--repeat12", type=int, default=3, help="runs of each 12 MP measurement")
    ap.add_argument("--latency-ms", type=float, default=20.0, help="per-request latency of the cold export run")
    ap.add_argument("--bandwidth", type=int, default=int(os.environ.get("BENCH_BANDWIDTH", 50_000_000)),
                    help="the test server's bandwidth limit for the cold export run, bytes/s")
    ap.add_argument("--memory", type=int, choices=[0, 1], default=int(os.environ.get("BENCH_MEMORY", 1)),
                    help="1: also run Fixtures/bench/memory_bench.py (RSS at N and 10N, the 1 GB annotations task)")
    args = ap.parse_args()

    work = Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    binary = Path(args.cvat_ds).resolve()
    if not binary.exists():
        sys.exit(f"no cvat-ds binary at {binary} (make release)")
    if args.torch:
        check = subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); import sdk_side; "
                                "sdk_side.import_torchvision()", str(HERE)], capture_output=True, text=True)
        if check.returncode != 0:
            sys.exit("--torch / BENCH_TORCH=1 but torch and torchvision do not import in the bench venv:\n"
                     + check.stderr[-2000:])
    mode = "torch" if args.torch else "pillow"
    sdk_label = ("cvat_sdk.pytorch.TaskVisionDataset + torchvision Resize((224,224)) + PILToTensor, "
                 "DataLoader(num_workers=2, batch_size=64), numpy.save" if mode == "torch" else
                 "cvat_sdk.datasets.TaskDataset + Pillow resize((224,224), BILINEAR), multiprocessing.Pool(2) "
                 "(torch not installed), numpy.save")

    started = datetime.datetime.now(datetime.timezone.utc)
    load_before = os.getloadavg()
    n = args.frames
    dataset = work / f"dataset-{n}"
    ds_info = make_dataset.ensure(n, dataset)
    log_progress(f"dataset {dataset}: {n} frames, {ds_info['jpeg_bytes'] / 1e6:.1f} MB of JPEG")

    results: dict = {}
    if args.scale_only:
        results["base"] = measure_cvat_ds_only(work, binary, n, args.scale_repeat, args.size)
        results["scale"] = measure_cvat_ds_only(work, binary, 10 * n, args.scale_repeat, args.size)
        finish(args, rec_base(args, started, load_before, n, ds_info, binary, "", "none"), results)
        return
    server = Server(dataset)
    try:
        log_progress(f"test server at {server.url}")
        ds_tool = CvatDS(binary, server, work / "cache-cvat-ds")
        sdk_tool = SDK(server, work / "cache-sdk", mode)
        tools = [ds_tool, sdk_tool]
        # warm-up (not measured): the server builds and caches every chunk zip, the OS caches the files and
        # Python compiles its modules, so that neither tool pays for going first
        CvatDS(binary, server, work / "cache-warmup-ds").sync()
        SDK(server, work / "cache-warmup-sdk", mode).sync()
        shutil.rmtree(work / "cache-warmup-ds")
        shutil.rmtree(work / "cache-warmup-sdk")
        results.update(measure_syncs(server, tools, args.repeat))
        outs = {"cvat-ds": work / "out-cvat-ds", "cvat-sdk": work / "out-sdk"}
        results["export"] = measure_exports(server, tools, outs, args.repeat, args.size)
        results["parity"] = parity(outs["cvat-ds"], outs["cvat-sdk"])
        results["reexport"] = measure_reexport(server, ds_tool, work, args.repeat, args.size)
        log_progress("decode limit")
        results["decode_limit"] = decode_limit(work, dataset, args.repeat, export_scale(args.size))
        results["keep_encoded"] = measure_keep_encoded(ds_tool, work, args.repeat,
                                                       results["decode_limit"]["all_cores"]["median"])
        # last: it empties cvat-ds's cache
        results["cold_export"] = measure_cold_overlap(server, ds_tool, work, args.repeat, args.size,
                                                      args.latency_ms, args.bandwidth)
    finally:
        server.close()
    if args.photos12:
        results["photos12"] = measure_photos12(work, binary, args.photos12, args.repeat12, args.size, mode)
    if args.memory:
        results["memory"] = measure_memory(work, binary)

    if args.scale:
        results["scale"] = measure_cvat_ds_only(work, binary, 10 * n, args.scale_repeat, args.size)

    rec = rec_base(args, started, load_before, n, ds_info, binary, sdk_label, mode)
    if mode == "torch":
        rec["machine"]["torch"] = results["export"]["cvat-sdk"].get("torch")
    ex = results["export"]
    med = lambda phase, tool: results[phase][tool]["seconds"]["median"]  # noqa: E731
    rec["ratios"] = {
        "cold_sync_sdk_over_ds": med("cold_sync", "cvat-sdk") / med("cold_sync", "cvat-ds"),
        "warm_sync_sdk_over_ds": med("warm_sync", "cvat-sdk") / med("warm_sync", "cvat-ds"),
        "annotation_sync_sdk_over_ds": med("annotation_sync", "cvat-sdk") / med("annotation_sync", "cvat-ds"),
        "export_sdk_over_ds": med("export", "cvat-sdk") / med("export", "cvat-ds"),
        "export_ds_over_decode_limit": ex["cvat-ds"]["seconds"]["median"] / results["decode_limit"]["all_cores"]["median"],
        "cold_export_over_max_of_sync_and_warm_export": results["cold_export"]["cold_over_max"],
    }
    if "full_over_reuse" in results["reexport"]:
        rec["ratios"]["full_export_over_reuse_export"] = results["reexport"]["full_over_reuse"]
    if "over_decode_limit" in results["keep_encoded"]:
        rec["ratios"]["keep_encoded_over_decode_limit"] = results["keep_encoded"]["over_decode_limit"]
    if "photos12" in results:
        rec["ratios"].update({f"photos12_{k}": v for k, v in results["photos12"]["ratios"].items()})
    finish(args, rec, results)


# ------------------------------------------------------------------ issue 13 scenarios

def repeated(label: str, repeat: int, runs: dict[str, "callable"]) -> dict:
    """Each callable `repeat` times, alternating the order; summarised per name."""
    res = {name: [] for name in runs}
    names = list(runs)
    for rep in range(repeat):
        for name in (names if rep % 2 == 0 else names[::-1]):
            res[name].append(runs[name]())
        log_progress(f"{label} round {rep + 1}/{repeat}: "
                     + ", ".join(f"{name} {res[name][-1]['seconds']:.2f}s" for name in names))
    return {name: summarize(v) for name, v in res.items()}


def pillow_draft_parity(dataset: Path, out: Path, size: int) -> dict:
    """cvat-ds `--dct-scaling draft` against Pillow itself: Image.draft("RGB", size), convert, resize BILINEAR."""
    import numpy as np
    import PIL.Image
    frames = json.loads((dataset / "dataset.json").read_text())["tasks"][0]["data"]["frames"]
    got = np.load(out / "images.npy", mmap_mode="r")
    worst, same, total = 0, 0, 0
    for i, frame in enumerate(frames):
        with PIL.Image.open(dataset / frame["file"]) as image:
            image.draft("RGB", (size, size))
            expected = np.asarray(image.convert("RGB").resize((size, size), PIL.Image.BILINEAR), np.int16)
        d = np.abs(np.asarray(got[i], np.int16) - expected)
        worst, same, total = max(worst, int(d.max())), same + int((d == 0).sum()), total + d.size
    return {"frames": len(frames), "max_abs_diff": worst, "identical_fraction": same / total}


def measure_photos12(work: Path, binary: Path, n: int, repeat: int, size: int, mode: str) -> dict:
    """The camera-photo dataset (4000x3000 mosaics of real photographs): cvat-ds exact and with `--dct-scaling
    draft` against the SDK pipeline (which always decodes at full size) and the decode limit at 1/1 and at the
    scale draft picks."""
    dataset = work / f"dataset-12mp-{n}"
    info = make_dataset.ensure(n, dataset, megapixels=12)
    log_progress(f"12 MP dataset {dataset}: {n} frames, {info['jpeg_bytes'] / 1e6:.0f} MB of JPEG")
    server = Server(dataset)
    try:
        ds_tool = CvatDS(binary, server, work / "cache-12mp-ds")
        sdk_tool = SDK(server, work / "cache-12mp-sdk", mode)
        ds_tool.sync()
        sdk_tool.sync()
        outs = {"exact": work / "out-12mp-ds", "draft": work / "out-12mp-ds-draft", "sdk": work / "out-12mp-sdk"}
        res = repeated("12 MP export", repeat, {
            "cvat-ds": lambda: ds_tool.export(outs["exact"], size),
            "cvat-ds draft": lambda: ds_tool.export(outs["draft"], size, ["--dct-scaling", "draft"]),
            "cvat-sdk": lambda: sdk_tool.export(outs["sdk"], size),
        })
        res["parity"] = parity(outs["exact"], outs["sdk"])
        res["draft_vs_pillow_draft"] = pillow_draft_parity(dataset, outs["draft"], size)
    finally:
        server.close()
    width, height = make_dataset.MOSAIC[:2]
    draft_scale = min(width // size, height // size)
    draft_den = next(d for d in (8, 4, 2, 1) if draft_scale >= d)
    log_progress("12 MP decode limits")
    res["decode_limit"] = decode_limit(work, dataset, repeat, "1/1", one_thread=False)
    res["decode_limit_draft"] = decode_limit(work, dataset, repeat, f"1/{draft_den}", one_thread=False)
    res["dataset"] = info
    med = lambda name: res[name]["seconds"]["median"]  # noqa: E731
    res["ratios"] = {
        "exact_over_decode_limit": med("cvat-ds") / res["decode_limit"]["all_cores"]["median"],
        "draft_over_scaled_decode_limit": med("cvat-ds draft") / res["decode_limit_draft"]["all_cores"]["median"],
        "sdk_over_exact": med("cvat-sdk") / med("cvat-ds"),
        "sdk_over_draft": med("cvat-sdk") / med("cvat-ds draft"),
    }
    return res


def same_files(a: Path, b: Path, names: list[str]) -> bool:
    """Byte for byte, in blocks: reading two 300 MB arrays whole would make this process large, and a child forked
    from a large process starts with its resident set (it would show in the next measurement's ru_maxrss)."""
    import filecmp
    return all(filecmp.cmp(a / name, b / name, shallow=False) for name in names)


def measure_reexport(server: Server, ds_tool: CvatDS, work: Path, repeat: int, size: int) -> dict:
    """After an annotation-only edit: the export that reuses the earlier export's images against a full one, both
    offline after one sync, so only the export itself is timed."""
    if not ds_tool.supports("--no-reuse"):
        return {"skipped": "this cvat-ds binary has no re-export reuse (--no-reuse)"}
    reuse_out, full_out = work / "out-reexport-reuse", work / "out-reexport-full"
    ds_tool.export(reuse_out, size)
    offline = ["--offline"]
    # the full run's folder holds an export too, so that both replace one (the full run with --no-reuse)
    ds_tool.export(full_out, size)
    runs: dict[str, list] = {"reuse": [], "full": []}
    reused = []
    for rep in range(repeat):
        server.call("POST", f"/_test/tasks/{TASK}/annotations")
        ds_tool.sync()
        order = ["reuse", "full"]
        for name in (order if rep % 2 == 0 else order[::-1]):
            out = reuse_out if name == "reuse" else full_out
            runs[name].append(ds_tool.export(out, size, offline, full=name == "full"))
        manifest = json.loads((reuse_out / "manifest.json").read_text())
        reused.append(manifest.get("reused"))
        log_progress(f"re-export round {rep + 1}/{repeat}: reuse {runs['reuse'][-1]['seconds']:.3f}s, "
                     f"full {runs['full'][-1]['seconds']:.3f}s")
    res = {name: summarize(v) for name, v in runs.items()}
    res["reused_record"] = reused[-1]
    res["every_run_reused"] = all(r for r in reused)
    res["same_output"] = same_files(reuse_out, full_out, ["images.npy", "labels.npy"])
    res["full_over_reuse"] = res["full"]["seconds"]["median"] / res["reuse"]["seconds"]["median"]
    return res


def measure_cold_overlap(server: Server, ds_tool: CvatDS, work: Path, repeat: int, size: int,
                         latency_ms: float, bandwidth: int) -> dict:
    """A cold export (empty cache: sync and export in one command) against the sync alone and the warm export
    alone, with `latency_ms` per request and the server's bandwidth limit: overlapped, the cold export takes about
    the longer of the two, not their sum."""
    faults = {"latency_ms": latency_ms, "bandwidth_bytes_per_sec": bandwidth}
    server.call("POST", "/_test/faults", faults)
    applied = server.call("GET", "/_test/faults")
    try:
        out = work / "out-cold"

        def timed(run):
            server.reset_log()
            cpu = server.cpu_seconds()
            r = run()
            r["server_cpu"] = server.cpu_seconds() - cpu
            r["log"] = server.log_summary()
            return r

        def cold_sync():
            shutil.rmtree(ds_tool.cache, ignore_errors=True)
            return timed(ds_tool.sync)

        def warm_export():
            ds_tool.sync()
            return timed(lambda: ds_tool.export(out, size))

        def cold_export():
            shutil.rmtree(ds_tool.cache, ignore_errors=True)
            return timed(lambda: ds_tool.export(out, size))

        runs: dict[str, list] = {"sync alone": [], "warm export": [], "cold export": []}

        def keep(name, run):
            def kept():
                r = run()
                runs[name].append(r)
                return r
            return kept

        res = repeated("cold export", repeat, {"sync alone": keep("sync alone", cold_sync),
                                               "warm export": keep("warm export", warm_export),
                                               "cold export": keep("cold export", cold_export)})
    finally:
        server.call("POST", "/_test/faults", {})
    med = lambda name: res[name]["seconds"]["median"]  # noqa: E731
    res["faults"] = applied
    # The test server runs on the same 2 cores as cvat-ds: while it serves the chunks it takes CPU time the
    # overlapped decode would otherwise have (a real CVAT server is another machine).
    res["server_cpu_seconds"] = {name: statistics.median(r["server_cpu"] for r in runs[name])
                                 for name in ("sync alone", "warm export", "cold export")}
    res["cold_over_max"] = med("cold export") / max(med("sync alone"), med("warm export"))
    res["cold_over_sum"] = med("cold export") / (med("sync alone") + med("warm export"))
    return res


def measure_keep_encoded(ds_tool: CvatDS, work: Path, repeat: int, decode_seconds: float) -> dict:
    """`--format webdataset --keep-encoded`: the chunks' JPEG bytes into tar shards, no decoding; against reading
    every cached chunk file (what it cannot go below) and the decode limit."""
    if not ds_tool.supports("--keep-encoded"):
        return {"skipped": "this cvat-ds binary has no --keep-encoded"}
    out = work / "out-keep-encoded"
    chunks = sorted(p for p in ds_tool.cache.rglob("*.zip"))

    def read_chunks():
        t0 = time.perf_counter()
        total = 0
        for path in chunks:
            with open(path, "rb") as f:
                while block := f.read(1 << 20):
                    total += len(block)
        return {"seconds": time.perf_counter() - t0, "wall": time.perf_counter() - t0, "user": 0.0, "sys": 0.0,
                "maxrss_kb": 0, "tree_peak_kb": 0, "bytes": total}

    def copy_chunks():
        """Reading the chunks and writing their bytes durably: what any export of the encoded frames pays."""
        target = work / "out-copied-chunks"
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir()
        t0 = time.perf_counter()
        for k, path in enumerate(chunks):
            dest = target / f"{k:05d}.zip"
            shutil.copyfile(path, dest)
            fd = os.open(dest, os.O_RDONLY)
            os.fsync(fd)
            os.close(fd)
        elapsed = time.perf_counter() - t0
        shutil.rmtree(target)
        return {"seconds": elapsed, "wall": elapsed, "user": 0.0, "sys": 0.0, "maxrss_kb": 0, "tree_peak_kb": 0}

    def keep_encoded():
        r = run_measured(ds_tool.base("export") + ["--offline", "--transform", "label", "--format", "webdataset",
                                                   "--keep-encoded", "--out", str(out), "--force"], ds_tool.env)
        r["seconds"] = r["wall"]
        return r

    res = repeated("keep-encoded", repeat, {"keep-encoded export": keep_encoded, "read the chunks": read_chunks,
                                            "copy the chunks": copy_chunks})
    res["over_copying_chunks"] = (res["keep-encoded export"]["seconds"]["median"]
                                  / res["copy the chunks"]["seconds"]["median"])
    res["over_decode_limit"] = res["keep-encoded export"]["seconds"]["median"] / decode_seconds
    res["over_reading_chunks"] = (res["keep-encoded export"]["seconds"]["median"]
                                  / res["read the chunks"]["seconds"]["median"])
    return res


def measure_memory(work: Path, binary: Path) -> dict:
    """Fixtures/bench/memory_bench.py: peak RSS of sync and export at N and 10N frames and for a task with about
    1 GB of annotations JSON; its last stdout line is its JSON report."""
    script = HERE / "memory_bench.py"
    if not script.exists():
        return {"skipped": "no Fixtures/bench/memory_bench.py in this tree"}
    log_progress("memory (memory_bench.py)")
    r = subprocess.run([sys.executable, str(script), "--cvat-ds", str(binary), "--work", str(work)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"memory_bench.py exited {r.returncode}\n{r.stdout[-2000:]}\n{r.stderr[-4000:]}")
    return json.loads(r.stdout)


def round13_lines(r: dict, n: int) -> list[str]:
    lines = []
    if "photos12" in r:
        p = r["photos12"]
        med = lambda name: p[name]["seconds"]["median"]  # noqa: E731
        pn = p["dataset"]["frames"]
        lines += ["", f"12 MP photos: {pn} frames 4000x3000 ({p['dataset']['jpeg_bytes'] / pn / 1e6:.1f} MB JPEGs, "
                  f"chunk size {p['dataset']['chunk_size']}) to 224x224 NHWC + labels, median s (min)",
                  f"  cvat-ds exact        {med('cvat-ds'):7.2f} ({p['cvat-ds']['seconds']['min']:.2f})   "
                  f"{p['ratios']['exact_over_decode_limit']:.2f}x the decode limit at 1/1 "
                  f"({p['decode_limit']['all_cores']['median']:.2f} s; target <= 1.3x)   "
                  f"SDK / cvat-ds {p['ratios']['sdk_over_exact']:.1f}x",
                  f"  cvat-ds draft        {med('cvat-ds draft'):7.2f} ({p['cvat-ds draft']['seconds']['min']:.2f})   "
                  f"{p['ratios']['draft_over_scaled_decode_limit']:.2f}x the decode limit at "
                  f"{p['decode_limit_draft']['scale']} ({p['decode_limit_draft']['all_cores']['median']:.2f} s; "
                  f"target <= 1.1x)   SDK / cvat-ds {p['ratios']['sdk_over_draft']:.1f}x (target >= 4.5x)",
                  f"  cvat-sdk             {med('cvat-sdk'):7.2f} ({p['cvat-sdk']['seconds']['min']:.2f})   peak RSS "
                  f"MB ds/draft/sdk {mb(p['cvat-ds']['tree_peak_rss_kb'])} /{mb(p['cvat-ds draft']['tree_peak_rss_kb'])}"
                  f" /{mb(p['cvat-sdk']['tree_peak_rss_kb'])}",
                  f"  same output: exact vs SDK max |diff| {p['parity']['max_abs_diff']}; draft vs Pillow's "
                  f"draft() + resize max |diff| {p['draft_vs_pillow_draft']['max_abs_diff']} over "
                  f"{p['draft_vs_pillow_draft']['frames']} frames"]
    if "reexport" in r:
        x = r["reexport"]
        if "skipped" in x:
            lines += ["", f"re-export after an annotation edit: {x['skipped']}"]
        else:
            lines += ["", f"re-export after an annotation edit ({n} frames, --offline after a sync): reuse "
                      f"{x['reuse']['seconds']['median']:.3f} s, full {x['full']['seconds']['median']:.3f} s: "
                      f"{x['full_over_reuse']:.0f}x (target >= 50x); reused every run {x['every_run_reused']}, "
                      f"same images and labels {x['same_output']}"]
    if "cold_export" in r:
        c = r["cold_export"]
        med = lambda name: c[name]["seconds"]["median"]  # noqa: E731
        lines += ["", f"cold export with {c['faults'].get('latency_ms')} ms per request and "
                  f"{c['faults'].get('bandwidth_bytes_per_sec', 0) / 1e6:.0f} MB/s: sync alone {med('sync alone'):.2f} s, "
                  f"warm export {med('warm export'):.2f} s, cold export {med('cold export'):.2f} s = "
                  f"{c['cold_over_max']:.2f}x the longer (target <= 1.15x), {c['cold_over_sum']:.2f}x their sum",
                  "  the test server's own CPU time meanwhile (on the same 2 cores), median: " + ", ".join(
                      f"{k} {v:.2f} s" for k, v in c.get("server_cpu_seconds", {}).items())]
    if "keep_encoded" in r:
        k = r["keep_encoded"]
        if "skipped" in k:
            lines += ["", f"--keep-encoded: {k['skipped']}"]
        else:
            lines += ["", f"--format webdataset --keep-encoded: {k['keep-encoded export']['seconds']['median']:.3f} s, "
                      f"{k['over_reading_chunks']:.2f}x reading the chunks "
                      f"({k['read the chunks']['seconds']['median']:.3f} s, from the page cache), "
                      f"{k.get('over_copying_chunks', 0):.2f}x copying them to files flushed to disk "
                      f"({k.get('copy the chunks', {}).get('seconds', {}).get('median', 0):.3f} s), "
                      f"{k['over_decode_limit']:.2f}x the decode limit"]
    if "memory" in r:
        m = r["memory"]
        if "skipped" in m:
            lines += ["", f"memory: {m['skipped']}"]
        else:
            a, b = m["frames"]
            lines += ["", f"memory (peak RSS of cvat-ds, MB): sync {m['small']['sync_mb']:.0f} at {a} frames -> "
                      f"{m['large']['sync_mb']:.0f} at {b} ({m['ratio_sync']:.2f}x, target <= 1.2x); export "
                      f"{m['small']['export_label_mb']:.0f} -> {m['large']['export_label_mb']:.0f} "
                      f"({m['ratio_export']:.2f}x, target <= 1.2x)",
                      f"  task with {m['dense_annotations_mb']:.0f} MB of annotations JSON (dense tracks): sync "
                      f"{m['dense']['sync_mb']:.0f} MB, label export without annotations.jsonl "
                      f"{m['dense']['export_label_mb']:.0f} MB (target < 300 MB)"
                      + (f", bboxes export {m['dense']['export_bboxes_mb']:.0f} MB" if "export_bboxes_mb" in m["dense"]
                         else "")]
    return lines


def rec_base(args, started, load_before, n, ds_info, binary, sdk_label, mode) -> dict:
    return {"date": started.isoformat(timespec="seconds"), "frames": n, "repeat": args.repeat, "size": args.size,
            "kind": "scale-only" if args.scale_only else "comparison",
            "revision": args.revision or revision(), "cvat_ds_binary": str(binary), "sdk_pipeline": sdk_label,
            "sdk_mode": mode, "note": args.note, "dataset": ds_info, "machine": machine_info(),
            "loadavg_before": load_before}


def finish(args, rec: dict, results: dict) -> None:
    rec["loadavg_after"] = os.getloadavg()
    rec["results"] = results
    text = table(rec) if rec["kind"] == "comparison" else scale_table(rec)
    rec["table"] = text
    print(text)

    results_path = Path(args.results)
    results_path.parent.mkdir(parents=True, exist_ok=True)
    doc = {"format": "cvat-ds-bench/1", "runs": []}
    if results_path.exists():
        try:
            doc = json.loads(results_path.read_text())
        except ValueError:
            shutil.copy(results_path, results_path.with_suffix(".json.corrupt"))
    doc.setdefault("runs", []).append(rec)
    tmp = results_path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(doc, indent=1) + "\n")
    tmp.replace(results_path)
    log_progress(f"appended a run record to {results_path}")


if __name__ == "__main__":
    main()
