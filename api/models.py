"""The API's request and response models, derived from the graph_schema registry.

Each node and edge type gets an ``...In`` and an ``...Out`` model: the registered model with
its ``type`` as a literal tag, so the OpenAPI description carries every type's fields and a
discriminated union of them. Nothing here restates a field of the schema.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, create_model

from graph_schema import EDGE_TYPES, NODE_TYPES
from kb.store.history import Change, Reverted
from kb.store.writes import WriteLogEntry, WriteSummary


def _tagged(base: type[BaseModel], type_name: str, model_name: str) -> type[BaseModel]:
    return create_model(  # type: ignore[call-overload,no-any-return]
        model_name,
        __base__=base,
        __module__=__name__,
        type=(Literal[type_name], Field(description="The node or edge type.")),
    )


def _union(models: list[type[BaseModel]]) -> Any:
    return Annotated[Union[tuple(models)], Field(discriminator="type")]  # noqa: UP007


NODE_IN_MODELS = {name: _tagged(cls, name, f"{name}In") for name, cls in NODE_TYPES.items()}
NODE_OUT_MODELS = {name: _tagged(cls, name, f"{name}Out") for name, cls in NODE_TYPES.items()}
EDGE_IN_MODELS = {name: _tagged(cls, name, f"{cls.__name__}EdgeIn") for name, cls in EDGE_TYPES.items()}
EDGE_OUT_MODELS = {name: _tagged(cls, name, f"{cls.__name__}EdgeOut") for name, cls in EDGE_TYPES.items()}

NodeIn = _union(list(NODE_IN_MODELS.values()))
NodeOut = _union(list(NODE_OUT_MODELS.values()))
EdgeIn = _union(list(EDGE_IN_MODELS.values()))
EdgeOut = _union(list(EDGE_OUT_MODELS.values()))

#: Node type names, for query parameters.
NodeType = Literal[tuple(NODE_TYPES)]  # type: ignore[valid-type]


class BatchIn(BaseModel):
    """Nodes and edges written all-or-nothing. A JSON dump of the store is a valid batch."""

    model_config = ConfigDict(extra="forbid")

    nodes: list[NodeIn] = Field(default_factory=list)  # type: ignore[valid-type]
    edges: list[EdgeIn] = Field(default_factory=list)  # type: ignore[valid-type]
    format: str | None = Field(None, description="Present in dumps; ignored.")
    schema_version: int | None = Field(
        None, strict=True, description="Present in dumps; a newer version is refused."
    )
    exported_at: str | None = Field(None, description="Present in dumps; ignored.")
    footnotes: list[str] | None = Field(None, description="Present in dumps; ignored.")

    def records(self) -> dict[str, Any]:
        """The batch as plain records (what :func:`kb.records.parse_batch` takes)."""
        return {
            "nodes": [n.model_dump(mode="json", exclude_none=True) for n in self.nodes],
            "edges": [e.model_dump(mode="json", exclude_none=True) for e in self.edges],
        }


class GraphOut(BaseModel):
    """A part of the graph: nodes and the edges among them."""

    nodes: list[NodeOut]  # type: ignore[valid-type]
    edges: list[EdgeOut]  # type: ignore[valid-type]


class NodePageOut(BaseModel):
    """One page of nodes, ordered by id."""

    items: list[NodeOut]  # type: ignore[valid-type]
    offset: int
    limit: int
    total: int = Field(description="How many nodes match, over all pages.")


class WriteOut(WriteSummary):
    """What a batch changed, and who wrote it."""

    actor: str


class WriteLogEntryOut(WriteLogEntry):
    """One recorded write: when, who (``token:NAME`` for API writes, ``cli`` …), what."""


class ChangeOut(Change):
    """One change of a record in one batch: its state before and after (``null``: it did not exist)."""


class RevertOut(Reverted):
    """What reverting a batch did: the new batch recording it and the records written back."""


class HealthOut(BaseModel):
    status: Literal["ok"]


class ReadyOut(BaseModel):
    status: Literal["ready"]
    store: str = Field(description="The kind of store: sqlite or neo4j.")
    nodes: int
