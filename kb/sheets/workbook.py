"""Opening what users send: XLSX or CSV, refused early and clearly when it is something else.

A workbook is a zip file; before openpyxl expands anything, the zip's directory is checked
against size and compression-ratio limits, so a zip bomb is refused without being expanded.
Formulas are read through their cached values (what Excel last showed); a formula with no
cached value is reported, since its value cannot be known without Excel.
"""

from __future__ import annotations

import csv
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from kb.errors import ImportFormatError
from kb.sheets.values import Problem, is_blank

#: Refuse workbooks that would expand past this many bytes.
MAX_EXPANDED_BYTES = 200 * 2**20
#: Refuse members compressed more than this (real sheets compress ~5-20x).
MAX_RATIO = 200
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: Sheets of our own templates that hold no data.
HELPER_SHEETS = frozenset({"instructions", "lists", "read me", "readme"})


@dataclass
class Table:
    """The cells of one sheet (values, not formulas), trailing empty rows and columns trimmed."""

    file: str
    sheet: str
    rows: list[list[object]]
    problems: list[Problem] = field(default_factory=list)


def _trim(rows: list[list[object]]) -> list[list[object]]:
    while rows and all(is_blank(v) for v in rows[-1]):
        rows.pop()
    width = max((i + 1 for row in rows for i, v in enumerate(row) if not is_blank(v)), default=0)
    return [list(row[:width]) + [None] * (width - len(row[:width])) for row in rows]


def _check_zip(path: Path) -> None:
    with path.open("rb") as fh:
        head = fh.read(8)
    if head == _OLE_MAGIC:
        raise ImportFormatError(
            f"{path.name}: a password-protected workbook or an old .xls file: save it as .xlsx without a password"
        )
    if not zipfile.is_zipfile(path):
        raise ImportFormatError(f"{path.name}: not an Excel workbook (.xlsx) or a CSV file")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise ImportFormatError(f"{path.name}: damaged workbook: {exc}") from exc
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names:
        raise ImportFormatError(f"{path.name}: a zip file, but not an Excel workbook (no xl/workbook.xml)")
    expanded = sum(m.file_size for m in members)
    if expanded > MAX_EXPANDED_BYTES:
        raise ImportFormatError(
            f"{path.name}: would expand to {expanded:,} bytes, over the limit of {MAX_EXPANDED_BYTES:,}: refused"
        )
    for m in members:
        if m.file_size > 2**20 and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            raise ImportFormatError(
                f"{path.name}: {m.filename} is compressed {m.file_size // max(m.compress_size, 1)}x: "
                "looks like a zip bomb, refused"
            )


def _has_formulas(path: Path) -> bool:
    """Whether any worksheet holds a formula (an ``<f>`` element), read without expanding all at once."""
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if member.startswith("xl/worksheets/") and member.endswith(".xml"):
                with archive.open(member) as fh:
                    tail = b""
                    while chunk := fh.read(1 << 20):
                        block = tail + chunk
                        if b"<f>" in block or b"<f " in block:
                            return True
                        tail = block[-3:]
    return False


def _pick_sheet(names: list[str], wanted: str | None, file: str) -> str:
    if wanted:
        if wanted not in names:
            raise ImportFormatError(f"{file}: no sheet named {wanted!r} (sheets: {', '.join(names)})")
        return wanted
    data = [n for n in names if n.strip().lower() not in HELPER_SHEETS]
    return (data or names)[0]


def read_xlsx(path: Path, sheet: str | None = None) -> Table:
    _check_zip(path)
    try:
        values_book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        formula_book = (
            openpyxl.load_workbook(path, read_only=True, data_only=False) if _has_formulas(path) else None
        )
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFormatError(f"{path.name}: cannot read the workbook: {exc}") from exc
    try:
        name = _pick_sheet(values_book.sheetnames, sheet, path.name)
        values = [list(r) for r in values_book[name].iter_rows(values_only=True)]
        formulas = [list(r) for r in formula_book[name].iter_rows(values_only=True)] if formula_book else []
    finally:
        values_book.close()
        if formula_book:
            formula_book.close()
    problems = [
        Problem(
            name,
            r + 1,
            get_column_letter(c + 1),
            str(f),
            "a formula with no saved value: "
            "open the file in Excel, let it calculate, save, and send it again",
        )
        for r, row in enumerate(formulas)
        for c, f in enumerate(row)
        if isinstance(f, str) and f.startswith("=") and is_blank(values[r][c] if c < len(values[r]) else None)
    ]
    return Table(file=path.name, sheet=name, rows=_trim(values), problems=problems)


def read_csv(path: Path) -> Table:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFormatError(f"{path.name}: not UTF-8 text (save the CSV as UTF-8)") from exc
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = [list(r) for r in csv.reader(text.splitlines(), dialect)]
    return Table(
        file=path.name, sheet=path.stem, rows=_trim([[v if v != "" else None for v in r] for r in rows])
    )


def read_table(path: Path, sheet: str | None = None) -> Table:
    """The data sheet of an XLSX file (or the named one), or a CSV file."""
    if not path.exists():
        raise ImportFormatError(f"{path}: no such file")
    if path.is_dir():
        raise ImportFormatError(f"{path}: is a folder, not a file")
    if path.suffix.lower() in (".csv", ".txt"):
        return read_csv(path)
    return read_xlsx(path, sheet)
