"""Marks analyses put on a map: overlaps, gaps, the node a view is about, and faded context.

Built from the typed results of :mod:`kb.analysis` (never recomputed here). Each mark carries
the sentence a tooltip and the findings panel show.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kb.analysis.models import Gap, NodeRef, Overlap
from kb.presentation import display

#: An edge as the analyses name it: (type, source, target, key).
EdgeId = tuple[str, str, str, str]
#: What must be on screen for a finding to hold: every node of ``all`` and ``k`` of ``some``
#: (the page lists a finding only while the filters leave that much of it).
Key = dict[str, Any]


@dataclass
class Highlights:
    """What to mark. ``keep``: when set, nodes outside it are drawn faded, as context."""

    overlap_nodes: dict[str, list[str]] = field(default_factory=dict)
    overlap_edges: dict[EdgeId, list[str]] = field(default_factory=dict)
    gap_nodes: dict[str, tuple[str, str]] = field(default_factory=dict)
    focus: set[str] = field(default_factory=set)
    keep: set[str] | None = None
    findings: list[str] = field(default_factory=list)
    #: Per finding, what must be shown for it to hold (see :data:`Key`); ``{}``: always.
    keys: list[Key] = field(default_factory=list)

    def key(self, i: int) -> Key:
        return self.keys[i] if i < len(self.keys) else {}

    def __or__(self, other: Highlights) -> Highlights:
        nodes = {k: [*self.overlap_nodes.get(k, []), *v] for k, v in other.overlap_nodes.items()}
        edges = {k: [*self.overlap_edges.get(k, []), *v] for k, v in other.overlap_edges.items()}
        keep = (
            None if self.keep is None and other.keep is None else (self.keep or set()) | (other.keep or set())
        )
        return Highlights(
            overlap_nodes={**self.overlap_nodes, **nodes},
            overlap_edges={**self.overlap_edges, **edges},
            gap_nodes={**self.gap_nodes, **other.gap_nodes},
            focus=self.focus | other.focus,
            keep=keep,
            findings=[*self.findings, *other.findings],
            keys=[*(self.key(i) for i in range(len(self.findings))), *other.keys],
        )

    def notes(self, node: str) -> list[str]:
        """The sentences a node's tooltip adds for its marks."""
        out = list(self.overlap_nodes.get(node, []))
        if node in self.gap_nodes:
            kind, reason = self.gap_nodes[node]
            out.append(f"Gap ({kind}): {reason}")
        return out


def _names(refs: Iterable[NodeRef]) -> str:
    return ", ".join(display(r.label) for r in refs)


def overlap_sentence(o: Overlap) -> str:
    """One overlap in words.

    >>> o = Overlap(level="need", need=NodeRef(id="need:n", name="Radars", type="Need"), countries=[],
    ...             projects=[NodeRef(id="project:a", name="A", type="Project"),
    ...                       NodeRef(id="project:b", name="B", type="Project")],
    ...             donors=[NodeRef(id="org:x", name="X", type="Organisation")], implementers=[],
    ...             period={"start": "2024-01-01"}, amounts={}, evidence=[])
    >>> overlap_sentence(o)
    'Overlap on Radars: A and B (donors X), 2024-01-01 – open'
    """
    where = display(o.need.name) if o.need else "; ".join(display(c) for c in o.context)
    projects = " and ".join(display(p.name) for p in o.projects)
    return f"Overlap on {where}: {projects} (donors {_names(o.donors)}), {o.period.label()}"


def from_overlaps(overlaps: Iterable[Overlap]) -> Highlights:
    """Projects, donors and needs in an overlap get a ring; the edges that make it are coloured."""
    marks = Highlights()
    for o in overlaps:
        sentence = overlap_sentence(o)
        marks.findings.append(sentence)
        marks.keys.append({"all": [o.need.id] if o.need else [], "some": [p.id for p in o.projects], "k": 2})
        members = [*o.projects, *o.donors, *([o.need] if o.need else [])]
        for r in members:
            marks.overlap_nodes.setdefault(r.id, []).append(sentence)
        projects = {p.id for p in o.projects}
        for e in o.evidence:
            if e.source in projects or e.target in projects:
                marks.overlap_edges.setdefault((e.type, e.source, e.target, e.key), []).append(sentence)
    return marks


def gap_sentence(g: Gap) -> str:
    if g.need is not None:
        return f"{display(g.need.name)} ({_names(g.countries)}; {g.priority} priority): {g.reason}"
    return f"{_names(g.countries)} / {_names(g.pillars)} ({g.priority} priority): {display(g.reason)}"


def from_gaps(gaps: Iterable[Gap]) -> Highlights:
    """Needs nobody answers (or answers with too little money) are flagged; empty cells are listed."""
    marks = Highlights()
    for g in gaps:
        marks.findings.append(("Empty cell: " if g.kind == "empty_cell" else "Gap: ") + gap_sentence(g))
        if g.need is not None:
            marks.keys.append({"all": [g.need.id]})
        else:
            marks.keys.append(
                {"all": [r.id for r in (*g.countries, *g.pillars)], "some": [n.id for n in g.needs], "k": 1}
            )
        if g.need is not None:
            marks.gap_nodes[g.need.id] = (g.kind, display(g.reason))
    return marks
