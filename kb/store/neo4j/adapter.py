"""The Neo4j store: the :class:`GraphStore` port on the official ``neo4j`` driver.

Every statement comes from :mod:`kb.store.neo4j.queries` (labels from the schema, values as
parameters); records are stored by the rule of :mod:`kb.store.neo4j.encoding`. Reads run in
``execute_read``, writes in ``execute_write``, always with ``database=`` and a bookmark manager
shared by the store's sessions (so a read sees the store's own earlier writes, on a cluster too).

A write batch is one transaction function: it takes the store's write lock (the ``KBMeta`` node),
reads what it needs, checks endpoints and types, then writes in ``UNWIND $rows`` chunks and logs
the write. It commits whole or not at all, and the driver may retry it: it recomputes everything
from what it reads, so a retry is safe.

Writers take turns on that lock, and a write waits for it at most ``write_wait`` seconds
(``KB_WRITE_WAIT``), as on SQLite; Neo4j itself would wait for ever. The first attempt runs with a
transaction timeout of about a second, so an uncontended write is one transaction as before. If
that attempt is stopped before it had the lock, another write holds it: ``on_wait`` is told, a
probe (the lock statement, rolled back) waits for the lock with the rest of the time as its
timeout, and the write then runs without a timeout. If it is stopped after it had the lock, the
write is simply long, and runs again without a timeout (at most the first second is lost).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from operator import itemgetter
from typing import Any, TypeVar

import networkx as nx
from neo4j import GraphDatabase, ManagedTransaction, unit_of_work
from neo4j import exceptions as neo

from graph_schema import EDGE_TYPES, NODE_TYPES, SCHEMA_VERSION
from kb.errors import ConflictError, IncompatibleStoreError, KBError, NotFoundError, StoreUnavailableError
from kb.graph import GraphColumns, check_leave_out, paused_gc, to_networkx, without
from kb.records import (
    Batch,
    EdgeRecord,
    NodeRecord,
    check_endpoints,
    check_types_unchanged,
    edge_identity,
    endpoint_ids,
)
from kb.settings import DEFAULT_WRITE_WAIT
from kb.store import history as h
from kb.store.neo4j import queries as q
from kb.store.neo4j.encoding import decode_edge, decode_node, encode_edge, encode_node
from kb.store.neo4j.errors import redact, require_supported, server_version, translate
from kb.store.port import GraphStore
from kb.store.writes import (
    Diff,
    EdgeIdentity,
    WriteLogEntry,
    WriteSummary,
    check_expected,
    chunks,
    diff,
    dumps,
    now,
    retractable,
    summary_of,
)
from kb.text import query_terms

T = TypeVar("T")

# The driver logs the server's notifications ("label KBMeta does not exist" before `kb init`) and
# its connection troubles as warnings; with no handler, Python prints each on stderr. They are for
# people writing Cypher: users get the project's one-line errors. A handler an application adds to
# the "neo4j" logger still sees them.
logging.getLogger("neo4j").addHandler(logging.NullHandler())

#: Name of the store's own ``KBMeta`` node.
META = "store"
#: Rows per ``UNWIND $rows`` statement and ids per ``IN $ids`` list.
CHUNK = 1000
#: ``LIMIT`` standing for "no limit".
NO_LIMIT = 2**62
DRIVER_ERRORS = (neo.Neo4jError, neo.DriverError)
#: How long the driver retries a transaction after a transient error (a deadlock, a cluster
#: leader switch) before the error reaches the user.
RETRY_SECONDS = 5.0
#: Seconds ``kb init`` waits for new indexes to come online.
AWAIT_SECONDS = 300
#: Timeout of a write's first attempt: a write still waiting for the lock then is told ``on_wait``.
FIRST_ATTEMPT_SECONDS = 1.0
#: Codes of a transaction the server stopped at its timeout (waiting for a lock, or running).
STOPPED_CODES = (
    "Neo.ClientError.Transaction.LockClientStopped",
    "Neo.ClientError.Transaction.TransactionTimedOut",
    "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
    "Neo.TransientError.Transaction.LockClientStopped",
    "Neo.TransientError.Transaction.Terminated",
)


class _Stopped(Exception):
    """A time-limited attempt at a write was stopped; ``locked``: it had the store's lock by then."""

    def __init__(self, locked: bool) -> None:
        super().__init__("stopped")
        self.locked = locked


class _LockFree(Exception):
    """The probe got the store's lock: it rolls back at once and the write can go."""


def _ascii(texts: Iterable[object]) -> bool:
    """Whether every one of ``texts`` is ASCII text (so Neo4j's order of them is Python's)."""
    return all(isinstance(t, str) and t.isascii() for t in texts)


class Neo4jStore(GraphStore):
    """A knowledge base in a Neo4j 5 (or later) database.

    Opening checks that the server is reachable, accepts the credentials, has the database and
    is Neo4j 5 or later; each failure is a one-line :class:`~kb.errors.StoreUnavailableError`.
    Constraints, indexes and the store record are created by :meth:`init` (``kb init``); writes
    before that are refused with a message saying so.
    """

    def __init__(
        self,
        uri: str,
        *,
        user: str = "neo4j",
        password: str = "",
        database: str | None = None,
        connection_timeout: float = 10.0,
        write_wait: float = DEFAULT_WRITE_WAIT,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        self.uri = uri
        self.write_wait = write_wait
        self.on_wait = on_wait
        self._locking = threading.local()
        #: Whether writes record their changes in the history (off only for the bench).
        self.record_history = True
        self.user = user
        self.database = database or None
        self.location = redact(uri) + (f" (database {database})" if database else "")
        if redact(uri) != uri:
            raise StoreUnavailableError(
                f"{redact(uri)}: put the user and password in KB_NEO4J_USER and KB_NEO4J_PASSWORD, "
                "not in the URI"
            )
        try:
            self._driver = GraphDatabase.driver(
                uri,
                auth=(user, password),
                connection_timeout=connection_timeout,
                max_transaction_retry_time=RETRY_SECONDS,
            )
        except (*DRIVER_ERRORS, ValueError) as exc:
            raise self._error(exc) from exc
        self._bookmarks = GraphDatabase.bookmark_manager()
        try:
            self._open()
        except KBError:
            self.close()
            raise

    # -- connection ----------------------------------------------------------------------
    def _error(self, exc: Exception) -> KBError:
        return translate(exc, uri=self.uri, database=self.database, user=self.user)

    def _open(self) -> None:
        try:
            self._driver.verify_connectivity()
        except DRIVER_ERRORS as exc:
            raise self._error(exc) from exc
        version, _ = server_version(self._read(q.SERVER_COMPONENTS))
        require_supported(version, uri=self.uri)
        if self.database is None:  # pin the home database: every later call names it
            self.database = self._read(q.HOME_DATABASE)[0]["name"]
        self._refuse_newer(self._read(q.READ_META, meta=META))

    def _refuse_newer(self, rows: list[dict[str, Any]]) -> None:
        version = rows[0]["schema_version"] if rows else None
        if isinstance(version, int) and version > SCHEMA_VERSION:
            raise IncompatibleStoreError(
                f"database {self.database} at {redact(self.uri)} has schema version {version}; "
                f"this kb understands up to {SCHEMA_VERSION}: upgrade kb"
            )

    def _execute(self, write: bool, work: Callable[..., T], *args: Any) -> T:
        try:
            with self._driver.session(database=self.database, bookmark_manager=self._bookmarks) as session:
                run = session.execute_write if write else session.execute_read
                return run(work, *args)
        except DRIVER_ERRORS as exc:
            raise self._error(exc) from exc

    def _read(self, statement: q.Cypher, /, **params: Any) -> list[dict[str, Any]]:
        def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
            return [record.data() for record in tx.run(statement, params)]

        return self._execute(False, work)

    def _ids(self, statement: q.Cypher, ids: set[str] | list[str]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for chunk in chunks(sorted(set(ids)), CHUNK):
            rows += self._read(statement, ids=chunk)
        return rows

    def close(self) -> None:
        driver = getattr(self, "_driver", None)
        if driver is not None:
            driver.close()

    # -- schema --------------------------------------------------------------------------
    def init(self) -> None:
        for statement in q.schema_statements():
            self._execute(True, lambda tx, s=statement: tx.run(s).consume())
        self._execute(True, lambda tx: tx.run(q.AWAIT_INDEXES, timeout=AWAIT_SECONDS).consume())
        rows = self._execute(
            True, lambda tx: tx.run(q.INIT_META, meta=META, schema_version=SCHEMA_VERSION).data()
        )
        self._refuse_newer(rows)

    # -- writes --------------------------------------------------------------------------
    def _lock(self, tx: ManagedTransaction) -> int:
        row = tx.run(q.LOCK_STORE, meta=META).single()
        if row is None:
            raise IncompatibleStoreError(
                f"database {self.database} at {redact(self.uri)} is not set up as a knowledge base: "
                "run `kb init`"
            )
        self._locking.locked = True
        return row["seq"]

    def _limited(self, work: Callable[[ManagedTransaction], T], seconds: float) -> Callable[..., T]:
        """``work`` as one attempt with a transaction timeout; its stop becomes :class:`_Stopped`."""

        attempted = False

        @unit_of_work(timeout=max(seconds, 0.001))  # 0 would mean no timeout at all
        def attempt(tx: ManagedTransaction) -> T:
            nonlocal attempted
            if attempted:  # the driver retrying after a stop at commit: the caller decides
                raise _Stopped(getattr(self._locking, "locked", False))
            attempted = True
            self._locking.locked = False
            try:
                return work(tx)
            except neo.Neo4jError as exc:
                if exc.code in STOPPED_CODES:
                    raise _Stopped(self._locking.locked) from exc
                raise

        return attempt

    def _busy(self) -> StoreUnavailableError:
        return StoreUnavailableError(
            f"database {self.database} at {redact(self.uri)} is busy: another write held it for more than "
            f"{self.write_wait:g} s (KB_WRITE_WAIT); nothing was written, try again later"
        )

    def _execute_write(self, work: Callable[[ManagedTransaction], T]) -> T:
        """Run ``work`` (which starts with :meth:`_lock`), waiting at most ``write_wait`` s for the lock."""
        began = time.monotonic()
        try:
            return self._execute(True, self._limited(work, min(self.write_wait, FIRST_ATTEMPT_SECONDS)))
        except _Stopped as stop:
            if stop.locked:  # not kept waiting, just a long write: again, without a timeout
                return self._execute(True, work)
        except KBError as exc:  # a driver error outside ``work`` (at commit): stopped, or not
            cause = exc.__cause__
            if not (isinstance(cause, neo.Neo4jError) and cause.code in STOPPED_CODES):
                raise
            if getattr(self._locking, "locked", False):
                return self._execute(True, work)
        if self.on_wait is not None:
            self.on_wait(f"waiting for another write to finish… (up to {self.write_wait:g} s)")
        left = self.write_wait - (time.monotonic() - began)
        if left <= 0:
            raise self._busy()

        def probe(tx: ManagedTransaction) -> None:
            self._lock(tx)
            raise _LockFree

        try:
            self._execute(True, self._limited(probe, left))
        except _LockFree:
            pass
        except _Stopped as stop:
            raise self._busy() from stop
        return self._execute(True, work)

    def _log(
        self, tx: ManagedTransaction, seq: int, actor: str, action: str, summary: dict[str, Any]
    ) -> None:
        tx.run(q.LOG_WRITE, seq=seq, at=now(), actor=actor, action=action, summary=dumps(summary)).consume()

    def upsert(self, batch: Batch, *, actor: str = "cli", action: str = "upsert") -> WriteSummary:
        # Encoding is pure: a record with no Neo4j form is refused before the server is asked.
        nodes = {n["id"]: (n, encode_node(n)) for n in batch.nodes}
        edges = {edge_identity(e): (e, encode_edge(e)) for e in batch.edges}

        def work(tx: ManagedTransaction) -> WriteSummary:
            seq = self._lock(tx)
            if batch.expect:
                check_expected(batch.expect, self._expected(tx, batch.expect))
            stored: dict[str, NodeRecord] = {}
            for chunk in chunks(sorted(nodes), CHUNK):
                stored.update((r["id"], decode_node(r["props"])) for r in tx.run(q.NODES_BY_ID, ids=chunk))
            check_types_unchanged(batch, {i: r["type"] for i, r in stored.items()})
            known: dict[str, str] = {}
            for chunk in chunks(sorted(endpoint_ids(batch) - set(nodes)), CHUNK):
                known.update((r["id"], r["type"]) for r in tx.run(q.TYPES_BY_ID, ids=chunk))
            known.update({i: n["type"] for i, (n, _) in nodes.items()})
            check_endpoints(batch, known)

            wanted = {i: decode_node(props) for i, (_, props) in nodes.items()}
            node_diff = diff(wanted, stored)
            node_rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for node_id in node_diff.changed:
                node, props = nodes[node_id]
                node_rows[node["type"]].append({"id": node_id, "props": props})
            edge_diff, edge_rows, stored_edges, wanted_edges = self._changed_edges(tx, edges)
            for type_name, rows in node_rows.items():
                for chunk in chunks(rows, CHUNK):
                    tx.run(q.UPSERT_NODES[type_name], rows=chunk).consume()
            for type_name, rows in edge_rows.items():
                for chunk in chunks(rows, CHUNK):
                    tx.run(q.UPSERT_EDGES[type_name], rows=chunk).consume()
            gone: dict[str, list[dict[str, str]]] = defaultdict(list)
            retracting = retractable(edges, batch.retract)
            retracted = self._edges_by_identity(tx, retracting) if self.record_history else {}
            for type_name, source, target, key in retracting:
                gone[type_name].append({"source": source, "target": target, "key": key})
            deleted = 0
            for type_name, rows in gone.items():
                for chunk in chunks(rows, CHUNK):
                    deleted += tx.run(q.DELETE_EDGES[type_name], rows=chunk).single()["n"]
            summary = summary_of(node_diff, edge_diff, deleted)
            if summary.changed:
                self._log(tx, seq, actor, action, {**batch.summary(), **summary.model_dump()})
                self._record(
                    tx,
                    seq,
                    [h.node_row(i, h.text(stored.get(i)), h.text(wanted[i])) for i in node_diff.changed]
                    + [
                        h.edge_row(e, h.text(stored_edges.get(e)), h.text(wanted_edges[e]))
                        for e in edge_diff.changed
                    ]
                    + [h.edge_row(e, h.text(r), None) for e, r in sorted(retracted.items())],
                )
            return summary

        return self._execute_write(work)

    def _expected(self, tx: ManagedTransaction, keys: Iterable[str | EdgeIdentity]) -> dict[Any, Any]:
        """The stored records of the node ids and edge identities a batch expects."""
        ids = sorted(k for k in keys if isinstance(k, str))
        idents = [
            dict(zip(("type", "source", "target", "key"), k, strict=True))
            for k in keys
            if not isinstance(k, str)
        ]
        found: dict[Any, Any] = {r["id"]: decode_node(r["props"]) for r in tx.run(q.NODES_BY_ID, ids=ids)}
        if idents:
            for r in tx.run(q.EDGES_BY_IDENTITY, rows=idents):
                found[(r["type"], r["source"], r["target"], r["props"]["key"])] = self._edge(r)
        return found

    def _edges_by_identity(
        self, tx: ManagedTransaction, idents: list[EdgeIdentity]
    ) -> dict[EdgeIdentity, EdgeRecord]:
        """The stored edges among ``idents``."""
        stored: dict[EdgeIdentity, EdgeRecord] = {}
        rows = [dict(zip(("type", "source", "target", "key"), ident, strict=True)) for ident in idents]
        for chunk in chunks(rows, CHUNK):
            for r in tx.run(q.EDGES_BY_IDENTITY, rows=chunk):
                stored[(r["type"], r["source"], r["target"], r["props"]["key"])] = self._edge(r)
        return stored

    def _changed_edges(
        self, tx: ManagedTransaction, edges: dict[EdgeIdentity, tuple[EdgeRecord, dict[str, Any]]]
    ) -> tuple[
        Diff[EdgeIdentity],
        dict[str, list[dict[str, Any]]],
        dict[EdgeIdentity, EdgeRecord],
        dict[EdgeIdentity, EdgeRecord],
    ]:
        """The diff of ``edges`` against the stored ones, the rows to write by edge type, the stored
        edges and the edges as they will be stored."""
        stored = self._edges_by_identity(tx, list(edges))
        wanted = {i: decode_edge(*i[:3], props) for i, (_, props) in edges.items()}
        edge_diff = diff(wanted, stored)
        rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for ident in edge_diff.changed:
            props = edges[ident][1]
            rows[ident[0]].append({"source": ident[1], "target": ident[2], "key": ident[3], "props": props})
        return edge_diff, rows, stored, wanted

    def _record(self, tx: ManagedTransaction, seq: int, rows: list[dict[str, Any]]) -> None:
        """Keep a batch's changes in the history (``KBChange`` nodes), in the write's transaction."""
        if not self.record_history:
            return
        for chunk in chunks(h.numbered(rows), CHUNK):
            tx.run(q.RECORD_CHANGES, seq=seq, rows=chunk).consume()

    def delete(self, node_id: str, *, actor: str = "cli") -> None:
        def work(tx: ManagedTransaction) -> None:
            seq = self._lock(tx)
            found = tx.run(q.GET_NODE, id=node_id).single()
            edges = [self._edge(r) for r in tx.run(q.EDGES_OF, id=node_id)] if found else []
            row = tx.run(q.DELETE_NODE, id=node_id).single()
            if row is None:
                raise NotFoundError(f"no node with id '{node_id}'")
            self._log(
                tx, seq, actor, "delete", {"id": node_id, "type": row["type"], "edges_deleted": row["edges"]}
            )
            if found is not None:
                self._record(
                    tx,
                    seq,
                    [h.node_row(node_id, h.text(decode_node(found["props"])), None)]
                    + [h.edge_row(edge_identity(e), h.text(e), None) for e in edges],
                )

        self._execute_write(work)

    # -- reads ---------------------------------------------------------------------------
    def get(self, node_id: str) -> NodeRecord:
        rows = self._read(q.GET_NODE, id=node_id)
        if not rows:
            raise NotFoundError(f"no node with id '{node_id}'")
        return decode_node(rows[0]["props"])

    def get_many(self, node_ids: list[str]) -> dict[str, NodeRecord]:
        return {r["id"]: decode_node(r["props"]) for r in self._ids(q.NODES_BY_ID, node_ids)}

    def search(self, text: str, *, limit: int = 20, types: list[str] | None = None) -> list[NodeRecord]:
        terms = query_terms(text)
        if not terms:
            return []
        # Folded terms are [a-z0-9]+ only: nothing in them is Lucene syntax.
        lucene = " ".join(f"+{term}*" for term in terms)
        rows = self._read(q.SEARCH, index=q.SEARCH_INDEX, query=lucene, types=types or None, limit=limit)
        return [decode_node(r["props"]) for r in rows]

    def nodes(
        self, *, type: str | None = None, offset: int = 0, limit: int | None = None
    ) -> list[NodeRecord]:
        if type is None:
            query = q.NODES_PAGE
        elif type in q.NODES_PAGE_OF_TYPE:
            query = q.NODES_PAGE_OF_TYPE[type]
        else:
            return []
        rows = self._read(query, offset=offset, limit=NO_LIMIT if limit is None else limit)
        return [decode_node(r["props"]) for r in rows]

    @staticmethod
    def _edge(row: dict[str, Any]) -> EdgeRecord:
        return decode_edge(row["type"], row["source"], row["target"], row["props"])

    def edges_of(self, node_id: str) -> list[EdgeRecord]:
        return [self._edge(r) for r in self._read(q.EDGES_OF, id=node_id)]

    def edges_reached(self, node_id: str, reach: Mapping[str, Collection[str]]) -> list[EdgeRecord]:
        steps = [{"via": via, "types": sorted(types)} for via, types in sorted(reach.items())]
        return [self._edge(r) for r in self._read(q.EDGES_REACHED, id=node_id, reach=steps)]

    def edges_at(self, ids: set[str]) -> list[EdgeRecord]:
        found = {edge_identity(e): e for e in map(self._edge, self._ids(q.EDGES_AT, ids))}
        return [found[k] for k in sorted(found)]

    # -- primitives of the selection rules (the rules are in kb.selection) -----------------
    def ends(self, edge_type: str, *, side: str, others: set[str]) -> set[str]:
        if side not in ("source", "target"):
            raise ValueError(f"side must be 'source' or 'target', not {side!r}")
        query = q.ENDS.get((edge_type, side))
        if query is None:
            return set()
        return {r["id"] for r in self._ids(query, others)}

    def ids_in_period(self, low: str, high: str) -> set[str]:
        return {r["id"] for r in self._read(q.IDS_IN_PERIOD, low=low, high=high)}

    def ids_in_cycle(self, cycle: str) -> set[str]:
        return {r["id"] for r in self._read(q.IDS_IN_CYCLE, cycle=cycle)}

    def types_of(self, ids: set[str]) -> dict[str, str]:
        return {r["id"]: r["type"] for r in self._ids(q.TYPES_BY_ID, ids)}

    def neighbours(self, ids: set[str]) -> set[str]:
        return {r["id"] for r in self._ids(q.NEIGHBOURS, ids)} - ids

    def induced(self, ids: set[str]) -> nx.MultiDiGraph:
        nodes = self.get_many(sorted(ids))
        edges = [self._edge(r) for r in self._read(q.INDUCED_EDGES, ids=sorted(nodes))] if nodes else []
        return to_networkx(nodes.values(), edges)

    # -- whole-store reads ---------------------------------------------------------------
    def counts(self) -> dict[str, dict[str, int]]:
        nodes = dict.fromkeys(NODE_TYPES, 0) | {r["type"]: r["n"] for r in self._read(q.COUNT_NODES)}
        edges = dict.fromkeys(EDGE_TYPES, 0) | {r["type"]: r["n"] for r in self._read(q.COUNT_EDGES)}
        return {"nodes": nodes, "edges": edges}

    def iter_nodes(self, batch_size: int = 1000) -> Iterator[list[NodeRecord]]:
        after = ""
        while True:
            rows = self._read(q.ITER_NODES, after=after, limit=batch_size)
            if not rows:
                return
            after = rows[-1]["props"]["id"]
            yield [decode_node(r["props"]) for r in rows]

    def iter_edges(self, batch_size: int = 1000) -> Iterator[list[EdgeRecord]]:
        """Every edge, ordered by (source, type, target, key), ``batch_size`` at a time."""
        after, pending = "", []
        while True:
            rows = self._read(q.ITER_EDGES, after=after, limit=batch_size)
            if not rows:
                break
            after = max(r["source"] for r in rows)
            pending += [self._edge(r) for r in rows if r["type"] is not None]
            while len(pending) >= batch_size:
                yield pending[:batch_size]
                pending = pending[batch_size:]
        if pending:
            yield pending

    # -- the fast whole-graph read (issue 15) ---------------------------------------------
    def graph_columns(self, *, leave_out: frozenset[str] = frozenset()) -> GraphColumns:
        """Every node and edge in one read transaction (see the port): one statement for the
        nodes and one per edge type, in the type names' order, each answering with one row of
        lists, so there is no round trip per 1,000 records and no record object per node or edge.

        The server sorts; where a text is not ASCII, its order (possibly by UTF-16 code units) may
        differ from Python's (by code points), so then the adapter sorts again. The server leaves
        out the store's own ``search`` text and the ``leave_out`` properties.
        """
        unwanted = sorted(check_leave_out(leave_out) | {"search"})

        def work(tx: ManagedTransaction) -> GraphColumns:
            columns = GraphColumns()
            with paused_gc():
                pairs = tx.run(q.ALL_NODES, leave_out=unwanted).single(strict=True)["props"]
                nodes = without([decode_node(dict(p)) for p in pairs], leave_out)
                del pairs
                if not _ascii(n["id"] for n in nodes):
                    nodes.sort(key=itemgetter("id"))
                columns.add_nodes(nodes)
                del nodes
                for kind in sorted(EDGE_TYPES):
                    row = tx.run(q.ALL_EDGES_OF_TYPE[kind]).single(strict=True)
                    edges = [
                        decode_edge(kind, source, target, props)
                        for source, target, props in zip(
                            row["sources"], row["targets"], row["props"], strict=True
                        )
                    ]
                    del row
                    if not _ascii(text for e in edges for text in (e["source"], e["target"], e.get("key"))):
                        edges.sort(key=edge_identity)
                    columns.add_edges(edges)
            return columns

        return self._execute(False, work)

    def data_version(self) -> str:
        """The latest write's number and time (one index lookup): every write that changes
        something logs itself in its transaction, so this changes with the data (see the port)."""
        rows = self._read(q.LATEST_WRITE)
        latest = f"{rows[0]['seq']}:{rows[0]['at']}" if rows else "0"
        return f"neo4j:{self.location}:{self.database}:{latest}"

    def write_log(self, limit: int = 100) -> list[WriteLogEntry]:
        return [self._entry(r) for r in self._read(q.WRITE_LOG, limit=limit)]

    @staticmethod
    def _entry(r: dict[str, Any]) -> WriteLogEntry:
        return WriteLogEntry(
            at=r["at"],
            actor=r["actor"],
            action=r["action"],
            summary=json.loads(r["summary"]),
            batch=r.get("batch"),
        )

    # -- history (kb.store.history) ------------------------------------------------------------
    def history(self, record_id: str) -> list[h.Change]:
        return [h.change_of(r) for r in self._read(q.HISTORY, id=record_id)]

    def changes(self, *, after: int = 0, upto: int | None = None) -> list[h.Change]:
        after = max(0, min(after, h.MAX_BATCH))
        upto = h.MAX_BATCH if upto is None else max(0, min(upto, h.MAX_BATCH))
        rows = self._read(q.CHANGES, after=after, upto=upto)
        return [h.change_of(r) for r in rows]

    def batch(self, batch_id: int) -> WriteLogEntry:
        h.known_batch(batch_id)
        rows = self._read(q.BATCH, seq=batch_id)
        if not rows:
            raise NotFoundError(f"no batch {batch_id} in the write log")
        return self._entry(rows[0])

    def last_batch(self, *, until: str | None = None) -> int:
        rows = self._read(q.LAST_BATCH) if until is None else self._read(q.LAST_BATCH_UNTIL, until=until)
        return int(rows[0]["batch"] or 0) if rows else 0

    def revert(self, batch_id: int, *, force: bool = False, actor: str = "cli") -> h.Reverted:
        h.known_batch(batch_id)

        def work(tx: ManagedTransaction) -> h.Reverted:
            seq = self._lock(tx)
            if tx.run(q.BATCH, seq=batch_id).single() is None:
                raise NotFoundError(f"no batch {batch_id} in the write log")
            own = [h.change_of(r.data()) for r in tx.run(q.CHANGES, after=batch_id - 1, upto=batch_id)]
            records = sorted({c.record for c in own})
            later: list[h.Change] = []
            for chunk in chunks(records, CHUNK):
                later += [
                    h.change_of(r.data()) for r in tx.run(q.LATER_CHANGES, after=batch_id, records=chunk)
                ]
            clashing = h.conflicts(batch_id, own, later)
            if clashing and not force:
                raise h.refusal(batch_id, clashing)
            return self._restore(tx, seq, batch_id, h.revert_targets(own), actor)

        return self._execute_write(work)

    def _restore(
        self,
        tx: ManagedTransaction,
        seq: int,
        batch_id: int,
        targets: list[tuple[h.Kind, str, EdgeIdentity | None, dict[str, Any] | None]],
        actor: str,
    ) -> h.Reverted:
        """Write ``targets`` (each record's state to restore), recording the changes as one batch."""
        done = h.Reverted(reverted=batch_id)
        rows: list[dict[str, Any]] = []
        for kind, record, ident, wanted in targets:
            if kind == "node":
                found = tx.run(q.GET_NODE, id=record).single()
                current = None if found is None else decode_node(found["props"])
            else:
                assert ident is not None
                current = self._edges_by_identity(tx, [ident]).get(ident)
            if current == wanted:
                continue
            if kind == "node":
                if wanted is None:
                    for edge in [self._edge(r) for r in tx.run(q.EDGES_OF, id=record)]:
                        rows.append(h.edge_row(edge_identity(edge), h.text(edge), None))
                        done.count("edge", edge, None)
                    tx.run(q.DELETE_NODE, id=record).consume()
                else:
                    props = encode_node(wanted)
                    tx.run(q.UPSERT_NODES[wanted["type"]], rows=[{"id": record, "props": props}]).consume()
                rows.append(h.node_row(record, h.text(current), h.text(wanted)))
            else:
                assert ident is not None
                type_name, source, target, key = ident
                if wanted is None:
                    where = {"source": source, "target": target, "key": key}
                    tx.run(q.DELETE_EDGES[type_name], rows=[where]).consume()
                else:
                    there = {r["id"] for r in tx.run(q.TYPES_BY_ID, ids=[source, target])}
                    missing = [i for i in (source, target) if i not in there]
                    if missing:
                        raise ConflictError(
                            f"batch {batch_id} cannot be reverted: edge {record} cannot be restored, "
                            f"node {missing[0]} is gone; nothing was changed"
                        )
                    row = {"source": source, "target": target, "key": key, "props": encode_edge(wanted)}
                    tx.run(q.UPSERT_EDGES[type_name], rows=[row]).consume()
                rows.append(h.edge_row(ident, h.text(current), h.text(wanted)))
            done.count(kind, current, wanted)
        if rows:
            done.batch = seq
            self._log(tx, seq, actor, f"revert batch {batch_id}", done.model_dump(exclude={"batch"}))
            self._record(tx, seq, rows)
        return done
