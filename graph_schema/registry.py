"""The registry: every node and edge type by name, and what is derived from it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, get_args

from pydantic import BaseModel

from graph_schema.base import Edge, Node, PeriodFields
from graph_schema.edges import EDGE_CLASSES
from graph_schema.nodes import NODE_CLASSES

#: Bumped when stored data must be migrated; stores refuse files from a newer version.
SCHEMA_VERSION = 1

NODE_TYPES: dict[str, type[Node]] = {cls.TYPE: cls for cls in NODE_CLASSES}
EDGE_TYPES: dict[str, type[Edge]] = {cls.TYPE: cls for cls in EDGE_CLASSES}
PREFIXES: dict[str, str] = {cls.PREFIX: cls.TYPE for cls in NODE_CLASSES}

#: Who can fund a project: the source types of FUNDS.
FUNDER_TYPES: tuple[str, ...] = EDGE_TYPES["FUNDS"].SOURCE_TYPES
#: Who can implement a project: the source types of IMPLEMENTS.
IMPLEMENTER_TYPES: tuple[str, ...] = EDGE_TYPES["IMPLEMENTS"].SOURCE_TYPES
#: Who can benefit from a project: the target types of BENEFITS.
BENEFICIARY_TYPES: tuple[str, ...] = EDGE_TYPES["BENEFITS"].TARGET_TYPES
#: Actors: whoever can fund, implement or benefit, in the order the edges name them.
ACTOR_TYPES: tuple[str, ...] = tuple(dict.fromkeys((*FUNDER_TYPES, *IMPLEMENTER_TYPES, *BENEFICIARY_TYPES)))


def literal_values(model: type[BaseModel], field: str) -> tuple[str, ...]:
    """The values a ``Literal`` property allows, in declared order.

    >>> literal_values(NODE_TYPES["Need"], "priority")
    ('high', 'medium', 'low')
    """
    return get_args(model.model_fields[field].annotation)


#: A need's priorities as the Need model declares them, highest first.
PRIORITIES: tuple[str, ...] = literal_values(NODE_TYPES["Need"], "priority")
#: Where each priority ranks: 0 for the highest.
PRIORITY_RANK: dict[str, int] = {p: rank for rank, p in enumerate(PRIORITIES)}
#: The priority of a need that states none.
DEFAULT_PRIORITY: str = NODE_TYPES["Need"].model_fields["priority"].default
#: A project's statuses as the Project model declares them.
STATUSES: tuple[str, ...] = literal_values(NODE_TYPES["Project"], "status")
#: The status of a project that states none.
DEFAULT_STATUS: str = NODE_TYPES["Project"].model_fields["status"].default

#: Per node or edge type whose records have a period, the properties that hold it.
PERIOD_FIELDS: dict[str, PeriodFields] = {
    name: fields
    for name, cls in (*NODE_TYPES.items(), *EDGE_TYPES.items())
    if (fields := getattr(cls, "PERIOD", None)) is not None
}
#: Per node type that has a short form (acronym, code), the property that holds it.
SHORT_FIELDS: dict[str, str] = {name: cls.SHORT_FIELD for name, cls in NODE_TYPES.items() if cls.SHORT_FIELD}


def short_label(record: Mapping[str, Any]) -> str | None:
    """The short form a node is shown by (an organisation's acronym, a pillar's code), if any.

    >>> short_label({"type": "Pillar", "code": "WBBSi", "name": "Border Security"})
    'WBBSi'
    >>> short_label({"type": "Country", "code": "RS", "name": "Serbia"}) is None
    True
    """
    field = SHORT_FIELDS.get(record.get("type", ""))
    return record.get(field) if field else None


def types_with(field: str) -> tuple[str, ...]:
    """The node types that have the property ``field``, in registry order.

    >>> types_with("cycle")
    ('Need', 'Project')
    """
    return tuple(name for name, cls in NODE_TYPES.items() if field in cls.model_fields)


#: Node types stated in a needs- or response-mapping cycle (they carry ``cycle``).
MAPPED_TYPES: tuple[str, ...] = types_with("cycle")

#: Fields every node carries outside its type-specific properties.
NODE_CORE_FIELDS = ("id",)
#: Fields that identify an edge.
EDGE_CORE_FIELDS = ("source", "target", "key")


def node_model(type_name: str) -> type[Node]:
    """The model class of a node type; ``KeyError`` naming the known types if unknown."""
    try:
        return NODE_TYPES[type_name]
    except KeyError:
        raise KeyError(f"unknown node type {type_name!r} (known: {', '.join(NODE_TYPES)})") from None


def edge_model(type_name: str) -> type[Edge]:
    """The model class of an edge type; ``KeyError`` naming the known types if unknown."""
    try:
        return EDGE_TYPES[type_name]
    except KeyError:
        raise KeyError(f"unknown edge type {type_name!r} (known: {', '.join(EDGE_TYPES)})") from None


def type_of_id(node_id: str) -> str | None:
    """The node type an id's prefix names, or ``None``.

    >>> type_of_id("org:unodc")
    'Organisation'
    """
    return PREFIXES.get(node_id.split(":", 1)[0])


def searchable_fields() -> dict[str, tuple[str, ...]]:
    """Per node type, the fields folded into the search index."""
    return {name: cls.SEARCH_FIELDS for name, cls in NODE_TYPES.items()}


def all_property_names() -> set[str]:
    """Every property key any node or edge can carry (for Cypher checks and indexes)."""
    names: set[str] = {"type"}
    for cls in (*NODE_TYPES.values(), *EDGE_TYPES.values()):
        names.update(cls.model_fields)
    return names


def json_schema() -> dict[str, Any]:
    """One JSON Schema document with every node and edge type under ``$defs``."""
    defs: dict[str, Any] = {}
    for name, cls in NODE_TYPES.items():
        schema = cls.model_json_schema(ref_template="#/$defs/{model}")
        defs.update(schema.pop("$defs", {}))
        schema["properties"]["type"] = {"const": name}
        schema["required"] = sorted({*schema.get("required", []), "type"})
        defs[name] = schema
    for name, cls in EDGE_TYPES.items():
        schema = cls.model_json_schema(ref_template="#/$defs/{model}")
        defs.update(schema.pop("$defs", {}))
        schema["properties"]["type"] = {"const": name}
        schema["required"] = sorted({*schema.get("required", []), "type"})
        schema["x-source-types"] = list(cls.SOURCE_TYPES)
        schema["x-target-types"] = list(cls.TARGET_TYPES)
        defs[f"{name}Edge"] = schema
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Western Balkans security assistance knowledge base",
        "x-schema-version": SCHEMA_VERSION,
        "type": "object",
        "properties": {
            "nodes": {"type": "array", "items": {"oneOf": [{"$ref": f"#/$defs/{n}"} for n in NODE_TYPES]}},
            "edges": {
                "type": "array",
                "items": {"oneOf": [{"$ref": f"#/$defs/{e}Edge"} for e in EDGE_TYPES]},
            },
        },
        "$defs": defs,
    }
