"""Records to networkx and back: the one conversion every store and analysis shares."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter

import networkx as nx

from kb.records import EdgeRecord, NodeRecord, edge_identity

#: Instance attribute of a graph read whole from a store: nobody modifies it, so what is derived
#: from it (the analyses' facts, :meth:`kb.analysis.links.Facts.of`) is kept with it.
READ_ONLY = "_kb_read_only"
#: Instance attribute of a graph read whole from a store: its edge records in (type, source,
#: target, key) order, as :class:`GraphColumns` holds them (the analyses index them by type).
EDGES = "_kb_edges"
#: Graph attribute of a filtered subgraph: the projects in it that address a need the filters
#: left out (so the analyses do not take them for projects linked to no need).
LINKED_OUTSIDE = "projects_addressing_needs_outside"


def edge_key(edge: EdgeRecord) -> str:
    """The multigraph key of an edge: its type and its own key."""
    return f"{edge['type']}:{edge.get('key', '')}"


def to_networkx(nodes: Iterable[NodeRecord], edges: Iterable[EdgeRecord]) -> nx.MultiDiGraph:
    """A MultiDiGraph whose node and edge attributes are the records themselves.

    Edges whose endpoints are not among ``nodes`` are left out. Nodes are added in id order and
    edges in (type, source, target, key) order, whatever order a store read them in, so every
    store gives the same graph, down to the order of its exports and layouts.

    >>> g = to_networkx([{"id": "a", "type": "Project"}, {"id": "b", "type": "Need"}],
    ...                 [{"type": "ADDRESSES", "source": "a", "target": "b", "key": ""}])
    >>> list(g.edges(keys=True, data="type"))
    [('a', 'b', 'ADDRESSES:', 'ADDRESSES')]
    """
    graph = nx.MultiDiGraph()
    for node in sorted(nodes, key=itemgetter("id")):
        graph.add_node(node["id"], **node)
    graph.add_edges_from(
        (edge["source"], edge["target"], edge_key(edge), edge)
        for edge in sorted(edges, key=edge_identity)
        if edge["source"] in graph and edge["target"] in graph
    )
    return graph


# -- the fast whole-graph load: columns in, networkx's dicts filled directly ------------------
@contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic garbage collector off for a bulk build (it would scan the growing graph again and
    again, finding nothing to free), back on as it was afterwards.

    What was built is long-lived, so it is moved straight to the collector's oldest generation
    (``gc.freeze()`` then ``gc.unfreeze()``: two list merges) rather than scanned again by each
    younger generation on its way there. Not while objects are frozen (``kb serve``'s cached
    graph, :class:`api.cache.GraphCache`): unfreezing would release them.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            if not gc.get_freeze_count():
                gc.freeze()
                gc.unfreeze()
            gc.enable()


@dataclass
class GraphColumns:
    """Every node and edge of a store, columnar, as :meth:`GraphStore.graph_columns` gives them.

    ``nodes`` are the node records in id order; ``edges`` the edge records in (type, source,
    target, key) order, with their sources, targets and multigraph keys (:func:`edge_key`) beside
    them, position for position. Built into a graph by :func:`from_columns`.
    """

    nodes: list[NodeRecord] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    edges: list[EdgeRecord] = field(default_factory=list)

    def add_edge(self, edge: EdgeRecord) -> None:
        self.sources.append(edge["source"])
        self.targets.append(edge["target"])
        self.keys.append(edge_key(edge))
        self.edges.append(edge)

    @classmethod
    def of(cls, nodes: Iterable[NodeRecord], edges: Iterable[EdgeRecord]) -> GraphColumns:
        """Columns of records in any order (sorted here as :func:`to_networkx` sorts them)."""
        columns = cls(nodes=sorted(nodes, key=itemgetter("id")))
        for edge in sorted(edges, key=edge_identity):
            columns.add_edge(edge)
        return columns


def from_columns(columns: GraphColumns) -> nx.MultiDiGraph:
    """The graph :func:`to_networkx` makes of the same records, built without per-edge overhead.

    networkx's node and adjacency dicts are filled directly, in the same order ``add_node`` and
    ``add_edges_from`` would fill them, with the garbage collector paused. The records become the
    attribute dicts themselves (no copy); ids are interned and shared by the dicts' keys and the
    records' ``id``/``source``/``target`` fields. Edges with an endpoint not among the nodes are
    left out, as there.
    """
    graph = nx.MultiDiGraph()
    node, succ, pred = graph._node, graph._succ, graph._pred
    with paused_gc():
        canonical: dict[str, str] = {}
        for record in columns.nodes:
            node_id = record["id"] = canonical[record["id"]] = sys.intern(record["id"])
            node[node_id] = record
            succ[node_id] = {}
            pred[node_id] = {}
        keys: dict[str, str] = {}
        left_out = 0
        for source, target, key, record in zip(
            columns.sources, columns.targets, columns.keys, columns.edges, strict=True
        ):
            u, v = canonical.get(source), canonical.get(target)
            if u is None or v is None:
                left_out += 1
                continue
            out = succ[u]
            keyed = out.get(v)
            if keyed is None:
                keyed = out[v] = {}
                pred[v][u] = keyed
            record["source"], record["target"] = u, v
            keyed[keys.setdefault(key, key)] = record
    graph.__dict__[EDGES] = (
        columns.edges
        if not left_out
        else [e for e in columns.edges if e["source"] in node and e["target"] in node]
    )
    graph.__dict__[READ_ONLY] = True
    return graph
