"""Small real graphs with known answers, shared by the analysis tests and the store contract run.

Every scenario is a ``{"nodes": [...], "edges": [...]}`` document in the record form, so it
can be validated, turned into a networkx graph directly, or loaded into any store.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from kb.graph import to_networkx
from kb.records import parse_batch
from tests.conftest import edge, node

Doc = dict[str, list[dict[str, Any]]]


def base() -> Doc:
    """Two partners (Serbia, Kosovo*), two pillars, four donors, one implementer, one institution."""
    return {
        "nodes": [
            node("Country", "country:rs", "Serbia", code="RS", wb_partner=True),
            node("Country", "country:xk", "Kosovo", code="XK", wb_partner=True),
            node("Country", "country:at", "Austria", code="AT"),
            node(
                "Pillar", "pillar:wbbsi", "Western Balkan Border Security initiative", code="WBBSi", number=3
            ),
            node(
                "Pillar",
                "pillar:wbcsci",
                "Western Balkans Counter Serious Crime initiative",
                code="WBCSCi",
                number=2,
            ),
            node("Organisation", "org:giz", "GIZ", acronym="GIZ"),
            node("Organisation", "org:eu", "European Union", acronym="EU"),
            node("Organisation", "org:osce", "OSCE", acronym="OSCE"),
            node("Organisation", "org:unodc", "UNODC", acronym="UNODC"),
            node("Institution", "inst:rs-moi", "Serbia: Ministry of Interior"),
            node("Institution", "inst:xk-moi", "Kosovo: Ministry of Interior"),
        ],
        "edges": [
            edge("PART_OF", "inst:rs-moi", "country:rs"),
            edge("PART_OF", "inst:xk-moi", "country:xk"),
        ],
    }


def add_need(
    doc: Doc, need_id: str, *, country: str = "country:rs", pillar: str = "pillar:wbbsi", **props: Any
) -> Doc:
    doc["nodes"].append(node("Need", need_id, props.pop("name", need_id), **props))
    doc["edges"] += [edge("STATED_BY", need_id, country), edge("IN_PILLAR", need_id, pillar)]
    return doc


def add_project(
    doc: Doc,
    project_id: str,
    *,
    needs: tuple[str, ...] = (),
    funders: dict[str, tuple] | None = None,
    implementers: tuple[str, ...] = (),
    country: str | None = None,
    pillar: str | None = None,
    benefits: tuple[str, ...] = (),
    **props: Any,
) -> Doc:
    """A project; ``funders`` maps a funder id to ``(amount, currency)`` (or ``()`` for no amount)."""
    doc["nodes"].append(node("Project", project_id, props.pop("name", project_id), **props))
    doc["edges"] += [edge("ADDRESSES", project_id, n) for n in needs]
    for funder, money in (funders or {}).items():
        extra = {"amount": money[0], "currency": money[1]} if money else {}
        doc["edges"].append(edge("FUNDS", funder, project_id, **extra))
    doc["edges"] += [edge("IMPLEMENTS", i, project_id) for i in implementers]
    doc["edges"] += [edge("BENEFITS", project_id, b) for b in benefits]
    if country:
        doc["edges"].append(edge("TARGETS", project_id, country))
    if pillar:
        doc["edges"].append(edge("IN_PILLAR", project_id, pillar))
    return doc


def graph(doc: Doc) -> nx.MultiDiGraph:
    """The validated document as the graph a store's subgraph would return."""
    batch = parse_batch(doc)
    return to_networkx(batch.nodes, batch.edges)


def two_donors_one_need() -> Doc:
    """GIZ (EUR) and Austria (USD) fund two projects on one Serbian need, overlapping in 2024."""
    doc = add_need(base(), "need:radars", priority="high")
    add_project(
        doc,
        "project:a",
        needs=("need:radars",),
        funders={"org:giz": (1_000_000, "EUR")},
        implementers=("org:unodc",),
        start="2023-01-01",
        end="2024-12-31",
    )
    add_project(
        doc,
        "project:b",
        needs=("need:radars",),
        funders={"country:at": (250_000, "USD")},
        start="2024-06-01",
        end="2025-12-31",
    )
    return doc


def context_pair() -> Doc:
    """Two projects linked to no need: same partner, pillar and beneficiary, distinct donors."""
    doc = base()
    for pid, donor, start in (
        ("project:c1", "org:eu", "2024-01-01"),
        ("project:c2", "org:osce", "2024-07-01"),
    ):
        add_project(
            doc,
            pid,
            funders={donor: (100, "EUR")},
            country="country:rs",
            pillar="pillar:wbbsi",
            benefits=("inst:rs-moi",),
            start=start,
            end="2025-06-30",
        )
    return doc


def crowded_context(n: int, *, donors: tuple[str, ...] = ("org:eu", "org:osce"), late: int = 0) -> Doc:
    """``n`` projects linked to no need in one context (RS, WBBSi, the Serbian ministry), active in
    2024, funded by ``donors`` in turn; then ``late`` more of them active in 2019 only."""
    doc = base()
    for i in range(n + late):
        add_project(
            doc,
            f"project:crowd-{i:02d}",
            funders={donors[i % len(donors)]: (10, "EUR")},
            country="country:rs",
            pillar="pillar:wbbsi",
            benefits=("inst:rs-moi",),
            start="2019-01-01" if i >= n else "2024-01-01",
            end="2019-12-31" if i >= n else "2024-12-31",
        )
    return doc
