"""Coverage: the partner × pillar matrix."""

from __future__ import annotations

from kb.analysis.coverage import coverage
from tests.analysis.scenarios import add_need, add_project, base, graph, two_donors_one_need


def cell(result, country, pillar):
    return next(c for c in result.cells if c.country.id == country and c.pillar.id == pillar)


def test_matrix_has_every_partner_and_pillar_in_pillar_order():
    result = coverage(graph(two_donors_one_need()))
    assert [p.id for p in result.partners] == ["country:rs", "country:xk"]
    assert [p.id for p in result.pillars] == ["pillar:wbcsci", "pillar:wbbsi"]
    assert len(result.cells) == 4


def test_cell_counts_needs_answered_projects_and_money_per_currency():
    c = cell(coverage(graph(two_donors_one_need())), "country:rs", "pillar:wbbsi")
    assert (c.needs, c.addressed, c.projects) == (1, 1, 2)
    assert c.amounts == {"EUR": 1_000_000.0, "USD": 250_000.0}


def test_need_answered_only_by_a_cancelled_project_is_not_counted_as_answered():
    doc = add_need(base(), "need:n", country="country:xk")
    add_project(doc, "project:x", needs=("need:n",), funders={"org:giz": (5, "EUR")}, status="cancelled")
    c = cell(coverage(graph(doc)), "country:xk", "pillar:wbbsi")
    assert (c.needs, c.addressed, c.projects, c.amounts) == (1, 0, 0, {})


def test_project_of_the_pillar_targeting_the_partner_counts_without_a_need():
    doc = add_project(
        base(), "project:x", funders={"org:giz": (5, "EUR")}, country="country:xk", pillar="pillar:wbcsci"
    )
    c = cell(coverage(graph(doc)), "country:xk", "pillar:wbcsci")
    assert (c.needs, c.projects, c.amounts) == (0, 1, {"EUR": 5.0})
