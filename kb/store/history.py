"""The history of every record, shared by both adapters: what a write changed, record by record.

Every write (an ``upsert``, a ``delete``, a ``revert``) is one *batch*: one entry of the write log,
numbered by the store (``batch``: the SQLite write log's row id, the Neo4j store's write
sequence). With it the store keeps, per node and per edge the batch created, updated or deleted,
the record before and after (canonical JSON, ``None`` for "did not exist"), in the same
transaction as the write. So:

- the history of a record is its changes, oldest first (:meth:`GraphStore.history`);
- the state of the graph after batch ``b`` is the current state with every later change undone,
  newest first (:func:`state_after`). Records written before the store kept history are simply
  there, so a store that gained history late still answers for the time since;
- reverting batch ``b`` writes back each of its records' before-state, as a new batch
  (:func:`revert_targets`), refused when a later batch changed one of the same records
  (:func:`conflicts`), unless forced.

Edges are named in the history by :func:`edge_record`: ``TYPE source -> target`` (and ``#key``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from kb.errors import ConflictError, InvalidInputError, NotFoundError
from kb.records import Batch, EdgeRecord, NodeRecord, edge_identity
from kb.store.writes import EdgeIdentity, dumps

if TYPE_CHECKING:
    from kb.store.port import GraphStore

Kind = Literal["node", "edge"]
#: The largest batch number a store can hold (both stores keep 64-bit integers).
MAX_BATCH = 2**62
#: How many conflicting records a refusal names before saying "and N more".
NAMED = 10


class Change(BaseModel):
    """One record's change in one batch: before and after (``None``: it did not exist)."""

    batch: int = Field(description="The batch (write log entry) the change came in.")
    n: int = Field(description="Its place in the batch, from 0.")
    at: str = Field(description="When the batch was written (UTC, ISO 8601).")
    actor: str
    action: str
    kind: Kind
    record: str = Field(description="The node id, or the edge as 'TYPE source -> target[#key]'.")
    source: str | None = None
    target: str | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None

    @property
    def change(self) -> str:
        """``created``, ``deleted`` or ``updated``."""
        if self.before is None:
            return "created"
        return "deleted" if self.after is None else "updated"

    def identity(self) -> EdgeIdentity:
        """The edge's (type, source, target, key); only for edges."""
        return edge_identity(self.after or self.before or {})


def edge_record(ident: EdgeIdentity) -> str:
    """How an edge is named in the history.

    >>> edge_record(("FUNDS", "org:giz", "project:x", ""))
    'FUNDS org:giz -> project:x'
    >>> edge_record(("FUNDS", "org:giz", "project:x", "2025"))
    'FUNDS org:giz -> project:x#2025'
    """
    type_name, source, target, key = ident
    return f"{type_name} {source} -> {target}" + (f"#{key}" if key else "")


def node_row(node_id: str, before: str | None, after: str | None) -> dict[str, Any]:
    """The stored form of a node's change (records as canonical JSON text)."""
    return {
        "kind": "node",
        "record": node_id,
        "source": None,
        "target": None,
        "before": before,
        "after": after,
    }


def edge_row(ident: EdgeIdentity, before: str | None, after: str | None) -> dict[str, Any]:
    """The stored form of an edge's change."""
    return {
        "kind": "edge",
        "record": edge_record(ident),
        "source": ident[1],
        "target": ident[2],
        "before": before,
        "after": after,
    }


def numbered(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` with their place in the batch (``n``)."""
    return [{**row, "n": n} for n, row in enumerate(rows)]


def change_of(row: dict[str, Any]) -> Change:
    """A :class:`Change` from a stored row (``before``/``after`` as JSON text)."""
    return Change(
        **{k: row[k] for k in ("batch", "n", "at", "actor", "action", "kind", "record", "source", "target")},
        before=None if row["before"] is None else json.loads(row["before"]),
        after=None if row["after"] is None else json.loads(row["after"]),
    )


def known_batch(batch_id: int) -> int:
    """``batch_id``, or ``NotFoundError`` when no store could have a batch of that number.

    >>> known_batch(3)
    3
    """
    if not 0 < batch_id <= MAX_BATCH:
        raise NotFoundError(f"no batch {batch_id} in the write log")
    return batch_id


# -- moments -------------------------------------------------------------------------------
def parse_moment(text: str, *, what: str = "date") -> str:
    """A typed date or time as the latest write-log time it covers (UTC, ISO 8601, to the second).

    A day covers the whole day (UTC); a time without a zone is UTC.

    >>> parse_moment("2025-06-30")
    '2025-06-30T23:59:59+00:00'
    >>> parse_moment("2025-06-30T12:00:05+02:00")
    '2025-06-30T10:00:05+00:00'
    """
    text = text.strip()
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            return dt.datetime.combine(day, dt.time(23, 59, 59), dt.UTC).isoformat()
        moment = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInputError(
            f"{what} {text[:40]!r} is not a date (YYYY-MM-DD) or a time (YYYY-MM-DDTHH:MM:SS)"
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat()


# -- states --------------------------------------------------------------------------------
def current_state(store: GraphStore) -> tuple[dict[str, NodeRecord], dict[EdgeIdentity, EdgeRecord]]:
    """Every node by id and every edge by identity, as stored now."""
    nodes = {n["id"]: n for chunk in store.iter_nodes() for n in chunk}
    edges = {edge_identity(e): e for chunk in store.iter_edges() for e in chunk}
    return nodes, edges


def undo(
    state: tuple[dict[str, NodeRecord], dict[EdgeIdentity, EdgeRecord]], changes: Iterable[Change]
) -> tuple[dict[str, NodeRecord], dict[EdgeIdentity, EdgeRecord]]:
    """``state`` with ``changes`` (in the order they were made) undone, newest first."""
    nodes, edges = dict(state[0]), dict(state[1])
    for c in sorted(changes, key=lambda c: (c.batch, c.n), reverse=True):
        if c.kind == "node":
            if c.before is None:
                nodes.pop(c.record, None)
            else:
                nodes[c.record] = c.before
        elif c.before is None:
            edges.pop(c.identity(), None)
        else:
            edges[c.identity()] = c.before
    return nodes, edges


def state_after(
    store: GraphStore, batch: int | None
) -> tuple[dict[str, NodeRecord], dict[EdgeIdentity, EdgeRecord]]:
    """The nodes and edges as they were right after ``batch`` (``None``: now; 0: before any batch)."""
    state = current_state(store)
    if batch is None:
        return state
    return undo(state, store.changes(after=batch))


@contextmanager
def as_store(
    nodes: dict[str, NodeRecord], edges: dict[EdgeIdentity, EdgeRecord], *, at: str | None = None
) -> Iterator[GraphStore]:
    """A throw-away store holding ``nodes`` and ``edges``, for the analyses of a past state.

    It is an SQLite file in a temporary folder, so the analyses run on it exactly as on any
    store; ``at`` stamps its one write (the data date of the reports made from it).
    """
    from kb.store.sqlite import SQLiteStore

    with TemporaryDirectory(prefix="kb-as-of-") as folder:
        store = SQLiteStore(Path(folder) / "as-of.sqlite")
        store.record_history = False
        try:
            batch = Batch(nodes=[nodes[k] for k in sorted(nodes)], edges=[edges[k] for k in sorted(edges)])
            if len(batch):
                store.upsert(batch, actor="as-of", action="state as of a past date")
                if at is not None:
                    store.stamp_last_write(at)
            yield store
        finally:
            store.close()


@contextmanager
def as_of(store: GraphStore, moment: str | None) -> Iterator[GraphStore]:
    """``store`` itself (``moment`` ``None``), or a store of its state after the last batch at or before ``moment``.

    ``moment`` is typed text (a day or a time, see :func:`parse_moment`).
    """
    if moment is None:
        yield store
        return
    until = parse_moment(moment, what="as-of date")
    batch = store.last_batch(until=until)
    nodes, edges = state_after(store, batch)
    stamp = store.batch(batch).at if batch else None
    with as_store(nodes, edges, at=stamp) as past:
        yield past


# -- revert --------------------------------------------------------------------------------
def conflicts(batch: int, own: list[Change], later: list[Change]) -> list[Change]:
    """The changes of batches after ``batch`` to records ``own`` changed."""
    records = {(c.kind, c.record) for c in own}
    return [c for c in later if c.batch > batch and (c.kind, c.record) in records]


def refusal(batch: int, clashing: list[Change]) -> ConflictError:
    """The one clear message of a refused revert: the later batches and the records they changed."""
    by_batch: dict[int, list[str]] = {}
    for c in clashing:
        names = by_batch.setdefault(c.batch, [])
        if c.record not in names:
            names.append(c.record)
    parts = []
    for later, records in sorted(by_batch.items())[:NAMED]:
        first = next(c for c in clashing if c.batch == later)
        more = f" and {len(records) - NAMED} more" if len(records) > NAMED else ""
        parts.append(
            f"batch {later} ({first.at}, {first.actor}: {first.action}) changed {', '.join(records[:NAMED])}{more}"
        )
    if len(by_batch) > NAMED:
        parts.append(f"and {len(by_batch) - NAMED} more batches")
    return ConflictError(
        f"batch {batch} cannot be reverted: a later batch changed the same records: {'; '.join(parts)}. "
        "Nothing was changed; revert the later batches first, or use --force to restore "
        f"batch {batch}'s before-state anyway"
    )


def revert_targets(own: list[Change]) -> list[tuple[Kind, str, EdgeIdentity | None, dict[str, Any] | None]]:
    """What a revert writes back: each record's state before the batch (``None``: delete it).

    One entry per record (its first change in the batch), nodes first, in the batch's order.
    """
    seen: set[tuple[str, str]] = set()
    out: list[tuple[Kind, str, EdgeIdentity | None, dict[str, Any] | None]] = []
    for c in sorted(own, key=lambda c: (c.kind != "node", c.n)):
        if (c.kind, c.record) in seen:
            continue
        seen.add((c.kind, c.record))
        out.append((c.kind, c.record, c.identity() if c.kind == "edge" else None, c.before))
    return out


class Reverted(BaseModel):
    """What a revert did."""

    reverted: int = Field(description="The batch reverted.")
    batch: int | None = Field(None, description="The new batch recording the revert (None: nothing to do).")
    nodes_created: int = 0
    nodes_updated: int = 0
    nodes_deleted: int = 0
    edges_created: int = 0
    edges_updated: int = 0
    edges_deleted: int = 0

    def count(self, kind: Kind, before: object, after: object) -> None:
        """Count one written record: created (``before`` None), deleted (``after`` None) or updated."""
        what = "created" if before is None else "deleted" if after is None else "updated"
        name = f"{kind}s_{what}"
        setattr(self, name, getattr(self, name) + 1)


def text(record: dict[str, Any] | None) -> str | None:
    """A record as the history stores it."""
    return None if record is None else dumps(record)
