"""What changed between two states of the graph: since a date, or from one mapping cycle to the next.

The two states come from the history (:mod:`kb.store.history`):

- ``since=DATE``: the graph just before the first batch written on or after DATE (a day starts at
  00:00 UTC; a time is exact), against the graph now;
- ``cycle=A, to_cycle=B``: the graph right after the last batch that wrote a record of cycle A
  (a node whose ``cycle`` is A: the mapping's data as they stood when A was last imported or
  corrected), against the same for B. Without ``to_cycle``, B is now.

Rows, each naming the records it is about (ids, which have a history of their own):

- ``need`` added / removed / changed (which fields);
- ``answer``: a need of both states newly ``answered`` (it was an unaddressed gap, it is not now)
  or newly ``unaddressed``;
- ``overlap`` ``appeared`` / ``resolved`` (by level, need or context, and projects);
- ``funding`` added / removed / changed: one row per ``FUNDS`` edge, with donor, currency and
  amount before and after (amounts of two currencies are never added).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from kb.analysis.gaps import gaps as find_gaps
from kb.analysis.overlaps import overlaps as find_overlaps
from kb.errors import InvalidInputError, NotFoundError
from kb.graph import to_networkx
from kb.questions.analyses import Report
from kb.records import EdgeRecord, NodeRecord
from kb.store.history import parse_moment, state_after
from kb.store.port import GraphStore
from kb.store.writes import EdgeIdentity

What = Literal["need", "answer", "overlap", "funding"]


class ChangeRow(BaseModel):
    """One change between the two states."""

    what: What
    change: str = Field(description="added, removed, changed; answered, unaddressed; appeared, resolved.")
    name: str = Field(description="The need, the overlap's need or context, the funded project.")
    ids: list[str] = Field(description="The records the row is about: need, projects, donors.")
    donor: str | None = None
    currency: str | None = None
    before: str | None = None
    after: str | None = None
    detail: str = ""


class ChangesReport(Report):
    """What changed from one state (``from_batch``) to another (``to_batch``; ``None``: now)."""

    since: str | None = None
    cycle: str | None = None
    to_cycle: str | None = None
    from_batch: int = Field(description="The state compared from: right after this batch (0: before any).")
    to_batch: int | None = Field(
        None, description="The state compared to: right after this batch (None: now)."
    )
    changes: list[ChangeRow]


State = tuple[dict[str, NodeRecord], dict[EdgeIdentity, EdgeRecord]]


def batch_before(store: GraphStore, since: str) -> int:
    """The last batch written before ``since`` (a day from its first second, or a time)."""
    start = parse_moment(since, what="since date")
    if len(since.strip()) == 10:
        start = start[:11] + "00:00:00+00:00"
    moment = dt.datetime.fromisoformat(start) - dt.timedelta(seconds=1)
    return store.last_batch(until=moment.isoformat())


def cycle_batch(store: GraphStore, cycle: str) -> int:
    """The last batch that wrote a node of mapping cycle ``cycle``."""
    found = [c.batch for c in store.changes() if c.kind == "node" and (c.after or {}).get("cycle") == cycle]
    if not found:
        raise NotFoundError(f"no batch in the history wrote a record of cycle {cycle!r}")
    return max(found)


def _amount(edge: EdgeRecord | None) -> str | None:
    if edge is None or edge.get("amount") is None:
        return None
    return f"{edge['amount']:g}"


def _need_rows(before: State, after: State) -> list[ChangeRow]:
    old = {i: n for i, n in before[0].items() if n["type"] == "Need"}
    new = {i: n for i, n in after[0].items() if n["type"] == "Need"}
    rows = []
    for need_id in sorted(old.keys() | new.keys()):
        a, b = old.get(need_id), new.get(need_id)
        if a == b:
            continue
        name = (b or a or {}).get("name", need_id)
        if a is None:
            rows.append(ChangeRow(what="need", change="added", name=name, ids=[need_id]))
        elif b is None:
            rows.append(ChangeRow(what="need", change="removed", name=name, ids=[need_id]))
        else:
            fields = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
            rows.append(
                ChangeRow(what="need", change="changed", name=name, ids=[need_id], detail=", ".join(fields))
            )
    return rows


def _unaddressed(graph: Any) -> set[str]:
    return {g.need.id for g in find_gaps(graph) if g.kind == "unaddressed" and g.need is not None}


def _answer_rows(before: State, after: State, graphs: tuple[Any, Any]) -> list[ChangeRow]:
    both = {i for i, n in after[0].items() if n["type"] == "Need"} & set(before[0])
    old, new = _unaddressed(graphs[0]), _unaddressed(graphs[1])
    rows = []
    for need_id in sorted(both & (old ^ new)):
        change = "answered" if need_id in old else "unaddressed"
        rows.append(ChangeRow(what="answer", change=change, name=after[0][need_id]["name"], ids=[need_id]))
    return rows


def _overlap_rows(graphs: tuple[Any, Any]) -> list[ChangeRow]:
    def keyed(graph: Any) -> dict[tuple, Any]:
        return {
            (o.level, o.need.id if o.need else "", tuple(o.context), tuple(p.id for p in o.projects)): o
            for o in find_overlaps(graph)
        }

    old, new = keyed(graphs[0]), keyed(graphs[1])
    rows = []
    for key in sorted(old.keys() ^ new.keys()):
        o = new.get(key) or old[key]
        ids = ([o.need.id] if o.need else []) + [p.id for p in o.projects] + [d.id for d in o.donors]
        rows.append(
            ChangeRow(
                what="overlap",
                change="appeared" if key in new else "resolved",
                name=o.need.name if o.need else "; ".join(o.context),
                ids=ids,
                detail=f"{o.level}: " + ", ".join(p.name for p in o.projects),
            )
        )
    return rows


def _funding_rows(before: State, after: State) -> list[ChangeRow]:
    old = {k: e for k, e in before[1].items() if k[0] == "FUNDS"}
    new = {k: e for k, e in after[1].items() if k[0] == "FUNDS"}
    names = {
        **{i: n.get("name", i) for i, n in before[0].items()},
        **{i: n.get("name", i) for i, n in after[0].items()},
    }
    rows = []
    for key in sorted(
        old.keys() | new.keys(), key=lambda k: (k[1], (new.get(k) or old[k]).get("currency") or "", k)
    ):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        change = "added" if a is None else "removed" if b is None else "changed"
        fields = sorted(
            k for k in (a or {}).keys() | (b or {}).keys() if (a or {}).get(k) != (b or {}).get(k)
        )
        currencies = sorted({e["currency"] for e in (a, b) if e and e.get("currency")})
        rows.append(
            ChangeRow(
                what="funding",
                change=change,
                name=names.get(key[2], key[2]),
                ids=[key[1], key[2]],
                donor=names.get(key[1], key[1]),
                currency=" → ".join(currencies) or None,
                before=_amount(a),
                after=_amount(b),
                detail=", ".join(fields) if change == "changed" else "",
            )
        )
    return rows


def compare(before: State, after: State) -> list[ChangeRow]:
    """Every change from ``before`` to ``after``: needs, answers, overlaps, funding, in that order."""
    graphs = (
        to_networkx(before[0].values(), before[1].values()),
        to_networkx(after[0].values(), after[1].values()),
    )
    return [
        *_need_rows(before, after),
        *_answer_rows(before, after, graphs),
        *_overlap_rows(graphs),
        *_funding_rows(before, after),
    ]


def changed_fields(before: dict[str, Any] | None, after: dict[str, Any] | None, *, most: int = 4) -> str:
    """The fields a change touched, with their values: ``amount: 1000000 → 1200000``.

    >>> changed_fields({"amount": 1, "key": ""}, {"amount": 2, "key": ""})
    'amount: 1 → 2'
    >>> changed_fields(None, {"amount": 2})
    ''
    """
    if before is None or after is None:
        return ""
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    text = "; ".join(f"{k}: {before.get(k, '')} → {after.get(k, '')}" for k in changed[:most])
    return text + (f"; +{len(changed) - most} more" if len(changed) > most else "")


class HistoryLine(BaseModel):
    """One change as a node's page lists it: the batch, when, who, what, and the other end of an edge."""

    batch: int
    at: str
    actor: str
    action: str
    change: str
    record: str
    fields: str
    other: str | None = Field(None, description="For an edge: the id at its other end.")


def node_history(store: GraphStore, node_id: str, *, limit: int = 50) -> list[HistoryLine]:
    """The latest ``limit`` changes of a node and its edges, newest first (a page's history block)."""
    lines = []
    for c in reversed(store.history(node_id)[-limit:] if limit else store.history(node_id)):
        other = None
        if c.kind == "edge":
            other = c.target if c.source == node_id else c.source
        lines.append(
            HistoryLine(
                batch=c.batch,
                at=c.at,
                actor=c.actor,
                action=c.action,
                change=c.change,
                record=c.record,
                fields=changed_fields(c.before, c.after),
                other=other,
            )
        )
    return lines


def changes(
    store: GraphStore, *, since: str | None = None, cycle: str | None = None, to_cycle: str | None = None
) -> ChangesReport:
    """What changed since a date, or from mapping cycle ``cycle`` to ``to_cycle`` (or to now)."""
    if (since is None) == (cycle is None):
        raise InvalidInputError(
            "say either since a date (--since DATE) or from a cycle (--cycle A [--to-cycle B])"
        )
    if to_cycle is not None and cycle is None:
        raise InvalidInputError("--to-cycle needs --cycle: the cycle to compare from")
    first = batch_before(store, since) if since is not None else cycle_batch(store, cycle or "")
    last = cycle_batch(store, to_cycle) if to_cycle is not None else None
    rows = compare(state_after(store, first), state_after(store, last))
    return ChangesReport(
        since=since, cycle=cycle, to_cycle=to_cycle, from_batch=first, to_batch=last, changes=rows
    )
