"""The SQLite store's per-node reads use their indexes, with or without ``ANALYZE`` statistics."""

from __future__ import annotations

from kb.records import parse_batch
from kb.store.sqlite import SQLiteStore, reached_sql

REACH_STEPS = 4


def plan(store: SQLiteStore, sql: str, params: list) -> list[str]:
    return [row[3] for row in store._conn.execute("EXPLAIN QUERY PLAN " + sql, params)]


def test_edges_reached_search_the_edge_indexes_and_scan_no_edges(tmp_path, small_graph):
    store = SQLiteStore(tmp_path / "kb.sqlite")
    store.upsert(parse_batch(small_graph))
    params = ["ADDRESSES", "FUNDS"] * REACH_STEPS + ["need:rs-border-surveillance"] * 3
    lines = plan(store, reached_sql(REACH_STEPS), params)
    edge_reads = [line for line in lines if " e " in f" {line} "]
    assert len(edge_reads) == 5
    assert all(line.startswith("SEARCH e USING INDEX edges_by_") for line in edge_reads)
