"""The store fixture: every contract test runs once per adapter.

SQLite always runs; Neo4j runs on the session's real server (``neo4j_server`` in
``tests/conftest.py``: a local Neo4j, or the one ``KB_TEST_NEO4J_URI`` names).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kb.store.port import GraphStore


@pytest.fixture(params=["sqlite", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(request: pytest.FixtureRequest, tmp_path) -> Iterator[GraphStore]:
    if request.param == "neo4j":
        yield request.getfixturevalue("neo4j_store")
        return
    from kb.store.sqlite import SQLiteStore

    s: GraphStore = SQLiteStore(tmp_path / "kb.sqlite")
    try:
        yield s
    finally:
        s.close()
