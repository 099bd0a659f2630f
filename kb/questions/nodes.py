"""What each page shows about a node, and the plain lookups: search, stats, pages of nodes.

The HTML pages (:mod:`api.pages`) render these facts; every analysis in them is asked of
:mod:`kb.questions.analyses`, so a page and ``kb …`` give the same answer. Each function returns
the named parts its page shows (records, analysis results and the rows of links around a node).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import networkx as nx

from graph_schema import EDGE_TYPES, MAPPED_TYPES, PRIORITY_RANK
from graph_schema.registry import type_of_id
from kb.analysis.funding import funding_lines
from kb.analysis.links import Facts, ref
from kb.questions import analyses as ask
from kb.questions.asked import Selection, Within, select
from kb.questions.walks import actor_graph, need_graph
from kb.records import NodeRecord
from kb.selection import SubgraphFilter
from kb.store.port import GraphStore

#: How many overlaps and gaps the overview lists.
TOP = 6
#: Longer lists on a page stop here and point to the JSON API for the rest.
LISTED = 100
#: What a pillar page lists around the pillar: the Support Groups, events and documents in it.
_AROUND_PILLAR = set(EDGE_TYPES["IN_PILLAR"].SOURCE_TYPES) - set(MAPPED_TYPES)


def linked(
    store: GraphStore, node_id: str, *, edge_types: set[str] | None = None, node_types: set[str] | None = None
) -> list[dict[str, Any]]:
    """The edges of a node (of ``edge_types``, to nodes of ``node_types``: all when ``None``) with the
    record at the other end, grouped by type then name. Filtering first keeps a hub's page cheap."""

    def other(e: dict[str, Any]) -> str:
        return e["target"] if e["source"] == node_id else e["source"]

    edges = [
        e
        for e in store.edges_of(node_id)
        if (edge_types is None or e["type"] in edge_types)
        and (node_types is None or type_of_id(other(e)) in node_types)
    ]
    others = store.get_many([other(e) for e in edges])
    rows = []
    for e in edges:
        out = e["source"] == node_id
        other_id = e["target"] if out else e["source"]
        rows.append({"edge": e, "out": out, "other_id": other_id, "other": others.get(other_id)})
    return sorted(rows, key=lambda r: (r["edge"]["type"], not r["out"], (r["other"] or {}).get("name", "")))


def by_type(rows: list[dict[str, Any]], edge_type: str, out: bool) -> list[dict[str, Any]]:
    return [r for r in rows if r["edge"]["type"] == edge_type and r["out"] == out and r["other"]]


def home(store: GraphStore, top: int = TOP, everything: Selection | None = None) -> dict[str, Any]:
    """The overview: counts, coverage per pillar and partner, the top overlaps, and the top needs
    with gaps (each need once, with all its gap kinds), of ``everything``: the whole graph, read
    here unless the caller has it."""
    counts = store.counts()
    everything = everything or select(store)
    G = everything.graph
    cov = ask.coverage(store, everything).coverage
    cells = {(c.country.id, c.pillar.id): c for c in cov.cells}
    pillar_totals = {
        p.id: {
            "needs": sum(c.needs for c in cov.cells if c.pillar.id == p.id),
            "addressed": sum(c.addressed for c in cov.cells if c.pillar.id == p.id),
        }
        for p in cov.pillars
    }
    partner_totals = {
        c.id: {
            "needs": sum(x.needs for x in cov.cells if x.country.id == c.id),
            "addressed": sum(x.addressed for x in cov.cells if x.country.id == c.id),
        }
        for c in cov.partners
    }
    projects_in = defaultdict(int)
    for p, kind in G.nodes(data="type"):
        if kind == "Project":
            for _, pillar, data in G.out_edges(p, data=True):
                if data.get("type") == "IN_PILLAR":
                    projects_in[pillar] += 1
    overlaps = ask.overlaps(store, everything, limit=top)
    needs = ask.gap_needs(store, everything, limit=top)
    return {
        "counts": counts,
        "coverage": cov,
        "cells": cells,
        "pillar_totals": pillar_totals,
        "partner_totals": partner_totals,
        "projects_in": dict(projects_in),
        "overlaps": overlaps.overlaps,
        "overlaps_total": overlaps.total,
        "gap_needs": needs.needs,
        "gap_needs_total": needs.total,
        "gaps_total": needs.gaps,
    }


def need_facts(store: GraphStore, need_id: str) -> dict[str, Any]:
    """A need: where it comes from, who funds and implements it, its overlaps and its gap."""
    need = store.get(need_id)
    G = need_graph(store, need_id)
    projects = {e[0] for e in G.in_edges(need_id, data="type") if e[2] == "ADDRESSES"}
    result = ask.who_funds(store, need_id).who_funds
    # The need's overlaps and gap rest only on its projects and their funding: asked of the need's
    # own graph, they are the ones the whole store gives for it, at the cost of this one need.
    own = Selection(filters=SubgraphFilter(), graph=G, words=[])
    overlaps = [o for o in ask.overlaps(store, own).overlaps if o.need and o.need.id == need_id]
    gap = [g for g in ask.gaps(store, own).gaps if g.need and g.need.id == need_id]
    rows = linked(store, need_id)
    funders = sorted(
        {line.actor.id: line.actor for line in result.lines if line.role == "funder"}.values(),
        key=lambda r: r.name,
    )
    return {
        "need": need,
        "who": result,
        "funders": funders,
        "overlaps": overlaps,
        "gap": gap[0] if gap else None,
        "stated_by": by_type(rows, "STATED_BY", True),
        "responsible": by_type(rows, "RESPONSIBLE_FOR", False),
        "pillars": by_type(rows, "IN_PILLAR", True),
        "discussed": by_type(rows, "DISCUSSED", False),
        "projects": [G.nodes[p] for p in sorted(projects)],
    }


def actor_facts(store: GraphStore, actor: NodeRecord) -> dict[str, Any]:
    """An organisation, institution or donor state: what it funds and implements, with whom, and
    who else funds the needs it funds."""
    actor_id = actor["id"]
    rows = linked(store, actor_id)
    funded = {r["other_id"] for r in by_type(rows, "FUNDS", True)}
    implemented = {r["other_id"] for r in by_type(rows, "IMPLEMENTS", True)}
    projects = funded | implemented
    partners: list[dict[str, Any]] = []
    cofunders = None
    if projects:
        G: nx.MultiDiGraph = actor_graph(store, actor_id)
        facts = Facts(G)
        for p in sorted(projects, key=lambda p: G.nodes[p].get("name", p)):
            lines = funding_lines(G, facts, p)
            mine = [line for line in lines if line.actor.id == actor_id]
            others = [line for line in lines if line.actor.id != actor_id]
            targets = [ref(G, e[1]) for e in G.out_edges(p, data="type") if e[2] == "TARGETS"]
            partners.append(
                {
                    "project": G.nodes[p],
                    "roles": sorted({line.role for line in mine}),
                    "mine": mine,
                    "others": others,
                    "status": facts[p].status,
                    "span": facts[p].span,
                    "targets": targets,
                }
            )
        if funded:
            cofunders = ask.co_funders(store, actor_id)
    with_whom: dict[str, dict[str, Any]] = {}
    for item in partners:
        for line in item["others"]:
            entry = with_whom.setdefault(
                line.actor.id, {"actor": line.actor, "roles": set(), "projects": set()}
            )
            entry["roles"].add(line.role)
            entry["projects"].add(item["project"]["name"])
    return {
        "actor": actor,
        "partners": partners,
        "cofunders": cofunders,
        "with_whom": sorted(with_whom.values(), key=lambda e: (-len(e["projects"]), e["actor"].name)),
        "memberships": by_type(rows, "MEMBER_OF", True),
        "events": by_type(rows, "PARTICIPATED_IN", True),
        "organised": by_type(rows, "ORGANISED", True),
        "benefits": by_type(rows, "BENEFITS", False),
        "part_of": by_type(rows, "PART_OF", True),
        "parts": by_type(rows, "PART_OF", False),
        "people": by_type(rows, "WORKS_FOR", False),
        "produced": by_type(rows, "PRODUCED", True),
        "responsible": by_type(rows, "RESPONSIBLE_FOR", True),
    }


def partner_facts(store: GraphStore, country_id: str, listed: int = LISTED) -> dict[str, Any]:
    """A Western Balkans partner: its cells of the coverage matrix, needs, projects, gaps, overlaps."""
    selection = select(store, SubgraphFilter(country=country_id))
    G = selection.graph
    cov = ask.coverage(store, selection).coverage
    needs = sorted(
        (G.nodes[n] for n, t in G.nodes(data="type") if t == "Need"),
        key=lambda n: (PRIORITY_RANK.get(n.get("priority"), len(PRIORITY_RANK)), n["name"]),
    )
    projects = sorted(
        (G.nodes[p] for p, t in G.nodes(data="type") if t == "Project"), key=lambda p: p["name"]
    )
    gaps = [g for g in ask.gaps(store, selection).gaps if any(c.id == country_id for c in g.countries)]
    overlaps = [
        o for o in ask.overlaps(store, selection).overlaps if any(c.id == country_id for c in o.countries)
    ]
    return {
        "cells": [c for c in cov.cells if c.country.id == country_id],
        "needs": needs[:listed],
        "needs_total": len(needs),
        "needs_pillar": {
            n["id"]: [ref(G, e[1]) for e in G.out_edges(n["id"], data="type") if e[2] == "IN_PILLAR"]
            for n in needs[:listed]
        },
        "projects": projects[:listed],
        "projects_total": len(projects),
        "gaps": gaps[:listed],
        "gaps_total": len(gaps),
        "overlaps": overlaps[:listed],
        "overlaps_total": len(overlaps),
    }


def pillar_facts(store: GraphStore, pillar_id: str, listed: int = LISTED) -> dict[str, Any]:
    """A pillar: its cells of the coverage matrix, overlaps and gaps, and how many needs and projects."""
    selection = select(store, SubgraphFilter(pillar=pillar_id))
    G = selection.graph
    cov = ask.coverage(store, selection).coverage
    overlaps, gaps = ask.overlaps(store, selection).overlaps, ask.gaps(store, selection).gaps
    return {
        "cells": [c for c in cov.cells if c.pillar.id == pillar_id],
        "overlaps": overlaps[:listed],
        "overlaps_total": len(overlaps),
        "gaps": gaps[:listed],
        "gaps_total": len(gaps),
        "needs": sum(1 for _, t in G.nodes(data="type") if t == "Need"),
        "projects": sum(1 for _, t in G.nodes(data="type") if t == "Project"),
    }


def pillar_links(store: GraphStore, pillar_id: str) -> dict[str, Any]:
    """A pillar's Support Groups with their members, its events and documents."""
    rows = linked(store, pillar_id, node_types=_AROUND_PILLAR)
    around = [r["other"] for r in by_type(rows, "IN_PILLAR", False)]
    groups = [o for o in around if o["type"] == "SupportGroup"]
    members = {
        group["id"]: sorted(
            (r for r in linked(store, group["id"]) if r["edge"]["type"] == "MEMBER_OF" and r["other"]),
            key=lambda r: r["other"]["name"],
        )
        for group in groups
    }
    return {
        "groups": groups,
        "members": members,
        "events": sorted((o for o in around if o["type"] == "Event"), key=lambda e: e.get("date", "")),
        "documents": [o for o in around if o["type"] == "Document"],
    }


def partner_links(store: GraphStore, country_id: str) -> dict[str, Any]:
    """A partner's memberships, institutions and the events held there."""
    rows = linked(store, country_id, edge_types={"PART_OF", "HELD_IN", "MEMBER_OF"})
    return {
        "memberships": by_type(rows, "MEMBER_OF", True),
        "institutions": by_type(rows, "PART_OF", False),
        "events": by_type(rows, "HELD_IN", False),
    }


def event_facts(store: GraphStore, event_id: str) -> dict[str, Any]:
    """An event: where, who organised and took part (by type), what was discussed, its pillars."""
    rows = linked(store, event_id)
    participants: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in by_type(rows, "PARTICIPATED_IN", False):
        participants[r["other"]["type"]].append(r["other"])
    return {
        "event": store.get(event_id),
        "held_in": by_type(rows, "HELD_IN", True),
        "organisers": by_type(rows, "ORGANISED", False),
        "participants": dict(sorted(participants.items())),
        "discussed": by_type(rows, "DISCUSSED", True),
        "pillars": by_type(rows, "IN_PILLAR", True),
    }


def node_facts(store: GraphStore, node_id: str) -> dict[str, Any]:
    """Any node: its properties and every link."""
    node = store.get(node_id)
    properties = [(k, v) for k, v in node.items() if k not in {"id", "type", "name", "sources", "demo"}]
    return {"node": node, "properties": properties, "rows": linked(store, node_id)}


def pillars(store: GraphStore) -> list[NodeRecord]:
    """The pillars, in their number order."""
    return sorted(store.nodes(type="Pillar"), key=lambda p: (p.get("number", 99), p["id"]))


def partners(store: GraphStore) -> list[NodeRecord]:
    """The Western Balkans partners, by name."""
    return sorted((c for c in store.nodes(type="Country") if c.get("wb_partner")), key=lambda c: c["name"])


def search(
    store: GraphStore, text: str, *, limit: int = 20, types: list[str] | None = None
) -> list[NodeRecord]:
    """Nodes by name, alias, acronym or code; most specific first."""
    return store.search(text, limit=limit, types=types) if text.strip() else []


def stats(store: GraphStore) -> dict[str, dict[str, int]]:
    """Nodes and edges per type."""
    return store.counts()


def nodes_page(
    store: GraphStore, within: Within, *, type: str | None, offset: int, limit: int
) -> tuple[list[NodeRecord], int]:
    """One page of nodes (by id), of one type and within the filters' subgraph; and how many match."""
    if within is None or (isinstance(within, SubgraphFilter) and within.is_empty()):
        counts = store.counts()["nodes"]
        total = counts.get(type, 0) if type else sum(counts.values())
        return store.nodes(type=type, offset=offset, limit=limit), total
    G = select(store, within).graph
    ids = sorted(n for n, t in G.nodes(data="type") if type is None or t == type)
    return [dict(G.nodes[i]) for i in ids[offset : offset + limit]], len(ids)


def graph_records(G: nx.MultiDiGraph) -> dict[str, list[dict]]:
    """A graph as ``{"nodes": [...], "edges": [...]}`` records, in a stable order."""
    nodes = [dict(data) for _, data in sorted(G.nodes(data=True), key=lambda item: item[0])]
    edges = sorted(
        (dict(d) for _, _, d in G.edges(data=True)),
        key=lambda e: (e["type"], e["source"], e["target"], e.get("key", "")),
    )
    return {"nodes": nodes, "edges": edges}
