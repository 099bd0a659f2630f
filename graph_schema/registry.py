"""The registry: every node and edge type by name, and what is derived from it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from graph_schema.base import Edge, Node
from graph_schema.edges import EDGE_CLASSES
from graph_schema.nodes import NODE_CLASSES

#: Bumped when stored data must be migrated; stores refuse files from a newer version.
SCHEMA_VERSION = 1

NODE_TYPES: dict[str, type[Node]] = {cls.TYPE: cls for cls in NODE_CLASSES}
EDGE_TYPES: dict[str, type[Edge]] = {cls.TYPE: cls for cls in EDGE_CLASSES}
PREFIXES: dict[str, str] = {cls.PREFIX: cls.TYPE for cls in NODE_CLASSES}

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


def property_names(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)


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
