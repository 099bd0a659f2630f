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
from pyvis.edge import Edge as VisEdge
from pyvis.network import Network
from pyvis.node import Node as VisNode

from graph_schema.registry import EDGE_TYPES
from kb.errors import InvalidInputError
from kb.presentation import names_kosovo
from visual import describe, layout, styles
from visual.highlight import Highlights
from visual.legend import Legend, build_legend

#: Larger selections are refused: a browser would take too long to draw them.
MAX_NODES = 5000
#: Above this many nodes, edges are hidden while dragging or zooming.
LARGE = 1000
#: Labels wrap at this width (pixels at zoom 1).
LABEL_WIDTH = 220


@dataclass
class MapModel:
    """A styled network and what the page shows around it."""

    network: Network
    legend: Legend
    facets: dict[str, list[tuple[str, str]]]
    texts: list[str] = field(default_factory=list)

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


def _label_box(text: str, shape: str, size: float, font: int) -> tuple[float, float, float]:
    """Estimated width, height and downward offset of the room a node and its label take.

    Labels drawn below a symbol shift the room down; labels too small to be drawn at first
    sight take no room.
    """
    width = min(len(text) * font * 0.62, LABEL_WIDTH)
    lines = max(1, -(-len(text) * font * 0.62 // LABEL_WIDTH))
    if shape in styles.LABEL_INSIDE:
        return width + 24, lines * font * 1.2 + 20, 0.0
    if font < styles.FONT_RANGE[0]:
        return 2 * size, 2 * size, 0.0
    below = lines * font * 1.2 + 6
    return max(width, 2 * size), 2 * size + below, below / 2


def _labelled(
    ids: list[str], sizes: dict[str, float], degrees: dict[str, int], marks: Highlights
) -> set[str]:
    """The nodes labelled at first sight: marked ones first, then the largest, the best linked;
    never faded context."""
    marked = set(marks.overlap_nodes) | set(marks.gap_nodes) | marks.focus
    shown = [n for n in ids if marks.keep is None or n in marks.keep or n in marks.focus]
    ranked = sorted(shown, key=lambda n: (n not in marked, -sizes[n], -degrees[n], n))
    return set(ranked[: styles.LABELS_AT_FIT])


def _node_style(kind: str, node: str, marks: Highlights, size: float, labelled: bool) -> dict[str, Any]:
    colour, shape, border, border_width = styles.node_colour(kind), styles.node_shape(kind), None, 2
    if node in marks.gap_nodes:
        gap_kind = marks.gap_nodes[node][0]
        colour = styles.UNDERFUNDED_COLOUR if gap_kind == "underfunded" else styles.GAP_COLOUR
        shape, border, border_width = styles.GAP_SHAPE, "#000000", 4
    faded = marks.keep is not None and node not in marks.keep and node not in marks.focus
    if faded:
        fill, border = styles.FADED["background"], styles.FADED["border"]
    else:
        fill, border = colour, border or _darker(colour)
    if node in marks.overlap_nodes:
        border, border_width = styles.OVERLAP_COLOUR, 8
    if node in marks.focus:
        border, border_width = styles.FOCUS_COLOUR, 8
    font_size = styles.font_size(size) if labelled else styles.SMALL_FONT
    if shape in styles.LABEL_INSIDE:
        font = {
            "size": font_size,
            "color": styles.FADED_TEXT if faded else styles.text_colour(fill),
            "strokeWidth": 0,
        }
    else:
        font = {"size": font_size, "color": styles.FADED_TEXT if faded else "#111111"}
    return {
        "shape": shape,
        "size": size,
        "borderWidth": border_width,
        "font": font,
        "color": {
            "background": fill,
            "border": border,
            "highlight": {"background": fill, "border": "#000000"},
            "hover": {"background": fill, "border": "#000000"},
        },
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
            "font": {
                "face": styles.FONT_FACE,
                "size": styles.SMALL_FONT,
                "color": "#111111",
                "strokeWidth": 6,
                "strokeColor": "#ffffff",
            },
            "widthConstraint": {"maximum": LABEL_WIDTH},
            "scaling": {
                "label": {"enabled": False, "drawThreshold": styles.DRAW_THRESHOLD, "maxVisible": 64}
            },
            "shapeProperties": {"interpolation": False},
        },
        "edges": {
            "smooth": False,
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


def _add_nodes(
    net: Network,
    G: nx.MultiDiGraph,
    ids: list[str],
    labels: dict[str, str],
    styled: dict[str, dict[str, Any]],
    placed: layout.Positions,
    money: dict[str, dict[str, dict[str, float]]],
    marks: Highlights,
) -> tuple[dict[str, list[tuple[str, str]]], list[str]]:
    """Nodes with position, style, tooltip, facets and search text; returns the facets and texts shown."""
    texts: list[str] = []
    facets: dict[str, dict[str, str]] = {"pillar": {}, "country": {}}
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
            "tip": tip,
            "type": data.get("type", ""),
            "pillars": pillars,
            "countries": countries,
            "search": describe.node_search(data),
        }
        shape = options.pop("shape")
        # pyvis's add_node checks membership in a list (quadratic); ids of a graph are unique already.
        net.nodes.append(VisNode(n, shape, label=labels[n], **options).options)
        net.node_ids.append(n)
        net.node_map[n] = net.nodes[-1]
        texts += [labels[n], tip]
    ordered = {k: sorted(v.items(), key=lambda kv: (kv[1].casefold(), kv[0])) for k, v in facets.items()}
    return ordered, texts


def _add_edges(net: Network, G: nx.MultiDiGraph, labels: dict[str, str], marks: Highlights) -> list[str]:
    """Edges with colour, width (amount or weight), arrow and tooltip; returns the tooltips."""
    edges = sorted(G.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2])))
    widths = styles.edge_widths(
        {
            i: (float(d["amount"]), d["currency"])
            for i, (*_, d) in enumerate(edges)
            if d.get("amount") is not None and d.get("currency")
        }
    )
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
        if ident in marks.overlap_edges:
            colour, width = styles.OVERLAP_COLOUR, max(width, 6.0)
        elif shown is not None and not {u, v} <= shown:
            colour = styles.FADED["border"]
        tip = describe.edge_tip(
            G, {**d, "source": u, "target": v}, marks.overlap_edges.get(ident, []), labels
        )
        net.edges.append(
            VisEdge(
                u,
                v,
                directed=True,
                id=f"e{i}",
                width=width,
                tip=tip,
                type=kind,
                arrows={"to": {"enabled": kind in EDGE_TYPES}},
                color={"color": colour, "highlight": "#000000", "hover": "#000000"},
            ).options
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
    sizing = {n: _largest_per_currency(roles) for n, roles in money.items()}
    currency = styles.sizing_currency(sizing)
    degrees = _degrees(G)
    sizes = styles.node_sizes(sizing, degrees, currency)

    ids = sorted(G.nodes)
    labels = {n: describe.label(G.nodes[n]) for n in ids}
    # A shape drawing its label inside is as large as the label: labelled unless faded.
    labelled = _labelled(ids, sizes, degrees, marks) | {
        n
        for n in ids
        if styles.node_shape(G.nodes[n].get("type", "")) in styles.LABEL_INSIDE
        and (marks.keep is None or n in marks.keep)
    }
    styled = {n: _node_style(G.nodes[n].get("type", ""), n, marks, sizes[n], n in labelled) for n in ids}
    boxes = {n: _label_box(labels[n], styled[n]["shape"], sizes[n], styled[n]["font"]["size"]) for n in ids}
    placed = layout.positions(G, boxes, seed=seed)

    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line")
    facets, texts = _add_nodes(net, G, ids, labels, styled, placed, money, marks)
    texts += _add_edges(net, G, labels, marks)
    net.options = _options(len(ids))

    legend = build_legend(
        Counter(G.nodes[n].get("type", "") for n in ids),
        Counter(t for *_, t in G.edges(data="type")),
        overlaps=bool(marks.overlap_nodes),
        gaps={kind for kind, _ in marks.gap_nodes.values()},
        focus=bool(marks.focus),
        faded=marks.keep is not None,
        currency=currency,
        money_sized=bool(currency),
        demo=any(G.nodes[n].get("demo") for n in ids),
    )
    texts += [e.label for e in legend.nodes] + [name for pairs in facets.values() for _, name in pairs]
    return MapModel(network=net, legend=legend, facets=facets, texts=texts)
