"""Reading the graph: typed neighbours, the facts of a project, and where a need belongs.

Every analysis reads the graph through these functions, so "who funds a project", "which
country stated a need" and "is this need answered" mean the same thing everywhere.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from itertools import groupby
from operator import itemgetter
from types import MappingProxyType
from typing import Any

import networkx as nx

from graph_schema import (
    DEFAULT_PRIORITY,
    DEFAULT_STATUS,
    NEVER_ACTIVE_STATUSES,
    short_label,
)
from kb.analysis.models import Amounts, Evidence, NodeRef, Span
from kb.analysis.money import KIND_PREFERENCE, counted_funding, edge_amounts, joint_total, total
from kb.analysis.periods import (
    OPEN_END,
    OPEN_START,
    active_days,
    day_number,
    from_days,
    record_span,
    window_days,
)
from kb.graph import EDGES, READ_ONLY


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


#: Where a read-only graph keeps its edges by type (:func:`typed`).
_TYPED = "_kb_edges_by_type"
_SOURCE, _TYPE = itemgetter("source"), itemgetter("type")


class Typed:
    """The edge records of a graph by type: ``out(type)[node]`` the ones leaving a node,
    ``into(type)[node]`` the ones reaching it, both in (source, key) order. Each type is indexed when
    first asked for, from the records in (type, source) order (leaving ones grouped at C level).
    """

    __slots__ = ("_edges", "_into", "_out")

    def __init__(self, edges: list[dict[str, Any]]) -> None:
        #: The records, in (type, source) order.
        self._edges = edges
        self._out: dict[str, dict[str, list[dict[str, Any]]]] = {}
        self._into: dict[str, dict[str, list[dict[str, Any]]]] = {}

    @classmethod
    def of(cls, G: nx.MultiDiGraph) -> Typed:
        """The edges of any graph, by type."""
        records = [
            d for neighbours in G._succ.values() for keyed in neighbours.values() for d in keyed.values()
        ]
        return cls(sorted(records, key=lambda d: (d.get("type") or "", d["source"])))

    def _of(self, edge_type: str) -> list[dict[str, Any]]:
        edges = self._edges
        start = bisect_left(edges, edge_type, key=_TYPE)
        return edges[start : bisect_right(edges, edge_type, lo=start, key=_TYPE)]

    def sources(self, edge_type: str) -> set[str]:
        """The nodes that ``edge_type`` edges leave."""
        leaving = self._out.get(edge_type)
        return set(leaving) if leaving is not None else {e["source"] for e in self._of(edge_type)}

    def out(self, edge_type: str) -> dict[str, list[dict[str, Any]]]:
        found = self._out.get(edge_type)
        if found is None:
            found = self._out[edge_type] = {u: list(e) for u, e in groupby(self._of(edge_type), key=_SOURCE)}
        return found

    def into(self, edge_type: str) -> dict[str, list[dict[str, Any]]]:
        found = self._into.get(edge_type)
        if found is None:
            found = self._into[edge_type] = {}
            for e in self._of(edge_type):  # a loop beats sorting by target: no string comparisons
                reaching = found.get(e["target"])
                if reaching is None:
                    found[e["target"]] = [e]
                else:
                    reaching.append(e)
        return found


def typed(G: nx.MultiDiGraph) -> Typed | None:
    """The edges of a graph read whole from a store by type, kept with it; ``None`` for any other
    graph (which may change, so it is read as it is each time)."""
    found = G.__dict__.get(_TYPED)
    if found is None:
        edges = G.__dict__.get(EDGES)
        if edges is None or not G.__dict__.get(READ_ONLY):
            return None
        found = G.__dict__[_TYPED] = Typed(edges)
    return found


# Without an index the readers below walk networkx's adjacency dicts directly (as networkx's own
# algorithms do): building an edge view per call costs more than the walk. The lists they return
# may be shared: read them, never change them.
def out_edges(G: nx.MultiDiGraph, node_id: str, edge_type: str) -> list[dict[str, Any]]:
    """The records of the ``edge_type`` edges leaving ``node_id``."""
    index = typed(G)
    if index is not None:
        return index.out(edge_type).get(node_id, [])
    return [d for keyed in G._succ[node_id].values() for d in keyed.values() if d.get("type") == edge_type]


def in_edges(G: nx.MultiDiGraph, node_id: str, edge_type: str) -> list[dict[str, Any]]:
    """The records of the ``edge_type`` edges reaching ``node_id``."""
    index = typed(G)
    if index is not None:
        return index.into(edge_type).get(node_id, [])
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


#: Amounts and funders shared by every project that has none (never changed).
_NO_MONEY: Amounts = MappingProxyType({})  # type: ignore[assignment]
_NOBODY: frozenset[str] = frozenset()


class ProjectFacts:
    """What the analyses need to know about one project, read once: its status, active period (also
    as day numbers, :func:`~kb.analysis.periods.days`) and funders at once; its implementers and
    amounts when first asked for."""

    __slots__ = (
        "_edges",
        "_implementers",
        "_money",
        "_span",
        "days",
        "funders",
        "funding_edges",
        "id",
        "status",
    )

    def __init__(
        self,
        project_id: str,
        status: str,
        active: tuple[int, int] | None,
        funding_edges: list[dict[str, Any]],
        edges: Typed,
    ) -> None:
        self.id = project_id
        self.status = status
        #: When it is active (:func:`~kb.analysis.periods.active_days`), ``None`` if never.
        self.days = active
        self._span: Span | None = None
        #: Its FUNDS edges, funder by funder (in funder order).
        self.funding_edges = funding_edges
        self._edges = edges
        self.funders = frozenset(e["source"] for e in funding_edges)
        self._implementers: set[str] | None = None
        self._money: tuple[Amounts, dict[str, Amounts], Amounts, set[str]] | None = None

    @property
    def cancelled(self) -> bool:
        return self.status in NEVER_ACTIVE_STATUSES

    @property
    def implementing_edges(self) -> list[dict[str, Any]]:
        """Its IMPLEMENTS edges, implementer by implementer."""
        return self._edges.into("IMPLEMENTS").get(self.id, [])

    @property
    def implementers(self) -> set[str]:
        if self._implementers is None:
            self._implementers = {e["source"] for e in self.implementing_edges}
        return self._implementers

    @property
    def span(self) -> Span | None:
        """When it is active (:func:`~kb.analysis.periods.active_span`), ``None`` if never."""
        if self._span is None and self.days is not None:
            self._span = from_days(*self.days)
        return self._span

    def _counted(self) -> tuple[Amounts, dict[str, Amounts], Amounts, set[str]]:
        edges = self.funding_edges
        if self._money is None and len(edges) == 1:  # the common case, without the general rules' cost
            (e,) = edges
            if not e.get("joint") and e.get("kind", "commitment") in KIND_PREFERENCE:
                # shared, read-only: 50,000 projects keep one dict of money each, not four containers
                own = {e["currency"]: float(e["amount"])} if e.get("amount") is not None else _NO_MONEY
                self._money = (own, {e["source"]: own}, _NO_MONEY, _NOBODY)
        if self._money is None:
            by_funder: dict[str, list[dict[str, Any]]] = {}
            for e in self.funding_edges:
                by_funder.setdefault(e["source"], []).append(e)
            alone: dict[str, Amounts] = {}
            shared: list[Mapping[str, Any]] = []
            for funder, edges in by_funder.items():
                counted = counted_funding(edges)
                alone[funder] = edge_amounts(e for e in counted if not e.get("joint"))
                shared += [e for e in counted if e.get("joint")]
            joint = joint_total(shared)
            self._money = (total([*alone.values(), joint]), alone, joint, {e["source"] for e in shared})
        return self._money

    @property
    def amounts(self) -> Amounts:
        """Everything the project receives: each funder's own amounts, and each joint total once."""
        return self._counted()[0]

    @property
    def amounts_by_funder(self) -> dict[str, Amounts]:
        """What each funder gives alone (joint totals left out)."""
        return self._counted()[1]

    @property
    def joint(self) -> Amounts:
        """Totals its joint funders share (``joint`` FUNDS edges), once."""
        return self._counted()[2]

    @property
    def joint_funders(self) -> set[str]:
        """Who shares :attr:`joint`."""
        return self._counted()[3]


def project_facts(G: nx.MultiDiGraph, project_id: str, edges: Typed | None = None) -> ProjectFacts:
    """Status, active period, funders (with counted amounts) and implementers of a project."""
    edges = edges or typed(G) or Typed.of(G)
    data = G._node[project_id]
    return ProjectFacts(
        project_id,
        data.get("status", DEFAULT_STATUS),
        active_days(data),
        # into() lists are in (source, key) order: each funder's edges together, funders sorted
        edges.into("FUNDS").get(project_id, []),
        edges,
    )


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
        self._typed = typed(G)
        self._countries: dict[str, frozenset[str]] = {}
        #: One of each set of ids the facts hold (most needs name one country, most projects have
        #: one funder): tens of thousands of equal sets are one.
        self._sets: dict[frozenset[str], frozenset[str]] = {}
        self._cache: dict[str, ProjectFacts] = {}
        self._refs: dict[str, NodeRef] = {}
        self._stated: dict[str, Span] = {}
        self._stated_days: dict[str, tuple[int, int]] = {}
        self._evidence: dict[tuple[str, str, str, str], Evidence] = {}
        #: Each edge record's identity and evidence, by ``id``: the records live as long as ``G``.
        self._by_record: dict[int, tuple[tuple[str, str, str, str], Evidence]] = {}

    @property
    def edges(self) -> Typed:
        """The graph's edges by type (of a graph that may change, as it was when first asked)."""
        if self._typed is None:
            self._typed = Typed.of(self.G)
        return self._typed

    def __getitem__(self, project_id: str) -> ProjectFacts:
        found = self._cache.get(project_id)
        if found is None:
            found = self._cache[project_id] = project_facts(self.G, project_id, self.edges)
            found.funders = self._sets.setdefault(found.funders, found.funders)
        return found

    def countries(self, need_id: str) -> frozenset[str]:
        """:func:`need_countries` of a need, read once (needs of the same countries share one set)."""
        found = self._countries.get(need_id)
        if found is None:
            found = need_countries(self.G, need_id)
            frozen = frozenset(found)
            found = self._countries[need_id] = self._sets.setdefault(frozen, frozen)
        return found

    def answering(self, need_id: str, window: tuple[int, int]) -> list[str]:
        """:func:`responses` of a need within a window of day numbers."""
        n_start, n_end = self.stated_days(need_id)
        start, end = max(n_start, window[0]), min(n_end, window[1])
        found = []
        # into() lists are in source order: the projects come sorted, each once
        for p in dict.fromkeys(e["source"] for e in self.edges.into("ADDRESSES").get(need_id, ())):
            active = self[p].days
            if active is not None and max(active[0], start) <= min(active[1], end):
                found.append(p)
        return found

    def stated(self, node_id: str) -> Span:
        """The stated period of a node (:func:`~kb.analysis.periods.record_span`), read once."""
        found = self._stated.get(node_id)
        if found is None:
            found = self._stated[node_id] = record_span(self.G.nodes[node_id])
        return found

    def stated_days(self, node_id: str) -> tuple[int, int]:
        """:meth:`stated` as day numbers (:func:`~kb.analysis.periods.days`), read once."""
        found = self._stated_days.get(node_id)
        if found is None:
            data = self.G._node[node_id]
            start, end = data.get("start"), data.get("end")
            found = self._stated_days[node_id] = (
                day_number(start) if start is not None else OPEN_START,
                day_number(end) if end is not None else OPEN_END,
            )
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
    return facts.answering(need_id, window_days(window))


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
