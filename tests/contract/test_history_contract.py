"""The history every store keeps: each write's records before and after, states of the past, revert.

Runs against SQLite always, Neo4j on the session's server, like the rest of the contract suite.
"""

from __future__ import annotations

import copy

import pytest

from kb.errors import ConflictError, NotFoundError
from kb.questions.analyses import overlaps
from kb.records import edge_identity, parse_batch
from kb.store.history import as_of, as_store, state_after
from tests.conftest import edge, node

NEED = "need:rs-border-surveillance"
GIZ_FUNDS_A = ("FUNDS", "org:giz", "project:a", "")


def load(store, doc, **kw):
    return store.upsert(parse_batch(doc), **kw)


def snapshot(store):
    nodes = sorted((n for chunk in store.iter_nodes() for n in chunk), key=lambda n: n["id"])
    edges = sorted((e for chunk in store.iter_edges() for e in chunk), key=edge_identity)
    return nodes, edges


def latest(store) -> int:
    return store.write_log(1)[0].batch


def with_amount(doc, amount):
    changed = copy.deepcopy(doc)
    for e in changed["edges"]:
        if (e["type"], e["source"], e["target"]) == GIZ_FUNDS_A[:3]:
            e["amount"] = amount
    return changed


def test_a_created_node_has_no_before_and_its_record_after(store, small_graph):
    load(store, small_graph, actor="alice", action="first mapping")
    [change] = [c for c in store.history("country:rs") if c.kind == "node"]
    assert change.before is None and change.after == store.get("country:rs")
    assert (change.actor, change.action, change.change) == ("alice", "first mapping", "created")
    assert change.batch == latest(store) and change.at == store.write_log(1)[0].at


def test_every_write_log_entry_carries_its_batch_number(store, small_graph):
    load(store, small_graph)
    load(store, with_amount(small_graph, 2))
    first, second = reversed(store.write_log())
    assert second.batch > first.batch
    assert store.batch(second.batch) == second


def test_an_updated_edge_keeps_the_amount_before_and_after(store, small_graph):
    load(store, small_graph)
    load(store, with_amount(small_graph, 1_200_000))
    [change] = [c for c in store.history("org:giz") if c.change == "updated"]
    assert change.record == "FUNDS org:giz -> project:a"
    assert (change.before["amount"], change.after["amount"]) == (1_000_000, 1_200_000)
    assert (change.source, change.target) == ("org:giz", "project:a")


def test_a_write_that_changes_nothing_adds_no_history(store, small_graph):
    load(store, small_graph)
    before = store.changes()
    load(store, small_graph)
    assert store.changes() == before


def test_a_delete_records_the_node_and_each_of_its_edges(store, small_graph):
    load(store, small_graph)
    edges = store.edges_of("project:b")
    store.delete("project:b", actor="bob")
    deleted = store.changes(after=latest(store) - 1)
    assert {c.record for c in deleted} == {"project:b"} | {
        f"{e['type']} {e['source']} -> {e['target']}" for e in edges
    }
    assert all(c.after is None and c.actor == "bob" for c in deleted)


def test_a_retracted_edge_is_recorded_as_deleted(store, small_graph):
    load(store, small_graph)
    batch = parse_batch({"nodes": [], "edges": []})
    batch.retract = [GIZ_FUNDS_A]
    store.upsert(batch)
    [change] = store.changes(after=latest(store) - 1)
    assert change.record == "FUNDS org:giz -> project:a" and change.after is None
    assert change.before["amount"] == 1_000_000


def test_changes_are_given_per_batch_range_in_order(store, small_graph):
    load(store, small_graph)
    first = latest(store)
    load(store, with_amount(small_graph, 3))
    later = store.changes(after=first)
    assert [c.batch for c in later] == [latest(store)]
    assert store.changes(after=0, upto=first) == [c for c in store.changes() if c.batch == first]
    assert [(c.batch, c.n) for c in store.changes()] == sorted((c.batch, c.n) for c in store.changes())


def test_the_history_of_an_unknown_id_is_empty(store, small_graph):
    load(store, small_graph)
    assert store.history("org:nobody") == []


def test_last_batch_is_the_latest_written_at_or_before_a_time(store, small_graph):
    assert store.last_batch() == 0
    load(store, small_graph)
    assert store.last_batch(until="2000-01-01T00:00:00+00:00") == 0
    assert store.last_batch(until="9999-12-31T23:59:59+00:00") == latest(store) == store.last_batch()


def test_the_state_after_a_batch_is_the_graph_as_it_was_then(store, small_graph):
    load(store, small_graph)
    first, then = latest(store), snapshot(store)
    load(store, with_amount(small_graph, 5))
    store.delete("project:b")
    nodes, edges = state_after(store, first)
    assert (sorted(nodes.values(), key=lambda n: n["id"]), sorted(edges.values(), key=edge_identity)) == then
    assert state_after(store, 0) == ({}, {})


def test_analyses_of_a_past_state_reproduce_that_states_answers(store, small_graph):
    load(store, small_graph)
    first, then = latest(store), overlaps(store).model_dump()
    store.delete("project:b")
    assert overlaps(store).overlaps == []
    with as_store(*state_after(store, first)) as past:
        assert past.induced_all().number_of_nodes() == len(small_graph["nodes"])
        assert overlaps(past).model_dump() == then


def test_as_of_a_date_before_every_write_is_an_empty_graph(store, small_graph):
    load(store, small_graph)
    with as_of(store, "2000-01-01") as past:
        assert past.counts()["nodes"]["Need"] == 0
    with as_of(store, "9999-12-31") as now:
        assert snapshot(now) == snapshot(store)


def test_revert_restores_every_record_and_is_itself_a_batch(store, small_graph):
    load(store, small_graph)
    then = snapshot(store)
    changed = with_amount(small_graph, 9)
    changed["nodes"][0]["name"] = "Republic of Serbia"
    changed["nodes"].append(node("Organisation", "org:new", "New donor"))
    changed["edges"].append(
        edge("FUNDS", "org:new", "project:b", amount=5, currency="EUR", kind="commitment")
    )
    load(store, changed)
    wrong = latest(store)
    done = store.revert(wrong, actor="carol")
    assert snapshot(store) == then
    assert (done.reverted, done.batch) == (wrong, latest(store))
    assert (done.nodes_updated, done.nodes_deleted, done.edges_updated, done.edges_deleted) == (1, 1, 1, 1)
    assert store.write_log(1)[0].action == f"revert batch {wrong}" and store.write_log(1)[0].actor == "carol"
    assert {c.record for c in store.changes(after=wrong)} >= {"org:new", "country:rs"}


def test_revert_of_a_delete_brings_back_the_node_and_its_edges(store, small_graph):
    load(store, small_graph)
    then = snapshot(store)
    store.delete("project:b")
    store.revert(latest(store))
    assert snapshot(store) == then


def test_revert_is_refused_naming_the_later_batch_and_record_and_changes_nothing(store, small_graph):
    load(store, small_graph)
    load(store, with_amount(small_graph, 7))
    first_change = latest(store)
    load(store, with_amount(small_graph, 8))
    second_change, before = latest(store), snapshot(store)
    with pytest.raises(ConflictError) as refused:
        store.revert(first_change)
    assert f"batch {second_change}" in str(refused.value)
    assert "FUNDS org:giz -> project:a" in str(refused.value) and "--force" in str(refused.value)
    assert snapshot(store) == before and latest(store) == second_change


def test_a_forced_revert_restores_the_before_state_anyway(store, small_graph):
    load(store, small_graph)
    load(store, with_amount(small_graph, 7))
    first_change = latest(store)
    load(store, with_amount(small_graph, 8))
    store.revert(first_change, force=True)
    [funds] = [e for e in store.edges_of("project:a") if edge_identity(e) == GIZ_FUNDS_A]
    assert funds["amount"] == 1_000_000


def test_reverting_an_unknown_batch_is_not_found(store, small_graph):
    load(store, small_graph)
    with pytest.raises(NotFoundError):
        store.revert(10_000)


def test_reverting_twice_does_nothing_the_second_time(store, small_graph):
    load(store, small_graph)
    load(store, with_amount(small_graph, 7))
    wrong = latest(store)
    store.revert(wrong)
    reverted = latest(store)
    again = store.revert(wrong, force=True)
    assert again.batch is None and latest(store) == reverted
