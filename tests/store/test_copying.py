"""``kb copy``'s core: every record of one store into another, batch by batch, with progress."""

from __future__ import annotations

from kb.records import parse_batch
from kb.store.copying import copy_store
from kb.store.sqlite import SQLiteStore


def test_copy_reports_progress_per_kind_and_sums_the_batches(tmp_path, small_graph):
    nodes, edges = len(small_graph["nodes"]), len(small_graph["edges"])
    calls: list[tuple[str, int, int]] = []
    with SQLiteStore(tmp_path / "from.sqlite") as source, SQLiteStore(tmp_path / "to.sqlite") as target:
        source.upsert(parse_batch(small_graph))
        written = copy_store(source, target, batch_size=4, progress=lambda *call: calls.append(call))
        assert target.counts() == source.counts()
        assert target.write_log(1)[0].action == f"copy from {source.location}"
    assert (written.nodes_created, written.edges_created) == (nodes, edges)
    for kind, total in (("nodes", nodes), ("edges", edges)):
        steps = [(copied, of) for k, copied, of in calls if k == kind]
        assert steps == [(copied, total) for copied in [*range(0, total, 4), total]], kind
    assert [c[0] for c in calls] == sorted((c[0] for c in calls), reverse=True)  # nodes, then edges
