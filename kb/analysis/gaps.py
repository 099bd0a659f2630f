"""Gaps: needs nobody answers, needs answered with too little money, and empty cells.

- **unaddressed**: no project *answers* the need: none ADDRESSES it while active during the
  need's period (see :func:`kb.analysis.links.responses`). A need addressed only by a
  cancelled project, or only by projects that ended before its period, is unaddressed.
- **underfunded**: the need states a required amount and the answering projects bring less
  in that currency. The shortfall is per currency; funding in other currencies is listed as
  *uncounted* unless ``rates`` convert it (then the comparison is made in the base currency).
  A project answering several needs counts in full for each, so the shortfall is a lower bound.
- **empty_cell**: a WB partner × pillar cell that has needs and no response at all: no
  project answers any of its needs and no active project of that pillar targets the partner.

Ranking: need priority (high first; a cell takes its highest), then empty cells, unaddressed,
underfunded, then the larger shortfall, then ids.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter

import networkx as nx

from graph_schema import PRIORITY_RANK
from kb.analysis.found import Found
from kb.analysis.kinds import KINDS
from kb.analysis.links import (
    Facts,
    addressing_projects,
    in_edges,
    need_evidence,
    nodes_of,
    pillars_of,
    priority,
    required,
    why_not_answering,
)
from kb.analysis.models import Amounts, Gap, NeedGaps, NodeRef, Span
from kb.analysis.money import Rates, total
from kb.analysis.periods import from_days, window_days
from kb.graph import paused_gc

_KIND_RANK = {kind: rank for rank, kind in enumerate(KINDS)}


#: A gap found, before it is built: its rank key (:func:`rank_key`), then what builds it.
Plain = tuple


def _need_plain(
    G: nx.MultiDiGraph,
    facts: Facts,
    need: str,
    window: Span | None,
    rates: Rates | None,
    answered: dict[str, list[str]],
) -> Plain | None:
    """The need's own gap as a plain tuple ``(rank key, kind, need, start, end, answering, funded,
    shortfall, uncounted, converted)``, or ``None`` when it has none. A need inside the window
    goes into ``answered`` with the projects that answer it."""
    n_start, n_end = facts.stated_days(need)
    w_start, w_end = window_days(window)
    start, end = max(n_start, w_start), min(n_end, w_end)
    if start > end:
        return None
    data = G._node[need]
    needed = required(data)
    answering = answered[need] = facts.answering(need, (w_start, w_end))
    funded: Amounts = {}
    uncounted: Amounts = {}
    converted = None
    if answering:
        if not needed:
            return None
        funded = total(facts[p].amounts for p in answering)
        shortfall, uncounted, converted = _shortfall(needed, funded, rates)
        if not shortfall:
            return None
        kind, largest = "underfunded", max(shortfall.values())
    else:
        kind, shortfall, largest = "unaddressed", needed, 0.0
    rank = (
        PRIORITY_RANK[priority(data)],
        _KIND_RANK[kind],
        -largest,
        need,
        sorted(facts.countries(need)),
        sorted(pillars_of(G, need)),
    )
    return (rank, kind, need, start, end, answering, funded, shortfall, uncounted, converted)


def _need_gap(G: nx.MultiDiGraph, facts: Facts, plain: Plain) -> Gap:
    _, _, need, start, end, answering, funded, shortfall, uncounted, converted = plain
    data = G.nodes[need]
    needed = required(data)
    addressing = addressing_projects(G, need)
    addresses = in_edges(G, need, "ADDRESSES")
    common = {
        "priority": priority(data),
        "need": facts.ref(need),
        "countries": facts.refs(facts.countries(need)),
        "pillars": facts.refs(pillars_of(G, need)),
        "period": from_days(start, end),
        "projects": facts.refs(addressing),
        "required": needed,
    }
    if not answering:
        reason = (
            "no project addresses it"
            if not addressing
            else "; ".join(why_not_answering(G, facts, p, need) for p in addressing)
        )
        return Gap(
            kind="unaddressed",
            reason=reason,
            shortfall=shortfall,
            evidence=facts.evidence([*need_evidence(G, need), *addresses]),
            **common,
        )
    funding_edges = [e for p in answering for e in facts[p].funding_edges]
    ((currency, amount),) = needed.items()
    reason = f"requires {amount:,.0f} {currency}; answering projects bring " + (
        ", ".join(f"{v:,.0f} {c}" for c, v in funded.items()) or "no stated amount"
    )
    return Gap(
        kind="underfunded",
        reason=reason,
        funded=funded,
        shortfall=shortfall,
        uncounted=uncounted,
        converted=converted,
        evidence=facts.evidence([*need_evidence(G, need), *addresses, *funding_edges]),
        **common,
    )


def _build(G: nx.MultiDiGraph, facts: Facts) -> Callable[[Plain], Gap]:
    def build(plain: Plain) -> Gap:
        return plain[2] if plain[1] == "empty_cell" else _need_gap(G, facts, plain)

    return build


def _shortfall(needed: Amounts, funded: Amounts, rates: Rates | None) -> tuple[Amounts, Amounts, object]:
    """(shortfall, uncounted funding, converted funding) of one need; empty shortfall when covered."""
    ((currency, amount),) = needed.items()
    if rates is not None and rates.covers(currency):
        converted = rates.convert(funded)
        required_base = rates.convert(needed).total
        missing = required_base - converted.total
        return ({rates.base: missing} if missing > 0 else {}), converted.unconverted, converted
    missing = amount - funded.get(currency, 0.0)
    uncounted = {c: v for c, v in funded.items() if c != currency}
    return ({currency: missing} if missing > 0 else {}), uncounted, None


def _empty_cells(
    G: nx.MultiDiGraph, facts: Facts, window: Span | None, answered: dict[str, list[str]]
) -> list[Gap]:
    """The empty cells among the needs inside the window (``answered``: each with the projects
    that answer it)."""
    partners = {c for c in nodes_of(G, "Country") if G._node[c].get("wb_partner")}
    w_start, w_end = window_days(window)
    cells: dict[tuple[str, str], list[str]] = {}
    for need in answered:
        for country in facts.countries(need) & partners:
            for pillar in pillars_of(G, need):
                cells.setdefault((country, pillar), []).append(need)
    in_pillar: dict[str, set[str]] = {}
    gaps = []
    for (country, pillar), needs in sorted(cells.items()):
        if any(answered[n] for n in needs):
            continue
        if pillar not in in_pillar:
            in_pillar[pillar] = {
                e["source"]
                for e in in_edges(G, pillar, "IN_PILLAR")
                if G._node[e["source"]].get("type") == "Project"
            }
        targeting = {e["source"] for e in in_edges(G, country, "TARGETS")}
        if any(
            (active := facts[p].days) is not None and max(active[0], w_start) <= min(active[1], w_end)
            for p in in_pillar[pillar] & targeting
        ):
            continue
        best = min((priority(G.nodes[n]) for n in needs), key=PRIORITY_RANK.__getitem__)
        edges = [
            e
            for n in needs
            for e in need_evidence(G, n)
            if e["target"] in (country, pillar) or e["type"] == "RESPONSIBLE_FOR"
        ]
        gaps.append(
            Gap(
                kind="empty_cell",
                priority=best,
                needs=facts.refs(needs),
                countries=[facts.ref(country)],
                pillars=[facts.ref(pillar)],
                period=window or Span(),
                projects=facts.refs({p for n in needs for p in addressing_projects(G, n)}),
                reason=f"no response: none of its {len(needs)} need(s) is answered and no active "
                f"{facts.ref(pillar).label} project targets {facts.ref(country).name}",
                evidence=facts.evidence(edges),
            )
        )
    return gaps


def rank_key(g: Gap) -> tuple:
    largest = max(g.shortfall.values(), default=0.0) if g.kind == "underfunded" else 0.0
    return (
        PRIORITY_RANK[g.priority],
        _KIND_RANK[g.kind],
        -largest,
        g.need.id if g.need else "",
        [c.id for c in g.countries],
        [p.id for p in g.pillars],
    )


def gaps(G: nx.MultiDiGraph, *, window: Span | None = None, rates: Rates | None = None) -> Found[Gap]:
    """Every gap in ``G``, ranked (see the module docstring).

    Parameters
    ----------
    G : nx.MultiDiGraph
        A knowledge-base graph (``GraphStore.subgraph``), not modified.
    window : Span, optional
        Only this part of each need's period is considered (the ``--from``/``--to`` filter).
    rates : Rates, optional
        Stated conversion rates, to compare funding in other currencies with the required amount.

    Returns
    -------
    Found of Gap
        Ranked; each gap is built when first read (:mod:`kb.analysis.found`).

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("need:n", type="Need", name="Radars", priority="high",
    ...            required_amount=100, required_currency="EUR")
    >>> G.add_node("project:p", type="Project", name="Radars I", status="cancelled")
    >>> _ = G.add_edge("project:p", "need:n", type="ADDRESSES", source="project:p", target="need:n")
    >>> [(g.kind, g.need.id, g.reason) for g in gaps(G)]
    [('unaddressed', 'need:n', 'Radars I is cancelled')]
    >>> G.nodes["project:p"]["status"] = "implementation"
    >>> G.add_node("org:x", type="Organisation", name="X")
    >>> _ = G.add_edge("org:x", "project:p", type="FUNDS", source="org:x", target="project:p",
    ...                amount=60, currency="EUR")
    >>> [(g.kind, g.shortfall) for g in gaps(G)]
    [('underfunded', {'EUR': 40.0})]
    """
    with paused_gc():
        facts = Facts.of(G)
        answered: dict[str, list[str]] = {}
        found = [
            plain
            for n in nodes_of(G, "Need")
            if (plain := _need_plain(G, facts, n, window, rates, answered)) is not None
        ]
        found += [(rank_key(g), g.kind, g) for g in _empty_cells(G, facts, window, answered)]
        found.sort(key=itemgetter(0))
        return Found(found, _build(G, facts))


def per_need(found: list[Gap]) -> list[NeedGaps]:
    """The needs ``found`` names, each once with all its gap kinds, in the order of their first gap
    (so by rank); an empty cell counts for each of its needs.

    >>> need = NodeRef(id="need:n", name="Radars", type="Need")
    >>> rs = NodeRef(id="country:rs", name="Serbia", type="Country")
    >>> common = dict(priority="high", countries=[rs], pillars=[], period=Span(), evidence=[])
    >>> found = [Gap(kind="empty_cell", needs=[need], reason="no response", **common),
    ...          Gap(kind="unaddressed", need=need, reason="no project addresses it", **common)]
    >>> [(n.need.id, n.kinds, n.reasons) for n in per_need(found)]
    [('need:n', ['empty_cell', 'unaddressed'], ['no response', 'no project addresses it'])]
    """
    gaps_of: dict[str, list[Gap]] = {}
    refs: dict[str, NodeRef] = {}
    for g in found:
        for need in [g.need] if g.need else g.needs:
            gaps_of.setdefault(need.id, []).append(g)
            refs[need.id] = need
    out = []
    for need_id, own in gaps_of.items():
        own = sorted(own, key=lambda g: _KIND_RANK[g.kind])
        mine = [g for g in own if g.need is not None]
        first = mine[0] if mine else own[0]
        out.append(
            NeedGaps(
                need=refs[need_id],
                priority=first.priority,
                kinds=list(dict.fromkeys(g.kind for g in own)),
                countries=first.countries,
                pillars=list({p.id: p for g in own for p in g.pillars}.values()),
                shortfall=first.shortfall if mine else {},
                reasons=[g.reason for g in own],
            )
        )
    return out


def first_needs(found: Found[Gap], limit: int | None = None) -> tuple[list[NeedGaps], int]:
    """``per_need(found)[:limit]`` and how many needs there are in all, building only the gaps of
    those first needs (a page listing the top needs of a large store builds a few gaps, not all)."""
    gaps_of: dict[str, list[int]] = {}
    for index, plain in enumerate(found.plain):
        for need in [n.id for n in plain[2].needs] if plain[1] == "empty_cell" else [plain[2]]:
            gaps_of.setdefault(need, []).append(index)
    first = list(gaps_of)[:limit]
    chosen = set(first)
    # all the gaps of a need are built, so its first gap (which places it) is the same as in all
    built = [found[i] for i in sorted({i for need in first for i in gaps_of[need]})]
    return [n for n in per_need(built) if n.need.id in chosen], len(gaps_of)
