#!/usr/bin/env python3
"""`make soak`: cvat-ds under kill -9 and heavy server faults, at a larger scale than `make test`.

    soak.py --cvat-ds .build/debug/cvat-ds [--kills N] [--seed S] [--copies K] [--work DIR] [--results FILE]

Runs against Fixtures/server/cvat_test_server.py serving the sample dataset with project 1's three tasks
repeated K times (make_copies.py), with the built binary:

1. faults: a clean sync of project 1, then one under the faults of the issue (seeded: 30% of chunk requests
   answer 5xx, 10% of answers drop the connection mid-body, the first request for every chunk answers 429 with
   Retry-After, 50 ms latency on every answer); the cache must end byte-identical to the clean one.
2. kill sync: N seeded points, each a uniform random delay in [0, T] (T: a measured sync of the slowed server)
   after which a fresh sync of the project gets SIGKILL. After each kill the cache is judged (check_state.py:
   every file under its final name complete and valid, task.json only with all its chunks); the rerun must
   succeed, fetch no chunk that was complete, and end byte-identical to the clean cache.
3. kill chain: the same cache killed again and again at random points, each rerun a new kill, until a run
   finishes on its own; then byte-identical again. Counts the reruns it took.
4. kill export: N seeded points of an export of the whole project (sharded, --jobs 1, resized) into --out,
   alternately into an empty place and over a previous export (--force). After each kill --out must be absent or
   a complete export (manifest + every array numpy-loadable with the manifest's shape); the rerun must succeed
   and leave nothing beside --out (stale temporaries of killed runs removed); the cache is never written.

Prints the figures (faults injected by kind and survived, kill points and outcomes, reruns, time) and writes them
as JSON to --results. Exits 1 on the first broken invariant, naming it.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TOKEN = "cvat_pat_admin.0123456789abcdef"
HEAVY_FAULTS = {"chunk_5xx_rate": 0.3, "drop_rate": 0.1, "retry_after_first": True, "retry_after_seconds": 1,
                "latency_ms": 50}
SLOW = {"slow_bytes_per_sec": 400_000, "latency_ms": 20}

failures: list[str] = []


def fail(message: str) -> None:
    print(f"FAIL: {message}", flush=True)
    failures.append(message)


class Server:
    def __init__(self, dataset: Path):
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "Fixtures/server/cvat_test_server.py"), "--dataset", str(dataset), "--port", "0",
             "--exit-on-stdin-eof"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        line = self.process.stdout.readline().decode().strip()
        if not line.startswith("READY "):
            raise SystemExit(f"the test server did not start: {line!r}")
        self.url = line.split(" ", 1)[1]

    def request(self, method: str, path: str, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as answer:
            raw = answer.read()
        return json.loads(raw) if raw else None

    def faults(self, settings: dict) -> None:
        self.request("POST", "/_test/faults", settings)

    def log(self) -> list:
        return self.request("GET", "/_test/log")

    def reset_log(self) -> None:
        self.request("POST", "/_test/log/reset", {})

    def stats(self) -> dict:
        return self.request("GET", "/_test/stats")

    def stop(self) -> None:
        self.process.stdin.close()
        self.process.terminate()
        self.process.wait()


class Runner:
    def __init__(self, binary: Path, home: Path):
        self.binary = str(binary)
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
                    "XDG_CACHE_HOME": str(home / "xdg-cache"), "XDG_CONFIG_HOME": str(home / "config"),
                    "CVAT_ACCESS_TOKEN": TOKEN}

    def run(self, args: list[str], timeout: float = 600) -> subprocess.CompletedProcess:
        return subprocess.run([self.binary] + args, env=self.env, capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)

    def run_and_kill(self, args: list[str], delay: float) -> tuple[bool, int]:
        """Starts the run, SIGKILLs it after `delay` s; (killed, exit status) — killed False if it ended first."""
        process = subprocess.Popen([self.binary] + args, env=self.env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            status = process.wait(timeout=delay)
            return False, status
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            status = process.wait()
            return status == -signal.SIGKILL, status


def check(mode: str, path: Path) -> dict:
    result = subprocess.run([sys.executable, str(HERE / "check_state.py"), mode, str(path)], capture_output=True,
                            text=True)
    return json.loads(result.stdout)


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != ".cvat-ds.lock"}


def differences(reference: dict[str, bytes], files: dict[str, bytes]) -> list[str]:
    out = [f"missing {k}" for k in reference if k not in files]
    out += [f"extra {k}" for k in files if k not in reference]
    out += [f"differs {k}" for k in reference if k in files and files[k] != reference[k]]
    return out


def chunk_requests(log: list) -> list[str]:
    out = []
    for entry in log:
        query = entry.get("query") or ""
        if "type=chunk" in query and "number=" in query:
            number = query.split("number=", 1)[1].split("&", 1)[0]
            out.append(f"{entry['path'].split('/')[3]}/{number}")
    return out


def phase_faults(server: Server, runner: Runner, work: Path, seed: int, reference: dict) -> dict:
    cache = work / "faults-cache"
    server.faults(dict(HEAVY_FAULTS, seed=seed))
    server.reset_log()
    start = time.monotonic()
    result = runner.run(["sync", "--server-host", server.url, "--cache-dir", str(cache), "--project", "1",
                         "--retries", "10", "--json"])
    seconds = time.monotonic() - start
    stats = server.stats()
    kinds = collections.Counter()
    for entry in server.log():
        for fault in (entry.get("fault") or "").split(","):
            if fault and fault != "slow":
                kinds[fault.split(":")[0]] += 1
    server.faults({})
    if result.returncode != 0:
        fail(f"faults: the sync failed ({result.returncode}): {result.stderr[-2000:]}")
        return {}
    report = json.loads(result.stdout)
    diff = differences(reference, snapshot(cache))
    if diff:
        fail(f"faults: the cache differs from a clean sync: {diff[:10]}")
    return {"requests": stats["requests"], "chunk_requests": stats["chunk_requests"],
            "faults_injected": stats["faults_injected"], "by_kind": dict(kinds), "by_status": stats["by_status"],
            "client_retries": report.get("retries"), "byte_identical": not diff, "seconds": round(seconds, 1)}


def phase_kill_sync(server: Server, runner: Runner, work: Path, rng: random.Random, kills: int,
                    reference: dict) -> dict:
    args = ["sync", "--server-host", server.url, "--project", "1", "--jobs", "2", "--cache-dir"]
    server.faults(SLOW)
    start = time.monotonic()
    runner.run(args + [str(work / "measure-sync")])
    typical = time.monotonic() - start
    outcomes = collections.Counter()
    kept_total = refetched_total = 0
    for point in range(kills):
        cache = work / f"kill-sync-{point}"
        delay = rng.uniform(0, typical)
        server.faults(SLOW)
        killed, status = runner.run_and_kill(args + [str(cache)], delay)
        where = f"kill sync point {point} at {delay:.3f}/{typical:.3f} s"
        state = check("cache", cache)
        if state["problems"]:
            fail(f"{where}: {state['problems']}")
        complete = set(state["complete_chunks"])
        kept_total += len(complete)
        outcomes["killed" if killed else f"finished ({status})"] += 1
        outcomes["partial files left" if state["temporaries"] else "no partial file"] += 1
        server.log()  # waits for the killed run's answers to end, so they are not counted as the rerun's
        server.faults({})
        server.reset_log()
        rerun = runner.run(args + [str(cache)])
        if rerun.returncode != 0:
            fail(f"{where}: the rerun failed ({rerun.returncode}): {rerun.stderr[-1000:]}")
        refetched = complete & set(chunk_requests(server.log()))
        refetched_total += len(refetched)
        if refetched:
            fail(f"{where}: complete chunks fetched again: {sorted(refetched)}")
        diff = differences(reference, snapshot(cache))
        if diff:
            fail(f"{where}: after the rerun the cache differs from a clean sync: {diff[:10]}")
        shutil.rmtree(cache, ignore_errors=True)
    return {"points": kills, "typical_seconds": round(typical, 2), "outcomes": dict(outcomes),
            "complete_chunks_at_kill": kept_total, "complete_chunks_refetched": refetched_total}


def phase_kill_chain(server: Server, runner: Runner, work: Path, rng: random.Random, typical: float,
                     reference: dict, chains: int) -> dict:
    args = ["sync", "--server-host", server.url, "--project", "1", "--jobs", "2", "--cache-dir"]
    server.faults(SLOW)
    reruns = []
    for chain in range(chains):
        cache = work / f"kill-chain-{chain}"
        runs = 0
        while True:
            runs += 1
            killed, status = runner.run_and_kill(args + [str(cache)], rng.uniform(0, typical))
            state = check("cache", cache)
            if state["problems"]:
                fail(f"kill chain {chain}, run {runs}: {state['problems']}")
            if not killed:
                if status != 0:
                    fail(f"kill chain {chain}, run {runs}: exit {status}")
                break
            if runs > 200:
                fail(f"kill chain {chain}: no run finished in 200 tries")
                break
        diff = differences(reference, snapshot(cache))
        if diff:
            fail(f"kill chain {chain}: the cache differs from a clean sync: {diff[:10]}")
        reruns.append(runs - 1)
        shutil.rmtree(cache, ignore_errors=True)
    server.faults({})
    return {"chains": chains, "kills_per_chain": reruns, "kills": sum(reruns)}


def phase_kill_export(server: Server, runner: Runner, work: Path, rng: random.Random, kills: int) -> dict:
    cache = work / "export-cache"
    result = runner.run(["sync", "--server-host", server.url, "--cache-dir", str(cache), "--project", "1"])
    if result.returncode != 0:
        fail(f"kill export: the sync failed: {result.stderr[-1000:]}")
        return {}
    cache_before = snapshot(cache)
    parent = work / "exports"
    out = parent / "flowers"
    args = ["export", "--server-host", server.url, "--cache-dir", str(cache), "--offline", "--project", "1",
            "--transform", "label", "--resize", "224x224", "--jobs", "1", "--shard-size", "48", "--force",
            "--out", str(out)]
    start = time.monotonic()
    first = runner.run(args)
    typical = time.monotonic() - start
    if first.returncode != 0:
        fail(f"kill export: the first export failed: {first.stderr[-1000:]}")
        return {}
    samples = check("export", out)["samples"]
    outcomes = collections.Counter()
    for point in range(kills):
        replacing = point % 2 == 1
        if not replacing:
            shutil.rmtree(out, ignore_errors=True)
        delay = rng.uniform(0, typical)
        killed, status = runner.run_and_kill(args, delay)
        where = f"kill export point {point} at {delay:.3f}/{typical:.3f} s"
        state = check("export", out)
        if state["state"] not in ("absent", "complete") or (state["state"] == "complete" and state["samples"] != samples):
            fail(f"{where}: {state}")
        left = sorted(p.name for p in parent.iterdir() if p.name != out.name)
        outcomes[f"{'killed' if killed else 'finished'}, {'replacing' if replacing else 'new'}: {state['state']}"] += 1
        if left:
            outcomes["temporaries left by the kill"] += 1
        rerun = runner.run(args)
        if rerun.returncode != 0:
            fail(f"{where}: the rerun failed: {rerun.stderr[-1000:]}")
        after = check("export", out)
        if after["state"] != "complete" or after["samples"] != samples:
            fail(f"{where}: after the rerun: {after}")
        beside = sorted(p.name for p in parent.iterdir())
        if beside != [out.name]:
            fail(f"{where}: the rerun left {beside} beside the export")
    if snapshot(cache) != cache_before:
        fail("kill export: the cache changed")
    return {"points": kills, "typical_seconds": round(typical, 2), "samples": samples, "outcomes": dict(outcomes)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cvat-ds", type=Path, required=True)
    parser.add_argument("--kills", type=int, default=60)
    parser.add_argument("--chains", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--copies", type=int, default=8)
    parser.add_argument("--work", type=Path)
    parser.add_argument("--results", type=Path)
    args = parser.parse_args()
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="cvat-ds-soak-", dir=args.work))
    rng = random.Random(args.seed)
    dataset = work / "dataset"
    subprocess.run([sys.executable, str(HERE / "make_copies.py"), "--copies", str(args.copies), "--out", str(dataset)],
                   check=True)
    server = Server(dataset)
    runner = Runner(args.cvat_ds.resolve(), work / "home")
    results: dict = {"seed": args.seed, "copies": args.copies, "tasks": 3 * args.copies}
    try:
        clean = work / "clean-cache"
        result = runner.run(["sync", "--server-host", server.url, "--cache-dir", str(clean), "--project", "1"])
        if result.returncode != 0:
            raise SystemExit(f"the clean sync failed: {result.stderr}")
        reference = snapshot(clean)
        state = check("cache", clean)
        if state["problems"] or state["temporaries"]:
            fail(f"the clean sync's cache: {state}")
        results["chunks"] = len(state["complete_chunks"])
        print(f"== soak: project 1 x{args.copies} ({3 * args.copies} tasks, {results['chunks']} chunks), seed "
              f"{args.seed}, {args.kills} kill points per phase", flush=True)

        results["faults"] = phase_faults(server, runner, work, args.seed, reference)
        print(f"faults: {json.dumps(results['faults'])}", flush=True)
        results["kill_sync"] = phase_kill_sync(server, runner, work, rng, args.kills, reference)
        print(f"kill sync: {json.dumps(results['kill_sync'])}", flush=True)
        results["kill_chain"] = phase_kill_chain(server, runner, work, rng, results["kill_sync"]["typical_seconds"],
                                                 reference, args.chains)
        print(f"kill chain: {json.dumps(results['kill_chain'])}", flush=True)
        results["kill_export"] = phase_kill_export(server, runner, work, rng, args.kills)
        print(f"kill export: {json.dumps(results['kill_export'])}", flush=True)
    finally:
        server.stop()
    results["seconds"] = round(time.monotonic() - started, 1)
    results["failures"] = failures
    if args.results:
        args.results.parent.mkdir(parents=True, exist_ok=True)
        args.results.write_text(json.dumps(results, indent=1) + "\n")
    if not failures:
        shutil.rmtree(work, ignore_errors=True)
    print(f"== soak {'passed' if not failures else 'FAILED'} in {results['seconds']} s"
          + ("" if not failures else f": {len(failures)} failure(s); files kept in {work}"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
