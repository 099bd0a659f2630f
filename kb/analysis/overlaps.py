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
from itertools import combinations

import networkx as nx

from graph_schema import PRIORITY_RANK
from kb.analysis.links import (
    Facts,
    ProjectFacts,
    in_edges,
    need_countries,
    need_evidence,
    nodes_of,
    out_edges,
    priority,
)
from kb.analysis.models import Overlap, Span
from kb.analysis.money import Rates, convert, total
from kb.analysis.periods import OPEN, intersect, span_sort_key
from kb.graph import LINKED_OUTSIDE, paused_gc

#: A context holding more unlinked projects than this is one overlap, not one per pair.
PAIRED_UP_TO = 20


def _funders_differ(a: ProjectFacts, b: ProjectFacts) -> bool:
    return bool(a.funders) and bool(b.funders) and a.funders != b.funders


def _shared_period(a: ProjectFacts, b: ProjectFacts, window: Span | None) -> Span | None:
    return intersect(intersect(a.span, b.span), window or OPEN)


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
    found: list[Overlap] = []
    for need in nodes_of(G, "Need"):
        addresses = {e["source"]: e for e in in_edges(G, need, "ADDRESSES")}
        pairs = []
        for a, b in combinations([facts[p] for p in sorted(addresses)], 2):
            period = _shared_period(a, b, window) if _funders_differ(a, b) else None
            if period is not None:
                pairs.append((a, b, period))
        if not pairs:
            continue
        about = {
            "level": "need",
            "need": facts.ref(need),
            "priority": priority(G.nodes[need]),
            "countries": facts.refs(need_countries(G, need)),
        }
        placed = need_evidence(G, need)
        found += [
            Overlap(**about, **_pair(facts, a, b, period, rates, [addresses[a.id], addresses[b.id], *placed]))
            for a, b, period in pairs
        ]
    return found


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


def _ordinal_span(span: Span) -> tuple[int, int]:
    """A period as two day numbers, open ends as the first and last day there is."""
    return (span.start.toordinal() if span.start else 0, span.end.toordinal() if span.end else 10**7)


def _overlapping(members: list[tuple[ProjectFacts, Span]]) -> list[tuple[ProjectFacts, Span]]:
    """The members whose period meets that of another member with other funders, in n log n.

    Going through the members by the end of their period, the ones starting by then are added to
    the latest end seen and, for a second set of funders, the latest end among the others; a member
    meets one of other funders when the latest end among those differing from its own reaches its
    start.
    """
    days = [_ordinal_span(span) for _, span in members]
    funders = [frozenset(f.funders) for f, _ in members]
    by_start = sorted(range(len(members)), key=lambda i: days[i][0])
    best: tuple[int, frozenset[str]] | None = None  # the latest end, and its funders
    other = -1  # the latest end among funders other than best's
    chosen, added = [], 0
    for i in sorted(range(len(members)), key=lambda i: days[i][1]):
        while added < len(by_start) and days[by_start[added]][0] <= days[i][1]:
            j = by_start[added]
            added += 1
            end, who = days[j][1], funders[j]
            if best is None or end > best[0]:
                if best is not None and best[1] != who:
                    other = best[0]
                best = (end, who)
            elif who != best[1]:
                other = max(other, end)
        reach = other if best is not None and best[1] == funders[i] else best[0] if best else -1
        if reach >= days[i][0]:
            chosen.append(members[i])
    return sorted(chosen, key=lambda m: m[0].id)


def _crowded(
    G: nx.MultiDiGraph,
    facts: Facts,
    key: tuple[str, str, str],
    members: list[str],
    why: dict[str, dict[tuple[str, str, str], list[dict]]],
    window: Span | None,
    rates: Rates | None,
) -> Overlap | None:
    """One crowded context as one overlap (see the module docstring), or ``None``."""
    clipped = [(facts[p], intersect(facts[p].span, window or OPEN)) for p in members]
    chosen = _overlapping([(f, span) for f, span in clipped if span is not None])
    if len(chosen) < 2:
        return None
    spans = [span for _, span in chosen]
    starts, ends = [s.start for s in spans], [s.end for s in spans]
    period = Span(
        start=None if None in starts else min(starts),  # type: ignore[type-var]
        end=None if None in ends else max(ends),  # type: ignore[type-var]
    )
    projects = [f for f, _ in chosen]
    amounts = total(f.amounts for f in projects)
    return Overlap(
        level="context",
        context=[" / ".join(_label(G, part) for part in key)],
        countries=facts.refs([key[0]]),
        projects=facts.refs(f.id for f in projects),
        donors=facts.refs(d for f in projects for d in f.funders),
        implementers=facts.refs(i for f in projects for i in f.implementers),
        period=period,
        amounts=amounts,
        converted=convert(amounts, rates),
        evidence=facts.evidence(
            [
                *(e for f in projects for e in why[f.id][key]),
                *(e for f in projects for e in (*f.funding_edges, *f.implementing_edges)),
            ]
        ),
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
    buckets: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    why: dict[str, dict[tuple[str, str, str], list[dict]]] = {}
    for project in nodes_of(G, "Project"):
        linked = out_edges(G, project, "ADDRESSES") or project in G.graph.get(LINKED_OUTSIDE, ())
        if linked or facts[project].span is None or not facts[project].funders:
            continue
        why[project] = _contexts(G, project)
        for key in why[project]:
            buckets[key].append(project)
    shared: dict[tuple[str, str], set[tuple[str, str, str]]] = defaultdict(set)
    found: list[Overlap] = []
    for key, members in buckets.items():
        if len(members) > paired_up_to:
            crowded = _crowded(G, facts, key, members, why, window, rates)
            if crowded is not None:
                found.append(crowded)
            continue
        for a, b in combinations(sorted(members), 2):
            shared[(a, b)].add(key)
    for (a_id, b_id), keys in sorted(shared.items()):
        a, b = facts[a_id], facts[b_id]
        if not _funders_differ(a, b):
            continue
        period = _shared_period(a, b, window)
        if period is None:
            continue
        edges = [e for key in keys for p in (a_id, b_id) for e in why[p][key]]
        found.append(
            Overlap(
                level="context",
                context=sorted(" / ".join(_label(G, part) for part in key) for key in keys),
                countries=facts.refs({k[0] for k in keys}),
                **_pair(facts, a, b, period, rates, edges),
            )
        )
    return found


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


def overlaps(G: nx.MultiDiGraph, *, window: Span | None = None, rates: Rates | None = None) -> list[Overlap]:
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
    list of Overlap

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("need:n", type="Need", name="Radars")
    >>> G.add_node("org:x", type="Organisation", name="X")
    >>> for p, start, end in (("project:a", "2023-01-01", "2023-06-30"), ("project:b", "2023-06-30", None)):
    ...     G.add_node(p, type="Project", name=p, start=start, **({"end": end} if end else {}))
    ...     _ = G.add_edge(p, "need:n", type="ADDRESSES", source=p, target="need:n")
    ...     _ = G.add_edge("org:x", p, type="FUNDS", source="org:x", target=p)
    >>> overlaps(G)  # one donor on both projects: no overlap between donors
    []
    >>> G.add_node("org:y", type="Organisation", name="Y")
    >>> _ = G.add_edge("org:y", "project:b", type="FUNDS", source="org:y", target="project:b")
    >>> [o.period.label() for o in overlaps(G)]  # touching on one day
    ['2023-06-30 – 2023-06-30']
    """
    with paused_gc():
        facts = Facts.of(G)
        found = need_overlaps(G, window=window, rates=rates, facts=facts)
        found += context_overlaps(G, window=window, rates=rates, facts=facts)
        return sorted(found, key=rank_key)
