"""The knowledge base's schema, declared once.

Every node and edge type is a pydantic model registered in :mod:`graph_schema.registry`.
Validation, the JSON Schema, the data-model document, store DDL, API models and map
styles are all derived from that registry; nothing restates the list of types. So are the
facts other packages ask about: who can fund, implement or benefit (``FUNDER_TYPES``,
``IMPLEMENTER_TYPES``, ``BENEFICIARY_TYPES``, ``ACTOR_TYPES``), the priorities and statuses
(``PRIORITIES``, ``PRIORITY_RANK``, ``STATUSES``, ``NEVER_ACTIVE_STATUSES``), which properties
hold a period (``PERIOD_FIELDS``) and a node's short form (:func:`short_label`).
"""

from graph_schema.base import Edge, Node, PeriodFields
from graph_schema.nodes import (
    NEVER_ACTIVE_STATUSES,
    ONGOING_STATUSES,
    STOPPED_STATUSES,
    Priority,
    ProjectStatus,
)
from graph_schema.registry import (
    ACTOR_TYPES,
    BENEFICIARY_TYPES,
    DEFAULT_PRIORITY,
    DEFAULT_STATUS,
    EDGE_TYPES,
    FUNDER_TYPES,
    IMPLEMENTER_TYPES,
    MAPPED_TYPES,
    NODE_TYPES,
    PERIOD_FIELDS,
    PRIORITIES,
    PRIORITY_RANK,
    SCHEMA_VERSION,
    SHORT_FIELDS,
    STATUSES,
    edge_model,
    json_schema,
    literal_values,
    node_model,
    searchable_fields,
    short_label,
    types_with,
)

__all__ = [
    "ACTOR_TYPES",
    "BENEFICIARY_TYPES",
    "DEFAULT_PRIORITY",
    "DEFAULT_STATUS",
    "EDGE_TYPES",
    "FUNDER_TYPES",
    "IMPLEMENTER_TYPES",
    "MAPPED_TYPES",
    "NEVER_ACTIVE_STATUSES",
    "NODE_TYPES",
    "ONGOING_STATUSES",
    "PERIOD_FIELDS",
    "PRIORITIES",
    "PRIORITY_RANK",
    "SCHEMA_VERSION",
    "SHORT_FIELDS",
    "STATUSES",
    "STOPPED_STATUSES",
    "Edge",
    "Node",
    "PeriodFields",
    "Priority",
    "ProjectStatus",
    "edge_model",
    "json_schema",
    "literal_values",
    "node_model",
    "searchable_fields",
    "short_label",
    "types_with",
]
