"""The embedded store: one SQLite file (stdlib sqlite3, WAL, foreign keys, FTS5).

Each node is a row holding its validated record as JSON and its folded search text; FTS5
indexes that text and triggers keep it in step. Each write batch is one ``BEGIN IMMEDIATE``
transaction: it commits whole or rolls back whole.

Opening and reading never create a store unless asked to (``create``): a mistyped path is a
one-line "no knowledge base at PATH" and nothing appears on disk. A store whose file or folder
is not writable is opened read-only (``mode=ro``; ``immutable=1`` when the folder cannot hold
the WAL side files), so it can be read, and a write to it says it is read-only.

Writers take turns: a write that finds another one under way waits for it, up to
``write_wait`` seconds (``KB_WRITE_WAIT``), calling ``on_wait`` once so a terminal can say so,
then gives up with a message saying so; nothing of it is written. Large imports stay one
transaction (all-or-nothing), so it is the writers behind them that wait.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from operator import itemgetter
from pathlib import Path
from typing import Any

import networkx as nx
import orjson

from graph_schema import EDGE_TYPES, NODE_TYPES, PERIOD_FIELDS, searchable_fields
from kb.errors import (
    ConflictError,
    IncompatibleStoreError,
    KBError,
    NotFoundError,
    StoreError,
    StoreUnavailableError,
)
from kb.graph import GraphColumns, check_leave_out, paused_gc, to_networkx
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
from kb.text import query_terms, search_text

#: PRAGMA application_id of a knowledge-base file ("WBKB").
APPLICATION_ID = 0x57424B42
#: Ids per ``IN (?, ...)`` list.
CHUNK = 500
#: How long a read waits for a lock (only a checkpoint or a recovery takes one under WAL), in ms.
READ_BUSY_MS = 5000
#: A write that has waited this long for another write is told to ``on_wait`` (seconds).
WAIT_NOTICE = 1.0

MIGRATIONS: tuple[str, ...] = (
    # 1: nodes, edges, full-text search, write log
    """
    CREATE TABLE nodes (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        record TEXT NOT NULL,
        search TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX nodes_by_type ON nodes(type, id);
    CREATE TABLE edges (
        rowid INTEGER PRIMARY KEY,
        type TEXT NOT NULL,
        source TEXT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
        target TEXT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
        key TEXT NOT NULL DEFAULT '',
        record TEXT NOT NULL,
        UNIQUE (type, source, target, key)
    );
    CREATE INDEX edges_by_source ON edges(source, type);
    CREATE INDEX edges_by_target ON edges(target, type);
    CREATE VIRTUAL TABLE nodes_fts USING fts5(
        search, content='nodes', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER nodes_ai AFTER INSERT ON nodes BEGIN
        INSERT INTO nodes_fts(rowid, search) VALUES (new.rowid, new.search);
    END;
    CREATE TRIGGER nodes_ad AFTER DELETE ON nodes BEGIN
        INSERT INTO nodes_fts(nodes_fts, rowid, search) VALUES ('delete', old.rowid, old.search);
    END;
    CREATE TRIGGER nodes_au AFTER UPDATE OF search ON nodes BEGIN
        INSERT INTO nodes_fts(nodes_fts, rowid, search) VALUES ('delete', old.rowid, old.search);
        INSERT INTO nodes_fts(rowid, search) VALUES (new.rowid, new.search);
    END;
    CREATE TABLE writes (
        rowid INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        summary TEXT NOT NULL
    );
    """,
    # 2: the history of every record (kb.store.history): per batch (a ``writes`` row, its rowid
    # the batch number), each node's and edge's record before and after
    """
    CREATE TABLE changes (
        rowid INTEGER PRIMARY KEY,
        batch INTEGER NOT NULL REFERENCES writes(rowid),
        n INTEGER NOT NULL,
        kind TEXT NOT NULL,
        record TEXT NOT NULL,
        source TEXT,
        target TEXT,
        before TEXT,
        after TEXT
    );
    CREATE INDEX changes_by_batch ON changes(batch, n);
    CREATE INDEX changes_by_record ON changes(record);
    CREATE INDEX changes_by_source ON changes(source) WHERE source IS NOT NULL;
    CREATE INDEX changes_by_target ON changes(target) WHERE target IS NOT NULL;
    CREATE INDEX writes_by_at ON writes(at);
    """,
)
#: The store file's ``user_version``: the number of migrations.
STORE_VERSION = len(MIGRATIONS)
#: The first store version that keeps the history.
HISTORY_VERSION = 2


def node_search_text(node: NodeRecord) -> str:
    fields = searchable_fields()[node["type"]]
    return search_text([node.get(f) for f in fields])


def missing_store(path: Path) -> StoreUnavailableError:
    """The one-line error of a read where no store file is."""
    return StoreUnavailableError(f"no knowledge base at {path} (create it with kb init)")


def _not_a_database(exc: sqlite3.Error) -> bool:
    return getattr(exc, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_NOTADB


def _busy(exc: sqlite3.Error) -> bool:
    return getattr(exc, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_BUSY


class SQLiteStore(GraphStore):
    """The default store: a single SQLite file at ``path``.

    ``create``: a missing file (and its folders) is made on opening. Without it nothing is made
    by opening or reading: a read of a missing store raises "no knowledge base at PATH", and the
    first write (``upsert``, ``delete``) creates it. ``write_wait``: seconds a write waits for
    another one to finish; ``on_wait`` is called once when a write starts waiting.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        create: bool = True,
        write_wait: float = DEFAULT_WRITE_WAIT,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        self.path = Path(path).expanduser()
        self.location = str(self.path)
        self.create = create
        self.write_wait = write_wait
        self.on_wait = on_wait
        #: Whether the file or its folder is not writable (known once a connection is open).
        self.read_only = False
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        #: The file's schema version, once opened (older files are brought up to date by ``init``).
        self._version = STORE_VERSION
        #: Whether writes record their changes in the history. Off only for throw-away stores (the
        #: state of a past date) and the bench measuring what history costs.
        self.record_history = True
        self.init()

    # -- connections -------------------------------------------------------------------
    def _uri(self) -> str:
        """The ``file:`` URI to open: read-write, or read-only when the file or its folder is not writable."""
        folder = self.path.parent
        uri = self.path.resolve().as_uri()
        if not self.path.exists():
            return uri + "?mode=rwc"
        self.read_only = not (os.access(self.path, os.W_OK) and os.access(folder, os.W_OK))
        if not self.read_only:
            return uri + "?mode=rw"
        # Reading a WAL file needs its -shm side file; a folder that cannot hold one is read as
        # immutable (nobody can be writing there), unless the side files are there already.
        sides = all(Path(f"{self.path}{end}").exists() for end in ("-wal", "-shm"))
        return uri + ("?mode=ro" if os.access(folder, os.W_OK) or sides else "?mode=ro&immutable=1")

    def _open(self) -> sqlite3.Connection:
        if not self.create and not self.path.exists():
            raise missing_store(self.path)
        try:
            if self.create:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(
                self._uri(),
                uri=True,
                isolation_level=None,
                check_same_thread=False,
                timeout=READ_BUSY_MS / 1000,
            )
            conn.execute(f"PRAGMA busy_timeout = {READ_BUSY_MS}")
            conn.execute("PRAGMA foreign_keys = ON")
            # Under WAL, NORMAL keeps the database consistent after a crash and skips one fsync per commit.
            conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error as exc:
            if _not_a_database(exc):
                raise IncompatibleStoreError(f"{self.path} is not a knowledge-base store ({exc})") from exc
            raise StoreUnavailableError(f"cannot open store {self.path}: {exc}") from exc
        except OSError as exc:
            raise StoreUnavailableError(f"cannot open store {self.path}: {exc}") from exc
        with self._lock:
            self._connections.append(conn)
        return conn

    @property
    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._open()
        return conn

    def close(self) -> None:
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()

    def _refuse_read_only(self) -> StoreUnavailableError:
        return StoreUnavailableError(
            f"store {self.path} is read-only (the file or its folder is not writable): nothing was written"
        )

    def _begin(self, conn: sqlite3.Connection) -> None:
        """``BEGIN IMMEDIATE``, waiting up to ``write_wait`` seconds for another write to finish."""
        deadline = time.monotonic() + self.write_wait
        told = False
        try:
            while True:
                left = max(0.0, deadline - time.monotonic())
                conn.execute(
                    f"PRAGMA busy_timeout = {int(1000 * (left if told else min(left, WAIT_NOTICE)))}"
                )
                try:
                    conn.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.Error as exc:
                    if getattr(exc, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_READONLY:
                        raise self._refuse_read_only() from exc
                    if not _busy(exc):
                        raise StoreError(f"store {self.path} refused to start a write: {exc}") from exc
                    if time.monotonic() >= deadline:
                        raise StoreUnavailableError(
                            f"store {self.path} is busy: another write held it for more than "
                            f"{self.write_wait:g} s (KB_WRITE_WAIT); nothing was written, try again later"
                        ) from exc
                    if not told and self.on_wait is not None:
                        self.on_wait(f"waiting for another write to finish… (up to {self.write_wait:g} s)")
                    told = True
        finally:
            conn.execute(f"PRAGMA busy_timeout = {READ_BUSY_MS}")

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        if not self.path.exists():  # a store opened without ``create``: the first write makes it
            self.create = True
            self.init()
        conn = self._conn
        if self.read_only:
            raise self._refuse_read_only()
        self._begin(conn)
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")

    def _read(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row | tuple]:
        try:
            return self._conn.execute(sql, tuple(params)).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"store {self.path}: {exc}") from exc

    # -- schema ------------------------------------------------------------------------
    def init(self) -> None:
        """Check the file is a knowledge base and bring it to the current schema.

        A missing file opened without ``create`` is left missing: only a write makes it.
        """
        if not self.create and not self.path.exists():
            return
        conn = self._conn
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        except sqlite3.Error as exc:
            self.close()
            if _not_a_database(exc):
                raise IncompatibleStoreError(f"{self.path} is not a knowledge-base store ({exc})") from exc
            raise StoreUnavailableError(f"cannot read store {self.path}: {exc}") from exc
        if app_id != APPLICATION_ID and (app_id != 0 or tables):
            self.close()
            raise IncompatibleStoreError(f"{self.path} is an SQLite file but not a knowledge-base store")
        if version > STORE_VERSION:
            self.close()
            raise IncompatibleStoreError(
                f"{self.path} has schema version {version}; this kb understands up to {STORE_VERSION}: upgrade kb"
            )
        self._version = version
        if self.read_only:
            if version < 1:
                self.close()
                raise StoreUnavailableError(
                    f"store {self.path} is read-only and has schema version {version}: "
                    f"open it once with write access to bring it to version {STORE_VERSION}"
                )
            # An older store read without write access is read as it is: without history.
            return
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            for number in range(version, STORE_VERSION):
                try:
                    conn.executescript(
                        f"BEGIN IMMEDIATE;\n{MIGRATIONS[number]}\n"
                        f"PRAGMA application_id = {APPLICATION_ID};\nPRAGMA user_version = {number + 1};\nCOMMIT;"
                    )
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
                self._version = number + 1
        except sqlite3.Error as exc:
            raise StoreUnavailableError(f"cannot prepare store {self.path}: {exc}") from exc

    # -- writes ------------------------------------------------------------------------
    def _types(self, conn: sqlite3.Connection, ids: Iterable[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for chunk in chunks(sorted(set(ids)), CHUNK):
            marks = ",".join("?" * len(chunk))
            found.update(conn.execute(f"SELECT id, type FROM nodes WHERE id IN ({marks})", chunk).fetchall())
        return found

    def upsert(self, batch: Batch, *, actor: str = "cli", action: str = "upsert") -> WriteSummary:
        try:
            with self._write() as conn:
                if batch.expect:
                    check_expected(batch.expect, self._expected(conn, batch.expect))
                node_ids = [n["id"] for n in batch.nodes]
                stored = {}
                for chunk in chunks(sorted(set(node_ids)), CHUNK):
                    marks = ",".join("?" * len(chunk))
                    stored.update(
                        (row[0], (row[1], row[2]))
                        for row in conn.execute(
                            f"SELECT id, type, record FROM nodes WHERE id IN ({marks})", chunk
                        )
                    )
                check_types_unchanged(batch, {k: v[0] for k, v in stored.items()})
                known = self._types(conn, endpoint_ids(batch) - set(node_ids))
                known.update({n["id"]: n["type"] for n in batch.nodes})
                check_endpoints(batch, known)
                nodes = {n["id"]: n for n in batch.nodes}
                texts = {node_id: dumps(node) for node_id, node in nodes.items()}
                node_diff = diff(texts, {k: v[1] for k, v in stored.items()})
                conn.executemany(
                    "INSERT INTO nodes(id, type, record, search) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(id) DO UPDATE SET record = excluded.record, search = excluded.search",
                    [(i, nodes[i]["type"], texts[i], node_search_text(nodes[i])) for i in node_diff.changed],
                )
                edge_diff, edge_texts, stored_edges = self._upsert_edges(conn, batch.edges)
                gone = retractable((edge_identity(e) for e in batch.edges), batch.retract)
                retracted: list[tuple[EdgeIdentity, str]] = []
                for ident in gone:
                    row = conn.execute(
                        "DELETE FROM edges WHERE type = ? AND source = ? AND target = ? AND key = ? "
                        "RETURNING record",
                        ident,
                    ).fetchone()
                    if row is not None:
                        retracted.append((ident, row[0]))
                summary = summary_of(node_diff, edge_diff, len(retracted))
                if summary.changed:
                    write = self._log(conn, actor, action, {**batch.summary(), **summary.model_dump()})
                    self._record(
                        conn,
                        write,
                        [
                            h.node_row(i, stored[i][1] if i in stored else None, texts[i])
                            for i in node_diff.changed
                        ]
                        + [h.edge_row(e, stored_edges.get(e), edge_texts[e]) for e in edge_diff.changed]
                        + [h.edge_row(e, before, None) for e, before in retracted],
                    )
        except KBError:
            raise
        except sqlite3.Error as exc:
            raise StoreError(f"store {self.path} refused the batch: {exc}") from exc
        return summary

    @staticmethod
    def _expected(conn: sqlite3.Connection, keys: Iterable[str | EdgeIdentity]) -> dict[Any, Any]:
        """The stored records of the node ids and edge identities a batch expects."""
        found: dict[Any, Any] = {}
        for key in keys:
            if isinstance(key, str):
                row = conn.execute("SELECT record FROM nodes WHERE id = ?", (key,)).fetchone()
            else:
                row = conn.execute(
                    "SELECT record FROM edges WHERE type = ? AND source = ? AND target = ? AND key = ?", key
                ).fetchone()
            if row is not None:
                found[key] = json.loads(row[0])
        return found

    def _upsert_edges(
        self, conn: sqlite3.Connection, edges: list[EdgeRecord]
    ) -> tuple[Diff[EdgeIdentity], dict[EdgeIdentity, str], dict[EdgeIdentity, str]]:
        """Write the changed edges; their diff, their texts and the stored texts they replace."""
        texts = {edge_identity(e): dumps(e) for e in edges}
        # Look the batch's edges up through the (type, source, target, key) index in one join.
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (type TEXT, source TEXT, target TEXT, key TEXT)")
        conn.execute("DELETE FROM temp.wanted")
        conn.executemany("INSERT INTO temp.wanted VALUES (?, ?, ?, ?)", texts)
        stored: dict[EdgeIdentity, str] = {
            (r[0], r[1], r[2], r[3]): r[4]
            for r in conn.execute(
                "SELECT e.type, e.source, e.target, e.key, e.record FROM temp.wanted w JOIN edges e "
                "ON e.type = w.type AND e.source = w.source AND e.target = w.target AND e.key = w.key"
            )
        }
        edge_diff = diff(texts, stored)
        conn.executemany(
            "INSERT INTO edges(type, source, target, key, record) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(type, source, target, key) DO UPDATE SET record = excluded.record",
            [(*ident, texts[ident]) for ident in edge_diff.changed],
        )
        return edge_diff, texts, stored

    def _log(self, conn: sqlite3.Connection, actor: str, action: str, summary: dict[str, Any]) -> int:
        """Log a write; its row id is the batch's number."""
        cursor = conn.execute(
            "INSERT INTO writes(at, actor, action, summary) VALUES (?, ?, ?, ?)",
            (now(), actor, action, dumps(summary)),
        )
        return int(cursor.lastrowid or 0)

    def _record(self, conn: sqlite3.Connection, batch: int, rows: list[dict[str, Any]]) -> None:
        """Keep a batch's changes in the history, in the write's transaction."""
        if not self.record_history or self._version < HISTORY_VERSION:
            return
        conn.executemany(
            "INSERT INTO changes(batch, n, kind, record, source, target, before, after) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (batch, r["n"], r["kind"], r["record"], r["source"], r["target"], r["before"], r["after"])
                for r in h.numbered(rows)
            ],
        )

    def delete(self, node_id: str, *, actor: str = "cli") -> None:
        with self._write() as conn:
            row = conn.execute("SELECT type, record FROM nodes WHERE id = ?", (node_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"no node with id '{node_id}'")
            edges = self._edge_texts_touching(conn, node_id)
            conn.execute("DELETE FROM nodes WHERE id = ?", (node_id,))
            write = self._log(
                conn, actor, "delete", {"id": node_id, "type": row[0], "edges_deleted": len(edges)}
            )
            self._record(
                conn,
                write,
                [h.node_row(node_id, row[1], None)] + [h.edge_row(e, text, None) for e, text in edges],
            )

    def _edge_texts_touching(self, conn: sqlite3.Connection, node_id: str) -> list[tuple[EdgeIdentity, str]]:
        """The edges at ``node_id`` (which a delete of the node takes with it), by identity."""
        return [
            ((r[0], r[1], r[2], r[3]), r[4])
            for r in conn.execute(
                "SELECT type, source, target, key, record FROM edges WHERE source = ? OR target = ? "
                "ORDER BY type, source, target, key",
                (node_id, node_id),
            )
        ]

    # -- reads -------------------------------------------------------------------------
    def get(self, node_id: str) -> NodeRecord:
        rows = self._read("SELECT record FROM nodes WHERE id = ?", (node_id,))
        if not rows:
            raise NotFoundError(f"no node with id '{node_id}'")
        return json.loads(rows[0][0])

    def get_many(self, node_ids: list[str]) -> dict[str, NodeRecord]:
        found: dict[str, NodeRecord] = {}
        for chunk in chunks(sorted(set(node_ids)), CHUNK):
            marks = ",".join("?" * len(chunk))
            for node_id, record in self._read(f"SELECT id, record FROM nodes WHERE id IN ({marks})", chunk):
                found[node_id] = json.loads(record)
        return found

    def search(self, text: str, *, limit: int = 20, types: list[str] | None = None) -> list[NodeRecord]:
        terms = query_terms(text)
        if not terms:
            return []
        match = " ".join(f'"{t}"*' for t in terms)
        sql = (
            "SELECT n.record FROM nodes_fts JOIN nodes n ON n.rowid = nodes_fts.rowid WHERE nodes_fts MATCH ?"
        )
        params: list[Any] = [match]
        if types:
            sql += f" AND n.type IN ({','.join('?' * len(types))})"
            params.extend(types)
        sql += " ORDER BY length(n.search), n.id LIMIT ?"
        params.append(limit)
        return [json.loads(r[0]) for r in self._read(sql, params)]

    def nodes(
        self, *, type: str | None = None, offset: int = 0, limit: int | None = None
    ) -> list[NodeRecord]:
        sql, params = "SELECT record FROM nodes", []
        if type:
            sql += " WHERE type = ?"
            params.append(type)
        sql += " ORDER BY id LIMIT ? OFFSET ?"
        params += [-1 if limit is None else limit, offset]
        return [json.loads(r[0]) for r in self._read(sql, params)]

    def edges_of(self, node_id: str) -> list[EdgeRecord]:
        rows = self._read(
            "SELECT type, source, target, key, record FROM edges WHERE source = ? UNION ALL "
            "SELECT type, source, target, key, record FROM edges WHERE target = ? AND source != ? "
            "ORDER BY 1, 2, 3, 4",
            (node_id, node_id, node_id),
        )
        return [json.loads(r[4]) for r in rows]

    def edges_reached(self, node_id: str, reach: Mapping[str, Collection[str]]) -> list[EdgeRecord]:
        """One query (:func:`reached_sql`); only the edges returned are decoded."""
        steps = sorted((via, wanted) for via, types in reach.items() for wanted in types)
        rows = self._read(reached_sql(len(steps)), [*(x for step in steps for x in step), *[node_id] * 3])
        return _decoded(r[4] for r in rows)

    def edges_at(self, ids: set[str]) -> list[EdgeRecord]:
        found = {edge_identity(e): e for e in self._edges_touching(ids)}
        return [found[k] for k in sorted(found)]

    def _edges_touching(self, ids: set[str]) -> list[EdgeRecord]:
        found: dict[tuple, EdgeRecord] = {}
        for chunk in chunks(sorted(ids), CHUNK):
            marks = ",".join("?" * len(chunk))
            for (record,) in self._read(
                f"SELECT record FROM edges WHERE source IN ({marks}) UNION "
                f"SELECT record FROM edges WHERE target IN ({marks})",
                chunk + chunk,
            ):
                edge = json.loads(record)
                found[edge_identity(edge)] = edge
        return list(found.values())

    # -- primitives of the selection rules (the rules are in kb.selection) ----------------
    def _column(self, sql: str, params: Iterable[Any] = ()) -> set[str]:
        return {r[0] for r in self._read(sql, params)}

    def ends(self, edge_type: str, *, side: str, others: set[str]) -> set[str]:
        other = "target" if side == "source" else "source"
        column = {"source": "source", "target": "target"}[side]
        found: set[str] = set()
        for chunk in chunks(sorted(others), CHUNK):
            marks = ",".join("?" * len(chunk))
            found |= self._column(
                f"SELECT {column} FROM edges WHERE type = ? AND {other} IN ({marks})", [edge_type, *chunk]
            )
        return found

    def ids_in_period(self, low: str, high: str) -> set[str]:
        """Nodes of the types ``graph_schema`` gives a period (``PERIOD_FIELDS``) that meet [low, high].

        An open-ended period (needs, projects) meets it unless it ends before ``low`` or starts
        after ``high``; a missing start or end is open on that side. A period that is not open-ended
        (an event) is placed by its first day only: its end (``end_date``) is ignored, here as in
        the Neo4j store's ``IDS_IN_PERIOD``.
        """
        parts: list[str] = []
        params: list[str] = []
        for type_name, fields in PERIOD_FIELDS.items():
            if type_name not in NODE_TYPES:
                continue
            start, end = f"$.{fields.start}", f"$.{fields.end}"
            if fields.open_ended:
                parts.append(
                    "SELECT id FROM nodes WHERE type = ? AND coalesce(json_extract(record, ?), ?) <= ? "
                    "AND coalesce(json_extract(record, ?), ?) >= ?"
                )
                params += [type_name, start, low, high, end, high, low]
            else:
                parts.append(
                    "SELECT id FROM nodes WHERE type = ? AND json_extract(record, ?) BETWEEN ? AND ?"
                )
                params += [type_name, start, low, high]
        return self._column(" UNION ".join(parts), params)

    def ids_in_cycle(self, cycle: str) -> set[str]:
        return self._column("SELECT id FROM nodes WHERE json_extract(record, '$.cycle') = ?", (cycle,))

    def types_of(self, ids: set[str]) -> dict[str, str]:
        return self._types(self._conn, ids)

    def neighbours(self, ids: set[str]) -> set[str]:
        return {e[end] for e in self._edges_touching(ids) for end in ("source", "target")} - ids

    def induced(self, ids: set[str]) -> nx.MultiDiGraph:
        """The nodes among ``ids`` and only the edges between two of them, joined in SQL."""
        conn = self._conn
        try:
            conn.execute("CREATE TEMP TABLE IF NOT EXISTS selected (id TEXT PRIMARY KEY)")
            conn.execute("DELETE FROM temp.selected")
            conn.executemany("INSERT OR IGNORE INTO temp.selected(id) VALUES (?)", ((i,) for i in ids))
            nodes = [
                json.loads(r[0])
                for r in conn.execute("SELECT n.record FROM nodes n JOIN temp.selected s ON s.id = n.id")
            ]
            edges = [
                json.loads(r[0])
                for r in conn.execute(
                    "SELECT e.record FROM edges e JOIN temp.selected s ON s.id = e.source "
                    "WHERE e.target IN (SELECT id FROM temp.selected)"
                )
            ]
        except sqlite3.Error as exc:
            raise StoreError(f"store {self.path}: {exc}") from exc
        return to_networkx(nodes, edges)

    # -- whole-store reads -------------------------------------------------------------
    def counts(self) -> dict[str, dict[str, int]]:
        nodes = dict.fromkeys(NODE_TYPES, 0) | dict(
            self._read("SELECT type, count(*) FROM nodes GROUP BY type")
        )
        edges = dict.fromkeys(EDGE_TYPES, 0) | dict(
            self._read("SELECT type, count(*) FROM edges GROUP BY type")
        )
        return {"nodes": nodes, "edges": edges}

    def iter_nodes(self, batch_size: int = 1000) -> Iterator[list[NodeRecord]]:
        last = ""
        while True:
            rows = self._read(
                "SELECT id, record FROM nodes WHERE id > ? ORDER BY id LIMIT ?", (last, batch_size)
            )
            if not rows:
                return
            last = rows[-1][0]
            yield [json.loads(r[1]) for r in rows]

    def iter_edges(self, batch_size: int = 1000) -> Iterator[list[EdgeRecord]]:
        last = 0
        while True:
            rows = self._read(
                "SELECT rowid, record FROM edges WHERE rowid > ? ORDER BY rowid LIMIT ?", (last, batch_size)
            )
            if not rows:
                return
            last = rows[-1][0]
            yield [json.loads(r[1]) for r in rows]

    def write_log(self, limit: int = 100) -> list[WriteLogEntry]:
        rows = self._read(
            "SELECT at, actor, action, summary, rowid FROM writes ORDER BY rowid DESC LIMIT ?", (limit,)
        )
        return [
            WriteLogEntry(at=r[0], actor=r[1], action=r[2], summary=json.loads(r[3]), batch=r[4])
            for r in rows
        ]

    # -- history (kb.store.history) ------------------------------------------------------------
    _CHANGE_COLUMNS = (
        "SELECT c.batch, c.n, w.at, w.actor, w.action, c.kind, c.record, c.source, c.target, c.before, c.after "
        "FROM changes c JOIN writes w ON w.rowid = c.batch "
    )
    _CHANGE_KEYS = (
        "batch",
        "n",
        "at",
        "actor",
        "action",
        "kind",
        "record",
        "source",
        "target",
        "before",
        "after",
    )

    def _changes(self, conn: sqlite3.Connection, where: str, params: Iterable[Any]) -> list[h.Change]:
        if self._version < HISTORY_VERSION:  # a store read as it is, from before the history
            return []
        rows = conn.execute(self._CHANGE_COLUMNS + where + " ORDER BY c.batch, c.n", tuple(params))
        return [h.change_of(dict(zip(self._CHANGE_KEYS, r, strict=True))) for r in rows]

    def history(self, record_id: str) -> list[h.Change]:
        try:
            return self._changes(
                self._conn,
                "WHERE c.rowid IN (SELECT rowid FROM changes WHERE record = ? UNION "
                "SELECT rowid FROM changes WHERE source = ? UNION SELECT rowid FROM changes WHERE target = ?)",
                (record_id, record_id, record_id),
            )
        except sqlite3.Error as exc:
            raise StoreError(f"store {self.path}: {exc}") from exc

    def changes(self, *, after: int = 0, upto: int | None = None) -> list[h.Change]:
        try:
            return self._changes(
                self._conn,
                "WHERE c.batch > ? AND c.batch <= ?",
                (
                    max(0, min(after, h.MAX_BATCH)),
                    h.MAX_BATCH if upto is None else max(0, min(upto, h.MAX_BATCH)),
                ),
            )
        except sqlite3.Error as exc:
            raise StoreError(f"store {self.path}: {exc}") from exc

    def batch(self, batch_id: int) -> WriteLogEntry:
        h.known_batch(batch_id)
        rows = self._read("SELECT at, actor, action, summary, rowid FROM writes WHERE rowid = ?", (batch_id,))
        if not rows:
            raise NotFoundError(f"no batch {batch_id} in the write log")
        r = rows[0]
        return WriteLogEntry(at=r[0], actor=r[1], action=r[2], summary=json.loads(r[3]), batch=r[4])

    def last_batch(self, *, until: str | None = None) -> int:
        if until is None:
            rows = self._read("SELECT max(rowid) FROM writes")
        else:
            rows = self._read("SELECT max(rowid) FROM writes WHERE at <= ?", (until,))
        return int(rows[0][0] or 0)

    def stamp_last_write(self, at: str) -> None:
        """Set the time of the latest write (only for the throw-away store of a past state)."""
        with self._write() as conn:
            conn.execute("UPDATE writes SET at = ? WHERE rowid = (SELECT max(rowid) FROM writes)", (at,))

    def revert(self, batch_id: int, *, force: bool = False, actor: str = "cli") -> h.Reverted:
        h.known_batch(batch_id)
        try:
            with self._write() as conn:
                if conn.execute("SELECT 1 FROM writes WHERE rowid = ?", (batch_id,)).fetchone() is None:
                    raise NotFoundError(f"no batch {batch_id} in the write log")
                own = self._changes(conn, "WHERE c.batch = ?", (batch_id,))
                records = sorted({c.record for c in own})
                later: list[h.Change] = []
                for chunk in chunks(records, CHUNK):
                    marks = ",".join("?" * len(chunk))
                    later += self._changes(
                        conn, f"WHERE c.batch > ? AND c.record IN ({marks})", [batch_id, *chunk]
                    )
                clashing = h.conflicts(batch_id, own, later)
                if clashing and not force:
                    raise h.refusal(batch_id, clashing)
                return self._restore(conn, batch_id, h.revert_targets(own), actor)
        except KBError:
            raise
        except sqlite3.Error as exc:
            raise StoreError(f"store {self.path} refused the revert: {exc}") from exc

    def _restore(
        self,
        conn: sqlite3.Connection,
        batch_id: int,
        targets: list[tuple[h.Kind, str, EdgeIdentity | None, dict[str, Any] | None]],
        actor: str,
    ) -> h.Reverted:
        """Write ``targets`` (each record's state to restore), recording the changes as one batch."""
        done = h.Reverted(reverted=batch_id)
        rows: list[dict[str, Any]] = []
        edge_where = "type = ? AND source = ? AND target = ? AND key = ?"
        for kind, record, ident, wanted in targets:
            if kind == "node":
                found = conn.execute("SELECT record FROM nodes WHERE id = ?", (record,)).fetchone()
            else:
                assert ident is not None
                found = conn.execute(f"SELECT record FROM edges WHERE {edge_where}", ident).fetchone()
            current = None if found is None else found[0]
            target = h.text(wanted)
            if current == target:
                continue
            if kind == "node":
                if wanted is None:
                    for edge, text in self._edge_texts_touching(conn, record):
                        rows.append(h.edge_row(edge, text, None))
                        done.count("edge", text, None)
                    conn.execute("DELETE FROM nodes WHERE id = ?", (record,))
                else:
                    conn.execute(
                        "INSERT INTO nodes(id, type, record, search) VALUES (?, ?, ?, ?) ON CONFLICT(id) "
                        "DO UPDATE SET type = excluded.type, record = excluded.record, search = excluded.search",
                        (record, wanted["type"], target, node_search_text(wanted)),
                    )
                rows.append(h.node_row(record, current, target))
            else:
                assert ident is not None
                if wanted is None:
                    conn.execute(f"DELETE FROM edges WHERE {edge_where}", ident)
                else:
                    missing = [
                        i
                        for i in ident[1:3]
                        if conn.execute("SELECT 1 FROM nodes WHERE id = ?", (i,)).fetchone() is None
                    ]
                    if missing:
                        raise ConflictError(
                            f"batch {batch_id} cannot be reverted: edge {record} cannot be restored, "
                            f"node {missing[0]} is gone; nothing was changed"
                        )
                    conn.execute(
                        "INSERT INTO edges(type, source, target, key, record) VALUES (?, ?, ?, ?, ?) "
                        "ON CONFLICT(type, source, target, key) DO UPDATE SET record = excluded.record",
                        (*ident, target),
                    )
                rows.append(h.edge_row(ident, current, target))
            done.count(kind, current, target)
        if rows:
            done.batch = self._log(
                conn, actor, f"revert batch {batch_id}", done.model_dump(exclude={"batch"})
            )
            self._record(conn, done.batch, rows)
        return done

    # -- the fast whole-graph read (issue 15) -----------------------------------------------
    def graph_columns(self, *, leave_out: frozenset[str] = frozenset()) -> GraphColumns:
        """Every node and edge in one read transaction, one query per table.

        Each query reads in the order the graph wants, from an index (nodes by id, edges by
        (type, source, target, key)), and only the stored record (its type and ends are in it);
        each record is decoded (orjson) and handed on as it is read, so no list of rows is built.
        SQLite removes the ``leave_out`` properties from a node's JSON before it is decoded.
        """
        paths = tuple(f"$.{name}" for name in sorted(check_leave_out(leave_out)))
        record = f"json_remove(record{', ?' * len(paths)})" if paths else "record"
        columns = GraphColumns()
        conn = self._conn
        try:
            with paused_gc():
                opened = not conn.in_transaction
                if opened:
                    conn.execute("BEGIN")
                try:
                    rows = conn.execute(f"SELECT {record} FROM nodes ORDER BY id", paths)
                    columns.add_nodes(map(orjson.loads, map(_first, rows)))
                    rows = conn.execute("SELECT record FROM edges ORDER BY type, source, target, key")
                    columns.add_edges(map(orjson.loads, map(_first, rows)))
                finally:
                    if opened:
                        conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise StoreError(f"store {self.path}: {exc}") from exc
        except orjson.JSONDecodeError as exc:
            raise StoreError(f"store {self.path}: a stored record is not JSON ({exc})") from exc
        return columns

    def data_version(self) -> str:
        """The write log's last rowid: every write that changes something is logged in its own
        transaction, so this changes with the data (see the port)."""
        rows = self._read("SELECT max(rowid) FROM writes")
        return f"sqlite:{self.location}:{rows[0][0] or 0}"


#: The one column of a row.
_first = itemgetter(0)


def reached_sql(steps: int) -> str:
    """The query of :meth:`SQLiteStore.edges_reached` for ``steps`` (via, wanted type) pairs, then
    the node's id three times: the node's edges, the sources of its ``via`` edges, their ``wanted``
    edges by (source or target, type). Each part reads its index whatever the statistics say
    (``INDEXED BY``; ``CROSS JOIN`` keeps the few reached nodes outside): without ``ANALYZE``
    SQLite scanned every edge of a type instead."""
    values = ",".join("(?, ?)" for _ in range(steps)) or "(NULL, NULL)"
    columns = "e.type, e.source, e.target, e.key, e.record"
    return (
        f"WITH step(via, wanted) AS (VALUES {values}), "
        "hop(node, wanted) AS (SELECT DISTINCT e.source, step.wanted FROM step "
        "CROSS JOIN edges e INDEXED BY edges_by_target ON e.target = ? AND e.type = step.via) "
        f"SELECT {columns} FROM edges e INDEXED BY edges_by_source WHERE e.source = ? "
        f"UNION SELECT {columns} FROM edges e INDEXED BY edges_by_target WHERE e.target = ? "
        f"UNION SELECT {columns} FROM hop CROSS JOIN edges e INDEXED BY edges_by_source "
        "ON e.source = hop.node AND e.type = hop.wanted "
        f"UNION SELECT {columns} FROM hop CROSS JOIN edges e INDEXED BY edges_by_target "
        "ON e.target = hop.node AND e.type = hop.wanted "
        "ORDER BY 1, 2, 3, 4"
    )


def _decoded(records: Iterable[str]) -> list[dict[str, Any]]:
    """Stored JSON records decoded in one call (as one array)."""
    return json.loads("[" + ",".join(records) + "]")
