"""The analyses give the same answers on every store: graphs loaded through the port.

Runs once per adapter of the contract suite (SQLite always, Neo4j when configured), and
checks the filters pushed down to the store, including those that remove one side of an overlap.
"""

from __future__ import annotations

import datetime as dt
import json

from kb.analysis.coverage import coverage
from kb.analysis.funding import co_funders, cofunding, who_funds
from kb.analysis.gaps import gaps
from kb.analysis.links import in_edges, out_edges
from kb.analysis.models import Span
from kb.analysis.network import actor_paths, brokers
from kb.analysis.overlaps import overlaps
from kb.records import parse_batch
from kb.selection import SubgraphFilter
from tests.analysis.scenarios import add_need, add_project, context_pair, graph, two_donors_one_need


def load(store, doc):
    store.upsert(parse_batch(doc))
    return doc


def dump(results):
    return [r.model_dump() for r in results]


def test_analyses_of_the_stored_graph_equal_those_of_the_same_graph_in_memory(store):
    doc = load(store, add_need(two_donors_one_need(), "need:open", country="country:xk", priority="high"))
    G, expected = store.subgraph(), graph(doc)
    assert dump(overlaps(G)) == dump(overlaps(expected))
    assert dump(gaps(G)) == dump(gaps(expected))
    assert who_funds(G, "need:radars") == who_funds(expected, "need:radars")
    assert co_funders(G, "org:giz") == co_funders(expected, "org:giz")
    assert dump(cofunding(G)) == dump(cofunding(expected))
    assert coverage(G) == coverage(expected)
    assert dump(brokers(G)) == dump(brokers(expected))
    assert dump(actor_paths(G, "org:giz", "org:unodc")) == dump(actor_paths(expected, "org:giz", "org:unodc"))


def test_overlap_is_found_through_the_store(store):
    load(store, two_donors_one_need())
    [o] = overlaps(store.subgraph())
    assert [p.id for p in o.projects] == ["project:a", "project:b"]
    assert o.amounts == {"EUR": 1_000_000.0, "USD": 250_000.0}


def test_period_filter_that_drops_one_side_removes_the_overlap(store):
    load(store, two_donors_one_need())
    low, high = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    G = store.subgraph(SubgraphFilter(date_from=low, date_to=high))
    assert "project:a" not in G and "project:b" in G
    assert overlaps(G, window=Span(start=low, end=high)) == []


def test_period_filter_keeping_both_sides_clips_the_overlap(store):
    load(store, two_donors_one_need())
    low, high = dt.date(2024, 1, 1), dt.date(2024, 8, 31)
    [o] = overlaps(
        store.subgraph(SubgraphFilter(date_from=low, date_to=high)), window=Span(start=low, end=high)
    )
    assert o.period == Span(start=dt.date(2024, 6, 1), end=high)


def test_pillar_filter_that_drops_one_side_removes_a_context_overlap(store):
    doc = context_pair()
    next(e for e in doc["edges"] if e["source"] == "project:c2" and e["type"] == "IN_PILLAR")["target"] = (
        "pillar:wbcsci"
    )
    load(store, doc)
    assert overlaps(store.subgraph(SubgraphFilter(pillar="pillar:wbbsi"))) == []


def test_donor_filter_keeps_the_other_donors_side_of_the_overlap(store):
    load(store, two_donors_one_need())
    [o] = overlaps(store.subgraph(SubgraphFilter(donor="org:giz")))
    assert [d.id for d in o.donors] == ["country:at", "org:giz"]


def test_country_filter_keeps_that_partners_overlaps_only(store):
    load(store, add_need(two_donors_one_need(), "need:xk", country="country:xk"))
    assert len(overlaps(store.subgraph(SubgraphFilter(country="country:rs")))) == 1
    assert overlaps(store.subgraph(SubgraphFilter(country="country:xk"))) == []


def test_cycle_filter_keeps_the_projects_answering_the_cycles_needs(store):
    doc = add_need(two_donors_one_need(), "need:later", cycle="needs-mapping-2", country="country:xk")
    next(n for n in doc["nodes"] if n["id"] == "need:radars")["cycle"] = "needs-mapping-1"
    load(store, doc)
    G = store.subgraph(SubgraphFilter(cycle="needs-mapping-1"))
    assert {"need:radars", "project:a", "project:b"} <= set(G) and "need:later" not in G
    assert len(overlaps(G)) == 1
    assert [g.kind for g in gaps(store.subgraph(SubgraphFilter(cycle="needs-mapping-2")))] == [
        "empty_cell",
        "unaddressed",
    ]


def test_cycle_filter_on_a_response_cycle_keeps_the_needs_its_projects_answer(store):
    doc = two_donors_one_need()
    next(n for n in doc["nodes"] if n["id"] == "project:a")["cycle"] = "response-mapping-2023"
    load(store, doc)
    G = store.subgraph(SubgraphFilter(cycle="response-mapping-2023"))
    assert {"project:a", "need:radars", "org:giz"} <= set(G) and "project:b" not in G


def test_gap_of_a_cancelled_only_need_is_found_through_the_store(store):
    doc = add_need(two_donors_one_need(), "need:cancelled", country="country:xk")
    add_project(
        doc, "project:c", needs=("need:cancelled",), funders={"org:eu": (1, "EUR")}, status="cancelled"
    )
    load(store, doc)
    unaddressed = [g for g in gaps(store.subgraph()) if g.kind == "unaddressed"]
    assert [(g.need.id, g.reason) for g in unaddressed] == [("need:cancelled", "project:c is cancelled")]


def test_empty_selection_gives_empty_results(store):
    load(store, two_donors_one_need())
    G = store.subgraph(SubgraphFilter(country="country:nowhere"))
    assert overlaps(G) == [] and gaps(G) == [] and cofunding(G) == [] and brokers(G) == []


def test_projects_whose_need_a_filter_left_out_are_not_taken_for_unlinked_ones(store):
    doc = add_need(context_pair(), "need:old", start="2020-01-01", end="2020-12-31")
    doc["edges"] += [
        {"type": "ADDRESSES", "source": p, "target": "need:old", "sources": ["tests"]}
        for p in ("project:c1", "project:c2")
    ]
    load(store, doc)
    G = store.subgraph(SubgraphFilter(date_from=dt.date(2024, 1, 1), date_to=dt.date(2024, 12, 31)))
    assert "need:old" not in G and {"project:c1", "project:c2"} <= set(G)
    assert overlaps(G, window=Span(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))) == []


def test_the_edges_by_type_of_a_stored_graph_are_those_a_walk_of_it_finds(store):
    doc = load(
        store, add_project(two_donors_one_need(), "project:z", needs=("need:radars",), funders={"org:eu": ()})
    )
    G, walked = store.subgraph(), graph(doc)
    as_text = lambda edges: sorted(json.dumps(e, sort_keys=True, default=str) for e in edges)
    for node in walked:
        for kind in {d["type"] for *_, d in walked.edges(data=True)}:
            assert as_text(out_edges(G, node, kind)) == as_text(out_edges(walked, node, kind))
            assert as_text(in_edges(G, node, kind)) == as_text(in_edges(walked, node, kind))
