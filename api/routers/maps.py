"""Maps: the views of :mod:`visual.views` as self-contained HTML pages (nothing loaded from elsewhere).

The same maps as ``kb map …``: the overview (with the analyses' filters), one pillar, one partner,
a donor's ego network, one need, overlaps, gaps and the co-funding network. A selection too large
or empty to draw is a 422 problem that says how to narrow it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse

from api import queries
from api.deps import FiltersDep, StoreDep, reader
from api.problems import AUTH_RESPONSES, PROBLEM_RESPONSES
from kb.presentation import display
from kb.store.port import SubgraphFilter
from visual import render_html, views
from visual.context import data_date, filter_words

router = APIRouter(
    prefix="/maps",
    tags=["maps"],
    dependencies=[Depends(reader)],
    responses={**PROBLEM_RESPONSES, **AUTH_RESPONSES},
)

_HTML = {200: {"content": {"text/html": {}}, "description": "One self-contained HTML page"}}
_DONOR_TYPES = {"Organisation", "Country", "Institution"}


def _page(made: views.Map) -> HTMLResponse:
    return HTMLResponse(render_html(*made))


@router.get("/overview", response_class=HTMLResponse, responses=_HTML)
def overview(store: StoreDep, filters: FiltersDep) -> HTMLResponse:
    """Everything the filters select (everything without filters), overlaps and gaps marked."""
    return _page(
        views.overview(
            store.subgraph(filters),
            filters=filter_words(store, filters),
            window=queries.window(filters),
            data_date=data_date(store),
        )
    )


@router.get("/pillar/{code}", response_class=HTMLResponse, responses=_HTML)
def pillar(
    code: Annotated[str, Path(description="Pillar code (WBCTi, WBCSCi, WBBSi) or id.")], store: StoreDep
) -> HTMLResponse:
    """One pillar's needs, projects and actors, the pillar ringed."""
    filters = queries.resolve_filters(store, pillar=code)
    node = store.get(filters.pillar or "")
    title = f"Pillar {node.get('code')}: {display(node['name'])}"
    return _page(
        views.overview(
            store.subgraph(filters),
            title=title,
            focus=[node["id"]],
            filters=filter_words(store, filters),
            data_date=data_date(store),
        )
    )


@router.get("/partner/{code}", response_class=HTMLResponse, responses=_HTML)
def partner(
    code: Annotated[str, Path(description="Partner ISO code (RS, XK…) or id.")], store: StoreDep
) -> HTMLResponse:
    """One partner's needs and the assistance answering them, the partner ringed."""
    filters = queries.resolve_filters(store, country=code)
    node = store.get(filters.country or "")
    return _page(
        views.overview(
            store.subgraph(filters),
            title=f"{display(node['name'])}: needs and assistance",
            focus=[node["id"]],
            filters=filter_words(store, filters),
            data_date=data_date(store),
        )
    )


@router.get("/donor/{donor_id:path}", response_class=HTMLResponse, responses=_HTML)
def donor(donor_id: str, store: StoreDep) -> HTMLResponse:
    """A donor's ego network: what it funds, the needs those projects address, who else funds them."""
    actor = queries.actor_ref(store, donor_id)
    filters = SubgraphFilter(donor=actor.id)
    return _page(
        views.donor(
            store.subgraph(filters),
            actor.id,
            filters=filter_words(store, filters),
            data_date=data_date(store),
        )
    )


@router.get("/need/{need_id:path}", response_class=HTMLResponse, responses=_HTML)
def need(need_id: str, store: StoreDep) -> HTMLResponse:
    """One need, the projects addressing it, and everyone funding or implementing them."""
    return _page(views.need(queries.need_graph(store, need_id), need_id, data_date=data_date(store)))


@router.get("/overlaps", response_class=HTMLResponse, responses=_HTML)
def overlaps(store: StoreDep, filters: FiltersDep) -> HTMLResponse:
    """The support mapping with overlap clusters marked and the rest faded."""
    return _page(
        views.overlaps(
            store.subgraph(filters),
            filters=filter_words(store, filters),
            window=queries.window(filters),
            data_date=data_date(store),
        )
    )


@router.get("/gaps", response_class=HTMLResponse, responses=_HTML)
def gaps(store: StoreDep, filters: FiltersDep) -> HTMLResponse:
    """The support mapping with needs nobody answers flagged."""
    return _page(
        views.gaps(
            store.subgraph(filters),
            filters=filter_words(store, filters),
            window=queries.window(filters),
            data_date=data_date(store),
        )
    )


@router.get("/cofunding", response_class=HTMLResponse, responses=_HTML)
def cofunding(store: StoreDep, filters: FiltersDep) -> HTMLResponse:
    """The donor–donor network: who funds the same needs as whom."""
    return _page(
        views.cofunding_map(
            store.subgraph(filters), filters=filter_words(store, filters), data_date=data_date(store)
        )
    )


@router.get("", include_in_schema=False)
def maps_index(request: Request, store: StoreDep) -> HTMLResponse:
    from api.pages.render import render

    pillars = sorted(store.nodes(type="Pillar"), key=lambda p: p.get("number", 9))
    partners = [c for c in store.nodes(type="Country") if c.get("wb_partner")]
    return render(request, "maps.html", {"pillars": pillars, "partners": partners})
