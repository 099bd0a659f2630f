"""Cells a spreadsheet shows, never runs: the one rule for every CSV and XLSX the project writes.

Names come from partners' sheets, IATI files, JSON batches and the API, so any of them may be
``=HYPERLINK("http://…","click")`` or ``=cmd|' /C calc'!A0``. Excel and LibreOffice take a
cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a formula
(OWASP, "CSV Injection"). So:

- **CSV** (``--csv``, ``kb export --format csv``): such a text cell is written with a leading
  apostrophe, which makes a spreadsheet show it as text (:func:`safe_text`). A text that is a
  plain number (``-1,250.50``) is left as it is, and so are numbers: a negative amount stays a
  number.
- **XLSX** (reports, templates and their hidden *Lists* sheet): every text is written as a
  string cell (``t="inlineStr"``), never as a formula, and a risky one also carries Excel's
  quote prefix, so editing the cell in Excel keeps it text (:func:`xlsx_cell`). The text is
  unchanged, so ``kb import sheet`` of a template we wrote reads back the names as stored.
  Characters a workbook cannot hold (control characters) are written as U+FFFD.

No reader strips the CSV apostrophe: none of the CSV files we write is an import format, and an
apostrophe a person typed into a CSV is their text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.worksheet.worksheet import Worksheet

#: First characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d[\d,]*)?\.?\d+(?:[eE][+-]?\d+)?")


def is_risky(value: object) -> bool:
    """Whether a spreadsheet would read ``value`` as a formula: text starting with = + - @ tab CR.

    >>> is_risky('=HYPERLINK("http://127.0.0.1:9/x","click")'), is_risky("@SUM(A1)")
    (True, True)
    >>> is_risky("-1,250.50"), is_risky(-5), is_risky("Serbia")
    (False, False, False)
    """
    return isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value)


def safe_text(value: Any) -> Any:
    """A CSV cell: risky text gets a leading apostrophe; anything else is returned as it is.

    >>> safe_text("=cmd|' /C calc'!A0")
    "'=cmd|' /C calc'!A0"
    >>> safe_text("-2+3"), safe_text("-2"), safe_text(-2.5), safe_text("Kosovo*")
    ("'-2+3", '-2', -2.5, 'Kosovo*')
    """
    return "'" + value if is_risky(value) else value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """A CSV row, each cell through :func:`safe_text`."""
    return [safe_text(v) for v in values]


def xlsx_cell(sheet: Worksheet, value: Any) -> Any:
    """``value`` as what ``sheet.append``/``sheet.cell`` may take: text as a string cell, never a formula.

    Numbers, dates and ``None`` are returned as they are.

    >>> from openpyxl import Workbook
    >>> sheet = Workbook().active
    >>> sheet.append([xlsx_cell(sheet, "=1+1"), xlsx_cell(sheet, -3)])
    >>> sheet["A1"].data_type, sheet["A1"].value, sheet["A1"].quotePrefix, sheet["B1"].data_type
    ('s', '=1+1', True, 'n')
    """
    if not isinstance(value, str):
        return value
    cell = Cell(sheet)
    _write_text(cell, value)
    return cell


def xlsx_row(sheet: Worksheet, values: Iterable[Any]) -> list[Any]:
    """A row for ``sheet.append``, each cell through :func:`xlsx_cell`."""
    return [xlsx_cell(sheet, v) for v in values]


def set_cell(sheet: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Write ``value`` at (``row``, ``column``) as :func:`xlsx_cell` would; the cell written."""
    cell = sheet.cell(row, column)
    if isinstance(value, str):
        _write_text(cell, value)
    else:
        cell.value = value
    return cell


def _write_text(cell: Cell, text: str) -> None:
    # openpyxl types any text starting with "=" as a formula on assignment: type it back.
    cell.value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    cell.data_type = "s"
    if is_risky(text):
        cell.quotePrefix = True
