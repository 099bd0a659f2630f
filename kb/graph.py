"""Records to networkx and back: the one conversion every store and analysis shares."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
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


def check_leave_out(leave_out: frozenset[str]) -> frozenset[str]:
    """``leave_out`` if it names node properties a reader may do without: never ``id`` or
    ``type``, and plain field names (``ValueError`` otherwise)."""
    for name in leave_out:
        if name in ("id", "type") or not name.isidentifier():
            raise ValueError(f"cannot leave out the node property {name!r}")
    return leave_out


def without(nodes: list[NodeRecord], leave_out: frozenset[str]) -> list[NodeRecord]:
    """``nodes`` with the properties named in ``leave_out`` removed (in place)."""
    for name in check_leave_out(leave_out):
        for record in nodes:
            record.pop(name, None)
    return nodes


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


class GraphColumns:
    """Every node and edge of a store, as :meth:`GraphStore.graph_columns` gives them, already in
    networkx's dicts (:attr:`graph`; :func:`from_columns` hands it on).

    Records go in through :meth:`add_nodes` (all of them first, in id order) and then
    :meth:`add_edges` (in (type, source, target, key) order). Each goes straight into the node
    and adjacency dicts of the graph, in the order ``add_node`` and ``add_edges_from`` would put
    it there, as the attribute dict itself (no copy), so the graph is the one
    :func:`to_networkx` makes of the same records. The strings that repeat are shared: an edge's
    ``source`` and ``target`` become the very string objects of its ends' ``id`` (the graph holds
    each id once), and each type name and multigraph key (:func:`edge_key`) is held once. Strings
    are immutable, so sharing them changes no value; no list or dict is shared. An edge with an
    end not among the nodes is listed in ``edges`` but left out of the graph, as there.

    ``nodes`` and ``edges`` list the records in the order they went in; ``sources``, ``targets``
    and ``keys`` are the edges' ends and multigraph keys, position for position.
    """

    def __init__(self) -> None:
        self.graph = nx.MultiDiGraph()
        self.nodes: list[NodeRecord] = []
        self.edges: list[EdgeRecord] = []
        #: node id → (the id as its record holds it, its successors' dict, its predecessors').
        self._ends: dict[str, tuple[str, dict, dict]] = {}
        #: Type names, one string object each.
        self._types: dict[str, str] = {}
        #: type → key → multigraph key, one string object each.
        self._keys: dict[str, dict[str, str]] = {}
        #: How many edges have an end not among the nodes (left out of the graph).
        self.left_out = 0

    @property
    def sources(self) -> list[str]:
        return [e["source"] for e in self.edges]

    @property
    def targets(self) -> list[str]:
        return [e["target"] for e in self.edges]

    @property
    def keys(self) -> list[str]:
        return [edge_key(e) for e in self.edges]

    def add_nodes(self, records: Iterable[NodeRecord]) -> None:
        """Add node records (in id order, each id once), sharing their type names."""
        node, succ, pred = self.graph._node, self.graph._succ, self.graph._pred
        ends, types, listed = self._ends, self._types.setdefault, self.nodes.append
        for record in records:
            node_id = record["id"]
            kind = record["type"]
            record["type"] = types(kind, kind)
            node[node_id] = record
            out = succ[node_id] = {}
            into = pred[node_id] = {}
            ends[node_id] = (node_id, out, into)
            listed(record)

    def add_edges(self, records: Iterable[EdgeRecord]) -> None:
        """Add edge records (in (type, source, target, key) order), after every node."""
        ends, types, keys, listed = self._ends.get, self._types.setdefault, self._keys, self.edges.append
        kind, keys_of_kind = None, {}
        for record in records:
            listed(record)
            if record["type"] != kind:
                kind = types(record["type"], record["type"])
                keys_of_kind = keys.setdefault(kind, {})
            record["type"] = kind
            key = record.get("key", "")
            multi = keys_of_kind.get(key)
            if multi is None:
                multi = keys_of_kind[key] = f"{kind}:{key}"
            tail, head = ends(record["source"]), ends(record["target"])
            if tail is None or head is None:
                self.left_out += 1
                continue
            u, out, _ = tail
            v, _, into = head
            record["source"], record["target"] = u, v
            keyed = out.get(v)
            if keyed is None:
                out[v] = into[u] = {multi: record}
            else:
                keyed[multi] = record

    @classmethod
    def of(cls, nodes: Iterable[NodeRecord], edges: Iterable[EdgeRecord]) -> GraphColumns:
        """Columns of records in any order (sorted here as :func:`to_networkx` sorts them)."""
        columns = cls()
        with paused_gc():
            columns.add_nodes(sorted(nodes, key=itemgetter("id")))
            columns.add_edges(sorted(edges, key=edge_identity))
        return columns


def from_columns(columns: GraphColumns) -> nx.MultiDiGraph:
    """The graph of ``columns`` (built as their records went in), marked read-only (:data:`READ_ONLY`),
    with its edge records in (type, source, target, key) order beside it (:data:`EDGES`)."""
    graph = columns.graph
    graph.__dict__[EDGES] = (
        columns.edges
        if not columns.left_out
        else [e for e in columns.edges if e["source"] in graph._node and e["target"] in graph._node]
    )
    graph.__dict__[READ_ONLY] = True
    return graph
