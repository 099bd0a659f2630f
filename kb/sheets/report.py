"""An answer's table (:mod:`kb.tables`) as a workbook a Secretariat officer can forward.

A results sheet (the table's rows; each money column split into one numeric column per currency,
never added across currencies), the filters applied and the date of the data on top of it, and
an evidence sheet (every edge a result rests on, with its sources). Every text goes in as a
string cell (:func:`kb.cells.xlsx_row`): a name that reads like a formula is shown, never run.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from kb.cells import xlsx_row
from kb.presentation import KOSOVO_FOOTNOTE
from kb.tables import Table, evidence_table, for_files, names_kosovo_in

MONEY_FORMAT = "#,##0.00"
_NARROW = {"#", "priority", "kind", "level", "needs", "answered", "projects"}


def write_report(table: Table, path: Path, *, filters: str, data_date: str) -> Path:
    """Write ``table`` to ``path`` as a formatted workbook; ``filters`` in words
    (:func:`kb.questions.asked.filters_text`)."""
    columns, rows = for_files(table)
    headers = [c.header for c in columns]

    book = Workbook()
    sheet = book.active
    sheet.title = table.name.capitalize()
    sheet.append(xlsx_row(sheet, [table.title]))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(xlsx_row(sheet, ["Filters", filters or "none (everything)"]))
    sheet.append(xlsx_row(sheet, ["Data as of", data_date]))
    sheet.append(xlsx_row(sheet, ["Amounts", "per currency, never added across currencies"]))
    sheet.append([])
    sheet.append(xlsx_row(sheet, headers))
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="1F3B57")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    money_at = [i for i, c in enumerate(columns, start=1) if c.money]
    for values in rows:
        sheet.append(xlsx_row(sheet, values))
        for index in money_at:
            sheet.cell(sheet.max_row, index).number_format = MONEY_FORMAT
    if rows:
        sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(headers))}{sheet.max_row}"
    else:
        sheet.append(xlsx_row(sheet, [table.empty]))
    sheet.freeze_panes = sheet.cell(header_row + 1, 1)
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = 14 if header.casefold() in _NARROW else 26
    if names_kosovo_in(table):
        sheet.append([])
        sheet.append(xlsx_row(sheet, [KOSOVO_FOOTNOTE]))

    edges = evidence_table(table)
    evidence = book.create_sheet("Evidence")
    evidence.append(["Result #", "Edge", "From", "To", "Key", "Sources"])
    for cell in evidence[1]:
        cell.font = Font(bold=True)
    for row in edges.rows:
        evidence.append(xlsx_row(evidence, row))
    for letter, width in zip("ABCDEF", (10, 16, 34, 34, 18, 60), strict=True):
        evidence.column_dimensions[letter].width = width
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path
