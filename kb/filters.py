"""What users type as filters (``--pillar WBBSi --country RS --from 2024-01-01``), resolved once.

The CLI, the API and the maps all turn user input into a :class:`SubgraphFilter` here, so a
pillar code, an ISO code or a date means the same thing everywhere, and a wrong one is
refused with the same one-line message naming the value.
"""

from __future__ import annotations

import datetime as dt

from rapidfuzz import fuzz, process

from graph_schema import ACTOR_TYPES, short_label
from graph_schema.registry import type_of_id
from kb.analysis.models import NodeRef, Span
from kb.errors import InvalidInputError, NotFoundError
from kb.presentation import display
from kb.records import NodeRecord
from kb.selection import SubgraphFilter
from kb.store.port import GraphStore
from kb.text import fold


def parse_date_option(value: str | None, option: str) -> dt.date | None:
    """A YYYY-MM-DD option value as a date; a malformed one is refused naming the option."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInputError(f"{option} {value!r} is not a date (YYYY-MM-DD)") from None


#: How many candidates "did you mean" offers.
CANDIDATES = 5
#: Kinds with at most this many nodes (pillars, partners) list them all when a value is unknown.
KNOWN_LISTED = 30


def _names_of(node: NodeRecord) -> set[str]:
    """Every name a user may give ``node`` by, folded: id, name, aliases, acronym, code, short label."""
    values = [node["id"], node.get("name"), node.get("acronym"), node.get("code"), short_label(node)]
    values += node.get("aliases") or []
    return {fold(str(v)) for v in values if v}


def _described(nodes: list[NodeRecord]) -> str:
    return ", ".join(f"{display(n['name'])} ({n['id']})" for n in nodes[:CANDIDATES])


def resolve(
    store: GraphStore, value: str, types: tuple[str, ...], what: str, *, list_known: bool = False
) -> NodeRecord:
    """The node of one of ``types`` a user means by ``value``: its id, code, acronym, name or an alias,
    in any case, with or without diacritics, in Latin or Cyrillic (``Austria``, ``AT``,
    ``country:at``; ``WBBSi``; ``DG NEAR``).

    An unknown or ambiguous value is refused with the candidates ("did you mean …"), never a
    silent pick; a node of another type is refused naming its type.
    """
    text = value.strip()
    if not text:
        raise InvalidInputError(f"no {what} given")
    stored = store.get_many([text]).get(text)
    if stored is not None:
        if stored["type"] not in types:
            raise InvalidInputError(f"'{text}' is of type {stored['type']}, not {_a(what)}")
        return stored
    wanted = fold(text)
    hits = store.search(text, limit=50, types=list(types)) if wanted else []
    exact = [h for h in hits if wanted in _names_of(h)]
    if len(exact) == 1:
        return exact[0]
    if exact:
        raise InvalidInputError(f"{what} {text!r} is ambiguous: did you mean {_described(exact)}?")
    near = hits or _similar(store, wanted, types)
    hint = f" (did you mean {_described(near)}?)" if near else (_known(store, types) if list_known else "")
    if type_of_id(text) is not None:
        raise NotFoundError(f"no node with id {text!r}{hint}")
    raise InvalidInputError(f"no {what} named {text!r}{hint}")


def _a(what: str) -> str:
    return ("an " if what[:1] in "aeiou" else "a ") + what


def _known(store: GraphStore, types: tuple[str, ...]) -> str:
    """The short list of what there is, when the kind has few nodes (pillars, partners)."""
    nodes = [n for t in types for n in store.nodes(type=t, limit=KNOWN_LISTED + 1)]
    if not nodes or len(nodes) > KNOWN_LISTED:
        return ""
    return " (known: " + ", ".join(sorted(display(short_label(n) or n["name"]) for n in nodes)) + ")"


def _similar(store: GraphStore, wanted: str, types: tuple[str, ...]) -> list[NodeRecord]:
    """Nodes whose name is close to a mistyped one (``Austira`` → Austria), best first."""
    if not wanted:
        return []
    nodes = [n for t in types for n in store.nodes(type=t)]
    names = {(fold(str(n.get("name", ""))), i): i for i, n in enumerate(nodes)}
    found = process.extract(
        wanted, {k: k[0] for k in names}, scorer=fuzz.WRatio, score_cutoff=80, limit=CANDIDATES
    )
    return [nodes[key[1]] for _, _, key in found]


def resolve_code(store: GraphStore, type_name: str, value: str, what: str) -> str:
    """The id of the ``type_name`` node a user means by ``value`` (id, code, name…; see :func:`resolve`)."""
    return resolve(store, value, (type_name,), what, list_known=True)["id"]


def resolve_need(store: GraphStore, value: str) -> str:
    """The id of the need a user means by ``value``: its id or its name (see :func:`resolve`)."""
    return resolve(store, value, ("Need",), "need")["id"]


def resolve_actor(store: GraphStore, value: str, what: str = "actor") -> NodeRef:
    """The organisation, institution or country a user means by ``value`` (see :func:`resolve`)."""
    node = resolve(store, value, ACTOR_TYPES, what)
    return NodeRef(id=node["id"], name=node["name"], type=node["type"], short=short_label(node))


def resolve_filters(
    store: GraphStore,
    pillar: str | None,
    country: str | None,
    donor: str | None,
    date_from: str | None,
    date_to: str | None,
    cycle: str | None,
) -> SubgraphFilter:
    """The :class:`SubgraphFilter` for what a user typed; unknown values are refused."""
    low, high = parse_date_option(date_from, "--from"), parse_date_option(date_to, "--to")
    if low and high and low > high:
        raise InvalidInputError(f"--from {low} is after --to {high}")
    return SubgraphFilter(
        pillar=resolve_code(store, "Pillar", pillar, "pillar") if pillar else None,
        country=resolve_code(store, "Country", country, "country") if country else None,
        donor=resolve_actor(store, donor, "funder").id if donor else None,
        date_from=low,
        date_to=high,
        cycle=cycle,
    )


def window_of(filters: SubgraphFilter) -> Span | None:
    """The period the filters name, if any, as the analyses' window."""
    if not (filters.date_from or filters.date_to):
        return None
    return Span(start=filters.date_from, end=filters.date_to)
