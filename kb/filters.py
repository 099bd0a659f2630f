"""What users type as filters (``--pillar WBBSi --country RS --from 2024-01-01``), resolved once.

The CLI, the API and the maps all turn user input into a :class:`SubgraphFilter` here, so a
pillar code, an ISO code or a date means the same thing everywhere, and a wrong one is
refused with the same one-line message naming the value.
"""

from __future__ import annotations

import datetime as dt

from graph_schema import ACTOR_TYPES
from kb.analysis.models import NodeRef, Span
from kb.errors import InvalidInputError
from kb.selection import SubgraphFilter
from kb.store.port import GraphStore


def parse_date_option(value: str | None, option: str) -> dt.date | None:
    """A YYYY-MM-DD option value as a date; a malformed one is refused naming the option."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInputError(f"{option} {value!r} is not a date (YYYY-MM-DD)") from None


def resolve_code(store: GraphStore, type_name: str, value: str, what: str) -> str:
    """The id of the ``type_name`` node whose id or code is ``value`` (any case)."""
    nodes = store.nodes(type=type_name)
    wanted = value.strip().casefold()
    for n in nodes:
        if wanted in (n["id"].casefold(), str(n.get("code", "")).casefold()):
            return n["id"]
    known = ", ".join(sorted(str(n.get("code", n["id"])) for n in nodes)) or "none stored"
    raise InvalidInputError(f"unknown {what} {value!r} (known: {known})")


def resolve_actor(store: GraphStore, value: str, what: str = "an actor") -> NodeRef:
    """The organisation, institution or country with id ``value``."""
    node = store.get(value)
    if node["type"] not in ACTOR_TYPES:
        raise InvalidInputError(f"'{value}' is of type {node['type']}, not {what}")
    return NodeRef(id=node["id"], name=node["name"], type=node["type"])


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
        donor=resolve_actor(store, donor, "a funder").id if donor else None,
        date_from=low,
        date_to=high,
        cycle=cycle,
    )


def window_of(filters: SubgraphFilter) -> Span | None:
    """The period the filters name, if any, as the analyses' window."""
    if not (filters.date_from or filters.date_to):
        return None
    return Span(start=filters.date_from, end=filters.date_to)
