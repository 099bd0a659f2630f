"""Coverage: the pillar × partner matrix of needs, needs answered and funding.

A cell (WB partner, pillar) counts the needs stated by that partner in that pillar, how many
of them are answered (same rule as gaps: an addressing project active in the need's period,
not cancelled), and the projects of the cell with their funding per currency. A project is in
the cell when it addresses one of the cell's needs, or sits in the pillar and targets the
partner. A regional project counts in full in each cell it is in (the TARGETS percentage is
not used to split it, so a column's sum can exceed what was spent).
"""

from __future__ import annotations

import networkx as nx

from kb.analysis.links import (
    Facts,
    addressing_projects,
    in_edges,
    nodes_of,
    pillars_of,
    ref,
)
from kb.analysis.models import Coverage, CoverageCell
from kb.analysis.money import Rates, convert, total
from kb.analysis.periods import EVER
from kb.graph import paused_gc


def coverage(G: nx.MultiDiGraph, *, rates: Rates | None = None) -> Coverage:
    """Every WB partner × pillar cell of ``G``, rows by partner, columns by pillar number.

    Parameters
    ----------
    G : nx.MultiDiGraph
        A knowledge-base graph, not modified.
    rates : Rates, optional
        Stated conversion rates for a converted total per cell.

    Returns
    -------
    Coverage

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("country:rs", type="Country", name="Serbia", code="RS", wb_partner=True)
    >>> G.add_node("pillar:wbbsi", type="Pillar", name="Border", code="WBBSi", number=3)
    >>> G.add_node("need:n", type="Need", name="Radars")
    >>> for u, v, t in (("need:n", "country:rs", "STATED_BY"), ("need:n", "pillar:wbbsi", "IN_PILLAR")):
    ...     _ = G.add_edge(u, v, type=t, source=u, target=v)
    >>> [(c.country.id, c.pillar.id, c.needs, c.addressed) for c in coverage(G).cells]
    [('country:rs', 'pillar:wbbsi', 1, 0)]
    """
    with paused_gc():
        return _coverage(G, rates)


def _coverage(G: nx.MultiDiGraph, rates: Rates | None) -> Coverage:
    facts = Facts.of(G)
    found = cells(G, facts)
    cells_ = []
    for (country, pillar), (needs, projects) in found.items():
        amounts = total(facts[p].amounts for p in sorted(projects))
        cells_.append(
            CoverageCell(
                country=ref(G, country),
                pillar=ref(G, pillar),
                needs=len(needs),
                addressed=sum(1 for n in needs if facts.answering(n, EVER)),
                projects=len(projects),
                amounts=amounts,
                converted=convert(amounts, rates),
            )
        )
    partners = [c for c in nodes_of(G, "Country") if G.nodes[c].get("wb_partner")]
    pillars = _pillars(G)
    return Coverage(
        partners=[ref(G, c) for c in partners], pillars=[ref(G, p) for p in pillars], cells=cells_
    )


def _pillars(G: nx.MultiDiGraph) -> list[str]:
    return sorted(nodes_of(G, "Pillar"), key=lambda p: (G.nodes[p].get("number", 9), p))


def cells(
    G: nx.MultiDiGraph, facts: Facts | None = None
) -> dict[tuple[str, str], tuple[list[str], set[str]]]:
    """Every (partner, pillar) cell of ``G`` in the matrix's order, with its needs and its projects
    that are not cancelled (the rule in the module's docstring)."""
    facts = facts or Facts.of(G)
    partners = [c for c in nodes_of(G, "Country") if G.nodes[c].get("wb_partner")]
    pillars = _pillars(G)
    needs_in: dict[tuple[str, str], list[str]] = {}
    for need in nodes_of(G, "Need"):
        for country in facts.countries(need):
            for pillar in pillars_of(G, need):
                needs_in.setdefault((country, pillar), []).append(need)
    in_pillar = {p: {e["source"] for e in in_edges(G, p, "IN_PILLAR")} for p in pillars}
    out: dict[tuple[str, str], tuple[list[str], set[str]]] = {}
    for country in partners:
        targeting = {e["source"] for e in in_edges(G, country, "TARGETS")}
        for pillar in pillars:
            needs = needs_in.get((country, pillar), [])
            projects = {p for n in needs for p in addressing_projects(G, n)} | (in_pillar[pillar] & targeting)
            out[(country, pillar)] = (needs, {p for p in projects if not facts[p].cancelled})
    return out
