"""Overlaps: distinct donors paying for the same need (or context) at the same time."""

from __future__ import annotations

import datetime as dt

from kb.analysis.models import Span
from kb.analysis.money import parse_rates
from kb.analysis.overlaps import PAIRED_UP_TO, overlaps
from tests.analysis.scenarios import (
    add_need,
    add_project,
    base,
    context_pair,
    crowded_context,
    graph,
    two_donors_one_need,
)


def test_two_donors_on_one_need_in_overlapping_periods_overlap():
    [o] = overlaps(graph(two_donors_one_need()))
    assert o.level == "need" and o.need.id == "need:radars" and o.priority == "high"
    assert [p.id for p in o.projects] == ["project:a", "project:b"]
    assert [d.id for d in o.donors] == ["country:at", "org:giz"]
    assert [i.id for i in o.implementers] == ["org:unodc"]
    assert [c.id for c in o.countries] == ["country:rs"]
    assert o.period == Span(start=dt.date(2024, 6, 1), end=dt.date(2024, 12, 31))


def test_amounts_in_two_currencies_are_given_per_currency_never_added():
    [o] = overlaps(graph(two_donors_one_need()))
    assert o.amounts == {"EUR": 1_000_000.0, "USD": 250_000.0}
    assert o.converted is None


def test_stated_rates_give_a_converted_total_naming_the_rates_applied():
    rates = parse_rates("currency,rate,date,source\nEUR,1,2024-01-01,def\nUSD,0.9,2024-01-01,ECB\n")
    [o] = overlaps(graph(two_donors_one_need()), rates=rates)
    assert o.amounts == {"EUR": 1_000_000.0, "USD": 250_000.0}
    assert o.converted.base == "EUR" and o.converted.total == 1_225_000.0
    assert [(r.currency, r.source) for r in o.converted.applied] == [("USD", "ECB")]


def test_same_need_in_disjoint_periods_is_no_overlap():
    doc = add_need(base(), "need:n")
    add_project(
        doc, "project:a", needs=("need:n",), funders={"org:giz": ()}, start="2022-01-01", end="2022-12-31"
    )
    add_project(
        doc, "project:b", needs=("need:n",), funders={"org:eu": ()}, start="2023-01-01", end="2023-12-31"
    )
    assert overlaps(graph(doc)) == []


def test_periods_touching_on_one_day_overlap():
    doc = add_need(base(), "need:n")
    add_project(
        doc, "project:a", needs=("need:n",), funders={"org:giz": ()}, start="2022-01-01", end="2022-12-31"
    )
    add_project(
        doc, "project:b", needs=("need:n",), funders={"org:eu": ()}, start="2022-12-31", end="2023-12-31"
    )
    [o] = overlaps(graph(doc))
    assert o.period.days == 1 and o.period.start == dt.date(2022, 12, 31)


def test_open_ended_project_overlaps_a_later_one_with_an_open_period():
    doc = add_need(base(), "need:n")
    add_project(doc, "project:old", needs=("need:n",), funders={"org:giz": ()}, start="2020-01-01")
    add_project(doc, "project:new", needs=("need:n",), funders={"org:eu": ()}, start="2030-01-01")
    [o] = overlaps(graph(doc))
    assert o.period == Span(start=dt.date(2030, 1, 1), end=None)


def test_closed_project_without_end_does_not_overlap_a_later_one():
    doc = add_need(base(), "need:n")
    add_project(
        doc, "project:old", needs=("need:n",), funders={"org:giz": ()}, start="2020-01-01", status="closed"
    )
    add_project(doc, "project:new", needs=("need:n",), funders={"org:eu": ()}, start="2021-01-01")
    assert overlaps(graph(doc)) == []


def test_one_donor_funding_two_projects_on_one_need_is_no_overlap():
    doc = add_need(base(), "need:n")
    for pid in ("project:a", "project:b"):
        add_project(doc, pid, needs=("need:n",), funders={"org:giz": (1, "EUR")}, start="2024-01-01")
    assert overlaps(graph(doc)) == []


def test_same_group_of_donors_on_two_projects_is_no_overlap():
    doc = add_need(base(), "need:n")
    for pid in ("project:a", "project:b"):
        add_project(doc, pid, needs=("need:n",), funders={"org:giz": (), "org:eu": ()}, start="2024-01-01")
    assert overlaps(graph(doc)) == []


def test_co_funded_project_next_to_another_donors_project_overlaps():
    doc = add_need(base(), "need:n")
    add_project(
        doc, "project:a", needs=("need:n",), funders={"org:giz": (), "org:eu": ()}, start="2024-01-01"
    )
    add_project(doc, "project:b", needs=("need:n",), funders={"org:osce": ()}, start="2024-01-01")
    [o] = overlaps(graph(doc))
    assert [d.id for d in o.donors] == ["org:eu", "org:giz", "org:osce"]


def test_cancelled_project_overlaps_nothing():
    doc = add_need(base(), "need:n")
    add_project(doc, "project:a", needs=("need:n",), funders={"org:giz": ()}, start="2024-01-01")
    add_project(
        doc, "project:b", needs=("need:n",), funders={"org:eu": ()}, start="2024-01-01", status="cancelled"
    )
    assert overlaps(graph(doc)) == []


def test_project_without_funder_makes_no_donor_overlap():
    doc = add_need(base(), "need:n")
    add_project(doc, "project:a", needs=("need:n",), funders={"org:giz": ()}, start="2024-01-01")
    add_project(doc, "project:b", needs=("need:n",), implementers=("org:unodc",), start="2024-01-01")
    assert overlaps(graph(doc)) == []


def test_overlap_carries_the_edges_that_make_it_with_their_sources():
    [o] = overlaps(graph(two_donors_one_need()))
    kinds = {(e.type, e.source, e.target) for e in o.evidence}
    assert {
        ("ADDRESSES", "project:a", "need:radars"),
        ("ADDRESSES", "project:b", "need:radars"),
        ("FUNDS", "org:giz", "project:a"),
        ("FUNDS", "country:at", "project:b"),
        ("STATED_BY", "need:radars", "country:rs"),
    } <= kinds
    assert all(e.sources == ["tests"] for e in o.evidence)


def test_window_clips_the_overlapping_period():
    [o] = overlaps(graph(two_donors_one_need()), window=Span(start=dt.date(2024, 9, 1)))
    assert o.period == Span(start=dt.date(2024, 9, 1), end=dt.date(2024, 12, 31))


def test_window_outside_the_common_period_finds_no_overlap():
    assert overlaps(graph(two_donors_one_need()), window=Span(start=dt.date(2025, 1, 1))) == []


def test_higher_priority_needs_rank_first():
    doc = base()
    for need, prio in (("need:low", "low"), ("need:high", "high")):
        add_need(doc, need, priority=prio)
        add_project(doc, f"project:{prio}-1", needs=(need,), funders={"org:giz": ()}, start="2024-01-01")
        add_project(doc, f"project:{prio}-2", needs=(need,), funders={"org:eu": ()}, start="2024-01-01")
    assert [o.need.id for o in overlaps(graph(doc))] == ["need:high", "need:low"]


def test_unlinked_projects_sharing_partner_pillar_and_beneficiary_are_a_possible_overlap():
    [o] = overlaps(graph(context_pair()))
    assert o.level == "context" and o.need is None
    assert o.context == ["RS / WBBSi / Serbia: Ministry of Interior"]
    assert o.period == Span(start=dt.date(2024, 7, 1), end=dt.date(2025, 6, 30))
    assert {e.type for e in o.evidence} >= {"TARGETS", "IN_PILLAR", "BENEFITS", "FUNDS"}


def test_unlinked_projects_sharing_a_sector_are_a_possible_overlap():
    doc = base()
    for pid, donor in (("project:s1", "org:eu"), ("project:s2", "org:giz")):
        add_project(
            doc,
            pid,
            funders={donor: ()},
            country="country:xk",
            pillar="pillar:wbcsci",
            sectors=["15130"],
            start="2024-01-01",
        )
    [o] = overlaps(graph(doc))
    assert o.context == ["XK / WBCSCi / sector 15130"]


def test_unlinked_projects_in_different_partners_are_no_overlap():
    doc = base()
    for pid, donor, country in (
        ("project:c1", "org:eu", "country:rs"),
        ("project:c2", "org:osce", "country:xk"),
    ):
        add_project(
            doc,
            pid,
            funders={donor: ()},
            country=country,
            pillar="pillar:wbbsi",
            benefits=("inst:rs-moi",),
            start="2024-01-01",
        )
    assert overlaps(graph(doc)) == []


def test_need_level_overlaps_rank_above_context_level_ones():
    doc = two_donors_one_need()
    low = add_need(context_pair(), "need:other", priority="low")
    doc["nodes"] += [n for n in low["nodes"] if n["id"].startswith(("project:", "need:"))]
    doc["edges"] += [
        e
        for e in low["edges"]
        if e["source"].startswith(("project:", "need:")) or e["target"].startswith("project:")
    ]
    assert [o.level for o in overlaps(graph(doc))] == ["need", "context"]


def test_empty_graph_has_no_overlaps():
    assert overlaps(graph({"nodes": [], "edges": []})) == []


def test_overlaps_do_not_modify_the_graph():
    G = graph(two_donors_one_need())
    before = (sorted(G.nodes(data=True), key=str), sorted(G.edges(data=True, keys=True), key=str))
    overlaps(G)
    assert (sorted(G.nodes(data=True), key=str), sorted(G.edges(data=True, keys=True), key=str)) == before


def test_a_context_of_up_to_twenty_unlinked_projects_lists_its_pairs():
    found = overlaps(graph(crowded_context(PAIRED_UP_TO)))
    assert len(found) == (PAIRED_UP_TO // 2) ** 2  # every EU project with every OSCE one
    assert {len(o.projects) for o in found} == {2}


def test_a_more_crowded_context_is_one_overlap_of_its_projects_that_meet():
    [o] = overlaps(graph(crowded_context(PAIRED_UP_TO + 1, late=1)))
    assert o.level == "context" and o.context == ["RS / WBBSi / Serbia: Ministry of Interior"]
    assert [p.id for p in o.projects] == [f"project:crowd-{i:02d}" for i in range(PAIRED_UP_TO + 1)]
    assert [d.id for d in o.donors] == ["org:eu", "org:osce"]
    assert o.period == Span(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))
    assert o.amounts == {"EUR": 10.0 * (PAIRED_UP_TO + 1)}
    assert {e.type for e in o.evidence} == {"TARGETS", "IN_PILLAR", "BENEFITS", "FUNDS"}


def test_a_crowded_context_of_one_donor_is_no_overlap():
    assert overlaps(graph(crowded_context(PAIRED_UP_TO + 1, donors=("org:eu",)))) == []


def test_a_crowded_project_meeting_only_projects_of_its_own_donor_is_left_out():
    doc = crowded_context(PAIRED_UP_TO + 1, donors=("org:eu",))
    add_project(
        doc,
        "project:osce-2019",
        funders={"org:osce": ()},
        country="country:rs",
        pillar="pillar:wbbsi",
        benefits=("inst:rs-moi",),
        start="2019-01-01",
        end="2024-01-01",
    )
    [o] = overlaps(graph(doc))
    assert {p.id for p in o.projects} == {f"project:crowd-{i:02d}" for i in range(PAIRED_UP_TO + 1)} | {
        "project:osce-2019"
    }
    late = overlaps(graph(doc), window=Span(start=dt.date(2024, 1, 2)))
    assert late == []  # from 2 January 2024 the OSCE project is over: only EU ones meet


def test_a_pair_sharing_a_crowded_context_and_a_smaller_one_names_only_the_smaller():
    doc = crowded_context(PAIRED_UP_TO + 1)
    for project in doc["nodes"]:
        if project["id"] in ("project:crowd-00", "project:crowd-01"):
            project["sectors"] = ["15210"]
    found = overlaps(graph(doc))
    assert sorted(o.context for o in found) == [
        ["RS / WBBSi / Serbia: Ministry of Interior"],
        ["RS / WBBSi / sector 15210"],
    ]
    [pair] = [o for o in found if len(o.projects) == 2]
    assert [p.id for p in pair.projects] == ["project:crowd-00", "project:crowd-01"]
