"""The knowledge base's schema, declared once.

Every node and edge type is a pydantic model registered in :mod:`graph_schema.registry`.
Validation, the JSON Schema, the data-model document, store DDL, API models and map
styles are all derived from that registry; nothing restates the list of types.
"""

from graph_schema.base import Edge, Node
from graph_schema.registry import (
    EDGE_TYPES,
    NODE_TYPES,
    SCHEMA_VERSION,
    edge_model,
    json_schema,
    node_model,
    searchable_fields,
)

__all__ = [
    "EDGE_TYPES",
    "NODE_TYPES",
    "SCHEMA_VERSION",
    "Edge",
    "Node",
    "edge_model",
    "json_schema",
    "node_model",
    "searchable_fields",
]
