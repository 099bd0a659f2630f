"""Maps: the views of :mod:`visual.views` as self-contained HTML pages (nothing loaded from elsewhere).

The same maps as ``kb map …``: the overview (with the analyses' filters), one pillar, one partner,
a donor's ego network, one need, overlaps, gaps and the co-funding network. A selection too large
or empty to draw is a 422 problem that says how to narrow it. ``?present=true`` opens a map in
presenter mode and ``?size_by=`` chooses what node sizes show, as ``kb map --present --size-by``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import FiltersDep, StoreDep, reader
from api.problems import AUTH_RESPONSES, PROBLEM_RESPONSES
from kb.questions import maps
from visual import render_html, views
from visual.styles import SIZE_BY

router = APIRouter(
    prefix="/maps",
    tags=["maps"],
    dependencies=[Depends(reader)],
    responses={**PROBLEM_RESPONSES, **AUTH_RESPONSES},
)

_HTML = {200: {"content": {"text/html": {}}, "description": "One self-contained HTML page"}}


@dataclass(frozen=True)
class Drawing:
    present: bool
    size_by: str


def drawing(
    present: Annotated[
        bool, Query(description="Open in presenter mode (arrow keys or a clicker step through the story).")
    ] = False,
    size_by: Annotated[
        str,
        Query(
            description="What node sizes show: count (projects funded, projects addressing a need, needs "
            "addressed), money (in one currency) or links.",
            pattern="^(" + "|".join(SIZE_BY) + ")$",
        ),
    ] = "count",
) -> Drawing:
    return Drawing(present=present, size_by=size_by)


DrawingDep = Annotated[Drawing, Depends(drawing)]


def _page(data: maps.MapData, how: Drawing) -> HTMLResponse:
    return HTMLResponse(render_html(*views.draw(data, size_by=how.size_by, present=how.present)))


@router.get("/overview", response_class=HTMLResponse, responses=_HTML)
def overview(store: StoreDep, filters: FiltersDep, how: DrawingDep) -> HTMLResponse:
    """Everything the filters select (everything without filters), overlaps and gaps marked."""
    return _page(maps.overview(store, filters), how)


@router.get("/pillar/{code}", response_class=HTMLResponse, responses=_HTML)
def pillar(
    code: Annotated[str, Path(description="Pillar code (WBCTi, WBCSCi, WBBSi) or id.")],
    store: StoreDep,
    how: DrawingDep,
) -> HTMLResponse:
    """One pillar's needs, projects and actors, the pillar ringed."""
    return _page(maps.pillar(store, code), how)


@router.get("/partner/{code}", response_class=HTMLResponse, responses=_HTML)
def partner(
    code: Annotated[str, Path(description="Partner ISO code (RS, XK…) or id.")],
    store: StoreDep,
    how: DrawingDep,
) -> HTMLResponse:
    """One partner's needs and the assistance answering them, the partner ringed."""
    return _page(maps.partner(store, code), how)


@router.get("/donor/{donor_id:path}", response_class=HTMLResponse, responses=_HTML)
def donor(donor_id: str, store: StoreDep, how: DrawingDep) -> HTMLResponse:
    """A donor's ego network: what it funds, the needs those projects address, who else funds them."""
    return _page(maps.donor(store, donor_id), how)


@router.get("/need/{need_id:path}", response_class=HTMLResponse, responses=_HTML)
def need(need_id: str, store: StoreDep, how: DrawingDep) -> HTMLResponse:
    """One need, the projects addressing it, and everyone funding or implementing them."""
    return _page(maps.need(store, need_id), how)


@router.get("/overlaps", response_class=HTMLResponse, responses=_HTML)
def overlaps(store: StoreDep, filters: FiltersDep, how: DrawingDep) -> HTMLResponse:
    """The support mapping with overlap clusters marked and the rest faded."""
    return _page(maps.overlaps(store, filters), how)


@router.get("/gaps", response_class=HTMLResponse, responses=_HTML)
def gaps(store: StoreDep, filters: FiltersDep, how: DrawingDep) -> HTMLResponse:
    """The support mapping with needs nobody answers flagged."""
    return _page(maps.gaps(store, filters), how)


@router.get("/cofunding", response_class=HTMLResponse, responses=_HTML)
def cofunding(store: StoreDep, filters: FiltersDep, how: DrawingDep) -> HTMLResponse:
    """The donor–donor network: who funds the same needs as whom."""
    return _page(maps.cofunding(store, filters), how)


@router.get("", include_in_schema=False)
def maps_index(request: Request, store: StoreDep) -> HTMLResponse:
    from api.pages.render import render

    pillars = sorted(store.nodes(type="Pillar"), key=lambda p: p.get("number", 9))
    partners = [c for c in store.nodes(type="Country") if c.get("wb_partner")]
    return render(request, "maps.html", {"pillars": pillars, "partners": partners})
