"""The store fixture: every contract test runs once per adapter.

SQLite always runs. Neo4j runs when ``KB_TEST_NEO4J_URI`` (with ``KB_TEST_NEO4J_USER`` and
``KB_TEST_NEO4J_PASSWORD``) is set, and is reported as skipped with that reason otherwise.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from kb.store.port import GraphStore

NEO4J_URI = os.environ.get("KB_TEST_NEO4J_URI")


@pytest.fixture(params=["sqlite", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(request: pytest.FixtureRequest, tmp_path) -> Iterator[GraphStore]:
    if request.param == "sqlite":
        from kb.store.sqlite import SQLiteStore

        s: GraphStore = SQLiteStore(tmp_path / "kb.sqlite")
    else:
        if not NEO4J_URI:
            pytest.skip("Neo4j contract run needs KB_TEST_NEO4J_URI (and KB_TEST_NEO4J_USER/PASSWORD)")
        from kb.store.neo4j.testing import isolated_store

        with isolated_store(NEO4J_URI) as s:
            yield s
        return
    try:
        yield s
    finally:
        s.close()
