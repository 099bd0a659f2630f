"""Fixtures of the IATI tests: the files, a store, and a store holding a small seed-like graph."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kb.importers.iati import Options, Report, run_import
from kb.records import parse_batch
from kb.store.sqlite import SQLiteStore
from tests.conftest import edge, node

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "iati"
BAD = FIXTURES / "bad"

#: What the seeds hold that the import meets: partners, donor states, pillars, some organisations.
SEED: dict[str, list[dict[str, Any]]] = {
    "nodes": [
        *(
            node("Country", f"country:{c.lower()}", name, code=c, wb_partner=True)
            for c, name in (
                ("AL", "Albania"),
                ("BA", "Bosnia and Herzegovina"),
                ("XK", "Kosovo"),
                ("ME", "Montenegro"),
                ("MK", "North Macedonia"),
                ("RS", "Serbia"),
            )
        ),
        node("Country", "country:gb", "United Kingdom", code="GB", aliases=["UK"]),
        node("Country", "country:us", "United States", code="US", aliases=["USA"]),
        node(
            "Pillar", "pillar:wbcti", "Western Balkans Counter-Terrorism initiative", code="WBCTi", number=1
        ),
        node(
            "Pillar",
            "pillar:wbcsci",
            "Western Balkans Counter Serious Crime initiative",
            code="WBCSCi",
            number=2,
        ),
        node("Pillar", "pillar:wbbsi", "Western Balkan Border Security initiative", code="WBBSi", number=3),
        node("Organisation", "org:eu", "European Union", acronym="EU", kind="eu_body"),
        node(
            "Organisation",
            "org:dg-near",
            "DG NEAR Directorate-General for European Neighborhood Policy and Enlargement Negotiations",
            acronym="DG NEAR",
            kind="eu_body",
            iati_ref="XI-IATI-EC_NEAR",
            aliases=["DG NEAR", "NEAR"],
        ),
        node(
            "Organisation",
            "org:unodc",
            "UNODC – United Nations Office on Drugs and Crime",
            acronym="UNODC",
            kind="international",
        ),
        node(
            "Organisation",
            "org:osce",
            "OSCE – Organization for Security and Co-operation in Europe",
            acronym="OSCE",
            kind="international",
        ),
        node(
            "Organisation",
            "org:giz",
            "GIZ – German Agency for International Cooperation GmbH",
            acronym="GIZ",
            kind="development_agency",
            aliases=["Deutsche Gesellschaft für Internationale Zusammenarbeit (GIZ) GmbH"],
        ),
        node(
            "Institution",
            "inst:rs-moi",
            "Serbia: Ministry of Interior",
            kind="ministry",
            aliases=["Ministry of Interior of Serbia", "Министарство унутрашњих послова"],
        ),
    ],
    "edges": [edge("PART_OF", "org:dg-near", "org:eu"), edge("PART_OF", "inst:rs-moi", "country:rs")],
}


def fixture(name: str) -> Path:
    return FIXTURES / name


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "kb.sqlite")
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def seeded(store: SQLiteStore) -> SQLiteStore:
    store.upsert(parse_batch(SEED), action="test seed")
    return store


def run(store: SQLiteStore | None, *names: str, write: bool = True, **options: Any) -> Report:
    """Import fixture files (names relative to tests/fixtures/iati) with the given options."""
    return run_import(store, [fixture(n) for n in names], Options(**options), write=write)


def snapshot(store: SQLiteStore) -> tuple[list[dict], list[dict]]:
    nodes = sorted((n for chunk in store.iter_nodes() for n in chunk), key=lambda n: n["id"])
    edges = sorted(
        (e for chunk in store.iter_edges() for e in chunk),
        key=lambda e: (e["type"], e["source"], e["target"], e.get("key", "")),
    )
    return nodes, edges


def edges_of(store: SQLiteStore, node_id: str, type_: str | None = None) -> list[dict]:
    return [e for e in store.edges_of(node_id) if type_ is None or e["type"] == type_]
