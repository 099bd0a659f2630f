"""Server-rendered pages for people: overview, need, organisation, partner, pillar, event, search.

Each view gathers its data through :mod:`api.queries` and the analyses, and renders one
template. Routes take a node id; a node of another type is redirected to its own page.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Any

import networkx as nx
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api import queries
from api.deps import StoreDep, reader
from api.pages.render import page_url, render
from graph_schema import NODE_TYPES
from graph_schema.registry import type_of_id
from kb.analysis.coverage import coverage as coverage_matrix
from kb.analysis.funding import co_funders as co_funders_of
from kb.analysis.funding import funding_lines
from kb.analysis.funding import who_funds as who_funds_need
from kb.analysis.gaps import gaps as find_gaps
from kb.analysis.links import Facts, ref
from kb.analysis.overlaps import overlaps as find_overlaps
from kb.errors import InvalidInputError
from kb.records import NodeRecord
from kb.store.port import GraphStore, SubgraphFilter

router = APIRouter(
    include_in_schema=False, dependencies=[Depends(reader)], default_response_class=HTMLResponse
)

#: How many overlaps and gaps the overview lists.
TOP = 6
#: Longer lists on a page stop here and point to the JSON API for the rest.
LISTED = 100


def _elsewhere(node: NodeRecord, path: str) -> RedirectResponse | None:
    """A redirect when ``node`` belongs on another page than ``path``."""
    target = page_url(node["id"])
    if target.split("/")[1] != path.split("/")[1]:
        return RedirectResponse(target, status_code=307)
    return None


def _linked(
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


def _by_type(rows: list[dict[str, Any]], edge_type: str, out: bool) -> list[dict[str, Any]]:
    return [r for r in rows if r["edge"]["type"] == edge_type and r["out"] == out and r["other"]]


def _cache(request: Request):
    return request.app.state.page_cache


@router.get("/")
def home(request: Request, store: StoreDep) -> Response:
    """Counts per pillar and partner, the top overlaps and gaps, links to maps."""
    return render(request, "home.html", _cache(request).get(store, "home", lambda: _home(store)))


def _home(store: GraphStore) -> dict[str, Any]:
    counts = store.counts()
    G = store.subgraph()
    cov = coverage_matrix(G)
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
    overlaps = find_overlaps(G)
    gaps = find_gaps(G)
    return {
        "counts": counts,
        "coverage": cov,
        "cells": cells,
        "pillar_totals": pillar_totals,
        "partner_totals": partner_totals,
        "projects_in": dict(projects_in),
        "overlaps": overlaps[:TOP],
        "overlaps_total": len(overlaps),
        "gaps": gaps[:TOP],
        "gaps_total": len(gaps),
        "maps": _map_links(cov),
    }


def _map_links(cov: Any) -> list[dict[str, str]]:
    links = [
        {"href": "/maps/overview", "label": "Overview: needs, projects, donors, partners"},
        {"href": "/maps/overlaps", "label": "Overlaps"},
        {"href": "/maps/gaps", "label": "Gaps"},
        {"href": "/maps/cofunding", "label": "Co-funding: donors funding the same needs"},
    ]
    links += [
        {"href": f"/maps/pillar/{p.short or p.id}", "label": f"{p.label}: {p.name}"} for p in cov.pillars
    ]
    links += [{"href": f"/maps/partner/{c.id}", "label": c.name} for c in cov.partners]
    return links


@router.get("/needs/{need_id:path}")
def need_page(request: Request, need_id: str, store: StoreDep) -> Response:
    """A need: where it comes from, and who else funds it (every funder and implementer)."""
    need = store.get(need_id)
    if (moved := _elsewhere(need, request.url.path)) is not None:
        return moved
    G = queries.need_graph(store, need_id)
    projects = {e[0] for e in G.in_edges(need_id, data="type") if e[2] == "ADDRESSES"}
    result = who_funds_need(G, need_id)
    overlaps = [o for o in find_overlaps(G) if o.need and o.need.id == need_id]
    gap = [g for g in find_gaps(G) if g.need and g.need.id == need_id]
    rows = _linked(store, need_id)
    funders = sorted(
        {line.actor.id: line.actor for line in result.lines if line.role == "funder"}.values(),
        key=lambda r: r.name,
    )
    return render(
        request,
        "need.html",
        {
            "need": need,
            "who": result,
            "funders": funders,
            "overlaps": overlaps,
            "gap": gap[0] if gap else None,
            "stated_by": _by_type(rows, "STATED_BY", True),
            "responsible": _by_type(rows, "RESPONSIBLE_FOR", False),
            "pillars": _by_type(rows, "IN_PILLAR", True),
            "discussed": _by_type(rows, "DISCUSSED", False),
            "projects": [G.nodes[p] for p in sorted(projects)],
        },
    )


def _actor_context(store: GraphStore, actor: NodeRecord) -> dict[str, Any]:
    actor_id = actor["id"]
    rows = _linked(store, actor_id)
    funded = {r["other_id"] for r in _by_type(rows, "FUNDS", True)}
    implemented = {r["other_id"] for r in _by_type(rows, "IMPLEMENTS", True)}
    projects = funded | implemented
    partners: list[dict[str, Any]] = []
    cofunders = None
    if projects:
        G: nx.MultiDiGraph = queries.actor_graph(store, actor_id)
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
            cofunders = co_funders_of(G, actor_id)
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
        "memberships": _by_type(rows, "MEMBER_OF", True),
        "events": _by_type(rows, "PARTICIPATED_IN", True),
        "organised": _by_type(rows, "ORGANISED", True),
        "benefits": _by_type(rows, "BENEFITS", False),
        "part_of": _by_type(rows, "PART_OF", True),
        "parts": _by_type(rows, "PART_OF", False),
        "people": _by_type(rows, "WORKS_FOR", False),
        "produced": _by_type(rows, "PRODUCED", True),
        "responsible": _by_type(rows, "RESPONSIBLE_FOR", True),
    }


@router.get("/organisations/{actor_id:path}")
def organisation_page(request: Request, actor_id: str, store: StoreDep) -> Response:
    """An organisation or institution: what it funds and implements, with whom, its co-funders."""
    actor = store.get(actor_id)
    if (moved := _elsewhere(actor, request.url.path)) is not None:
        return moved
    return render(request, "actor.html", _actor_context(store, actor))


@router.get("/countries/{country_id:path}")
def country_page(request: Request, country_id: str, store: StoreDep) -> Response:
    """A Western Balkans partner (needs, coverage, gaps), or a donor state (as an organisation)."""
    country = store.get(country_id)
    if (moved := _elsewhere(country, request.url.path)) is not None:
        return moved
    if not country.get("wb_partner"):
        return render(request, "actor.html", _actor_context(store, country))
    rows = _linked(store, country_id, edge_types={"PART_OF", "HELD_IN", "MEMBER_OF"})
    context = _cache(request).get(store, f"partner:{country_id}", lambda: _partner(store, country_id))
    return render(
        request,
        "partner.html",
        {
            **context,
            "country": country,
            "memberships": _by_type(rows, "MEMBER_OF", True),
            "listed": LISTED,
            "institutions": _by_type(rows, "PART_OF", False),
            "events": _by_type(rows, "HELD_IN", False),
        },
    )


def _partner(store: GraphStore, country_id: str) -> dict[str, Any]:
    G = store.subgraph(SubgraphFilter(country=country_id))
    cov = coverage_matrix(G)
    needs = sorted(
        (G.nodes[n] for n, t in G.nodes(data="type") if t == "Need"),
        key=lambda n: ({"high": 0, "medium": 1, "low": 2}.get(n.get("priority"), 3), n["name"]),
    )
    projects = sorted(
        (G.nodes[p] for p, t in G.nodes(data="type") if t == "Project"), key=lambda p: p["name"]
    )
    gaps = [g for g in find_gaps(G) if any(c.id == country_id for c in g.countries)]
    overlaps = [o for o in find_overlaps(G) if any(c.id == country_id for c in o.countries)]
    return {
        "cells": [c for c in cov.cells if c.country.id == country_id],
        "needs": needs[:LISTED],
        "needs_total": len(needs),
        "needs_pillar": {
            n["id"]: [ref(G, e[1]) for e in G.out_edges(n["id"], data="type") if e[2] == "IN_PILLAR"]
            for n in needs[:LISTED]
        },
        "projects": projects[:LISTED],
        "projects_total": len(projects),
        "gaps": gaps[:LISTED],
        "gaps_total": len(gaps),
        "overlaps": overlaps[:LISTED],
        "overlaps_total": len(overlaps),
    }


@router.get("/pillars/{pillar_id:path}")
def pillar_page(request: Request, pillar_id: str, store: StoreDep) -> Response:
    """A pillar: its Support Group and members, coverage across partners, overlaps, gaps, events."""
    pillar = store.get(pillar_id)
    if (moved := _elsewhere(pillar, request.url.path)) is not None:
        return moved
    rows = _linked(store, pillar_id, node_types={"SupportGroup", "Event", "Document"})
    groups = [r["other"] for r in _by_type(rows, "IN_PILLAR", False) if r["other"]["type"] == "SupportGroup"]
    members = {}
    for group in groups:
        members[group["id"]] = sorted(
            (r for r in _linked(store, group["id"]) if r["edge"]["type"] == "MEMBER_OF" and r["other"]),
            key=lambda r: r["other"]["name"],
        )
    context = _cache(request).get(store, f"pillar:{pillar_id}", lambda: _pillar(store, pillar_id))
    return render(
        request,
        "pillar.html",
        {
            **context,
            "pillar": pillar,
            "groups": groups,
            "members": members,
            "listed": LISTED,
            "events": sorted(
                (r["other"] for r in _by_type(rows, "IN_PILLAR", False) if r["other"]["type"] == "Event"),
                key=lambda e: e.get("date", ""),
            ),
            "documents": [
                r["other"] for r in _by_type(rows, "IN_PILLAR", False) if r["other"]["type"] == "Document"
            ],
        },
    )


def _pillar(store: GraphStore, pillar_id: str) -> dict[str, Any]:
    G = store.subgraph(SubgraphFilter(pillar=pillar_id))
    cov = coverage_matrix(G)
    overlaps, gaps = find_overlaps(G), find_gaps(G)
    return {
        "cells": [c for c in cov.cells if c.pillar.id == pillar_id],
        "overlaps": overlaps[:LISTED],
        "overlaps_total": len(overlaps),
        "gaps": gaps[:LISTED],
        "gaps_total": len(gaps),
        "needs": sum(1 for _, t in G.nodes(data="type") if t == "Need"),
        "projects": sum(1 for _, t in G.nodes(data="type") if t == "Project"),
    }


@router.get("/events/{event_id:path}")
def event_page(request: Request, event_id: str, store: StoreDep) -> Response:
    """An event: when and where, who organised and took part, what was discussed."""
    event = store.get(event_id)
    if (moved := _elsewhere(event, request.url.path)) is not None:
        return moved
    rows = _linked(store, event_id)
    participants: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in _by_type(rows, "PARTICIPATED_IN", False):
        participants[r["other"]["type"]].append(r["other"])
    return render(
        request,
        "event.html",
        {
            "event": event,
            "held_in": _by_type(rows, "HELD_IN", True),
            "organisers": _by_type(rows, "ORGANISED", False),
            "participants": dict(sorted(participants.items())),
            "discussed": _by_type(rows, "DISCUSSED", True),
            "pillars": _by_type(rows, "IN_PILLAR", True),
        },
    )


@router.get("/nodes/{node_id:path}")
def node_page(request: Request, node_id: str, store: StoreDep) -> Response:
    """Any node: its properties and every link (projects, documents, people, Support Groups)."""
    node = store.get(node_id)
    if (moved := _elsewhere(node, request.url.path)) is not None:
        return moved
    properties = [(k, v) for k, v in node.items() if k not in {"id", "type", "name", "sources", "demo"}]
    return render(
        request, "node.html", {"node": node, "properties": properties, "rows": _linked(store, node_id)}
    )


@router.get("/search")
def search_page(
    request: Request,
    store: StoreDep,
    q: Annotated[str, Query(max_length=500)] = "",
    type: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """Search by name, alias, acronym or code; with or without diacritics, Latin or Cyrillic."""
    if type and type not in NODE_TYPES:
        raise InvalidInputError(f"unknown type {type!r} (known: {', '.join(NODE_TYPES)})")
    hits = queries.search(store, q, limit=100, types=[type] if type else None) if q.strip() else []
    return render(request, "search.html", {"q": q, "type": type, "types": list(NODE_TYPES), "hits": hits})
