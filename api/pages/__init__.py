"""Server-rendered pages for people: overview, need, organisation, partner, pillar, event, search.

Each view asks :mod:`kb.questions.nodes` for what its page shows and renders one template. Routes take a node id; a node of another type is redirected to its own page.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import StoreDep, reader
from api.pages.render import filter_query, page_url, render
from graph_schema import ACTOR_TYPES, NODE_TYPES
from kb.analysis.gaps import KINDS
from kb.analysis.models import GapKind
from kb.errors import InvalidInputError
from kb.filters import resolve
from kb.questions import analyses as ask
from kb.questions import nodes as facts
from kb.questions.asked import Asked, Selection, data_date, filter_words, filters_text
from kb.questions.changes import node_history
from kb.questions.report import mapping
from kb.records import NodeRecord
from kb.selection import SubgraphFilter
from kb.sheets.report import write_report
from kb.store.port import GraphStore
from kb.tables import Table, gaps_table, overlaps_table, write_csv
from visual.report import render_report, style_hash
from visual.report import write_pdf as report_pdf

router = APIRouter(
    include_in_schema=False, dependencies=[Depends(reader)], default_response_class=HTMLResponse
)


def _node(store: GraphStore, value: str, types: tuple[str, ...], what: str) -> NodeRecord | RedirectResponse:
    """The node a URL names: by id, or by a code or name (``/pillars/WBBSi``, ``/countries/RS``),
    which redirects to the node's own URL; an unknown or ambiguous one is a problem with candidates."""
    stored = store.get_many([value]).get(value)
    if stored is not None:
        return stored
    return RedirectResponse(
        page_url(resolve(store, value, types, what, list_known=True)["id"]), status_code=307
    )


def _elsewhere(node: NodeRecord, path: str) -> RedirectResponse | None:
    """A redirect when ``node`` belongs on another page than ``path``."""
    target = page_url(node["id"])
    if target.split("/")[1] != path.split("/")[1]:
        return RedirectResponse(target, status_code=307)
    return None


def _cache(request: Request):
    return request.app.state.page_cache


def _everything(request: Request, store: GraphStore) -> Selection:
    return request.app.state.graphs.within(store, SubgraphFilter())


@router.get("/")
def home(request: Request, store: StoreDep) -> Response:
    """Counts per pillar and partner, the top overlaps and gaps, links to maps."""
    context, current = _cache(request).lookup(
        store,
        "home",
        lambda: {**facts.home(store, everything=_everything(request, store)), "data_date": data_date(store)},
    )
    return render(
        request, "home.html", {**context, "maps": _map_links(context["coverage"]), "behind": not current}
    )


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
    need = _node(store, need_id, ("Need",), "need")
    if isinstance(need, RedirectResponse):
        return need
    if (moved := _elsewhere(need, request.url.path)) is not None:
        return moved
    return render(
        request, "need.html", {**facts.need_facts(store, need_id), "history": node_history(store, need_id)}
    )


@router.get("/organisations/{actor_id:path}")
def organisation_page(request: Request, actor_id: str, store: StoreDep) -> Response:
    """An organisation or institution: what it funds and implements, with whom, its co-funders."""
    actor = _node(store, actor_id, ACTOR_TYPES, "organisation")
    if isinstance(actor, RedirectResponse):
        return actor
    if (moved := _elsewhere(actor, request.url.path)) is not None:
        return moved
    return render(
        request, "actor.html", {**facts.actor_facts(store, actor), "history": node_history(store, actor_id)}
    )


@router.get("/countries/{country_id:path}")
def country_page(request: Request, country_id: str, store: StoreDep) -> Response:
    """A Western Balkans partner (needs, coverage, gaps), or a donor state (as an organisation)."""
    country = _node(store, country_id, ("Country",), "country")
    if isinstance(country, RedirectResponse):
        return country
    if (moved := _elsewhere(country, request.url.path)) is not None:
        return moved
    if not country.get("wb_partner"):
        context = {**facts.actor_facts(store, country), "history": node_history(store, country_id)}
        return render(request, "actor.html", context)
    context = _cache(request).get(
        store, f"partner:{country_id}", lambda: facts.partner_facts(store, country_id)
    )
    return render(
        request,
        "partner.html",
        {**context, **facts.partner_links(store, country_id), "country": country, "listed": facts.LISTED},
    )


@router.get("/pillars/{pillar_id:path}")
def pillar_page(request: Request, pillar_id: str, store: StoreDep) -> Response:
    """A pillar: its Support Group and members, coverage across partners, overlaps, gaps, events."""
    pillar = _node(store, pillar_id, ("Pillar",), "pillar")
    if isinstance(pillar, RedirectResponse):
        return pillar
    if (moved := _elsewhere(pillar, request.url.path)) is not None:
        return moved
    context = _cache(request).get(store, f"pillar:{pillar_id}", lambda: facts.pillar_facts(store, pillar_id))
    return render(
        request,
        "pillar.html",
        {**context, **facts.pillar_links(store, pillar_id), "pillar": pillar, "listed": facts.LISTED},
    )


@router.get("/events/{event_id:path}")
def event_page(request: Request, event_id: str, store: StoreDep) -> Response:
    """An event: when and where, who organised and took part, what was discussed."""
    event = _node(store, event_id, ("Event",), "event")
    if isinstance(event, RedirectResponse):
        return event
    if (moved := _elsewhere(event, request.url.path)) is not None:
        return moved
    return render(request, "event.html", facts.event_facts(store, event_id))


@router.get("/nodes/{node_id:path}")
def node_page(request: Request, node_id: str, store: StoreDep) -> Response:
    """Any node: its properties and every link (projects, documents, people, Support Groups)."""
    node = _node(store, node_id, tuple(NODE_TYPES), "node")
    if isinstance(node, RedirectResponse):
        return node
    if (moved := _elsewhere(node, request.url.path)) is not None:
        return moved
    return render(
        request, "node.html", {**facts.node_facts(store, node_id), "history": node_history(store, node_id)}
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
    hits = facts.search(store, q, limit=100, types=[type] if type else None)
    return render(request, "search.html", {"q": q, "type": type, "types": list(NODE_TYPES), "hits": hits})


# -- every overlap and gap, filtered, and downloaded as shown ------------------------------------
#: The columns the pages show of each table (downloads have every column).
_SHOWN = {
    "overlaps": [
        "#",
        "need / context",
        "priority",
        "partner",
        "donors",
        "projects",
        "from",
        "until",
        "amount",
    ],
    "gaps": ["#", "kind", "priority", "need", "partner", "pillar", "shortfall", "why"],
}


def page_filters(
    store: StoreDep,
    pillar: str = "",
    country: str = "",
    donor: str = "",
    date_from: Annotated[str, Query(alias="from")] = "",
    date_to: Annotated[str, Query(alias="to")] = "",
    cycle: str = "",
) -> SubgraphFilter:
    """The filters of a page's form, where a field left empty means no filter."""
    asked = Asked(
        pillar or None, country or None, donor or None, date_from or None, date_to or None, cycle or None
    )
    return asked.resolve(store)


PageFiltersDep = Annotated[SubgraphFilter, Depends(page_filters)]


def _download_urls(request: Request) -> dict[str, str]:
    """``csv_url`` and ``xlsx_url``: this page's address with its query, as a CSV or XLSX download."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "format"]
    url = request.url.path + "?" + urlencode([*query, ("format", "")])
    return {"csv_url": url + "csv", "xlsx_url": url + "xlsx"}


def _answers(
    request: Request, store: GraphStore, filters: SubgraphFilter, kind: str, table: Table
) -> Response:
    fmt = request.query_params.get("format", "html")
    if fmt == "csv":
        return _download(table, "csv", filters_text(store, filters))
    if fmt == "xlsx":
        return _download(table, "xlsx", filters_text(store, filters), data_date=data_date(store))
    return render(
        request,
        "answers.html",
        {
            "heading": "Overlaps" if kind == "overlaps" else "Gaps",
            "meaning": _MEANING[kind],
            "path": request.url.path,
            "table": table,
            "shown": _SHOWN[kind],
            "filters": filters,
            "asked": {"donor": request.query_params.get("donor")},
            "words": filter_words(store, filters),
            "pillars": facts.pillars(store),
            "partners": facts.partners(store),
            "kinds": KINDS if kind == "gaps" else {},
            "chosen": request.query_params.getlist("kind"),
            **_download_urls(request),
        },
    )


_MEANING = {
    "overlaps": "Distinct donors paying for the same need (or, possibly, the same context) in overlapping periods.",
    "gaps": "; ".join(f"{k.replace('_', ' ')}: {m}" for k, m in KINDS.items())
    + ". One row per gap, so a need in an empty cell is listed again as unaddressed.",
}


def _download(table: Table, fmt: str, filters: str, data_date: str | None = None) -> Response:
    """The table as a file: CSV or the workbook ``kb report`` writes (``filters`` in words)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{table.name}.{fmt}"
        if fmt == "csv":
            write_csv(table, path, filters=filters)
            media = "text/csv; charset=utf-8"
        else:
            write_report(table, path, filters=filters, data_date=data_date or "no writes recorded")
            media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        body = path.read_bytes()
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{path.name}"'}
    )


@router.get("/overlaps")
def overlaps_page(
    request: Request,
    store: StoreDep,
    filters: PageFiltersDep,
    format: Annotated[Literal["html", "csv", "xlsx"], Query()] = "html",
) -> Response:
    """Every overlap the filters select, with downloads of exactly these rows."""
    return _answers(
        request, store, filters, "overlaps", overlaps_table(ask.overlaps(store, filters).overlaps)
    )


@router.get("/gaps")
def gaps_page(
    request: Request,
    store: StoreDep,
    filters: PageFiltersDep,
    kind: Annotated[list[GapKind] | None, Query()] = None,
    format: Annotated[Literal["html", "csv", "xlsx"], Query()] = "html",
) -> Response:
    """Every gap the filters select (of the kinds asked), with downloads of exactly these rows."""
    return _answers(request, store, filters, "gaps", gaps_table(ask.gaps(store, filters, kinds=kind).gaps))


def _report_pdf(store: GraphStore, filters: SubgraphFilter) -> Response:
    """The report printed by chromium (a still of each section's map), as a download."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "response-mapping-report.pdf"
        report_pdf(mapping(store, filters), path)
        body = path.read_bytes()
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{path.name}"'},
    )


@router.get("/report")
def report_page(
    request: Request,
    store: StoreDep,
    filters: PageFiltersDep,
    format: Annotated[Literal["html", "pdf"], Query()] = "html",
) -> Response:
    """The response-mapping report of the filters: the document ``kb report mapping`` prints, each
    section linking to its interactive map; ``format=pdf`` (or ``/report.pdf``) downloads the PDF."""
    if format == "pdf":
        return _report_pdf(store, filters)
    found = mapping(store, filters, maps=False)
    links = {}
    for part in found.pillars:
        for sec in part.sections:
            cell = (("pillar", part.pillar.short or part.pillar.id), ("country", sec.partner.id))
            rest = [
                (k, v)
                for k, v in request.query_params.multi_items()
                if k in ("donor", "from", "to", "cycle") and v
            ]
            links[sec.anchor] = "/maps/overview?" + urlencode([*cell, *rest])
    query = filter_query(request)
    toolbar = [
        ("← IISG knowledge base", "/"),
        ("Overlaps", "/overlaps" + query),
        ("Gaps", "/gaps" + query),
        ("Download PDF", "/report.pdf" + query),
    ]
    html = render_report(found, map_links=links, toolbar=toolbar)
    csp = (
        f"default-src 'none'; style-src {style_hash()}; img-src data:; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'self'"
    )
    return HTMLResponse(html, headers={"Content-Security-Policy": csp})


@router.get("/report.pdf")
def report_pdf_download(store: StoreDep, filters: PageFiltersDep) -> Response:
    """The response-mapping report of the filters as a PDF (A4, page numbers, contents)."""
    return _report_pdf(store, filters)
