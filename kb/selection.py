"""The selection rules: which part of the stored graph a filter, a focus or a node's neighbourhood selects.

Written once here on the primitives of the :class:`~kb.store.port.GraphStore` port (``ends``,
``ids_in_period``, ``ids_in_cycle``, ``types_of``, ``neighbours``, ``induced``), which each
adapter answers with one query, so the selection is pushed down to the store and is the same on
every store.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import networkx as nx
from pydantic import BaseModel, ConfigDict, Field, model_validator

from graph_schema import MAPPED_TYPES
from kb.graph import LINKED_OUTSIDE, check_leave_out, from_columns, without

if TYPE_CHECKING:
    from kb.store.port import GraphStore


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


def subgraph(
    store: GraphStore, filters: SubgraphFilter | None = None, *, leave_out: frozenset[str] = frozenset()
) -> nx.MultiDiGraph:
    """The part of the graph ``filters`` select (see :class:`SubgraphFilter`): :func:`around` the focus.

    Its nodes lack the properties named in ``leave_out`` (for readers that never look at them,
    such as the analyses: :data:`kb.analysis.UNREAD_NODE_PROPERTIES`); the whole graph is then
    read without them.
    """
    filters = filters or SubgraphFilter()
    check_leave_out(leave_out)
    if filters.is_empty():
        return whole_graph(store, leave_out=leave_out)
    sets: list[set[str]] = []
    if filters.pillar:
        sets.append(
            _with_addressing_projects(store, store.ends("IN_PILLAR", side="source", others={filters.pillar}))
        )
    if filters.country:
        institutions = store.ends("PART_OF", side="source", others={filters.country})
        needs = store.ends("STATED_BY", side="source", others={filters.country})
        needs |= store.ends("RESPONSIBLE_FOR", side="target", others=institutions) if institutions else set()
        direct = store.ends("TARGETS", side="source", others={filters.country})
        direct |= store.ends("HELD_IN", side="source", others={filters.country})
        sets.append(direct | _with_addressing_projects(store, needs))
    if filters.donor:
        projects = store.ends("FUNDS", side="target", others={filters.donor})
        needs = store.ends("ADDRESSES", side="target", others=projects) if projects else set()
        sets.append(projects | _with_addressing_projects(store, needs))
    if filters.date_from or filters.date_to:
        low = (filters.date_from or dt.date.min).isoformat()
        high = (filters.date_to or dt.date.max).isoformat()
        sets.append(store.ids_in_period(low, high))
    if filters.cycle:
        in_cycle = store.ids_in_cycle(filters.cycle)
        addressed = store.ends("ADDRESSES", side="target", others=in_cycle) if in_cycle else set()
        sets.append(_with_addressing_projects(store, in_cycle) | addressed)
    graph = around(store, set.intersection(*sets))
    if leave_out:
        without(list(graph._node.values()), leave_out)
    return graph


def around(store: GraphStore, focus: set[str]) -> nx.MultiDiGraph:
    """The ``focus`` ids, every node one step from them that is not a need or project, and the
    edges among them (empty when ``focus`` is).

    The graph attribute :data:`~kb.graph.LINKED_OUTSIDE` holds the focus projects that address
    a need left out, so the analyses do not take them for projects linked to no need.
    """
    if not focus:
        return nx.MultiDiGraph()
    near = store.neighbours(focus)
    left_out = {i: t for i, t in store.types_of(near).items() if t in MAPPED_TYPES}
    graph = store.induced(focus | (near - set(left_out)))
    needs_left_out = {i for i, t in left_out.items() if t == "Need"}
    graph.graph[LINKED_OUTSIDE] = (
        store.ends("ADDRESSES", side="source", others=needs_left_out) & focus if needs_left_out else set()
    )
    return graph


def neighbourhood(store: GraphStore, node_id: str, depth: int = 1) -> nx.MultiDiGraph:
    """The nodes within ``depth`` steps (either direction) of ``node_id`` and the edges among them.

    ``NotFoundError`` if there is no such node.
    """
    store.get(node_id)
    seen, frontier = {node_id}, {node_id}
    for _ in range(max(depth, 0)):
        frontier = store.neighbours(frontier) - seen
        if not frontier:
            break
        seen |= frontier
    return store.induced(seen)


def whole_graph(store: GraphStore, *, leave_out: frozenset[str] = frozenset()) -> nx.MultiDiGraph:
    """Every node and edge of the store, read columnar (:meth:`GraphStore.graph_columns`)."""
    return from_columns(store.graph_columns(leave_out=leave_out))


def _with_addressing_projects(store: GraphStore, selected: set[str]) -> set[str]:
    """``selected`` and the projects that address one of them."""
    if not selected:
        return selected
    return selected | store.ends("ADDRESSES", side="source", others=selected)
