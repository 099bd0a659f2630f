"""Who funds what: everyone on one need, a donor's co-funders, and the donor–donor network.

A *donor* is whoever has a FUNDS edge. Amounts follow :mod:`kb.analysis.money` (per
currency; commitments, else budgets, else disbursements). Cancelled projects are listed by
:func:`who_funds` with their status but add nothing to its totals, and make nobody a
co-funder.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from itertools import combinations

import networkx as nx

from graph_schema import ACTOR_TYPES
from kb.analysis.links import (
    Facts,
    addressing_projects,
    evidence,
    need_countries,
    nodes_of,
    out_edges,
    priority,
    ref,
    required,
    type_of,
)
from kb.analysis.models import (
    CoFundedNeed,
    CoFunderLine,
    CoFunders,
    CofundingPair,
    FundingLine,
    Relation,
    WhoFunds,
)
from kb.analysis.money import Rates, convert, total
from kb.errors import InvalidInputError, NotFoundError

#: How each relation of a co-funder is named, and what it means: the one wording every table,
#: page and doc uses.
RELATIONS: dict[Relation, str] = {"same_project": "co-financing", "same_need": "same need, other project"}
RELATION_MEANING: dict[Relation, str] = {
    "same_project": "funds one of the donor's own projects too (joint funding)",
    "same_need": "funds the same need through another project (the duplication risk)",
}


def _check(G: nx.MultiDiGraph, node_id: str, types: Collection[str], what: str) -> None:
    if node_id not in G:
        raise NotFoundError(f"no node with id '{node_id}'")
    if type_of(G, node_id) not in types:
        raise InvalidInputError(f"'{node_id}' is of type {type_of(G, node_id)}, not {what}")


def funding_lines(
    G: nx.MultiDiGraph, facts: Facts, project: str, *, implementers: bool = True
) -> list[FundingLine]:
    """One line per funder of ``project`` (with its counted amounts), then one per implementer."""
    f = facts[project]
    lines = [
        FundingLine(
            actor=ref(G, funder),
            role="funder",
            project=ref(G, project),
            status=f.status,
            period=f.span,
            amounts=f.amounts_by_funder[funder],
            joint=f.joint if funder in f.joint_funders else {},
            joint_with=[ref(G, o) for o in sorted(f.joint_funders - {funder})]
            if funder in f.joint_funders
            else [],
            evidence=evidence(e for e in f.funding_edges if e["source"] == funder),
        )
        for funder in sorted(f.funders)
    ]
    if implementers:
        lines += [
            FundingLine(
                actor=ref(G, actor),
                role="implementer",
                project=ref(G, project),
                status=f.status,
                period=f.span,
                amounts={},
                evidence=evidence(e for e in f.implementing_edges if e["source"] == actor),
            )
            for actor in sorted(f.implementers)
        ]
    return lines


def who_funds(G: nx.MultiDiGraph, need_id: str, *, rates: Rates | None = None) -> WhoFunds:
    """Everyone funding or implementing a project that addresses ``need_id``.

    Parameters
    ----------
    G : nx.MultiDiGraph
        A graph holding the need, its projects and their funders (its depth-2 neighbourhood will do).
    need_id : str
        The need's id; ``NotFoundError`` if absent, ``InvalidInputError`` if not a need.
    rates : Rates, optional
        Stated conversion rates for a converted total.

    Returns
    -------
    WhoFunds
        Lines per funder and implementer, with amounts and active periods; totals per
        currency over the projects that are not cancelled.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("need:n", type="Need", name="Radars")
    >>> G.add_node("project:p", type="Project", name="Radars I", start="2024-01-01")
    >>> G.add_node("org:x", type="Organisation", name="X")
    >>> _ = G.add_edge("project:p", "need:n", type="ADDRESSES", source="project:p", target="need:n")
    >>> _ = G.add_edge("org:x", "project:p", type="FUNDS", source="org:x", target="project:p",
    ...                amount=5, currency="USD")
    >>> r = who_funds(G, "need:n")
    >>> [(line.actor.id, line.role, line.amounts) for line in r.lines], r.totals
    ([('org:x', 'funder', {'USD': 5.0})], {'USD': 5.0})
    """
    _check(G, need_id, {"Need"}, "a need")
    facts = Facts.of(G)
    projects = addressing_projects(G, need_id)
    lines = [line for p in projects for line in funding_lines(G, facts, p)]
    live = [p for p in projects if not facts[p].cancelled]
    totals = total(facts[p].amounts for p in live)
    return WhoFunds(
        need=ref(G, need_id),
        priority=priority(G.nodes[need_id]),
        countries=[ref(G, c) for c in sorted(need_countries(G, need_id))],
        required=required(G.nodes[need_id]),
        lines=lines,
        totals=totals,
        joint=total(facts[p].joint for p in live),
        converted=convert(totals, rates),
    )


def _funded_needs(G: nx.MultiDiGraph, facts: Facts) -> dict[str, dict[str, list[str]]]:
    """``{donor: {need: [projects]}}`` over projects that are not cancelled."""
    found: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for project in nodes_of(G, "Project"):
        f = facts[project]
        if f.cancelled or not f.funders:
            continue
        for need in sorted({e["target"] for e in out_edges(G, project, "ADDRESSES")}):
            for donor in f.funders:
                found[donor][need].append(project)
    return found


def co_funders(G: nx.MultiDiGraph, org_id: str) -> CoFunders:
    """For a donor: each need it funds (through projects addressing it) and who else funds it,
    co-financing one of its projects first (``same_project``), then funding the need through
    another project (``same_need``).

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("need:n", type="Need", name="Radars")
    >>> for p, org in (("project:a", "org:x"), ("project:b", "org:y")):
    ...     G.add_node(p, type="Project", name=p)
    ...     G.add_node(org, type="Organisation", name=org)
    ...     _ = G.add_edge(p, "need:n", type="ADDRESSES", source=p, target="need:n")
    ...     _ = G.add_edge(org, p, type="FUNDS", source=org, target=p)
    >>> [(n.need.id, [o.actor.id for o in n.others]) for n in co_funders(G, "org:x").needs]
    [('need:n', ['org:y'])]
    >>> [o.relation for o in co_funders(G, "org:x").needs[0].others]
    ['same_need']
    """
    _check(G, org_id, ACTOR_TYPES, "an actor")
    facts = Facts.of(G)
    needs: dict[str, list[str]] = defaultdict(list)
    for project in sorted({e["target"] for e in out_edges(G, org_id, "FUNDS")}):
        if not facts[project].cancelled:
            for need in sorted({e["target"] for e in out_edges(G, project, "ADDRESSES")}):
                needs[need].append(project)
    out = []
    for need, own_projects in sorted(needs.items()):
        lines = [
            CoFunderLine(**dict(line), relation="same_project" if p in own_projects else "same_need")
            for p in addressing_projects(G, need)
            if not facts[p].cancelled
            for line in funding_lines(G, facts, p, implementers=False)
            if line.actor.id != org_id
        ]
        others = sorted(lines, key=lambda line: line.relation != "same_project")
        own = [
            line
            for p in own_projects
            for line in funding_lines(G, facts, p, implementers=False)
            if line.actor.id == org_id
        ]
        out.append(CoFundedNeed(need=ref(G, need), priority=priority(G.nodes[need]), own=own, others=others))
    return CoFunders(org=ref(G, org_id), needs=out)


def cofunding(G: nx.MultiDiGraph, *, rates: Rates | None = None) -> list[CofundingPair]:
    """The donor–donor network: pairs of donors funding projects on the same needs.

    Each pair is weighted by the number of needs both fund (``weight``) and by the amounts
    each brings to those needs (per currency, both together and per donor). Ranked by weight,
    then by the number of currencies' worth of money (largest single-currency total), then ids.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("need:n", type="Need", name="Radars")
    >>> for p, org, amount in (("project:a", "org:x", 3), ("project:b", "org:y", 4)):
    ...     G.add_node(p, type="Project", name=p)
    ...     G.add_node(org, type="Organisation", name=org)
    ...     _ = G.add_edge(p, "need:n", type="ADDRESSES", source=p, target="need:n")
    ...     _ = G.add_edge(org, p, type="FUNDS", source=org, target=p, amount=amount, currency="EUR")
    >>> [([d.id for d in c.donors], c.weight, c.amounts) for c in cofunding(G)]
    [(['org:x', 'org:y'], 1, {'EUR': 7.0})]
    """
    facts = Facts.of(G)
    funded = _funded_needs(G, facts)
    by_need: dict[str, set[str]] = defaultdict(set)
    for donor, needs in funded.items():
        for need in needs:
            by_need[need].add(donor)
    shared: dict[tuple[str, str], set[str]] = defaultdict(set)
    for need, donors in by_need.items():
        for a, b in combinations(sorted(donors), 2):
            shared[(a, b)].add(need)
    pairs = []
    for (a, b), needs in shared.items():
        by_donor = {
            d: total(facts[p].amounts_by_funder[d] for n in sorted(needs) for p in sorted(set(funded[d][n])))
            for d in (a, b)
        }
        amounts = total(by_donor.values())
        pairs.append(
            CofundingPair(
                donors=(ref(G, a), ref(G, b)),
                weight=len(needs),
                needs=[ref(G, n) for n in sorted(needs)],
                amounts=amounts,
                amounts_by_donor=by_donor,
                converted=convert(amounts, rates),
            )
        )
    return sorted(
        pairs,
        key=lambda c: (-c.weight, -max(c.amounts.values(), default=0.0), c.donors[0].id, c.donors[1].id),
    )
