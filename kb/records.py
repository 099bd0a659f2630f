"""Batches of nodes and edges, validated against graph_schema.

A record is a plain dict: nodes ``{"type", "id", "name", ...}``, edges ``{"type", "source",
"target", "key", ...}``. Validation returns the same dicts normalised by the schema (dates as ISO
strings, defaults filled, ``None`` dropped), which is the form every store keeps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from graph_schema import SCHEMA_VERSION, registry
from graph_schema.base import shown
from kb.errors import ConflictError, SchemaViolationError

NodeRecord = dict[str, Any]
EdgeRecord = dict[str, Any]


def edge_identity(edge: Mapping[str, Any]) -> tuple[str, str, str, str]:
    """What makes an edge the same edge: (type, source, target, key)."""
    return (edge["type"], edge["source"], edge["target"], edge.get("key", ""))


@dataclass
class Batch:
    """Validated nodes and edges, written all-or-nothing."""

    nodes: list[NodeRecord] = field(default_factory=list)
    edges: list[EdgeRecord] = field(default_factory=list)
    #: Edges (type, source, target, key) to delete in the same write: a source imported again no
    #: longer states them. Edges the batch writes are never deleted.
    retract: list[tuple[str, str, str, str]] = field(default_factory=list)
    #: The versions the write expects to find, checked inside its transaction: per node id or edge
    #: identity, the :func:`kb.store.writes.fingerprint` of the stored record, or ``None`` for "not
    #: stored". A form sends the version it was opened on, so a record changed since is never
    #: overwritten (a stale form is refused with a :class:`~kb.errors.ConflictError`).
    expect: dict[str | tuple[str, str, str, str], str | None] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.nodes) + len(self.edges)

    def summary(self) -> dict[str, int]:
        return {"nodes": len(self.nodes), "edges": len(self.edges)}


def problems(error: ValidationError) -> list[tuple[str, str]]:
    """Each problem of a record as (field, message); the field is ``""`` for the record as a whole.

    The texts are those :class:`SchemaViolationError` gives (so a form shows, at each field, what the
    JSON API says of it). A record-level message naming its field first (``currency: …``) is that field's.
    """
    out = []
    for err in error.errors(include_url=False, include_input=False):
        loc = shown(".".join(str(p) for p in err["loc"]))
        message = shown(err["msg"].removeprefix("Value error, "), limit=400)
        if not loc and ":" in message.split(" ", 1)[0]:
            loc, message = message.split(":", 1)
            message = message.strip()
        out.append((loc, message))
    return out


def _describe(error: ValidationError) -> str:
    loc, message = problems(error)[0]
    return f"field '{loc}': {message}" if loc else message


def record_problems(kind: str, raw: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every problem of one node or edge record (``kind`` ``"node"`` or ``"edge"``), as :func:`problems`."""
    data = dict(raw)
    model_of = registry.node_model if kind == "node" else registry.edge_model
    model = model_of(data.pop("type"))
    try:
        model.model_validate(data)
    except ValidationError as exc:
        return problems(exc)
    return []


def _label(kind: str, index: int, raw: Mapping[str, Any]) -> str:
    """Which record: its id (or type and endpoints) as given, made safe to print on one line."""
    if kind == "node" and isinstance(raw.get("id"), str):
        return f"node '{shown(raw['id'])}' ({kind}s[{index}])"
    if kind == "edge" and isinstance(raw.get("source"), str):
        type_, target = (shown(v) if isinstance(v := raw.get(k), str) else "?" for k in ("type", "target"))
        return f"edge {type_} '{shown(raw['source'])}'→'{target}' ({kind}s[{index}])"
    return f"{kind}s[{index}]"


def _validate(
    kind: str, model_of: Callable[[str], type[BaseModel]], raw: Any, index: int, origin: str
) -> dict:
    def where() -> str:  # named only in an error: a valid record costs no label
        return (origin + ": " if origin else "") + _label(
            kind, index, raw if isinstance(raw, Mapping) else {}
        )

    if not isinstance(raw, Mapping):
        raise SchemaViolationError(f"{where()}: a{'n' if kind == 'edge' else ''} {kind} must be an object")
    data = dict(raw)
    type_name = data.pop("type", None)
    if not isinstance(type_name, str):
        raise SchemaViolationError(f"{where()}: field 'type' is missing")
    try:
        # a real type name is short and printable, so shown() leaves it as it is
        model = model_of(shown(type_name))
    except KeyError as exc:
        raise SchemaViolationError(f"{where()}: field 'type': {exc.args[0]}") from None
    try:
        obj = model.model_validate(data)
    except ValidationError as exc:
        raise SchemaViolationError(f"{where()}: {_describe(exc)}") from None
    return {"type": type_name, **obj.model_dump(mode="json", exclude_none=True)}


def validate_node(raw: Any, index: int = 0, origin: str = "") -> NodeRecord:
    """Validate one node record; ``SchemaViolationError`` names the record and the field."""
    return _validate("node", registry.node_model, raw, index, origin)


def validate_edge(raw: Any, index: int = 0, origin: str = "") -> EdgeRecord:
    """Validate one edge record (its own fields; endpoints are checked against the store)."""
    return _validate("edge", registry.edge_model, raw, index, origin)


def parse_batch(doc: Any, origin: str = "") -> Batch:
    """Validate a ``{"nodes": [...], "edges": [...]}`` document into a :class:`Batch`.

    Checks each record against its type and the batch against itself (one id, one type).
    Endpoints are checked by :func:`check_endpoints` inside the store's transaction.
    """
    if not isinstance(doc, Mapping):
        raise SchemaViolationError(f"{origin or 'batch'}: expected an object with 'nodes' and 'edges'")
    unknown = set(doc) - {"nodes", "edges", "format", "schema_version", "exported_at"}
    if unknown:
        raise SchemaViolationError(
            f"{origin or 'batch'}: unknown top-level field(s): {shown(', '.join(sorted(map(str, unknown))))}"
        )
    check_schema_version(doc.get("schema_version"), origin or "batch")
    nodes_raw, edges_raw = doc.get("nodes", []), doc.get("edges", [])
    if not isinstance(nodes_raw, list) or not isinstance(edges_raw, list):
        raise SchemaViolationError(f"{origin or 'batch'}: 'nodes' and 'edges' must be lists")
    batch = Batch(
        nodes=[validate_node(r, i, origin) for i, r in enumerate(nodes_raw)],
        edges=[validate_edge(r, i, origin) for i, r in enumerate(edges_raw)],
    )
    check_one_type_per_id(batch)
    return batch


def check_schema_version(version: Any, origin: str = "batch") -> None:
    """Refuse a ``schema_version`` that is not a whole number, or is newer than this schema.

    >>> check_schema_version(None), check_schema_version(SCHEMA_VERSION)
    (None, None)
    >>> check_schema_version("2")
    Traceback (most recent call last):
    kb.errors.SchemaViolationError: batch: field 'schema_version': a whole number such as 1, not '2'
    """
    if version is None:
        return
    if isinstance(version, bool) or not isinstance(version, int):
        what = shown(repr(version)) if isinstance(version, str) else f"a {type(version).__name__}"
        raise SchemaViolationError(
            f"{origin}: field 'schema_version': a whole number such as {SCHEMA_VERSION}, not {what}"
        )
    if version < 1:
        raise SchemaViolationError(f"{origin}: field 'schema_version': a whole number from 1")
    if version > SCHEMA_VERSION:
        shown_version = version if version < 10**6 else "over 1,000,000"
        raise SchemaViolationError(
            f"{origin}: written by a newer schema version {shown_version} (this one reads up to {SCHEMA_VERSION})"
        )


def check_one_type_per_id(batch: Batch) -> None:
    """Refuse a batch that gives one id two types."""
    seen: dict[str, str] = {}
    for node in batch.nodes:
        previous = seen.setdefault(node["id"], node["type"])
        if previous != node["type"]:
            raise ConflictError(
                f"node '{node['id']}' appears as {previous} and as {node['type']} in one batch"
            )


def check_endpoints(batch: Batch, known_types: Mapping[str, str]) -> None:
    """Refuse edges whose endpoints are missing or of a type the edge type does not allow.

    ``known_types`` maps every id the batch's edges mention to its type, from the batch
    itself and from the store.
    """
    for index, edge in enumerate(batch.edges):
        model = registry.edge_model(edge["type"])
        for end, allowed in (("source", model.SOURCE_TYPES), ("target", model.TARGET_TYPES)):
            node_id = edge[end]
            found = known_types.get(node_id)
            if found is None:
                raise SchemaViolationError(
                    f"{_label('edge', index, edge)}: field '{end}': node '{node_id}' does not exist"
                )
            if found not in allowed:
                raise SchemaViolationError(
                    f"{_label('edge', index, edge)}: field '{end}': a {edge['type']} edge cannot "
                    f"{'start' if end == 'source' else 'end'} at a {found} (allowed: {', '.join(allowed)})"
                )


def check_types_unchanged(batch: Batch, stored_types: Mapping[str, str]) -> None:
    """Refuse a node whose id is stored with another type."""
    for node in batch.nodes:
        stored = stored_types.get(node["id"])
        if stored is not None and stored != node["type"]:
            raise ConflictError(
                f"node '{node['id']}' is stored as a {stored}; this batch says {node['type']}"
            )


def endpoint_ids(batch: Batch) -> set[str]:
    return {e["source"] for e in batch.edges} | {e["target"] for e in batch.edges}


def merge(batches: Iterable[Batch]) -> Batch:
    out = Batch()
    for b in batches:
        out.nodes.extend(b.nodes)
        out.edges.extend(b.edges)
    check_one_type_per_id(out)
    return out
