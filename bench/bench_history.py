"""What the history costs: write throughput with it on and off, and store size per 10,000 changes.

``python -m bench history``. On SQLite (and on a local Neo4j when one can start, ``--neo4j`` or
``KB_BENCH_NEO4J=1``), the same writes twice: once as every write runs (each record's before and
after kept in the write's transaction), once with the store's internal ``record_history`` flag off,
which leaves only the write log as before the history existed. The writes: the seed set, then
batches of ``BATCH`` FUNDS edges with new amounts and ``BATCH`` renamed nodes, until ``CHANGES``
record changes. Prints, per store: changes per second on and off and the ratio; for SQLite the
file's size (after a WAL checkpoint) on and off, and the growth per 10,000 changes; and the time of
the history reads: one node's history, every change, the state as of the first batch, a revert.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from kb.records import Batch, edge_identity
from kb.seeding import load_seeds
from kb.store.history import state_after
from kb.store.port import GraphStore
from kb.store.sqlite import SQLiteStore

#: Record changes written per run (nodes and edges), and per batch half nodes, half edges.
CHANGES = 10_000
BATCH = 50
RUNS = 3


def batches(seed: Batch, rounds: int) -> list[Batch]:
    """``rounds`` batches, each renaming ``BATCH`` nodes and changing ``BATCH`` FUNDS amounts."""
    nodes = sorted(seed.nodes, key=lambda n: n["id"])
    funds = sorted((e for e in seed.edges if e["type"] == "FUNDS"), key=edge_identity)
    out = []
    for r in range(rounds):
        picked = [nodes[(r * BATCH + i) % len(nodes)] for i in range(BATCH)]
        renamed = {n["id"]: {**n, "name": f"{n['name']} ({r})"} for n in picked}
        amounts = [
            {**e, "amount": float(1000 + r * BATCH + i), "currency": e.get("currency") or "EUR"}
            for i, e in enumerate(funds[(r * BATCH + j) % len(funds)] for j in range(min(BATCH, len(funds))))
        ]
        out.append(
            Batch(nodes=list(renamed.values()), edges=list({edge_identity(e): e for e in amounts}.values()))
        )
    return out


def write_all(store: GraphStore, seed: Batch, work: list[Batch], history: bool) -> tuple[float, int]:
    """Seed, then write ``work``; seconds for ``work`` and the record changes it made."""
    store.record_history = history  # type: ignore[attr-defined]
    store.upsert(seed, action="seed")
    changed = 0
    started = time.perf_counter()
    for batch in work:
        s = store.upsert(batch, action="bench")
        changed += s.nodes_created + s.nodes_updated + s.edges_created + s.edges_updated
    return time.perf_counter() - started, changed


def size(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path.stat().st_size


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def bench_sqlite(seed: Batch, work: list[Batch]) -> None:
    results: dict[bool, list[float]] = {True: [], False: []}
    sizes: dict[bool, int] = {}
    changed = kept = 0
    reads: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        for run in range(RUNS):
            for history in (False, True):
                path = Path(folder) / f"{run}-{history}.sqlite"
                with SQLiteStore(path) as store:
                    seconds, changed = write_all(store, seed, work, history)
                    results[history].append(seconds)
                    if run == 0:
                        sizes[history] = size(path)
                    if run == 0 and history:
                        kept = len(store.changes())  # the seed set's changes too: all the file holds
                        first = store.write_log(len(work) + 1)[-1].batch
                        reads = {
                            "history of one node": timed(lambda: store.history(seed.nodes[0]["id"])),
                            "every change": timed(store.changes),
                            "state after the seed batch": timed(lambda s=store, f=first: state_after(s, f)),
                            "revert the last batch": timed(lambda: store.revert(store.last_batch())),
                        }
    on, off = statistics.median(results[True]), statistics.median(results[False])
    print(f"SQLite: {len(work)} batches, {changed} record changes, median of {RUNS} runs")
    print(f"  history off (write log only): {off:.2f} s, {changed / off:,.0f} changes/s")
    print(
        f"  history on:                   {on:.2f} s, {changed / on:,.0f} changes/s  (× {on / off:.2f} time)"
    )
    growth = (sizes[True] - sizes[False]) * 10_000 / kept
    print(
        f"  file size: off {sizes[False] / 1e6:.2f} MB, on {sizes[True] / 1e6:.2f} MB; "
        f"{kept} changes kept: the history grows the file by {growth / 1e6:.2f} MB per 10,000 changes"
    )
    for name, seconds in reads.items():
        print(f"  {name}: {seconds * 1000:.1f} ms")


def bench_neo4j(seed: Batch, work: list[Batch]) -> None:
    from kb.store.neo4j import Neo4jStore, local
    from kb.store.neo4j import queries as q

    reason = local.unavailable_reason()
    if reason:
        print(f"Neo4j: skipped ({reason})")
        return
    password = "kb-bench-password"
    with tempfile.TemporaryDirectory() as tmp:
        server = local.LocalNeo4j(Path(tmp) / "neo4j", password=password)
        server.start()
        try:
            results: dict[bool, list[float]] = {True: [], False: []}
            changed = 0
            # A first run warms the server (query plans, page cache); then off and on, twice, alternating.
            for history in (True, False, True, False, True):
                with Neo4jStore(server.uri, password=password) as store:
                    store._execute(True, lambda tx: tx.run(q.WIPE_TEST_DATABASE).consume())
                    store.init()
                    seconds, changed = write_all(store, seed, work, history)
                results[history].append(seconds)
        finally:
            server.stop()
    on, off = statistics.median(results[True][1:]), statistics.median(results[False])
    print(f"Neo4j: {len(work)} batches, {changed} record changes, median of 2 runs after a warm-up")
    print(f"  history off (write log only): {off:.2f} s, {changed / off:,.0f} changes/s")
    print(
        f"  history on:                   {on:.2f} s, {changed / on:,.0f} changes/s  (× {on / off:.2f} time)"
    )


def main() -> None:
    seed = load_seeds(demo=True)
    work = batches(seed, CHANGES // (2 * BATCH))
    bench_sqlite(seed, work)
    if "--neo4j" in sys.argv or os.environ.get("KB_BENCH_NEO4J"):
        bench_neo4j(seed, work)


if __name__ == "__main__":
    main()
