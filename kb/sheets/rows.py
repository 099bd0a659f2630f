"""Filled sheets to records: every row checked, every problem reported at once, then all-or-nothing.

Partners and pillars must be known (they are never created from a sheet). Donors, implementers
and institutions are matched to existing nodes by the project's one matcher
(:mod:`kb.matching`, shared with the IATI import); a name it cannot match is reported as new,
and created only when the caller allows it. Each record cites ``FILE!SHEET:ROW``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from graph_schema import (
    DEFAULT_PRIORITY,
    DEFAULT_STATUS,
    FUNDER_TYPES,
    IMPLEMENTER_TYPES,
    PRIORITIES,
    STATUSES,
)
from kb.errors import SchemaViolationError
from kb.records import Batch, parse_batch
from kb.sheets.layouts import Layout
from kb.sheets.values import CellError, Problem, currency_code, is_blank, parse_amount, parse_date, parse_end
from kb.sheets.workbook import Table
from kb.store.port import GraphStore
from kb.text import fold

EXAMPLE_MARK = "EXAMPLE"


def slug(text: str, limit: int = 70) -> str:
    """A readable id part from any text.

    >>> slug("Border surveillance – Drina (phase 2)")
    'border-surveillance-drina-phase-2'
    """
    return re.sub(r"-+", "-", fold(text).replace(" ", "-")).strip("-")[:limit].rstrip("-") or "x"


@dataclass
class Known:
    """The store's partners, pillars, needs and actors, looked up by folded name, code or id."""

    partners: dict[str, dict[str, Any]] = field(default_factory=dict)
    pillars: dict[str, dict[str, Any]] = field(default_factory=dict)
    needs: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, store: GraphStore) -> Known:
        known = cls()
        for country in store.nodes(type="Country"):
            if country.get("wb_partner"):
                for key in (country["id"], country["code"], country["name"], *country.get("aliases", [])):
                    known.partners[fold(key)] = country
        for pillar in store.nodes(type="Pillar"):
            for key in (
                pillar["id"],
                pillar["code"],
                pillar["name"],
                str(pillar["number"]),
                *pillar.get("aliases", []),
            ):
                known.pillars[fold(key)] = pillar
        for need in store.nodes(type="Need"):
            for key in (need["id"], need["name"]):
                known.needs[fold(key)] = need
        return known


#: Finds an existing actor for a name: (id, how it matched) or None.
Matcher = Callable[[str, tuple[str, ...]], "tuple[str, str] | None"]


@dataclass
class SheetImport:
    """What a sheet would write, what is wrong with it, and which names are new."""

    batch: Batch
    problems: list[Problem]
    new_names: dict[str, str]
    matched: dict[str, str]
    rows: int

    def raise_if_problems(self, file: str) -> None:
        if self.problems:
            lines = "\n".join(f"  {p}" for p in self.problems)
            raise SchemaViolationError(
                f"{len(self.problems)} problem(s) in {file}; nothing was imported:\n{lines}",
                errors=[p.__dict__ for p in self.problems],
            )


class RowReader:
    """Turns one sheet's rows into records, collecting problems instead of stopping at the first."""

    def __init__(
        self, table: Table, layout: Layout, known: Known, matcher: Matcher, *, create_new: bool
    ) -> None:
        self.table, self.layout, self.known, self.matcher = table, layout, known, matcher
        self.create_new = create_new
        self.problems: list[Problem] = list(table.problems)
        self.new_names: dict[str, str] = {}
        self.matched: dict[str, str] = {}
        self.nodes: dict[str, dict[str, Any]] = {}
        self.edges: list[dict[str, Any]] = []
        self._matches: dict[tuple[str, tuple[str, ...]], tuple[str, str] | None] = {}

    # -- cells --------------------------------------------------------------------
    def cells(self, row: list[object], name: str) -> list[tuple[int, object]]:
        return [
            (i, row[i]) for i in self.layout.columns.get(name, []) if i < len(row) and not is_blank(row[i])
        ]

    def cell(self, row: list[object], name: str) -> tuple[int | None, object]:
        found = self.cells(row, name)
        if found:
            return found[0]
        columns = self.layout.columns.get(name)
        return (columns[0] if columns else None), self.layout.defaults.get(name)

    def problem(self, row_number: int, column: int | None, value: object, message: str) -> None:
        letter = get_column_letter(column + 1) if column is not None else "-"
        self.problems.append(
            Problem(self.table.sheet, row_number, letter, "" if value is None else str(value), message)
        )

    def source(self, row_number: int) -> list[str]:
        return [f"{self.table.file}!{self.table.sheet}:{row_number}"]

    # -- lookups ------------------------------------------------------------------
    def partner(self, row: list[object], n: int) -> dict[str, Any] | None:
        col, value = self.cell(row, "partner")
        if is_blank(value):
            self.problem(n, col, value, "the partner is missing")
            return None
        found = self.known.partners.get(fold(str(value)))
        if found is None:
            self.problem(n, col, value, "not one of the six WB partners (AL, BA, XK, ME, MK, RS)")
        return found

    def pillar(self, row: list[object], n: int, required: bool) -> dict[str, Any] | None:
        col, value = self.cell(row, "pillar")
        if is_blank(value):
            if required:
                self.problem(n, col, value, "the pillar is missing (WBCTi, WBCSCi or WBBSi)")
            return None
        found = self.known.pillars.get(fold(str(value)))
        if found is None:
            self.problem(n, col, value, "unknown pillar (WBCTi, WBCSCi or WBBSi)")
        return found

    def actor(
        self, n: int, col: int | None, name: str, *, kinds: tuple[str, ...], partner: dict | None
    ) -> str | None:
        """The id of an existing actor named ``name``, or a new one when allowed."""
        name = name.strip()
        key = (name, kinds)
        if key not in self._matches:
            self._matches[key] = self.matcher(name, kinds)
        hit = self._matches[key]
        if hit:
            self.matched[name] = f"{hit[0]} ({hit[1]})"
            return hit[0]
        if kinds == ("Institution",):
            new_id = f"inst:{(partner or {}).get('code', 'xx').lower()}-{slug(name)}"
            record = {"type": "Institution", "id": new_id, "name": name}
            if partner:
                self.link(n, new_id, "PART_OF", partner["id"])
        else:
            new_id = f"org:{slug(name)}"
            record = {"type": "Organisation", "id": new_id, "name": name}
        self.new_names[name] = new_id
        if not self.create_new:
            self.problem(
                n,
                col,
                name,
                f"no known organisation or institution of that name (would be created as "
                f"{new_id}; allow it with --create-new)",
            )
            return None
        self.nodes.setdefault(new_id, {**record, "sources": self.source(n)})
        return new_id

    def dates(self, row: list[object], n: int) -> tuple[str | None, str | None]:
        start = end = None
        col, value = self.cell(row, "start")
        if not is_blank(value):
            try:
                start = parse_date(value).isoformat()
            except CellError as exc:
                self.problem(n, col, value, str(exc))
        col, value = self.cell(row, "end")
        try:
            parsed = parse_end(value)
            end = parsed.isoformat() if parsed else None
        except CellError as exc:
            self.problem(n, col, value, str(exc))
        if start and end and end < start:
            self.problem(n, col, value, f"the end {end} is before the start {start}")
        return start, end

    def money(self, row: list[object], n: int) -> tuple[float | None, str | None]:
        col, value = self.cell(row, "amount")
        amount = currency = None
        if not is_blank(value):
            try:
                amount, currency = parse_amount(value)
            except CellError as exc:
                self.problem(n, col, value, str(exc))
        ccol, cvalue = self.cell(row, "currency")
        if not is_blank(cvalue):
            try:
                written = currency_code(str(cvalue))
                if currency and written != currency:
                    self.problem(
                        n, ccol, cvalue, f"the amount says {currency} but the currency column says {written}"
                    )
                currency = written
            except CellError as exc:
                self.problem(n, ccol, cvalue, str(exc))
        if amount is not None and currency is None:
            self.problem(n, ccol, cvalue, "an amount needs its currency (e.g. EUR)")
        return amount, currency

    def choice(self, row: list[object], n: int, name: str, allowed: tuple[str, ...], default: str) -> str:
        col, value = self.cell(row, name)
        if is_blank(value):
            return default
        text = str(value).strip().lower()
        if text not in allowed:
            self.problem(n, col, value, f"use one of: {', '.join(allowed)}")
            return default
        return text

    # -- rows ---------------------------------------------------------------------
    def data_rows(self) -> list[tuple[int, list[object]]]:
        out = []
        for index in range(self.layout.first_data_row, len(self.table.rows)):
            row = self.table.rows[index]
            if all(is_blank(v) for v in row):
                continue
            _, name = self.cell(row, "name")
            if isinstance(name, str) and name.strip().upper().startswith(EXAMPLE_MARK):
                continue
            out.append((index + 1, row))
        return out

    def need_row(self, n: int, row: list[object]) -> None:
        col, name = self.cell(row, "name")
        partner = self.partner(row, n)
        pillar = self.pillar(row, n, required=True)
        if is_blank(name):
            self.problem(n, col, name, "the need is missing")
            return
        start, end = self.dates(row, n)
        amount, currency = self.money(row, n)
        priority = self.choice(row, n, "priority", PRIORITIES, DEFAULT_PRIORITY)
        if not (partner and pillar):
            return
        need_id = f"need:{partner['code'].lower()}-{slug(str(name))}"
        _, description = self.cell(row, "description")
        _, cycle = self.cell(row, "cycle")
        record = {
            "type": "Need",
            "id": need_id,
            "name": str(name).strip(),
            "priority": priority,
            "sources": self.source(n),
            "start": start,
            "end": end,
            "required_amount": amount,
            "required_currency": currency if amount is not None else None,
            "description": None if is_blank(description) else str(description).strip(),
            "cycle": None if is_blank(cycle) else str(cycle).strip(),
        }
        if need_id in self.nodes:
            self.problem(
                n,
                col,
                name,
                f"the same need for the same partner is already on row "
                f"{self.nodes[need_id]['sources'][0].rsplit(':', 1)[1]}",
            )
            return
        self.nodes[need_id] = {k: v for k, v in record.items() if v is not None}
        self.link(n, need_id, "STATED_BY", partner["id"])
        self.link(n, need_id, "IN_PILLAR", pillar["id"])
        icol, institution = self.cell(row, "institution")
        if not is_blank(institution):
            inst = self.actor(n, icol, str(institution), kinds=("Institution",), partner=partner)
            if inst:
                self.link(n, inst, "RESPONSIBLE_FOR", need_id)

    def response_row(self, n: int, row: list[object]) -> None:
        col, name = self.cell(row, "name")
        partner = self.partner(row, n)
        pillar = self.pillar(row, n, required=self.layout.how == "template")
        start, end = self.dates(row, n)
        amount, currency = self.money(row, n)
        status = self.choice(row, n, "status", STATUSES, DEFAULT_STATUS)
        if is_blank(name):
            self.problem(n, col, name, "the project name is missing")
            return
        donors = [v for f in ("donors", "donor_1", "donor_2", "donor_3") for v in self.cells(row, f)]
        if not donors:
            self.problem(
                n,
                (self.layout.columns.get("donor_1") or self.layout.columns.get("donors") or [None])[0],
                None,
                "at least one donor is needed",
            )
        if not partner:
            return
        project_id = f"project:{partner['code'].lower()}-{slug(str(name))}"
        if project_id in self.nodes:
            self.problem(n, col, name, "the same project for the same partner is already on an earlier row")
            return
        extra = [
            f"{k}: {v}" for k in ("location", "topic") for _, v in [self.cell(row, k)] if not is_blank(v)
        ]
        _, description = self.cell(row, "description")
        _, cycle = self.cell(row, "cycle")
        text = "; ".join([*([str(description).strip()] if not is_blank(description) else []), *extra]) or None
        record = {
            "type": "Project",
            "id": project_id,
            "name": str(name).strip(),
            "status": status,
            "start": start,
            "end": end,
            "sources": self.source(n),
            "description": text,
            "cycle": None if is_blank(cycle) else str(cycle).strip(),
        }
        self.nodes[project_id] = {k: v for k, v in record.items() if v is not None}
        self.link(n, project_id, "TARGETS", partner["id"])
        if pillar:
            self.link(n, project_id, "IN_PILLAR", pillar["id"])
        # One amount for one donor is that donor's commitment. One amount for several donors is a
        # joint total nobody's share of which is known: each donor's FUNDS states it as ``joint``,
        # and the analyses count it once, never split.
        joint = len(donors) > 1 and amount is not None
        for dcol, donor in donors:
            donor_id = self.actor(n, dcol, str(donor), kinds=FUNDER_TYPES, partner=None)
            if donor_id:
                self.link(
                    n,
                    donor_id,
                    "FUNDS",
                    project_id,
                    amount=amount,
                    currency=currency if amount is not None else None,
                    kind="commitment",
                    joint=joint or None,
                    start=start,
                    end=end,
                )
        icol, implementer = self.cell(row, "implementer")
        if not is_blank(implementer):
            impl = self.actor(n, icol, str(implementer), kinds=IMPLEMENTER_TYPES, partner=None)
            if impl:
                self.link(n, impl, "IMPLEMENTS", project_id)
        bcol, beneficiary = self.cell(row, "beneficiary")
        if not is_blank(beneficiary):
            inst = self.actor(n, bcol, str(beneficiary), kinds=("Institution",), partner=partner)
            if inst:
                self.link(n, project_id, "BENEFITS", inst)
        ncol, need = self.cell(row, "need")
        if not is_blank(need):
            found = self.known.needs.get(fold(str(need)))
            if found is None:
                self.problem(n, ncol, need, "no need of that name or id in the knowledge base")
            else:
                self.link(n, project_id, "ADDRESSES", found["id"])

    def link(self, n: int, source: str, edge_type: str, target: str, **props: Any) -> None:
        self.edges.append(
            {
                "type": edge_type,
                "source": source,
                "target": target,
                "sources": self.source(n),
                **{k: v for k, v in props.items() if v is not None},
            }
        )

    def read(self) -> SheetImport:
        rows = self.data_rows()
        handle = self.need_row if self.layout.kind == "needs" else self.response_row
        for n, row in rows:
            handle(n, row)
        batch = Batch()
        if not self.problems:
            try:
                batch = parse_batch(
                    {"nodes": list(self.nodes.values()), "edges": self.edges},
                    origin=f"{self.table.file}!{self.table.sheet}",
                )
            except SchemaViolationError as exc:
                self.problems.append(Problem(self.table.sheet, 0, "-", "", str(exc)))
        return SheetImport(
            batch=batch,
            problems=self.problems,
            new_names=self.new_names,
            matched=self.matched,
            rows=len(rows),
        )


def read_sheet(
    table: Table, layout: Layout, store: GraphStore, matcher: Matcher, *, create_new: bool = False
) -> SheetImport:
    """Read every row of ``table``; nothing is written."""
    return RowReader(table, layout, Known.load(store), matcher, create_new=create_new).read()


def summary(result: SheetImport) -> Mapping[str, Any]:
    return {
        "rows": result.rows,
        "problems": len(result.problems),
        **result.batch.summary(),
        "new": result.new_names,
        "matched": result.matched,
    }
