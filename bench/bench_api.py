"""What the HTTP layer costs: "who else funds this need" and a search, over HTTP and on the store.

``python -m bench api``. For the seed set and for a generated store of 100,000 nodes, each query
runs (1) directly on the store, in process, one after the other, and (2) over HTTP against a real
``kb serve`` (uvicorn, one worker) on 127.0.0.1, from 16 concurrent clients. Prints requests per
second and p50/p95/p99 latency of each, and the ratios HTTP/direct. Every run is bounded in
requests and in seconds; traffic stays on the loopback interface.
"""

from __future__ import annotations

import asyncio
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from kb.questions import analyses as ask
from kb.questions import nodes as facts
from kb.records import Batch, validate_edge, validate_node
from kb.seeding import load_seeds
from kb.store.sqlite import SQLiteStore

CLIENTS = 16
#: Per scenario: at most this many requests, and at most this many seconds.
HTTP_REQUESTS = 1600
HTTP_SECONDS = 12.0
DIRECT_RUNS = 300
DIRECT_SECONDS = 8.0
WARM_UP = 20

NODES = 100_000
SEED = 7
SRC = ["bench/bench_api.py"]
PARTNERS = ["al", "ba", "xk", "me", "mk", "rs"]
WORDS = [
    "border",
    "surveillance",
    "police",
    "training",
    "equipment",
    "migration",
    "smuggling",
    "forensic",
    "cybercrime",
    "intelligence",
    "terrorism",
    "radicalisation",
    "prevention",
    "customs",
    "document",
    "fraud",
    "analysis",
    "capacity",
    "maritime",
    "airport",
    "crossing",
    "points",
    "detection",
    "investigation",
    "asset",
    "recovery",
    "firearms",
    "trafficking",
    "cooperation",
    "exchange",
    "data",
    "system",
    "modernisation",
]
SEARCHES = [
    "border surveillance",
    "forensic",
    "cybercrime training",
    "document fraud",
    "smuggl",
    "police cooperation",
    "firearms",
    "Министарство",
    "stevandic",
    "maritime detection",
]


# -- the generated store ----------------------------------------------------------------------
def _n(type_: str, id_: str, name: str, **props: Any) -> dict[str, Any]:
    return {"type": type_, "id": id_, "name": name, "sources": SRC, "demo": True, **props}


def _e(type_: str, source: str, target: str, **props: Any) -> dict[str, Any]:
    return {"type": type_, "source": source, "target": target, "sources": SRC, "demo": True, **props}


def _title(rng: random.Random) -> str:
    return " ".join(rng.sample(WORDS, 4)).capitalize()


def generate(size: int = NODES, seed: int = SEED) -> Batch:
    """``size`` nodes shaped like the seed set grown large: needs, projects, donors, implementers."""
    rng = random.Random(seed)
    nodes = [_n("Country", f"country:{c}", c.upper(), code=c.upper(), wb_partner=True) for c in PARTNERS]
    nodes += [_n("Pillar", f"pillar:p{i}", f"Pillar {i}", code=f"P{i}", number=i) for i in (1, 2, 3)]
    edges: list[dict[str, Any]] = []
    n_orgs, n_insts = size // 50, size // 100
    orgs = [f"org:g{i}" for i in range(n_orgs)]
    nodes += [
        _n("Organisation", o, f"{_title(rng)} agency {i}", acronym=f"AG{i}") for i, o in enumerate(orgs)
    ]
    insts = [f"inst:i{i}" for i in range(n_insts)]
    for i, inst in enumerate(insts):
        nodes.append(_n("Institution", inst, f"Ministry of {_title(rng)} {i}", kind="ministry"))
        edges.append(_e("PART_OF", inst, f"country:{PARTNERS[i % 6]}"))
    remaining = size - len(nodes)
    n_needs = remaining * 2 // 5
    n_projects = remaining - n_needs
    needs = [f"need:n{i}" for i in range(n_needs)]
    for i, need in enumerate(needs):
        start = 2018 + rng.randrange(7)
        nodes.append(
            _n(
                "Need",
                need,
                f"{_title(rng)} need {i}",
                priority=rng.choice(["high", "medium", "low"]),
                start=f"{start}-01-01",
                end=f"{start + 3}-12-31",
                cycle="needs-mapping-1",
                required_amount=float(rng.randrange(1, 50) * 100_000),
                required_currency="EUR",
            )
        )
        edges.append(_e("STATED_BY", need, f"country:{PARTNERS[i % 6]}"))
        edges.append(_e("RESPONSIBLE_FOR", insts[(i % 6) + 6 * rng.randrange(n_insts // 6)], need))
        edges.append(_e("IN_PILLAR", need, f"pillar:p{1 + i % 3}"))
    for i in range(n_projects):
        project = f"project:p{i}"
        start = 2018 + rng.randrange(7)
        nodes.append(
            _n(
                "Project",
                project,
                f"{_title(rng)} project {i}",
                start=f"{start}-03-01",
                end=f"{start + 2}-12-31",
            )
        )
        need_index = rng.randrange(n_needs)
        edges.append(_e("ADDRESSES", project, needs[need_index]))
        edges.append(_e("TARGETS", project, f"country:{PARTNERS[need_index % 6]}"))
        edges.append(_e("IN_PILLAR", project, f"pillar:p{1 + need_index % 3}"))
        for donor in rng.sample(orgs, rng.choice((1, 1, 2))):
            edges.append(
                _e("FUNDS", donor, project, amount=float(rng.randrange(1, 30) * 50_000), currency="EUR")
            )
        edges.append(_e("IMPLEMENTS", rng.choice(orgs), project))
    return Batch(
        nodes=[validate_node(n, i) for i, n in enumerate(nodes)],
        edges=[validate_edge(e, i) for i, e in enumerate(edges)],
    )


def build_large(path: Path) -> SQLiteStore:
    store = SQLiteStore(path)
    batch = generate()
    step = 20_000
    for i in range(0, len(batch.nodes), step):
        store.upsert(Batch(nodes=batch.nodes[i : i + step]), actor="bench", action="generate")
    for i in range(0, len(batch.edges), step):
        store.upsert(Batch(edges=batch.edges[i : i + step]), actor="bench", action="generate")
    return store


def needs_with_most_projects(store: SQLiteStore, count: int = 40) -> list[str]:
    """Needs with several addressing projects (the interesting "who else" cases)."""
    rows = store._read(
        "SELECT target, count(*) AS n FROM edges WHERE type = 'ADDRESSES' GROUP BY target "
        "ORDER BY n DESC, target LIMIT ?",
        (count,),
    )
    return [r[0] for r in rows]


# -- measuring ---------------------------------------------------------------------------------
@dataclass
class Run:
    requests: int
    seconds: float
    latencies: list[float]
    errors: int = 0

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


def direct(call: Callable[[int], Any]) -> Run:
    for i in range(WARM_UP):
        call(i)
    latencies: list[float] = []
    started = time.perf_counter()
    for i in range(DIRECT_RUNS):
        t = time.perf_counter()
        call(i)
        latencies.append(time.perf_counter() - t)
        if time.perf_counter() - started > DIRECT_SECONDS:
            break
    return Run(len(latencies), time.perf_counter() - started, latencies)


async def _http(base: str, paths: list[str]) -> Run:
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        for path in paths[:WARM_UP]:
            await client.get(path)
        latencies: list[float] = []
        errors = 0
        counter = iter(range(HTTP_REQUESTS))
        deadline = time.perf_counter() + HTTP_SECONDS

        async def worker() -> None:
            nonlocal errors
            for i in counter:
                if time.perf_counter() > deadline:
                    return
                t = time.perf_counter()
                response = await client.get(paths[i % len(paths)])
                latencies.append(time.perf_counter() - t)
                errors += response.status_code != 200

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CLIENTS)))
        return Run(len(latencies), time.perf_counter() - started, latencies, errors)


def over_http(base: str, paths: list[str]) -> Run:
    return asyncio.run(_http(base, paths))


def _row(label: str, d: Run, h: Run) -> list[str]:
    return [
        label,
        f"{d.rate:,.0f}",
        f"{d.pct(0.5):.1f}",
        f"{d.pct(0.95):.1f}",
        f"{d.pct(0.99):.1f}",
        f"{h.rate:,.0f}",
        f"{h.pct(0.5):.1f}",
        f"{h.pct(0.95):.1f}",
        f"{h.pct(0.99):.1f}",
        f"{d.rate / h.rate:.1f}×" if h.rate else "—",
        f"{h.pct(0.5) / d.pct(0.5):.1f}×",
        str(h.errors),
    ]


def measure(label: str, store_path: Path, store: SQLiteStore) -> list[list[str]]:
    from tests.api.server import kb_serve  # the same launcher the end-to-end tests use

    need_ids = needs_with_most_projects(store)
    rows = []
    who = direct(lambda i: ask.who_funds(store, need_ids[i % len(need_ids)]))
    found = direct(lambda i: facts.search(store, SEARCHES[i % len(SEARCHES)], limit=20))
    nothing = direct(lambda i: None)
    with kb_serve(store_path, timeout=120) as base:
        who_http = over_http(base, [f"/api/analyses/who-funds/{n}" for n in need_ids])
        search_http = over_http(base, [f"/api/search?q={q}&limit=20" for q in SEARCHES])
        floor = over_http(base, ["/healthz"])
    rows.append(_row(f"{label}: who funds a need", who, who_http))
    rows.append(_row(f"{label}: search", found, search_http))
    rows.append(
        [
            f"{label}: /healthz (HTTP floor)",
            "—",
            "—",
            "—",
            "—",
            *_row("", nothing, floor)[5:9],
            "—",
            "—",
            str(floor.errors),
        ]
    )
    return rows


def print_table(rows: list[list[str]]) -> None:
    head = [
        "query",
        "direct/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        f"HTTP/s ({CLIENTS} clients)",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "throughput ratio",
        "p50 ratio",
        "errors",
    ]
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    for r in [head, *rows]:
        print("  ".join(str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(zip(r, widths))))


def main() -> None:
    rows: list[list[str]] = []
    with tempfile.TemporaryDirectory(prefix="kb-bench-api-") as tmp:
        seed_path = Path(tmp) / "seed.sqlite"
        with SQLiteStore(seed_path) as store:
            store.upsert(load_seeds(demo=True), actor="bench", action="seed")
            rows += measure("seed set", seed_path, store)
        large_path = Path(tmp) / "large.sqlite"
        started = time.perf_counter()
        with build_large(large_path) as store:
            counts = store.counts()
            print(
                f"generated {sum(counts['nodes'].values()):,} nodes and {sum(counts['edges'].values()):,} edges "
                f"in {time.perf_counter() - started:.0f} s",
                flush=True,
            )
            rows += measure("100k nodes", large_path, store)
        shutil.rmtree(tmp, ignore_errors=True)
    print_table(rows)
    print(
        f"direct: one call after another in process (the same kb.questions function the route calls); "
        f"HTTP: kb serve, 1 worker, {CLIENTS} concurrent keep-alive clients on 127.0.0.1. "
        "throughput ratio = direct/s ÷ HTTP/s; p50 ratio = HTTP p50 ÷ direct p50 (includes queueing)."
    )


if __name__ == "__main__":
    main()
