"""Maps: the network maps of :mod:`visual` as self-contained HTML (nothing loaded from elsewhere).

``/maps/network`` draws the filtered subgraph with its overlaps and gaps marked; ``/maps/need/ID``
a need, its projects, their funders and implementers. A selection too large to draw is refused
with a 422 problem that says how to narrow it.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from api import queries
from api.deps import FiltersDep, StoreDep, reader
from api.problems import AUTH_RESPONSES, PROBLEM_RESPONSES
from kb.analysis.funding import who_funds as who_funds_need
from kb.analysis.gaps import gaps as find_gaps
from kb.analysis.overlaps import overlaps as find_overlaps
from kb.presentation import display
from kb.store.port import SubgraphFilter
from visual import Highlights, MapPage, build_network, render_html
from visual.highlight import from_gaps, from_overlaps

router = APIRouter(prefix="/maps", tags=["maps"], dependencies=[Depends(reader)],
                   responses={**PROBLEM_RESPONSES, **AUTH_RESPONSES})

_HTML = {200: {"content": {"text/html": {}}, "description": "One self-contained HTML page"}}


def _filter_words(filters: SubgraphFilter) -> list[str]:
    return [f"{k.replace('date_', '')}: {v}" for k, v in filters.model_dump(mode="json").items() if v]


@router.get("/network", response_class=HTMLResponse, responses=_HTML)
def network_map(store: StoreDep, filters: FiltersDep) -> HTMLResponse:
    """The filtered subgraph (the whole graph without filters), overlaps and gaps marked."""
    G = store.subgraph(filters)
    window = queries.window(filters)
    overlaps, gaps = find_overlaps(G, window=window), find_gaps(G, window=window)
    marks: Highlights = from_overlaps(overlaps) | from_gaps(gaps)
    page = MapPage(title="Security assistance to the Western Balkans", filters=_filter_words(filters),
                   subtitle=f"{len(overlaps)} overlaps, {len(gaps)} gaps", findings_title="Overlaps and gaps",
                   findings=marks.findings)
    return HTMLResponse(render_html(build_network(G, marks), page))


@router.get("/need/{need_id:path}", response_class=HTMLResponse, responses=_HTML)
def need_map(need_id: str, store: StoreDep) -> HTMLResponse:
    """One need, the projects addressing it, and who funds and implements them."""
    G = queries.need_graph(store, need_id)
    result = who_funds_need(G, need_id)
    overlaps = [o for o in find_overlaps(G) if o.need and o.need.id == need_id]
    marks = from_overlaps(overlaps)
    marks.focus.add(need_id)
    page = MapPage(title=f"Who funds: {display(result.need.name)}", findings_title="Overlaps",
                   findings=marks.findings)
    return HTMLResponse(render_html(build_network(G, marks), page))


@router.get("", include_in_schema=False)
def maps_index(request: Request) -> HTMLResponse:
    from api.pages.render import render

    return render(request, "maps.html", {})
