"""What a node or an edge is, in words and facets: labels, plain-text tooltips, money, search text.

Every text passes :func:`kb.presentation.display` (Kosovo → Kosovo*). Nothing here is HTML:
the page inserts these strings as text only. Money comes from :mod:`kb.analysis.links` (which
funding edges count is decided there), kept per currency.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import networkx as nx

from graph_schema import PERIOD_FIELDS, PeriodFields, short_label
from graph_schema.registry import NODE_TYPES
from kb.analysis.links import Facts, need_countries, out_edges, pillars_of, required
from kb.analysis.models import Amounts
from kb.analysis.money import total
from kb.presentation import amounts_text, display, money
from kb.text import fold, search_text

#: Labels longer than this are cut (the tooltip has the whole name).
LABEL_MAX = 36
#: Sources listed in a tooltip before "and N more".
SOURCES_SHOWN = 4


def short(text: str, limit: int = LABEL_MAX) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis.

    >>> short("Western Balkans Counter Serious Crime initiative", 20)
    'Western Balkans Cou…'
    """
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def label(node: Mapping[str, Any]) -> str:
    """The short name drawn on the map: an acronym or code where the type has one, else the name."""
    name = short_label(node) or node.get("name")
    return short(display(str(name or node.get("id", ""))))


def node_money(G: nx.MultiDiGraph) -> dict[str, dict[str, Amounts]]:
    """Per node, money by role: ``received`` (projects), ``given`` (funders), ``joint`` (totals a funder
    shares with others, not split), ``required`` (needs)."""
    facts = Facts(G)
    found: dict[str, dict[str, Amounts]] = {}
    given: dict[str, list[Amounts]] = {}
    joint: dict[str, list[Amounts]] = {}
    for node, kind in G.nodes(data="type"):
        if kind == "Project":
            project = facts[node]
            if project.amounts:
                found.setdefault(node, {})["received"] = project.amounts
            for funder, amounts in project.amounts_by_funder.items():
                given.setdefault(funder, []).append(amounts)
            for funder in project.joint_funders:
                joint.setdefault(funder, []).append(project.joint)
        elif kind == "Need" and required(G.nodes[node]):
            found.setdefault(node, {})["required"] = required(G.nodes[node])
    for role, by_funder in (("given", given), ("joint", joint)):
        for funder, parts in by_funder.items():
            summed = total(parts)
            if summed:
                found.setdefault(funder, {})[role] = summed
    return found


def pillars(G: nx.MultiDiGraph, node: str) -> list[str]:
    """The pillars a node belongs to: its own IN_PILLAR edges, and for a project its needs' pillars."""
    kind = G.nodes[node].get("type")
    if kind == "Pillar":
        return [node]
    found = pillars_of(G, node)
    if kind == "Project":
        for e in out_edges(G, node, "ADDRESSES"):
            found |= pillars_of(G, e["target"])
    return sorted(found)


def countries(G: nx.MultiDiGraph, node: str) -> list[str]:
    """The countries a node is in: itself, its PART_OF country, a need's partner, where a project works."""
    kind = G.nodes[node].get("type")
    if kind == "Country":
        return [node]
    if kind == "Need":
        return sorted(need_countries(G, node))
    via = {"Institution": "PART_OF", "Project": "TARGETS", "Event": "HELD_IN"}.get(kind or "")
    if via is None:
        return []
    return sorted(
        e["target"] for e in out_edges(G, node, via) if G.nodes[e["target"]].get("type") == "Country"
    )


#: The period fields of a record whose type declares none (``start``/``end``).
_STATED = PeriodFields("start", "end", open_ended=True)


def period(record: Mapping[str, Any]) -> str | None:
    """A record's period as stated (``start``/``end``, or an event's ``date``).

    >>> period({"type": "Event", "date": "2024-03-05"})
    '2024-03-05'
    >>> period({"type": "Project", "start": "2024-01-01"})
    '2024-01-01 – open'
    """
    fields = PERIOD_FIELDS.get(record.get("type", ""), _STATED)
    start, end = record.get(fields.start), record.get(fields.end)
    if not start and not end:
        return None
    if start and not end and not fields.open_ended:
        return str(start)
    return f"{start or '…'} – {end or 'open'}"


def sources_text(sources: list[str]) -> str:
    """
    >>> sources_text(["a", "b", "c", "d", "e", "f"])
    'a; b; c; d; and 2 more'
    """
    shown = "; ".join(sources[:SOURCES_SHOWN])
    rest = len(sources) - SOURCES_SHOWN
    return f"{shown}; and {rest} more" if rest > 0 else shown


def _names(G: nx.MultiDiGraph, ids: list[str]) -> str:
    return ", ".join(label(G.nodes[i]) for i in ids)


ROLE_WORDS = {
    "received": "Funding received",
    "given": "Funding given",
    "joint": "Funding given jointly with others (not split)",
    "required": "Required",
}


def node_tip(G: nx.MultiDiGraph, node: str, money_by_role: Mapping[str, Amounts], notes: list[str]) -> str:
    """The tooltip of a node: plain text, one fact a line."""
    data = G.nodes[node]
    kind = data.get("type", "")
    demo = " (illustrative demo data)" if data.get("demo") else ""
    lines = [display(data.get("name") or node), f"Type: {kind}{demo}"]
    if (p := pillars(G, node)) and kind != "Pillar":
        lines.append(f"Pillar: {_names(G, p)}")
    if (c := countries(G, node)) and kind != "Country":
        lines.append(f"Country: {_names(G, c)}")
    for role, amounts in money_by_role.items():
        lines.append(f"{ROLE_WORDS[role]}: {amounts_text(amounts, empty='')}")
    if when := period(data):
        lines.append(f"Period: {when}")
    for key in ("priority", "status", "kind", "position", "place"):
        if data.get(key):
            lines.append(f"{key.capitalize()}: {display(str(data[key]).replace('_', ' '))}")
    lines.extend(display(n) for n in notes)
    if data.get("sources"):
        lines.append(f"Sources: {sources_text(list(data['sources']))}")
    lines.append(f"Id: {node}")
    return "\n".join(lines)


def edge_tip(
    G: nx.MultiDiGraph, edge: Mapping[str, Any], notes: list[str], labels: Mapping[str, str] | None = None
) -> str:
    """The tooltip of an edge: its ends (by ``labels`` when given), type, amount, period and sources."""
    ends = " → ".join(labels[n] if labels else label(G.nodes[n]) for n in (edge["source"], edge["target"]))
    lines = [f"{edge['type'].replace('_', ' ')}: {ends}"]
    if edge.get("amount") is not None:
        lines.append(
            f"Amount: {money(edge['amount'], edge.get('currency'))}"
            + (f" ({edge['kind']})" if edge.get("kind") else "")
        )
    if edge.get("weight"):
        lines.append(f"Needs funded by both: {edge['weight']}")
    if edge.get("needs"):
        lines.append("Needs: " + "; ".join(display(n) for n in edge["needs"]))
    if when := period(edge):
        lines.append(f"Period: {when}")
    for key in ("role", "position", "reason"):
        if edge.get(key):
            lines.append(f"{key.capitalize()}: {display(str(edge[key]))}")
    lines.extend(display(n) for n in notes)
    if edge.get("sources"):
        lines.append(f"Sources: {sources_text(list(edge['sources']))}")
    return "\n".join(lines)


def node_search(node: Mapping[str, Any]) -> str:
    """The folded text the page's search box matches (Cyrillic transliterated, diacritics dropped)."""
    cls = NODE_TYPES.get(node.get("type", ""))
    fields = cls.SEARCH_FIELDS if cls else ("name",)
    return " ".join(p for p in (search_text([node.get(f) for f in fields]), fold(label(node))) if p)
