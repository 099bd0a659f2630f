"""An isolated Neo4j store for the contract suite (``tests/contract``).

Isolation is by wiping, one test at a time: Neo4j Community (the usual ``docker run neo4j:5``)
and Aura have no ``CREATE DATABASE``, so fresh databases are not an option everywhere.

- The suite uses the server it starts itself (:mod:`kb.store.neo4j.local`), or the one named by
  ``KB_TEST_NEO4J_URI``, and the database named by ``KB_TEST_NEO4J_DATABASE`` (default: the
  server's default database), with ``KB_TEST_NEO4J_USER`` / ``KB_TEST_NEO4J_PASSWORD``.
- Before its first use the database must be **empty**; the suite then marks it with a
  ``KBTestMarker`` node as its own. A database holding anything else and no marker is refused
  with a message, never wiped: pointing the suite at real data cannot destroy it.
- Each test gets the marked database emptied (all but the marker), initialised by ``kb init``'s
  :meth:`~kb.store.neo4j.Neo4jStore.init`, and emptied again afterwards.
- Tests that share one database take turns: a file lock per server and database (in the
  temporary directory) serialises them across processes, so ``pytest -n`` stays correct.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kb.errors import StoreUnavailableError
from kb.store.neo4j import queries as q
from kb.store.neo4j.adapter import META, Neo4jStore
from kb.store.neo4j.errors import redact
from kb.store.writes import now

try:
    import fcntl
except ImportError:  # Windows: no cross-process lock; run the Neo4j contract suite without -n there
    fcntl = None  # type: ignore[assignment]


def lock_path(uri: str, database: str | None) -> Path:
    """The lock file shared by every test process using ``database`` on ``uri``."""
    digest = hashlib.sha256(f"{redact(uri)}|{database or ''}".encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"kb-neo4j-test-{digest}.lock"


@contextmanager
def _turn(path: Path) -> Iterator[None]:
    with open(path, "a+") as handle:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _claim(store: Neo4jStore) -> None:
    """Mark the database as the suite's, or refuse it if it holds data that is not the suite's."""
    marked = store._read(q.COUNT_TEST_MARKERS)[0]["n"]
    if not marked:
        if store._read(q.COUNT_ALL_NODES)[0]["n"]:
            raise StoreUnavailableError(
                f"database {store.database} at {redact(store.uri)} holds data and is not a test database: "
                "the contract suite empties its database, so give it an empty one (KB_TEST_NEO4J_DATABASE)"
            )
        created = now()
        store._execute(True, lambda tx: tx.run(q.MARK_TEST_DATABASE, meta=META, created=created).consume())


def _wipe(store: Neo4jStore) -> None:
    store._execute(True, lambda tx: tx.run(q.WIPE_TEST_DATABASE).consume())


@contextmanager
def isolated_store(
    uri: str, *, user: str = "neo4j", password: str = "", database: str | None = None
) -> Iterator[Neo4jStore]:
    """A :class:`Neo4jStore` on an emptied, initialised test database; emptied again on exit."""
    with _turn(lock_path(uri, database)):
        store = Neo4jStore(uri, user=user, password=password, database=database)
        try:
            _claim(store)  # refuses a database that is not the suite's: then nothing is wiped
        except BaseException:
            store.close()
            raise
        try:
            _wipe(store)
            store.init()
            yield store
        finally:
            try:
                _wipe(store)
            finally:
                store.close()
