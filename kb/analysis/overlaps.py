"""Overlaps: where distinct donors pay for the same thing at the same time (duplication risk).

Two levels, need level ranked first:

- **need level**: two projects ADDRESS the same need, their active periods meet (see
  :mod:`kb.analysis.periods`), both have funders and their sets of funders differ. One donor
  funding two projects on one need is not an overlap between donors; neither are two projects
  funded by the same group of donors.
- **context level** (*possible* overlaps): two projects linked to no need (as IATI imports
  are) that target the same country, sit in the same pillar and benefit the same institution
  or share a DAC sector, with meeting active periods and differing funders. A context (country,
  pillar, institution-or-sector) holding more than :data:`PAIRED_UP_TO` such projects is one
  result instead of its pairs (whose number grows with the square of its projects): every project
  of it whose period meets that of another of different funders, the period from the earliest to
  the latest of them. A pair sharing such a crowded context and a smaller one is still a pair,
  naming only the smaller contexts.

Each overlap is one pair of projects (or one crowded context's projects) with the need (or the
shared contexts), the countries, donors, implementers, the overlapping period, the amounts of the
projects per currency and the edges that make it one. Ranking: need level first; then need priority (high first), more
donors, longer overlap (open-ended is longest), then ids.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from itertools import combinations
from operator import itemgetter

import networkx as nx

from graph_schema import PRIORITY_RANK
from kb.analysis.found import Found
from kb.analysis.links import (
    Facts,
    ProjectFacts,
    in_edges,
    need_evidence,
    nodes_of,
    out_edges,
    priority,
)
from kb.analysis.models import Overlap, Span
from kb.analysis.money import Rates, convert, total
from kb.analysis.periods import days_sort_key, from_days, span_sort_key, window_days
from kb.graph import LINKED_OUTSIDE, paused_gc

#: A context holding more unlinked projects than this is one overlap, not one per pair.
PAIRED_UP_TO = 20


#: An overlap found, before it is built: its rank key (:func:`rank_key`), then what builds it.
Plain = tuple


def _pair(
    facts: Facts, a: ProjectFacts, b: ProjectFacts, period: Span, rates: Rates | None, edges: list[dict]
) -> dict:
    amounts = total([a.amounts, b.amounts])
    return {
        "projects": facts.refs([a.id, b.id]),
        "donors": facts.refs(a.funders | b.funders),
        "implementers": facts.refs(a.implementers | b.implementers),
        "period": period,
        "amounts": amounts,
        "converted": convert(amounts, rates),
        "evidence": facts.evidence(
            [*edges, *a.funding_edges, *b.funding_edges, *a.implementing_edges, *b.implementing_edges]
        ),
    }


def _need_pairs(G: nx.MultiDiGraph, facts: Facts, window: Span | None) -> list[Plain]:
    """Need-level overlaps as plain tuples ``(rank key, "need", need, a, b, start, end)``."""
    w_start, w_end = window_days(window)
    found: list[Plain] = []
    for need in nodes_of(G, "Need"):
        addressing = in_edges(G, need, "ADDRESSES")
        if len(addressing) < 2:
            continue
        live = [
            f
            for f in map(facts.__getitem__, sorted({e["source"] for e in addressing}))
            if f.funders and f.days is not None
        ]
        rank = None
        for i, a in enumerate(live):
            a_start, a_end = a.days
            for b in live[i + 1 :]:
                if a.funders == b.funders:
                    continue
                b_start, b_end = b.days
                start = max(a_start, b_start, w_start)
                end = min(a_end, b_end, w_end)
                if start > end:
                    continue
                if rank is None:
                    rank = PRIORITY_RANK.get(priority(G.nodes[need]), 3)
                key = (0, rank, -len(a.funders | b.funders), days_sort_key(start, end), need, [a.id, b.id])
                found.append((key, "need", need, a, b, start, end))
    return found


def _need_overlap(G: nx.MultiDiGraph, facts: Facts, rates: Rates | None, plain: Plain) -> Overlap:
    _, _, need, a, b, start, end = plain
    addresses = {e["source"]: e for e in in_edges(G, need, "ADDRESSES")}
    return Overlap(
        level="need",
        need=facts.ref(need),
        priority=priority(G.nodes[need]),
        countries=facts.refs(facts.countries(need)),
        **_pair(
            facts,
            a,
            b,
            from_days(start, end),
            rates,
            [addresses[a.id], addresses[b.id], *need_evidence(G, need)],
        ),
    )


def need_overlaps(
    G: nx.MultiDiGraph, *, window: Span | None = None, rates: Rates | None = None, facts: Facts | None = None
) -> list[Overlap]:
    """Need-level overlaps (see the module docstring), unranked.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("need:n", type="Need", name="Radars", priority="high")
    >>> for p, org in (("project:a", "org:x"), ("project:b", "org:y")):
    ...     G.add_node(p, type="Project", name=p, start="2023-01-01")
    ...     G.add_node(org, type="Organisation", name=org)
    ...     _ = G.add_edge(p, "need:n", type="ADDRESSES", source=p, target="need:n")
    ...     _ = G.add_edge(org, p, type="FUNDS", source=org, target=p, amount=5, currency="EUR")
    >>> [(o.need.id, [p.id for p in o.projects], o.amounts) for o in need_overlaps(G)]
    [('need:n', ['project:a', 'project:b'], {'EUR': 10.0})]
    """
    facts = facts or Facts(G)
    return [_need_overlap(G, facts, rates, plain) for plain in _need_pairs(G, facts, window)]


def _contexts(G: nx.MultiDiGraph, project: str) -> dict[tuple[str, str, str], list[dict]]:
    """(country, pillar, institution-or-sector) keys of an unlinked project, each with its evidence."""
    targets = out_edges(G, project, "TARGETS")
    in_pillar = out_edges(G, project, "IN_PILLAR")
    benefits = out_edges(G, project, "BENEFITS")
    sectors = G.nodes[project].get("sectors") or []
    keys: dict[tuple[str, str, str], list[dict]] = {}
    for t in targets:
        for p in in_pillar:
            for b in benefits:
                keys[(t["target"], p["target"], b["target"])] = [t, p, b]
            for s in sectors:
                keys[(t["target"], p["target"], f"sector {s}")] = [t, p]
    return keys


def _overlapping(
    members: list[tuple[ProjectFacts, tuple[int, int]]],
) -> list[tuple[ProjectFacts, tuple[int, int]]]:
    """The members whose period meets that of another member with other funders, in n log n.

    Going through the members by the end of their period, the ones starting by then are added to
    the latest end seen and, for a second set of funders, the latest end among the others; a member
    meets one of other funders when the latest end among those differing from its own reaches its
    start.
    """
    spans = [span for _, span in members]
    funders = [frozenset(f.funders) for f, _ in members]
    by_start = sorted(range(len(members)), key=lambda i: spans[i][0])
    best: tuple[int, frozenset[str]] | None = None  # the latest end, and its funders
    other = -1  # the latest end among funders other than best's
    chosen, added = [], 0
    for i in sorted(range(len(members)), key=lambda i: spans[i][1]):
        while added < len(by_start) and spans[by_start[added]][0] <= spans[i][1]:
            j = by_start[added]
            added += 1
            end, who = spans[j][1], funders[j]
            if best is None or end > best[0]:
                if best is not None and best[1] != who:
                    other = best[0]
                best = (end, who)
            elif who != best[1]:
                other = max(other, end)
        reach = other if best is not None and best[1] == funders[i] else best[0] if best else -1
        if reach >= spans[i][0]:
            chosen.append(members[i])
    return sorted(chosen, key=lambda m: m[0].id)


def _crowded(
    facts: Facts, key: tuple[str, str, str], members: list[str], window: tuple[int, int]
) -> Plain | None:
    """One crowded context as a plain overlap ``(rank key, "crowded", key, projects, start, end)``,
    or ``None`` (see the module docstring)."""
    w_start, w_end = window
    clipped = []
    for p in members:
        f = facts[p]
        start, end = max(f.days[0], w_start), min(f.days[1], w_end)
        if start <= end:
            clipped.append((f, (start, end)))
    chosen = _overlapping(clipped)
    if len(chosen) < 2:
        return None
    start = min(s for _, (s, _) in chosen)
    end = max(e for _, (_, e) in chosen)
    projects = [f for f, _ in chosen]
    donors = {d for f in projects for d in f.funders}
    rank = (1, 3, -len(donors), days_sort_key(start, end), "", [f.id for f in projects])
    return (rank, "crowded", key, projects, start, end)


def _crowded_overlap(
    G: nx.MultiDiGraph, facts: Facts, why: dict[str, dict], rates: Rates | None, plain: Plain
) -> Overlap:
    _, _, key, projects, start, end = plain
    amounts = total(f.amounts for f in projects)
    return Overlap(
        level="context",
        context=[" / ".join(_label(G, part) for part in key)],
        countries=facts.refs([key[0]]),
        projects=facts.refs(f.id for f in projects),
        donors=facts.refs(d for f in projects for d in f.funders),
        implementers=facts.refs(i for f in projects for i in f.implementers),
        period=from_days(start, end),
        amounts=amounts,
        converted=convert(amounts, rates),
        evidence=facts.evidence(
            [
                *(e for f in projects for e in why[f.id][key]),
                *(e for f in projects for e in (*f.funding_edges, *f.implementing_edges)),
            ]
        ),
    )


def _context_pairs(
    G: nx.MultiDiGraph, facts: Facts, window: Span | None, paired_up_to: int
) -> tuple[list[Plain], dict[str, dict[tuple[str, str, str], list[dict]]]]:
    """Context-level overlaps as plain tuples (pairs ``(rank key, "pair", keys, a, b, start,
    end)`` and crowded contexts), and each unlinked project's contexts with their evidence."""
    w_start, w_end = bounds = window_days(window)
    buckets: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    why: dict[str, dict[tuple[str, str, str], list[dict]]] = {}
    linked = facts.edges.sources("ADDRESSES") | set(G.graph.get(LINKED_OUTSIDE, ()))
    for project in nodes_of(G, "Project"):
        if project in linked:
            continue
        f = facts[project]
        if f.days is None or not f.funders:
            continue
        why[project] = _contexts(G, project)
        for key in why[project]:
            buckets[key].append(project)
    shared: dict[tuple[str, str], set[tuple[str, str, str]]] = defaultdict(set)
    found: list[Plain] = []
    for key, members in buckets.items():
        if len(members) > paired_up_to:
            crowded = _crowded(facts, key, members, bounds)
            if crowded is not None:
                found.append(crowded)
            continue
        for a, b in combinations(sorted(members), 2):
            shared[(a, b)].add(key)
    for (a_id, b_id), keys in sorted(shared.items()):
        a, b = facts[a_id], facts[b_id]
        if a.funders == b.funders:
            continue
        start = max(a.days[0], b.days[0], w_start)
        end = min(a.days[1], b.days[1], w_end)
        if start > end:
            continue
        rank = (1, 3, -len(a.funders | b.funders), days_sort_key(start, end), "", [a_id, b_id])
        found.append((rank, "pair", keys, a, b, start, end))
    return found, why


def _pair_overlap(
    G: nx.MultiDiGraph, facts: Facts, why: dict[str, dict], rates: Rates | None, plain: Plain
) -> Overlap:
    _, _, keys, a, b, start, end = plain
    edges = [e for key in keys for p in (a.id, b.id) for e in why[p][key]]
    return Overlap(
        level="context",
        context=sorted(" / ".join(_label(G, part) for part in key) for key in keys),
        countries=facts.refs({k[0] for k in keys}),
        **_pair(facts, a, b, from_days(start, end), rates, edges),
    )


def context_overlaps(
    G: nx.MultiDiGraph,
    *,
    window: Span | None = None,
    rates: Rates | None = None,
    facts: Facts | None = None,
    paired_up_to: int = PAIRED_UP_TO,
) -> list[Overlap]:
    """Context-level (*possible*) overlaps among projects linked to no need, unranked: pairs, and
    one overlap for each context of more than ``paired_up_to`` projects."""
    facts = facts or Facts(G)
    found, why = _context_pairs(G, facts, window, paired_up_to)
    build = _builder(G, facts, why, rates)
    return [build(plain) for plain in found]


def _builder(
    G: nx.MultiDiGraph, facts: Facts, why: dict[str, dict], rates: Rates | None
) -> Callable[[Plain], Overlap]:
    def build(plain: Plain) -> Overlap:
        kind = plain[1]
        if kind == "need":
            return _need_overlap(G, facts, rates, plain)
        if kind == "crowded":
            return _crowded_overlap(G, facts, why, rates, plain)
        return _pair_overlap(G, facts, why, rates, plain)

    return build


def _label(G: nx.MultiDiGraph, part: str) -> str:
    if part in G:
        data = G.nodes[part]
        return data.get("code") or data.get("acronym") or data.get("name", part)
    return part


def rank_key(o: Overlap) -> tuple:
    return (
        0 if o.level == "need" else 1,
        PRIORITY_RANK.get(o.priority or "", 3),
        -len(o.donors),
        span_sort_key(o.period),
        o.need.id if o.need else "",
        [p.id for p in o.projects],
    )


def overlaps(G: nx.MultiDiGraph, *, window: Span | None = None, rates: Rates | None = None) -> Found[Overlap]:
    """Every overlap in ``G``, ranked: need level, then context level (see the module docstring).

    Parameters
    ----------
    G : nx.MultiDiGraph
        A knowledge-base graph (``GraphStore.subgraph``), not modified.
    window : Span, optional
        Only the part of each overlap inside this period counts (the ``--from``/``--to`` filter).
    rates : Rates, optional
        Stated conversion rates; each overlap then also carries a converted total.

    Returns
    -------
    Found of Overlap
        Ranked; each overlap is built when first read (:mod:`kb.analysis.found`).

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("need:n", type="Need", name="Radars")
    >>> G.add_node("org:x", type="Organisation", name="X")
    >>> for p, start, end in (("project:a", "2023-01-01", "2023-06-30"), ("project:b", "2023-06-30", None)):
    ...     G.add_node(p, type="Project", name=p, start=start, **({"end": end} if end else {}))
    ...     _ = G.add_edge(p, "need:n", type="ADDRESSES", source=p, target="need:n")
    ...     _ = G.add_edge("org:x", p, type="FUNDS", source="org:x", target=p)
    >>> list(overlaps(G))  # one donor on both projects: no overlap between donors
    []
    >>> G.add_node("org:y", type="Organisation", name="Y")
    >>> _ = G.add_edge("org:y", "project:b", type="FUNDS", source="org:y", target="project:b")
    >>> [o.period.label() for o in overlaps(G)]  # touching on one day
    ['2023-06-30 – 2023-06-30']
    """
    with paused_gc():
        facts = Facts.of(G)
        found = _need_pairs(G, facts, window)
        context, why = _context_pairs(G, facts, window, PAIRED_UP_TO)
        found += context
        found.sort(key=itemgetter(0))
        return Found(found, _builder(G, facts, why, rates))
