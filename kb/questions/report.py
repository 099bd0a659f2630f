"""The response-mapping report (``kb report mapping``, ``/report``): what the Secretariat prints.

One function, :func:`mapping`, gathers it for every face: the coverage matrix of what the filters
select, then per pillar and per partner its cell of the matrix, the overlaps and gaps in that cell
(with the edges they rest on), each donor's contribution per currency, and the map of the cell;
around them the filters in words, the data date and the sources. :mod:`visual.report` lays it out
as HTML and prints it to PDF; nothing here draws.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import networkx as nx

from kb.analysis.coverage import cells as coverage_cells
from kb.analysis.funding import funding_lines
from kb.analysis.links import Facts, pillars_of
from kb.analysis.models import Amounts, Coverage, CoverageCell, Evidence, Gap, NodeRef, Overlap
from kb.analysis.money import total
from kb.questions import analyses as ask
from kb.questions.asked import Asked, Within, data_date, select
from kb.questions.maps import MapData
from kb.questions.maps import pillar as pillar_map
from kb.store.port import GraphStore

TITLE = "Response mapping report"


@dataclass(frozen=True)
class Contribution:
    """What one donor gives in one cell: its own amounts per currency, the joint totals it shares
    (not split between their funders), and the projects."""

    donor: NodeRef
    amounts: Amounts
    joint: Amounts
    projects: list[NodeRef]
    evidence: list[Evidence]


@dataclass(frozen=True)
class Section:
    """One pillar × partner cell of the matrix and everything the report says about it."""

    pillar: NodeRef
    partner: NodeRef
    cell: CoverageCell
    overlaps: list[Overlap]
    gaps: list[Gap]
    contributions: list[Contribution]
    #: The cell's map (its needs, projects and actors), ``None`` when the cell holds nothing to draw.
    map: MapData | None = field(default=None, repr=False)

    @property
    def anchor(self) -> str:
        """The section's id in the document: ``wbbsi-rs``."""
        return f"{_tail(self.pillar.id)}-{_tail(self.partner.id)}"


@dataclass(frozen=True)
class PillarPart:
    """A pillar's sections, and the partners whose cell holds nothing (no need, project or gap)."""

    pillar: NodeRef
    sections: list[Section]
    empty: list[NodeRef]

    @property
    def anchor(self) -> str:
        return _tail(self.pillar.id)


@dataclass(frozen=True)
class MappingReport:
    title: str
    #: The filters as a header says them (``Pillar: WBBSi``); empty: everything stored.
    words: list[str]
    data_date: str | None
    generated: dt.date
    coverage: Coverage
    #: Every overlap and gap of the selection (each also in the sections of its cells).
    overlaps: list[Overlap]
    gaps: list[Gap]
    pillars: list[PillarPart]
    #: Overlaps and gaps in no section (a context overlap on projects without a pillar, a need
    #: stated by no WB partner).
    unplaced_overlaps: list[Overlap]
    unplaced_gaps: list[Gap]
    #: Every source the report rests on (its findings' edges, the selected records), sorted.
    sources: list[str]


def _tail(node_id: str) -> str:
    return node_id.split(":", 1)[-1]


def _overlap_cells(G: nx.MultiDiGraph, o: Overlap) -> set[tuple[str, str]]:
    """The (partner, pillar) cells an overlap is in: its partners × its need's pillars (a context
    overlap: its projects' pillars)."""
    holders = [o.need.id] if o.need else [p.id for p in o.projects]
    pillars = {p for h in holders if h in G for p in pillars_of(G, h)}
    return {(c.id, p) for c in o.countries for p in pillars}


def _contributions(G: nx.MultiDiGraph, facts: Facts, projects: set[str]) -> list[Contribution]:
    by_donor: dict[str, list] = {}
    for project in sorted(projects):
        for line in funding_lines(G, facts, project, implementers=False):
            by_donor.setdefault(line.actor.id, []).append(line)
    out = [
        Contribution(
            donor=lines[0].actor,
            amounts=total(line.amounts for line in lines),
            joint=total(line.joint for line in lines),
            projects=[line.project for line in lines],
            evidence=[e for line in lines for e in line.evidence],
        )
        for lines in by_donor.values()
    ]
    return sorted(out, key=lambda c: (-len(c.projects), c.donor.name.casefold()))


def _cell_asked(asked: Asked, pillar: str, partner: str) -> Asked:
    return Asked(pillar, partner, asked.donor, asked.date_from, asked.date_to, asked.cycle)


def mapping(store: GraphStore, asked: Within = None, *, maps: bool = True) -> MappingReport:
    """The response-mapping report of what ``asked`` selects (everything when nothing is asked).

    ``maps``: gather each section's map (what a PDF or ``--html`` draws as a still); a page
    showing the report links to the interactive map instead.
    """
    s = select(store, asked)
    f = s.filters
    # The filters as ids: each section's map is asked for with its own pillar and partner.
    as_ids = Asked(f.pillar, f.country, f.donor, f.date_from, f.date_to, f.cycle)
    G = s.graph
    facts = Facts(G)
    matrix = ask.coverage(store, s).coverage
    overlaps = ask.overlaps(store, s).overlaps
    gaps = ask.gaps(store, s).gaps
    projects_of = coverage_cells(G, facts)
    placed_overlaps = {i: _overlap_cells(G, o) for i, o in enumerate(overlaps)}

    shown_gaps: set[int] = set()
    parts = []
    for pillar in matrix.pillars:
        if f.pillar and pillar.id != f.pillar:
            continue
        sections, empty = [], []
        for partner in matrix.partners:
            if f.country and partner.id != f.country:
                continue
            key = (partner.id, pillar.id)
            cell = next(c for c in matrix.cells if (c.country.id, c.pillar.id) == key)
            here_overlaps = [o for i, o in enumerate(overlaps) if key in placed_overlaps[i]]
            here = [
                i
                for i, g in enumerate(gaps)
                if pillar.id in {p.id for p in g.pillars} and partner.id in {c.id for c in g.countries}
            ]
            here_gaps = [gaps[i] for i in here]
            if not (cell.needs or cell.projects or here_overlaps or here_gaps):
                empty.append(partner)
                continue
            shown_gaps.update(here)
            drawn = cell.needs or cell.projects
            sections.append(
                Section(
                    pillar=pillar,
                    partner=partner,
                    cell=cell,
                    overlaps=here_overlaps,
                    gaps=here_gaps,
                    contributions=_contributions(G, facts, projects_of.get(key, ([], set()))[1]),
                    map=pillar_map(store, pillar.id, _cell_asked(as_ids, pillar.id, partner.id))
                    if maps and drawn
                    else None,
                )
            )
        parts.append(PillarPart(pillar=pillar, sections=sections, empty=empty))

    shown_overlaps = {id(o) for p in parts for sec in p.sections for o in sec.overlaps}
    evidence = [e for o in overlaps for e in o.evidence] + [e for g in gaps for e in g.evidence]
    evidence += [e for p in parts for sec in p.sections for c in sec.contributions for e in c.evidence]
    return MappingReport(
        title=TITLE,
        words=s.words,
        data_date=data_date(store),
        generated=dt.date.today(),
        coverage=matrix,
        overlaps=overlaps,
        gaps=gaps,
        pillars=parts,
        unplaced_overlaps=[o for o in overlaps if id(o) not in shown_overlaps],
        unplaced_gaps=[g for i, g in enumerate(gaps) if i not in shown_gaps],
        sources=sorted(
            {src for e in evidence for src in e.sources}
            | {src for _, data in G.nodes(data=True) for src in data.get("sources") or ()}
        ),
    )
