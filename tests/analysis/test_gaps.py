"""Gaps: unaddressed needs, underfunded needs and empty partner × pillar cells."""

from __future__ import annotations

import datetime as dt

from kb.analysis.gaps import gaps
from kb.analysis.models import Span
from kb.analysis.money import parse_rates
from tests.analysis.scenarios import add_need, add_project, base, graph

RATES = "currency,rate,date,source\nEUR,1,2024-01-01,def\nUSD,0.5,2024-01-01,ECB\n"


def kinds(found):
    return [
        (g.kind, g.need.id if g.need else [c.id for c in g.countries] + [p.id for p in g.pillars])
        for g in found
    ]


def test_need_no_project_addresses_is_unaddressed():
    found = gaps(graph(add_need(base(), "need:n", priority="high")))
    assert kinds(found) == [("empty_cell", ["country:rs", "pillar:wbbsi"]), ("unaddressed", "need:n")]
    assert found[1].reason == "no project addresses it"


def test_need_addressed_only_by_a_cancelled_project_is_a_gap():
    doc = add_need(base(), "need:n")
    add_project(
        doc,
        "project:x",
        needs=("need:n",),
        funders={"org:giz": (5, "EUR")},
        status="cancelled",
        start="2024-01-01",
        end="2025-01-01",
    )
    [_cell, gap] = gaps(graph(doc))
    assert gap.kind == "unaddressed" and gap.reason == "project:x is cancelled"
    assert [p.id for p in gap.projects] == ["project:x"]
    assert ("ADDRESSES", "project:x", "need:n") in {(e.type, e.source, e.target) for e in gap.evidence}


def test_need_whose_project_ended_before_its_period_is_unaddressed():
    doc = add_need(base(), "need:n", start="2025-01-01", end="2026-12-31")
    add_project(
        doc, "project:x", needs=("need:n",), funders={"org:giz": ()}, start="2022-01-01", end="2023-12-31"
    )
    gap = next(g for g in gaps(graph(doc)) if g.kind == "unaddressed")
    assert "outside the need's period" in gap.reason


def test_answered_need_without_required_amount_is_no_gap():
    doc = add_need(base(), "need:n")
    add_project(doc, "project:x", needs=("need:n",), funders={"org:giz": ()}, start="2024-01-01")
    assert gaps(graph(doc)) == []


def test_need_with_less_money_than_required_is_underfunded_by_the_shortfall():
    doc = add_need(base(), "need:n", required_amount=1000, required_currency="EUR")
    add_project(doc, "project:x", needs=("need:n",), funders={"org:giz": (600, "EUR")}, start="2024-01-01")
    [gap] = gaps(graph(doc))
    assert (gap.kind, gap.required, gap.funded, gap.shortfall) == (
        "underfunded",
        {"EUR": 1000.0},
        {"EUR": 600.0},
        {"EUR": 400.0},
    )
    assert ("FUNDS", "org:giz", "project:x") in {(e.type, e.source, e.target) for e in gap.evidence}


def test_funding_in_another_currency_is_not_counted_without_rates():
    doc = add_need(base(), "need:n", required_amount=1000, required_currency="EUR")
    add_project(doc, "project:x", needs=("need:n",), funders={"org:giz": (600, "EUR")}, start="2024-01-01")
    add_project(
        doc, "project:y", needs=("need:n",), funders={"country:at": (2000, "USD")}, start="2024-01-01"
    )
    [gap] = [g for g in gaps(graph(doc)) if g.kind == "underfunded"]
    assert gap.shortfall == {"EUR": 400.0} and gap.uncounted == {"USD": 2000.0}


def test_stated_rates_let_other_currencies_cover_the_need():
    doc = add_need(base(), "need:n", required_amount=1000, required_currency="EUR")
    add_project(doc, "project:x", needs=("need:n",), funders={"org:giz": (600, "EUR")}, start="2024-01-01")
    add_project(
        doc, "project:y", needs=("need:n",), funders={"country:at": (2000, "USD")}, start="2024-01-01"
    )
    assert [g for g in gaps(graph(doc), rates=parse_rates(RATES)) if g.kind == "underfunded"] == []


def test_stated_rates_give_the_shortfall_in_the_base_currency():
    doc = add_need(base(), "need:n", required_amount=1000, required_currency="EUR")
    add_project(
        doc, "project:y", needs=("need:n",), funders={"country:at": (1000, "USD")}, start="2024-01-01"
    )
    [gap] = gaps(graph(doc), rates=parse_rates(RATES))
    assert gap.shortfall == {"EUR": 500.0}
    assert [r.currency for r in gap.converted.applied] == ["USD"]


def test_partner_pillar_cell_with_needs_and_no_response_is_an_empty_cell():
    doc = add_need(base(), "need:n", country="country:xk", pillar="pillar:wbcsci", priority="low")
    cell = next(g for g in gaps(graph(doc)) if g.kind == "empty_cell")
    assert [c.id for c in cell.countries] == ["country:xk"] and [p.id for p in cell.pillars] == [
        "pillar:wbcsci"
    ]
    assert [n.id for n in cell.needs] == ["need:n"] and cell.priority == "low"


def test_cell_with_a_project_of_the_pillar_targeting_the_partner_is_not_empty():
    doc = add_need(base(), "need:n")
    add_project(
        doc,
        "project:x",
        funders={"org:giz": ()},
        country="country:rs",
        pillar="pillar:wbbsi",
        start="2024-01-01",
    )
    assert kinds(gaps(graph(doc))) == [("unaddressed", "need:n")]


def test_gaps_rank_by_need_priority():
    doc = base()
    for need, prio in (("need:low", "low"), ("need:high", "high"), ("need:medium", "medium")):
        add_need(doc, need, priority=prio, country="country:xk")
    add_project(doc, "project:x", funders={"org:giz": ()}, country="country:xk", pillar="pillar:wbbsi")
    assert [g.need.id for g in gaps(graph(doc))] == ["need:high", "need:medium", "need:low"]


def test_window_leaves_out_needs_outside_it():
    doc = add_need(base(), "need:old", end="2020-12-31")
    assert gaps(graph(doc), window=Span(start=dt.date(2024, 1, 1))) == []


def test_project_active_only_outside_the_window_does_not_answer_the_need_in_it():
    doc = add_need(base(), "need:n")
    add_project(
        doc, "project:x", needs=("need:n",), funders={"org:giz": ()}, start="2020-01-01", end="2021-12-31"
    )
    found = gaps(graph(doc), window=Span(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31)))
    assert ("unaddressed", "need:n") in kinds(found)


def test_empty_graph_has_no_gaps():
    assert gaps(graph({"nodes": [], "edges": []})) == []
