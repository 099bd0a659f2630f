"""Typed results of the analyses: plain pydantic models, the same for the CLI, the API and maps.

Names are stored as written; whoever shows them applies :func:`kb.presentation.display`.
Money is always a mapping ``{currency: amount}``: amounts of two currencies are never added
unless a :class:`Converted` total says which rates did it.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from graph_schema import Priority
from kb.analysis.kinds import GapKind

#: Amounts per ISO 4217 currency, e.g. ``{"EUR": 1000000.0, "USD": 250000.0}``.
Amounts = dict[str, float]


class Result(BaseModel):
    model_config = ConfigDict(frozen=True)


class Span(Result):
    """A period; ``None`` on either side means open (unknown start, no end yet).

    >>> Span(start=dt.date(2024, 1, 1), end=dt.date(2024, 1, 31)).days
    31
    >>> Span(start=dt.date(2024, 1, 1)).days is None
    True
    """

    start: dt.date | None = None
    end: dt.date | None = None

    @property
    def days(self) -> int | None:
        """Length in days, both ends included; ``None`` when open on either side."""
        if self.start is None or self.end is None:
            return None
        return (self.end - self.start).days + 1

    def label(self) -> str:
        return f"{self.start or '…'} – {self.end or 'open'}"


class NodeRef(Result):
    """A node named in a result."""

    id: str
    name: str
    type: str
    short: str | None = Field(None, description="Acronym of an organisation, code of a pillar.")

    @property
    def label(self) -> str:
        """The short form when there is one (``GIZ``, ``WBBSi``), else the name."""
        return self.short or self.name


class Evidence(Result):
    """One stored edge a result rests on, with the sources that state it."""

    type: str
    source: str
    target: str
    key: str = ""
    sources: list[str] = Field(default_factory=list)


class Rate(Result):
    """One unit of ``currency`` is worth ``rate`` units of the base currency, as of ``date``."""

    currency: str
    rate: float
    date: dt.date
    source: str


class Converted(Result):
    """A total in one base currency, saying which rates made it and what could not be converted."""

    base: str
    total: float
    applied: list[Rate]
    unconverted: Amounts = Field(default_factory=dict)


class Overlap(Result):
    """Two projects of distinct funders answering the same need (or context) at the same time; for a
    crowded context, all of its projects that do (see :mod:`kb.analysis.overlaps`)."""

    level: Literal["need", "context"]
    need: NodeRef | None = None
    priority: Priority | None = None
    context: list[str] = Field(
        default_factory=list,
        description="For context-level overlaps: what the projects share, e.g. 'RS / WBBSi / sector 15210'.",
    )
    countries: list[NodeRef]
    projects: list[NodeRef]
    donors: list[NodeRef]
    implementers: list[NodeRef]
    period: Span
    amounts: Amounts
    converted: Converted | None = None
    evidence: list[Evidence]


class Gap(Result):
    """A need nobody answers, one answered with less money than it requires, or an empty cell."""

    kind: GapKind
    priority: Priority
    need: NodeRef | None = None
    needs: list[NodeRef] = Field(default_factory=list, description="For empty cells: the cell's needs.")
    countries: list[NodeRef]
    pillars: list[NodeRef]
    period: Span
    required: Amounts = Field(default_factory=dict)
    funded: Amounts = Field(default_factory=dict)
    shortfall: Amounts = Field(default_factory=dict)
    uncounted: Amounts = Field(
        default_factory=dict, description="Funding in currencies that could not be compared (no rate given)."
    )
    converted: Converted | None = None
    projects: list[NodeRef] = Field(default_factory=list, description="Addressing projects, active or not.")
    reason: str
    evidence: list[Evidence]


class NeedGaps(Result):
    """One need with every gap it is in: its own (unaddressed or underfunded) and the empty cells
    it lies in, so a list of needs names each need once."""

    need: NodeRef
    priority: Priority
    kinds: list[GapKind] = Field(description="In rank order, each once: e.g. empty_cell, unaddressed.")
    countries: list[NodeRef]
    pillars: list[NodeRef]
    shortfall: Amounts = Field(default_factory=dict)
    reasons: list[str] = Field(description="Why, one per gap, in the order of ``kinds``.")


class FundingLine(Result):
    """One actor's part in one project: as funder (with amounts) or as implementer."""

    actor: NodeRef
    role: Literal["funder", "implementer"]
    project: NodeRef
    status: str
    period: Span | None
    amounts: Amounts = Field(description="What this funder alone gives (a joint total is not in it).")
    joint: Amounts = Field(
        default_factory=dict, description="A total this funder shares with ``joint_with``, not split."
    )
    joint_with: list[NodeRef] = Field(default_factory=list, description="The other funders of ``joint``.")
    evidence: list[Evidence]


class WhoFunds(Result):
    need: NodeRef
    priority: Priority
    countries: list[NodeRef]
    required: Amounts
    lines: list[FundingLine]
    totals: Amounts
    joint: Amounts = Field(
        default_factory=dict,
        description="The part of ``totals`` given jointly, each joint total once, not split.",
    )
    converted: Converted | None = None


#: How another funder stands to a donor on a need it funds: co-financing one of the donor's own
#: projects, or funding the need through another project (see :data:`kb.analysis.funding.RELATIONS`).
Relation = Literal["same_project", "same_need"]


class CoFunderLine(FundingLine):
    """Another funder's line on a need a donor funds, saying how it stands to the donor."""

    relation: Relation = Field(
        description="same_project: co-financing a project the donor funds too (joint funding); "
        "same_need: funding the need through another project (the duplication risk)."
    )


class CoFundedNeed(Result):
    need: NodeRef
    priority: Priority
    own: list[FundingLine]
    others: list[CoFunderLine]


class CoFunders(Result):
    org: NodeRef
    needs: list[CoFundedNeed]


class CofundingPair(Result):
    """Two donors funding projects on the same needs: ``weight`` is the number of shared needs."""

    donors: tuple[NodeRef, NodeRef]
    weight: int
    needs: list[NodeRef]
    amounts: Amounts
    amounts_by_donor: dict[str, Amounts]
    converted: Converted | None = None


class CoverageCell(Result):
    country: NodeRef
    pillar: NodeRef
    needs: int
    addressed: int
    projects: int
    amounts: Amounts
    converted: Converted | None = None


class Coverage(Result):
    partners: list[NodeRef]
    pillars: list[NodeRef]
    cells: list[CoverageCell]


class Broker(Result):
    """An actor on many shortest paths between other actors of the actor graph."""

    actor: NodeRef
    betweenness: float
    partners: int = Field(description="Actors it shares a project or event with.")
    groups_joined: int = Field(description="Parts its removal would split its neighbourhood into (1: none).")
    projects: int
    events: int


class PathStep(Result):
    node: NodeRef
    via: str | None = Field(
        None, description="Edge type linking the previous step to this one, e.g. '←FUNDS'."
    )


class ActorPath(Result):
    steps: list[PathStep]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def length(self) -> int:
        return len(self.steps) - 1
