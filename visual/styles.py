"""How a map looks, derived from ``graph_schema``: colour and shape per type, sizes and widths.

Nothing here lists the node or edge types: they come from :data:`graph_schema.registry.NODE_TYPES`
and :data:`~graph_schema.registry.EDGE_TYPES`. What this module adds are the marks analyses put
on a map (overlaps, gaps) and the rules turning money and links into sizes.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping

from graph_schema.registry import EDGE_TYPES, NODE_TYPES

#: vis-network shapes that draw their label inside; the others draw it below.
LABEL_INSIDE = frozenset({"box", "ellipse", "circle", "database", "text"})

#: Marks put on by analyses. Chosen apart from every type colour in the schema.
OVERLAP_COLOUR = "#e6007e"
GAP_COLOUR = "#d50000"
GAP_SHAPE = "triangleDown"
UNDERFUNDED_COLOUR = "#ff8a80"
FOCUS_COLOUR = "#111111"
#: Nodes outside what a view is about stay as context, faded.
FADED = {"background": "#e4e7eb", "border": "#c3c9d1"}
FADED_TEXT = "#9aa5b1"
#: A line between two donors funding the same needs (the co-funding view; not a stored edge type).
COFUNDING_EDGE = "CO_FUNDS"
COFUNDING_COLOUR = "#1565c0"

#: Labels are drawn by the page itself, at a size on screen that does not change with the zoom:
#: the labels of the nodes that carry the story (marks, partners, pillars, donors) at least
#: ``STORY_PX`` (more on large screens), the others smaller and only where they fit. The sizes
#: below are what the layouts reserve for a label at zoom 1.
STORY_PX = 14
FONT_RANGE = (22.0, 36.0)
SMALL_FONT = 13
DRAW_THRESHOLD = 12
FONT_FACE = "DejaVu Sans, Arial, Helvetica, sans-serif"

#: Node sizes (vis-network ``size``, half the symbol's height in pixels).
MONEY_SIZE = (22.0, 70.0)
DEGREE_SIZE = (12.0, 34.0)
#: Sizes by a count (projects a donor funds, projects addressing a need, needs a project addresses).
COUNT_SIZE = (16.0, 46.0)
#: A gap's triangle is at least this large, whatever its size measure says (it is what the map is
#: about; a need nobody answers would count zero projects).
GAP_MIN_SIZE = 30.0
#: What node sizes can follow (``kb map --size-by``).
SIZE_BY = ("count", "money", "links")
#: Edge widths in pixels.
AMOUNT_WIDTH = (2.0, 16.0)
PLAIN_WIDTH = 1.5


def node_colour(type_name: str) -> str:
    return NODE_TYPES[type_name].COLOUR


def node_shape(type_name: str) -> str:
    return NODE_TYPES[type_name].SHAPE


def edge_colour(type_name: str) -> str:
    if type_name == COFUNDING_EDGE:
        return COFUNDING_COLOUR
    return EDGE_TYPES[type_name].COLOUR


def text_colour(background: str) -> str:
    """Black or white, whichever contrasts more with ``background`` (WCAG relative luminance).

    >>> text_colour("#f9a825"), text_colour("#1565c0")
    ('#000000', '#ffffff')
    """
    channels = [int(background[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#000000" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#ffffff"


def sizing_currency(amounts: Mapping[str, Mapping[str, float]]) -> str | None:
    """The one currency node sizes are drawn in: the one most nodes have money in.

    Amounts of different currencies are never added or compared, so one is chosen and named
    in the legend; ties go to the larger number of amounts, then alphabetical order.

    >>> sizing_currency({"a": {"EUR": 5}, "b": {"EUR": 1, "USD": 9}, "c": {"USD": 2}})
    'EUR'
    >>> sizing_currency({}) is None
    True
    """
    counts = Counter(c for per_node in amounts.values() for c, v in per_node.items() if v > 0)
    if not counts:
        return None
    return min(counts, key=lambda c: (-counts[c], c))


def scaled(value: float, largest: float, bounds: tuple[float, float]) -> float:
    """``value`` placed between ``bounds`` by its square root relative to ``largest`` (area ∝ value).

    >>> scaled(100, 100, (10, 50)), scaled(25, 100, (10, 50)), scaled(0, 100, (10, 50))
    (50.0, 30.0, 10.0)
    """
    low, high = bounds
    if largest <= 0:
        return low
    return round(low + (high - low) * math.sqrt(max(value, 0.0) / largest), 2)


def node_sizes(
    amounts: Mapping[str, Mapping[str, float]], degrees: Mapping[str, int], currency: str | None
) -> dict[str, float]:
    """Size per node: by its money in ``currency`` where it has some, else by its number of links.

    >>> node_sizes({"p": {"EUR": 4.0}}, {"p": 1, "q": 4}, "EUR")
    {'p': 70.0, 'q': 34.0}
    """
    in_currency = {n: a.get(currency, 0.0) for n, a in amounts.items()} if currency else {}
    richest = max(in_currency.values(), default=0.0)
    busiest = max(degrees.values(), default=0)
    return {
        n: scaled(in_currency[n], richest, MONEY_SIZE)
        if in_currency.get(n)
        else scaled(d, busiest, DEGREE_SIZE)
        for n, d in degrees.items()
    }


def font_size(size: float) -> int:
    """Label size for a node of ``size``: from ``FONT_RANGE[0]`` (smallest node) to ``FONT_RANGE[1]``.

    >>> font_size(DEGREE_SIZE[0]), font_size(MONEY_SIZE[1])
    (22, 36)
    """
    smallest, largest = DEGREE_SIZE[0], MONEY_SIZE[1]
    share = min(max((size - smallest) / (largest - smallest), 0.0), 1.0)
    return round(FONT_RANGE[0] + (FONT_RANGE[1] - FONT_RANGE[0]) * share)


def edge_widths(amounts: Mapping[str, tuple[float, str]]) -> dict[str, float]:
    """Width per edge carrying an amount, relative to the largest amount *in the same currency*.

    >>> edge_widths({"e1": (10.0, "EUR"), "e2": (2.5, "EUR"), "e3": (1.0, "USD")})
    {'e1': 16.0, 'e2': 9.0, 'e3': 16.0}
    """
    largest: dict[str, float] = {}
    for amount, currency in amounts.values():
        largest[currency] = max(largest.get(currency, 0.0), amount)
    return {e: scaled(a, largest[c], AMOUNT_WIDTH) for e, (a, c) in amounts.items()}


def count_sizes(counts: Mapping[str, tuple[str, int]]) -> dict[str, float]:
    """Size per node from ``(measure, count)``: each measure relative to its own largest count, so a
    donor funding five projects is as large as a need five projects address.

    >>> count_sizes({"a": ("funds", 4), "b": ("funds", 1), "c": ("links", 9)})
    {'a': 46.0, 'b': 31.0, 'c': 46.0}
    """
    largest: dict[str, int] = {}
    for measure, count in counts.values():
        largest[measure] = max(largest.get(measure, 0), count)
    return {n: scaled(count, largest[measure], COUNT_SIZE) for n, (measure, count) in counts.items()}


def value_sizes(values: Mapping[str, float], degrees: Mapping[str, int]) -> dict[str, float]:
    """Size per node by one comparable value (money converted to one currency) where it has one,
    else by its number of links.

    >>> value_sizes({"p": 4.0, "q": 1.0}, {"p": 1, "q": 1, "r": 3})
    {'p': 70.0, 'q': 46.0, 'r': 34.0}
    """
    largest = max(values.values(), default=0.0)
    busiest = max(degrees.values(), default=0)
    return {
        n: scaled(values[n], largest, MONEY_SIZE) if values.get(n) else scaled(d, busiest, DEGREE_SIZE)
        for n, d in degrees.items()
    }
