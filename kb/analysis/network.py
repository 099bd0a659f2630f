"""The actor network: brokers between groups, and how two actors are connected.

Actors are organisations, countries and institutions. Two actors *work together* when they
meet in a project (FUNDS, IMPLEMENTS, or BENEFITS from it) or an event (PARTICIPATED_IN or
ORGANISED; a person's participation counts for the actor the person WORKS_FOR). Support Group
membership is left out on purpose: a Support Group links all its members to each other, which
would make every member look equally central and hide who actually works across groups.

**Brokers.** The *actor graph* links two actors when they share at least one project or event.
An actor's betweenness centrality is the share of shortest paths between two other actors
that pass through it (normalised to [0, 1]; paths counted in hops, each pair once). A high
score means that, for many pairs of actors that do not work together directly, the shortest
link runs through this actor: it sits between groups, and information or coordination between
those groups most easily goes through it. ``groups_joined`` tells how many separate parts its
neighbourhood falls into if it is removed (the number of biconnected blocks it belongs to):
2 or more means that without it some actors would not be connected at all.

**Paths.** :func:`actor_paths` finds the shortest chains actor – project/event – actor – …
between two actors, on the graph of actors and the projects and events they meet in.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from itertools import combinations, islice

import igraph
import networkx as nx

from graph_schema import ACTOR_TYPES, EDGE_TYPES
from kb.analysis.links import ref, type_of
from kb.analysis.models import ActorPath, Broker, PathStep
from kb.errors import InvalidInputError, NotFoundError

#: Edge types that put an actor in a project or an event (in either direction).
MEETING_EDGES = frozenset({"FUNDS", "IMPLEMENTS", "BENEFITS", "PARTICIPATED_IN", "ORGANISED"})
#: Where actors meet (projects and events): the types a meeting edge links an actor to. People
#: (who work for an actor) are not places of meeting but stand for their employer.
CONNECTOR_TYPES = frozenset(
    t
    for name in MEETING_EDGES
    for t in (*EDGE_TYPES[name].SOURCE_TYPES, *EDGE_TYPES[name].TARGET_TYPES)
    if t not in ACTOR_TYPES and t not in EDGE_TYPES["WORKS_FOR"].SOURCE_TYPES
)
#: Paths examined before sorting; bounds the work on graphs with very many equal paths.
_PATH_CAP = 1000


def _typed_edges(G: nx.MultiDiGraph) -> Iterator[tuple[str, str, str | None]]:
    """(source, target, edge type) of every edge, read straight from the adjacency dicts."""
    for u, nbrs in G._succ.items():
        for v, keyed in nbrs.items():
            for data in keyed.values():
                yield u, v, data.get("type")


def meeting_graph(G: nx.MultiDiGraph) -> nx.Graph:
    """Actors and the projects and events they meet in, linked by the edges that put them there.

    Each link carries ``types``: the edge types as seen from the actor, e.g. ``["FUNDS→"]``.

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("org:x", type="Organisation", name="X")
    >>> G.add_node("project:p", type="Project", name="P")
    >>> _ = G.add_edge("org:x", "project:p", type="FUNDS", source="org:x", target="project:p")
    >>> list(meeting_graph(G).edges(data="types"))
    [('org:x', 'project:p', ['FUNDS→'])]
    """
    types = dict(G.nodes(data="type"))
    employers: dict[str, set[str]] = {}
    for u, v, t in _typed_edges(G):
        if t == "WORKS_FOR" and types[v] in ACTOR_TYPES:
            employers.setdefault(u, set()).add(v)
    B = nx.Graph()
    for u, v, t in _typed_edges(G):
        if t not in MEETING_EDGES:
            continue
        tu, tv = types[u], types[v]
        if tu in ACTOR_TYPES and tv in CONNECTOR_TYPES:
            pairs = [(u, v, f"{t}→")]
        elif tv in ACTOR_TYPES and tu in CONNECTOR_TYPES:
            pairs = [(v, u, f"←{t}")]
        elif tu == "Person" and tv in CONNECTOR_TYPES:
            pairs = [(a, v, f"{t}→ (via {u})") for a in sorted(employers.get(u, ()))]
        else:
            continue
        for actor, connector, label in pairs:
            if B.has_edge(actor, connector):
                B[actor][connector]["types"] = sorted({*B[actor][connector]["types"], label})
            else:
                B.add_edge(actor, connector, types=[label], connector=connector, kind=types[connector])
    return B


def _project(B: nx.Graph) -> nx.Graph:
    """The actor graph of a meeting graph: actors linked by what they share, ``weight`` counts it."""
    P = nx.Graph()
    connectors = set()
    for u, v, connector in B.edges(data="connector"):
        P.add_node(v if u == connector else u)
        connectors.add(connector)
    for connector in sorted(connectors):
        for a, b in combinations(sorted(B[connector]), 2):
            weight = P[a][b]["weight"] + 1 if P.has_edge(a, b) else 1
            P.add_edge(a, b, weight=weight)
    return P


def actor_graph(G: nx.MultiDiGraph) -> nx.Graph:
    """Actors linked when they share a project or event; ``weight`` counts what they share.

    >>> G = nx.MultiDiGraph()
    >>> for n, t in (("org:x", "Organisation"), ("org:y", "Organisation"), ("event:e", "Event")):
    ...     G.add_node(n, type=t, name=n)
    >>> for a in ("org:x", "org:y"):
    ...     _ = G.add_edge(a, "event:e", type="PARTICIPATED_IN", source=a, target="event:e")
    >>> list(actor_graph(G).edges(data="weight"))
    [('org:x', 'org:y', 1)]
    """
    return _project(meeting_graph(G))


def _betweenness(P: nx.Graph) -> dict[str, float]:
    """Normalised betweenness of every node of ``P`` (igraph does the counting, in C)."""
    nodes = list(P)
    n = len(nodes)
    if n < 3:
        return dict.fromkeys(nodes, 0.0)
    index = {node: i for i, node in enumerate(nodes)}
    g = igraph.Graph(n=n, edges=[(index[a], index[b]) for a, b in P.edges()], directed=False)
    scale = (n - 1) * (n - 2) / 2
    return {node: score / scale for node, score in zip(nodes, g.betweenness(directed=False), strict=True)}


def brokers(G: nx.MultiDiGraph, *, limit: int | None = 20) -> list[Broker]:
    """Actors that connect otherwise separate groups, highest betweenness first.

    Parameters
    ----------
    G : nx.MultiDiGraph
        A knowledge-base graph, not modified.
    limit : int, optional
        How many to return (``None``: every actor with a betweenness above zero).

    Returns
    -------
    list of Broker
        Actors with betweenness above zero, by score, then blocks joined, then id.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> for n, t in (("org:a", "Organisation"), ("org:hub", "Organisation"), ("org:c", "Organisation"),
    ...              ("project:p", "Project"), ("event:e", "Event")):
    ...     G.add_node(n, type=t, name=n)
    >>> for u, v, t in (("org:a", "project:p", "FUNDS"), ("org:hub", "project:p", "IMPLEMENTS"),
    ...                 ("org:hub", "event:e", "PARTICIPATED_IN"), ("org:c", "event:e", "PARTICIPATED_IN")):
    ...     _ = G.add_edge(u, v, type=t, source=u, target=v)
    >>> [(b.actor.id, b.betweenness, b.groups_joined) for b in brokers(G)]
    [('org:hub', 1.0, 2)]
    """
    B = meeting_graph(G)
    P = _project(B)
    scores = _betweenness(P)
    blocks: Counter[str] = Counter(n for block in nx.biconnected_components(P) for n in block)
    found = []
    for actor, score in scores.items():
        if score <= 0:
            continue
        met = Counter(kind for _, _, kind in B.edges(actor, data="kind"))
        found.append(
            Broker(
                actor=ref(G, actor),
                betweenness=round(score, 6),
                partners=P.degree(actor),
                groups_joined=max(blocks[actor], 1),
                projects=met["Project"],
                events=met["Event"],
            )
        )
    found.sort(key=lambda b: (-b.betweenness, -b.groups_joined, b.actor.id))
    return found[:limit] if limit is not None else found


def _check_actor(G: nx.MultiDiGraph, actor: str) -> None:
    if actor not in G:
        raise NotFoundError(f"no node with id '{actor}'")
    if type_of(G, actor) not in ACTOR_TYPES:
        raise InvalidInputError(
            f"'{actor}' is of type {type_of(G, actor)}, not an actor (organisation, country or institution)"
        )


def actor_paths(G: nx.MultiDiGraph, a: str, b: str, *, limit: int = 5) -> list[ActorPath]:
    """The shortest ways two actors are connected through projects and events.

    Parameters
    ----------
    G : nx.MultiDiGraph
        A knowledge-base graph, not modified.
    a, b : str
        Actor ids (``NotFoundError`` if absent, ``InvalidInputError`` if not actors or equal).
    limit : int
        At most this many paths, all of the shortest length, in id order.

    Returns
    -------
    list of ActorPath
        Empty when the two are not connected.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> for n, t in (("org:x", "Organisation"), ("org:y", "Organisation"), ("project:p", "Project")):
    ...     G.add_node(n, type=t, name=n)
    >>> _ = G.add_edge("org:x", "project:p", type="FUNDS", source="org:x", target="project:p")
    >>> _ = G.add_edge("org:y", "project:p", type="IMPLEMENTS", source="org:y", target="project:p")
    >>> [(s.node.id, s.via) for s in actor_paths(G, "org:x", "org:y")[0].steps]
    [('org:x', None), ('project:p', 'FUNDS→'), ('org:y', '←IMPLEMENTS')]
    """
    _check_actor(G, a)
    _check_actor(G, b)
    if a == b:
        raise InvalidInputError(f"'{a}' is given twice: name two different actors")
    B = meeting_graph(G)
    if a not in B or b not in B or not nx.has_path(B, a, b):
        return []
    paths = sorted(islice(nx.all_shortest_paths(B, a, b), _PATH_CAP))[:limit]
    out = []
    for nodes in paths:
        steps = [PathStep(node=ref(G, nodes[0]))]
        for prev, node in itertools.pairwise(nodes):
            types = B[prev][node]["types"]
            if type_of(G, prev) in CONNECTOR_TYPES:  # labels are written from the actor's side
                types = [_reverse(t) for t in types]
            steps.append(PathStep(node=ref(G, node), via=", ".join(types)))
        out.append(ActorPath(steps=steps))
    return out


def _reverse(label: str) -> str:
    """'FUNDS→' seen from the other end is '←FUNDS', and the other way round."""
    if label.startswith("←"):
        return label[1:] + "→"
    head, _, rest = label.partition("→")
    return f"←{head}{rest}"
