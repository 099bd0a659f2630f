"""The same work on both stores in one run: the embedded SQLite file and a real local Neo4j server.

``python -m bench stores``. Starts a local Neo4j (:mod:`kb.store.neo4j.local`, fetched by
``make setup``) on a free loopback port with a fresh data folder, then times, on each store:

- ``kb init`` + ``kb seed`` (the commands, as a user runs them, on an emptied store);
- ``kb import iati`` of the shared IATI files (``--all-countries --all-sectors``);
- the subgraph of the seed set (whole, and one pillar), who-funds of one need, search;
- writing a generated 100k-node / 300k-edge graph and reading its subgraph back (whole, and one
  partner).

Prints medians and the ratio Neo4j / SQLite per step, and the server's start time and memory.
Skipped with one line where no local Neo4j can start (no Java, or make setup did not fetch it).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

from bench.bench_analysis import generate
from bench.bench_iati import FIXTURES, SHARED
from kb.analysis.funding import who_funds
from kb.selection import SubgraphFilter
from kb.store.neo4j import Neo4jStore, local
from kb.store.neo4j import queries as q
from kb.store.port import GraphStore
from kb.store.sqlite import SQLiteStore

PASSWORD = "kb-bench-password"
#: The shared IATI files where this checkout sits beside ../shared, else real excerpts among the fixtures.
IATI = (
    [str(SHARED)]
    if SHARED.is_dir()
    else [
        str(FIXTURES / n)
        for n in (
            "activity-standard-example-annotated.xml",
            "dportal_92_excerpt.xml",
            "MAEC_IATI_INDONESIA_excerpt.xml",
        )
    ]
)
NEED = "need:demo-ba-bcp-equipment"
KB = [sys.executable, "-c", "from kb.cli import main; main()"]


def median(fn: Callable[[], Any], runs: int, before: Callable[[], None] | None = None) -> float:
    times = []
    for _ in range(runs):
        if before:
            before()
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def kb(store: str, *args: str) -> None:
    env = {**os.environ, "KB_NEO4J_PASSWORD": PASSWORD}
    env.pop("KB_STORE", None)
    subprocess.run([*KB, "--store", store, *args], env=env, check=True, stdout=subprocess.DEVNULL)


class Side:
    """One store under test: its location for the CLI, an open port object, and how to empty it."""

    def __init__(
        self, name: str, location: str, open_store: Callable[[], GraphStore], empty: Callable[[], None]
    ):
        self.name, self.location, self.open, self.empty = name, location, open_store, empty


def sqlite_side(path: Path) -> Side:
    def empty() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)

    return Side("sqlite", str(path), lambda: SQLiteStore(path), empty)


def neo4j_side(uri: str) -> Side:
    def open_store() -> GraphStore:
        return Neo4jStore(uri, password=PASSWORD)

    def empty() -> None:
        with Neo4jStore(uri, password=PASSWORD) as store:
            while store._execute(True, lambda tx: tx.run(q.DELETE_SOME_NODES, size=20_000).single()["n"]):
                pass

    return Side("neo4j", uri, open_store, empty)


def measure(side: Side, runs: int) -> dict[str, float]:
    out: dict[str, float] = {}
    print(f"  {side.name}: init + seed", flush=True)
    out["kb init + kb seed (CLI)"] = median(
        lambda: (kb(side.location, "init"), kb(side.location, "seed")), runs, before=side.empty
    )
    print(f"  {side.name}: import iati", flush=True)

    def fresh_seed() -> None:
        side.empty()
        kb(side.location, "init")
        kb(side.location, "seed")

    out["kb import iati, 5 shared files (CLI)"] = median(
        lambda: kb(side.location, "import", "iati", *IATI, "--all-countries", "--all-sectors", "--json"),
        runs,
        before=fresh_seed,
    )
    with side.open() as store:
        pillar = SubgraphFilter(pillar="pillar:wbbsi")
        out["seed set: subgraph, whole"] = median(lambda: store.subgraph(), runs * 3)
        out["seed set: subgraph, pillar WBBSi"] = median(lambda: store.subgraph(pillar), runs * 3)

        def ask_who_funds() -> None:
            projects = store.ends("ADDRESSES", side="source", others={NEED})
            who_funds(store.around({NEED} | projects), NEED)

        out["seed set: who-funds of one need"] = median(ask_who_funds, runs * 3)
        out["seed set: search 'border police'"] = median(lambda: store.search("border police"), runs * 5)
    print(f"  {side.name}: 100k nodes / 300k edges", flush=True)
    side.empty()
    kb(side.location, "init")
    batch = generate()
    with side.open() as store:
        started = time.perf_counter()
        store.upsert(batch, actor="bench", action="bench stores")
        out["100k/300k: write through the port (once)"] = time.perf_counter() - started
        del batch
        out["100k/300k: subgraph, whole"] = median(lambda: store.subgraph(), max(1, runs - 1))
        partner = SubgraphFilter(country="country:rs")
        out["100k/300k: subgraph, partner RS"] = median(lambda: store.subgraph(partner), runs)
        out["100k/300k: search 'border police'"] = median(lambda: store.search("border police"), runs * 5)
    return out


def main(runs: int = 3) -> None:
    reason = local.unavailable_reason()
    if reason:
        print(f"bench stores skipped: {reason}")
        return
    with tempfile.TemporaryDirectory() as tmp:
        # 2 GB of heap: the 100k-node graph is written as one all-or-nothing transaction, which
        # needs more than the 700 MB of transaction memory a 1 GB heap allows.
        server = local.LocalNeo4j(Path(tmp) / "neo4j", password=PASSWORD, heap="2g")
        server.start()
        try:
            rss = psutil.Process(server.pid).memory_info().rss / 2**20
            print(
                f"local Neo4j {local.version()}: ready in {server.started_in:.1f} s, RSS {rss:.0f} MB "
                f"(heap -Xmx{server.heap}, page cache {server.pagecache})",
                flush=True,
            )
            results = {
                side.name: measure(side, runs)
                for side in (sqlite_side(Path(tmp) / "kb.sqlite"), neo4j_side(server.uri))
            }
            peak = psutil.Process(server.pid).memory_info().rss / 2**20
        finally:
            server.stop()
    print()
    print(f"{'step':44} | {'SQLite s':>9} | {'Neo4j s':>9} | {'Neo4j/SQLite':>12}")
    print("-" * 84)
    for step, sqlite_s in results["sqlite"].items():
        neo4j_s = results["neo4j"][step]
        print(f"{step:44} | {sqlite_s:>9.4f} | {neo4j_s:>9.4f} | {neo4j_s / sqlite_s:>11.1f}×")
    print(
        f"\nNeo4j server RSS after the run: {peak:.0f} MB; medians of {runs} runs "
        f"({runs * 3} for the seed-set reads, {runs * 5} for search)"
    )


if __name__ == "__main__":
    main()
