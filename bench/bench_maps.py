"""Time maps: ``kb map`` computation and load-to-still in Chromium, against pyvis's defaults.

``python -m bench maps``. For generated graphs of 300, 2,000 and 10,000 nodes (written through the
store port into a temporary SQLite file):

- **kb map**: ``kb map overview`` run as a user runs it (a new process: start-up, store load,
  analyses, layout, HTML), and the in-process parts (layout alone; the whole map from the loaded
  graph). 10,000 nodes is over the map limit, so the CLI refuses it; the in-process figures lift
  the limit to show what it would cost.
- **load to still**: the file opened in Debian's chromium at 1920x1080 with the network cut
  off, timed inside the page from navigation start until vis-network has drawn and nothing moves:
  our map's first ``afterDrawing`` (positions computed in Python, physics off, the page's labels
  placed and drawn in the same frame); pyvis's defaults (stock template, ``cdn_resources="in_line"``,
  physics on) until ``stabilized``, waited for at most ``KB_BENCH_BASELINE_CAP`` seconds (default
  60) and reported as "> 60 s" beyond.
- **to the network layout**: in our map (opened in the partner × pillar grid, as ``kb map``
  opens it, with timeline, presenter sequence and count sizes on), the time from a click on
  "Network layout" until that layout is drawn.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import networkx as nx
from pyvis.edge import Edge as VisEdge
from pyvis.network import Network

from kb.questions.maps import findings
from kb.records import Batch, validate_edge, validate_node
from kb.store.sqlite import SQLiteStore
from visual import layout, views, write_html
from visual.network import MAX_NODES
from visual.png import CHROMIUM, block_network, launch
from visual.views import Drawing

SIZES = (300, 2_000, 10_000)
SEED = 20240601
SRC = ["bench/bench_maps.py"]
PARTNERS = ["al", "ba", "xk", "me", "mk", "rs"]
DONOR_STATES = ["at", "de", "it", "fr", "gb", "us", "si", "bg"]
PILLARS = ["wbcti", "wbcsci", "wbbsi"]
CAP = float(os.environ.get("KB_BENCH_BASELINE_CAP", "60"))
#: Hooked into pages before they run: records when vis-network first draws and when it is still.
TIMING = """(() => {
  const poll = setInterval(() => {
    if (!window.network || !window.network.once) return;
    clearInterval(poll);
    window.network.once("afterDrawing", () => { window.__firstDraw = performance.now(); });
    window.network.once("stabilized", () => { window.__stable = performance.now(); });
  }, 2);
})();"""


def _n(type_: str, id_: str, **props: Any) -> dict[str, Any]:
    return {"type": type_, "id": id_, "name": props.pop("name", id_.split(":")[1]), "sources": SRC, **props}


def _e(type_: str, source: str, target: str, **props: Any) -> dict[str, Any]:
    return {"type": type_, "source": source, "target": target, "sources": SRC, **props}


def generate(size: int, seed: int = SEED) -> Batch:
    """``size`` nodes with the mix of the real graph: needs, projects and their funders, institutions,
    events and documents; about 2.5 edges per node, funding mostly in EUR."""
    rng = random.Random(seed)
    countries = [f"country:{c}" for c in PARTNERS + DONOR_STATES]
    nodes = [
        _n("Country", f"country:{c}", code=c.upper(), wb_partner=c in PARTNERS)
        for c in PARTNERS + DONOR_STATES
    ]
    nodes += [_n("Pillar", f"pillar:{p}", code=p, number=i) for i, p in enumerate(PILLARS, 1)]
    rest = size - len(nodes)
    shares = {"org": 8, "inst": 15, "need": 25, "event": 10, "doc": 5}
    count = {kind: rest * share // 100 for kind, share in shares.items()}
    count["project"] = rest - sum(count.values())
    ids = {k: [f"{k}:g{i:05d}" for i in range(v)] for k, v in count.items()}
    edges: list[dict[str, Any]] = []
    nodes += [_n("Organisation", o, acronym=f"G{i}") for i, o in enumerate(ids["org"])]
    for k, inst in enumerate(ids["inst"]):
        nodes.append(_n("Institution", inst))
        edges.append(_e("PART_OF", inst, f"country:{PARTNERS[k % 6]}"))
    for k, need in enumerate(ids["need"]):
        nodes.append(_n("Need", need, priority=rng.choice(["high", "medium", "low"])))
        edges += [
            _e("STATED_BY", need, f"country:{PARTNERS[k % 6]}"),
            _e("IN_PILLAR", need, f"pillar:{rng.choice(PILLARS)}"),
            _e("RESPONSIBLE_FOR", rng.choice(ids["inst"]), need),
        ]
    donors = ids["org"][: max(1, len(ids["org"]) // 3)] + countries[6:]
    for k, project in enumerate(ids["project"]):
        start = dt.date(2018, 1, 1) + dt.timedelta(days=rng.randrange(8 * 365))
        nodes.append(
            _n(
                "Project",
                project,
                start=start.isoformat(),
                end=(start + dt.timedelta(days=rng.randrange(365, 4 * 365))).isoformat(),
            )
        )
        edges += [
            _e("ADDRESSES", project, rng.choice(ids["need"])),
            _e("TARGETS", project, f"country:{PARTNERS[k % 6]}"),
            _e(
                "FUNDS",
                rng.choice(donors),
                project,
                amount=float(rng.randrange(50, 3000) * 1000),
                currency="USD" if rng.random() < 0.15 else "EUR",
                kind="commitment",
            ),
            _e("IMPLEMENTS", rng.choice(ids["org"]), project),
        ]
    for k, event in enumerate(ids["event"]):
        nodes.append(_n("Event", event, date=(dt.date(2022, 1, 1) + dt.timedelta(days=k % 1000)).isoformat()))
        edges += [
            _e("HELD_IN", event, f"country:{PARTNERS[k % 6]}"),
            _e("IN_PILLAR", event, f"pillar:{PILLARS[k % 3]}"),
        ]
        edges += [_e("PARTICIPATED_IN", actor, event) for actor in rng.sample(ids["org"] + ids["inst"], 3)]
    for doc in ids["doc"]:
        nodes.append(_n("Document", doc))
        edges += [_e("PRODUCED", rng.choice(ids["org"]), doc), _e("DISCUSSED", rng.choice(ids["event"]), doc)]
    edges = list({(e["type"], e["source"], e["target"]): e for e in edges}.values())
    return Batch(nodes=[validate_node(n) for n in nodes], edges=[validate_edge(e) for e in edges])


def pyvis_defaults(G: nx.MultiDiGraph, path: Path) -> Path:
    """``G`` drawn the way pyvis draws by default: stock template, physics on, vis-network inlined.

    Nodes and edges are what ``add_node``/``add_edge`` make; edges are appended directly because
    pyvis's duplicate check is quadratic and would dominate the set-up, not the drawing.
    """
    net = Network(cdn_resources="in_line")
    for n in sorted(G):
        net.add_node(n, label=G.nodes[n].get("name", n))
    pairs = sorted({tuple(sorted((u, v))) for u, v in G.edges() if u != v})
    net.edges.extend(VisEdge(u, v, False).options for u, v in pairs)
    net.write_html(str(path))
    return path


def load_to_still(browser, path: Path, *, ours: bool) -> tuple[float | None, float | None]:
    """(first draw, still) in seconds from navigation start; ``None`` when not reached within the cap."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    try:
        page = context.new_page()
        blocked = block_network(page)
        page.add_init_script(TIMING)
        page.goto(path.resolve().as_uri(), wait_until="commit", timeout=int(CAP * 1000))
        done = "() => window.__mapStill !== undefined" if ours else "() => window.__stable !== undefined"
        try:
            page.wait_for_function(done, timeout=int(CAP * 1000), polling=50)
        except PlaywrightTimeout:  # the baseline did not settle within the cap
            pass
        if ours:
            assert not blocked, blocked
            still = page.evaluate("() => window.__mapStill")
            return still / 1000, still / 1000
        first, stable = page.evaluate("() => [window.__firstDraw ?? null, window.__stable ?? null]")
        return (first / 1000 if first else None), (stable / 1000 if stable else None)
    finally:
        context.close()


def layout_switch(browser, path: Path) -> float:
    """Seconds from a click on "Network layout" until the network layout is drawn."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    try:
        page = context.new_page()
        block_network(page)
        page.goto(path.resolve().as_uri())
        page.wait_for_function("() => window.__mapStill !== undefined", timeout=int(CAP * 1000))
        return page.evaluate(
            """() => new Promise(done => {
                const t = performance.now();
                kbMap.network.once("afterDrawing", () => done((performance.now() - t) / 1000));
                document.getElementById("layout-toggle").click();
            })"""
        )
    finally:
        context.close()


def _kb_map(store: Path, out: Path) -> tuple[float, str]:
    kb = Path(sys.executable).parent / "kb"
    started = time.perf_counter()
    done = subprocess.run(
        [str(kb), "--store", str(store), "map", "overview", "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,  # a refusal is a figure too
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        refused = f"refused: over {MAX_NODES:,} nodes" if "at most" in done.stderr else done.stderr.strip()
        return seconds, refused
    return seconds, "ok"


def _s(seconds: float | None) -> str:
    return f"> {CAP:.0f} s" if seconds is None else f"{seconds:.2f} s"


def _median(fn, runs: int = 3):
    """The median of ``runs`` timings (the machine is shared: single runs are noisy) and the last result."""
    results = [fn() for _ in range(runs)]
    ordered = sorted(results, key=lambda r: r[0] if r[0] is not None else float("inf"))
    return ordered[len(ordered) // 2]


def _timed(fn):
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def measure(browser, size: int, folder: Path) -> list[str]:
    """One row of the table: a generated graph of ``size`` nodes, stored in ``folder``."""
    folder.mkdir()
    store_path = folder / "kb.sqlite"
    with SQLiteStore(str(store_path)) as store:
        store.init()
        store.upsert(generate(size), actor="bench")
        G = store.subgraph()
    cli_seconds, cli_note = _median(lambda: _kb_map(store_path, folder / "cli.html"))
    layout_seconds, _ = _median(lambda: _timed(lambda: layout.positions(G)))
    map_seconds, ours = _median(
        lambda: _timed(
            lambda: write_html(
                *views.overview(G, findings(G), max_nodes=None, drawing=Drawing(size_by="count")),
                folder / "ours.html",
            )
        )
    )
    our_still = _median(lambda: load_to_still(browser, ours, ours=True)[::-1])[0]
    switch = _median(lambda: (layout_switch(browser, ours),))[0]
    baseline = pyvis_defaults(G, folder / "pyvis.html")
    base_first, base_still = load_to_still(browser, baseline, ours=False)
    return [
        f"{G.number_of_nodes():,}",
        f"{G.number_of_edges():,}",
        f"{cli_seconds:.2f} s ({cli_note})",
        f"{layout_seconds:.2f} s",
        f"{map_seconds:.2f} s",
        f"{ours.stat().st_size / 2**20:.1f} MB",
        _s(our_still),
        _s(switch),
        _s(base_first),
        _s(base_still),
    ]


def main() -> None:
    from playwright.sync_api import sync_playwright

    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = launch(p)
        try:
            for size in SIZES:
                row = measure(browser, size, Path(tmp) / str(size))
                rows.append(row)
                print("  " + " | ".join(row), flush=True)
        finally:
            browser.close()
    header = [
        "nodes",
        "edges",
        "kb map overview (CLI)",
        "layout",
        "map in-process",
        "HTML",
        "ours: load to still",
        "ours: to the network layout",
        "pyvis defaults: first draw",
        "pyvis defaults: still",
    ]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print()
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    print(
        f"\nmedians of 3 runs for ours, 1 for pyvis; chromium {CHROMIUM} at 1920x1080, network cut off; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; "
        f"the CLI refuses maps over {MAX_NODES:,} nodes."
    )
