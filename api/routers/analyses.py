"""The analyses, with the same filters as the CLI: overlaps, gaps, who funds a need, co-funders,
co-funding, coverage, brokers and paths.

Each route asks one question of :mod:`kb.questions.analyses` and answers its report's JSON, the
same JSON ``kb … --json`` prints: every ``name`` passes through the Kosovo* rule and
``footnote`` carries the designation footnote when Kosovo is named.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api.deps import FiltersButDonorDep, FiltersDep, StoreDep, reader
from api.problems import AUTH_RESPONSES, PROBLEM_RESPONSES
from kb.analysis.gaps import KINDS
from kb.analysis.models import GapKind
from kb.questions import analyses as ask

router = APIRouter(
    prefix="/api/analyses",
    tags=["analyses"],
    dependencies=[Depends(reader)],
    responses={**PROBLEM_RESPONSES, **AUTH_RESPONSES},
)


@router.get("/overlaps", response_model=ask.OverlapsReport)
def overlaps(store: StoreDep, filters: FiltersDep) -> dict[str, Any]:
    """Distinct donors paying for the same need (or context) in overlapping periods, ranked."""
    return ask.as_json(ask.overlaps(store, filters))


@router.get("/gaps", response_model=ask.GapsReport)
def gaps(
    store: StoreDep,
    filters: FiltersDep,
    kind: Annotated[
        list[GapKind] | None,
        Query(description="Only gaps of these kinds: " + "; ".join(f"{k}: {m}" for k, m in KINDS.items())),
    ] = None,
) -> dict[str, Any]:
    """Needs nobody answers, underfunded needs and empty partner × pillar cells, by priority."""
    return ask.as_json(ask.gaps(store, filters, kinds=kind))


@router.get("/who-funds/{need_id:path}", response_model=ask.WhoFundsReport)
def who_funds(need_id: str, store: StoreDep) -> dict[str, Any]:
    """Who else funds this need: every funder and implementer of a project addressing it."""
    return ask.as_json(ask.who_funds(store, need_id))


@router.get("/co-funders/{actor_id:path}", response_model=ask.CoFundersReport)
def co_funders(actor_id: str, store: StoreDep, filters: FiltersButDonorDep) -> dict[str, Any]:
    """For a donor (organisation, country or institution; a name, code or id): each need it funds
    and who else funds it, each other funder marked ``same_project`` (co-financing one of the
    donor's projects) or ``same_need`` (funding the need through another project: the duplication
    risk); filtered by pillar, partner, period and cycle like the other analyses."""
    return ask.as_json(ask.co_funders(store, actor_id, filters))


@router.get("/cofunding", response_model=ask.CofundingReport)
def cofunding(store: StoreDep, filters: FiltersDep) -> dict[str, Any]:
    """The donor–donor network: pairs of donors funding projects on the same needs, weighted."""
    return ask.as_json(ask.cofunding(store, filters))


@router.get("/coverage", response_model=ask.CoverageReport)
def coverage(store: StoreDep, filters: FiltersDep) -> dict[str, Any]:
    """Partner × pillar: needs, needs answered, projects and funding per currency."""
    return ask.as_json(ask.coverage(store, filters))


@router.get("/brokers", response_model=ask.BrokersReport)
def brokers(
    store: StoreDep, filters: FiltersDep, limit: Annotated[int, Query(ge=1, le=10_000)] = 20
) -> dict[str, Any]:
    """Actors that connect otherwise separate groups (betweenness on the actor graph)."""
    return ask.as_json(ask.brokers(store, filters, limit=limit))


@router.get("/path", response_model=ask.PathsReport, response_model_by_alias=True)
def path(
    store: StoreDep,
    a: Annotated[str, Query(description="First actor id, e.g. org:giz.")],
    b: Annotated[str, Query(description="Second actor id, e.g. country:at.")],
    limit: Annotated[int, Query(ge=1, le=100)] = 5,
) -> dict[str, Any]:
    """How two actors are connected: the shortest paths through projects and events."""
    return ask.as_json(ask.paths(store, a, b, limit=limit))
