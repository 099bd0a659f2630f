"""Base classes every node and edge type derives from."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, ClassVar, NamedTuple

import pycountry
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

#: Characters allowed after the type prefix of an id: anything but whitespace.
ID_PATTERN = r"^[a-z_]+:\S+$"


def _iso_4217(code: str) -> str:
    if pycountry.currencies.get(alpha_3=code) is None:
        raise ValueError(f"{code!r} is not an ISO 4217 currency code")
    return code


#: An ISO 4217 alphabetic code such as ``EUR``.
Currency = Annotated[
    str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. EUR."), AfterValidator(_iso_4217)
]
#: A non-negative amount of money, always stored next to its currency.
Amount = Annotated[float, Field(ge=0, description="Never negative; always with its currency.")]
Sources = Annotated[
    list[Annotated[str, Field(min_length=1)]],
    Field(min_length=1, description="Where this record is stated: seed file, IATI file#activity, sheet!row."),
]


class Record(BaseModel):
    """Fields every node and edge carries."""

    model_config = ConfigDict(extra="forbid", frozen=False, validate_default=True)

    sources: Sources
    demo: bool = Field(False, description="Part of the illustrative demo set, not of any source document.")


class Node(Record):
    """A thing in the knowledge base. Subclasses set ``TYPE`` and ``PREFIX``."""

    TYPE: ClassVar[str]
    PREFIX: ClassVar[str]
    #: Fields whose text is folded into the search index.
    SEARCH_FIELDS: ClassVar[tuple[str, ...]] = ("name", "aliases")
    #: Colour and shape on maps (vis-network shapes).
    COLOUR: ClassVar[str] = "#888888"
    SHAPE: ClassVar[str] = "dot"
    #: The property holding the short form a node is shown by (an acronym, a code), if the type has one.
    SHORT_FIELD: ClassVar[str | None] = None

    id: str = Field(pattern=ID_PATTERN, description="Stable readable id, e.g. `org:unodc`.")
    name: str = Field(min_length=1, description="The name exactly as written (diacritics kept).")
    aliases: list[str] = Field(default_factory=list, description="Other names: acronyms, other scripts.")
    description: str | None = None

    @field_validator("id")
    @classmethod
    def _id_has_type_prefix(cls, value: str) -> str:
        if not value.startswith(cls.PREFIX + ":"):
            raise ValueError(f"id of a {cls.TYPE} must start with '{cls.PREFIX}:'")
        return value


class Edge(Record):
    """A typed relation. Subclasses set ``TYPE``, ``SOURCE_TYPES`` and ``TARGET_TYPES``."""

    TYPE: ClassVar[str]
    SOURCE_TYPES: ClassVar[tuple[str, ...]]
    TARGET_TYPES: ClassVar[tuple[str, ...]]
    COLOUR: ClassVar[str] = "#9aa5b1"

    source: str = Field(pattern=ID_PATTERN)
    target: str = Field(pattern=ID_PATTERN)
    key: str = Field(
        "",
        description="Tells apart several edges of one type between the same two nodes "
        "(e.g. a commitment and a disbursement). Identity is (type, source, target, key).",
    )


class PeriodFields(NamedTuple):
    """Which properties of a record hold its period, and what a missing end means."""

    start: str
    end: str
    #: ``True``: without an end the period is open (still running); ``False``: it is its start day.
    open_ended: bool


class Period(BaseModel):
    """A start and an end date; either may be unknown. An end before the start is refused."""

    PERIOD: ClassVar[PeriodFields] = PeriodFields("start", "end", open_ended=True)

    start: dt.date | None = Field(None, description="First day (YYYY-MM-DD).")
    end: dt.date | None = Field(None, description="Last day; none means open-ended.")

    @model_validator(mode="after")
    def _end_not_before_start(self) -> Period:
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self
