"""A knowledge-base graph and its marks as a pyvis ``Network``: styled, laid out, described.

The network is not written by pyvis (its stock template loads bootstrap from a CDN and inserts
the heading unescaped); :mod:`visual.page` renders it. Nodes are added in id order so the same
data always gives the same file.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
from pyvis.network import Network
from pyvis.node import Node as VisNode

from graph_schema import PERIOD_FIELDS
from graph_schema.registry import EDGE_TYPES
from kb.analysis.money import Rates
from kb.errors import InvalidInputError
from kb.presentation import names_kosovo
from visual import describe, groups, layout, styles
from visual.highlight import Highlights
from visual.legend import Legend, build_legend

#: Larger selections are refused: a browser would take too long to draw them.
MAX_NODES = 5000
#: Above this many nodes, edges are hidden while dragging or zooming.
LARGE = 1000


@dataclass
class MapModel:
    """A styled network and what the page shows around it."""

    network: Network
    legend: Legend
    facets: dict[str, list[tuple[str, str]]]
    texts: list[str] = field(default_factory=list)
    #: The grouped layout's columns, rows and boxes (``None``: the map has only the network layout).
    grid: dict[str, Any] | None = None

    @property
    def names_kosovo(self) -> bool:
        return names_kosovo(self.texts)


def check_size(G: nx.MultiDiGraph, max_nodes: int | None) -> None:
    """Refuse a selection too large to draw, before any work is spent on it."""
    if max_nodes is not None and G.number_of_nodes() > max_nodes:
        raise InvalidInputError(
            f"the selection has {G.number_of_nodes():,} nodes; a map draws at most {max_nodes:,}. "
            "Narrow it with --pillar, --country, --donor or --from/--to."
        )


def _degrees(G: nx.MultiDiGraph) -> dict[str, int]:
    return {n: len(set(G.predecessors(n)) | set(G.successors(n))) for n in G}


def _darker(colour: str, factor: float = 0.65) -> str:
    """
    >>> _darker("#ffffff")
    '#a5a5a5'
    """
    return "#" + "".join(f"{int(int(colour[i : i + 2], 16) * factor):02x}" for i in (1, 3, 5))


def _label_box(lines: list[str], shape: str, size: float, story: bool) -> tuple[float, float, float]:
    """Estimated width, height and downward offset of the room a node and its label take at zoom 1.

    Labels are drawn below the symbol, so the room shifts down; labels of lesser nodes appear only
    where they fit and take no room.
    """
    width = 2 * size * (1.2 if shape in styles.LABEL_INSIDE else 1.0)
    if not story:
        return width, 2 * size, 0.0
    below = len(lines) * styles.STORY_PX * 1.25 + 6
    text = max(len(line) for line in lines) * styles.STORY_PX * 0.6
    return max(width, text), 2 * size + below, below / 2


def _funded(G: nx.MultiDiGraph) -> dict[str, int]:
    """Funders and the number of projects each funds."""
    out: dict[str, set[str]] = {}
    for u, v, kind in G.edges(data="type"):
        if kind == "FUNDS":
            out.setdefault(u, set()).add(v)
    return {n: len(v) for n, v in out.items()}


def _ranks(
    G: nx.MultiDiGraph,
    ids: list[str],
    marks: Highlights,
    sizes: dict[str, float],
    degrees: dict[str, int],
    funded: dict[str, int],
) -> tuple[dict[str, int], dict[str, int]]:
    """Which labels matter most: (rank, tier) per node, rank 0 first.

    Tier 0: what the map is about and the analyses' marks (in the findings' order); 1: partners and
    pillars (the grid's headings); 2: donors, by the number of projects they fund; 3: the rest, by
    size. Faded context comes last. Tiers 0–2 carry the story: their labels are always large.
    """
    marked: dict[str, int] = {}
    for n in [*sorted(marks.focus), *marks.overlap_nodes, *marks.gap_nodes]:
        marked.setdefault(n, len(marked))
    tiers: dict[str, int] = {}
    keys: dict[str, tuple[float, ...]] = {}
    for n in ids:
        data = G.nodes[n]
        head = data.get("type") == "Pillar" or (
            data.get("type") == "Country" and bool(data.get("wb_partner"))
        )
        faded = marks.keep is not None and n not in marks.keep and n not in marks.focus
        if n in marked:
            tier, key = 0, (marked[n],)
        elif head:
            tier, key = 1, (0.0,)
        elif faded:
            tier, key = 4, (-sizes[n], -degrees[n])
        elif n in funded:
            tier, key = 2, (-funded[n], -sizes[n])
        else:
            tier, key = 3, (-sizes[n], -degrees[n])
        tiers[n], keys[n] = tier, key
    ordered = sorted(ids, key=lambda n: (tiers[n], keys[n], n))
    return {n: i for i, n in enumerate(ordered)}, tiers


def _node_style(kind: str, node: str, marks: Highlights, size: float) -> dict[str, Any]:
    colour, shape, border, border_width = styles.node_colour(kind), styles.node_shape(kind), None, 2
    if node in marks.gap_nodes:
        gap_kind = marks.gap_nodes[node][0]
        colour = styles.UNDERFUNDED_COLOUR if gap_kind == "underfunded" else styles.GAP_COLOUR
        shape, border, border_width = styles.GAP_SHAPE, "#000000", 4
        size = max(size, styles.GAP_MIN_SIZE)  # a need nobody answers counts 0: drawn to be seen
    faded = marks.keep is not None and node not in marks.keep and node not in marks.focus
    if faded:
        fill, border = styles.FADED["background"], styles.FADED["border"]
    else:
        fill, border = colour, border or _darker(colour)
    if node in marks.overlap_nodes:
        border, border_width = styles.OVERLAP_COLOUR, 8
    if node in marks.focus:
        border, border_width = styles.FOCUS_COLOUR, 8
    style: dict[str, Any] = {
        "shape": shape,
        "size": size,
        "borderWidth": border_width,
        # Selected or hovered, a node keeps its fill and gets a black border (the page's ``chosen``).
        "color": {"background": fill, "border": border},
        "mark": "gap"
        if node in marks.gap_nodes
        else "overlap"
        if node in marks.overlap_nodes
        else "focus"
        if node in marks.focus
        else "faded"
        if faded
        else "",
    }
    if shape in styles.LABEL_INSIDE:
        # The label is drawn by the page, below the symbol; the box keeps a size of its own.
        style["widthConstraint"] = {"minimum": round(2.4 * size, 1), "maximum": round(2.4 * size, 1)}
        style["heightConstraint"] = {"minimum": round(1.3 * size, 1)}
    return style


def _options(n: int) -> dict[str, Any]:
    large = n > LARGE
    return {
        "autoResize": True,
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False},
        "interaction": {
            "hover": not large,
            "tooltipDelay": 150,
            "hideEdgesOnDrag": large,
            "hideEdgesOnZoom": large,
            "keyboard": False,
            "multiselect": False,
        },
        "nodes": {
            # vis-network draws no label (size 0 is under its threshold): the page draws them, at a
            # size on screen that does not depend on the zoom, and only where they do not collide.
            "font": {"face": styles.FONT_FACE, "size": 0, "color": "#111111"},
            "scaling": {"label": {"enabled": False, "drawThreshold": styles.DRAW_THRESHOLD}},
            "shapeProperties": {"interpolation": False},
        },
        "edges": {
            "smooth": False,
            "color": {"highlight": "#000000", "hover": "#000000"},
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.7}},
            "selectionWidth": 2,
            "hoverWidth": 1,
        },
    }


def _largest_per_currency(roles: dict[str, dict[str, float]]) -> dict[str, float]:
    """A node's money for sizing: per currency, the largest of its roles (given, received, required).

    >>> _largest_per_currency({"given": {"EUR": 5.0}, "received": {"EUR": 7.0, "USD": 1.0}})
    {'EUR': 7.0, 'USD': 1.0}
    """
    out: dict[str, float] = {}
    for amounts in roles.values():
        for currency, value in amounts.items():
            out[currency] = max(out.get(currency, 0.0), value)
    return out


@dataclass(frozen=True)
class Sizing:
    """Node sizes and the legend's words for them."""

    sizes: dict[str, float]
    note: str
    width_note: str = "Line width of FUNDS: the amount, relative to the largest in the same currency."


def _rates_words(rates: Rates, used: set[str]) -> str:
    shown = [
        f"1 {c} = {r.rate:g} {rates.base} ({r.date.isoformat()}, {r.source})"
        for c, r in sorted(rates.latest.items())
        if c != rates.base and c in used
    ]
    return "; ".join(shown) or f"no other currency than {rates.base}"


def sizing(
    G: nx.MultiDiGraph,
    money: dict[str, dict[str, dict[str, float]]],
    degrees: dict[str, int],
    size_by: str = "money",
    rates: Rates | None = None,
) -> Sizing:
    """Node sizes by ``size_by`` (one of :data:`visual.styles.SIZE_BY`), with the legend's note.

    ``count``: projects a donor funds, projects addressing a need, needs a project addresses (each
    against its own largest), other nodes by links; ``money``: money converted with ``rates`` when
    given, else in the one currency most nodes have amounts in; ``links``: number of links.
    """
    if size_by not in styles.SIZE_BY:
        raise InvalidInputError(f"size by {size_by!r}: expected one of {', '.join(styles.SIZE_BY)}")
    if size_by == "links":
        return Sizing(styles.node_sizes({}, degrees, None), "Size: number of links.")
    if size_by == "count":
        note = (
            "Size: the number of "
            + ", of ".join(list(describe.COUNT_WORDS.values())[:-1])
            + " (each against its own largest); other nodes by their number of links. "
            "Money is not used: amounts in different currencies are not added (kb map --rates converts them)."
        )
        return Sizing(styles.count_sizes(describe.node_counts(G)), note)
    if rates is not None:
        values: dict[str, float] = {}
        used: set[str] = set()
        left: set[str] = set()
        for n, roles in money.items():
            best = 0.0
            for amounts in roles.values():
                converted = rates.convert(amounts)
                best = max(best, converted.total)
                used |= {r.currency for r in converted.applied}
                left |= set(converted.unconverted)
            if best > 0:
                values[n] = best
        note = (
            f"Size: money converted to {rates.base} with the rates given ({_rates_words(rates, used)}), "
            "the largest of given, received or required; nodes without such amounts are sized by "
            "their number of links."
        )
        if left:
            note += f" Not converted (no rate given), so not counted: {', '.join(sorted(left))}."
        return Sizing(
            styles.value_sizes(values, degrees),
            note,
            f"Line width of FUNDS: the amount converted to {rates.base}, relative to the largest.",
        )
    per_currency = {n: _largest_per_currency(roles) for n, roles in money.items()}
    currency = styles.sizing_currency(per_currency)
    if currency is None:
        return Sizing(styles.node_sizes({}, degrees, None), "Size: number of links.")
    note = (
        f"Size: money in {currency} (given, received or required); nodes without "
        f"{currency} amounts are sized by their number of links. Currencies are never added."
    )
    return Sizing(styles.node_sizes(per_currency, degrees, currency), note)


def _add_nodes(
    net: Network,
    G: nx.MultiDiGraph,
    ids: list[str],
    lines: dict[str, list[str]],
    styled: dict[str, dict[str, Any]],
    placed: layout.Positions,
    force: layout.Positions | None,
    money: dict[str, dict[str, dict[str, float]]],
    marks: Highlights,
    ranks: tuple[dict[str, int], dict[str, int]],
) -> tuple[dict[str, list[tuple[str, str]]], list[str]]:
    """Nodes with position, style, tooltip, facets and search text; returns the facets and texts shown."""
    texts: list[str] = []
    facets: dict[str, dict[str, str]] = {"pillar": {}, "country": {}}
    rank, tier = ranks
    labels = {n: " ".join(lines[n]) for n in ids}
    shorter = describe.short_forms(lines)
    for n in ids:
        data = G.nodes[n]
        tip = describe.node_tip(G, n, money.get(n, {}), marks.notes(n))
        pillars, countries = describe.pillars(G, n), describe.countries(G, n)
        for key, found in (("pillar", pillars), ("country", countries)):
            facets[key].update((f, labels[f]) for f in found)
        options = {
            **styled[n],
            "x": placed[n][0],
            "y": placed[n][1],
            "lines": lines[n],
            **({"short": shorter[n]} if n in shorter else {}),
            "rank": rank[n],
            "story": tier[n] <= 2,
            "tip": tip,
            "type": data.get("type", ""),
            "pillars": pillars,
            "countries": countries,
            "search": describe.node_search(data),
        }
        if force is not None:
            options["fx"], options["fy"] = force[n]
        if data.get("type") in PERIOD_FIELDS:
            options["period"] = describe.active_period(data) or False
        if data.get("cycle"):
            options["cycle"] = str(data["cycle"])
        shape = options.pop("shape")
        # pyvis's add_node checks membership in a list (quadratic); ids of a graph are unique already.
        net.nodes.append(VisNode(n, shape, label=labels[n], **options).options)
        net.node_ids.append(n)
        net.node_map[n] = net.nodes[-1]
        texts += [labels[n], tip]
    ordered = {k: sorted(v.items(), key=lambda kv: (kv[1].casefold(), kv[0])) for k, v in facets.items()}
    return ordered, texts


def _add_edges(
    net: Network, G: nx.MultiDiGraph, labels: dict[str, str], marks: Highlights, rates: Rates | None
) -> list[str]:
    """Edges with colour, width (amount or weight), arrow and tooltip; returns the tooltips.

    Maps over :data:`LARGE` nodes draw their edges in the page, without hover: their tooltips are
    left out of the file.
    """
    edges = sorted(G.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2])))
    large = G.number_of_nodes() > LARGE
    amounts: dict[Any, tuple[float, str]] = {}
    for i, (*_, d) in enumerate(edges):
        if d.get("amount") is None or not d.get("currency"):
            continue
        amount, currency = float(d["amount"]), str(d["currency"])
        if rates is not None and rates.covers(currency):
            amount, currency = amount * rates.latest[currency].rate, rates.base
        amounts[i] = (amount, currency)
    widths = styles.edge_widths(amounts)
    heaviest = max((float(d.get("weight") or 0) for *_, d in edges), default=0.0)
    shown = None if marks.keep is None else marks.keep | marks.focus
    tips = []
    for i, (u, v, _, d) in enumerate(edges):
        kind = d.get("type", "")
        ident = (kind, u, v, d.get("key", ""))
        width = widths.get(i) or (
            styles.scaled(float(d["weight"]), heaviest, styles.AMOUNT_WIDTH)
            if d.get("weight")
            else styles.PLAIN_WIDTH
        )
        colour = styles.edge_colour(kind)
        marked = ident in marks.overlap_edges
        if marked:
            colour, width = styles.OVERLAP_COLOUR, max(width, 6.0)
        elif shown is not None and not {u, v} <= shown:
            colour = styles.FADED["border"]
        tip = describe.edge_tip(
            G, {**d, "source": u, "target": v}, marks.overlap_edges.get(ident, []), labels
        )
        extra: dict[str, Any] = {"mark": "overlap"} if marked else {}
        if not large:
            extra["tip"] = tip
        if kind not in EDGE_TYPES:  # a line drawn by a view (co-funding), not a stored edge: no arrow
            extra["arrows"] = {"to": {"enabled": False}}
        net.edges.append(
            {
                "from": u,
                "to": v,
                "id": f"e{i}",
                "width": width,
                "type": kind,
                "color": {"color": colour},
            }
            | extra
        )
        tips.append(tip)
    return tips


def build_network(
    G: nx.MultiDiGraph,
    marks: Highlights | None = None,
    *,
    seed: int = 7,
    max_nodes: int | None = MAX_NODES,
    money: dict[str, dict[str, dict[str, float]]] | None = None,
    size_by: str = "money",
    rates: Rates | None = None,
    grouped: bool = False,
) -> MapModel:
    """The map of ``G`` with ``marks``: a pyvis network with positions, styles and plain-text tips.

    Parameters
    ----------
    G : nx.MultiDiGraph
        Nodes and edges as the store gives them (records as attributes); not modified.
    marks : Highlights, optional
        Overlaps, gaps, focus and context from the analyses.
    seed : int
        Layout seed: the same graph and seed give the same positions.
    max_nodes : int or None
        Refuse larger graphs with ``InvalidInputError`` (``None``: no limit).
    money : dict, optional
        Money per node and role; computed from ``G``'s FUNDS edges and needs when not given.
    size_by : str
        What node sizes follow: ``money`` (in one currency, or converted with ``rates``),
        ``count`` (projects funded, projects addressing, needs addressed) or ``links``.
    rates : Rates, optional
        Stated conversion rates: sizes and FUNDS widths in their base currency.
    grouped : bool
        Place the nodes in the partner × pillar grid of :mod:`visual.groups` (the network layout
        stays one click away in the page); ``False``: the network layout only.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("country:xk", type="Country", name="Kosovo", code="XK", sources=["s"])
    >>> G.add_node("need:a", type="Need", name="Radars", sources=["s"])
    >>> _ = G.add_edge("need:a", "country:xk", type="STATED_BY", source="need:a", target="country:xk")
    >>> model = build_network(G)
    >>> sorted(n["label"] for n in model.network.nodes), model.names_kosovo
    (['Kosovo*', 'Radars'], True)
    """
    marks = marks or Highlights()
    check_size(G, max_nodes)
    money = describe.node_money(G) if money is None else money
    degrees = _degrees(G)
    sized = sizing(G, money, degrees, size_by, rates)
    sizes = sized.sizes

    ids = sorted(G.nodes)
    lines = describe.map_labels(G, ids)
    labels = {n: " ".join(lines[n]) for n in ids}
    funded = _funded(G)
    ranks = _ranks(G, ids, marks, sizes, degrees, funded)
    styled = {n: _node_style(G.nodes[n].get("type", ""), n, marks, sizes[n]) for n in ids}
    boxes = {n: _label_box(lines[n], styled[n]["shape"], sizes[n], ranks[1][n] <= 2) for n in ids}
    force = layout.positions(G, boxes, seed=seed)
    grid = None
    placed = force
    if grouped:
        donors = sorted(funded, key=lambda n: (-funded[n], ranks[0].get(n, 0), n))
        grid = groups.grid(G, groups.places(G, ranks[0], donors), labels)
        placed = grid.positions

    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line")
    facets, texts = _add_nodes(
        net, G, ids, lines, styled, placed, force if grouped else None, money, marks, ranks
    )
    texts += _add_edges(net, G, labels, marks, rates)
    net.options = _options(len(ids))

    legend = build_legend(
        Counter(G.nodes[n].get("type", "") for n in ids),
        Counter(t for *_, t in G.edges(data="type")),
        overlaps=bool(marks.overlap_nodes),
        gaps={kind for kind, _ in marks.gap_nodes.values()},
        focus=bool(marks.focus),
        faded=marks.keep is not None,
        size_note=sized.note,
        width_note=sized.width_note,
        demo=any(G.nodes[n].get("demo") for n in ids),
    )
    texts += [e.label for e in legend.nodes] + [name for pairs in facets.values() for _, name in pairs]
    return MapModel(
        network=net, legend=legend, facets=facets, texts=texts, grid=grid.as_json() if grid else None
    )
