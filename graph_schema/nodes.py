"""Node types. Each class is one type; the registry collects them in order."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from pydantic import Field

from graph_schema.base import LIST_MAX, Amount, Currency, Line, Node, Period, PeriodFields, Text

#: How urgent a need is, highest first (the order analyses rank by).
Priority = Literal["high", "medium", "low"]
#: Where a project stands: the IATI activity statuses, in their codelist's order.
ProjectStatus = Literal["pipeline", "implementation", "finalisation", "closed", "cancelled", "suspended"]
#: Statuses whose projects are never active, whatever their dates: they deliver nothing.
NEVER_ACTIVE_STATUSES: frozenset[ProjectStatus] = frozenset({"cancelled"})
#: Statuses that, without an end date, mean the project stopped at its start.
STOPPED_STATUSES: frozenset[ProjectStatus] = frozenset({"closed", "suspended"})
#: Statuses saying the project is still going on (so an end date already past contradicts them).
ONGOING_STATUSES: frozenset[ProjectStatus] = frozenset({"pipeline", "implementation"})


class Country(Node):
    """A state: one of the six Western Balkans partners or a donor state."""

    TYPE: ClassVar[str] = "Country"
    PREFIX: ClassVar[str] = "country"
    SEARCH_FIELDS: ClassVar[tuple[str, ...]] = ("name", "aliases", "code")
    COLOUR: ClassVar[str] = "#2e7d32"
    SHAPE: ClassVar[str] = "square"

    code: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 (XK for Kosovo*).")
    wb_partner: bool = Field(False, description="One of the six Western Balkans partners.")


class Institution(Node):
    """A national public body: ministry, border police, police directorate."""

    TYPE: ClassVar[str] = "Institution"
    PREFIX: ClassVar[str] = "inst"
    COLOUR: ClassVar[str] = "#66bb6a"
    SHAPE: ClassVar[str] = "triangle"

    kind: Literal["ministry", "police", "border_police", "directorate", "agency", "other"] = "other"


class Organisation(Node):
    """An EU body, agency, international or regional organisation, company or IISG body."""

    TYPE: ClassVar[str] = "Organisation"
    PREFIX: ClassVar[str] = "org"
    SEARCH_FIELDS: ClassVar[tuple[str, ...]] = ("name", "aliases", "acronym", "iati_ref")
    COLOUR: ClassVar[str] = "#1565c0"
    SHAPE: ClassVar[str] = "dot"
    SHORT_FIELD: ClassVar[str | None] = "acronym"

    acronym: Line | None = None
    kind: Literal[
        "eu_body",
        "eu_agency",
        "international",
        "regional",
        "development_agency",
        "government",
        "ngo",
        "company",
        "iisg_body",
        "other",
    ] = "other"
    iati_ref: Line | None = Field(None, description="IATI organisation identifier, e.g. XM-DAC-41114.")


class Pillar(Node):
    """One of the three IISG pillars."""

    TYPE: ClassVar[str] = "Pillar"
    PREFIX: ClassVar[str] = "pillar"
    SEARCH_FIELDS: ClassVar[tuple[str, ...]] = ("name", "aliases", "code")
    COLOUR: ClassVar[str] = "#6a1b9a"
    SHAPE: ClassVar[str] = "hexagon"
    SHORT_FIELD: ClassVar[str | None] = "code"

    code: Line = Field(description="Short name as users write it: WBCTi, WBCSCi, WBBSi.")
    number: int = Field(ge=1, le=3)
    objective: Text | None = None


class SupportGroup(Node):
    """The consultative group of one pillar."""

    TYPE: ClassVar[str] = "SupportGroup"
    PREFIX: ClassVar[str] = "sg"
    COLOUR: ClassVar[str] = "#ab47bc"
    SHAPE: ClassVar[str] = "hexagon"

    decision_making: list[Text] = Field(
        default_factory=list,
        max_length=LIST_MAX,
        description="The decision-making steps, in order, as stated.",
    )


class Need(Node, Period):
    """A need stated by a partner in a needs-mapping cycle."""

    TYPE: ClassVar[str] = "Need"
    PREFIX: ClassVar[str] = "need"
    COLOUR: ClassVar[str] = "#ef6c00"
    SHAPE: ClassVar[str] = "diamond"

    priority: Priority = "medium"
    cycle: Line | None = Field(None, description="Mapping cycle, e.g. `needs-mapping-1`.")
    required_amount: Amount | None = None
    required_currency: Currency | None = None


class Project(Node, Period):
    """An action responding to needs: who funds, implements and benefits is in edges."""

    TYPE: ClassVar[str] = "Project"
    PREFIX: ClassVar[str] = "project"
    SEARCH_FIELDS: ClassVar[tuple[str, ...]] = ("name", "aliases", "iati_identifier")
    COLOUR: ClassVar[str] = "#f9a825"
    SHAPE: ClassVar[str] = "box"

    status: ProjectStatus = "implementation"
    dates_planned: bool = Field(False, description="The dates are planned ones: no actual dates were given.")
    cycle: Line | None = Field(None, description="Response-mapping cycle, e.g. `response-mapping-2023`.")
    iati_identifier: Line | None = None
    sectors: list[Line] = Field(
        default_factory=list, max_length=LIST_MAX, description="DAC 5-digit sector codes."
    )


class Event(Node):
    """A meeting, consultation or working session."""

    TYPE: ClassVar[str] = "Event"
    PREFIX: ClassVar[str] = "event"
    SEARCH_FIELDS: ClassVar[tuple[str, ...]] = ("name", "aliases", "place")
    COLOUR: ClassVar[str] = "#00838f"
    SHAPE: ClassVar[str] = "star"
    #: A one-day event has no ``end_date``.
    PERIOD: ClassVar[PeriodFields] = PeriodFields("date", "end_date", open_ended=False)

    date: dt.date
    end_date: dt.date | None = None
    place: Line | None = None
    kind: Literal[
        "thematic_meeting",
        "support_group_meeting",
        "consultation",
        "bilateral_meeting",
        "working_session",
        "other",
    ] = "other"
    summary: Text | None = None


class Document(Node):
    """A product: methodology, template, report, strategy, proposal."""

    TYPE: ClassVar[str] = "Document"
    PREFIX: ClassVar[str] = "doc"
    COLOUR: ClassVar[str] = "#8d6e63"
    SHAPE: ClassVar[str] = "square"

    kind: Literal[
        "methodology", "template", "report", "strategy", "proposal", "review", "activity", "other"
    ] = "other"
    status: Literal["planned", "in_process", "accomplished"] = "planned"
    task: bool = Field(False, description="Listed among the pillar's tasks.")


class Person(Node):
    """An official named in an event."""

    TYPE: ClassVar[str] = "Person"
    PREFIX: ClassVar[str] = "person"
    COLOUR: ClassVar[str] = "#546e7a"
    SHAPE: ClassVar[str] = "dot"

    position: Line | None = Field(None, description="As stated, e.g. State Secretary.")


NODE_CLASSES: tuple[type[Node], ...] = (
    Country,
    Institution,
    Organisation,
    Pillar,
    SupportGroup,
    Need,
    Project,
    Event,
    Document,
    Person,
)
