"""The legend: node and edge types present on the map (colours and shapes from the schema),
the marks analyses added, and the rules behind sizes and widths, in words."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from graph_schema.registry import EDGE_TYPES, NODE_TYPES
from visual import styles


@dataclass(frozen=True)
class Entry:
    label: str
    colour: str
    shape: str | None = None
    line: bool = False
    ring: bool = False
    type: str | None = None
    count: int = 0


@dataclass
class Legend:
    nodes: list[Entry] = field(default_factory=list)
    edges: list[Entry] = field(default_factory=list)
    marks: list[Entry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _star(points: int = 5, outer: float = 11.0, inner: float = 4.6) -> str:
    coords = []
    for i in range(points * 2):
        r = outer if i % 2 == 0 else inner
        a = math.pi * i / points - math.pi / 2
        coords.append(f"{12 + r * math.cos(a):.1f},{12 + r * math.sin(a):.1f}")
    return " ".join(coords)


_HEXAGON = " ".join(
    f"{12 + 11 * math.cos(math.pi * i / 3):.1f},{12 + 11 * math.sin(math.pi * i / 3):.1f}" for i in range(6)
)
#: SVG element and attributes drawing each vis-network shape in a 24×24 box.
SYMBOLS: dict[str, tuple[str, dict[str, str]]] = {
    "dot": ("circle", {"cx": "12", "cy": "12", "r": "10"}),
    "circle": ("circle", {"cx": "12", "cy": "12", "r": "10"}),
    "ellipse": ("ellipse", {"cx": "12", "cy": "12", "rx": "11", "ry": "7"}),
    "square": ("rect", {"x": "3", "y": "3", "width": "18", "height": "18"}),
    "box": ("rect", {"x": "1", "y": "5", "width": "22", "height": "14", "rx": "3"}),
    "database": ("rect", {"x": "3", "y": "2", "width": "18", "height": "20", "rx": "5"}),
    "triangle": ("polygon", {"points": "12,2 22,21 2,21"}),
    "triangleDown": ("polygon", {"points": "2,3 22,3 12,22"}),
    "diamond": ("polygon", {"points": "12,1 23,12 12,23 1,12"}),
    "hexagon": ("polygon", {"points": _HEXAGON}),
    "star": ("polygon", {"points": _star()}),
}


def symbol(shape: str) -> tuple[str, dict[str, str]]:
    """The SVG element drawing ``shape`` (a circle for shapes without their own symbol)."""
    return SYMBOLS.get(shape, SYMBOLS["dot"])


def build_legend(
    node_counts: dict[str, int],
    edge_counts: dict[str, int],
    *,
    overlaps: bool,
    gaps: set[str],
    focus: bool,
    faded: bool,
    size_note: str,
    width_note: str = "Line width of FUNDS: the amount, relative to the largest in the same currency.",
    demo: bool = False,
) -> Legend:
    """The legend of one map: only what the map shows, types in schema order."""
    legend = Legend()
    for name in NODE_TYPES:
        if node_counts.get(name):
            legend.nodes.append(
                Entry(
                    name,
                    styles.node_colour(name),
                    styles.node_shape(name),
                    type=name,
                    count=node_counts[name],
                )
            )
    for name in [*EDGE_TYPES, styles.COFUNDING_EDGE]:
        if edge_counts.get(name):
            words = (
                "co-funding (funds the same needs)"
                if name == styles.COFUNDING_EDGE
                else name.replace("_", " ")
            )
            legend.edges.append(
                Entry(words, styles.edge_colour(name), line=True, type=name, count=edge_counts[name])
            )
    if overlaps:
        legend.marks.append(
            Entry("Overlap: donors, projects and need (ring)", styles.OVERLAP_COLOUR, "dot", ring=True)
        )
        legend.marks.append(Entry("Overlap: the links that make it", styles.OVERLAP_COLOUR, line=True))
    if "unaddressed" in gaps:
        legend.marks.append(Entry("Gap: need nobody addresses", styles.GAP_COLOUR, styles.GAP_SHAPE))
    if "underfunded" in gaps:
        legend.marks.append(Entry("Gap: need underfunded", styles.UNDERFUNDED_COLOUR, styles.GAP_SHAPE))
    if focus:
        legend.marks.append(
            Entry("What this map is about (black ring)", styles.FOCUS_COLOUR, "dot", ring=True)
        )
    if faded:
        legend.marks.append(Entry("Context (faded)", styles.FADED["background"], "dot"))
    legend.notes.append(size_note)
    if edge_counts.get(styles.COFUNDING_EDGE):
        legend.notes.append("Line width: number of needs both donors fund.")
    elif edge_counts.get("FUNDS"):
        legend.notes.append(width_note)
    if demo:
        legend.notes.append("Includes the illustrative demo set (marked in tooltips), not source data.")
    return legend
