"""Fixtures shared by every test: small real graphs, written out as records, and a real Neo4j server.

The Neo4j server is started once per test session (:mod:`kb.store.neo4j.local`, fetched by
``make setup``) on a free loopback port, unless ``KB_TEST_NEO4J_URI`` names an outside server
(with ``KB_TEST_NEO4J_USER``, ``KB_TEST_NEO4J_PASSWORD``, ``KB_TEST_NEO4J_DATABASE``). Tests that
need it are skipped only where no local Neo4j can exist (no Java, or ``make setup`` could not
fetch it), with that reason; a server that fails to start fails them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from kb.store.neo4j import local

SRC = ["tests"]


def node(type_: str, id_: str, name: str, **props: Any) -> dict[str, Any]:
    return {"type": type_, "id": id_, "name": name, "sources": SRC, **props}


def edge(type_: str, source: str, target: str, **props: Any) -> dict[str, Any]:
    return {"type": type_, "source": source, "target": target, "sources": SRC, **props}


def next_second() -> None:
    """Wait until the write log's clock (to the second) has moved on, so the next batch has a time of its own."""
    from kb.store.writes import now

    started = now()
    while now() == started:
        time.sleep(0.05)


@pytest.fixture
def small_graph() -> dict[str, list[dict[str, Any]]]:
    """Two donors on one Serbian border need in overlapping periods, one unaddressed need."""
    return {
        "nodes": [
            node("Country", "country:rs", "Serbia", code="RS", wb_partner=True),
            node("Country", "country:xk", "Kosovo", code="XK", wb_partner=True),
            node(
                "Pillar", "pillar:wbbsi", "Western Balkan Border Security initiative", code="WBBSi", number=3
            ),
            node(
                "Institution",
                "inst:rs-mup",
                "Министарство унутрашњих послова",
                aliases=["Ministarstvo unutrašnjih poslova", "Ministry of Interior of Serbia"],
                kind="ministry",
            ),
            node("Person", "person:danilo-stevandic", "Danilo Stevandić", position="State Secretary"),
            node("Person", "person:sinisa-kostresevic", "Siniša Kostrešević", position="Police Director"),
            node("Organisation", "org:marri", "MARRI Regional Centre", acronym="MARRI", kind="regional"),
            node(
                "Organisation",
                "org:giz",
                "GIZ – German Agency for International Cooperation GmbH",
                acronym="GIZ",
                kind="development_agency",
            ),
            node(
                "Organisation",
                "org:unodc",
                "UNODC – United Nations Office on Drugs and Crime",
                acronym="UNODC",
                kind="international",
            ),
            node("Country", "country:at", "Austria", code="AT"),
            node(
                "Need",
                "need:rs-border-surveillance",
                "Border surveillance equipment",
                priority="high",
                cycle="needs-mapping-1",
            ),
            node(
                "Need",
                "need:xk-training",
                "Training of border police",
                priority="medium",
                cycle="needs-mapping-1",
            ),
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
            edge(
                "FUNDS",
                "org:giz",
                "project:a",
                amount=1_000_000,
                currency="EUR",
                kind="commitment",
                start="2023-01-01",
                end="2024-12-31",
            ),
            edge("FUNDS", "country:at", "project:b", amount=250_000, currency="USD", kind="commitment"),
            edge("IMPLEMENTS", "org:unodc", "project:b"),
            edge("BENEFITS", "project:a", "inst:rs-mup"),
        ],
    }


# -- a real Neo4j server --------------------------------------------------------------------------
#: The password of the session's local server (authentication is on, as in production).
TEST_PASSWORD = "kb-test-password"


@dataclass(frozen=True)
class Neo4jServer:
    """Where the tests' Neo4j is, and how to sign in to it."""

    uri: str
    user: str
    password: str
    database: str | None

    def env(self) -> dict[str, str]:
        """The variables the ``kb`` command reads to reach this server."""
        env = {"KB_NEO4J_USER": self.user, "KB_NEO4J_PASSWORD": self.password}
        if self.database:
            env["KB_NEO4J_DATABASE"] = self.database
        return env


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neo4jServer]:
    uri = os.environ.get("KB_TEST_NEO4J_URI")
    if uri:
        yield Neo4jServer(
            uri,
            os.environ.get("KB_TEST_NEO4J_USER", "neo4j"),
            os.environ.get("KB_TEST_NEO4J_PASSWORD", ""),
            os.environ.get("KB_TEST_NEO4J_DATABASE") or None,
        )
        return
    reason = local.unavailable_reason()
    if reason:
        pytest.skip(reason)
    server = local.LocalNeo4j(tmp_path_factory.mktemp("neo4j"), password=TEST_PASSWORD)
    server.start()
    try:
        yield Neo4jServer(server.uri, local.USER, TEST_PASSWORD, None)
    finally:
        server.stop()


@pytest.fixture
def neo4j_store(neo4j_server: Neo4jServer) -> Iterator[Any]:
    """An emptied, initialised Neo4j store (as after ``kb init``), emptied again afterwards."""
    from kb.store.neo4j.testing import isolated_store

    with isolated_store(
        neo4j_server.uri,
        user=neo4j_server.user,
        password=neo4j_server.password,
        database=neo4j_server.database,
    ) as store:
        yield store


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium for one test module, launched as ``kb map --png`` launches it
    (:func:`visual.png.launch`). Playwright's sync API allows one instance per thread at a time;
    module-scoped fixtures never overlap."""
    from pathlib import Path

    from visual import png

    if not Path(png.CHROMIUM).exists():
        pytest.skip(f"no chromium at {png.CHROMIUM} (make setup installs Debian's chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        chromium = png.launch(p)
        yield chromium
        chromium.close()
