"""The period rules: when a project is active and when two periods overlap."""

from __future__ import annotations

import datetime as dt

from kb.analysis.models import Span
from kb.analysis.periods import active_span, intersect

d = dt.date


def test_periods_that_touch_on_one_day_overlap_on_that_day():
    met = intersect(
        Span(start=d(2023, 1, 1), end=d(2023, 6, 30)), Span(start=d(2023, 6, 30), end=d(2024, 1, 1))
    )
    assert met == Span(start=d(2023, 6, 30), end=d(2023, 6, 30))
    assert met.days == 1


def test_disjoint_periods_do_not_overlap():
    assert intersect(Span(start=d(2022, 1, 1), end=d(2022, 12, 31)), Span(start=d(2023, 1, 1))) is None


def test_project_without_end_in_implementation_is_open_ended():
    span = active_span({"start": "2024-06-01", "status": "implementation"})
    assert span == Span(start=d(2024, 6, 1), end=None)
    assert intersect(span, Span(start=d(2040, 1, 1), end=d(2040, 1, 1))) is not None


def test_closed_project_without_end_is_not_active_beyond_its_start():
    assert active_span({"start": "2024-06-01", "status": "closed"}) == Span(
        start=d(2024, 6, 1), end=d(2024, 6, 1)
    )


def test_suspended_project_without_end_is_treated_like_closed():
    assert active_span({"start": "2024-06-01", "status": "suspended"}).end == d(2024, 6, 1)


def test_closed_project_without_any_date_is_never_active():
    assert active_span({"status": "closed"}) is None


def test_cancelled_project_is_never_active_even_with_dates():
    assert active_span({"start": "2024-01-01", "end": "2024-12-31", "status": "cancelled"}) is None


def test_project_without_start_is_active_since_always():
    assert active_span({"end": "2020-01-01"}) == Span(start=None, end=d(2020, 1, 1))
