"""Node positions computed in Python with a fixed seed, so the same data gives the same picture.

igraph's Fruchterman–Reingold lays out thousands of nodes in a fraction of a second (networkx's
``spring_layout`` takes seconds). Nodes are taken in id order and igraph's random generator (which
also places the start positions) is seeded for the call, so neither insertion order nor earlier
random calls change the result. The positions are then stretched to a 16:10 box (the shape of a
projector screen) whose area grows with the number of nodes, and small maps get a few passes
that push apart nodes whose labels would overlap.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from contextlib import contextmanager

import igraph
import networkx as nx

Positions = dict[str, tuple[float, float]]

#: Screen area per node at zoom 1, in square pixels, and the box's aspect ratio.
AREA_PER_NODE = 16_000.0
ASPECT = 1.6
#: Small maps are spread this wide (pixels at zoom 1), about the map's width on a 1920x1080 screen.
MIN_WIDTH = 1300.0
#: Up to this many nodes, labels are pushed apart after the layout.
DECLUTTER_MAX_NODES = 400


@contextmanager
def _igraph_rng(seed: int):
    igraph.set_random_number_generator(random.Random(seed))
    try:
        yield
    finally:
        igraph.set_random_number_generator(random)


def force_layout(G: nx.Graph, seed: int = 7) -> Positions:
    """Fruchterman–Reingold positions (unit-free), the same for the same nodes, edges and seed.

    Examples
    --------
    >>> G = nx.MultiDiGraph([("b", "a"), ("a", "c"), ("c", "b"), ("c", "d")])
    >>> force_layout(G) == force_layout(nx.MultiDiGraph(list(G.edges())[::-1]))
    True
    """
    ids = sorted(G.nodes)
    if len(ids) <= 1:
        return {n: (0.0, 0.0) for n in ids}
    index = {n: i for i, n in enumerate(ids)}
    pairs = sorted({tuple(sorted((index[u], index[v]))) for u, v in G.edges() if u != v})
    graph = igraph.Graph(n=len(ids), edges=pairs)
    with _igraph_rng(seed):  # the random start positions come from this generator too
        coords = graph.layout_fruchterman_reingold(niter=500)
    return {n: (float(x), float(y)) for n, (x, y) in zip(ids, coords.coords, strict=True)}


def fit_box(
    positions: Positions,
    area_per_node: float = AREA_PER_NODE,
    aspect: float = ASPECT,
    min_width: float = MIN_WIDTH,
) -> Positions:
    """Stretch positions into a box of ``aspect`` whose area is ``area_per_node`` per node (and
    at least ``min_width`` wide, so a small map fills the screen), centred on 0.

    >>> fit_box({"a": (0.0, 0.0), "b": (1.0, 1.0)}, area_per_node=1600, aspect=2, min_width=0)
    {'a': (-40.0, -20.0), 'b': (40.0, 20.0)}
    """
    if len(positions) <= 1:
        return {n: (0.0, 0.0) for n in positions}
    width = max(math.sqrt(len(positions) * area_per_node * aspect), min_width)
    height = width / aspect
    xs = [x for x, _ in positions.values()]
    ys = [y for _, y in positions.values()]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    sx = width / (x1 - x0) if x1 > x0 else 0.0
    sy = height / (y1 - y0) if y1 > y0 else 0.0
    return {
        n: (round((x - (x0 + x1) / 2) * sx, 1), round((y - (y0 + y1) / 2) * sy, 1))
        for n, (x, y) in positions.items()
    }


def declutter(
    positions: Positions,
    boxes: Mapping[str, tuple[float, float, float]],
    rounds: int = 120,
    gap: float = 8.0,
    aspect: float = ASPECT,
) -> Positions:
    """Push apart nodes whose boxes overlap: ``width, height`` around each position, shifted down by ``dy``.

    Deterministic: pairs are visited in id order and each overlap is resolved half by each
    node, sideways unless that is more than ``aspect`` times the way up or down (the screen is
    wider than high, so the map should grow sideways).

    >>> declutter({"a": (0.0, 0.0), "b": (10.0, 0.0)}, {"a": (40, 20, 0), "b": (40, 20, 0)}, gap=0, aspect=1)
    {'a': (0.0, -10.0), 'b': (10.0, 10.0)}
    >>> declutter({"a": (0.0, 0.0), "b": (10.0, 0.0)}, {"a": (40, 20, 0), "b": (40, 20, 0)}, gap=0, aspect=2)
    {'a': (-15.0, 0.0), 'b': (25.0, 0.0)}
    """
    ids = sorted(positions)
    pos = {n: list(positions[n]) for n in ids}
    cell = max((max(w, h + abs(dy)) for w, h, dy in boxes.values()), default=1.0) + gap
    for _ in range(rounds):
        grid: dict[tuple[int, int], list[str]] = {}
        for n in ids:
            grid.setdefault((int(pos[n][0] // cell), int(pos[n][1] // cell)), []).append(n)
        moved = False
        for n in ids:
            cx, cy = int(pos[n][0] // cell), int(pos[n][1] // cell)
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    for m in grid.get((cx + dx, cy + dy), ()):
                        if m <= n:
                            continue
                        moved |= _separate(pos[n], pos[m], boxes[n], boxes[m], gap, aspect)
        if not moved:
            break
    return {n: (round(x, 1), round(y, 1)) for n, (x, y) in pos.items()}


def _separate(
    a: list[float],
    b: list[float],
    box_a: tuple[float, float, float],
    box_b: tuple[float, float, float],
    gap: float,
    aspect: float,
) -> bool:
    over_x = (box_a[0] + box_b[0]) / 2 + gap - abs(a[0] - b[0])
    centre_a, centre_b = a[1] + box_a[2], b[1] + box_b[2]
    over_y = (box_a[1] + box_b[1]) / 2 + gap - abs(centre_a - centre_b)
    if over_x <= 0 or over_y <= 0:
        return False
    if over_x <= over_y * aspect:
        sign = 1.0 if b[0] >= a[0] else -1.0
        a[0] -= sign * over_x / 2
        b[0] += sign * over_x / 2
    else:
        sign = 1.0 if centre_b >= centre_a else -1.0
        a[1] -= sign * over_y / 2
        b[1] += sign * over_y / 2
    return True


def pull_in(positions: Positions, share: float = 0.02) -> Positions:
    """Bring far outliers (nodes outside the central ``1 - 2 * share`` of either axis) to its edge.

    Loose nodes drift far in a force layout and would shrink everything else when the map is fitted
    to the screen.

    >>> pull_in({str(i): (float(i), 0.0) for i in range(5)} | {"far": (100.0, 0.0)}, share=0.2)["far"]
    (4.0, 0.0)
    """
    if len(positions) < 5:
        return dict(positions)
    xs = sorted(x for x, _ in positions.values())
    ys = sorted(y for _, y in positions.values())
    cut = int(len(xs) * share)
    x0, x1, y0, y1 = xs[cut], xs[-1 - cut], ys[cut], ys[-1 - cut]
    return {n: (min(max(x, x0), x1), min(max(y, y0), y1)) for n, (x, y) in positions.items()}


def positions(
    G: nx.Graph, boxes: Mapping[str, tuple[float, float, float]] | None = None, seed: int = 7
) -> Positions:
    """Screen positions for ``G``: force layout, outliers pulled in, stretched to the screen, decluttered."""
    placed = fit_box(pull_in(force_layout(G, seed=seed)))
    if boxes is not None and 1 < len(placed) <= DECLUTTER_MAX_NODES:
        placed = widen(declutter(placed, boxes))
    return placed


def widen(positions: Positions, aspect: float = ASPECT) -> Positions:
    """Stretch sideways (never squeeze, so nothing comes to overlap) to at least ``aspect``.

    >>> widen({"a": (-1.0, -1.0), "b": (1.0, 1.0)}, aspect=2)
    {'a': (-2.0, -1.0), 'b': (2.0, 1.0)}
    """
    xs = [x for x, _ in positions.values()]
    ys = [y for _, y in positions.values()]
    width, height = max(xs) - min(xs), max(ys) - min(ys)
    if width <= 0 or width >= height * aspect:
        return dict(positions)
    factor, middle = height * aspect / width, (max(xs) + min(xs)) / 2
    return {n: (round(middle + (x - middle) * factor, 1), y) for n, (x, y) in positions.items()}
