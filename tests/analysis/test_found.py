"""Results found as plain data and built when read; the typed edge index of a graph read whole."""

from __future__ import annotations

import gc
import itertools
import json

import pytest

from graph_schema import STATUSES
from kb.analysis.found import Found
from kb.analysis.gaps import gaps
from kb.analysis.links import in_edges, out_edges
from kb.analysis.overlaps import overlaps
from kb.analysis.periods import active_days, active_span, days
from kb.graph import paused_gc
from kb.records import parse_batch
from kb.store.sqlite import SQLiteStore
from tests.analysis.scenarios import (
    add_need,
    add_project,
    context_pair,
    crowded_context,
    graph,
    two_donors_one_need,
)


def _counting() -> tuple[list[str], Found[str]]:
    built: list[str] = []

    def build(plain: tuple) -> str:
        built.append(plain[2])
        return plain[2].upper()

    return built, Found([(i, "kind", name) for i, name in enumerate("abcd")], build)


def test_found_builds_a_result_only_when_it_is_read():
    built, found = _counting()
    assert len(found) == 4 and built == []
    assert found[1:3] == ["B", "C"]
    assert built == ["b", "c"]


def test_found_builds_each_result_once():
    built, found = _counting()
    assert list(found) == ["A", "B", "C", "D"]
    assert list(found) == ["A", "B", "C", "D"] and found[0] == "A"
    assert built == ["a", "b", "c", "d"]


def test_found_keeps_only_the_kinds_asked_for_unbuilt():
    built = []
    found = Found([(0, "x", "a"), (1, "y", "b"), (2, "x", "c")], lambda p: built.append(p) or p[2])
    assert list(found.of_kinds({"x"})) == ["a", "c"] and len(built) == 2


def test_found_index_out_of_range_is_an_index_error():
    with pytest.raises(IndexError):
        _counting()[1][4]


def _many_overlaps() -> dict:
    doc = two_donors_one_need()
    for i in range(3):
        add_need(doc, f"need:extra{i}", name="Extra")
        for donor in ("org:eu", "org:osce"):
            add_project(
                doc,
                f"project:{i}-{donor[4:]}",
                needs=(f"need:extra{i}",),
                funders={donor: ()},
                start="2024-01-01",
            )
    return doc


def _stored(doc: dict, tmp_path) -> SQLiteStore:
    store = SQLiteStore(tmp_path / "kb.sqlite")
    store.upsert(parse_batch(doc), actor="test", action="test")
    return store


@pytest.mark.parametrize(
    "doc",
    [two_donors_one_need(), context_pair(), crowded_context(25), _many_overlaps()],
    ids=["need", "context", "crowded", "many"],
)
def test_a_graph_read_whole_from_a_store_has_the_results_of_the_same_records_in_memory(doc, tmp_path):
    with _stored(doc, tmp_path) as store:
        whole = store.subgraph()
    in_memory = graph(doc)
    assert [o.model_dump() for o in overlaps(whole)] == [o.model_dump() for o in overlaps(in_memory)]
    assert [g.model_dump() for g in gaps(whole)] == [g.model_dump() for g in gaps(in_memory)]


def _text(record: dict) -> str:
    return json.dumps(record, sort_keys=True)


def test_the_typed_index_of_a_graph_read_whole_gives_the_edges_a_walk_gives(tmp_path):
    doc = _many_overlaps()
    with _stored(doc, tmp_path) as store:
        whole = store.subgraph()
    walked = graph(doc)
    kinds = {d["type"] for *_, d in walked.edges(data=True)}
    for node, kind in itertools.product(walked.nodes, kinds):
        for read in (out_edges, in_edges):
            assert sorted(map(_text, read(whole, node, kind))) == sorted(map(_text, read(walked, node, kind)))


def test_overlaps_of_a_page_are_the_first_of_all_overlaps():
    found = overlaps(graph(_many_overlaps()))
    assert len(found) == 4
    assert found[1:3] == list(found)[1:3]


def test_what_a_bulk_build_makes_lands_in_the_oldest_generation():
    if gc.get_freeze_count():
        pytest.skip("objects are frozen in this process")
    with paused_gc():
        built = [{"n": [i]} for i in range(10)]
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert all(id(record) in oldest for record in built)


@pytest.mark.parametrize("status", sorted(STATUSES))
@pytest.mark.parametrize(
    "dates",
    [{}, {"start": "2024-01-01"}, {"end": "2024-06-30"}, {"start": "2024-01-01", "end": "2024-06-30"}],
)
def test_active_days_are_the_day_numbers_of_the_active_span(status, dates):
    project = {"status": status, **dates}
    assert active_days(project) == days(active_span(project))
