"""Reading the graph: typed neighbours, the facts of a project, and where a need belongs.

Every analysis reads the graph through these functions, so "who funds a project", "which
country stated a need" and "is this need answered" mean the same thing everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graph_schema import (
    DEFAULT_PRIORITY,
    DEFAULT_STATUS,
    NEVER_ACTIVE_STATUSES,
    short_label,
)
from kb.analysis.models import Amounts, Evidence, NodeRef, Span
from kb.analysis.money import counted_funding, edge_amounts, joint_total, total
from kb.analysis.periods import OPEN, active_span, intersect, record_span
from kb.graph import READ_ONLY


def type_of(G: nx.MultiDiGraph, node_id: str) -> str | None:
    return G.nodes[node_id].get("type") if node_id in G else None


#: Where a read-only graph keeps its node ids by type (:func:`nodes_of`).
_BY_TYPE = "_kb_ids_by_type"


def nodes_of(G: nx.MultiDiGraph, type_name: str) -> list[str]:
    """Ids of the nodes of one type, sorted (on a graph read whole from a store, sorted once)."""
    if not G.__dict__.get(READ_ONLY):
        return sorted(n for n, t in G.nodes(data="type") if t == type_name)
    by_type = G.__dict__.get(_BY_TYPE)
    if by_type is None:
        by_type = {}
        for n, data in G._node.items():
            by_type.setdefault(data.get("type"), []).append(n)
        for ids in by_type.values():
            ids.sort()
        G.__dict__[_BY_TYPE] = by_type
    return list(by_type.get(type_name, ()))


# The two readers below walk networkx's adjacency dicts directly (as networkx's own algorithms
# do): building an edge view per call costs more than the walk on graphs of 100,000 nodes.
def out_edges(G: nx.MultiDiGraph, node_id: str, edge_type: str) -> list[dict[str, Any]]:
    """The records of the ``edge_type`` edges leaving ``node_id``."""
    return [d for keyed in G._succ[node_id].values() for d in keyed.values() if d.get("type") == edge_type]


def in_edges(G: nx.MultiDiGraph, node_id: str, edge_type: str) -> list[dict[str, Any]]:
    """The records of the ``edge_type`` edges reaching ``node_id``."""
    return [d for keyed in G._pred[node_id].values() for d in keyed.values() if d.get("type") == edge_type]


def ref(G: nx.MultiDiGraph, node_id: str) -> NodeRef:
    """A node as results name it."""
    data = G.nodes[node_id]
    return NodeRef(
        id=node_id, name=data.get("name", node_id), type=data.get("type", ""), short=short_label(data)
    )


def refs(G: nx.MultiDiGraph, ids: Iterable[str]) -> list[NodeRef]:
    return [ref(G, i) for i in sorted(set(ids))]


def evidence(edges: Iterable[Mapping[str, Any]]) -> list[Evidence]:
    """The edges as evidence, in a stable order, each once."""
    seen: dict[tuple[str, str, str, str], Evidence] = {}
    for e in edges:
        ident = (e["type"], e["source"], e["target"], e.get("key", ""))
        if ident not in seen:
            seen[ident] = Evidence(
                type=e["type"],
                source=e["source"],
                target=e["target"],
                key=e.get("key", ""),
                sources=list(e.get("sources", [])),
            )
    return [seen[k] for k in sorted(seen)]


def pillars_of(G: nx.MultiDiGraph, node_id: str) -> set[str]:
    return {e["target"] for e in out_edges(G, node_id, "IN_PILLAR")}


def need_countries(G: nx.MultiDiGraph, need_id: str) -> set[str]:
    """The partner that stated the need, or the country of the institution responsible for it."""
    stated = {e["target"] for e in out_edges(G, need_id, "STATED_BY")}
    for resp in in_edges(G, need_id, "RESPONSIBLE_FOR"):
        stated |= {
            e["target"]
            for e in out_edges(G, resp["source"], "PART_OF")
            if type_of(G, e["target"]) == "Country"
        }
    return stated


def need_evidence(G: nx.MultiDiGraph, need_id: str) -> list[dict[str, Any]]:
    """The edges that place a need: who stated it, who is responsible, its pillar."""
    return [
        *out_edges(G, need_id, "STATED_BY"),
        *in_edges(G, need_id, "RESPONSIBLE_FOR"),
        *out_edges(G, need_id, "IN_PILLAR"),
    ]


def required(need: Mapping[str, Any]) -> Amounts:
    """The amount a need states it requires, in its currency (empty if none is stated)."""
    if need.get("required_amount") is None or not need.get("required_currency"):
        return {}
    return {need["required_currency"]: float(need["required_amount"])}


def priority(need: Mapping[str, Any]) -> str:
    return need.get("priority", DEFAULT_PRIORITY)


@dataclass
class ProjectFacts:
    """What the analyses need to know about one project, read once."""

    id: str
    status: str
    span: Span | None
    funders: set[str] = field(default_factory=set)
    implementers: set[str] = field(default_factory=set)
    #: Everything the project receives: each funder's own amounts, and each joint total once.
    amounts: Amounts = field(default_factory=dict)
    #: What each funder gives alone (joint totals left out).
    amounts_by_funder: dict[str, Amounts] = field(default_factory=dict)
    #: Totals its joint funders share (``joint`` FUNDS edges), once, and who shares them.
    joint: Amounts = field(default_factory=dict)
    joint_funders: set[str] = field(default_factory=set)
    funding_edges: list[dict[str, Any]] = field(default_factory=list)
    implementing_edges: list[dict[str, Any]] = field(default_factory=list)

    @property
    def cancelled(self) -> bool:
        return self.status in NEVER_ACTIVE_STATUSES


def project_facts(G: nx.MultiDiGraph, project_id: str) -> ProjectFacts:
    """Status, active period, funders (with counted amounts) and implementers of a project."""
    data = G.nodes[project_id]
    facts = ProjectFacts(id=project_id, status=data.get("status", DEFAULT_STATUS), span=active_span(data))
    by_funder: dict[str, list[dict[str, Any]]] = {}
    for keyed in G._pred[project_id].values():
        for e in keyed.values():
            if e.get("type") == "FUNDS":
                by_funder.setdefault(e["source"], []).append(e)
            elif e.get("type") == "IMPLEMENTS":
                facts.implementing_edges.append(e)
    shared: list[dict[str, Any]] = []
    for funder, edges in sorted(by_funder.items()):
        counted = counted_funding(edges)
        facts.funders.add(funder)
        facts.amounts_by_funder[funder] = edge_amounts(e for e in counted if not e.get("joint"))
        shared += [e for e in counted if e.get("joint")]
        facts.funding_edges.extend(edges)
    facts.joint = joint_total(shared)
    facts.joint_funders = {e["source"] for e in shared}
    facts.amounts = total([*facts.amounts_by_funder.values(), facts.joint])
    facts.implementers = {e["source"] for e in facts.implementing_edges}
    return facts


class Facts:
    """Project facts, node references and evidence, each built once per analysis run and reused.

    Results are frozen models, so one reference or evidence item can appear in many results.
    A graph read whole from a store (:func:`kb.graph.from_columns`) is never modified, so
    :meth:`of` keeps its facts with it and every analysis of it shares them.
    """

    @classmethod
    def of(cls, G: nx.MultiDiGraph) -> Facts:
        """The shared facts of a graph read whole from a store; fresh ones of any other graph."""
        if not G.__dict__.get(READ_ONLY):
            return cls(G)
        found = G.__dict__.get("_kb_facts")
        if found is None:
            found = G.__dict__["_kb_facts"] = cls(G)
        return found

    def __init__(self, G: nx.MultiDiGraph) -> None:
        self.G = G
        self._cache: dict[str, ProjectFacts] = {}
        self._refs: dict[str, NodeRef] = {}
        self._stated: dict[str, Span] = {}
        self._evidence: dict[tuple[str, str, str, str], Evidence] = {}
        #: Each edge record's identity and evidence, by ``id``: the records live as long as ``G``.
        self._by_record: dict[int, tuple[tuple[str, str, str, str], Evidence]] = {}

    def __getitem__(self, project_id: str) -> ProjectFacts:
        found = self._cache.get(project_id)
        if found is None:
            found = self._cache[project_id] = project_facts(self.G, project_id)
        return found

    def stated(self, node_id: str) -> Span:
        """The stated period of a node (:func:`~kb.analysis.periods.record_span`), read once."""
        found = self._stated.get(node_id)
        if found is None:
            found = self._stated[node_id] = record_span(self.G.nodes[node_id])
        return found

    def ref(self, node_id: str) -> NodeRef:
        found = self._refs.get(node_id)
        if found is None:
            found = self._refs[node_id] = ref(self.G, node_id)
        return found

    def refs(self, ids: Iterable[str]) -> list[NodeRef]:
        return [self.ref(i) for i in sorted(set(ids))]

    def evidence(self, edges: Iterable[Mapping[str, Any]]) -> list[Evidence]:
        """Like :func:`evidence`, reusing the items already built."""
        chosen: dict[tuple[str, str, str, str], Evidence] = {}
        by_record = self._by_record
        for e in edges:
            known = by_record.get(id(e))
            if known is None:
                ident = (e["type"], e["source"], e["target"], e.get("key", ""))
                found = self._evidence.get(ident)
                if found is None:
                    found = self._evidence[ident] = Evidence(
                        type=ident[0],
                        source=ident[1],
                        target=ident[2],
                        key=ident[3],
                        sources=list(e.get("sources", [])),
                    )
                known = by_record[id(e)] = (ident, found)
            chosen.setdefault(known[0], known[1])
        return [chosen[k] for k in sorted(chosen)]


def addressing_projects(G: nx.MultiDiGraph, need_id: str) -> list[str]:
    return sorted({e["source"] for e in in_edges(G, need_id, "ADDRESSES")})


def responses(G: nx.MultiDiGraph, facts: Facts, need_id: str, window: Span | None = None) -> list[str]:
    """Projects that answer a need: addressing it and active during the need's period (within ``window``).

    A cancelled project never answers; a need without dates is answered by any active project.
    """
    need_span = intersect(facts.stated(need_id), window or OPEN)
    return [p for p in addressing_projects(G, need_id) if intersect(facts[p].span, need_span) is not None]


def why_not_answering(G: nx.MultiDiGraph, facts: Facts, project_id: str, need_id: str) -> str:
    """Why an addressing project does not count as a response, in words (the project by its name)."""
    f = facts[project_id]
    name = G.nodes[project_id].get("name") or project_id
    if f.cancelled:
        return f"{name} is cancelled"
    if f.span is None:
        return f"{name} is {f.status} with no dates"
    need_period = record_span(G.nodes[need_id]).label()
    return f"{name} is active {f.span.label()}, outside the need's period {need_period}"
