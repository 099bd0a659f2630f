"""Opening what users send: XLSX or CSV, refused early and clearly when it is something else.

A workbook is a zip file; before openpyxl expands anything, the zip's directory is checked
against size and compression-ratio limits, so a zip bomb is refused without being expanded.
Formulas are read through their cached values (what Excel last showed); a formula with no
cached value is reported, since its value cannot be known without Excel.

Rows are streamed (openpyxl's read-only mode, the csv module), never all padded to the widest:
the declared size of a sheet (``<dimension ref="A1:XFD1048576">``) is ignored, each row stops at
its last filled cell and, below the rows the header is looked for in, at the header's width.
What a sheet may hold is bounded (:data:`MAX_COLUMNS`, :data:`MAX_ROWS`, :data:`MAX_CELLS`,
:data:`MAX_CELL_CHARS`); past a limit the file is refused with one line naming it and the limit.
"""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import openpyxl
from openpyxl.utils import get_column_letter

from kb.errors import ImportFormatError, KBError
from kb.sheets.values import Problem, is_blank

#: Refuse workbooks that would expand past this many bytes.
MAX_EXPANDED_BYTES = 200 * 2**20
#: Refuse members compressed more than this (real sheets compress ~5-20x).
MAX_RATIO = 200
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: The rows a header may be in (detection looks in the first 15, a mapping file may name a later
#: one): kept as wide as they are filled; rows below are cut to the widest of them.
HEAD_ROWS = 100
#: The widest a header may be; a cell right of it in those rows is refused.
MAX_COLUMNS = 500
#: Filled rows and kept cells one import takes.
MAX_ROWS = 100_000
MAX_CELLS = 5_000_000
#: Excel's last row: a row numbered past it is a damaged or hostile file.
LAST_ROW = 1_048_576
#: Excel's longest cell, the limit for a CSV field too.
MAX_CELL_CHARS = 32_767
#: A CSV line longer than this is refused before it is split into cells.
MAX_LINE_CHARS = 4 * 2**20
#: Formulas with no saved value listed one by one; the rest are counted.
MAX_LISTED_FORMULAS = 100
#: Excel's last column: an XML row of more cells is hostile (openpyxl holds a row whole).
EXCEL_COLUMNS = 16_384
#: XML elements in the parts openpyxl loads whole: styles, the workbook, relationships...
MAX_PART_ELEMENTS = 100_000
#: ... and shared strings (about 1,000,000 strings, 200 MB as objects).
MAX_SHARED_STRING_ELEMENTS = 2_000_000
_WHOLE_PARTS = frozenset({"[Content_Types].xml", "xl/workbook.xml", "xl/styles.xml", "xl/sharedStrings.xml"})
#: Sheets of our own templates that hold no data.
HELPER_SHEETS = frozenset({"instructions", "lists", "read me", "readme"})


@dataclass
class Table:
    """The cells of one sheet (values, not formulas), by row from row 1.

    Each row stops at its last filled cell (a blank row is ``[]``) and trailing blank rows are
    dropped; rows are never padded to one width.
    """

    file: str
    sheet: str
    rows: list[list[object]]
    problems: list[Problem] = field(default_factory=list)
    #: Rows (0-based) among the first :data:`HEAD_ROWS` filled beyond :data:`MAX_COLUMNS`.
    wide_rows: frozenset[int] = frozenset()

    def check_header(self, index: int) -> None:
        """Refuse the header at row ``index`` (0-based) if it is wider than :data:`MAX_COLUMNS`."""
        if index in self.wide_rows:
            raise ImportFormatError(
                f"{self.file}!{self.sheet}: the header (row {index + 1}) has cells beyond column "
                f"{get_column_letter(MAX_COLUMNS)}, more than the {MAX_COLUMNS} a header may have: "
                "delete what is right of the table"
            )


class _Rows:
    """A sheet's rows as they stream in: cut to the header's width, counted against the limits.

    The header is one of the first ``head`` rows, so those are kept as wide as they are filled,
    up to :data:`MAX_COLUMNS` (a row filled beyond is cut there and noted: it cannot be the
    header); every later row is cut to the widest of the others, since no cell beyond can be
    under a header. Each row stops at its last filled cell (nothing is padded), and blank rows
    are counted, not built, until a filled row follows them.
    """

    def __init__(self, file: str, head: int) -> None:
        self.file, self.head = file, head
        self.rows: list[list[object]] = []
        self.wide: set[int] = set()
        self.width = 0
        self.number = self.filled = self.cells = self._blank = 0
        self._last_blank: object = None

    def limit(self) -> int:
        """How many cells of the next row are read."""
        return MAX_COLUMNS + 1 if self.number < self.head else self.width

    def add(self, row: Sequence[object]) -> None:
        limit = self.limit()
        self.number += 1
        if self.number > LAST_ROW:
            raise ImportFormatError(
                f"{self.file}: more than {LAST_ROW:,} rows, the most a sheet can have: refused"
            )
        if row is self._last_blank:  # openpyxl hands out one tuple for every missing row
            self._blank += 1
            return
        kept = [None if v == "" else v for v in row[:limit]]
        while kept and is_blank(kept[-1]):
            kept.pop()
        if self.number <= self.head:
            if len(kept) > MAX_COLUMNS:  # refused if it is the header (Table.check_header)
                self.wide.add(self.number - 1)
                del kept[MAX_COLUMNS:]
                while kept and is_blank(kept[-1]):
                    kept.pop()
            else:
                self.width = max(self.width, len(kept))
        if not kept:
            self._blank += 1
            self._last_blank = row
            return
        self.rows.extend([] for _ in range(self._blank))
        self._blank = 0
        self.filled += 1
        self.cells += len(kept)
        if self.filled > MAX_ROWS:
            raise ImportFormatError(
                f"{self.file}: more than {MAX_ROWS:,} filled rows, the most one import takes: split the sheet"
            )
        if self.cells > MAX_CELLS:
            raise ImportFormatError(
                f"{self.file}: more than {MAX_CELLS:,} cells, the most one import takes: split the sheet"
            )
        self.rows.append(kept)


def _reason(exc: BaseException) -> str:
    """An exception as one short line."""
    lines = str(exc).strip().splitlines()
    return (lines[0][:200] if lines else "") or type(exc).__name__


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
    except (zipfile.BadZipFile, NotImplementedError, UnicodeDecodeError, ValueError) as exc:
        # a damaged directory: bad records, an unknown zip version, names that are not UTF-8
        raise ImportFormatError(f"{path.name}: damaged workbook: {_reason(exc)}") from exc
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


_OVERLAP = 32
#: A row, cell or formula start tag, with any namespace prefix.
_SHEET_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,20}:)?(row|c|f|v|is)[\s/>]")


def _chunks(archive: zipfile.ZipFile, member: str) -> Iterator[tuple[bytes, int]]:
    """A member's bytes in blocks, each with where to stop looking at it (the rest comes again)."""
    with archive.open(member) as fh:
        pending = b""
        while True:
            chunk = fh.read(1 << 20)
            block = pending + chunk
            end = len(block) - _OVERLAP if chunk else len(block)
            yield block, max(end, 0)
            if not chunk:
                return
            pending = block[max(end, 0) :]


def _count_elements(archive: zipfile.ZipFile, member: str) -> int:
    count = 0
    for block, end in _chunks(archive, member):
        part = block[:end]
        count += part.count(b"<") - part.count(b"</") - part.count(b"<?") - part.count(b"<!")
    return count


def _scan_sheet(archive: zipfile.ZipFile, member: str, file: str) -> bool:
    """Refuse a worksheet whose XML openpyxl would expand too far; whether it holds a formula."""
    formulas = valued = False
    rows = filled = cells = in_row = 0
    for block, end in _chunks(archive, member):
        for match in _SHEET_TAG.finditer(block, 0, end + _OVERLAP):
            if match.start() >= end:
                break
            tag = match.group(1)
            if tag == b"c":
                cells += 1
                in_row += 1
            elif tag == b"row":
                rows += 1
                in_row = 0
                valued = False
            elif tag == b"f":
                formulas = True
            elif not valued:  # a value (<v>, <is>): the row has something in it
                valued = True
                filled += 1
            if in_row > EXCEL_COLUMNS:
                raise ImportFormatError(
                    f"{file}: {member} has a row of more than {EXCEL_COLUMNS:,} cells, "
                    "the most a row can have: refused"
                )
        for count, limit, what in (
            (cells, MAX_CELLS, "cells"),
            (rows, LAST_ROW, "rows"),
            (filled, MAX_ROWS, "rows with values"),
        ):
            if count > limit:
                raise ImportFormatError(
                    f"{file}: {member} holds more than {limit:,} {what}, the most one import takes: refused"
                )
    return formulas


def _scan(path: Path) -> bool:
    """Refuse XML that openpyxl would expand past the limits; whether any worksheet holds a formula.

    The parts openpyxl loads whole (styles, shared strings, the workbook, relationships) are
    limited in elements, since a few megabytes of them can take gigabytes as objects; worksheets,
    which are streamed, in cells per row (Excel's 16,384), cells and rows. Every worksheet is
    checked, not only the one imported: openpyxl reads into each of them when it opens the file.
    """
    formulas = False
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if member.endswith(".rels") or member in _WHOLE_PARTS or member.startswith("docProps/"):
                limit = MAX_SHARED_STRING_ELEMENTS if member == "xl/sharedStrings.xml" else MAX_PART_ELEMENTS
                if _count_elements(archive, member) > limit:
                    raise ImportFormatError(
                        f"{path.name}: {member} holds more than {limit:,} XML elements: refused"
                    )
            elif member.endswith(".xml"):  # a worksheet may be anywhere the relationships say
                formulas = _scan_sheet(archive, member, path.name) or formulas
    return formulas


def _pick_sheet(names: list[str], wanted: str | None, file: str) -> str:
    if wanted:
        if wanted not in names:
            raise ImportFormatError(f"{file}: no sheet named {wanted!r} (sheets: {', '.join(names)})")
        return wanted
    data = [n for n in names if n.strip().lower() not in HELPER_SHEETS]
    return (data or names)[0]


def _sheet_rows(book: Any, name: str, file: str) -> Iterator[tuple[object, ...]]:
    sheet = book[name]
    if not hasattr(sheet, "reset_dimensions"):
        raise ImportFormatError(f"{file}: {name!r} is a chart, not a sheet of cells")
    # The declared <dimension> is not trusted: "A1:XFD1048576" would make openpyxl pad every row.
    sheet.reset_dimensions()
    return sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True)


def read_xlsx(path: Path, sheet: str | None = None, *, head: int = HEAD_ROWS) -> Table:
    _check_zip(path)
    books: list[Any] = []
    problems: list[Problem] = []
    unsaved = 0
    try:
        has_formulas = _scan(path)
        values_book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        books.append(values_book)
        if has_formulas:
            books.append(openpyxl.load_workbook(path, read_only=True, data_only=False))
        name = _pick_sheet(values_book.sheetnames, sheet, path.name)
        rows = _Rows(path.name, head)
        formulas = _sheet_rows(books[1], name, path.name) if len(books) > 1 else None
        for values in _sheet_rows(values_book, name, path.name):
            limit = rows.limit()
            rows.add(values)
            for c, f in enumerate(next(formulas, ())[:limit] if formulas else ()):
                if (
                    isinstance(f, str)
                    and f.startswith("=")
                    and is_blank(values[c] if c < len(values) else None)
                ):
                    unsaved += 1
                    if unsaved <= MAX_LISTED_FORMULAS:
                        problems.append(
                            Problem(
                                name,
                                rows.number,
                                get_column_letter(c + 1),
                                f,
                                "a formula with no saved value: "
                                "open the file in Excel, let it calculate, save, and send it again",
                            )
                        )
    except KBError:
        raise
    except Exception as exc:  # openpyxl and the XML parser raise many kinds on a damaged file
        raise ImportFormatError(f"{path.name}: cannot read the workbook: {_reason(exc)}") from exc
    finally:
        for book in books:
            book.close()
    if unsaved > MAX_LISTED_FORMULAS:
        problems.append(
            Problem(
                name, 0, "-", "", f"and {unsaved - MAX_LISTED_FORMULAS:,} more formulas with no saved value"
            )
        )
    return Table(
        file=path.name, sheet=name, rows=rows.rows, problems=problems, wide_rows=frozenset(rows.wide)
    )


def _lines(fh: TextIO, file: str) -> Iterator[str]:
    """The file's lines, refusing one too long to be a row of a table before it is held whole."""
    number = 0
    while line := fh.readline(MAX_LINE_CHARS + 1):
        number += 1
        if len(line) > MAX_LINE_CHARS:
            raise ImportFormatError(
                f"{file}: line {number} is longer than {MAX_LINE_CHARS:,} characters: not a table, refused"
            )
        yield line


def read_csv(path: Path, *, head: int = HEAD_ROWS) -> Table:
    size = path.stat().st_size
    if size > MAX_EXPANDED_BYTES:
        raise ImportFormatError(
            f"{path.name}: {size:,} bytes, over the limit of {MAX_EXPANDED_BYTES:,} for a CSV file: refused"
        )
    rows = _Rows(path.name, head)
    previous = csv.field_size_limit(MAX_CELL_CHARS)
    line = 0
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            sample = fh.read(4096)
            fh.seek(0)
            try:
                dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
            except csv.Error:
                dialect = csv.excel
            reader = csv.reader(_lines(fh, path.name), dialect)
            for row in reader:
                line = reader.line_num
                rows.add(row)
    except UnicodeDecodeError as exc:
        raise ImportFormatError(f"{path.name}: not UTF-8 text (save the CSV as UTF-8)") from exc
    except csv.Error as exc:
        reason = (
            f"a cell longer than {MAX_CELL_CHARS:,} characters (Excel's limit)"
            if "field limit" in str(exc)
            else _reason(exc)
        )
        raise ImportFormatError(f"{path.name}: line {line + 1}: {reason}") from exc
    finally:
        csv.field_size_limit(previous)
    return Table(file=path.name, sheet=path.stem, rows=rows.rows, wide_rows=frozenset(rows.wide))


def read_table(path: Path, sheet: str | None = None, *, header_row: int | None = None) -> Table:
    """The data sheet of an XLSX file (or the named one), or a CSV file, read within the limits.

    ``header_row`` (1-based, a mapping file's) when the header may be below the first
    :data:`HEAD_ROWS` rows: rows down to it are kept as wide as they are filled.
    """
    if not path.exists():
        raise ImportFormatError(f"{path}: no such file")
    if path.is_dir():
        raise ImportFormatError(f"{path}: is a folder, not a file")
    head = max(HEAD_ROWS, header_row or 0)
    try:
        if path.suffix.lower() in (".csv", ".txt"):
            return read_csv(path, head=head)
        return read_xlsx(path, sheet, head=head)
    except OSError as exc:
        raise ImportFormatError(f"{path}: cannot read: {exc.strerror or exc}") from exc
