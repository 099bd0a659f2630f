"""Who funds a need, a donor's co-funders, and the donor–donor co-funding network."""

from __future__ import annotations

import pytest

from kb.analysis.funding import co_funders, cofunding, who_funds
from kb.errors import InvalidInputError, NotFoundError
from tests.analysis.scenarios import add_need, add_project, base, graph, two_donors_one_need


def test_who_funds_lists_funders_and_implementers_with_amounts_and_periods():
    result = who_funds(graph(two_donors_one_need()), "need:radars")
    lines = [(x.actor.id, x.role, x.project.id, x.amounts) for x in result.lines]
    assert lines == [
        ("org:giz", "funder", "project:a", {"EUR": 1_000_000.0}),
        ("org:unodc", "implementer", "project:a", {}),
        ("country:at", "funder", "project:b", {"USD": 250_000.0}),
    ]
    assert result.totals == {"EUR": 1_000_000.0, "USD": 250_000.0}
    assert str(result.lines[0].period.start) == "2023-01-01"


def test_who_funds_lists_cancelled_projects_but_leaves_them_out_of_totals():
    doc = two_donors_one_need()
    next(n for n in doc["nodes"] if n["id"] == "project:b")["status"] = "cancelled"
    result = who_funds(graph(doc), "need:radars")
    assert "cancelled" in {x.status for x in result.lines}
    assert result.totals == {"EUR": 1_000_000.0}


def test_commitment_and_its_disbursement_are_counted_once():
    doc = add_need(base(), "need:n")
    add_project(doc, "project:a", needs=("need:n",), funders={"org:giz": (100, "EUR")})
    doc["edges"].append({**doc["edges"][-1], "key": "d1", "kind": "disbursement", "amount": 40})
    assert who_funds(graph(doc), "need:n").totals == {"EUR": 100.0}


def test_who_funds_of_an_unknown_id_is_not_found():
    with pytest.raises(NotFoundError, match="need:nope"):
        who_funds(graph(two_donors_one_need()), "need:nope")


def test_who_funds_of_a_project_id_is_refused():
    with pytest.raises(InvalidInputError, match="project:a"):
        who_funds(graph(two_donors_one_need()), "project:a")


def test_co_funders_of_a_donor_lists_its_needs_and_the_other_funders():
    [need] = co_funders(graph(two_donors_one_need()), "org:giz").needs
    assert need.need.id == "need:radars"
    assert [(x.actor.id, x.project.id) for x in need.own] == [("org:giz", "project:a")]
    assert [(x.actor.id, x.amounts) for x in need.others] == [("country:at", {"USD": 250_000.0})]


def test_co_funders_of_a_donor_alone_on_its_need_lists_nobody_else():
    doc = add_need(base(), "need:n")
    add_project(doc, "project:a", needs=("need:n",), funders={"org:giz": ()})
    [need] = co_funders(graph(doc), "org:giz").needs
    assert need.others == []


def test_cofunding_weights_donor_pairs_by_shared_needs_and_amounts():
    doc = base()
    for need in ("need:1", "need:2"):
        add_need(doc, need)
        add_project(doc, f"project:{need[-1]}-giz", needs=(need,), funders={"org:giz": (10, "EUR")})
        add_project(doc, f"project:{need[-1]}-eu", needs=(need,), funders={"org:eu": (5, "USD")})
    add_need(doc, "need:3")
    add_project(doc, "project:3-osce", needs=("need:3",), funders={"org:osce": (1, "EUR")})
    add_project(doc, "project:3-giz", needs=("need:3",), funders={"org:giz": (1, "EUR")})
    pairs = cofunding(graph(doc))
    assert [([d.id for d in p.donors], p.weight) for p in pairs] == [
        (["org:eu", "org:giz"], 2),
        (["org:giz", "org:osce"], 1),
    ]
    assert pairs[0].amounts == {"EUR": 20.0, "USD": 10.0}
    assert pairs[0].amounts_by_donor == {"org:eu": {"USD": 10.0}, "org:giz": {"EUR": 20.0}}


def test_cancelled_projects_make_nobody_a_co_funder():
    doc = two_donors_one_need()
    next(n for n in doc["nodes"] if n["id"] == "project:b")["status"] = "cancelled"
    assert cofunding(graph(doc)) == []


def test_a_co_funder_of_the_donors_own_project_is_marked_same_project():
    doc = add_need(base(), "need:n")
    add_project(doc, "project:a", needs=("need:n",), funders={"org:giz": (1, "EUR"), "org:eu": (2, "EUR")})
    add_project(doc, "project:b", needs=("need:n",), funders={"org:osce": (3, "USD")})
    [need] = co_funders(graph(doc), "org:giz").needs
    assert [(x.actor.id, x.relation, x.amounts) for x in need.others] == [
        ("org:eu", "same_project", {"EUR": 2.0}),
        ("org:osce", "same_need", {"USD": 3.0}),
    ]
