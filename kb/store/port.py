"""The storage port: what every store adapter offers.

Adapters: :mod:`kb.store.sqlite` (embedded default) and :mod:`kb.store.neo4j`. The contract
suite in ``tests/contract/`` runs the same behaviour tests against each one.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Iterator
from typing import Any, Self

import networkx as nx
from pydantic import BaseModel, ConfigDict, Field, model_validator

from kb.graph import LINKED_OUTSIDE, to_networkx
from kb.records import Batch, EdgeRecord, NodeRecord

#: Types the filters select; their other neighbours come along, these only when selected.
FOCUS_TYPES = frozenset({"Need", "Project"})


class SubgraphFilter(BaseModel):
    """What part of the graph an analysis or map needs. Empty means everything.

    The *focus* is the set of needs and projects that pass every given filter:

    - ``pillar``: in that pillar (IN_PILLAR), or a project addressing a need in it;
    - ``country``: a need stated by that partner (STATED_BY, or its responsible institution is
      PART_OF it), a project that TARGETS it or addresses such a need;
    - ``donor``: projects the donor FUNDS, the needs they address and every other project
      addressing those needs (so "who else" stays in the picture);
    - ``date_from``/``date_to``: periods that intersect [from, to] (an open end is open);
    - ``cycle``: needs and projects of that mapping cycle, the projects addressing those needs
      and the needs those projects address (needs and responses have cycles of their own:
      ``needs-mapping-1`` is answered by projects of ``response-mapping-2023``).

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
        """Nodes whose folded searchable text has every query word as the start of a word.

        The most specific match (the shortest searchable text) comes first, then by id: the
        same hits in the same order on every store.
        """

    @abc.abstractmethod
    def nodes(
        self, *, type: str | None = None, offset: int = 0, limit: int | None = None
    ) -> list[NodeRecord]:
        """Nodes ordered by id, optionally of one type, paged."""

    @abc.abstractmethod
    def edges_of(self, node_id: str) -> list[EdgeRecord]:
        """Every edge starting or ending at ``node_id``, ordered by (type, source, target, key)."""

    def neighbourhood(self, node_id: str, depth: int = 1) -> nx.MultiDiGraph:
        """The nodes within ``depth`` steps (either direction) and the edges among them."""
        self.get(node_id)
        seen, frontier = {node_id}, {node_id}
        for _ in range(max(depth, 0)):
            frontier = self.neighbours(frontier) - seen
            if not frontier:
                break
            seen |= frontier
        return self.induced(seen)

    def subgraph(self, filters: SubgraphFilter | None = None) -> nx.MultiDiGraph:
        """The part of the graph ``filters`` select (see :class:`SubgraphFilter`).

        Written once here on the primitives below, which each adapter answers with one
        query, so the selection is pushed down to the store and the same on every store.
        """
        filters = filters or SubgraphFilter()
        if filters.is_empty():
            return self.induced_all()
        sets: list[set[str]] = []
        if filters.pillar:
            sets.append(
                self._with_addressing_projects(self.ends("IN_PILLAR", side="source", others={filters.pillar}))
            )
        if filters.country:
            institutions = self.ends("PART_OF", side="source", others={filters.country})
            needs = self.ends("STATED_BY", side="source", others={filters.country})
            needs |= (
                self.ends("RESPONSIBLE_FOR", side="target", others=institutions) if institutions else set()
            )
            direct = self.ends("TARGETS", side="source", others={filters.country})
            direct |= self.ends("HELD_IN", side="source", others={filters.country})
            sets.append(direct | self._with_addressing_projects(needs))
        if filters.donor:
            projects = self.ends("FUNDS", side="target", others={filters.donor})
            needs = self.ends("ADDRESSES", side="target", others=projects) if projects else set()
            sets.append(projects | self._with_addressing_projects(needs))
        if filters.date_from or filters.date_to:
            low = (filters.date_from or dt.date.min).isoformat()
            high = (filters.date_to or dt.date.max).isoformat()
            sets.append(self.ids_in_period(low, high))
        if filters.cycle:
            in_cycle = self.ids_in_cycle(filters.cycle)
            addressed = self.ends("ADDRESSES", side="target", others=in_cycle) if in_cycle else set()
            sets.append(self._with_addressing_projects(in_cycle) | addressed)
        return self.around(set.intersection(*sets))

    def around(self, focus: set[str]) -> nx.MultiDiGraph:
        """The ``focus`` ids, every node one step from them that is not a need or project, and
        the edges among them (empty when ``focus`` is)."""
        if not focus:
            return nx.MultiDiGraph()
        around = self.neighbours(focus)
        left_out = {i: t for i, t in self.types_of(around).items() if t in FOCUS_TYPES}
        graph = self.induced(focus | (around - set(left_out)))
        needs_left_out = {i for i, t in left_out.items() if t == "Need"}
        # Projects that address a need the filters left out are not "linked to no need".
        graph.graph[LINKED_OUTSIDE] = (
            self.ends("ADDRESSES", side="source", others=needs_left_out) & focus if needs_left_out else set()
        )
        return graph

    def _with_addressing_projects(self, selected: set[str]) -> set[str]:
        if not selected:
            return selected
        return selected | self.ends("ADDRESSES", side="source", others=selected)

    def induced_all(self) -> nx.MultiDiGraph:
        """The whole graph."""
        nodes = [n for chunk in self.iter_nodes(5000) for n in chunk]
        edges = [e for chunk in self.iter_edges(5000) for e in chunk]
        return to_networkx(nodes, edges)

    @abc.abstractmethod
    def ends(self, edge_type: str, *, side: str, others: set[str]) -> set[str]:
        """Ids at ``side`` ("source" or "target") of ``edge_type`` edges whose other end is in ``others``."""

    @abc.abstractmethod
    def ids_in_period(self, low: str, high: str) -> set[str]:
        """Needs and projects whose period meets [low, high] (open ends are open), events dated in it."""

    @abc.abstractmethod
    def ids_in_cycle(self, cycle: str) -> set[str]:
        """Nodes whose ``cycle`` property equals ``cycle``."""

    @abc.abstractmethod
    def types_of(self, ids: set[str]) -> dict[str, str]:
        """The type of each existing id among ``ids``."""

    @abc.abstractmethod
    def neighbours(self, ids: set[str]) -> set[str]:
        """Ids one edge (either direction) away from ``ids``, not in ``ids``."""

    @abc.abstractmethod
    def induced(self, ids: set[str]) -> nx.MultiDiGraph:
        """The existing nodes among ``ids`` and every edge between two of them."""

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

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
