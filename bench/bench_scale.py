"""Fast at scale: every row of issue 15's table, measured in one run, with the goal beside it.

``python -m bench scale`` (``make bench`` runs it with the others); ``python -m bench.bench_scale
--huge`` adds the 1M-node step of the growth table (it takes minutes). ``--code DIR`` measures the
code of another checkout (for the figures before a change: ``git worktree add /tmp/before HEAD~1``).

Each step runs in a process of its own (a fresh interpreter importing the code under test), so
its time and peak RSS are its own:

- the generated 100k-node / 300k-edge store (:func:`bench.bench_analysis.generate`) is written
  once and kept in ``$KB_BENCH_CACHE`` (default ``/tmp/kb-bench-scale``), one file per size;
- load (``store.subgraph()``) and overlaps + gaps after it, median of ``--runs`` processes;
- ``kb --help``, median of 5 processes;
- a real ``kb serve`` on 127.0.0.1: its RSS after the first ``GET /``, the round trip of
  ``/api/analyses/overlaps``, its peak RSS after the overlaps and gaps endpoints, who-funds
  under ``wrk`` (16 connections, a C load generator outside Python) next to the direct call,
  and the first ``GET /`` after a one-node write made by another process;
- ``kb import iati --all-countries --all-sectors`` against a bare ``iterparse`` (bench.bench_iati);
- growth: load / overlaps / gaps at 10k and 100k (and 1M with ``--huge``).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("KB_BENCH_CACHE", "/tmp/kb-bench-scale"))
#: Bumped when the generator changes, so a cached store is never a stale one.
GENERATOR = 2
CONNECTIONS = 16
WRK_SECONDS = 10
NEED = "need:g00000"
#: What ``--only`` may pick: each is measured by its own steps.
PARTS = ("analyses", "cli", "serve", "iati")

# Each child prints one JSON line: what it measured. They use only what the code had before
# issue 15 too (SQLiteStore, subgraph, overlaps, gaps, the questions), so --code can be older.
ANALYSE = r"""
import json, resource, sys, time
def rss(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) / 1024
from kb.store.sqlite import SQLiteStore
from kb.analysis.overlaps import overlaps
from kb.analysis.gaps import gaps
store = SQLiteStore(sys.argv[1], create=False)
before = rss("VmRSS")
clock = time.process_time
started, cpu = time.perf_counter(), clock()
G = store.subgraph()
load, load_cpu = time.perf_counter() - started, clock() - cpu
after_load = rss("VmRSS")
load_peak = rss("VmHWM")
started, cpu = time.perf_counter(), clock()
found_overlaps = overlaps(G)
middle, middle_cpu = time.perf_counter(), clock()
found_gaps = gaps(G)
done, done_cpu = time.perf_counter(), clock()
print(json.dumps({"load": load, "graph_mb": after_load - before, "load_peak_mb": load_peak,
                  "overlaps": middle - started, "gaps": done - middle, "peak_mb": rss("VmHWM"),
                  "load_cpu": load_cpu, "overlaps_cpu": middle_cpu - cpu, "gaps_cpu": done_cpu - middle_cpu,
                  "n_overlaps": len(found_overlaps), "n_gaps": len(found_gaps)}))
"""

DIRECT_WHO_FUNDS = r"""
import json, statistics, sys, time
from kb.store.sqlite import SQLiteStore
from kb.questions import analyses as ask
store = SQLiteStore(sys.argv[1], create=False)
times = []
for _ in range(300):
    started = time.perf_counter()
    ask.as_json(ask.who_funds(store, sys.argv[2]))
    times.append(time.perf_counter() - started)
times.sort()
print(json.dumps({"p50": times[len(times) // 2], "p95": times[int(len(times) * 0.95)],
                  "per_s": 1 / statistics.mean(times)}))
"""

WRITE_ONE = r"""
import sys
from kb.records import Batch
from kb.store.sqlite import SQLiteStore
store = SQLiteStore(sys.argv[1], create=False)
node = store.get(sys.argv[2])
node["name"] = node["name"] + " (renamed)"
store.upsert(Batch(nodes=[node]), actor="bench", action="bench scale: one-node write")
print("{}")
"""

WRK_LUA = r"""
done = function(summary, latency, requests)
  io.write(string.format('{"p50": %f, "p95": %f, "p99": %f, "requests": %d, "seconds": %f, "errors": %d}\n',
    latency:percentile(50) / 1e6, latency:percentile(95) / 1e6, latency:percentile(99) / 1e6,
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status
      + summary.errors.timeout))
end
"""


def child_env(code: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    env["PYTHONPATH"] = str(code)
    return env


def run_child(code: Path, script: str, *args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=code,
        env=child_env(code),
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def store_of(scale: float) -> Path:
    """The generated store of this scale, written through the port once and kept in :data:`CACHE`."""
    path = CACHE / f"generated-{GENERATOR}-{int(100_000 * scale)}.sqlite"
    if path.exists():
        return path
    from bench.bench_analysis import generate
    from kb.store.sqlite import SQLiteStore

    CACHE.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    batch = generate(scale=scale)
    partial = path.with_suffix(".partial")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    with SQLiteStore(partial) as store:
        store.upsert(batch, actor="bench", action="bench scale: generated store")
        store._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    partial.rename(path)
    print(f"  generated and wrote {path.name} in {time.perf_counter() - started:.0f} s", flush=True)
    return path


def copy_store(path: Path, folder: Path) -> Path:
    target = folder / path.name
    shutil.copyfile(path, target)
    return target


def analyse(code: Path, path: Path, runs: int) -> dict[str, float]:
    """Medians of ``runs`` fresh processes loading ``path`` and finding overlaps and gaps."""
    results = [run_child(code, ANALYSE, str(path)) for _ in range(runs)]
    out = {k: statistics.median(r[k] for r in results) for k in results[0]}
    out["overlaps_gaps"] = statistics.median(r["overlaps"] + r["gaps"] for r in results)
    out["overlaps_gaps_cpu"] = statistics.median(r["overlaps_cpu"] + r["gaps_cpu"] for r in results)
    return out


def cli_start(code: Path, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", "from kb.cli import main; main()", "--help"],
            cwd=code,
            env=child_env(code),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status_mb(pid: int, field: str) -> float:
    """VmRSS/VmHWM of a process and its children (uvicorn workers), in MB."""
    pids = [pid] + [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    total = 0.0
    for p in pids:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith(field):
                total += int(line.split()[1]) / 1024
    return total


def get(url: str, timeout: float = 600) -> tuple[float, bytes]:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=timeout) as answer:
        body = answer.read()
    return time.perf_counter() - started, body


def serve(code: Path, path: Path, workers: int) -> dict[str, float]:
    """Server rows on a copy of ``path``: RSS, the overlaps round trip, wrk on who-funds, a write."""
    port = free_port()
    env = child_env(code) | {"KB_STORE": str(path)}
    args = ["--host", "127.0.0.1", "--port", str(port)]
    if workers > 1:
        args += ["--workers", str(workers)]
    server = subprocess.Popen(
        [sys.executable, "-c", "from kb.cli import main; main()", "serve", *args],
        cwd=code,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    out: dict[str, float] = {}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                get(base + "/healthz", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("kb serve did not start") from None
                time.sleep(0.2)
        out["first_home"], _ = get(base + "/")
        out["rss_after_home"] = status_mb(server.pid, "VmRSS")
        out["overlaps_http"], body = get(base + "/api/analyses/overlaps")
        out["overlaps_bytes"] = len(body)
        out["gaps_http"], _ = get(base + "/api/analyses/gaps")
        out["peak_after_analyses"] = status_mb(server.pid, "VmHWM")
        get(base + f"/api/analyses/who-funds/{NEED}")
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
            lua.write(WRK_LUA)
        try:
            wrk = subprocess.run(
                [
                    "wrk",
                    "-t2",
                    f"-c{CONNECTIONS}",
                    f"-d{WRK_SECONDS}s",
                    "--timeout",
                    "10s",
                    "-s",
                    lua.name,
                    base + f"/api/analyses/who-funds/{NEED}",
                ],
                check=True,
                capture_output=True,
                text=True,
            )
        finally:
            os.unlink(lua.name)
        measured = json.loads(wrk.stdout.strip().splitlines()[-1])
        out |= {f"wrk_{k}": v for k, v in measured.items()}
        out["wrk_per_s"] = measured["requests"] / measured["seconds"]
        try:  # after wrk, every overlap in one answer (code before the API paged answers it without asking)
            out["overlaps_all_http"], body = get(base + "/api/analyses/overlaps?limit=100000")
            out["overlaps_all_bytes"] = len(body)
        except urllib.error.HTTPError:
            pass
        run_child(code, WRITE_ONE, str(path), "project:g00001")
        out["home_after_write"], _ = get(base + "/")
        time.sleep(0.5)
        out["peak_end"] = status_mb(server.pid, "VmHWM")
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
    return out


def iati_ratio(code: Path) -> dict[str, float]:
    """``kb import iati --all-countries --all-sectors`` ÷ a bare iterparse of the same files, wall clock."""
    script = r"""
import json, sys, tempfile
from pathlib import Path
import bench.bench_iati as b
from kb.importers.iati import Options
work = Path(tempfile.mkdtemp(prefix="kb-bench-scale-iati-"))
corpus = work / "corpus"; corpus.mkdir()
files = b.build_corpus(corpus, float(sys.argv[1]))
bare = b.timed("bare", files, lambda: b.bare_parse(files))
lifted = b.timed("all", files, lambda: b.import_files(files, Options(countries=None, all_sectors=True),
                                                        work / "all.sqlite"))
print(json.dumps({"ratio": bare.seconds / lifted.seconds, "peak_mb": lifted.peak_rss_mb}))
"""
    return run_child(code, script, os.environ.get("KB_BENCH_IATI_MB", "16"))


def verdict(ok: bool, miss: str = "") -> str:
    return "met" if ok else f"MISSED {miss}".rstrip()


def fold(value: float, goal: float) -> str:
    return f"by {value / goal:.1f}×"


def report(m: dict[str, Any], huge: bool) -> list[tuple[str, str, str, str]]:
    """(work, measured, goal, verdict) rows in the order of the issue's table (those measured)."""
    rows: list[tuple[str, str, str, str]] = []
    if "100k" in m:
        a = m["100k"]
        rows += [
            (
                "store → networkx graph (100k/300k)",
                (
                    f"{a['load']:.2f} s (CPU {a.get('load_cpu', 0):.2f} s), graph {a['graph_mb']:.0f} MB "
                    f"(peak {a['load_peak_mb']:.0f} MB)"
                ),
                "< 1.5 s, < 350 MB",
                verdict(
                    a["load"] < 1.5 and a["graph_mb"] < 350,
                    f"{fold(a['load'], 1.5)} / {fold(a['graph_mb'], 350)}",
                ),
            ),
            (
                "overlaps + gaps after load",
                (
                    f"{a['overlaps_gaps']:.2f} s ({a['overlaps']:.2f} + {a['gaps']:.2f}; CPU "
                    f"{a.get('overlaps_gaps_cpu', 0):.2f} s), peak {a['peak_mb']:.0f} MB"
                ),
                "< 1 s",
                verdict(a["overlaps_gaps"] < 1, fold(a["overlaps_gaps"], 1)),
            ),
        ]
    if "serve" in m:
        s = m["serve"]
        rows += [
            (
                "kb serve RSS after first GET /; peak after overlaps + gaps",
                f"{s['rss_after_home']:.0f} MB; {s['peak_after_analyses']:.0f} MB",
                "< 500 MB; < 700 MB",
                verdict(s["rss_after_home"] < 500 and s["peak_after_analyses"] < 700),
            ),
            (
                "first GET / (cold) | first page view after a one-node write",
                f"{s['first_home']:.2f} s | {s['home_after_write']:.2f} s",
                "- | < 1 s",
                verdict(s["home_after_write"] < 1, fold(s["home_after_write"], 1)),
            ),
            (
                f"who-funds over HTTP, {CONNECTIONS} connections (wrk)",
                (
                    f"p50 {s['wrk_p50'] * 1000:.1f} / p95 {s['wrk_p95'] * 1000:.1f} / "
                    f"p99 {s['wrk_p99'] * 1000:.1f} ms, {s['wrk_per_s']:.0f} req/s; "
                    f"direct p50 {m['direct']['p50'] * 1000:.1f} ms ({m['direct']['per_s']:.0f}/s)"
                ),
                "p95 < 20 ms",
                verdict(s["wrk_p95"] < 0.020, fold(s["wrk_p95"], 0.020)),
            ),
            (
                "/api/analyses/overlaps round trip",
                f"{s['overlaps_http']:.2f} s ({s['overlaps_bytes'] / 1e6:.1f} MB); gaps {s['gaps_http']:.2f} s"
                + (
                    f"; all in one: {s['overlaps_all_http']:.2f} s ({s['overlaps_all_bytes'] / 1e6:.0f} MB)"
                    if "overlaps_all_http" in s
                    else ""
                ),
                "< 2 s",
                verdict(s["overlaps_http"] < 2, fold(s["overlaps_http"], 2)),
            ),
        ]
    if "10k" in m and "100k" in m:
        sizes = ["10k", "100k"] + (["1M"] if huge else [])
        growth = " → ".join(
            f"{m[k]['load']:.2f}/{m[k]['overlaps']:.2f}/{m[k]['gaps']:.2f} s" for k in sizes if k in m
        )
        factors = []
        for small, big in itertools.pairwise(sizes):
            factors += [m[big][k] / m[small][k] for k in ("load", "overlaps", "gaps")]
        peak_1m = f", 1M peak {m['1M']['peak_mb'] / 1024:.1f} GB" if "1M" in m else " (1M: --huge)"
        rows.append(
            (
                "growth 10k → 100k" + (" → 1M" if huge else "") + " (load/overlaps/gaps)",
                growth + f"; worst {max(factors):.1f}× per 10×" + peak_1m,
                "each ≤ 12× per 10×; 1M < 4 GB",
                verdict(
                    max(factors) <= 12 and ("1M" not in m or m["1M"]["peak_mb"] < 4096),
                    f"worst {max(factors):.1f}×",
                ),
            )
        )
    if "iati" in m:
        rows.append(
            (
                "kb import iati --all-countries --all-sectors ÷ bare iterparse",
                f"{m['iati']['ratio']:.2f}× (peak {m['iati']['peak_mb']:.0f} MB)",
                "≥ 0.5×",
                verdict(m["iati"]["ratio"] >= 0.5),
            )
        )
    if "cli" in m:
        rows.append(
            (
                "CLI start-up (kb --help)",
                f"{m['cli']:.2f} s",
                "< 0.3 s",
                verdict(m["cli"] < 0.3, fold(m["cli"], 0.3)),
            )
        )
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_scale", description=__doc__.split("\n")[0])
    parser.add_argument("--huge", action="store_true", help="Add the 1M-node step of the growth table.")
    parser.add_argument("--code", type=Path, default=ROOT, help="Checkout whose code is measured.")
    parser.add_argument("--runs", type=int, default=3, help="Processes per load/analysis median.")
    parser.add_argument("--workers", type=int, default=1, help="kb serve --workers.")
    parser.add_argument("--json", type=Path, help="Also write the measurements here.")
    parser.add_argument(
        "--only",
        choices=PARTS,
        action="append",
        help="Measure only this part (repeatable): analyses (load, overlaps, gaps, growth), cli, "
        "serve (kb serve and the direct who-funds call), iati. The table shows the rows measured.",
    )
    parser.add_argument(
        "--reuse", type=Path, help="Take the load/analysis rows from this --json of an earlier run."
    )
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    code = args.code.resolve()
    print(f"code: {code}; store cache: {CACHE}; {os.cpu_count()} CPUs", flush=True)
    m: dict[str, Any] = json.loads(args.reuse.read_text()) if args.reuse else {}
    parts = set(args.only or PARTS)
    for label, scale in (("10k", 0.1), ("100k", 1.0)) + ((("1M", 10.0),) if args.huge else ()):
        if label in m or "analyses" not in parts:
            continue
        path = store_of(scale)
        m[label] = analyse(code, path, args.runs if scale <= 1 else 1)
        print(f"  {label}: {json.dumps({k: round(v, 3) for k, v in m[label].items()})}", flush=True)
    if "cli" in parts:
        m["cli"] = cli_start(code)
        print(f"  kb --help: {m['cli']:.3f} s", flush=True)
    if "serve" in parts:
        if shutil.which("wrk") is None:
            raise SystemExit("bench scale needs wrk (make setup installs it)")
        with tempfile.TemporaryDirectory(prefix="kb-bench-scale-") as tmp:
            path = copy_store(store_of(1.0), Path(tmp))
            m["direct"] = run_child(code, DIRECT_WHO_FUNDS, str(path), NEED)
            m["serve"] = serve(code, path, args.workers)
        print(f"  serve: {json.dumps({k: round(v, 4) for k, v in m['serve'].items()})}", flush=True)
    if "iati" in parts:
        m["iati"] = iati_ratio(code)
        print(f"  iati: {json.dumps(m['iati'])}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(m, indent=1))
    rows = report(m, args.huge)
    print()
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    head = ("work", "measured", "goal")
    print(" | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)) + " | verdict")
    print("-" * (sum(widths) + 20))
    for row in rows:
        print(" | ".join(c.ljust(w) for c, w in zip(row[:3], widths, strict=True)) + f" | {row[3]}")
    print(
        f"\nmedians of {args.runs} fresh processes for load and analyses; kb serve with "
        f"{args.workers} worker(s); wrk -c{CONNECTIONS} -d{WRK_SECONDS}s; RSS from /proc (VmRSS, VmHWM)."
    )


if __name__ == "__main__":
    main()
