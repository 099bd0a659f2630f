"""What the routes and pages ask the store and the analyses, each question written once.

The JSON API, the HTML pages and the benchmark call these functions, so a page and its JSON
endpoint give the same answer, and the benchmark measures the HTTP layer on top of exactly
what the store does. Filters are resolved by :mod:`kb.filters`, as the CLI resolves them.
"""

from __future__ import annotations

import datetime as dt

import networkx as nx

from graph_schema.registry import type_of_id
from kb.analysis.coverage import coverage as coverage_matrix
from kb.analysis.funding import co_funders as co_funders_of
from kb.analysis.funding import cofunding as cofunding_pairs
from kb.analysis.funding import who_funds as who_funds_need
from kb.analysis.gaps import gaps as find_gaps
from kb.analysis.models import (
    ActorPath,
    Broker,
    CoFunders,
    CofundingPair,
    Coverage,
    Gap,
    NodeRef,
    Overlap,
    Span,
    WhoFunds,
)
from kb.analysis.network import actor_paths
from kb.analysis.network import brokers as find_brokers
from kb.analysis.overlaps import overlaps as find_overlaps
from kb.errors import InvalidInputError
from kb.filters import resolve_actor, window_of
from kb.filters import resolve_filters as _resolve
from kb.graph import to_networkx
from kb.records import NodeRecord, edge_identity
from kb.store.port import GraphStore, SubgraphFilter


def resolve_filters(
    store: GraphStore,
    *,
    pillar: str | None = None,
    country: str | None = None,
    donor: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    cycle: str | None = None,
) -> SubgraphFilter:
    """Filters as users write them (``WBBSi``, ``RS``) resolved to ids, as the CLI does."""
    return _resolve(
        store,
        pillar,
        country,
        donor,
        date_from.isoformat() if date_from else None,
        date_to.isoformat() if date_to else None,
        cycle,
    )


def window(filters: SubgraphFilter) -> Span | None:
    """The period filter as the analyses take it (``None`` when no date is given)."""
    return window_of(filters)


def actor_ref(store: GraphStore, node_id: str) -> NodeRef:
    """An organisation, country or institution; ``NotFoundError`` / ``InvalidInputError`` otherwise."""
    return resolve_actor(store, node_id)


def search(
    store: GraphStore, text: str, *, limit: int = 20, types: list[str] | None = None
) -> list[NodeRecord]:
    return store.search(text, limit=limit, types=types)


#: What "who funds this need" reads beyond the need's own edges: per kind of neighbour, its edges
#: of these types (the funders and implementers of each project, the country of each institution).
_NEED_REACH = {"ADDRESSES": {"FUNDS", "IMPLEMENTS", "TARGETS"}, "RESPONSIBLE_FOR": {"PART_OF"}}


def need_graph(store: GraphStore, need_id: str) -> nx.MultiDiGraph:
    """A need, every edge of it, and for its projects and responsible institutions the edges
    "who funds" reads (funders, implementers, targets; the institution's country).

    Walks edges from the need only, so a partner or a pillar with tens of thousands of needs
    is never expanded: the cost follows the need's own size, not the store's.
    """
    node = store.get(need_id)
    if node["type"] != "Need":
        raise InvalidInputError(f"'{need_id}' is of type {node['type']}, not a need")
    own = store.edges_of(need_id)
    edges = {edge_identity(e): e for e in own}
    for edge in own:
        wanted = _NEED_REACH.get(edge["type"])
        if wanted is None or edge["target"] != need_id:
            continue
        for further in store.edges_of(edge["source"]):
            if further["type"] in wanted:
                edges[edge_identity(further)] = further
    ids = {need_id} | {e[end] for e in edges.values() for end in ("source", "target")}
    return to_networkx(store.get_many(sorted(ids)).values(), edges.values())


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
    and every other project on those needs with its funders and implementers.

    What the organisation page and "co-funders" read, walked from the actor: its cost follows the
    actor's own portfolio, never the size of a partner or a pillar.
    """
    actor_ref(store, actor_id)
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


def who_funds(store: GraphStore, need_id: str) -> WhoFunds:
    """Who else funds this need: everyone funding or implementing a project addressing it."""
    return who_funds_need(need_graph(store, need_id), need_id)


def co_funders(store: GraphStore, actor_id: str) -> CoFunders:
    """For an actor: each need it funds and who else funds it."""
    return co_funders_of(actor_graph(store, actor_id), actor_id)


def overlaps(store: GraphStore, filters: SubgraphFilter) -> list[Overlap]:
    return find_overlaps(store.subgraph(filters), window=window_of(filters))


def gaps(store: GraphStore, filters: SubgraphFilter) -> list[Gap]:
    return find_gaps(store.subgraph(filters), window=window_of(filters))


def cofunding(store: GraphStore, filters: SubgraphFilter) -> list[CofundingPair]:
    return cofunding_pairs(store.subgraph(filters))


def coverage(store: GraphStore, filters: SubgraphFilter) -> Coverage:
    return coverage_matrix(store.subgraph(filters))


def brokers(store: GraphStore, filters: SubgraphFilter, limit: int) -> list[Broker]:
    return find_brokers(store.subgraph(filters), limit=limit)


def paths(store: GraphStore, a: str, b: str, limit: int) -> tuple[NodeRef, NodeRef, list[ActorPath]]:
    first, second = actor_ref(store, a), actor_ref(store, b)
    return first, second, actor_paths(store.subgraph(), first.id, second.id, limit=limit)


def nodes_page(
    store: GraphStore, filters: SubgraphFilter, *, type: str | None, offset: int, limit: int
) -> tuple[list[NodeRecord], int]:
    """One page of nodes (by id), of one type and within the filters' subgraph; and how many match."""
    if filters.is_empty():
        counts = store.counts()["nodes"]
        total = counts.get(type, 0) if type else sum(counts.values())
        return store.nodes(type=type, offset=offset, limit=limit), total
    G = store.subgraph(filters)
    ids = sorted(n for n, t in G.nodes(data="type") if type is None or t == type)
    chosen = ids[offset : offset + limit]
    return [_record(G, i) for i in chosen], len(ids)


def _record(G: nx.MultiDiGraph, node_id: str) -> NodeRecord:
    return dict(G.nodes[node_id])


def graph_records(G: nx.MultiDiGraph) -> dict[str, list[dict]]:
    """A graph as ``{"nodes": [...], "edges": [...]}`` records, in a stable order."""
    nodes = [dict(data) for _, data in sorted(G.nodes(data=True), key=lambda item: item[0])]
    edges = sorted(
        (dict(d) for _, _, d in G.edges(data=True)),
        key=lambda e: (e["type"], e["source"], e["target"], e.get("key", "")),
    )
    return {"nodes": nodes, "edges": edges}
