"""Fixtures shared by every test: small real graphs, written out as records."""

from __future__ import annotations

from typing import Any

import pytest

SRC = ["tests"]


def node(type_: str, id_: str, name: str, **props: Any) -> dict[str, Any]:
    return {"type": type_, "id": id_, "name": name, "sources": SRC, **props}


def edge(type_: str, source: str, target: str, **props: Any) -> dict[str, Any]:
    return {"type": type_, "source": source, "target": target, "sources": SRC, **props}


@pytest.fixture
def small_graph() -> dict[str, list[dict[str, Any]]]:
    """Two donors on one Serbian border need in overlapping periods, one unaddressed need."""
    return {
        "nodes": [
            node("Country", "country:rs", "Serbia", code="RS", wb_partner=True),
            node("Country", "country:xk", "Kosovo", code="XK", wb_partner=True),
            node("Pillar", "pillar:wbbsi", "Western Balkan Border Security initiative", code="WBBSi", number=3),
            node("Institution", "inst:rs-mup", "Министарство унутрашњих послова",
                 aliases=["Ministarstvo unutrašnjih poslova", "Ministry of Interior of Serbia"], kind="ministry"),
            node("Person", "person:danilo-stevandic", "Danilo Stevandić", position="State Secretary"),
            node("Person", "person:sinisa-kostresevic", "Siniša Kostrešević", position="Police Director"),
            node("Organisation", "org:marri", "MARRI Regional Centre", acronym="MARRI", kind="regional"),
            node("Organisation", "org:giz", "GIZ – German Agency for International Cooperation GmbH",
                 acronym="GIZ", kind="development_agency"),
            node("Organisation", "org:unodc", "UNODC – United Nations Office on Drugs and Crime", acronym="UNODC",
                 kind="international"),
            node("Country", "country:at", "Austria", code="AT"),
            node("Need", "need:rs-border-surveillance", "Border surveillance equipment", priority="high",
                 cycle="needs-mapping-1"),
            node("Need", "need:xk-training", "Training of border police", priority="medium", cycle="needs-mapping-1"),
            node("Project", "project:a", "Green border surveillance", start="2023-01-01", end="2024-12-31"),
            node("Project", "project:b", "Mobile surveillance units", start="2024-06-01"),
        ],
        "edges": [
            edge("PART_OF", "inst:rs-mup", "country:rs"),
            edge("WORKS_FOR", "person:danilo-stevandic", "inst:rs-mup", position="State Secretary"),
            edge("STATED_BY", "need:rs-border-surveillance", "country:rs"),
            edge("STATED_BY", "need:xk-training", "country:xk"),
            edge("RESPONSIBLE_FOR", "inst:rs-mup", "need:rs-border-surveillance"),
            edge("IN_PILLAR", "need:rs-border-surveillance", "pillar:wbbsi"),
            edge("IN_PILLAR", "need:xk-training", "pillar:wbbsi"),
            edge("ADDRESSES", "project:a", "need:rs-border-surveillance"),
            edge("ADDRESSES", "project:b", "need:rs-border-surveillance"),
            edge("TARGETS", "project:a", "country:rs"),
            edge("TARGETS", "project:b", "country:rs"),
            edge("FUNDS", "org:giz", "project:a", amount=1_000_000, currency="EUR", kind="commitment",
                 start="2023-01-01", end="2024-12-31"),
            edge("FUNDS", "country:at", "project:b", amount=250_000, currency="USD", kind="commitment"),
            edge("IMPLEMENTS", "org:unodc", "project:b"),
            edge("BENEFITS", "project:a", "inst:rs-mup"),
        ],
    }
