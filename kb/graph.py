"""Records to networkx and back: the one conversion every store and analysis shares."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter

import networkx as nx

from kb.records import EdgeRecord, NodeRecord, edge_identity

#: Instance attribute of a graph read whole from a store: nobody modifies it, so what is derived
#: from it (the analyses' facts, :meth:`kb.analysis.links.Facts.of`) is kept with it.
READ_ONLY = "_kb_read_only"
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
def paused_gc(*, long_lived: bool = False) -> Iterator[None]:
    """The cyclic garbage collector off for a bulk build (it would scan the growing graph again and
    again, finding nothing to free), back on as it was afterwards.

    With ``long_lived``, what was built is meant to be kept (a graph read whole): as the pause
    ends it joins the collector's oldest generation at once (``gc.freeze()`` then
    ``gc.unfreeze()``, two list splices), instead of being examined first as young objects, then
    as middle-aged ones, by the next two collections. A full collection still examines it as it
    examines every old object, so a cycle in it is freed as usual. Skipped while something else
    holds objects frozen (``gc.get_freeze_count()``), which unfreezing would release.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if long_lived and not gc.get_freeze_count():
            gc.freeze()
            gc.unfreeze()
        if was:
            gc.enable()


@dataclass
class GraphColumns:
    """Every node and edge of a store, columnar, as :meth:`GraphStore.graph_columns` gives them.

    ``nodes`` are the node records in id order; ``edges`` the edge records in (type, source,
    target, key) order, with their sources, targets and multigraph keys (:func:`edge_key`) beside
    them, position for position. Built into a graph by :func:`from_columns`.

    Records go in through :meth:`add_nodes` (first) and :meth:`add_edges`, which share the
    strings that repeat: an edge's ``source`` and ``target`` become the very string objects of
    its ends' ``id`` (so the graph holds each id once), and each type name and multigraph key is
    held once. Strings are immutable, so sharing them changes no value; no list or dict is shared.
    """

    nodes: list[NodeRecord] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    edges: list[EdgeRecord] = field(default_factory=list)
    #: Each node id, as the string object of its record's ``id``.
    _ids: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    #: Type names, one string object each.
    _types: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    #: (type, key) → multigraph key, one string object each.
    _keys: dict[tuple[str, str], str] = field(default_factory=dict, repr=False, compare=False)

    def add_nodes(self, records: Iterable[NodeRecord]) -> None:
        """Append node records (in id order, each id once), sharing their ids and type names."""
        ids, types, append = self._ids, self._types.setdefault, self.nodes.append
        for record in records:
            node_id = record["id"]
            ids[node_id] = node_id
            kind = record["type"]
            record["type"] = types(kind, kind)
            append(record)

    def add_edges(self, records: Iterable[EdgeRecord]) -> None:
        """Append edge records (in (type, source, target, key) order), after :meth:`add_nodes`."""
        ids, types, keys = self._ids.get, self._types.setdefault, self._keys
        sources, targets, multi, edges = (
            self.sources.append,
            self.targets.append,
            self.keys.append,
            self.edges.append,
        )
        for record in records:
            source, target = record["source"], record["target"]
            record["source"] = source = ids(source, source)
            record["target"] = target = ids(target, target)
            kind = record["type"]
            record["type"] = kind = types(kind, kind)
            pair = (kind, record.get("key", ""))
            key = keys.get(pair)
            if key is None:
                key = keys[pair] = f"{kind}:{pair[1]}"
            sources(source)
            targets(target)
            multi(key)
            edges(record)

    @classmethod
    def of(cls, nodes: Iterable[NodeRecord], edges: Iterable[EdgeRecord]) -> GraphColumns:
        """Columns of records in any order (sorted here as :func:`to_networkx` sorts them)."""
        columns = cls()
        columns.add_nodes(sorted(nodes, key=itemgetter("id")))
        columns.add_edges(sorted(edges, key=edge_identity))
        return columns


def from_columns(columns: GraphColumns) -> nx.MultiDiGraph:
    """The graph :func:`to_networkx` makes of the same records, built without per-edge overhead.

    networkx's node and adjacency dicts are filled directly, in the same order ``add_node`` and
    ``add_edges_from`` would fill them, with the garbage collector paused (``long_lived``). The
    records become the attribute dicts themselves (no copy), with the strings
    :class:`GraphColumns` shares. Edges with an end not among the nodes are left out, as there.
    """
    graph = nx.MultiDiGraph()
    node, succ, pred = graph._node, graph._succ, graph._pred
    with paused_gc(long_lived=True):
        for record in columns.nodes:
            node_id = record["id"]
            node[node_id] = record
            succ[node_id] = {}
            pred[node_id] = {}
        out_of, into_of = succ.get, pred.get
        for u, v, key, record in zip(
            columns.sources, columns.targets, columns.keys, columns.edges, strict=True
        ):
            out, into = out_of(u), into_of(v)
            if out is None or into is None:
                continue
            keyed = out.get(v)
            if keyed is None:
                out[v] = into[u] = {key: record}
            else:
                keyed[key] = record
    graph.__dict__[READ_ONLY] = True
    return graph
