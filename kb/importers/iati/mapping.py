"""One read :class:`Activity` → validated graph records (the table is in docs/iati-mapping.md)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kb.errors import SchemaViolationError
from kb.importers.iati import codes
from kb.importers.iati.activity import Activity, Money
from kb.importers.iati.orgs import Actors, display_name
from kb.importers.iati.pillars import Assignment
from kb.records import edge_identity, validate_edge, validate_node

_WHITESPACE = re.compile(r"\s+")
_DESCRIPTION_LABELS = {"1": "", "2": "Objectives", "3": "Target groups", "4": "Other"}


class Skip(Exception):
    """An activity that is not imported: ``reason`` is a stable slug, ``detail`` says more."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass
class Mapped:
    """The records of one activity, ready for a batch."""

    identifier: str
    last_updated: str | None
    project: dict[str, Any]
    edges: list[dict[str, Any]]
    uses: set[str] = field(default_factory=set)  # node ids the edges point at
    #: ``related-activity`` links (type code, iati-identifier): 1 parent, 2 child.
    related: list[tuple[str, str]] = field(default_factory=list)


def project_id(identifier: str) -> str:
    """The stable node id of an activity.

    >>> project_id("XI-IATI-EC_NEAR-2016/37896/1")
    'project:XI-IATI-EC_NEAR-2016/37896/1'
    """
    return "project:" + _WHITESPACE.sub("-", identifier.strip())


def choose_period(dates: dict[str, dt.date]) -> tuple[dt.date | None, dt.date | None, bool]:
    """(start, end, planned): actual dates preferred, planned ones used (and marked) otherwise.

    A planned date that contradicts an actual one (a planned end before the actual start) is
    dropped; two contradicting dates of the same kind raise :class:`Skip`.

    >>> d = dt.date
    >>> choose_period({"1": d(2010, 7, 1), "3": d(2015, 6, 30)})
    (datetime.date(2010, 7, 1), datetime.date(2015, 6, 30), True)
    >>> choose_period({"1": d(2010, 1, 1), "2": d(2011, 1, 1), "4": d(2012, 1, 1)})
    (datetime.date(2011, 1, 1), datetime.date(2012, 1, 1), False)
    >>> choose_period({"2": d(2017, 12, 31), "3": d(2016, 12, 22)})
    (datetime.date(2017, 12, 31), None, False)
    """
    start, start_planned = (dates["2"], False) if "2" in dates else (dates.get("1"), "1" in dates)
    end, end_planned = (dates["4"], False) if "4" in dates else (dates.get("3"), "3" in dates)
    if start and end and end < start:
        if end_planned and not start_planned:
            end, end_planned = None, False
        elif start_planned and not end_planned:
            start, start_planned = None, False
        else:
            raise Skip("inconsistent_dates", f"end {end} is before start {start}")
    return start, end, start_planned or end_planned


def _preferred(lang: str) -> bool:
    return lang in ("en", "") or lang.startswith("en-")


def describe(activity: Activity) -> str | None:
    """Every description in every language: general first, English first, others tagged ``[lang]``."""
    if not activity.descriptions:
        return None
    order = {kind: i for i, kind in enumerate(_DESCRIPTION_LABELS)}
    english = any(_preferred(lang) for _, lang, _ in activity.descriptions)
    main_lang = "en" if english else activity.descriptions[0][1]
    items = sorted(
        activity.descriptions,
        key=lambda d: (order.get(d[0], 9), 0 if (_preferred(d[1]) if english else d[1] == main_lang) else 1),
    )
    paragraphs: list[str] = []
    seen: set[str] = set()
    for kind, lang, text in items:
        if text in seen:
            continue
        seen.add(text)
        label = _DESCRIPTION_LABELS.get(kind, "Other")
        primary = _preferred(lang) if english else lang == main_lang
        tag = "" if primary or not lang else f"[{lang}] "
        paragraphs.append(f"{label}: {tag}{text}" if label else f"{tag}{text}")
    return "\n\n".join(paragraphs)


def texts_for_keywords(activity: Activity) -> list[tuple[str, str, str]]:
    """(where, lang, text) of the titles and descriptions, for the pillar keywords."""
    return [("title", lang, text) for lang, text in activity.titles] + [
        ("description", lang, text) for _, lang, text in activity.descriptions
    ]


def _budgets(budgets: Iterable[Money]) -> list[Money]:
    """Budgets that count: per currency and period, the revised ones (type 2) if any, else the originals."""
    by_period: dict[tuple[str | None, dt.date | None, dt.date | None], list[Money]] = {}
    for money in budgets:
        by_period.setdefault((money.currency, money.start, money.end), []).append(money)
    chosen: list[Money] = []
    for items in by_period.values():
        revised = [m for m in items if m.budget_type == "2"]
        chosen.extend(revised or items)
    return chosen


class ActivityMapper:
    """Maps activities of one run; ``actors`` resolves organisations and countries."""

    def __init__(self, actors: Actors, validated: dict[tuple, dict[str, Any]] | None = None) -> None:
        self.actors = actors
        self.notes: dict[str, int] = {}
        #: Records validated so far, by content: a mapping pass after the first validates only what
        #: it maps differently (the run shares this between its passes).
        self.validated = {} if validated is None else validated

    def _valid(self, kind: str, record: dict[str, Any]) -> dict[str, Any]:
        """``record`` validated (:func:`validate_node`, :func:`validate_edge`), once per content."""
        key = (kind, *((k, tuple(v) if type(v) is list else v) for k, v in record.items()))
        found = self.validated.get(key)
        if found is None:
            found = self.validated[key] = (validate_node if kind == "node" else validate_edge)(record)
        return found

    def note(self, what: str) -> None:
        self.notes[what] = self.notes.get(what, 0) + 1

    def map(self, activity: Activity, assignments: list[Assignment], source: str) -> Mapped:
        """Records of one activity; :class:`Skip` when a record breaks the schema."""
        assert activity.identifier is not None
        pid = project_id(activity.identifier)
        project = self._project(activity, pid, source)
        edges: dict[tuple[str, str, str, str], dict[str, Any]] = {}

        def put(edge: dict[str, Any]) -> None:
            edges.setdefault(edge_identity(edge), edge)

        reporter = self.actors.org_id(activity.reporting_org, source) if activity.reporting_org else None
        funders: list[str] = []
        for org in activity.orgs:
            node = self.actors.org_id(org, source)
            if node is None:
                self.note("participating-org left out (no identifier, generic name)")
                continue
            if org.role == "1":
                funders.append(node)
            else:
                role = codes.ROLE_NAMES[org.role or ""]
                put(
                    {
                        "type": "IMPLEMENTS",
                        "source": node,
                        "target": pid,
                        "key": role,
                        "role": role,
                        "sources": [source],
                    }
                )
        with_amounts = set()
        for edge in self._amounts(activity, pid, source, reporter, funders):
            with_amounts.add(edge["source"])
            put(edge)
        for funder in dict.fromkeys(funders):
            if funder not in with_amounts:
                put({"type": "FUNDS", "source": funder, "target": pid, "sources": [source]})
        for code, share in self._recipients(activity):
            edge = {
                "type": "TARGETS",
                "source": pid,
                "target": self.actors.country_id(code, source),
                "sources": [source],
            }
            if share is not None:
                edge["percentage"] = share
            put(edge)
        for assignment in assignments:
            put(
                {
                    "type": "IN_PILLAR",
                    "source": pid,
                    "target": assignment.pillar,
                    "reason": assignment.reason,
                    "review": assignment.review,
                    "sources": [source],
                }
            )
        try:
            node = self._valid("node", project)
            records = [self._valid("edge", e) for e in edges.values()]
        except SchemaViolationError as exc:
            raise Skip("invalid_record", exc.detail) from None
        uses = {e["source"] for e in records} | {e["target"] for e in records}
        uses.discard(pid)
        return Mapped(activity.identifier, activity.last_updated, node, records, uses, list(activity.related))

    def _project(self, activity: Activity, pid: str, source: str) -> dict[str, Any]:
        name, other_titles = display_name(activity.titles)
        start, end, planned = choose_period(activity.dates)
        record: dict[str, Any] = {
            "type": "Project",
            "id": pid,
            "name": name or activity.identifier,
            "aliases": other_titles,
            "status": codes.STATUS[activity.status or ""],
            "dates_planned": planned,
            "iati_identifier": activity.identifier,
            "sectors": activity.sector_codes(),
            "sources": [source],
        }
        description = describe(activity)
        if description:
            record["description"] = description
        if start:
            record["start"] = start
        if end:
            record["end"] = end
        return record

    def _recipients(self, activity: Activity) -> list[tuple[str, float | None]]:
        if activity.countries:
            first: dict[str, float | None] = {}
            for code, share in activity.countries:
                first.setdefault(code, share)
            return list(first.items())
        return [(code, None) for code in dict.fromkeys(activity.transaction_countries)]

    def _amounts(
        self, activity: Activity, pid: str, source: str, reporter: str | None, funders: list[str]
    ) -> list[dict[str, Any]]:
        """FUNDS edges with amounts: per funder, kind and currency, the sum of that activity's values."""
        default = reporter or (funders[0] if len(set(funders)) == 1 else None)
        groups: dict[tuple[str, str, str], list[Money]] = {}
        for money in [*_budgets(activity.budgets), *activity.transactions]:
            funder = self.actors.org_id(money.provider, source) if money.provider else None
            funder = funder or default
            if funder is None:
                self.note(f"{money.kind} without a reporting or provider organisation")
                continue
            groups.setdefault((funder, money.kind, money.currency or ""), []).append(money)
        edges = []
        for (funder, kind, currency), items in sorted(groups.items()):
            total = round(sum(m.value for m in items), 2) + 0.0
            if total < 0:
                self.note(f"{kind} totals below zero (left out)")
                continue
            starts = [m.start for m in items if m.start]
            ends = [m.end for m in items if m.end]
            edge: dict[str, Any] = {
                "type": "FUNDS",
                "source": funder,
                "target": pid,
                "key": f"{kind}:{currency}",
                "amount": total,
                "currency": currency,
                "kind": kind,
                "sources": [source],
            }
            start, end = (min(starts) if starts else None), (max(ends) if ends else None)
            if start and end and end < start:
                end = None
            if start:
                edge["start"] = start
            if end:
                edge["end"] = end
            edges.append(edge)
        return edges
