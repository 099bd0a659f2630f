"""The storage port: the primitives every store adapter offers, and shorthands for the selection rules.

Adapters: :mod:`kb.store.sqlite` (embedded default) and :mod:`kb.store.neo4j`. The contract
suite in ``tests/contract/`` runs the same behaviour tests against each one. Which part of the
graph a filter selects is decided once, in :mod:`kb.selection`, on these primitives.
"""

from __future__ import annotations

import abc
import json
from collections.abc import Collection, Iterator, Mapping
from typing import Self

import networkx as nx

from kb import selection
from kb.graph import GraphColumns, without
from kb.records import Batch, EdgeRecord, NodeRecord, edge_identity
from kb.selection import SubgraphFilter
from kb.store.history import Change, Reverted
from kb.store.writes import WriteLogEntry, WriteSummary


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
        does not allow, or an id is stored with another type. The edges of ``batch.retract`` the
        batch does not write are deleted in the same transaction (absent ones are ignored).
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

    def edges_reached(self, node_id: str, reach: Mapping[str, Collection[str]]) -> list[EdgeRecord]:
        """Every edge of ``node_id`` and, for each edge of a type ``T`` in ``reach`` that ends at
        ``node_id``, the edges of its source (either direction) whose type is in ``reach[T]``:
        each edge once, in (type, source, target, key) order.

        The small graph of a per-node question (who funds a need: its projects' funders,
        implementers and targets) in one read. This default walks :meth:`edges_of`; the adapters
        answer it in one query that decodes only the edges asked for.
        """
        own = self.edges_of(node_id)
        found = {edge_identity(e): e for e in own}
        for edge in own:
            wanted = reach.get(edge["type"])
            if wanted is None or edge["target"] != node_id:
                continue
            for further in self.edges_of(edge["source"]):
                if further["type"] in wanted:
                    found[edge_identity(further)] = further
        return [found[k] for k in sorted(found)]

    def edges_at(self, ids: set[str]) -> list[EdgeRecord]:
        """Every edge starting or ending at one of ``ids``, each once, ordered by (type, source,
        target, key): :meth:`edges_of` for many nodes at once (unknown ids have none).

        This default asks :meth:`edges_of` node by node; the adapters answer in one query per
        :data:`~kb.store.sqlite.CHUNK` ids.
        """
        found = {edge_identity(e): e for node_id in sorted(ids) for e in self.edges_of(node_id)}
        return [found[k] for k in sorted(found)]

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
        """Every edge, in batches (for export and copy), in an order of the store's own.

        SQLite gives the order the edges were first written, Neo4j (source, type, target, key);
        a caller that needs one order sorts by :func:`kb.records.edge_identity`, that is by
        (type, source, target, key).
        """

    @abc.abstractmethod
    def write_log(self, limit: int = 100) -> list[WriteLogEntry]:
        """The latest writes, newest first: when, who, what."""

    # -- history (kb.store.history): every write's changes, record by record ------------------
    @abc.abstractmethod
    def history(self, record_id: str) -> list[Change]:
        """The changes of node ``record_id`` and of every edge starting or ending at it, oldest first.

        Empty for an id never written since the store kept history (an unknown id included).
        """

    @abc.abstractmethod
    def changes(self, *, after: int = 0, upto: int | None = None) -> list[Change]:
        """The changes of the batches numbered in (``after``, ``upto``], in (batch, n) order."""

    @abc.abstractmethod
    def batch(self, batch_id: int) -> WriteLogEntry:
        """One batch's write-log entry; ``NotFoundError`` if there is none of that number."""

    @abc.abstractmethod
    def last_batch(self, *, until: str | None = None) -> int:
        """The number of the latest batch written at or before ``until`` (UTC ISO 8601), 0 if none."""

    @abc.abstractmethod
    def revert(self, batch_id: int, *, force: bool = False, actor: str = "cli") -> Reverted:
        """Write back each record's state before batch ``batch_id``, all-or-nothing, as a new batch.

        ``NotFoundError`` for an unknown batch; ``ConflictError`` naming the later batches and
        records when a later batch changed one of the same records (unless ``force``): then
        nothing changes. A record already in its before-state is left alone.
        """

    @abc.abstractmethod
    def close(self) -> None:
        """Release the store's connections; the store is not used afterwards."""

    # -- the fast whole-graph read (issue 15) -------------------------------------------------
    def graph_columns(self, *, leave_out: frozenset[str] = frozenset()) -> GraphColumns:
        """Every node and edge, columnar (:class:`~kb.graph.GraphColumns`): nodes in id order,
        edges in (type, source, target, key) order, records as :meth:`iter_nodes` gives them,
        less the node properties named in ``leave_out`` (:func:`kb.graph.check_leave_out`).

        :func:`kb.selection.whole_graph` builds the graph of it. This default reads the batches of
        :meth:`iter_nodes` and :meth:`iter_edges`; the adapters answer it in one query per table
        and leave the properties out as they read.
        """
        nodes = [n for chunk in self.iter_nodes(5000) for n in chunk]
        edges = [e for chunk in self.iter_edges(5000) for e in chunk]
        return GraphColumns.of(without(nodes, leave_out), edges)

    def data_version(self) -> str:
        """A text that changes whenever the stored data changes (for caches of derived pages).

        This default is the latest write-log entry and the counts; the SQLite adapter answers
        with the write log's last rowid, which costs one index lookup.
        """
        latest = self.write_log(limit=1)
        return json.dumps(
            [latest[0].model_dump() if latest else None, self.counts()], sort_keys=True, default=str
        )

    # -- the selection rules of kb.selection, as methods ------------------------------------
    def subgraph(
        self, filters: SubgraphFilter | None = None, *, leave_out: frozenset[str] = frozenset()
    ) -> nx.MultiDiGraph:
        """:func:`kb.selection.subgraph`: the part of the graph ``filters`` select (its nodes
        without the properties named in ``leave_out``)."""
        return selection.subgraph(self, filters, leave_out=leave_out)

    def around(self, focus: set[str]) -> nx.MultiDiGraph:
        """:func:`kb.selection.around`: ``focus`` and its neighbours other than needs and projects."""
        return selection.around(self, focus)

    def neighbourhood(self, node_id: str, depth: int = 1) -> nx.MultiDiGraph:
        """:func:`kb.selection.neighbourhood`: the nodes within ``depth`` steps and their edges."""
        return selection.neighbourhood(self, node_id, depth)

    def induced_all(self) -> nx.MultiDiGraph:
        """:func:`kb.selection.whole_graph`: the whole graph."""
        return selection.whole_graph(self)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
