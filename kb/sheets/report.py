"""Analysis results as a workbook a Secretariat officer can forward.

A results sheet (one row per result, amounts in one column per currency with number formats,
never added across currencies), an evidence sheet (every edge a result rests on, with its
sources), and the filters applied and date of the data on top of the results sheet.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from kb.analysis.models import Amounts, CofundingPair, Coverage, Evidence, Gap, NodeRef, Overlap
from kb.presentation import KOSOVO_FOOTNOTE, display, names_kosovo

REPORTS = ("overlaps", "gaps", "coverage", "cofunding")
MONEY_FORMAT = "#,##0.00"


def _names(refs: Iterable[NodeRef]) -> str:
    return "; ".join(display(r.name) for r in refs)


def _currencies(rows: Sequence[dict[str, Any]]) -> list[str]:
    return sorted({c for row in rows for amounts in row.get("_money", {}).values() for c in amounts})


def _overlap_rows(results: Sequence[Overlap]) -> list[dict[str, Any]]:
    return [
        {
            "#": i,
            "Level": o.level,
            "Need or context": display(o.need.name) if o.need else "; ".join(o.context),
            "Priority": o.priority or "",
            "Partner": _names(o.countries),
            "Donors": _names(o.donors),
            "Implementers": _names(o.implementers),
            "Projects": _names(o.projects),
            "Overlap from": o.period.start,
            "Overlap until": o.period.end or "open",
            "_money": {"Amount": o.amounts},
            "_evidence": o.evidence,
        }
        for i, o in enumerate(results, 1)
    ]


def _gap_rows(results: Sequence[Gap]) -> list[dict[str, Any]]:
    return [
        {
            "#": i,
            "Kind": g.kind.replace("_", " "),
            "Priority": g.priority,
            "Need": display(g.need.name) if g.need else _names(g.needs),
            "Partner": _names(g.countries),
            "Pillar": _names(g.pillars),
            "Reason": display(g.reason),
            "Projects": _names(g.projects),
            "_money": {"Required": g.required, "Funded": g.funded, "Shortfall": g.shortfall},
            "_evidence": g.evidence,
        }
        for i, g in enumerate(results, 1)
    ]


def _coverage_rows(result: Coverage) -> list[dict[str, Any]]:
    return [
        {
            "Partner": display(c.country.name),
            "Pillar": display(c.pillar.name),
            "Needs": c.needs,
            "Needs addressed": c.addressed,
            "Projects": c.projects,
            "_money": {"Funding": c.amounts},
            "_evidence": [],
        }
        for c in result.cells
    ]


def _cofunding_rows(results: Sequence[CofundingPair]) -> list[dict[str, Any]]:
    return [
        {
            "#": i,
            "Donor A": display(p.donors[0].name),
            "Donor B": display(p.donors[1].name),
            "Shared needs": p.weight,
            "Needs": _names(p.needs),
            "_money": {"Funding": p.amounts},
            "_evidence": [],
        }
        for i, p in enumerate(results, 1)
    ]


ROWS = {
    "overlaps": _overlap_rows,
    "gaps": _gap_rows,
    "coverage": _coverage_rows,
    "cofunding": _cofunding_rows,
}
TITLES = {
    "overlaps": "Overlaps: several donors on one need at the same time",
    "gaps": "Gaps: needs nobody answers, or answers with too little",
    "coverage": "Coverage: pillar × partner",
    "cofunding": "Co-funding: donors sharing needs",
}


def write_report(kind: str, results: Any, path: Path, *, filters: str, data_date: str) -> Path:
    """Write ``results`` of analysis ``kind`` to ``path`` as a formatted workbook."""
    rows = ROWS[kind](results)
    currencies = _currencies(rows)
    money_labels = list(dict.fromkeys(label for row in rows for label in row.get("_money", {})))
    plain = [k for k in (rows[0] if rows else {}) if not k.startswith("_")]
    headers = plain + [f"{label} {c}" for label in money_labels for c in currencies] + ["Sources"]

    book = Workbook()
    sheet = book.active
    sheet.title = kind.capitalize()
    sheet.append([TITLES[kind]])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["Filters", filters or "none (everything)"])
    sheet.append(["Data as of", data_date])
    sheet.append(["Amounts", "per currency, never added across currencies"])
    sheet.append([])
    header_row = sheet.max_row + 1
    sheet.append(headers)
    for cell in sheet[header_row]:
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="1F3B57")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in rows:
        money: dict[str, Amounts] = row.get("_money", {})
        sources = sorted({s for e in row.get("_evidence", []) for s in e.sources})
        values = [row[k] for k in plain]
        values += [money.get(label, {}).get(c) for label in money_labels for c in currencies]
        sheet.append([*values, "; ".join(sources)])
        for index, header in enumerate(headers, start=1):
            if any(header == f"{label} {c}" for label in money_labels for c in currencies):
                sheet.cell(sheet.max_row, index).number_format = MONEY_FORMAT
    if not rows:
        sheet.append(["No results for this selection."])
    sheet.freeze_panes = sheet.cell(header_row + 1, 1)
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = 14 if header in ("#", "Priority") else 26
    texts = [str(v) for row in rows for k, v in row.items() if not k.startswith("_")]
    if names_kosovo(texts):
        sheet.append([])
        sheet.append([KOSOVO_FOOTNOTE])

    evidence = book.create_sheet("Evidence")
    evidence.append(["Result #", "Edge", "From", "To", "Key", "Sources"])
    for cell in evidence[1]:
        cell.font = Font(bold=True)
    for number, row in enumerate(rows, start=1):
        for e in row.get("_evidence", []):
            assert isinstance(e, Evidence)
            evidence.append([row.get("#", number), e.type, e.source, e.target, e.key, "; ".join(e.sources)])
    for letter, width in zip("ABCDEF", (10, 16, 34, 34, 18, 60)):
        evidence.column_dimensions[letter].width = width
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path
