"""The presenter's sequence: the overview, each overlap, each gap, then coverage by partner × pillar.

Derived from the analyses' results a map already carries (never recomputed), so the sequence
follows the data. Each step names the nodes it highlights and the nodes it zooms to, and has a
one-line caption in plain words, e.g. "Austria, Italy and DG NEAR fund “Surveillance equipment
for the green border” in Albania, 2025-01 – 2027-02".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import networkx as nx

from kb.analysis.models import Coverage, Gap, NodeRef, Overlap, Span
from kb.presentation import amounts_text, display

Step = dict[str, Any]
_SEPARATORS = (" – ", " - ", ": ")


def and_list(names: Sequence[str]) -> str:
    """
    >>> and_list(["Austria"]), and_list(["Austria", "Italy"]), and_list(["Austria", "Italy", "DG NEAR"])
    ('Austria', 'Austria and Italy', 'Austria, Italy and DG NEAR')
    """
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def month(day: dt.date | None, open_word: str) -> str:
    """
    >>> month(dt.date(2025, 1, 31), "open"), month(None, "open")
    ('2025-01', 'open')
    """
    return day.strftime("%Y-%m") if day else open_word


def months(span: Span) -> str:
    """A period in months, as a caption says it.

    >>> months(Span(start=dt.date(2025, 1, 1), end=dt.date(2027, 2, 28)))
    '2025-01 – 2027-02'
    """
    return f"{month(span.start, '…')} – {month(span.end, 'open')}"


def title_of(need: NodeRef, countries: Iterable[NodeRef]) -> str:
    """A need's name without the partner it starts with ("Albania – Radars" → "Radars").

    >>> title_of(NodeRef(id="n", name="Albania – Radars", type="Need"), [NodeRef(id="c", name="Albania", type="Country")])
    'Radars'
    """
    name = display(need.name)
    for country in countries:
        for sep in _SEPARATORS:
            prefix = display(country.name) + sep
            if name.startswith(prefix) and len(name) > len(prefix):
                return name[len(prefix) :]
    return name


def _where(countries: Sequence[NodeRef]) -> str:
    return and_list([display(c.name) for c in countries])


def overlap_caption(o: Overlap) -> str:
    """One overlap in one line: who funds what, where, when.

    >>> o = Overlap(level="need", need=NodeRef(id="need:n", name="Albania – Radars", type="Need"),
    ...             countries=[NodeRef(id="country:al", name="Albania", type="Country")],
    ...             projects=[], donors=[NodeRef(id="country:at", name="Austria", type="Country"),
    ...                                   NodeRef(id="org:x", name="X agency", type="Organisation", short="X")],
    ...             implementers=[], period={"start": "2025-01-01", "end": "2027-02-28"}, amounts={}, evidence=[])
    >>> overlap_caption(o)
    'Austria and X fund “Radars” in Albania, 2025-01 – 2027-02'
    """
    donors = and_list([display(d.label) for d in o.donors])
    verb = "funds" if len(o.donors) == 1 else "fund"
    where = f" in {_where(o.countries)}" if o.countries else ""
    if o.need is not None:
        what = f"“{title_of(o.need, o.countries)}”"
    else:
        what = "projects on " + "; ".join(display(c) for c in o.context)
    return f"{donors} {verb} {what}{where}, {months(o.period)}"


def gap_caption(g: Gap) -> str:
    """One gap in one line.

    >>> g = Gap(kind="unaddressed", priority="high", need=NodeRef(id="n", name="Albania – Radars", type="Need"),
    ...         countries=[NodeRef(id="c", name="Albania", type="Country")],
    ...         pillars=[NodeRef(id="p", name="Border", type="Pillar", short="WBBSi")],
    ...         period={}, reason="no project addresses it", evidence=[])
    >>> gap_caption(g)
    'Nobody addresses “Radars” in Albania (WBBSi, high priority)'
    """
    pillars = ", ".join(display(p.label) for p in g.pillars)
    about = f"({pillars + ', ' if pillars else ''}{g.priority} priority)"
    where = _where(g.countries)
    if g.kind == "empty_cell":
        count = len(g.needs)
        return (
            f"{where} × {pillars}: no active project answers its {count} need{'s' if count != 1 else ''} "
            f"({g.priority} priority)"
        )
    assert g.need is not None
    what = f"“{title_of(g.need, g.countries)}” in {where}" if where else f"“{display(g.need.name)}”"
    if g.kind == "underfunded":
        return (
            f"{what[0].upper()}{what[1:]} is underfunded: {amounts_text(g.funded, empty='nothing')} of "
            f"{amounts_text(g.required, empty='?')} required {about}"
        )
    return f"Nobody addresses {what} {about}"


def coverage_table(c: Coverage) -> dict[str, Any]:
    """Partner × pillar as the coverage step draws it: needs, needs answered, projects, money."""
    return {
        "partners": [{"id": p.id, "name": display(p.name)} for p in c.partners],
        "pillars": [{"id": p.id, "name": display(p.label)} for p in c.pillars],
        "cells": [
            {
                "partner": cell.country.id,
                "pillar": cell.pillar.id,
                "needs": cell.needs,
                "addressed": cell.addressed,
                "projects": cell.projects,
                "amounts": amounts_text(cell.amounts, empty=""),
            }
            for cell in c.cells
        ],
    }


def steps(
    G: nx.MultiDiGraph,
    title: str,
    overlaps: Sequence[Overlap] = (),
    gaps: Sequence[Gap] = (),
    coverage: Coverage | None = None,
) -> list[Step]:
    """The presenter's sequence for a map of ``G``: overview, overlaps, gaps, coverage.

    ``finding`` is the step's place in the findings panel (overlaps first, then gaps), so the
    page can tell when a filter hides it.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("need:n", type="Need", name="Radars")
    >>> g = Gap(kind="unaddressed", priority="high", need=NodeRef(id="need:n", name="Radars", type="Need"),
    ...         countries=[], pillars=[], period={}, reason="r", evidence=[])
    >>> [(s["kind"], s["caption"]) for s in steps(G, "Map", gaps=[g])]
    [('overview', 'Map: 1 need, 0 projects, 0 donors · 0 overlaps, 1 gap'), ('gap', 'Nobody addresses “Radars” (high priority)')]
    """
    kinds = [t for _, t in G.nodes(data="type")]
    funders = {u for u, _, t in G.edges(data="type") if t == "FUNDS"}

    def count(n: int, word: str) -> str:
        return f"{n:,} {word}{'' if n == 1 else 's'}"

    summary = ", ".join(
        [
            count(kinds.count("Need"), "need"),
            count(kinds.count("Project"), "project"),
            count(len(funders), "donor"),
        ]
    )
    out: list[Step] = [
        {
            "kind": "overview",
            "caption": f"{display(title)}: {summary} · {count(len(overlaps), 'overlap')}, {count(len(gaps), 'gap')}",
            "highlight": [],
            "zoom": [],
        }
    ]

    def present(refs: Iterable[NodeRef | str]) -> list[str]:
        ids = [r if isinstance(r, str) else r.id for r in refs]
        return sorted({i for i in ids if i in G})

    for i, o in enumerate(overlaps):
        members = present([*o.donors, *o.projects, *([o.need] if o.need else [])])
        out.append(
            {
                "kind": "overlap",
                "caption": overlap_caption(o),
                "highlight": members,
                "zoom": sorted({*members, *present(o.countries)}),
                "finding": i,
            }
        )
    for i, g in enumerate(gaps):
        flagged = present([g.need] if g.need else g.needs)
        out.append(
            {
                "kind": "gap",
                "caption": gap_caption(g),
                "highlight": flagged,
                "zoom": sorted({*flagged, *present([*g.countries, *g.pillars, *g.projects])}),
                "finding": len(overlaps) + i,
            }
        )
    if coverage is not None and coverage.cells:
        out.append(
            {
                "kind": "coverage",
                "caption": "Coverage by partner and pillar: needs answered of needs stated, and projects",
                "highlight": [],
                "zoom": [],
            }
        )
    return out
