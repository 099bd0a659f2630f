"""The analyses, with the same filters as the CLI: overlaps, gaps, who funds a need, co-funders,
co-funding, coverage, brokers and paths.

Results are reports: every ``name`` passes through the Kosovo* rule and ``footnote`` carries the
designation footnote when Kosovo is named.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from api import queries
from api.deps import FiltersDep, StoreDep, reader
from api.problems import AUTH_RESPONSES, PROBLEM_RESPONSES
from kb.analysis.models import (
    ActorPath,
    Broker,
    CoFundedNeed,
    CofundingPair,
    Coverage,
    Gap,
    NodeRef,
    Overlap,
    WhoFunds,
)
from kb.presentation import KOSOVO_FOOTNOTE, names_in, names_kosovo, shown
from kb.store.port import SubgraphFilter

router = APIRouter(
    prefix="/api/analyses",
    tags=["analyses"],
    dependencies=[Depends(reader)],
    responses={**PROBLEM_RESPONSES, **AUTH_RESPONSES},
)


class ReportOut(BaseModel):
    footnote: str | None = None


class OverlapsOut(ReportOut):
    filters: SubgraphFilter
    overlaps: list[Overlap]


class GapsOut(ReportOut):
    filters: SubgraphFilter
    gaps: list[Gap]


class WhoFundsOut(ReportOut):
    who_funds: WhoFunds


class CoFundersOut(ReportOut):
    org: NodeRef
    needs: list[CoFundedNeed]


class CofundingOut(ReportOut):
    filters: SubgraphFilter
    pairs: list[CofundingPair]


class CoverageOut(ReportOut):
    filters: SubgraphFilter
    coverage: Coverage


class BrokersOut(ReportOut):
    filters: SubgraphFilter
    brokers: list[Broker]


class PathsOut(ReportOut):
    model_config = ConfigDict(populate_by_name=True)

    from_: NodeRef = Field(alias="from")
    to: NodeRef
    paths: list[ActorPath]


def report(**parts: Any) -> dict[str, Any]:
    """Parts (models or lists of them) as JSON with names as shown to people, and the footnote if due."""

    def dumped(value: Any) -> Any:
        if isinstance(value, BaseModel):
            return value.model_dump(mode="json")
        if isinstance(value, list):
            return [dumped(v) for v in value]
        return value

    data = {k: dumped(v) for k, v in parts.items()}
    out = shown(data)
    out["footnote"] = KOSOVO_FOOTNOTE if names_kosovo(names_in(data)) else None
    return out


@router.get("/overlaps", response_model=OverlapsOut)
def overlaps(store: StoreDep, filters: FiltersDep) -> dict[str, Any]:
    """Distinct donors paying for the same need (or context) in overlapping periods, ranked."""
    return report(filters=filters, overlaps=queries.overlaps(store, filters))


@router.get("/gaps", response_model=GapsOut)
def gaps(store: StoreDep, filters: FiltersDep) -> dict[str, Any]:
    """Needs nobody answers, underfunded needs and empty partner × pillar cells, by priority."""
    return report(filters=filters, gaps=queries.gaps(store, filters))


@router.get("/who-funds/{need_id:path}", response_model=WhoFundsOut)
def who_funds(need_id: str, store: StoreDep) -> dict[str, Any]:
    """Who else funds this need: every funder and implementer of a project addressing it."""
    return report(who_funds=queries.who_funds(store, need_id))


@router.get("/co-funders/{actor_id:path}", response_model=CoFundersOut)
def co_funders(actor_id: str, store: StoreDep) -> dict[str, Any]:
    """For a donor (organisation, country or institution): each need it funds and who else funds it."""
    found = queries.co_funders(store, actor_id)
    return report(org=found.org, needs=found.needs)


@router.get("/cofunding", response_model=CofundingOut)
def cofunding(store: StoreDep, filters: FiltersDep) -> dict[str, Any]:
    """The donor–donor network: pairs of donors funding projects on the same needs, weighted."""
    return report(filters=filters, pairs=queries.cofunding(store, filters))


@router.get("/coverage", response_model=CoverageOut)
def coverage(store: StoreDep, filters: FiltersDep) -> dict[str, Any]:
    """Partner × pillar: needs, needs answered, projects and funding per currency."""
    return report(filters=filters, coverage=queries.coverage(store, filters))


@router.get("/brokers", response_model=BrokersOut)
def brokers(
    store: StoreDep, filters: FiltersDep, limit: Annotated[int, Query(ge=1, le=10_000)] = 20
) -> dict[str, Any]:
    """Actors that connect otherwise separate groups (betweenness on the actor graph)."""
    return report(filters=filters, brokers=queries.brokers(store, filters, limit))


@router.get("/path", response_model=PathsOut)
def path(
    store: StoreDep,
    a: Annotated[str, Query(description="First actor id, e.g. org:giz.")],
    b: Annotated[str, Query(description="Second actor id, e.g. country:at.")],
    limit: Annotated[int, Query(ge=1, le=100)] = 5,
) -> dict[str, Any]:
    """How two actors are connected: the shortest paths through projects and events."""
    first, second, found = queries.paths(store, a, b, limit)
    return report(**{"from": first, "to": second, "paths": found})
