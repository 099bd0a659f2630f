"""The whole graph read columnar (``GraphStore.graph_columns`` + ``kb.graph.from_columns``) is the
graph :func:`kb.graph.to_networkx` makes of the same records, down to the order of its dicts."""

from __future__ import annotations

import gc
import sqlite3

import networkx as nx
import pytest

from kb.errors import StoreError
from kb.graph import GraphColumns, from_columns, paused_gc, to_networkx
from kb.seeding import load_seeds
from kb.store.sqlite import SQLiteStore


def _records(store):
    nodes = [n for chunk in store.iter_nodes() for n in chunk]
    edges = [e for chunk in store.iter_edges() for e in chunk]
    return nodes, edges


def _same(g: nx.MultiDiGraph, h: nx.MultiDiGraph) -> None:
    assert list(g.nodes(data=True)) == list(h.nodes(data=True))
    assert list(g.edges(keys=True, data=True)) == list(h.edges(keys=True, data=True))
    for n in h:
        assert list(g._succ[n]) == list(h._succ[n])
        assert list(g._pred[n]) == list(h._pred[n])
    assert g.graph == h.graph


def test_the_demo_set_loads_into_the_graph_to_networkx_makes(tmp_path):
    with SQLiteStore(tmp_path / "kb.sqlite") as store:
        store.upsert(load_seeds(demo=True))
        _same(store.subgraph(), to_networkx(*_records(store)))


def test_an_edge_whose_end_is_missing_is_left_out_as_to_networkx_leaves_it():
    nodes = [{"id": "a", "type": "Project"}]
    edges = [{"type": "ADDRESSES", "source": "a", "target": "b", "key": ""}]
    _same(from_columns(GraphColumns.of(nodes, edges)), to_networkx(nodes, edges))
    assert from_columns(GraphColumns.of(nodes, edges)).number_of_edges() == 0


def test_an_edge_added_later_shares_its_adjacency_dict_both_ways():
    nodes = [{"id": "a", "type": "Organisation"}, {"id": "p", "type": "Project"}]
    edges = [
        {"type": "FUNDS", "source": "a", "target": "p", "key": ""},
        {"type": "FUNDS", "source": "a", "target": "p", "key": "co"},
    ]
    g = from_columns(GraphColumns.of(nodes, edges))
    g.add_edge("a", "p", key="x", type="FUNDS")
    assert set(g.pred["p"]["a"]) == {"FUNDS:", "FUNDS:co", "x"}


def test_paused_gc_restores_the_collector_as_it_was():
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_pause_leaves_objects_frozen_by_someone_else_frozen():
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with paused_gc():
            _ = [[] for _ in range(3)]
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def test_an_edge_read_whole_holds_its_ends_as_the_very_id_strings_of_its_nodes(tmp_path):
    with SQLiteStore(tmp_path / "kb.sqlite") as store:
        store.upsert(load_seeds(demo=True))
        g = store.subgraph()
    assert g.number_of_edges()
    for u, v, attrs in g.edges(data=True):
        assert attrs["source"] is g.nodes[u]["id"]
        assert attrs["target"] is g.nodes[v]["id"]


def test_a_stored_record_that_is_not_json_is_one_store_error(tmp_path):
    with SQLiteStore(tmp_path / "kb.sqlite") as store:
        store.upsert(load_seeds(demo=True))
    with sqlite3.connect(tmp_path / "kb.sqlite") as conn:
        conn.execute("UPDATE nodes SET record = '{broken' WHERE id = (SELECT min(id) FROM nodes)")
    with SQLiteStore(tmp_path / "kb.sqlite") as store, pytest.raises(StoreError, match="not JSON"):
        store.subgraph()


def test_the_facts_of_a_graph_read_whole_are_shared_by_every_analysis(tmp_path):
    from kb.analysis.links import Facts

    with SQLiteStore(tmp_path / "kb.sqlite") as store:
        store.upsert(load_seeds(demo=True))
        g = store.subgraph()
    assert Facts.of(g) is Facts.of(g)


def test_a_graph_built_by_hand_gets_fresh_facts_each_time():
    from kb.analysis.links import Facts

    g = to_networkx([{"id": "project:a", "type": "Project"}], [])
    assert Facts.of(g) is not Facts.of(g)
