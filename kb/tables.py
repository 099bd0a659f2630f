"""One table per kind of answer: its columns and rows defined once, for every way it is shown.

The CLI prints a :class:`Table` (:mod:`kb.cli.output`), ``--csv`` writes it (:func:`write_csv`),
``kb report … --xlsx`` lays it out as a workbook (:mod:`kb.sheets.report`) and a page renders it
as an HTML table: a column added here shows up in all four. Money cells hold amounts per currency
(``{"EUR": 1000.0}``): text shows them side by side, a workbook gives each currency its own
numeric column; amounts of two currencies are never added.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from kb.analysis.funding import RELATION_MEANING, RELATIONS
from kb.analysis.models import (
    Amounts,
    Converted,
    Evidence,
    FundingLine,
    Gap,
    NeedGaps,
    NodeRef,
    Overlap,
    Rate,
)
from kb.analysis.money import Rates
from kb.cells import safe_row
from kb.errors import InvalidInputError
from kb.presentation import KOSOVO_FOOTNOTE, amounts_text, display, money, names_kosovo, sources_text
from kb.questions.analyses import (
    BrokersReport,
    CoFundersReport,
    CofundingReport,
    CoverageReport,
    GapsReport,
    OverlapsReport,
    PathsReport,
    Report,
    WhoFundsReport,
)
from kb.questions.changes import ChangesReport

#: A cell: text, a number, a date, amounts per currency (``Column.money``), or the nodes it names
#: (shown as their names in text, as links on a page).
Cell = str | int | float | dt.date | Amounts | NodeRef | list[NodeRef] | None


@dataclass(frozen=True)
class Column:
    name: str
    #: Amounts per currency: one numeric column per currency in a workbook, text elsewhere.
    money: bool = False
    #: Nodes named by their short form (acronym, code) where they have one, else by their name.
    short: bool = True
    #: A value from a short fixed list (a priority): a page shows it as a badge.
    badge: bool = False
    #: Shown in a terminal without ``--wide`` (files and pages always have every column).
    brief: bool = True

    @property
    def header(self) -> str:
        """The name as a heading (a workbook's, a page's): ``need / context`` → ``Need / context``."""
        return self.name[:1].upper() + self.name[1:]


@dataclass
class Table:
    """Rows of one answer, with what a reader needs around them."""

    #: Short name (a workbook's sheet, a file name): ``overlaps``.
    name: str
    title: str
    columns: list[Column]
    rows: list[list[Cell]]
    #: Per row, the edges it rests on (with their sources); empty when the answer has none.
    evidence: list[list[Evidence]] = field(default_factory=list)
    #: One line under the table: totals, the rates applied.
    note: str | None = None
    #: What to say instead of an empty table.
    empty: str = "Nothing found."

    @property
    def headers(self) -> list[str]:
        return [c.name for c in self.columns]

    def head(self, n: int) -> Table:
        """The first ``n`` rows (a page's top list), with their evidence."""
        return replace(self, rows=self.rows[:n], evidence=self.evidence[:n])


# -- cells as text -----------------------------------------------------------------------------
def converted_text(c: Converted | None) -> str:
    if c is None:
        return ""
    text = money(c.total, c.base)
    return text + (f" (+ unconverted {amounts_text(c.unconverted)})" if c.unconverted else "")


def cell_text(value: Cell, column: Column) -> str:
    """A cell as text: amounts side by side, a date in ISO form, names as shown (Kosovo*)."""
    if value is None:
        return ""
    if column.money:
        return amounts_text(value) if value else ""  # type: ignore[arg-type]
    if isinstance(value, NodeRef | list):
        refs = [value] if isinstance(value, NodeRef) else value
        return display(", ".join(r.label if column.short else r.name for r in refs))
    if isinstance(value, float):
        return f"{value:.4f}"
    return display(str(value))


def text_rows(table: Table) -> list[list[str]]:
    return [[cell_text(v, c) for v, c in zip(row, table.columns, strict=True)] for row in table.rows]


def names_kosovo_in(table: Table) -> bool:
    """Whether the table names Kosovo, so the designation footnote is due once under it."""
    return names_kosovo(c for row in text_rows(table) for c in row)


def joint_text(line: FundingLine) -> str:
    """A funder's share in a joint total, as every face says it.

    >>> a = NodeRef(id="country:at", name="Austria", type="Country")
    >>> si = NodeRef(id="country:si", name="Slovenia", type="Country")
    >>> p = NodeRef(id="project:p", name="P", type="Project")
    >>> joint_text(FundingLine(actor=si, role="funder", project=p, status="implementation", period=None,
    ...                        amounts={}, joint={"EUR": 400000.0}, joint_with=[a], evidence=[]))
    '400,000 EUR jointly with Austria, not split'
    """
    if not line.joint:
        return ""
    return f"{amounts_text(line.joint)} jointly with {_names(line.joint_with) or 'others'}, not split"


def sources_of(evidence: Iterable[Evidence]) -> str:
    """The sources of ``evidence``, each once by its title and file (:func:`kb.presentation.source`)."""
    return sources_text(sorted({s for e in evidence for s in e.sources}))


@dataclass(frozen=True)
class FileColumn:
    """A column as a file for analysis holds it."""

    name: str
    #: An amount in one currency (a number, formatted as money in a workbook).
    money: bool = False

    @property
    def header(self) -> str:
        return self.name[:1].upper() + self.name[1:]


def for_files(table: Table) -> tuple[list[FileColumn], list[list[Any]]]:
    """The table as CSV and workbooks hold it, for analysis: each money column split into one numeric
    column per currency (``amount EUR``), each column naming nodes followed by their ids
    (``donors ids``), numbers as numbers, the rest as text."""
    split = dict(money_columns(table))
    named = [any(refs(c, row[i]) for row in table.rows) for i, c in enumerate(table.columns)]
    columns: list[FileColumn] = []
    for index, column in enumerate(table.columns):
        if column.money:
            columns += [FileColumn(f"{column.name} {c}", money=True) for c in split[column]]
        else:
            columns.append(FileColumn(column.name))
            if named[index]:
                columns.append(FileColumn(f"{column.name} ids"))
    rows = []
    for row in table.rows:
        values: list[Any] = []
        for index, (value, column) in enumerate(zip(row, table.columns, strict=True)):
            if column.money:
                values += [(value or {}).get(c) for c in split[column]]  # type: ignore[union-attr]
                continue
            values.append(value if isinstance(value, int | float) else cell_text(value, column))
            if named[index]:
                values.append("; ".join(r.id for r in refs(column, value)))
        rows.append(values)
    return columns, rows


def write_csv(table: Table, path: Path, *, filters: str | None = None) -> None:
    """The table as CSV for analysis (:func:`for_files`; cells formula-safe by
    :func:`kb.cells.safe_text`); after the rows, an empty line, the ``filters`` in words when
    given, and the footnote when due."""
    columns, rows = for_files(table)
    try:
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(safe_row(c.name for c in columns))
            writer.writerows(safe_row(row) for row in rows)
            if filters is not None or names_kosovo_in(table):
                writer.writerow([])
            if filters is not None:
                writer.writerow(safe_row([f"Filters: {filters}"]))
            if names_kosovo_in(table):
                writer.writerow([KOSOVO_FOOTNOTE])
    except OSError as exc:
        raise InvalidInputError(f"cannot write CSV file {path}: {exc.strerror or exc}") from None


# -- one table per answer ----------------------------------------------------------------------
def _names(refs: Iterable[NodeRef]) -> str:
    return ", ".join(r.label for r in refs)


def refs(column: Column, value: Cell) -> list[NodeRef]:
    """The nodes a cell names (for links), none for any other cell."""
    if isinstance(value, NodeRef):
        return [value]
    if isinstance(value, list) and all(isinstance(v, NodeRef) for v in value):
        return value  # type: ignore[return-value]
    return []


def _rates_note(rates: Rates | None, converted: Iterable[Converted | None]) -> str | None:
    if rates is None:
        return None
    used: dict[str, Rate] = {r.currency: r for c in converted if c for r in c.applied}
    if not used:
        return f"rates: none applied (base {rates.base})"
    return f"rates applied (to {rates.base}): " + "; ".join(
        f"1 {r.currency} = {r.rate:g} {rates.base} ({r.date}, {r.source})" for r in used.values()
    )


def _empty(report: Report, what: str) -> str:
    if getattr(report, "selected", 1) == 0:
        return "The selection is empty: no need or project matches these filters."
    return f"No {what} in this selection."


def _converted_column(rates: Rates | None) -> list[Column]:
    return [Column("converted")] if rates else []


def overlaps_table(found: list[Overlap], rates: Rates | None = None, *, empty: str = "No overlaps.") -> Table:
    columns = [
        Column("#"),
        Column("level", brief=False),
        Column("need / context", short=False),
        Column("priority", badge=True, brief=False),
        Column("partner"),
        Column("donors"),
        Column("implementers", brief=False),
        Column("projects", short=False, brief=False),
        Column("period"),
        Column("from", brief=False),
        Column("until", brief=False),
        Column("amount", money=True),
        *_converted_column(rates),
        Column("sources", brief=False),
    ]
    rows: list[list[Cell]] = [
        [
            i,
            o.level if o.level == "need" else "context (possible)",
            o.need if o.need else "; ".join(o.context),
            o.priority or "",
            o.countries,
            o.donors,
            o.implementers,
            o.projects,
            o.period.label(),
            o.period.start or "…",
            o.period.end or "open",
            o.amounts,
            *([converted_text(o.converted)] if rates else []),
            sources_of(o.evidence),
        ]
        for i, o in enumerate(found, 1)
    ]
    return Table(
        name="overlaps",
        title="Overlaps: several donors on one need at the same time",
        columns=columns,
        rows=rows,
        evidence=[o.evidence for o in found],
        note=_rates_note(rates, (o.converted for o in found)),
        empty=empty,
    )


def gaps_table(found: list[Gap], rates: Rates | None = None, *, empty: str = "No gaps.") -> Table:
    rows: list[list[Cell]] = [
        [
            i,
            g.kind.replace("_", " "),
            g.priority,
            g.need if g.need else g.needs,
            g.countries,
            g.pillars,
            g.required,
            g.funded if g.kind == "underfunded" else {},
            g.shortfall,
            g.uncounted,
            *([converted_text(g.converted)] if rates else []),
            g.projects,
            g.reason,
            sources_of(g.evidence),
        ]
        for i, g in enumerate(found, 1)
    ]
    columns = [
        Column("#"),
        Column("kind"),
        Column("priority", badge=True),
        Column("need", short=False),
        Column("partner"),
        Column("pillar", brief=False),
        Column("required", money=True, brief=False),
        Column("funded", money=True, brief=False),
        Column("shortfall", money=True, brief=False),
        Column("not comparable", money=True, brief=False),
        *_converted_column(rates),
        Column("projects", short=False, brief=False),
        Column("why"),
        Column("sources", brief=False),
    ]
    return Table(
        name="gaps",
        title="Gaps: needs nobody answers, or answers with too little",
        columns=columns,
        rows=rows,
        evidence=[g.evidence for g in found],
        note=_rates_note(rates, (g.converted for g in found)),
        empty=empty,
    )


def need_gaps_table(found: list[NeedGaps]) -> Table:
    """Needs with gaps, each need once with all its gap kinds (the overview's list)."""
    return Table(
        name="gap-needs",
        title="Needs with gaps",
        columns=[
            Column("#"),
            Column("kinds"),
            Column("priority", badge=True),
            Column("need", short=False),
            Column("partner"),
            Column("pillar"),
            Column("shortfall", money=True),
            Column("why"),
        ],
        rows=[
            [
                i,
                ", ".join(k.replace("_", " ") for k in n.kinds),
                n.priority,
                n.need,
                n.countries,
                n.pillars,
                n.shortfall,
                "; ".join(n.reasons),
            ]
            for i, n in enumerate(found, 1)
        ],
        empty="No gaps.",
    )


def who_funds_table(report: WhoFundsReport, rates: Rates | None = None) -> Table:
    result = report.who_funds
    note = f"total (not cancelled): {amounts_text(result.totals)}"
    if result.joint:
        note += f", of which {amounts_text(result.joint)} given jointly (not split between its funders)"
    if result.required:
        note += f"; required: {amounts_text(result.required)}"
    if result.converted:
        note += f"; converted: {converted_text(result.converted)}; {_rates_note(rates, [result.converted])}"
    return Table(
        name="who-funds",
        title=f"Who funds {result.need.name} ({_names(result.countries)}, priority {result.priority})",
        columns=[
            Column("actor"),
            Column("role"),
            Column("project", short=False),
            Column("status", brief=False),
            Column("active"),
            Column("amount", money=True),
            Column("jointly"),
        ],
        rows=[
            [
                line.actor,
                line.role,
                line.project,
                line.status,
                line.period.label() if line.period else "not active",
                line.amounts if line.role == "funder" else {},
                joint_text(line),
            ]
            for line in result.lines
        ],
        evidence=[line.evidence for line in result.lines],
        note=note,
        empty=f"No project addresses {result.need.id}.",
    )


def co_funders_table(report: CoFundersReport, rates: Rates | None = None) -> Table:
    rows: list[list[Cell]] = []
    evidence: list[list[Evidence]] = []
    for n in report.needs:
        own: Amounts = {}
        for line in n.own:
            for c, v in line.amounts.items():
                own[c] = own.get(c, 0.0) + v
        own_projects = [line.project for line in n.own]
        for other in n.others or [None]:
            rows.append(
                [
                    n.need,
                    n.priority,
                    own_projects,
                    own,
                    other.actor if other else "— nobody else",
                    RELATIONS[other.relation] if other else "",
                    other.project if other else "",
                    other.period.label() if other and other.period else "",
                    other.amounts if other else {},
                    "; ".join(
                        filter(
                            None, [*(joint_text(line) for line in n.own), joint_text(other) if other else ""]
                        )
                    ),
                ]
            )
            evidence.append([e for line in n.own for e in line.evidence] + (other.evidence if other else []))
    return Table(
        name="co-funders",
        title=f"Co-funders of {report.org.name}",
        note="; ".join(f"{RELATIONS[r]}: {m}" for r, m in RELATION_MEANING.items()),
        columns=[
            Column("need", short=False),
            Column("priority", badge=True, brief=False),
            Column("its projects", short=False, brief=False),
            Column("its amounts", money=True, brief=False),
            Column("other funder"),
            Column("relation"),
            Column("project", short=False),
            Column("active", brief=False),
            Column("amount", money=True),
            Column("jointly"),
        ],
        rows=rows,
        evidence=evidence,
        empty=f"{report.org.id} funds no project addressing a need"
        + (" in this selection." if not report.filters.is_empty() else "."),
    )


def cofunding_table(report: CofundingReport, rates: Rates | None = None) -> Table:
    pairs = report.pairs
    return Table(
        name="cofunding",
        title="Co-funding: donor pairs sharing needs",
        columns=[
            Column("#"),
            Column("donor"),
            Column("donor"),
            Column("shared needs"),
            Column("needs", short=False),
            Column("funding", money=True),
            *_converted_column(rates),
        ],
        rows=[
            [
                i,
                p.donors[0],
                p.donors[1],
                p.weight,
                p.needs,
                p.amounts,
                *([converted_text(p.converted)] if rates else []),
            ]
            for i, p in enumerate(pairs, 1)
        ],
        note=_rates_note(rates, (p.converted for p in pairs)),
        empty=_empty(report, "pair of donors sharing a need"),
    )


def coverage_table(report: CoverageReport, rates: Rates | None = None) -> Table:
    result = report.coverage
    return Table(
        name="coverage",
        title="Coverage: partner × pillar",
        columns=[
            Column("partner", short=False),
            Column("pillar"),
            Column("needs"),
            Column("answered"),
            Column("projects"),
            Column("funding", money=True),
            *_converted_column(rates),
        ],
        rows=[
            [
                c.country,
                c.pillar,
                c.needs,
                c.addressed,
                c.projects,
                c.amounts,
                *([converted_text(c.converted)] if rates else []),
            ]
            for c in result.cells
        ],
        note=_rates_note(rates, (c.converted for c in result.cells)),
        empty="No partner or pillar stored.",
    )


def brokers_table(report: BrokersReport, rates: Rates | None = None) -> Table:
    return Table(
        name="brokers",
        title="Brokers",
        columns=[
            Column("#"),
            Column("actor"),
            Column("type"),
            Column("betweenness"),
            Column("partners"),
            Column("groups joined", brief=False),
            Column("projects"),
            Column("events", brief=False),
        ],
        rows=[
            [i, b.actor, b.actor.type, b.betweenness, b.partners, b.groups_joined, b.projects, b.events]
            for i, b in enumerate(report.brokers, 1)
        ],
        note="betweenness: share of shortest actor-to-actor links passing through the actor; "
        "groups joined ≥ 2: without it some actors would not be connected",
        empty="No actor links otherwise separate actors (no shared projects or events).",
    )


def paths_table(report: PathsReport, rates: Rates | None = None) -> Table:
    found = report.paths
    return Table(
        name="paths",
        title=f"Paths from {report.from_.name} to {report.to.name}",
        columns=[Column("path"), Column("step"), Column("node", short=False), Column("type"), Column("via")],
        rows=[
            [i, j, s.node, s.node.type, s.via or ""]
            for i, p in enumerate(found, 1)
            for j, s in enumerate(p.steps)
        ],
        note=f"{len(found)} shortest path(s) of length {found[0].length}" if found else None,
        empty=f"{report.from_.id} and {report.to.id} are not connected through projects or events.",
    )


def changes_table(report: ChangesReport, rates: Rates | None = None) -> Table:
    """What changed between two states: one row per need, answer, overlap or funding change."""
    if report.since is not None:
        title = f"Changes since {report.since}"
    else:
        title = f"Changes from {report.cycle} to {report.to_cycle or 'now'}"
    return Table(
        name="changes",
        title=title,
        columns=[
            Column("what"),
            Column("change"),
            Column("name"),
            Column("donor"),
            Column("currency"),
            Column("before"),
            Column("after"),
            Column("detail", brief=False),
            Column("ids", brief=False),
        ],
        rows=[
            [c.what, c.change, c.name, c.donor, c.currency, c.before, c.after, c.detail, " ".join(c.ids)]
            for c in report.changes
        ],
        note=f"from the state after batch {report.from_batch} to "
        + (f"the state after batch {report.to_batch}" if report.to_batch is not None else "now"),
        empty="Nothing changed.",
    )


def evidence_table(table: Table) -> Table:
    """Every edge the rows of ``table`` rest on, with its sources, numbered by row."""
    return Table(
        name="evidence",
        title="Evidence",
        columns=[
            Column("#"),
            Column("edge"),
            Column("from"),
            Column("to"),
            Column("key", brief=False),
            Column("sources", brief=False),
        ],
        rows=[
            [i, e.type, e.source, e.target, e.key, sources_text(e.sources)]
            for i, edges in enumerate(table.evidence, 1)
            for e in edges
        ],
        empty="No evidence.",
    )


_TABLES: dict[type[Report], Callable[[Any, Rates | None], Table]] = {
    OverlapsReport: lambda r, rates: overlaps_table(r.overlaps, rates, empty=_empty(r, "overlaps")),
    GapsReport: lambda r, rates: gaps_table(r.gaps, rates, empty=_empty(r, "gaps")),
    WhoFundsReport: who_funds_table,
    CoFundersReport: co_funders_table,
    CofundingReport: cofunding_table,
    CoverageReport: coverage_table,
    BrokersReport: brokers_table,
    PathsReport: paths_table,
    ChangesReport: changes_table,
}


def table_of(report: Report, rates: Rates | None = None) -> Table:
    """The table of any report (``rates``: add the converted column and say which rates did it)."""
    return _TABLES[type(report)](report, rates)


def money_columns(table: Table) -> Sequence[tuple[Column, list[str]]]:
    """Each money column with the currencies its cells hold, sorted (for one column per currency)."""
    out = []
    for index, column in enumerate(table.columns):
        if column.money:
            currencies = sorted({c for row in table.rows for c in (row[index] or {})})  # type: ignore[union-attr]
            out.append((column, currencies))
    return out
