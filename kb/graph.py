"""Records to networkx and back: the one conversion every store and analysis shares."""

from __future__ import annotations

from collections.abc import Iterable
from operator import itemgetter

import networkx as nx

from kb.records import EdgeRecord, NodeRecord, edge_identity

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
