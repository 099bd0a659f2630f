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
from kb.analysis.links import Facts, in_edges, need_countries, out_edges, pillars_of, required
from kb.analysis.models import Amounts
from kb.analysis.money import total
from kb.analysis.periods import active_span, to_date
from kb.presentation import amounts_text, display, money, source
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
    """The first sources by title and file (:func:`kb.presentation.source`), and how many more.

    >>> sources_text(["a", "b", "c", "d", "e", "f"])
    'a; b; c; d; and 2 more'
    >>> sources_text(["x.xml#X-1"])
    'IATI activity X-1 (x.xml)'
    """
    shown = "; ".join(source(s).text for s in sources[:SOURCES_SHOWN])
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


#: Drawn labels: lines of about ``LINE_WIDTH`` characters, at most ``MAX_LINES`` of them; the
#: tooltip has the whole name.
LINE_WIDTH = 16
MAX_LINES = 3
#: A distinguishing tail (phase, year, place) is kept whole up to this many characters.
TAIL_MAX = 24
#: How a name states its partner first: "Albania – …", "Serbia: …".
_PARTNER_SEPARATORS = (" – ", " - ", ": ")


def _without_partner(name: str, partners: Mapping[str, str]) -> str:
    """``name`` with a leading partner name moved to a code at the end.

    >>> _without_partner("Albania – Digital forensics", {"Albania": "AL"})
    'Digital forensics (AL)'
    >>> _without_partner("Albanian police", {"Albania": "AL"})
    'Albanian police'
    """
    for partner, code in partners.items():
        for sep in _PARTNER_SEPARATORS:
            if name.startswith(partner + sep) and len(name) > len(partner + sep):
                return f"{name[len(partner + sep) :]} ({code})"
    return name


def _numeric(word: str) -> bool:
    return word.strip("()–-,.").isdigit()


def _tail(words: list[str], others: list[list[str]]) -> str:
    """The end of ``words`` that tells it apart from ``others``: from the first word that differs
    (with the word before it when that one is a bare number, "phase 2"), or the shortest distinct
    ending when that is too long.

    >>> _tail("Meeting – WBCTi, Montenegro".split(), ["Meeting – WBBSi, North Macedonia".split()])
    'WBCTi, Montenegro'
    >>> _tail("Equipment – phase 1".split(), ["Equipment – phase 2".split()])
    'phase 1'
    """
    first = next(
        (i for i in range(len(words)) if any(i >= len(o) or o[i] != words[i] for o in others)), len(words)
    )
    if 0 < first < len(words) and _numeric(words[first]):
        first -= 1
    tail = " ".join(words[first:])
    if tail and len(tail) <= TAIL_MAX:
        return tail
    for k in range(1, len(words) + 1):
        ending = words[-k:]
        if all(o[-k:] != ending for o in others):
            if k < len(words) and _numeric(ending[0]):
                ending = words[-k - 1 :]
            return " ".join(ending)
    return ""


def _wrap(words: list[str], width: int) -> list[str]:
    out: list[str] = []
    for word in words:
        if out and len(out[-1]) + 1 + len(word) <= width + 1:
            out[-1] += " " + word
        else:
            out.append(word)
    return out


def label_lines(text: str, width: int = LINE_WIDTH, lines: int = MAX_LINES, tail: str = "") -> list[str]:
    """``text`` wrapped at word boundaries in at most ``lines`` lines of about ``width`` characters
    (a longer word keeps its own line). What does not fit is cut from the middle, so the end of
    the name (where a code, a phase or a year is) stays; ``tail``, when given, is the last line.

    >>> label_lines("Digital forensics for cybercrime investigations (AL)")
    ['Digital forensics', 'for cybercrime', 'investigations (AL)']
    >>> label_lines("Risk analysis capacity against migrant smuggling (RS)")
    ['Risk analysis', 'capacity against…', 'smuggling (RS)']
    >>> label_lines("GIZ")
    ['GIZ']
    >>> label_lines("Equipment for border crossing points – phase 1", tail="phase 1")
    ['Equipment for', 'border crossing…', 'phase 1']
    """
    words = text.split()
    if tail and text.endswith(tail):
        head = text[: -len(tail)].rstrip(" –-,:(").split()
        first = _wrap(head, width)
        if len(first) > lines - 1:
            first = first[: lines - 1]
            first[-1] = first[-1].rstrip(" ,;:–-") + "…"
        return [*first, tail]
    wrapped = _wrap(words, width)
    if len(wrapped) > 1 and len(wrapped[-2]) + 1 + len(wrapped[-1]) <= width + 4:
        wrapped[-2:] = [wrapped[-2] + " " + wrapped[-1]]
    if len(wrapped) <= lines:
        return wrapped or [""]
    last: list[str] = []
    for word in reversed(words):
        if last and len(" ".join([word, *last])) > width + 4:
            break
        last.insert(0, word)
    first = _wrap(words[: len(words) - len(last)], width)
    if len(first) > lines - 1:
        first = first[: lines - 1]
        first[-1] = first[-1].rstrip(" ,;:–-") + "…"
    return [*first, " ".join(last).lstrip(" –-,;:") or last[-1]]


def map_labels(G: nx.MultiDiGraph, ids: list[str]) -> dict[str, list[str]]:
    """The label drawn for each node, in lines: short, and unique on the map.

    An acronym or code where the type has one, else the name; a leading partner name ("Albania –
    Digital forensics") becomes a code at the end ("Digital forensics (AL)"). Names cut to the same
    lines keep the part that tells them apart ("… phase 1", "… (18 April 2024)"); labels still
    equal get the partner, the start year or the id. Every text passes
    :func:`kb.presentation.display`.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("country:ba", type="Country", name="Bosnia and Herzegovina", code="BA", wb_partner=True)
    >>> long = "Equipment for border crossing points in Bosnia and Herzegovina – phase "
    >>> G.add_node("project:a", type="Project", name=long + "1")
    >>> G.add_node("project:b", type="Project", name=long + "2")
    >>> G.add_node("need:c", type="Need", name="Bosnia and Herzegovina – Radars")
    >>> labels = map_labels(G, ["project:a", "project:b", "need:c"])
    >>> labels["project:a"], labels["need:c"]
    (['Equipment for', 'border crossing…', 'phase 1'], ['Radars (BA)'])
    """
    partners = {
        display(str(d["name"])): str(d.get("code") or "")
        for _, d in G.nodes(data=True)
        if d.get("type") == "Country" and d.get("wb_partner") and d.get("name") and d.get("code")
    }
    full: dict[str, str] = {}
    for n in ids:
        data = G.nodes[n]
        text = " ".join(display(str(short_label(data) or data.get("name") or n)).split())
        if not short_label(data) and data.get("type") != "Country":
            text = _without_partner(text, partners)
        full[n] = text
    lines = {n: label_lines(t) for n, t in full.items()}
    for same in _duplicates(lines):
        words = {n: full[n].split() for n in same}
        for n in same:
            tail = _tail(words[n], [words[m] for m in same if m != n])
            if tail:
                lines[n] = label_lines(full[n], tail=tail)
    for extra in (
        lambda n: ", ".join(country_codes(G, n)),
        lambda n: str(G.nodes[n].get("start") or G.nodes[n].get("date") or "")[:4],
        lambda n: n.split(":", 1)[-1],
    ):
        for same in _duplicates(lines):
            for n in same:
                if word := extra(n):
                    lines[n] = [*lines[n][:-1], f"{lines[n][-1]} ({word})"]
    return lines


def short_forms(lines: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """Two-line forms of the labels of three or more lines (the first line and the last), for where
    the whole label does not fit; only those unique among every label and short form.

    >>> short_forms({"a": ["Equipment for", "border crossing…", "phase 1"], "b": ["GIZ"]})
    {'a': ['Equipment for…', 'phase 1']}
    >>> short_forms({"a": ["x", "y", "z"], "b": ["x", "w", "z"]})
    {}
    """
    taken = {tuple(v) for v in lines.values()}
    found: dict[str, list[str]] = {}
    for n, text in lines.items():
        if len(text) < 3:
            continue
        found[n] = [text[0].rstrip("…").rstrip(" ,;:–-") + "…", text[-1]]
    counts: dict[tuple[str, ...], int] = {}
    for text in found.values():
        counts[tuple(text)] = counts.get(tuple(text), 0) + 1
    return {n: t for n, t in found.items() if counts[tuple(t)] == 1 and tuple(t) not in taken}


def _duplicates(lines: Mapping[str, list[str]]) -> list[list[str]]:
    groups: dict[tuple[str, ...], list[str]] = {}
    for n, text in lines.items():
        groups.setdefault(tuple(text), []).append(n)
    return [same for same in groups.values() if len(same) > 1]


def country_codes(G: nx.MultiDiGraph, node: str) -> list[str]:
    """The codes (or names) of the countries a node is in."""
    return [str(G.nodes[c].get("code") or G.nodes[c].get("name") or c) for c in countries(G, node)]


def active_period(record: Mapping[str, Any]) -> list[str | None] | None:
    """When a record counts as active on a timeline, as ``[start, end]`` (ISO dates, ``None`` open),
    ``None`` when it never is (a cancelled project); records of types without a period are timeless
    (``[None, None]``). Projects follow :func:`kb.analysis.periods.active_span`.

    >>> active_period({"type": "Project", "start": "2024-01-01", "status": "cancelled"}) is None
    True
    >>> active_period({"type": "Event", "date": "2024-03-05"})
    ['2024-03-05', '2024-03-05']
    >>> active_period({"type": "Need", "start": "2024-01-01"})
    ['2024-01-01', None]
    """
    kind = record.get("type", "")
    if kind == "Project":
        span = active_span(record)
        if span is None:
            return None
        return [span.start.isoformat() if span.start else None, span.end.isoformat() if span.end else None]
    fields = PERIOD_FIELDS.get(kind)
    if fields is None:
        return [None, None]
    start, end = to_date(record.get(fields.start)), to_date(record.get(fields.end))
    if start and not end and not fields.open_ended:
        end = start
    return [start.isoformat() if start else None, end.isoformat() if end else None]


#: The measure a node is sized by under ``--size-by count``, in the legend's words.
COUNT_WORDS = {
    "funds": "projects a donor funds",
    "addressed": "projects addressing a need",
    "addresses": "needs a project addresses",
    "links": "links of any other node",
}


def node_counts(G: nx.MultiDiGraph) -> dict[str, tuple[str, int]]:
    """Per node, the count it is sized by: a funder by the projects it funds, a need by the projects
    addressing it, a project by the needs it addresses, anything else by its number of links.

    >>> G = nx.MultiDiGraph()
    >>> for n, t in (("org:a", "Organisation"), ("project:p", "Project"), ("need:n", "Need")):
    ...     G.add_node(n, type=t)
    >>> for u, v, t in (("org:a", "project:p", "FUNDS"), ("project:p", "need:n", "ADDRESSES")):
    ...     _ = G.add_edge(u, v, type=t, source=u, target=v)
    >>> node_counts(G)
    {'org:a': ('funds', 1), 'project:p': ('addresses', 1), 'need:n': ('addressed', 1)}
    """
    out: dict[str, tuple[str, int]] = {}
    for n, kind in G.nodes(data="type"):
        funded = {e["target"] for e in out_edges(G, n, "FUNDS")}
        if funded:
            out[n] = ("funds", len(funded))
        elif kind == "Need":
            out[n] = ("addressed", len({e["source"] for e in in_edges(G, n, "ADDRESSES")}))
        elif kind == "Project":
            out[n] = ("addresses", len({e["target"] for e in out_edges(G, n, "ADDRESSES")}))
        else:
            out[n] = ("links", len(set(G.predecessors(n)) | set(G.successors(n))))
    return out
