"""Base classes every node and edge type derives from, and the rules every value obeys.

The rules, checked by :class:`Record` on every property of every node and edge, whichever
entry point (JSON file, seed, sheet, IATI, API) the record came through:

- **Text**: no control characters: none of C0 (U+0000-U+001F), DEL, C1 (U+0080-U+009F), lone
  surrogates, U+FFFE or U+FFFF; multi-line text (:data:`Text`) may hold tabs and line breaks.
  Each kind of text has a length limit: ids :data:`ID_MAX`, names and other one-line text
  :data:`LINE_MAX`, sources :data:`SOURCE_MAX`, descriptions :data:`TEXT_MAX` characters; lists
  hold at most :data:`LIST_MAX` items. A text property declared without a kind is one line of
  at most :data:`LINE_MAX` characters. What breaks a rule is refused, never stripped or cut.
- **Numbers**: finite (no NaN, no infinity) and at most :data:`NUMBER_MAX` in size.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from typing import Annotated, Any, ClassVar, NamedTuple, get_args

import pycountry
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

#: Characters allowed after the type prefix of an id: anything but whitespace.
ID_PATTERN = r"^[a-z_]+:\S+$"

#: Longest id, in characters.
ID_MAX = 200
#: Longest name, alias, code or other one-line text.
LINE_MAX = 500
#: Longest source reference (``file#activity``, ``sheet!row``).
SOURCE_MAX = 1_000
#: Longest multi-line text: a description, a summary, an objective.
TEXT_MAX = 20_000
#: Most items in a list property (aliases, sources, sectors, steps).
LIST_MAX = 1_000
#: Largest number any property may hold (amounts included): 10^15.
NUMBER_MAX = 1e15

#: Characters no text may contain; multi-line text allows tab, line feed and carriage return.
_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_FORBIDDEN_MULTILINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


class TextKind(NamedTuple):
    """Marks a text type in its ``Annotated`` metadata: may it span several lines?"""

    multiline: bool


def text_problem(text: str, *, multiline: bool = False) -> str | None:
    r"""What breaks the text rule in ``text``, or ``None``.

    >>> text_problem("Ministry of Interior") is None
    True
    >>> text_problem("MUP\x00")
    'control character U+0000 at character 4 is not allowed'
    >>> text_problem("two\nlines")
    'control character U+000A (a line break) at character 4 is not allowed: one line only'
    >>> text_problem("two\nlines", multiline=True) is None
    True
    """
    found = (_FORBIDDEN_MULTILINE if multiline else _FORBIDDEN).search(text)
    if found is None:
        return None
    char = found.group()
    what = {"\t": " (a tab)", "\n": " (a line break)", "\r": " (a line break)"}.get(char, "")
    if "\ud800" <= char <= "\udfff":
        what = " (a lone surrogate)"
    one_line = ": one line only" if char in "\t\n\r" else ""
    return (
        f"control character U+{ord(char):04X}{what} at character {found.start() + 1} is not allowed{one_line}"
    )


def shown(text: str, limit: int = 80) -> str:
    r"""``text`` safe to print in a one-line message: control characters escaped, cut at ``limit``.

    >>> print(shown("org:x\x1b[2J"))
    org:x\x1b[2J
    >>> shown("x" * 100, limit=5)
    'xxxxx…'
    """
    cut = text[:limit] + ("…" if len(text) > limit else "")
    return _FORBIDDEN.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), cut)


def _iso_4217(code: str) -> str:
    if pycountry.currencies.get(alpha_3=code) is None:
        raise ValueError(f"{code!r} is not an ISO 4217 currency code")
    return code


#: An ISO 4217 alphabetic code such as ``EUR``.
Currency = Annotated[
    str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. EUR."), AfterValidator(_iso_4217)
]
#: A non-negative amount of money, always stored next to its currency.
Amount = Annotated[
    float,
    Field(
        ge=0,
        le=NUMBER_MAX,
        allow_inf_nan=False,
        description="Never negative, finite, at most 10^15; always with its currency.",
    ),
]
#: A node id or an edge's endpoint: ``prefix:slug``.
Id = Annotated[str, Field(pattern=ID_PATTERN, max_length=ID_MAX), TextKind(multiline=False)]
#: One line of text: a name, an alias, an acronym, a code, a place, a role.
Line = Annotated[str, Field(max_length=LINE_MAX), TextKind(multiline=False)]
#: Text that may span lines: a description, a summary, an objective, a reason.
Text = Annotated[str, Field(max_length=TEXT_MAX), TextKind(multiline=True)]
#: One source reference.
SourceRef = Annotated[str, Field(min_length=1, max_length=SOURCE_MAX), TextKind(multiline=False)]
Sources = Annotated[
    list[SourceRef],
    Field(
        min_length=1,
        max_length=LIST_MAX,
        description="Where this record is stated: seed file, IATI file#activity, sheet!row.",
    ),
]


def _kind_in(annotation: Any) -> TextKind | None:
    """The :class:`TextKind` declared anywhere in a field's annotation (inside ``| None``, ``list``)."""
    for part in (*getattr(annotation, "__metadata__", ()), *get_args(annotation)):
        if isinstance(part, TextKind):
            return part
        found = _kind_in(part) if not isinstance(part, str | int | float) else None
        if found is not None:
            return found
    return None


@functools.cache
def _field_kind(model: type[BaseModel], field: str) -> TextKind | None:
    info = model.model_fields.get(field)
    return _kind_in(info.annotation) if info is not None else None


def _check_text(text: str, kind: TextKind | None, item: int | None) -> None:
    where = "" if item is None else f"item {item + 1}: "
    problem = text_problem(text, multiline=kind.multiline if kind else False)
    if problem is not None:
        raise PydanticCustomError("control_character", where + problem)
    if kind is None and len(text) > LINE_MAX:
        # declared without a kind of text: one line of at most LINE_MAX characters
        raise PydanticCustomError(
            "string_too_long",
            where + "String should have at most {max_length} characters",
            {"max_length": LINE_MAX},
        )


def _check_number(value: float, item: int | None) -> None:
    # the size first: math.isfinite cannot take an int too large for a float
    if abs(value) > NUMBER_MAX or not math.isfinite(value):
        where = "" if item is None else f"item {item + 1}: "
        raise PydanticCustomError("number_out_of_range", where + "a number must be finite and at most 1e15")


#: Values no rule of this module applies to.
_NO_RULE = frozenset({bool, dt.date, dt.datetime})


class Record(BaseModel):
    """Fields every node and edge carries."""

    model_config = ConfigDict(extra="forbid", frozen=False, validate_default=True)

    sources: Sources
    demo: bool = Field(False, description="Part of the illustrative demo set, not of any source document.")

    @field_validator("*", mode="after")
    @classmethod
    def _values_obey_the_rules(cls, value: Any, info: ValidationInfo) -> Any:
        """The text and number rules of this module, on every property of every type."""
        of = value.__class__
        if of is str:  # the most common case, checked first: the text rule passes or says why not
            kind = _field_kind(cls, info.field_name or "")
            if kind is None:
                if len(value) <= LINE_MAX and _FORBIDDEN.search(value) is None:
                    return value
            elif (_FORBIDDEN_MULTILINE if kind.multiline else _FORBIDDEN).search(value) is None:
                return value
        elif value is None or of in _NO_RULE:
            return value
        items = value if isinstance(value, list) else (value,)
        if len(items) > LIST_MAX:
            raise PydanticCustomError("too_long", "a list may hold at most {max} items", {"max": LIST_MAX})
        kind = _field_kind(cls, info.field_name or "")
        for index, item in enumerate(items):
            position = index if isinstance(value, list) else None
            if isinstance(item, str):
                _check_text(item, kind, position)
            elif isinstance(item, float | int) and not isinstance(item, bool):
                _check_number(item, position)
        return value


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

    id: Id = Field(description="Stable readable id, e.g. `org:unodc`.")
    name: Line = Field(min_length=1, description="The name exactly as written (diacritics kept).")
    aliases: list[Line] = Field(
        default_factory=list, max_length=LIST_MAX, description="Other names: acronyms, other scripts."
    )
    description: Text | None = None

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

    source: Id
    target: Id
    key: Line = Field(
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
