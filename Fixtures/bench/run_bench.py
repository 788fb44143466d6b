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


def run_measured(cmd: list[str], env: dict | None = None, check: bool = True) -> dict:
    """Run cmd; wall seconds, exit code, stdout, peak RSS of the process (wait4) and of its tree (sampled)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        peak = [0]
        done = threading.Event()

        def sample():
            while not done.is_set():
                peak[0] = max(peak[0], _tree_rss_kb(p.pid))
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
    res = {"wall": wall, "rc": p.returncode, "maxrss_kb": ru.ru_maxrss, "tree_peak_kb": max(peak[0], ru.ru_maxrss),
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

    def base(self, command: str) -> list[str]:
        return [str(self.binary), command, "--server-host", self.server.url, "--cache-dir", str(self.cache),
                "--task", str(TASK), "--quiet"]

    def sync(self) -> dict:
        r = run_measured(self.base("sync"), self.env)
        r["seconds"] = r["wall"]
        return r

    def export(self, out: Path, size: int) -> dict:
        r = run_measured(self.base("export") + ["--transform", "label", "--resize", f"{size}x{size}",
                                                "--out", str(out), "--force"], self.env)
        r["seconds"] = r["wall"]
        return r


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


def decode_limit(work: Path, dataset: Path, repeat: int, scale: str) -> dict:
    exe = work / "decode_floor"
    src = HERE / "decode_floor.c"
    if not exe.exists() or exe.stat().st_mtime < src.stat().st_mtime:
        cc = os.environ.get("CC", "cc")
        subprocess.run([cc, "-O2", "-o", str(exe), str(src), "-lturbojpeg", "-lpthread"], check=True)
    ds = json.loads((dataset / "dataset.json").read_text())
    paths = "\n".join(str(dataset / fr["file"]) for fr in ds["tasks"][0]["data"]["frames"]) + "\n"
    cores = os.cpu_count() or 1
    out = {"scale": scale, "threads": cores}
    for key, threads in [("all_cores", cores), ("one_thread", 1)]:
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
    finally:
        server.close()
    log_progress("decode limit")
    results["decode_limit"] = decode_limit(work, dataset, args.repeat, export_scale(args.size))

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
    }
    finish(args, rec, results)


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
