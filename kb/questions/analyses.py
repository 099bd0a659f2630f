"""The analysis questions, each answered once for every face: overlaps, gaps, who funds a need,
co-funders of a donor, the co-funding network, coverage, brokers and paths.

Each takes a store and what the user typed (:class:`~kb.questions.asked.Asked`: codes, names or
ids) and returns a report: the typed results of :mod:`kb.analysis` with the filters they were
found under. :func:`as_json` is the one JSON form of a report, printed by ``kb … --json`` and
answered by ``/api/analyses/…``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from kb.analysis import UNREAD_NODE_PROPERTIES
from kb.analysis.coverage import coverage as coverage_matrix
from kb.analysis.found import Found
from kb.analysis.funding import co_funders as co_funders_of
from kb.analysis.funding import cofunding as cofunding_pairs
from kb.analysis.funding import who_funds as who_funds_need
from kb.analysis.gaps import first_needs
from kb.analysis.gaps import gaps as find_gaps
from kb.analysis.models import (
    ActorPath,
    Broker,
    CoFundedNeed,
    CofundingPair,
    Coverage,
    Gap,
    GapKind,
    NeedGaps,
    NodeRef,
    Overlap,
    WhoFunds,
)
from kb.analysis.money import Rates
from kb.analysis.network import actor_paths
from kb.analysis.network import brokers as find_brokers
from kb.analysis.overlaps import overlaps as find_overlaps
from kb.filters import resolve_actor, resolve_need
from kb.presentation import KOSOVO_FOOTNOTE, names_in, names_kosovo, shown
from kb.questions.asked import Within, resolved, select
from kb.questions.walks import actor_graph, need_graph
from kb.selection import SubgraphFilter
from kb.store.port import GraphStore


class Report(BaseModel):
    """What one question answered. ``footnote``: the designation footnote when Kosovo is named."""

    model_config = ConfigDict(populate_by_name=True)

    footnote: str | None = None


class Selected(Report):
    """A report on the part of the graph the filters select."""

    filters: SubgraphFilter
    #: Nodes in the selection (0: the filters select nothing), for the message of an empty answer.
    selected: int = Field(0, exclude=True)


class Paged(Selected):
    """A report of ranked results, possibly one page of them."""

    #: How many results the filters find in all (``len`` of the list when it is not one page).
    total: int = Field(0, exclude=True)


class OverlapsReport(Paged):
    overlaps: list[Overlap]

    @property
    def shown(self) -> int:
        return len(self.overlaps)


class GapsReport(Paged):
    gaps: list[Gap]

    @property
    def shown(self) -> int:
        return len(self.gaps)


def _page(found: Found[Any], limit: int | None, offset: int) -> Sequence[Any]:
    """The results from ``offset``, at most ``limit`` of them (all when ``limit`` is ``None``): only
    these are built into models."""
    if limit is None and not offset:
        return found
    return found[offset : None if limit is None else offset + limit]


class CofundingReport(Selected):
    pairs: list[CofundingPair]


class CoverageReport(Selected):
    coverage: Coverage


class BrokersReport(Selected):
    brokers: list[Broker]


class WhoFundsReport(Report):
    who_funds: WhoFunds


class CoFundersReport(Report):
    org: NodeRef
    #: The filters the needs were found under (pillar, partner, period, cycle; the donor is ``org``).
    filters: SubgraphFilter = Field(default_factory=SubgraphFilter)
    needs: list[CoFundedNeed]


class PathsReport(Report):
    from_: NodeRef = Field(alias="from")
    to: NodeRef
    paths: list[ActorPath]


def as_json(report: Report) -> dict[str, Any]:
    """The report as JSON: names as shown to people (Kosovo*), and the footnote when it is due."""
    data = report.model_dump(mode="json", by_alias=True, exclude={"footnote"})
    out = shown(data)
    return {"footnote": KOSOVO_FOOTNOTE if names_kosovo(names_in(data)) else None, **out}


def json_bytes(report: Report) -> bytes:
    """:func:`as_json` serialised (compact UTF-8, what the API answers), in one pass.

    A report naming no Kosovo is what :func:`as_json` gives unchanged, so pydantic writes its
    JSON directly; one that does goes through :func:`as_json`.
    """
    dumped = report.model_dump_json(by_alias=True, exclude={"footnote"}).encode("utf-8")
    if b"Kosovo" in dumped:
        return json.dumps(as_json(report), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return b'{"footnote":null' + (b"," + dumped[1:] if dumped != b"{}" else b"}")


def overlaps(
    store: GraphStore,
    asked: Within = None,
    *,
    rates: Rates | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> OverlapsReport:
    """Distinct donors paying for the same need (or context) in overlapping periods, ranked (only
    ``limit`` of them from ``offset`` when given; ``total`` counts them all)."""
    s = select(store, asked, leave_out=UNREAD_NODE_PROPERTIES)
    found = find_overlaps(s.graph, window=s.window, rates=rates)
    return OverlapsReport(
        filters=s.filters,
        overlaps=_page(found, limit, offset),
        total=len(found),
        selected=s.graph.number_of_nodes(),
    )


def gaps(
    store: GraphStore,
    asked: Within = None,
    *,
    rates: Rates | None = None,
    kinds: Iterable[GapKind] | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> GapsReport:
    """Needs nobody answers, underfunded needs and empty partner × pillar cells, by priority
    (only those of ``kinds`` when given; only ``limit`` of them from ``offset`` when given;
    ``total`` counts them all)."""
    s = select(store, asked, leave_out=UNREAD_NODE_PROPERTIES)
    found = find_gaps(s.graph, window=s.window, rates=rates)
    wanted = set(kinds or ())
    if wanted:
        found = found.of_kinds(wanted)
    return GapsReport(
        filters=s.filters,
        gaps=_page(found, limit, offset),
        total=len(found),
        selected=s.graph.number_of_nodes(),
    )


class NeedGapsReport(Paged):
    """The needs in gaps, each once with all its gap kinds (``total`` counts the needs)."""

    needs: list[NeedGaps]
    #: How many gaps they are in.
    gaps: int = Field(0, exclude=True)


def gap_needs(store: GraphStore, asked: Within = None, *, limit: int | None = None) -> NeedGapsReport:
    """The needs of :func:`gaps`, each once with all its kinds, in rank order (only the first
    ``limit``, and only their gaps built, when given)."""
    s = select(store, asked)
    found = find_gaps(s.graph, window=s.window)
    needs, total = first_needs(found, limit)
    return NeedGapsReport(
        filters=s.filters, needs=needs, total=total, gaps=len(found), selected=s.graph.number_of_nodes()
    )


def cofunding(store: GraphStore, asked: Within = None, *, rates: Rates | None = None) -> CofundingReport:
    """The donor–donor network: pairs of donors funding projects on the same needs, weighted."""
    s = select(store, asked, leave_out=UNREAD_NODE_PROPERTIES)
    pairs = cofunding_pairs(s.graph, rates=rates)
    return CofundingReport(filters=s.filters, pairs=pairs, selected=s.graph.number_of_nodes())


def coverage(store: GraphStore, asked: Within = None, *, rates: Rates | None = None) -> CoverageReport:
    """Partner × pillar: needs, needs answered, projects and funding per currency."""
    s = select(store, asked, leave_out=UNREAD_NODE_PROPERTIES)
    matrix = coverage_matrix(s.graph, rates=rates)
    return CoverageReport(filters=s.filters, coverage=matrix, selected=s.graph.number_of_nodes())


def brokers(store: GraphStore, asked: Within = None, *, limit: int = 20) -> BrokersReport:
    """Actors that connect otherwise separate groups (betweenness on the actor graph)."""
    s = select(store, asked, leave_out=UNREAD_NODE_PROPERTIES)
    found = find_brokers(s.graph, limit=limit)
    return BrokersReport(filters=s.filters, brokers=found, selected=s.graph.number_of_nodes())


def who_funds(store: GraphStore, need_id: str, *, rates: Rates | None = None) -> WhoFundsReport:
    """Everyone funding or implementing a project addressing the need, with amounts and periods."""
    need_id = resolve_need(store, need_id)
    return WhoFundsReport(who_funds=who_funds_need(need_graph(store, need_id), need_id, rates=rates))


def co_funders(store: GraphStore, actor: str, asked: Within = None) -> CoFundersReport:
    """For a donor (organisation, country or institution): each need it funds and who else funds
    it, each co-funder marked as co-financing one of its projects (``same_project``) or funding the
    need through another project (``same_need``, the duplication risk).

    ``asked`` narrows it to needs and projects of a pillar, partner, period or cycle: the selection
    the donor filter makes (its projects, their needs, every other project on them) within those.
    Unfiltered, only the donor's own part of the store is walked.
    """
    ref = resolve_actor(store, actor)
    filters = resolved(store, asked).model_copy(update={"donor": None})
    if filters.is_empty():
        G = actor_graph(store, ref.id)
    else:
        G = store.subgraph(filters.model_copy(update={"donor": ref.id}))
    if ref.id not in G:
        return CoFundersReport(org=ref, filters=filters, needs=[])
    found = co_funders_of(G, ref.id)
    return CoFundersReport(org=found.org, filters=filters, needs=found.needs)


def paths(store: GraphStore, a: str, b: str, *, limit: int = 5) -> PathsReport:
    """How two actors are connected: the shortest paths through projects and events."""
    first, second = resolve_actor(store, a), resolve_actor(store, b)
    found = actor_paths(store.subgraph(), first.id, second.id, limit=limit)
    return PathsReport(from_=first, to=second, paths=found)
