"""The maps users ask for, each a pure function of a graph: overview, one pillar, one partner,
a donor's ego network, one need, overlaps, gaps and the donor–donor co-funding network.

Each takes the graph and the analyses' results (:mod:`kb.questions.maps` gathers both from a
store) and returns the styled :class:`~visual.network.MapModel` and the
:class:`~visual.page.MapPage` around it; :func:`draw` draws a gathered view. Nothing here opens a
store or runs an analysis.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import networkx as nx

from graph_schema import MAPPED_TYPES
from kb.analysis.models import CoFunders, CofundingPair, Coverage, WhoFunds
from kb.analysis.money import Rates
from kb.errors import InvalidInputError
from kb.presentation import amounts_text, display
from kb.questions.maps import Findings, MapData
from kb.tables import joint_text
from visual import story
from visual.describe import label, node_money
from visual.highlight import Highlights, from_gaps, from_overlaps
from visual.network import MAX_NODES, MapModel, build_network, check_size
from visual.page import MapPage
from visual.styles import COFUNDING_EDGE

Map = tuple[MapModel, MapPage]


@dataclass(frozen=True)
class Drawing:
    """How a view is drawn, as ``kb map`` and ``/maps`` options say.

    ``size_by``: see :func:`visual.network.sizing` (``kb map`` defaults to ``count``); ``rates``:
    stated conversion rates; ``present``: open in presenter mode; ``grouped``: the partner ×
    pillar grid (``None``: the view's own choice); ``coverage``: the partner × pillar table the
    presenter's sequence ends with; ``timeline``: where the timeline starts (``from``, ``to``,
    ``cycle``).
    """

    size_by: str = "money"
    rates: Rates | None = None
    present: bool = False
    grouped: bool | None = None
    coverage: Coverage | None = None
    timeline: tuple[tuple[str, str], ...] = ()


def _drawn(
    G: nx.MultiDiGraph,
    marks: Highlights,
    page: MapPage,
    found: Findings,
    drawing: Drawing | None,
    *,
    grouped: bool,
    max_nodes: int | None = MAX_NODES,
    money: dict | None = None,
) -> Map:
    """The network of ``G`` and its page, with the presenter's sequence and the timeline's start."""
    d = drawing or Drawing()
    model = build_network(
        G,
        marks,
        max_nodes=max_nodes,
        money=money,
        size_by=d.size_by,
        rates=d.rates,
        grouped=grouped if d.grouped is None else d.grouped,
    )
    page.finding_keys = list(marks.keys)
    page.finding_keys += [{}] * (len(page.findings) - len(page.finding_keys))
    offset = len(page.findings) - len(found.overlaps) - len(found.gaps)
    steps = story.steps(G, page.title, found.overlaps, found.gaps, d.coverage)
    for step in steps:
        if "finding" in step:
            step["finding"] += max(offset, 0)
    page.steps = steps
    page.coverage = story.coverage_table(d.coverage) if d.coverage is not None else None
    page.present = d.present
    page.timeline_start = dict(d.timeline)
    return model, page


def _check_drawable(G: nx.MultiDiGraph, max_nodes: int | None = MAX_NODES) -> None:
    """Refuse an empty selection or one too large to draw, before the analyses run."""
    if G.number_of_nodes() == 0:
        raise InvalidInputError("the selection is empty: no need or project matches these filters")
    check_size(G, max_nodes)


def _analysed(found: Findings) -> Highlights:
    return from_overlaps(found.overlaps) | from_gaps(found.gaps)


def _page(
    title: str,
    marks: Highlights,
    filters: list[str],
    data_date: str | None,
    subtitle: str | None = None,
    findings_title: str = "Overlaps and gaps",
) -> MapPage:
    return MapPage(
        title=title,
        filters=filters,
        data_date=data_date,
        subtitle=subtitle,
        findings_title=findings_title,
        findings=marks.findings,
    )


def _name(G: nx.MultiDiGraph, node: str) -> str:
    return display(G.nodes[node].get("name", node))


def support_part(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Needs, projects and what touches them (the support mapping): no events, documents or people
    unless linked to a need or project.

    >>> G = nx.MultiDiGraph([("project:p", "need:n"), ("event:e", "doc:d")])
    >>> types = {"project:p": "Project", "need:n": "Need", "event:e": "Event", "doc:d": "Document"}
    >>> nx.set_node_attributes(G, types, "type")
    >>> sorted(support_part(G))
    ['need:n', 'project:p']
    """
    core = {n for n, t in G.nodes(data="type") if t in MAPPED_TYPES}
    keep = set(core)
    for n in core:
        keep.update(G.predecessors(n))
        keep.update(G.successors(n))
    return G.subgraph(keep).copy()


def overview(
    G: nx.MultiDiGraph,
    found: Findings | None = None,
    *,
    title: str = "IISG knowledge base: overview",
    focus: Iterable[str] = (),
    filters: list[str] | None = None,
    data_date: str | None = None,
    max_nodes: int | None = MAX_NODES,
    drawing: Drawing | None = None,
) -> Map:
    """Everything selected, ``found`` overlaps and gaps marked; ``focus`` (a pillar, a partner) ringed.

    Laid out in the partner × pillar grid, the network layout one click away in the page.
    """
    _check_drawable(G, max_nodes)
    found = found or Findings()
    marks = _analysed(found)
    marks.focus = {f for f in focus if f in G}
    page = _page(title, marks, filters or [], data_date)
    return _drawn(G, marks, page, found, drawing, grouped=True, max_nodes=max_nodes)


def donor(
    G: nx.MultiDiGraph,
    donor_id: str,
    found: Findings | None = None,
    cofunded: CoFunders | None = None,
    *,
    filters: list[str] | None = None,
    data_date: str | None = None,
    drawing: Drawing | None = None,
) -> Map:
    """A donor's ego network: what it funds, the needs those projects address, who else funds them."""
    _check_drawable(G)
    if donor_id not in G:
        raise InvalidInputError(f"'{donor_id}' funds no project in this selection")
    found = found or Findings()
    marks = _analysed(found)
    marks.focus = {donor_id}
    needs = cofunded.needs if cofunded else []
    marks.findings = [
        f"{display(n.need.name)}: also funded by "
        + (", ".join(sorted({display(line.actor.label) for line in n.others})) or "nobody else")
        for n in needs
    ] + marks.findings
    marks.keys = [{"all": [n.need.id]} for n in needs] + marks.keys
    title = f"{label(G.nodes[donor_id])}: what it funds, and who else funds the same needs"
    page = _page(title, marks, filters or [], data_date, findings_title="Needs it funds, and who else does")
    return _drawn(G, marks, page, found, drawing, grouped=False)


def need(
    G: nx.MultiDiGraph,
    need_id: str,
    result: WhoFunds,
    found: Findings | None = None,
    *,
    filters: list[str] | None = None,
    data_date: str | None = None,
    drawing: Drawing | None = None,
) -> Map:
    """One need, the projects addressing it, and everyone funding or implementing them (``result``)."""
    _check_drawable(G)
    found = found or Findings()
    marks = _analysed(found)
    marks.focus = {need_id}
    lines = [
        f"{display(line.actor.label)} {'funds' if line.role == 'funder' else 'implements'} "
        f"{display(line.project.name)}"
        + (f": {amounts_text(line.amounts)}" if line.amounts else "")
        + (f" ({joint_text(line)})" if line.joint else "")
        for line in result.lines
    ]
    marks.findings = lines + marks.findings
    marks.keys = [{"all": [line.actor.id, line.project.id]} for line in result.lines] + marks.keys
    subtitle = (
        f"Required: {amounts_text(result.required, empty='not stated')}; funded: "
        f"{amounts_text(result.totals, empty='no stated amount')}"
    )
    page = _page(
        f"Who funds “{_name(G, need_id)}”",
        marks,
        filters or [],
        data_date,
        subtitle=subtitle,
        findings_title="Who funds it",
    )
    return _drawn(G, marks, page, found, drawing, grouped=False)


def overlaps(
    G: nx.MultiDiGraph,
    found: Findings | None = None,
    *,
    filters: list[str] | None = None,
    data_date: str | None = None,
    drawing: Drawing | None = None,
) -> Map:
    """The support mapping with the overlap clusters of ``found`` marked and everything else faded."""
    G = support_part(G)
    _check_drawable(G)
    listed = (found or Findings()).overlaps
    marks = from_overlaps(listed)
    marks.keep = set(marks.overlap_nodes) | {c.id for o in listed for c in o.countries}
    subtitle = f"{len(listed)} overlap(s): distinct donors on the same need (or context) at the same time"
    page = _page(
        "Overlaps: possible duplication",
        marks,
        filters or [],
        data_date,
        subtitle=subtitle,
        findings_title="Overlaps, most pressing first",
    )
    return _drawn(G, marks, page, Findings(overlaps=listed), drawing, grouped=True)


def gaps(
    G: nx.MultiDiGraph,
    found: Findings | None = None,
    *,
    filters: list[str] | None = None,
    data_date: str | None = None,
    drawing: Drawing | None = None,
) -> Map:
    """The support mapping with the needs of ``found`` nobody answers flagged, their surroundings kept."""
    G = support_part(G)
    _check_drawable(G)
    listed = (found or Findings()).gaps
    marks = from_gaps(listed)
    flagged = set(marks.gap_nodes)
    marks.keep = flagged | {m for n in flagged if n in G for m in (*G.predecessors(n), *G.successors(n))}
    counts = {
        kind: sum(g.kind == kind for g in listed) for kind in ("unaddressed", "underfunded", "empty_cell")
    }
    subtitle = (
        f"{counts['unaddressed']} need(s) nobody addresses, {counts['underfunded']} underfunded, "
        f"{counts['empty_cell']} empty partner × pillar cell(s)"
    )
    page = _page(
        "Gaps: needs without a response",
        marks,
        filters or [],
        data_date,
        subtitle=subtitle,
        findings_title="Gaps, most pressing first",
    )
    return _drawn(G, marks, page, Findings(gaps=listed), drawing, grouped=True)


def cofunding_graph(G: nx.MultiDiGraph, pairs: list[CofundingPair]) -> nx.MultiDiGraph:
    """Donors as nodes (their records from ``G``), one edge per pair funding projects on the same needs."""
    D = nx.MultiDiGraph()
    for pair in pairs:
        a, b = (d.id for d in pair.donors)
        D.add_node(a, **G.nodes[a])
        D.add_node(b, **G.nodes[b])
        D.add_edge(
            a,
            b,
            key=COFUNDING_EDGE,
            type=COFUNDING_EDGE,
            source=a,
            target=b,
            weight=pair.weight,
            needs=[n.name for n in pair.needs],
            sources=sorted({f"analysis: funds projects addressing {n.id}" for n in pair.needs}),
        )
    return D


def cofunding_map(
    G: nx.MultiDiGraph,
    pairs: list[CofundingPair],
    *,
    filters: list[str] | None = None,
    data_date: str | None = None,
    drawing: Drawing | None = None,
) -> Map:
    """The donor–donor network of ``pairs``: who funds the same needs as whom (line width: how many)."""
    D = cofunding_graph(G, pairs)
    if D.number_of_nodes() == 0:
        raise InvalidInputError("no two donors fund projects on the same need in this selection")
    money = {
        n: {"given": roles["given"]} for n, roles in node_money(G).items() if n in D and "given" in roles
    }
    ranked = sorted(D.edges(data=True), key=lambda e: (-e[2]["weight"], e[0], e[1]))
    marks = Highlights(
        findings=[
            f"{label(G.nodes[u])} and {label(G.nodes[v])}: {d['weight']} shared need(s)" for u, v, d in ranked
        ],
        keys=[{"all": [u, v]} for u, v, _ in ranked],
    )
    page = _page(
        "Co-funding: donors funding the same needs",
        marks,
        filters or [],
        data_date,
        subtitle=f"{D.number_of_nodes()} donors, {D.number_of_edges()} pairs",
        findings_title="Pairs, most shared needs first",
    )
    if drawing is not None and drawing.size_by == "count":
        drawing = replace(drawing, size_by="links")  # donors alone: sized by how many they co-fund with
    return _drawn(D, marks, page, Findings(), drawing, grouped=False, money=money)


def draw(
    data: MapData,
    *,
    max_nodes: int | None = MAX_NODES,
    size_by: str = "count",
    present: bool = False,
    grouped: bool | None = None,
) -> Map:
    """The map of a view gathered by :mod:`kb.questions.maps`, drawn as ``kb map`` draws it: sized by
    ``size_by`` (``count`` unless told; ``money`` is converted with the view's rates when it has
    them), in presenter mode when ``present``."""
    timeline = tuple(
        (k, v)
        for k, v in (
            ("from", data.window.start.isoformat() if data.window and data.window.start else ""),
            ("to", data.window.end.isoformat() if data.window and data.window.end else ""),
            ("cycle", data.cycle or ""),
        )
        if v
    )
    drawing = Drawing(
        size_by=size_by,
        rates=data.rates,
        present=present,
        grouped=grouped,
        coverage=data.coverage,
        timeline=timeline,
    )
    header = {"filters": data.words, "data_date": data.data_date, "drawing": drawing}
    if data.view in ("overview", "pillar", "partner"):
        title = {"title": data.title} if data.title else {}
        return overview(data.graph, data.found, focus=data.focus, max_nodes=max_nodes, **title, **header)
    if data.view == "donor":
        return donor(data.graph, data.subject or "", data.found, data.co_funders, **header)
    if data.view == "need":
        assert data.who_funds is not None
        return need(data.graph, data.subject or "", data.who_funds, data.found, **header)
    if data.view == "overlaps":
        return overlaps(data.graph, data.found, **header)
    if data.view == "gaps":
        return gaps(data.graph, data.found, **header)
    return cofunding_map(data.graph, data.pairs, **header)
