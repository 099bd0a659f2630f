"""``kb copy``'s work: a whole knowledge base from one store into another, batch by batch, through the port."""

from __future__ import annotations

from collections.abc import Callable

from kb.records import parse_batch
from kb.store.port import GraphStore
from kb.store.writes import WriteSummary

#: Called as ``progress(kind, copied, total)`` before the first batch of ``kind`` ("nodes", then
#: "edges") with ``copied`` 0, then after each batch with the records of that kind copied so far.
CopyProgress = Callable[[str, int, int], None]


def total(summaries: list[WriteSummary]) -> WriteSummary:
    """The counts of ``summaries`` added up.

    >>> summed = total([WriteSummary(nodes_created=2), WriteSummary(nodes_created=1, edges_unchanged=3)])
    >>> summed.nodes_created, summed.nodes_updated, summed.edges_unchanged
    (3, 0, 3)
    """
    return WriteSummary(
        **{name: sum(getattr(s, name) for s in summaries) for name in WriteSummary.model_fields}
    )


def copy_store(
    source: GraphStore, target: GraphStore, *, batch_size: int = 1000, progress: CopyProgress | None = None
) -> WriteSummary:
    """Upsert every node, then every edge, of ``source`` into ``target``, ``batch_size`` at a time.

    Records are validated again on the way (the source may be older than this kb). Each batch
    is one all-or-nothing upsert; nothing is deleted from ``target``, so a copy cut short is
    finished by copying again (batches already there count as unchanged).
    """
    counts = source.counts()
    written: list[WriteSummary] = []
    action = f"copy from {source.location}"
    for kind in ("nodes", "edges"):
        expected, copied = sum(counts[kind].values()), 0
        if progress:
            progress(kind, copied, expected)
        chunks = source.iter_nodes(batch_size) if kind == "nodes" else source.iter_edges(batch_size)
        for chunk in chunks:
            batch = parse_batch({kind: chunk}, origin=source.location)
            written.append(target.upsert(batch, actor="cli", action=action))
            copied += len(chunk)
            if progress:
                progress(kind, copied, expected)
    return total(written)
