"""What a map's header says about the selection: the filters in words and the date of the data.

Shared by every caller that loads a graph from a store and draws it (``kb map``, the API's
``/maps``), so a map says the same whichever way it was made.
"""

from __future__ import annotations

from kb.store.port import GraphStore, SubgraphFilter
from visual.describe import label


def filter_words(store: GraphStore, filters: SubgraphFilter) -> list[str]:
    """The filters as the page shows them: codes, acronyms or names, never ids."""
    words = []
    for key, word in (("pillar", "Pillar"), ("country", "Country"), ("donor", "Donor")):
        value = getattr(filters, key)
        if value:
            words.append(f"{word}: {label(store.get(value))}")
    for key, word in (("date_from", "From"), ("date_to", "To"), ("cycle", "Cycle")):
        if getattr(filters, key):
            words.append(f"{word}: {getattr(filters, key)}")
    return words


def data_date(store: GraphStore) -> str | None:
    """When the data last changed (the store's latest write), to the minute; ``None`` if never written."""
    latest = store.write_log(limit=1)
    return latest[0].at[:16].replace("T", " ") if latest else None
