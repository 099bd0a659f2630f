"""The analyses: overlaps, gaps, coverage, co-funding, brokers, on a networkx graph of the store."""

#: Node properties no analysis reads (long texts and references shown on a node's own page), left
#: out of the graph the analysis questions read (``GraphStore.subgraph(..., leave_out=...)``) so
#: it takes less time and memory. A test fails when an analysis starts naming one of them.
UNREAD_NODE_PROPERTIES = frozenset(
    {
        "aliases",
        "dates_planned",
        "decision_making",
        "demo",
        "description",
        "end_date",
        "iati_identifier",
        "iati_ref",
        "objective",
        "position",
        "summary",
        "task",
    }
)
