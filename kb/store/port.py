"""The storage port: what every store adapter offers.

Adapters: :mod:`kb.store.sqlite` (embedded default) and :mod:`kb.store.neo4j`. The contract
suite in ``tests/contract/`` runs the same behaviour tests against each one.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Iterator
from typing import Any

import networkx as nx
from pydantic import BaseModel, ConfigDict, Field, model_validator

from kb.records import Batch, EdgeRecord, NodeRecord


class SubgraphFilter(BaseModel):
    """What part of the graph an analysis or map needs. Empty means everything.

    The *focus* is the set of needs and projects that pass every given filter:

    - ``pillar``: in that pillar (IN_PILLAR), or a project addressing a need in it;
    - ``country``: a need stated by that partner (STATED_BY, or its responsible institution is
      PART_OF it), a project that TARGETS it or addresses such a need;
    - ``donor``: projects the donor FUNDS, the needs they address and every other project
      addressing those needs (so "who else" stays in the picture);
    - ``date_from``/``date_to``: periods that intersect [from, to] (an open end is open);
    - ``cycle``: the need's or project's mapping cycle.

    The subgraph is the focus, every node one step from it that is not itself a need or
    project left out by the filters, and the edges among them.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    pillar: str | None = Field(None, description="Pillar id, e.g. pillar:wbbsi.")
    country: str | None = Field(None, description="Country id, e.g. country:rs.")
    donor: str | None = Field(None, description="Funder id, e.g. org:giz.")
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    cycle: str | None = None

    @model_validator(mode="after")
    def _from_not_after_to(self) -> SubgraphFilter:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError(f"--from {self.date_from} is after --to {self.date_to}")
        return self

    def is_empty(self) -> bool:
        return not any(self.model_dump().values())


class WriteSummary(BaseModel):
    """What a batch changed."""

    nodes_created: int = 0
    nodes_updated: int = 0
    nodes_unchanged: int = 0
    edges_created: int = 0
    edges_updated: int = 0
    edges_unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.nodes_created or self.nodes_updated or self.edges_created or self.edges_updated)


class WriteLogEntry(BaseModel):
    at: str
    actor: str
    action: str
    summary: dict[str, Any]


class GraphStore(abc.ABC):
    """A knowledge-base store. Records are the validated dicts of :mod:`kb.records`."""

    #: Human-readable location, e.g. the file path or the server URI.
    location: str = ""

    @abc.abstractmethod
    def init(self) -> None:
        """Create or migrate the store's structures (idempotent)."""

    @abc.abstractmethod
    def upsert(self, batch: Batch, *, actor: str = "cli", action: str = "upsert") -> WriteSummary:
        """Write a validated batch all-or-nothing; a second identical write changes nothing.

        Refuses (and changes nothing) when an edge endpoint is missing or of a type the edge
        does not allow, or an id is stored with another type.
        """

    @abc.abstractmethod
    def delete(self, node_id: str, *, actor: str = "cli") -> None:
        """Delete a node and its edges; ``NotFoundError`` if there is no such node."""

    @abc.abstractmethod
    def get(self, node_id: str) -> NodeRecord:
        """One node; ``NotFoundError`` if there is no such node."""

    @abc.abstractmethod
    def get_many(self, node_ids: list[str]) -> dict[str, NodeRecord]:
        """The nodes that exist among ``node_ids``."""

    @abc.abstractmethod
    def search(self, text: str, *, limit: int = 20, types: list[str] | None = None) -> list[NodeRecord]:
        """Nodes whose folded searchable text has every query word; the last as a prefix."""

    @abc.abstractmethod
    def nodes(self, *, type: str | None = None, offset: int = 0, limit: int | None = None) -> list[NodeRecord]:
        """Nodes ordered by id, optionally of one type, paged."""

    @abc.abstractmethod
    def edges_of(self, node_id: str) -> list[EdgeRecord]:
        """Every edge starting or ending at ``node_id``."""

    @abc.abstractmethod
    def neighbourhood(self, node_id: str, depth: int = 1) -> nx.MultiDiGraph:
        """The nodes within ``depth`` steps (either direction) and the edges among them."""

    @abc.abstractmethod
    def subgraph(self, filters: SubgraphFilter | None = None) -> nx.MultiDiGraph:
        """The part of the graph ``filters`` select (see :class:`SubgraphFilter`)."""

    @abc.abstractmethod
    def counts(self) -> dict[str, dict[str, int]]:
        """``{"nodes": {TYPE: n}, "edges": {TYPE: n}}`` with every schema type present."""

    @abc.abstractmethod
    def iter_nodes(self, batch_size: int = 1000) -> Iterator[list[NodeRecord]]:
        """Every node, in id order, in batches (for export and copy)."""

    @abc.abstractmethod
    def iter_edges(self, batch_size: int = 1000) -> Iterator[list[EdgeRecord]]:
        """Every edge, in identity order, in batches (for export and copy)."""

    @abc.abstractmethod
    def write_log(self, limit: int = 100) -> list[WriteLogEntry]:
        """The latest writes, newest first: when, who, what."""

    @abc.abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
