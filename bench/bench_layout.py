"""Map layout: :func:`visual.layout.positions` on random graphs of 500 to 10,000 nodes.

``python -m bench layout``. Each graph is ``networkx.gnm_random_graph(n, 1.5 n, seed=1)``.
Baseline, in the same run and on the same graph: igraph's bare Fruchterman–Reingold layout, the
engine ``positions`` wraps, with the same 500 iterations; the ratio shows what sorting the
nodes, pulling in outliers and fitting the 16:10 box cost on top. Medians of 3 runs. (Up to
1,000 nodes igraph compares every pair; beyond, it uses a grid, hence 500 nodes taking longer
than 2,000.)
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Callable

import igraph
import networkx as nx

from visual import layout

SIZES = (500, 2_000, 10_000)
RUNS = 3


def median_seconds(fn: Callable[[], object], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def bare_igraph(G: nx.Graph) -> None:
    """The baseline: igraph's layout of ``G`` as it comes, no sorting and no fitting."""
    index = {n: i for i, n in enumerate(G)}
    graph = igraph.Graph(n=len(index), edges=[(index[u], index[v]) for u, v in G.edges() if u != v])
    igraph.set_random_number_generator(random.Random(1))
    try:
        graph.layout_fruchterman_reingold(niter=500)
    finally:
        igraph.set_random_number_generator(random)


def measure(size: int) -> str:
    """One row of the table: the graph of ``size`` nodes laid out by ``positions`` and the baseline."""
    G = nx.gnm_random_graph(size, size * 3 // 2, seed=1)
    ours = median_seconds(lambda: layout.positions(G))
    bare = median_seconds(lambda: bare_igraph(G))
    return f"{size:>7,} {G.number_of_edges():>7,} | {ours:>11.2f} | {bare:>13.2f} | {ours / bare:>5.2f}×"


def main() -> None:
    header = f"{'nodes':>7} {'edges':>7} | {'positions s':>11} | {'bare igraph s':>13} | {'ratio':>6}"
    print(header)
    print("-" * len(header))
    for size in SIZES:
        print(measure(size), flush=True)
    print(
        f"\nratio = positions ÷ bare igraph; medians of {RUNS} runs; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}."
    )


if __name__ == "__main__":
    main()
