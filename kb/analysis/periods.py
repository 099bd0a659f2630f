"""When a project is active, and when two periods overlap.

The rules, in one place (the statuses they name are declared with the Project type, as
:data:`graph_schema.NEVER_ACTIVE_STATUSES` and :data:`graph_schema.STOPPED_STATUSES`):

- a project runs from its ``start`` to its ``end``; a missing start is open (since always);
- a project without an end date is active until its stated status says otherwise:
  ``pipeline``, ``implementation`` and ``finalisation`` without an end are open-ended;
  ``closed`` and ``suspended`` without an end are taken as not active beyond their start
  (and as never active when the start is unknown too);
- a ``cancelled`` project is never active, whatever its dates: it delivers nothing;
- periods are closed intervals: two periods that only touch on one day overlap on that day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from graph_schema import DEFAULT_STATUS, NEVER_ACTIVE_STATUSES, STOPPED_STATUSES
from kb.analysis.models import Span


def to_date(value: Any) -> dt.date | None:
    """A date from a record value (ISO string, date or ``None``).

    >>> to_date("2024-06-01")
    datetime.date(2024, 6, 1)
    >>> to_date(None) is None
    True
    """
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def span(start: dt.date | None, end: dt.date | None) -> Span:
    """A :class:`Span` of two dates (or ``None``)."""
    return Span(start=start, end=end)


#: The period open on both sides: intersecting with it changes nothing.
OPEN = Span()


def record_span(record: Mapping[str, Any]) -> Span:
    """The stated ``start``/``end`` of a record (need, project or edge), open where missing."""
    return span(to_date(record.get("start")), to_date(record.get("end")))


def active_span(project: Mapping[str, Any]) -> Span | None:
    """When a project is active under the rules above; ``None`` if it never is.

    Examples
    --------
    >>> active_span({"start": "2023-01-01", "status": "implementation"}).label()
    '2023-01-01 – open'
    >>> active_span({"start": "2023-01-01", "status": "closed"}).label()
    '2023-01-01 – 2023-01-01'
    >>> active_span({"start": "2023-01-01", "end": "2024-12-31", "status": "cancelled"}) is None
    True
    """
    status = project.get("status", DEFAULT_STATUS)
    if status in NEVER_ACTIVE_STATUSES:
        return None
    stated = record_span(project)
    if stated.end is None and status in STOPPED_STATUSES:
        return None if stated.start is None else span(stated.start, stated.start)
    return stated


def intersect(a: Span | None, b: Span | None) -> Span | None:
    """The common part of two periods, or ``None`` when they do not meet.

    Examples
    --------
    >>> d = dt.date
    >>> intersect(Span(start=d(2023, 1, 1), end=d(2023, 6, 30)), Span(start=d(2023, 6, 30))).label()
    '2023-06-30 – 2023-06-30'
    >>> intersect(Span(end=d(2023, 6, 29)), Span(start=d(2023, 6, 30))) is None
    True
    """
    if a is None or b is None:
        return None
    start = a.start if b.start is None or (a.start is not None and a.start > b.start) else b.start
    end = a.end if b.end is None or (a.end is not None and a.end < b.end) else b.end
    if start is not None and end is not None and start > end:
        return None
    if start is a.start and end is a.end:
        return a
    if start is b.start and end is b.end:
        return b
    return span(start, end)


def span_sort_key(span: Span) -> tuple[int, int]:
    """Longer periods first (open-ended counts as longest), then earlier starts."""
    days = span.days if span.days is not None else 10**9
    start = span.start.toordinal() if span.start else 0
    return (-days, start)


#: Day numbers of the open ends of a period: before and after every date there is.
OPEN_START, OPEN_END = 0, 10**7


def days(span: Span | None) -> tuple[int, int] | None:
    """A period as two day numbers (:meth:`datetime.date.toordinal`), open ends as
    :data:`OPEN_START` and :data:`OPEN_END`; ``None`` stays ``None``.

    Two periods meet when the later start is at most the earlier end, as with :func:`intersect`.

    >>> days(Span(start=dt.date(2024, 1, 1)))
    (738886, 10000000)
    """
    if span is None:
        return None
    return (
        span.start.toordinal() if span.start else OPEN_START,
        span.end.toordinal() if span.end else OPEN_END,
    )


#: Every day there is, as day numbers (no window).
EVER = (OPEN_START, OPEN_END)


def window_days(window: Span | None) -> tuple[int, int]:
    """A ``--from``/``--to`` window as day numbers, :data:`EVER` when there is none."""
    return days(window) or EVER


def from_days(start: int, end: int) -> Span:
    """The period of two day numbers (the inverse of :func:`days`).

    >>> from_days(738886, OPEN_END).label()
    '2024-01-01 – open'
    """
    return span(
        None if start == OPEN_START else dt.date.fromordinal(start),
        None if end == OPEN_END else dt.date.fromordinal(end),
    )


def days_sort_key(start: int, end: int) -> tuple[int, int]:
    """:func:`span_sort_key` of the period of two day numbers, without building it."""
    length = 10**9 if start == OPEN_START or end == OPEN_END else end - start + 1
    return (-length, start)


def active_days(project: Mapping[str, Any]) -> tuple[int, int] | None:
    """:func:`active_span` as day numbers (:func:`days`), without building the period.

    >>> active_days({"start": "2023-01-01", "status": "closed"}) == days(active_span({"start": "2023-01-01", "status": "closed"}))
    True
    """
    status = project.get("status", DEFAULT_STATUS)
    if status in NEVER_ACTIVE_STATUSES:
        return None
    start, end = project.get("start"), project.get("end")
    first = OPEN_START if start is None else day_number(start)
    if end is None:
        if status in STOPPED_STATUSES:
            return None if start is None else (first, first)
        return (first, OPEN_END)
    return (first, day_number(end))


_DAY_NUMBERS: dict[str, int] = {}


def day_number(value: Any) -> int:
    """The day number of a record's date (ISO string or date); the strings of a store repeat, so
    each is read once.

    >>> day_number("2024-01-01") == dt.date(2024, 1, 1).toordinal()
    True
    """
    if isinstance(value, str):
        found = _DAY_NUMBERS.get(value)
        if found is None:
            if len(_DAY_NUMBERS) > 100_000:
                _DAY_NUMBERS.clear()
            found = _DAY_NUMBERS[value] = to_date(value).toordinal()  # type: ignore[union-attr]
        return found
    return to_date(value).toordinal()  # type: ignore[union-attr]
