"""What each map view shows, gathered once for ``kb map …`` and ``/maps/…``: the graph the view
draws, the analyses' findings on it, its title and the header's filters and data date.

:mod:`visual.views` draws a :class:`MapData` and never opens a store; the findings are the
same results ``kb overlaps``, ``kb gaps``, ``kb who-funds`` and ``kb co-funders`` give.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from kb.analysis.funding import co_funders as co_funders_of
from kb.analysis.funding import cofunding as cofunding_pairs
from kb.analysis.gaps import gaps as find_gaps
from kb.analysis.models import CoFunders, CofundingPair, Coverage, Gap, Overlap, Span, WhoFunds
from kb.analysis.money import Rates
from kb.analysis.overlaps import overlaps as find_overlaps
from kb.errors import InvalidInputError
from kb.filters import resolve_actor, resolve_need
from kb.presentation import display
from kb.questions import analyses as ask
from kb.questions.asked import Asked, Selection, Within, data_date, select
from kb.questions.walks import need_graph
from kb.selection import SubgraphFilter
from kb.store.port import GraphStore

#: The views ``kb map`` and ``/maps`` offer.
VIEWS = ("overview", "pillar", "partner", "donor", "need", "overlaps", "gaps", "cofunding")


@dataclass(frozen=True)
class Findings:
    """The overlaps and gaps a map marks."""

    overlaps: list[Overlap] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)


def findings(G: nx.MultiDiGraph, window: Span | None = None) -> Findings:
    """The overlaps and gaps of a graph in hand (what the map views mark)."""
    return Findings(overlaps=find_overlaps(G, window=window), gaps=find_gaps(G, window=window))


@dataclass(frozen=True)
class MapData:
    """Everything one map view draws."""

    view: str
    graph: nx.MultiDiGraph = field(repr=False)
    found: Findings
    words: list[str] = field(default_factory=list)
    data_date: str | None = None
    title: str | None = None
    focus: tuple[str, ...] = ()
    #: The donor of a donor view, the need of a need view.
    subject: str | None = None
    who_funds: WhoFunds | None = None
    co_funders: CoFunders | None = None
    pairs: list[CofundingPair] = field(default_factory=list)
    #: The period and cycle the filters asked for (where the map's timeline starts).
    window: Span | None = None
    cycle: str | None = None
    #: Partner × pillar coverage of the selection (the presenter's last step), for views of the
    #: support mapping.
    coverage: Coverage | None = None
    #: Conversion rates the user stated (``--rates``): the analyses' converted totals, and sizes.
    rates: Rates | None = None


#: Views whose presenter sequence ends with coverage by partner × pillar.
_COVERED = ("overview", "pillar", "partner", "overlaps", "gaps")


def _marked(
    store: GraphStore, view: str, s: Selection, rates: Rates | None = None, **more: object
) -> MapData:
    found = Findings(
        overlaps=ask.overlaps(store, s, rates=rates).overlaps if view != "gaps" else [],
        gaps=ask.gaps(store, s, rates=rates).gaps if view != "overlaps" else [],
    )
    covered = ask.coverage(store, s, rates=rates).coverage if view in _COVERED else None
    return MapData(
        view=view,
        graph=s.graph,
        found=found,
        words=s.words,
        data_date=data_date(store),
        window=s.window,
        cycle=s.filters.cycle,
        coverage=covered,
        rates=rates,
        **more,  # type: ignore[arg-type]
    )


def overview(store: GraphStore, asked: Within = None, *, rates: Rates | None = None) -> MapData:
    """Everything the filters select (everything without filters), overlaps and gaps marked."""
    return _marked(store, "overview", select(store, asked), rates)


def pillar(
    store: GraphStore, code: str, asked: Asked | None = None, *, rates: Rates | None = None
) -> MapData:
    """One pillar's needs, projects and actors, the pillar ringed."""
    s = select(store, _with(asked, pillar=code))
    node = store.get(s.filters.pillar or "")
    title = f"Pillar {node.get('code')}: {display(node['name'])}"
    return _marked(store, "pillar", s, rates, title=title, focus=(node["id"],))


def partner(
    store: GraphStore, code: str, asked: Asked | None = None, *, rates: Rates | None = None
) -> MapData:
    """One partner's needs and the assistance answering them, the partner ringed."""
    s = select(store, _with(asked, country=code))
    node = store.get(s.filters.country or "")
    title = f"{display(node['name'])}: needs and assistance"
    return _marked(store, "partner", s, rates, title=title, focus=(node["id"],))


def donor(
    store: GraphStore, donor_id: str, asked: Asked | None = None, *, rates: Rates | None = None
) -> MapData:
    """A donor's ego network: what it funds, the needs those projects address, who else funds them."""
    actor = resolve_actor(store, donor_id, "funder")
    s = select(store, _with(asked, donor=actor.id))
    if s.graph.number_of_nodes() and actor.id not in s.graph:
        raise InvalidInputError(f"'{actor.id}' funds no project in this selection")
    cofunded = co_funders_of(s.graph, actor.id) if actor.id in s.graph else None
    return _marked(store, "donor", s, rates, subject=actor.id, focus=(actor.id,), co_funders=cofunded)


def need(store: GraphStore, need_id: str, *, rates: Rates | None = None) -> MapData:
    """One need, the projects addressing it, and everyone funding or implementing them."""
    need_id = resolve_need(store, need_id)
    G = need_graph(store, need_id)
    own = Selection(filters=SubgraphFilter(), graph=G, words=[])
    found = Findings(
        overlaps=ask.overlaps(store, own, rates=rates).overlaps, gaps=ask.gaps(store, own, rates=rates).gaps
    )
    return MapData(
        view="need",
        graph=G,
        found=found,
        data_date=data_date(store),
        subject=need_id,
        focus=(need_id,),
        who_funds=ask.who_funds(store, need_id, rates=rates).who_funds,
        rates=rates,
    )


def overlaps(store: GraphStore, asked: Within = None, *, rates: Rates | None = None) -> MapData:
    """The support mapping with overlap clusters marked and the rest faded."""
    return _marked(store, "overlaps", select(store, asked), rates)


def gaps(store: GraphStore, asked: Within = None, *, rates: Rates | None = None) -> MapData:
    """The support mapping with needs nobody answers flagged."""
    return _marked(store, "gaps", select(store, asked), rates)


def cofunding(store: GraphStore, asked: Within = None, *, rates: Rates | None = None) -> MapData:
    """The donor–donor network: who funds the same needs as whom."""
    s = select(store, asked)
    return MapData(
        view="cofunding",
        graph=s.graph,
        found=Findings(),
        words=s.words,
        data_date=data_date(store),
        pairs=cofunding_pairs(s.graph, rates=rates),
        window=s.window,
        cycle=s.filters.cycle,
        rates=rates,
    )


def _with(asked: Asked | None, **subject: str) -> Asked:
    """``asked`` with the view's own subject (a pillar, a partner, a donor) put in."""
    base = asked or Asked()
    return Asked(**{**base.__dict__, **subject})
