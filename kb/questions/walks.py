"""The small graphs the per-node questions read, walked edge by edge from the node.

"Who funds this need" and "who else funds what this donor funds" never load a whole partner or
pillar: their cost follows the node's own size, not the store's.
"""

from __future__ import annotations

import networkx as nx

from graph_schema.registry import type_of_id
from kb.errors import InvalidInputError, NotFoundError
from kb.filters import resolve_actor
from kb.graph import to_networkx
from kb.records import edge_identity
from kb.store.port import GraphStore

#: What "who funds this need" reads beyond the need's own edges: per kind of neighbour, its edges
#: of these types (the funders and implementers of each project, the country of each institution).
_NEED_REACH = {"ADDRESSES": {"FUNDS", "IMPLEMENTS", "TARGETS"}, "RESPONSIBLE_FOR": {"PART_OF"}}


def need_graph(store: GraphStore, need_id: str) -> nx.MultiDiGraph:
    """A need, every edge of it, and for its projects and responsible institutions the edges
    "who funds" reads (funders, implementers, targets; the institution's country).

    Two reads: the edges (:meth:`GraphStore.edges_reached`), then the nodes at their ends.
    """
    edges = store.edges_reached(need_id, _NEED_REACH)
    ids = {need_id} | {e[end] for e in edges for end in ("source", "target")}
    nodes = store.get_many(sorted(ids))
    node = nodes.get(need_id)
    if node is None:
        raise NotFoundError(f"no node with id '{need_id}'")
    if node["type"] != "Need":
        raise InvalidInputError(f"'{need_id}' is of type {node['type']}, not a need")
    return to_networkx(nodes.values(), edges)


def _walk(store: GraphStore, start: set[str], wanted: set[str], edges: dict, *, towards: str) -> set[str]:
    """Add the ``wanted`` edges of each ``start`` node to ``edges``; the ids at their ``towards`` end."""
    reached: set[str] = set()
    for node_id in sorted(start):
        for edge in store.edges_of(node_id):
            if edge["type"] in wanted:
                edges[edge_identity(edge)] = edge
                reached.add(edge[towards])
    return reached - start


def actor_graph(store: GraphStore, actor_id: str) -> nx.MultiDiGraph:
    """An actor, the projects it funds or implements, their funders, implementers, partners and needs,
    and every other project on those needs with its funders and implementers."""
    resolve_actor(store, actor_id)
    edges: dict = {}
    own = store.edges_of(actor_id)
    for edge in own:
        edges[edge_identity(edge)] = edge
    projects = {e["target"] for e in own if e["type"] in ("FUNDS", "IMPLEMENTS") and e["source"] == actor_id}
    needs = _walk(store, projects, {"FUNDS", "IMPLEMENTS", "TARGETS", "ADDRESSES"}, edges, towards="target")
    needs = {n for n in needs if type_of_id(n) == "Need"}
    others = _walk(store, needs, {"ADDRESSES"}, edges, towards="source") - projects
    _walk(store, others, {"FUNDS", "IMPLEMENTS"}, edges, towards="source")
    ids = {actor_id} | {e[end] for e in edges.values() for end in ("source", "target")}
    return to_networkx(store.get_many(sorted(ids)).values(), edges.values())
