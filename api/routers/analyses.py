"""The analyses, with the same filters as the CLI: overlaps, gaps, who funds a need, co-funders,
co-funding, coverage, brokers and paths.

Each route asks one question of :mod:`kb.questions.analyses` and answers its report's JSON, the
same JSON ``kb … --json`` prints: every ``name`` passes through the Kosovo* rule and
``footnote`` carries the designation footnote when Kosovo is named.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from api.deps import FiltersButDonorDep, FiltersDep, StoreDep, WithinDep, reader
from api.problems import AUTH_RESPONSES, PROBLEM_RESPONSES
from kb.analysis.gaps import KINDS
from kb.analysis.models import GapKind
from kb.questions import analyses as ask
from kb.store import history


def _answer(data: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    """The report's JSON, serialised once: the report was validated when it was built, so the
    route's ``response_model`` only describes the answer (OpenAPI) and does not validate it again."""
    return JSONResponse(data, headers=headers)


#: Results per page of ``/overlaps`` and ``/gaps`` unless ``limit`` says otherwise.
PAGE = 1000
MAX_PAGE = 100_000

LimitQuery = Annotated[
    int,
    Query(
        ge=1,
        le=MAX_PAGE,
        description=f"At most this many results, from ``offset`` (default {PAGE}); the header "
        "X-Total-Count says how many there are in all, and a Link header (rel=next) names the next page.",
    ),
]
OffsetQuery = Annotated[int, Query(ge=0, description="Skip this many results (ranked) first.")]


def _paged(request: Request, report: ask.Paged, shown: int, limit: int, offset: int) -> JSONResponse:
    """The report's JSON, with the total count and, when there are more results, the next page's link."""
    headers = {"X-Total-Count": str(report.total)}
    if offset + shown < report.total:
        following = request.url.include_query_params(offset=offset + shown, limit=limit)
        headers["Link"] = f'<{following}>; rel="next"'
    return _answer(ask.as_json(report), headers)


router = APIRouter(
    prefix="/api/analyses",
    tags=["analyses"],
    dependencies=[Depends(reader)],
    responses={**PROBLEM_RESPONSES, **AUTH_RESPONSES},
)


AsOfQuery = Annotated[
    str | None,
    Query(
        description="Analyse the graph as it was after the last write at or before this date "
        "(YYYY-MM-DD, the whole day, UTC) or time (YYYY-MM-DDTHH:MM:SS), rebuilt from the history.",
        max_length=40,
    ),
]


@router.get("/overlaps", response_model=ask.OverlapsReport)
def overlaps(
    request: Request,
    store: StoreDep,
    asked: WithinDep,
    filters: FiltersDep,
    as_of: AsOfQuery = None,
    limit: LimitQuery = PAGE,
    offset: OffsetQuery = 0,
) -> JSONResponse:
    """Distinct donors paying for the same need (or context) in overlapping periods, ranked; one
    page of them (``limit``, ``offset``)."""
    if as_of is None:
        report = ask.overlaps(store, asked, limit=limit, offset=offset)
        return _paged(request, report, len(report.overlaps), limit, offset)
    with history.as_of(store, as_of) as state:
        report = ask.overlaps(state, filters, limit=limit, offset=offset)
        return _paged(request, report, len(report.overlaps), limit, offset)


@router.get("/gaps", response_model=ask.GapsReport)
def gaps(
    request: Request,
    store: StoreDep,
    asked: WithinDep,
    filters: FiltersDep,
    kind: Annotated[
        list[GapKind] | None,
        Query(description="Only gaps of these kinds: " + "; ".join(f"{k}: {m}" for k, m in KINDS.items())),
    ] = None,
    as_of: AsOfQuery = None,
    limit: LimitQuery = PAGE,
    offset: OffsetQuery = 0,
) -> JSONResponse:
    """Needs nobody answers, underfunded needs and empty partner × pillar cells, by priority; one
    page of them (``limit``, ``offset``)."""
    if as_of is None:
        report = ask.gaps(store, asked, kinds=kind, limit=limit, offset=offset)
        return _paged(request, report, len(report.gaps), limit, offset)
    with history.as_of(store, as_of) as state:
        report = ask.gaps(state, filters, kinds=kind, limit=limit, offset=offset)
        return _paged(request, report, len(report.gaps), limit, offset)


@router.get("/who-funds/{need_id:path}", response_model=ask.WhoFundsReport)
def who_funds(need_id: str, store: StoreDep) -> JSONResponse:
    """Who else funds this need: every funder and implementer of a project addressing it."""
    return _answer(ask.as_json(ask.who_funds(store, need_id)))


@router.get("/co-funders/{actor_id:path}", response_model=ask.CoFundersReport)
def co_funders(actor_id: str, store: StoreDep, filters: FiltersButDonorDep) -> JSONResponse:
    """For a donor (organisation, country or institution; a name, code or id): each need it funds
    and who else funds it, each other funder marked ``same_project`` (co-financing one of the
    donor's projects) or ``same_need`` (funding the need through another project: the duplication
    risk); filtered by pillar, partner, period and cycle like the other analyses."""
    return _answer(ask.as_json(ask.co_funders(store, actor_id, filters)))


@router.get("/cofunding", response_model=ask.CofundingReport)
def cofunding(store: StoreDep, asked: WithinDep) -> JSONResponse:
    """The donor–donor network: pairs of donors funding projects on the same needs, weighted."""
    return _answer(ask.as_json(ask.cofunding(store, asked)))


@router.get("/coverage", response_model=ask.CoverageReport)
def coverage(store: StoreDep, asked: WithinDep) -> JSONResponse:
    """Partner × pillar: needs, needs answered, projects and funding per currency."""
    return _answer(ask.as_json(ask.coverage(store, asked)))


@router.get("/brokers", response_model=ask.BrokersReport)
def brokers(
    store: StoreDep, filters: FiltersDep, limit: Annotated[int, Query(ge=1, le=10_000)] = 20
) -> JSONResponse:
    """Actors that connect otherwise separate groups (betweenness on the actor graph)."""
    return _answer(ask.as_json(ask.brokers(store, filters, limit=limit)))


@router.get("/path", response_model=ask.PathsReport, response_model_by_alias=True)
def path(
    store: StoreDep,
    a: Annotated[str, Query(description="First actor id, e.g. org:giz.")],
    b: Annotated[str, Query(description="Second actor id, e.g. country:at.")],
    limit: Annotated[int, Query(ge=1, le=100)] = 5,
) -> JSONResponse:
    """How two actors are connected: the shortest paths through projects and events."""
    return _answer(ask.as_json(ask.paths(store, a, b, limit=limit)))
