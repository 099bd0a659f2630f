"""What both adapters' writes share: the created/updated/unchanged diff, summaries, chunks, clock, JSON.

Both adapters classify a batch the same way (:func:`diff`), stamp the write log with the same
clock (:func:`now`) and keep JSON in one canonical form (:func:`dumps`), so a write reports the
same counts and logs the same summary on every store.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from kb.errors import ConflictError

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")

#: An edge's (type, source, target, key), as :func:`kb.records.edge_identity` gives it.
EdgeIdentity = tuple[str, str, str, str]


class WriteSummary(BaseModel):
    """What a batch changed."""

    nodes_created: int = 0
    nodes_updated: int = 0
    nodes_unchanged: int = 0
    edges_created: int = 0
    edges_updated: int = 0
    edges_unchanged: int = 0
    #: Edges the batch retracted (a re-imported source no longer states them).
    edges_deleted: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.nodes_created
            or self.nodes_updated
            or self.edges_created
            or self.edges_updated
            or self.edges_deleted
        )


class WriteLogEntry(BaseModel):
    """One entry of the write log: when, who, what and the batch's summary."""

    at: str
    actor: str
    action: str
    summary: dict[str, Any]
    #: The batch's number: what ``kb history`` shows and ``kb revert`` takes.
    batch: int | None = None


@dataclass(frozen=True)
class Diff(Generic[K]):
    """How the records of a batch compare with what is stored."""

    #: Keys of the records to write (created or updated), in the batch's order.
    changed: list[K]
    created: int
    updated: int
    unchanged: int


def diff(wanted: Mapping[K, object], stored: Mapping[K, object]) -> Diff[K]:
    """Each record of ``wanted`` is created (not in ``stored``), unchanged (equal) or updated.

    >>> diff({"a": 1, "b": 2, "c": 3}, {"b": 2, "c": 4})
    Diff(changed=['a', 'c'], created=1, updated=1, unchanged=1)
    """
    changed: list[K] = []
    created = updated = unchanged = 0
    for key, record in wanted.items():
        if key not in stored:
            created += 1
        elif stored[key] == record:
            unchanged += 1
            continue
        else:
            updated += 1
        changed.append(key)
    return Diff(changed, created, updated, unchanged)


def summary_of(nodes: Diff[Any], edges: Diff[Any], deleted: int = 0) -> WriteSummary:
    """The :class:`WriteSummary` of a batch's node and edge diffs (and of the edges it retracted)."""
    return WriteSummary(
        edges_deleted=deleted,
        nodes_created=nodes.created,
        nodes_updated=nodes.updated,
        nodes_unchanged=nodes.unchanged,
        edges_created=edges.created,
        edges_updated=edges.updated,
        edges_unchanged=edges.unchanged,
    )


def retractable(batch_edges: Iterable[EdgeIdentity], retract: Iterable[EdgeIdentity]) -> list[EdgeIdentity]:
    """The edges to retract that the batch does not write again, sorted (a batch never deletes what it writes).

    >>> retractable([("FUNDS", "a", "p", "")], [("FUNDS", "a", "p", ""), ("FUNDS", "b", "p", "")])
    [('FUNDS', 'b', 'p', '')]
    """
    kept = set(batch_edges)
    return sorted(set(retract) - kept)


def chunks(items: list[T], size: int) -> Iterator[list[T]]:
    """``items`` ``size`` at a time.

    >>> list(chunks([1, 2, 3], 2))
    [[1, 2], [3]]
    """
    for i in range(0, len(items), size):
        yield items[i : i + size]


def now() -> str:
    """The time of a write, as the write log stamps it: UTC, ISO 8601, to the second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def dumps(data: dict[str, Any]) -> str:
    """Canonical JSON: sorted keys, UTF-8 as is, no spaces (equal records give equal text).

    >>> dumps({"name": "Ministarstvo", "id": "org:mup", "tags": []})
    '{"id":"org:mup","name":"Ministarstvo","tags":[]}'
    """
    return _CANONICAL.encode(data)


#: :func:`dumps`'s encoder, made once (``json.dumps`` with these options makes one per call).
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def fingerprint(record: Mapping[str, Any]) -> str:
    """The version of a stored record: the SHA-256 of its canonical JSON (equal records, equal versions).

    >>> fingerprint({"id": "org:x", "type": "Organisation"}) == fingerprint({"type": "Organisation", "id": "org:x"})
    True
    """
    return hashlib.sha256(dumps(dict(record)).encode("utf-8")).hexdigest()


def check_expected(
    expect: Mapping[str | EdgeIdentity, str | None], stored: Mapping[str | EdgeIdentity, Mapping[str, Any]]
) -> None:
    """Refuse the write unless each record of ``expect`` is stored in the version it names.

    ``stored`` holds the records of ``expect``'s keys as the write's transaction reads them.

    >>> check_expected({"need:a": None}, {"need:a": {"id": "need:a"}})
    Traceback (most recent call last):
    kb.errors.ConflictError: node 'need:a' exists already: open it and edit it instead; nothing was written
    """
    for key, wanted in expect.items():
        record = stored.get(key)
        found = fingerprint(record) if record is not None else None
        if found == wanted:
            continue
        what = f"node '{key}'" if isinstance(key, str) else f"edge {key[0]} '{key[1]}'→'{key[2]}'"
        if wanted is None:
            raise ConflictError(f"{what} exists already: open it and edit it instead; nothing was written")
        if record is None:
            raise ConflictError(f"{what} was deleted since the form was opened; nothing was written")
        raise ConflictError(
            f"{what} was changed by someone else since the form was opened; nothing was written. "
            "Open it again to see the newer version"
        )
