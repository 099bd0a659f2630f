"""The analyses, with the same filters as the CLI: overlaps, gaps, who funds a need, co-funders,
co-funding, coverage, brokers and paths.

Each route asks one question of :mod:`kb.questions.analyses` and answers its report's JSON, the
same JSON ``kb … --json`` prints: every ``name`` passes through the Kosovo* rule and
``footnote`` carries the designation footnote when Kosovo is named.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from api.cache import store_version
from api.deps import FiltersButDonorDep, FiltersDep, StoreDep, WithinDep, reader
from api.problems import AUTH_RESPONSES, PROBLEM_RESPONSES
from kb.analysis.gaps import KINDS
from kb.analysis.models import GapKind
from kb.questions import analyses as ask
from kb.questions.asked import Within
from kb.selection import SubgraphFilter
from kb.store import history
from kb.store.port import GraphStore


def _answer(report: ask.Report, headers: dict[str, str] | None = None) -> Response:
    """The report's JSON, serialised once (:func:`kb.questions.analyses.json_bytes`): the report
    was validated when it was built, so the route's ``response_model`` only describes the answer
    (OpenAPI) and does not validate it again."""
    return Response(ask.json_bytes(report), headers=headers, media_type="application/json")


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


def _paged(
    request: Request,
    question: Callable[..., ask.OverlapsReport | ask.GapsReport],
    store: GraphStore,
    asked: Within,
    filters: SubgraphFilter,
    as_of: str | None,
    limit: int,
    offset: int,
    **options: Any,
) -> Response:
    """One page of a ranked question's results (of the graph ``as_of`` a date when given), with the
    total count and, when there are more results, the next page's link."""
    if as_of is None:
        report = question(store, asked, limit=limit, offset=offset, **options)
    else:
        with history.as_of(store, as_of) as state:
            report = question(state, filters, limit=limit, offset=offset, **options)
    headers = {"X-Total-Count": str(report.total)}
    if offset + report.shown < report.total:
        following = request.url.include_query_params(offset=offset + report.shown, limit=limit)
        headers["Link"] = f'<{following}>; rel="next"'
    return _answer(report, headers)


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
) -> Response:
    """Distinct donors paying for the same need (or context) in overlapping periods, ranked; one
    page of them (``limit``, ``offset``)."""
    return _paged(request, ask.overlaps, store, asked, filters, as_of, limit, offset)


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
) -> Response:
    """Needs nobody answers, underfunded needs and empty partner × pillar cells, by priority; one
    page of them (``limit``, ``offset``)."""
    return _paged(request, ask.gaps, store, asked, filters, as_of, limit, offset, kinds=kind)


@router.get("/who-funds/{need_id:path}", response_model=ask.WhoFundsReport)
async def who_funds(need_id: str, request: Request, store: StoreDep) -> Response:
    """Who else funds this need: every funder and implementer of a project addressing it."""
    # Asked again and again, and a few kilobytes each: kept per need at the store's data version
    # (one index lookup on SQLite; any write makes them stale). A kept answer is sent from the
    # event loop; a new one is computed in the thread pool, so a slow store or a mistyped name
    # (fuzzy suggestions) never holds up the other requests.
    answers = request.app.state.answers
    version = store_version(store)
    body = answers.get(version, need_id)
    if body is None:
        body = await run_in_threadpool(lambda: ask.json_bytes(ask.who_funds(store, need_id)))
        answers.put(version, need_id, body)
    return Response(body, media_type="application/json")


@router.get("/co-funders/{actor_id:path}", response_model=ask.CoFundersReport)
def co_funders(actor_id: str, store: StoreDep, filters: FiltersButDonorDep) -> Response:
    """For a donor (organisation, country or institution; a name, code or id): each need it funds
    and who else funds it, each other funder marked ``same_project`` (co-financing one of the
    donor's projects) or ``same_need`` (funding the need through another project: the duplication
    risk); filtered by pillar, partner, period and cycle like the other analyses."""
    return _answer(ask.co_funders(store, actor_id, filters))


@router.get("/cofunding", response_model=ask.CofundingReport)
def cofunding(store: StoreDep, asked: WithinDep) -> Response:
    """The donor–donor network: pairs of donors funding projects on the same needs, weighted."""
    return _answer(ask.cofunding(store, asked))


@router.get("/coverage", response_model=ask.CoverageReport)
def coverage(store: StoreDep, asked: WithinDep) -> Response:
    """Partner × pillar: needs, needs answered, projects and funding per currency."""
    return _answer(ask.coverage(store, asked))


@router.get("/brokers", response_model=ask.BrokersReport)
def brokers(
    store: StoreDep, filters: FiltersDep, limit: Annotated[int, Query(ge=1, le=10_000)] = 20
) -> Response:
    """Actors that connect otherwise separate groups (betweenness on the actor graph)."""
    return _answer(ask.brokers(store, filters, limit=limit))


@router.get("/path", response_model=ask.PathsReport, response_model_by_alias=True)
def path(
    store: StoreDep,
    a: Annotated[str, Query(description="First actor id, e.g. org:giz.")],
    b: Annotated[str, Query(description="Second actor id, e.g. country:at.")],
    limit: Annotated[int, Query(ge=1, le=100)] = 5,
) -> Response:
    """How two actors are connected: the shortest paths through projects and events."""
    return _answer(ask.paths(store, a, b, limit=limit))
