"""How records become Neo4j properties and back: one rule, exact both ways.

A node is stored with the label ``Node`` plus its type label (``Node:Organisation``) and these
properties: ``type``, ``id``, every field of its validated record, and ``search`` (its folded
search text, :func:`kb.text.search_text`). An edge is a relationship whose type is the edge type,
between the ``Node``\\s of its source and target, with ``key`` and every other field of its record.

Values are what Neo4j stores natively: strings, integers, floats, booleans and lists of one of
those. Dates stay ISO 8601 strings (as the records hold them), not Neo4j temporal values: the
round trip is then exact and ISO dates compare correctly as strings. Two cases need the rule:

- an empty list is not stored (Neo4j cannot tell an empty list's element type); on reading, every
  list field the schema declares and the node lacks comes back as ``[]``. Validated records
  always carry their list fields, so this restores exactly what was written;
- a map, a mixed list or an integer outside 64 bits has no Neo4j form: such a record is refused
  with :class:`~kb.errors.SchemaViolationError` (validated records never hold one).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from functools import cache
from typing import Any

from graph_schema import EDGE_TYPES, NODE_TYPES, searchable_fields
from kb.errors import SchemaViolationError
from kb.text import search_text

_INT64 = (-(2**63), 2**63 - 1)
#: Record fields that are the relationship's structure rather than its properties.
EDGE_STRUCTURE = ("type", "source", "target")


def _is_list(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin is list:
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_is_list(arg) for arg in typing.get_args(annotation))
    if origin is typing.Annotated:
        return _is_list(typing.get_args(annotation)[0])
    return False


@cache
def list_fields(type_name: str) -> tuple[str, ...]:
    """The list-valued fields of a node or edge type.

    >>> list_fields("Project")
    ('sources', 'aliases', 'sectors')
    """
    model = NODE_TYPES.get(type_name) or EDGE_TYPES[type_name]
    return tuple(name for name, info in model.model_fields.items() if _is_list(info.annotation))


def _value(where: str, key: str, value: Any) -> Any:
    """``value`` as Neo4j stores it, or a one-line refusal naming the property."""
    if isinstance(value, (bool, str, float)):
        return value
    if isinstance(value, int):
        if not _INT64[0] <= value <= _INT64[1]:
            raise SchemaViolationError(f"{where}: property '{key}': integer {value} does not fit in 64 bits")
        return value
    if isinstance(value, (list, tuple)):
        kinds = {bool if isinstance(v, bool) else type(v) for v in value}
        if len(kinds) > 1 or not kinds <= {str, int, float, bool}:
            raise SchemaViolationError(
                f"{where}: property '{key}': Neo4j stores only lists of one primitive type"
            )
        return [_value(where, key, v) for v in value]
    raise SchemaViolationError(
        f"{where}: property '{key}': a {type(value).__name__} has no Neo4j property form "
        "(only strings, numbers, booleans and lists of one of those)"
    )


def _props(where: str, record: Mapping[str, Any], skip: tuple[str, ...] = ()) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for key, value in record.items():
        if key in skip or value is None or (isinstance(value, (list, tuple)) and not value):
            continue
        props[key] = _value(where, key, value)
    return props


def encode_node(node: Mapping[str, Any]) -> dict[str, Any]:
    """The properties of a node record (including ``type``, ``id`` and ``search``).

    >>> encode_node({"type": "Person", "id": "person:x", "name": "Siniša", "aliases": [], "sources": ["s"]})
    {'type': 'Person', 'id': 'person:x', 'name': 'Siniša', 'sources': ['s'], 'search': 'sinisa'}
    """
    props = _props(f"node '{node['id']}'", node)
    props["search"] = node_search_text(node)
    return props


def decode_node(props: Mapping[str, Any]) -> dict[str, Any]:
    """The node record stored as ``props`` (the inverse of :func:`encode_node`), fields in name order.

    Neo4j gives properties back in no set order; every store returns a record's fields sorted
    by name, so the same record prints the same from either store.
    """
    record = {k: v for k, v in props.items() if k != "search"}
    for name in list_fields(record["type"]):
        record.setdefault(name, [])
    return dict(sorted(record.items()))


def encode_edge(edge: Mapping[str, Any]) -> dict[str, Any]:
    """The relationship properties of an edge record (``key`` and its fields; not type/source/target).

    >>> encode_edge({"type": "FUNDS", "source": "org:a", "target": "project:b", "key": "", "amount": 1.0,
    ...              "currency": "EUR", "sources": ["s"]})
    {'key': '', 'amount': 1.0, 'currency': 'EUR', 'sources': ['s']}
    """
    where = f"edge {edge['type']} '{edge['source']}'→'{edge['target']}'"
    props = _props(where, edge, skip=EDGE_STRUCTURE)
    props["key"] = edge.get("key", "")
    return props


def decode_edge(type_name: str, source: str, target: str, props: Mapping[str, Any]) -> dict[str, Any]:
    """The edge record of a relationship (the inverse of :func:`encode_edge`), fields in name order."""
    record = {"type": type_name, "source": source, "target": target, **props}
    for name in list_fields(type_name):
        record.setdefault(name, [])
    return dict(sorted(record.items()))


def node_search_text(node: Mapping[str, Any]) -> str:
    """The folded text the full-text index holds for ``node``."""
    return search_text([node.get(f) for f in searchable_fields()[node["type"]]])
