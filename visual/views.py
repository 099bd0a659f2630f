"""The maps users ask for, each a pure function of a graph: overview, one pillar, one partner,
a donor's ego network, one need, overlaps, gaps and the donor–donor co-funding network.

Each takes the graph and the analyses' results (:mod:`kb.questions.maps` gathers both from a
store) and returns the styled :class:`~visual.network.MapModel` and the
:class:`~visual.page.MapPage` around it; :func:`draw` draws a gathered view. Nothing here opens a
store or runs an analysis.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from graph_schema import MAPPED_TYPES
from kb.analysis.models import CoFunders, CofundingPair, WhoFunds
from kb.errors import InvalidInputError
from kb.presentation import amounts_text, display
from kb.questions.maps import Findings, MapData
from kb.tables import joint_text
from visual.describe import label, node_money
from visual.highlight import Highlights, from_gaps, from_overlaps
from visual.network import MAX_NODES, MapModel, build_network, check_size
from visual.page import MapPage
from visual.styles import COFUNDING_EDGE

Map = tuple[MapModel, MapPage]


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
) -> Map:
    """Everything selected, ``found`` overlaps and gaps marked; ``focus`` (a pillar, a partner) ringed."""
    _check_drawable(G, max_nodes)
    marks = _analysed(found or Findings())
    marks.focus = {f for f in focus if f in G}
    return build_network(G, marks, max_nodes=max_nodes), _page(title, marks, filters or [], data_date)


def donor(
    G: nx.MultiDiGraph,
    donor_id: str,
    found: Findings | None = None,
    cofunded: CoFunders | None = None,
    *,
    filters: list[str] | None = None,
    data_date: str | None = None,
) -> Map:
    """A donor's ego network: what it funds, the needs those projects address, who else funds them."""
    _check_drawable(G)
    if donor_id not in G:
        raise InvalidInputError(f"'{donor_id}' funds no project in this selection")
    marks = _analysed(found or Findings())
    marks.focus = {donor_id}
    marks.findings = [
        f"{display(n.need.name)}: also funded by "
        + (", ".join(sorted({display(line.actor.label) for line in n.others})) or "nobody else")
        for n in (cofunded.needs if cofunded else [])
    ] + marks.findings
    title = f"{label(G.nodes[donor_id])}: what it funds, and who else funds the same needs"
    return build_network(G, marks), _page(
        title, marks, filters or [], data_date, findings_title="Needs it funds, and who else does"
    )


def need(
    G: nx.MultiDiGraph,
    need_id: str,
    result: WhoFunds,
    found: Findings | None = None,
    *,
    filters: list[str] | None = None,
    data_date: str | None = None,
) -> Map:
    """One need, the projects addressing it, and everyone funding or implementing them (``result``)."""
    _check_drawable(G)
    marks = _analysed(found or Findings())
    marks.focus = {need_id}
    lines = [
        f"{display(line.actor.label)} {'funds' if line.role == 'funder' else 'implements'} "
        f"{display(line.project.name)}"
        + (f": {amounts_text(line.amounts)}" if line.amounts else "")
        + (f" ({joint_text(line)})" if line.joint else "")
        for line in result.lines
    ]
    marks.findings = lines + marks.findings
    subtitle = (
        f"Required: {amounts_text(result.required, empty='not stated')}; funded: "
        f"{amounts_text(result.totals, empty='no stated amount')}"
    )
    return build_network(G, marks), _page(
        f"Who funds “{_name(G, need_id)}”",
        marks,
        filters or [],
        data_date,
        subtitle=subtitle,
        findings_title="Who funds it",
    )


def overlaps(
    G: nx.MultiDiGraph,
    found: Findings | None = None,
    *,
    filters: list[str] | None = None,
    data_date: str | None = None,
) -> Map:
    """The support mapping with the overlap clusters of ``found`` marked and everything else faded."""
    G = support_part(G)
    _check_drawable(G)
    listed = (found or Findings()).overlaps
    marks = from_overlaps(listed)
    marks.keep = set(marks.overlap_nodes) | {c.id for o in listed for c in o.countries}
    subtitle = f"{len(listed)} overlap(s): distinct donors on the same need (or context) at the same time"
    return build_network(G, marks), _page(
        "Overlaps: possible duplication",
        marks,
        filters or [],
        data_date,
        subtitle=subtitle,
        findings_title="Overlaps, most pressing first",
    )


def gaps(
    G: nx.MultiDiGraph,
    found: Findings | None = None,
    *,
    filters: list[str] | None = None,
    data_date: str | None = None,
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
    return build_network(G, marks), _page(
        "Gaps: needs without a response",
        marks,
        filters or [],
        data_date,
        subtitle=subtitle,
        findings_title="Gaps, most pressing first",
    )


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
) -> Map:
    """The donor–donor network of ``pairs``: who funds the same needs as whom (line width: how many)."""
    D = cofunding_graph(G, pairs)
    if D.number_of_nodes() == 0:
        raise InvalidInputError("no two donors fund projects on the same need in this selection")
    money = {
        n: {"given": roles["given"]} for n, roles in node_money(G).items() if n in D and "given" in roles
    }
    marks = Highlights(
        findings=[
            f"{label(G.nodes[u])} and {label(G.nodes[v])}: {d['weight']} shared need(s)"
            for u, v, d in sorted(D.edges(data=True), key=lambda e: (-e[2]["weight"], e[0], e[1]))
        ]
    )
    page = _page(
        "Co-funding: donors funding the same needs",
        marks,
        filters or [],
        data_date,
        subtitle=f"{D.number_of_nodes()} donors, {D.number_of_edges()} pairs",
        findings_title="Pairs, most shared needs first",
    )
    return build_network(D, marks, money=money), page


def draw(data: MapData, *, max_nodes: int | None = MAX_NODES) -> Map:
    """The map of a view gathered by :mod:`kb.questions.maps`."""
    header = {"filters": data.words, "data_date": data.data_date}
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
