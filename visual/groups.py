"""The grouped layout: every node in a partner × pillar grid, so a map shows its structure at a glance.

Columns are the Western Balkans partners (then *Regional*: several partners, or none); rows are
the pillars (then *No pillar*). A partner's node heads its column, a pillar's node heads its row,
and each cell holds the needs and projects of that partner and pillar, in slots of equal size. Donors stand in a column on the left, ordered by what they fund;
everything else (documents, people, implementers, other countries) in a band below. The
cells' sizes follow what they hold, and the number of slot columns per partner is chosen so
the whole grid (with the donors and the band) fits the screen as large as it can.

Pure and deterministic: the same graph gives the same positions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graph_schema import MAPPED_TYPES
from graph_schema.registry import NODE_TYPES
from kb.presentation import display
from visual import describe

Positions = dict[str, tuple[float, float]]

#: What a cell holds: the support mapping's needs and projects, in the schema's order; everything
#: else (institutions, events, documents, people, implementers) goes to the band below the grid.
CELL_ORDER = {name: i for i, name in enumerate(MAPPED_TYPES)}
#: One slot of a cell, of the donors' column and of the band below, in pixels at zoom 1.
SLOT = (150.0, 96.0)
DONOR_SLOT = (190.0, 76.0)
BAND_SLOT = (72.0, 56.0)
#: Room for the partners' names above the grid and the pillars' codes left of it.
HEAD = (170.0, 110.0)
#: Space between cells, and between the grid and the donors' column and the band.
PAD = 34.0
GAP = 90.0
#: The shape of the map's part of the screen the grid is fitted to (between 1024x768 with the side
#: panel, about 1.2, and 1920x1080, about 1.6).
SCREEN = 1.35
REGIONAL = "Regional"
NO_PILLAR = "No pillar"


@dataclass
class Band:
    """A column, a row or a band of the grid: its title (or heading node) and its extent."""

    title: str
    start: float
    end: float
    node: str | None = None


@dataclass
class Grid:
    """Positions of every node, and the lines of the grid the page draws behind them."""

    positions: Positions
    columns: list[Band] = field(default_factory=list)
    rows: list[Band] = field(default_factory=list)
    #: Donors' column and the band below: title, x0, y0, x1, y1.
    boxes: list[tuple[str, float, float, float, float]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        def band(b: Band) -> dict[str, Any]:
            return {"title": b.title, "start": round(b.start, 1), "end": round(b.end, 1), "node": b.node}

        return {
            "columns": [band(b) for b in self.columns],
            "rows": [band(b) for b in self.rows],
            "boxes": [
                {"title": t, "x0": round(x0, 1), "y0": round(y0, 1), "x1": round(x1, 1), "y1": round(y1, 1)}
                for t, x0, y0, x1, y1 in self.boxes
            ],
        }


@dataclass(frozen=True)
class Places:
    """Where each node goes: a heading, a cell ``(column, row)``, the donors' column or the band."""

    partners: list[str]
    pillars: list[str]
    cells: dict[tuple[str, str], list[str]]
    donors: list[str]
    band: list[str]


def places(
    G: nx.MultiDiGraph, order: Mapping[str, float] | None = None, funders: Sequence[str] = ()
) -> Places:
    """Sort every node of ``G`` into the grid. ``order``: lower first within a cell, the donors'
    column and the band (e.g. marked nodes first); ``funders``: the donors, most important first.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("country:rs", type="Country", name="Serbia", code="RS", wb_partner=True)
    >>> G.add_node("pillar:p", type="Pillar", name="Border", code="P", number=1)
    >>> G.add_node("need:n", type="Need", name="Radars")
    >>> G.add_node("org:d", type="Organisation", name="Donor")
    >>> G.add_node("doc:x", type="Document", name="Minutes")
    >>> for u, v, t in (("need:n", "country:rs", "STATED_BY"), ("need:n", "pillar:p", "IN_PILLAR")):
    ...     _ = G.add_edge(u, v, type=t, source=u, target=v)
    >>> p = places(G, funders=["org:d"])
    >>> p.partners, p.pillars, p.cells, p.donors, p.band
    (['country:rs'], ['pillar:p'], {('country:rs', 'pillar:p'): ['need:n']}, ['org:d'], ['doc:x'])
    """
    order = order or {}
    kinds = {n: G.nodes[n].get("type", "") for n in G}
    partners = sorted(
        (n for n in G if kinds[n] == "Country" and G.nodes[n].get("wb_partner")),
        key=lambda n: (display(str(G.nodes[n].get("name") or n)).casefold(), n),
    )
    pillars = sorted((n for n in G if kinds[n] == "Pillar"), key=lambda n: (G.nodes[n].get("number", 99), n))
    heads = set(partners) | set(pillars)
    donors = [d for d in funders if d in G and d not in heads]
    placed = heads | set(donors)
    known_partners = set(partners)
    cells: dict[tuple[str, str], list[str]] = {}
    band = []
    for n in sorted(G):
        if n in placed:
            continue
        if kinds[n] not in CELL_ORDER:
            band.append(n)
            continue
        own_partners = [c for c in describe.countries(G, n) if c in known_partners]
        own_pillars = describe.pillars(G, n)
        if not own_partners and not own_pillars:
            band.append(n)
            continue
        column = own_partners[0] if len(own_partners) == 1 else REGIONAL
        row = own_pillars[0] if len(own_pillars) == 1 else NO_PILLAR
        cells.setdefault((column, row), []).append(n)
    type_rank = {name: i for i, name in enumerate(NODE_TYPES)}
    for members in cells.values():
        members.sort(key=lambda n: (CELL_ORDER[kinds[n]], order.get(n, math.inf), n))
    band.sort(key=lambda n: (type_rank.get(kinds[n], 99), order.get(n, math.inf), n))
    return Places(partners=partners, pillars=pillars, cells=cells, donors=donors, band=band)


def grid(G: nx.MultiDiGraph, p: Places, labels: Mapping[str, str] | None = None) -> Grid:
    """Positions for :func:`places`' sorting of ``G``, and the grid's lines and titles.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("country:rs", type="Country", name="Serbia", code="RS", wb_partner=True)
    >>> G.add_node("pillar:p", type="Pillar", name="Border", code="P", number=1)
    >>> for i in range(3):
    ...     G.add_node(f"need:{i}", type="Need", name=f"N{i}")
    ...     for v, t in (("country:rs", "STATED_BY"), ("pillar:p", "IN_PILLAR")):
    ...         _ = G.add_edge(f"need:{i}", v, type=t, source=f"need:{i}", target=v)
    >>> g = grid(G, places(G))
    >>> [b.title for b in g.columns], [b.title for b in g.rows]
    (['Serbia'], ['P'])
    >>> at = g.positions
    >>> at["need:0"][1] == at["need:1"][1], at["country:rs"][1] < at["need:0"][1]
    (True, True)
    """
    labels = labels or {}
    columns = [c for c in p.partners] + ([REGIONAL] if any(c == REGIONAL for c, _ in p.cells) else [])
    rows = [r for r in p.pillars] + ([NO_PILLAR] if any(r == NO_PILLAR for _, r in p.cells) else [])
    counts = {c: [len(p.cells.get((c, r), [])) or 1 for r in rows] or [1] for c in columns}
    best: tuple[float, dict[str, int], dict[str, int]] | None = None
    fullest = max((m for ms in counts.values() for m in ms), default=1)
    for most in range(1, max(2, math.isqrt(fullest) * 3) + 1):
        wide = {c: min(most, max(ms)) for c, ms in counts.items()}
        high = {
            r: max([math.ceil(len(p.cells.get((c, r), [])) / wide[c]) for c in columns] + [1]) for r in rows
        }
        width = sum(wide[c] * SLOT[0] + PAD for c in columns) + HEAD[0]
        height = sum(high[r] * SLOT[1] + PAD for r in rows) + HEAD[1]
        width += _donor_width(len(p.donors), height)
        height += _band_height(len(p.band), width)
        fit = min(SCREEN / width, 1 / height)
        if best is None or fit > best[0] * 1.0001:
            best = (fit, wide, high)
    assert best is not None
    _, wide, high = best
    positions: Positions = {}
    out = Grid(positions=positions)
    x = 0.0
    for c in columns:
        span = wide[c] * SLOT[0] + PAD
        title = REGIONAL if c == REGIONAL else display(str(G.nodes[c].get("name") or c))
        out.columns.append(Band(title, x, x + span, None if c == REGIONAL else c))
        x += span
    y = 0.0
    for r in rows:
        span = high[r] * SLOT[1] + PAD
        title = NO_PILLAR if r == NO_PILLAR else str(labels.get(r) or G.nodes[r].get("code") or r)
        out.rows.append(Band(title, y, y + span, None if r == NO_PILLAR else r))
        y += span
    right, bottom = x, y
    for col in out.columns:
        if col.node:
            positions[col.node] = ((col.start + col.end) / 2, -HEAD[1] / 2)
    for row in out.rows:
        if row.node:
            positions[row.node] = (-HEAD[0] / 2, (row.start + row.end) / 2)
    for col, c in zip(out.columns, columns, strict=True):
        for row, r in zip(out.rows, rows, strict=True):
            for i, n in enumerate(p.cells.get((c, r), [])):
                k, j = divmod(i, wide[c])
                positions[n] = (
                    col.start + PAD / 2 + (j + 0.5) * SLOT[0],
                    row.start + PAD / 2 + (k + 0.5) * SLOT[1],
                )
    top = -HEAD[1]
    if p.donors:
        per_column = max(1, int((bottom - top) // DONOR_SLOT[1]))
        n_columns = math.ceil(len(p.donors) / per_column)
        per_column = math.ceil(len(p.donors) / n_columns)
        x1 = -HEAD[0] - GAP / 2
        x0 = x1 - n_columns * DONOR_SLOT[0]
        step = (bottom - top) / per_column
        for i, n in enumerate(p.donors):
            k, j = divmod(i, per_column)
            positions[n] = (x0 + (k + 0.5) * DONOR_SLOT[0], top + (j + 0.5) * step)
        out.boxes.append(("Donors", x0, top, x1, bottom))
    if p.band:
        left = min([-HEAD[0]] + [b[1] for b in out.boxes])
        per_row = max(1, int((right - left) // BAND_SLOT[0]))
        y0 = bottom + GAP / 2
        for i, n in enumerate(p.band):
            k, j = divmod(i, per_row)
            positions[n] = (left + (j + 0.5) * BAND_SLOT[0], y0 + (k + 0.5) * BAND_SLOT[1])
        n_rows = math.ceil(len(p.band) / per_row)
        out.boxes.append(("Other actors and records", left, y0, right, y0 + n_rows * BAND_SLOT[1]))
    for n in G:
        positions.setdefault(n, (0.0, 0.0))
    out.positions = {n: (round(a, 1), round(b, 1)) for n, (a, b) in sorted(positions.items())}
    return out


def _donor_width(n: int, height: float) -> float:
    if not n:
        return 0.0
    per_column = max(1, int(height // DONOR_SLOT[1]))
    return math.ceil(n / per_column) * DONOR_SLOT[0] + GAP / 2


def _band_height(n: int, width: float) -> float:
    if not n:
        return 0.0
    per_row = max(1, int(width // BAND_SLOT[0]))
    return math.ceil(n / per_row) * BAND_SLOT[1] + GAP / 2
