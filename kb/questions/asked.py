"""What a user asks about: the filters as typed (``WBBSi``, ``RS``, ``2024-01-01``) and the part of
the graph they select, resolved once for every face.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import networkx as nx

from graph_schema import short_label
from kb.analysis.models import Span
from kb.filters import resolve_filters, window_of
from kb.presentation import display
from kb.selection import SubgraphFilter
from kb.store.port import GraphStore


@dataclass(frozen=True)
class Asked:
    """Filters as a user typed them: codes, names or ids, dates as text or dates. Empty: everything."""

    pillar: str | None = None
    country: str | None = None
    donor: str | None = None
    date_from: str | dt.date | None = None
    date_to: str | dt.date | None = None
    cycle: str | None = None

    def resolve(self, store: GraphStore) -> SubgraphFilter:
        """The :class:`SubgraphFilter` these words mean; an unknown code or a bad date is refused."""

        def text(value: str | dt.date | None) -> str | None:
            return value.isoformat() if isinstance(value, dt.date) else value

        return resolve_filters(
            store, self.pillar, self.country, self.donor, text(self.date_from), text(self.date_to), self.cycle
        )


@dataclass(frozen=True)
class Selection:
    """The resolved filters, the graph they select, and how a header names them."""

    filters: SubgraphFilter
    graph: nx.MultiDiGraph = field(repr=False)
    words: list[str]

    @property
    def window(self) -> Span | None:
        return window_of(self.filters)

    @property
    def empty(self) -> bool:
        return self.graph.number_of_nodes() == 0


#: What a question can be asked about: words as typed, resolved filters, or a selection already made
#: (so one page asking several questions loads its graph once).
Within = Asked | SubgraphFilter | Selection | None


def resolved(store: GraphStore, asked: Within = None) -> SubgraphFilter:
    """The filters ``asked`` means, without selecting anything yet."""
    if isinstance(asked, Selection):
        return asked.filters
    return asked if isinstance(asked, SubgraphFilter) else (asked or Asked()).resolve(store)


def select(store: GraphStore, asked: Within = None, *, leave_out: frozenset[str] = frozenset()) -> Selection:
    """The part of the store ``asked`` selects (everything when nothing is asked); a graph read
    here lacks the node properties named in ``leave_out`` (a given selection is used as it is)."""
    if isinstance(asked, Selection):
        return asked
    filters = resolved(store, asked)
    graph = store.subgraph(filters, leave_out=leave_out)
    return Selection(filters=filters, graph=graph, words=filter_words(store, filters))


def filter_words(store: GraphStore, filters: SubgraphFilter) -> list[str]:
    """The filters as a header, a page or a workbook states them: codes, acronyms and names, never
    ids; a pillar by its code and name, a Western Balkans partner as the partner it is."""
    words = []
    for key, word in (("pillar", "Pillar"), ("country", "Country"), ("donor", "Donor")):
        value = getattr(filters, key)
        if value:
            node = store.get(value)
            label = display(short_label(node) or node["name"])
            if key == "pillar" and label != node["name"]:
                label += f" ({display(node['name'])})"
            words.append(f"{'Partner' if node.get('wb_partner') else word}: {label}")
    for key, word in (("date_from", "From"), ("date_to", "To"), ("cycle", "Cycle")):
        if getattr(filters, key):
            words.append(f"{word}: {getattr(filters, key)}")
    return words


def filters_text(store: GraphStore, filters: SubgraphFilter) -> str:
    """The filters in one line of words, as a workbook's or a CSV's Filters cell states them.

    >>> filters_text(None, SubgraphFilter(date_from="2024-01-01", cycle="needs-mapping-1"))
    'From: 2024-01-01 · Cycle: needs-mapping-1'
    >>> filters_text(None, SubgraphFilter())
    'none (everything)'
    """
    return " · ".join(filter_words(store, filters)) or "none (everything)"


def data_date(store: GraphStore) -> str | None:
    """When the data last changed (the store's latest write), to the minute; ``None`` if never written."""
    latest = store.write_log(limit=1)
    return latest[0].at[:16].replace("T", " ") if latest else None
