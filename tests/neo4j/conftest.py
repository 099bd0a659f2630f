"""Two stores side by side: a SQLite file and the session's real Neo4j server, driven as a user would."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import KB
from tests.conftest import Neo4jServer


@pytest.fixture
def on_sqlite(tmp_path: Path) -> KB:
    return KB(tmp_path / "kb.sqlite")


@pytest.fixture
def on_neo4j(neo4j_store, neo4j_server: Neo4jServer) -> KB:
    """``kb --store bolt://…`` on an emptied, initialised database of the real server."""
    return KB(neo4j_server.uri, env=neo4j_server.env())


@pytest.fixture
def both(on_sqlite: KB, on_neo4j: KB) -> tuple[KB, KB]:
    return on_sqlite, on_neo4j
