"""Time the analyses on the seed set and on a generated graph of 100,000 nodes and 300,000 edges.

``python -m bench analysis``. The generated graph is written through the store port into a
temporary SQLite file; each analysis is then timed on the loaded graph (median of several runs)
and run once more under tracemalloc for its peak allocation. The subgraph load (whole graph and
one filtered view) is timed the same way. Prints one table.
"""

from __future__ import annotations

import datetime as dt
import random
import resource
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx

from kb.analysis.coverage import coverage
from kb.analysis.funding import co_funders, cofunding, who_funds
from kb.analysis.gaps import gaps
from kb.analysis.network import actor_paths, brokers
from kb.analysis.overlaps import overlaps
from kb.records import Batch, validate_edge, validate_node
from kb.seeding import load_seeds
from kb.selection import SubgraphFilter
from kb.store.port import GraphStore
from kb.store.sqlite import SQLiteStore

NODES = 100_000
EDGES = 300_000
SEED = 20240501
SRC = ["bench/bench_analysis.py"]
PARTNERS = ["al", "ba", "xk", "me", "mk", "rs"]
DONOR_STATES = [
    "at",
    "si",
    "it",
    "fr",
    "de",
    "bg",
    "gr",
    "gb",
    "us",
    "be",
    "nl",
    "se",
    "no",
    "dk",
    "fi",
    "ch",
    "cz",
    "pl",
    "hu",
    "hr",
]
PILLARS = ["wbcti", "wbcsci", "wbbsi"]
SECTORS = [f"15{n:03d}" for n in range(110, 150)]
STATUSES = ["implementation"] * 15 + ["closed"] * 2 + ["cancelled", "pipeline", "finalisation"]
CURRENCIES = ["EUR"] * 16 + ["USD"] * 3 + ["GBP"]


def _n(type_: str, id_: str, **props: Any) -> dict[str, Any]:
    return {"type": type_, "id": id_, "name": props.pop("name", id_), "sources": SRC, **props}


def _e(type_: str, source: str, target: str, **props: Any) -> dict[str, Any]:
    return {
        "type": type_,
        "source": source,
        "target": target,
        "key": props.pop("key", ""),
        "sources": SRC,
        **props,
    }


def _day(rng: random.Random, low: int = 2015, high: int = 2026) -> dt.date:
    return dt.date(low, 1, 1) + dt.timedelta(days=rng.randrange((high - low + 1) * 365))


def generate(seed: int = SEED, scale: float = 1.0) -> Batch:
    """A graph of exactly :data:`NODES` nodes and :data:`EDGES` edges with the mix of a real one.

    25,000 needs (3 edges each), 50,000 projects (45,000 addressing a need, 5,000 linked to none
    as IATI imports are), 2,000 organisations of which 300 fund, 3,000 institutions, 10,000
    people, 5,000 events, documents to make up the count; funding mostly in EUR. ``scale``
    multiplies every count (0.1: 10k nodes / 30k edges; 10: 1M / 3M) and keeps the mix.
    """

    def n(count: int) -> int:
        return int(count * scale)

    total_nodes, total_edges = n(NODES), n(EDGES)
    rng = random.Random(seed)
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    countries = [f"country:{c}" for c in PARTNERS + DONOR_STATES]
    nodes += [
        _n("Country", f"country:{c}", code=c.upper(), wb_partner=c in PARTNERS)
        for c in PARTNERS + DONOR_STATES
    ]
    nodes += [_n("Pillar", f"pillar:{p}", code=p, number=i) for i, p in enumerate(PILLARS, 1)]
    orgs = [f"org:g{i:05d}" for i in range(n(2000))]
    nodes += [_n("Organisation", o, acronym=f"G{i}") for i, o in enumerate(orgs)]
    insts = [f"inst:g{i:05d}" for i in range(n(3000))]
    nodes += [_n("Institution", i) for i in insts]
    edges += [_e("PART_OF", inst, f"country:{PARTNERS[k % 6]}") for k, inst in enumerate(insts)]
    donors = orgs[: n(300)] + countries[6:]
    people = [f"person:g{i:05d}" for i in range(n(10_000))]
    nodes += [_n("Person", p) for p in people]
    edges += [_e("WORKS_FOR", p, rng.choice(orgs + insts)) for p in people[: n(5000)]]

    needs = [f"need:g{i:05d}" for i in range(n(25_000))]
    for k, need in enumerate(needs):  # need k, institution k and project k belong to partner k % 6
        props: dict[str, Any] = {
            "priority": rng.choice(["high", "medium", "low"]),
            "cycle": f"needs-mapping-{1 + k % 3}",
        }
        if rng.random() < 0.5:
            start = _day(rng)
            props |= {"start": start.isoformat(), "end": (start + dt.timedelta(days=365 * 4)).isoformat()}
        if rng.random() < 0.3:
            props |= {"required_amount": float(rng.randrange(100, 5000) * 1000), "required_currency": "EUR"}
        nodes.append(_n("Need", need, **props))
        edges += [
            _e("STATED_BY", need, f"country:{PARTNERS[k % 6]}"),
            _e("IN_PILLAR", need, f"pillar:{rng.choice(PILLARS)}"),
            _e("RESPONSIBLE_FOR", insts[(k % 6) + 6 * rng.randrange(n(500))], need),
        ]

    projects = [f"project:g{i:05d}" for i in range(n(50_000))]
    implementing = rng.sample(projects, n(30_000))
    benefiting = rng.sample(projects, n(15_000))
    second_funder = rng.sample(projects, n(2_000))
    for k, project in enumerate(projects):
        start = _day(rng)
        props = {
            "status": rng.choice(STATUSES),
            "start": start.isoformat(),
            "sectors": rng.sample(SECTORS, rng.choice([1, 1, 2])),
            "cycle": f"response-mapping-{2015 + k % 12}",
        }
        if rng.random() > 0.1:
            props["end"] = (start + dt.timedelta(days=rng.randrange(365, 5 * 365))).isoformat()
        nodes.append(_n("Project", project, **props))
        country = f"country:{PARTNERS[k % 6]}"
        edges.append(_e("TARGETS", project, country))
        if k < n(45_000):
            edges.append(_e("ADDRESSES", project, needs[6 * rng.randrange(n(25_000) // 6) + k % 6]))
        else:
            edges.append(_e("IN_PILLAR", project, f"pillar:{rng.choice(PILLARS)}"))
        edges.append(
            _e(
                "FUNDS",
                rng.choice(donors),
                project,
                amount=float(rng.randrange(50, 3000) * 1000),
                currency=rng.choice(CURRENCIES),
                kind="commitment",
            )
        )
    for project in second_funder:
        edges.append(_e("FUNDS", rng.choice(donors), project, key="co", amount=100_000.0, currency="EUR"))
    edges += [_e("IMPLEMENTS", rng.choice(orgs), p) for p in implementing]
    edges += [
        _e("BENEFITS", p, insts[int(p.rpartition("g")[2]) % 6 + 6 * rng.randrange(n(500))])
        for p in benefiting
    ]

    events = [f"event:g{i:05d}" for i in range(n(5000))]
    for k, event in enumerate(events):
        nodes.append(_n("Event", event, date=_day(rng).isoformat()))
        edges += [
            _e("ORGANISED", rng.choice(orgs[: n(100)]), event),
            _e("HELD_IN", event, f"country:{PARTNERS[k % 6]}"),
        ]
    docs = total_nodes - len(nodes)
    nodes += [_n("Document", f"doc:g{i:05d}") for i in range(docs)]
    edges += [_e("PRODUCED", rng.choice(orgs), f"doc:g{i:05d}") for i in range(docs)]
    seen: set[tuple[str, str]] = set()
    while len(edges) < total_edges:
        pair = (rng.choice(people + orgs + insts), rng.choice(events))
        if pair not in seen:
            seen.add(pair)
            edges.append(_e("PARTICIPATED_IN", *pair))
    assert len(nodes) == total_nodes and len(edges) == total_edges, (len(nodes), len(edges))
    for i in range(0, total_nodes, 997):  # the generated records are valid records
        validate_node(nodes[i])
    for i in range(0, total_edges, 997):
        validate_edge(edges[i])
    return Batch(nodes=nodes, edges=edges)


def _time(fn: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    """(median seconds over ``runs``, peak MB under tracemalloc in one more run, the last result)."""
    times = []
    result = None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return statistics.median(times), peak, result


def _size(result: Any) -> str:
    if isinstance(result, nx.MultiDiGraph):
        return f"{result.number_of_nodes():,} nodes, {result.number_of_edges():,} edges"
    if isinstance(result, list):
        return f"{len(result):,} results"
    if hasattr(result, "cells"):
        return f"{len(result.cells)} cells"
    if hasattr(result, "lines"):
        return f"{len(result.lines)} lines"
    if hasattr(result, "needs"):
        return f"{len(result.needs)} needs"
    return ""


def _busiest_donor(G: nx.MultiDiGraph) -> str:
    counts: dict[str, int] = {}
    for u, _, t in G.edges(data="type"):
        if t == "FUNDS":
            counts[u] = counts.get(u, 0) + 1
    return max(sorted(counts), key=counts.__getitem__)


def _need_with_most_projects(G: nx.MultiDiGraph) -> str:
    needs = [n for n, t in G.nodes(data="type") if t == "Need"]
    return max(
        sorted(needs), key=lambda n: sum(1 for _, _, t in G.in_edges(n, data="type") if t == "ADDRESSES")
    )


def measure(store: GraphStore, label: str, runs: int) -> list[list[str]]:
    """Rows of (graph, step, median s, peak MB, size) for the subgraph loads and every analysis."""
    rows = []

    def row(step: str, fn: Callable[[], Any], n: int = runs) -> Any:
        seconds, peak, result = _time(fn, n)
        rows.append([label, step, f"{seconds:.3f}", f"{peak:.1f}", _size(result)])
        print(f"  {label:10} {step:34} {seconds:8.3f} s {peak:8.1f} MB  {_size(result)}", flush=True)
        return result

    G = row("load: subgraph() (whole graph)", store.subgraph)
    row(
        "load: subgraph(country=RS, pillar)",
        lambda: store.subgraph(SubgraphFilter(country="country:rs", pillar="pillar:wbbsi")),
    )
    need, donor = _need_with_most_projects(G), _busiest_donor(G)
    actors = sorted(n for n, t in G.nodes(data="type") if t == "Organisation")
    row("overlaps", lambda: overlaps(G))
    row("gaps", lambda: gaps(G))
    row(f"who_funds({need})", lambda: who_funds(G, need))
    row(f"co_funders({donor})", lambda: co_funders(G, donor))
    row("cofunding", lambda: cofunding(G))
    row("coverage", lambda: coverage(G))
    row("brokers", lambda: brokers(G), max(1, runs // 2))
    row(f"path({actors[0]}, {actors[-1]})", lambda: actor_paths(G, actors[0], actors[-1]))
    return rows


def main() -> None:
    rows: list[list[str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        print("seed set:", flush=True)
        with SQLiteStore(Path(tmp) / "seed.sqlite") as store:
            store.upsert(load_seeds())
            rows += measure(store, "seed", runs=7)
        print("generated graph:", flush=True)
        started = time.perf_counter()
        batch = generate()
        generated = time.perf_counter() - started
        with SQLiteStore(Path(tmp) / "big.sqlite") as store:
            started = time.perf_counter()
            store.upsert(batch, actor="bench", action="bench analysis")
            written = time.perf_counter() - started
            del batch
            print(
                f"  generated in {generated:.1f} s, written through the port in {written:.1f} s", flush=True
            )
            rows += measure(store, "100k/300k", runs=3)
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print()
    print(f"{'graph':10} | {'step':46} | {'median s':>9} | {'peak MB':>8} | size")
    print("-" * 110)
    for graph, step, seconds, peak, size in rows:
        print(f"{graph:10} | {step:46} | {seconds:>9} | {peak:>8} | {size}")
    print(f"\nprocess peak RSS: {peak_rss:.0f} MB")
    print("peak MB per step: tracemalloc, the Python allocations of that step")


if __name__ == "__main__":
    main()
