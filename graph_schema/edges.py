"""Edge types, each with the node types it may start and end at."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, model_validator

from graph_schema.base import Amount, Currency, Edge, Line, Period, Text

ACTORS = ("Organisation", "Country", "Institution")


class Funds(Edge, Period):
    """An actor funds a project: an amount in one currency over a period."""

    TYPE: ClassVar[str] = "FUNDS"
    SOURCE_TYPES: ClassVar[tuple[str, ...]] = ACTORS
    TARGET_TYPES: ClassVar[tuple[str, ...]] = ("Project",)
    COLOUR: ClassVar[str] = "#1565c0"

    amount: Amount | None = None
    currency: Currency | None = None
    kind: Literal["budget", "commitment", "disbursement"] = "commitment"
    joint: bool | None = Field(
        None,
        description="true: the amount is a total the project's joint funders share (each of their FUNDS "
        "edges states the same total); nobody's share of it is known, so it is counted once, never split.",
    )

    @model_validator(mode="after")
    def _amount_has_currency(self) -> Funds:
        if self.amount is not None and self.currency is None:
            raise ValueError("currency: an amount needs its currency")
        return self


class Implements(Edge, Period):
    TYPE: ClassVar[str] = "IMPLEMENTS"
    SOURCE_TYPES: ClassVar[tuple[str, ...]] = ACTORS
    TARGET_TYPES: ClassVar[tuple[str, ...]] = ("Project",)
    COLOUR: ClassVar[str] = "#f9a825"

    role: Line | None = Field(None, description="e.g. lead, partner, extending, accountable.")


class Benefits(Edge):
    """A project benefits an institution (or organisation)."""

    TYPE: ClassVar[str] = "BENEFITS"
    SOURCE_TYPES: ClassVar[tuple[str, ...]] = ("Project",)
    TARGET_TYPES: ClassVar[tuple[str, ...]] = ("Institution", "Organisation")
    COLOUR: ClassVar[str] = "#66bb6a"


class Addresses(Edge):
    """A project responds to a need."""

    TYPE: ClassVar[str] = "ADDRESSES"
    SOURCE_TYPES: ClassVar[tuple[str, ...]] = ("Project",)
    TARGET_TYPES: ClassVar[tuple[str, ...]] = ("Need",)
    COLOUR: ClassVar[str] = "#ef6c00"


class ResponsibleFor(Edge):
    TYPE: ClassVar[str] = "RESPONSIBLE_FOR"
    SOURCE_TYPES: ClassVar[tuple[str, ...]] = ("Institution",)
    TARGET_TYPES: ClassVar[tuple[str, ...]] = ("Need",)


class StatedBy(Edge):
    """The partner that stated a need in a needs-mapping cycle."""

    TYPE: ClassVar[str] = "STATED_BY"
    SOURCE_TYPES: ClassVar[tuple[str, ...]] = ("Need",)
    TARGET_TYPES: ClassVar[tuple[str, ...]] = ("Country",)


class Targets(Edge):
    """A project works in a partner (a recipient country)."""

    TYPE: ClassVar[str] = "TARGETS"
    SOURCE_TYPES: ClassVar[tuple[str, ...]] = ("Project",)
    TARGET_TYPES: ClassVar[tuple[str, ...]] = ("Country",)

    percentage: float | None = Field(None, ge=0, le=100, allow_inf_nan=False)


class InPillar(Edge):
    TYPE: ClassVar[str] = "IN_PILLAR"
    SOURCE_TYPES: ClassVar[tuple[str, ...]] = ("Need", "Project", "SupportGroup", "Event", "Document")
    TARGET_TYPES: ClassVar[tuple[str, ...]] = ("Pillar",)

    reason: Text | None = Field(None, description="Why this pillar was assigned (for automatic assignments).")
    review: bool = Field(False, description="The assignment should be checked by a person.")


class PartOf(Edge):
    """An institution belongs to its country; a unit to its parent body."""

    TYPE: ClassVar[str] = "PART_OF"
    SOURCE_TYPES: ClassVar[tuple[str, ...]] = ("Institution", "Organisation")
    TARGET_TYPES: ClassVar[tuple[str, ...]] = ("Country", "Institution", "Organisation")


class MemberOf(Edge):
    TYPE: ClassVar[str] = "MEMBER_OF"
    SOURCE_TYPES: ClassVar[tuple[str, ...]] = ACTORS
    TARGET_TYPES: ClassVar[tuple[str, ...]] = ("SupportGroup",)

    role: Line | None = Field(
        None, description="As stated, e.g. 'including relevant bodies for Border Security'."
    )


class ParticipatedIn(Edge):
    TYPE: ClassVar[str] = "PARTICIPATED_IN"
    SOURCE_TYPES: ClassVar[tuple[str, ...]] = (*ACTORS, "Person")
    TARGET_TYPES: ClassVar[tuple[str, ...]] = ("Event",)


class Organised(Edge):
    TYPE: ClassVar[str] = "ORGANISED"
    SOURCE_TYPES: ClassVar[tuple[str, ...]] = ACTORS
    TARGET_TYPES: ClassVar[tuple[str, ...]] = ("Event",)


class HeldIn(Edge):
    TYPE: ClassVar[str] = "HELD_IN"
    SOURCE_TYPES: ClassVar[tuple[str, ...]] = ("Event",)
    TARGET_TYPES: ClassVar[tuple[str, ...]] = ("Country",)


class Discussed(Edge):
    """An event discussed a product, need or project."""

    TYPE: ClassVar[str] = "DISCUSSED"
    SOURCE_TYPES: ClassVar[tuple[str, ...]] = ("Event",)
    TARGET_TYPES: ClassVar[tuple[str, ...]] = ("Document", "Need", "Project")


class Produced(Edge):
    TYPE: ClassVar[str] = "PRODUCED"
    SOURCE_TYPES: ClassVar[tuple[str, ...]] = (*ACTORS, "SupportGroup", "Project")
    TARGET_TYPES: ClassVar[tuple[str, ...]] = ("Document",)


class WorksFor(Edge):
    TYPE: ClassVar[str] = "WORKS_FOR"
    SOURCE_TYPES: ClassVar[tuple[str, ...]] = ("Person",)
    TARGET_TYPES: ClassVar[tuple[str, ...]] = ACTORS

    position: Line | None = None


EDGE_CLASSES: tuple[type[Edge], ...] = (
    Funds,
    Implements,
    Benefits,
    Addresses,
    ResponsibleFor,
    StatedBy,
    Targets,
    InPillar,
    PartOf,
    MemberOf,
    ParticipatedIn,
    Organised,
    HeldIn,
    Discussed,
    Produced,
    WorksFor,
)
