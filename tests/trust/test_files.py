"""Files in and out that cannot hurt: no live formula in anything we write, no sheet that costs a lot
to read (issue 14, items 5 and 9).

The hostile sheets are built here, then read by a real ``kb import sheet --dry-run`` in a process
limited to 1 GiB of address space: it must answer (exit 0, or 1 with one line), never die of a
MemoryError or print a traceback.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from kb.cells import safe_text
from tests.analysis.scenarios import add_need, add_project, base
from tests.cli.conftest import KB
from tests.conftest import node

HYPERLINK = '=HYPERLINK("http://127.0.0.1:9/x","click")'
DDE = "=cmd|' /C calc'!A0"
AT_SUM = "@SUM(1+1)*cmd|' /C calc'!A0"
PLUS = "+1+cmd|' /C calc'!A0"
MINUS = "-2+3+cmd|' /C calc'!A0"
HOSTILE = (HYPERLINK, DDE, AT_SUM, PLUS, MINUS)
RESPONSE_HEADERS = ["Project / action", "Partner", "Pillar", "Donor 1", "Amount", "Currency"]
ADDRESS_SPACE = 2**30


# -- a store whose names are formulas ----------------------------------------------------------
@pytest.fixture
def hostile(tmp_path: Path) -> KB:
    """Two donors named as formulas funding one need named as a formula, at the same time."""
    doc = base()
    doc["nodes"] += [
        node("Organisation", "org:dde", DDE),
        node("Organisation", "org:at-sum", AT_SUM),
        node("Organisation", "org:plus", PLUS),
    ]
    add_need(doc, "need:rs-link", name=HYPERLINK, priority="high", cycle=MINUS)
    common = {"needs": ("need:rs-link",), "country": "country:rs", "pillar": "pillar:wbbsi"}
    add_project(
        doc, "project:a", funders={"org:dde": (100_000, "EUR")}, start="2025-01-01", end="2026-12-31",
        name="-1+1 minus", **common,
    )  # fmt: skip
    add_project(
        doc, "project:b", funders={"org:at-sum": (200_000, "EUR")}, implementers=("org:plus",),
        start="2025-06-01", end="2027-06-30", name="@2+2", **common,
    )  # fmt: skip
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    kb = KB(tmp_path / "kb.sqlite")
    assert kb("init").exit_code == 0
    result = kb("import", "json", str(path))
    assert result.exit_code == 0, result.output
    return kb


def _no_formula_in(path: Path) -> list[tuple[str, str, object]]:
    """Every text cell of a workbook, after checking that none of its cells is a formula."""
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if member.startswith("xl/worksheets/"):
                assert not re.search(rb"<(\w+:)?f[\s>/]", archive.read(member)), member
    book = openpyxl.load_workbook(path)
    cells = [
        (ws.title, c.coordinate, c.value, c.data_type) for ws in book for row in ws.iter_rows() for c in row
    ]
    assert [c for c in cells if c[3] == "f"] == []
    return [(title, coordinate, value) for title, coordinate, value, kind in cells if kind == "s"]


def test_report_xlsx_writes_names_that_look_like_formulas_as_text(hostile, tmp_path):
    out = tmp_path / "overlaps.xlsx"
    result = hostile("report", "overlaps", "--xlsx", str(out))
    assert result.exit_code == 0, result.output
    texts = {value for *_, value in _no_formula_in(out)}
    assert HYPERLINK in texts and "-1+1 minus, @2+2" in texts
    assert any(DDE in t and AT_SUM in t for t in texts if isinstance(t, str))
    ws = openpyxl.load_workbook(out)["Overlaps"]
    headers = [c.value for c in ws[6]]
    amount = ws.cell(7, headers.index("Amount EUR") + 1)
    assert amount.data_type == "n" and amount.value == 300_000


@pytest.mark.parametrize("kind", ["needs", "responses"])
def test_template_lists_hold_stored_names_as_text_never_formulas(hostile, tmp_path, kind):
    out = tmp_path / f"{kind}.xlsx"
    assert hostile("template", kind, "-o", str(out)).exit_code == 0
    lists = {value for title, _, value in _no_formula_in(out) if title == "Lists"}
    assert {HYPERLINK, DDE, AT_SUM, PLUS} <= lists
    if kind == "needs":
        assert MINUS in lists  # the mapping cycle
    assert openpyxl.load_workbook(out)["Lists"]["A2"].data_type == "s"


def test_a_template_filled_from_its_lists_reads_back_the_stored_names(hostile, tmp_path):
    out = tmp_path / "responses.xlsx"
    hostile("template", "responses", "-o", str(out))
    book = openpyxl.load_workbook(out)
    ws = book["Responses"]
    headers = {str(c.value).rstrip(" *"): c.column for c in ws[1]}
    row = {
        "Project / action": "Thermal cameras",
        "Partner": "Serbia",
        "Pillar": "WBBSi",
        "Donor 1": DDE,
        "Need addressed": HYPERLINK,
    }
    # A drop-down offers what the Lists sheet shows (its saved values), and enters it as text.
    shown = openpyxl.load_workbook(out, data_only=True)["Lists"]
    assert {DDE, HYPERLINK} <= {c.value for column in shown.iter_cols() for c in column}
    for header, value in row.items():
        ws.cell(3, headers[header], value).data_type = "s"
    book.save(out)
    report = hostile.json("import", "sheet", str(out), "--dry-run", "--create-new")
    # The names come back as stored: the need is found by its name, the donor keeps its text.
    assert report["problems"] == 0 and DDE in {**report["new"], **report["matched"]}
    assert "'" + DDE not in report["new"]


def test_answer_csv_prefixes_cells_a_spreadsheet_would_run(hostile, tmp_path):
    out = tmp_path / "overlaps.csv"
    result = hostile("overlaps", "--csv", str(out))
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    header, line = rows[0], rows[1]
    cell = dict(zip(header, line, strict=False))
    assert cell["need / context"] == "'" + HYPERLINK
    assert cell["implementers"] == "'" + PLUS
    assert cell["projects"] == "'-1+1 minus, @2+2"
    assert all(not c.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for c in r)


def test_csv_export_prefixes_cells_a_spreadsheet_would_run_and_keeps_numbers(hostile, tmp_path):
    out = tmp_path / "csv"
    assert hostile("export", "--format", "csv", "-o", str(out)).exit_code == 0
    nodes = list(csv.DictReader(io.StringIO((out / "nodes.csv").read_text(encoding="utf-8"))))
    by_id = {n["id"]: n for n in nodes}
    assert by_id["org:dde"]["name"] == by_id["org:dde"]["label"] == "'" + DDE
    assert by_id["org:at-sum"]["name"] == "'" + AT_SUM
    assert by_id["need:rs-link"]["cycle"] == "'" + MINUS
    # Numbers stay numbers: negative map positions are written as they are.
    assert any(n["x"].startswith("-") and float(n["x"]) < 0 for n in nodes)
    for name in ("nodes.csv", "edges.csv"):
        for row in csv.reader(io.StringIO((out / name).read_text(encoding="utf-8"))):
            for value in row:
                assert not value.startswith(("=", "+", "@", "\t", "\r")), value
                if value.startswith("-"):
                    float(value)


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_starting_a_formula_get_an_apostrophe_and_numbers_do_not(lead):
    assert safe_text(lead + "1+cmd|' /C calc'!A0") == "'" + lead + "1+cmd|' /C calc'!A0"
    assert safe_text("-1,250.50") == "-1,250.50" and safe_text(-3) == -3 and safe_text("+7") == "+7"


# -- hostile sheets ----------------------------------------------------------------------------
def small_xlsx(path: Path) -> Path:
    """A header and one row."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Responses"
    ws.append(RESPONSE_HEADERS)
    ws.append(["Radios", "Serbia", "WBBSi", "DG NEAR", 1000, "EUR"])
    book.save(path)
    return path


def far_cell_xlsx(path: Path) -> Path:
    """A header, one row, and one cell at XFD1048576 (openpyxl declares A1:XFD1048576)."""
    small_xlsx(path)
    book = openpyxl.load_workbook(path)
    book.active["XFD1048576"] = "x"
    book.save(path)
    return path


def _edit_sheet(path: Path, edit) -> Path:
    """Rewrite ``xl/worksheets/sheet1.xml`` of ``path`` through ``edit(bytes) -> bytes``."""
    source = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(source)) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item.filename)
            new.writestr(item, edit(data) if item.filename == "xl/worksheets/sheet1.xml" else data)
    return path


def lying_dimension_xlsx(path: Path) -> Path:
    """Two rows and an empty last row under a ``<dimension ref="A1:XFD1048576">``: no cell past F."""
    return _edit_sheet(
        small_xlsx(path),
        lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', xml).replace(
            b"</sheetData>", b'<row r="1048576"/></sheetData>'
        ),
    )


def wide_row_csv(path: Path) -> Path:
    """2.9 MB: a header, a row of 100,001 cells, 2,000 blank lines and one more row."""
    lines = [
        ",".join(RESPONSE_HEADERS),
        "Wide row,Serbia,WBBSi,DG NEAR,1000,EUR" + ("," + "y" * 28) * (100_001 - 6),
        *[""] * 2000,
        "Radios,Serbia,WBBSi,DG NEAR,1000,EUR",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def run_limited(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``kb --store STORE ARGS`` in its own process, limited to 1 GiB of address space."""
    return subprocess.run(
        [sys.executable, "-c", "from kb.cli import main; main()", "--store", str(store), *args],
        capture_output=True,
        text=True,
        preexec_fn=_limit_memory,
        timeout=300,
        check=False,
    )


def assert_one_line_or_success(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr, result.stderr[-2000:]
    assert result.returncode in (0, 1), result.stderr[-2000:]
    if result.returncode == 1:
        assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("error: ")


@pytest.fixture
def seeded(tmp_path: Path) -> KB:
    kb = KB(tmp_path / "kb.sqlite")
    kb.json("seed")
    return kb


@pytest.mark.parametrize("build", [far_cell_xlsx, lying_dimension_xlsx], ids=["far-cell", "lying-dimension"])
def test_a_sheet_declared_as_big_as_excel_allows_is_read_as_what_it_holds(seeded, tmp_path, build):
    path = build(tmp_path / "far.xlsx")
    result = run_limited(seeded.store, "import", "sheet", str(path), "--dry-run", "--json")
    assert_one_line_or_success(result)
    assert result.returncode == 0 and json.loads(result.stdout)["rows"] == 1


def test_a_csv_row_of_100001_cells_is_cut_to_the_header_and_costs_nothing(seeded, tmp_path):
    path = wide_row_csv(tmp_path / "wide.csv")
    result = run_limited(seeded.store, "import", "sheet", str(path), "--dry-run", "--json")
    assert_one_line_or_success(result)
    report = json.loads(result.stdout)
    assert result.returncode == 0 and report["rows"] == 2 and report["problems"] == 0


def test_a_header_wider_than_500_columns_is_refused_in_one_line(seeded, tmp_path):
    path = tmp_path / "wide-header.csv"
    path.write_text(
        ",".join(RESPONSE_HEADERS + [f"c{i}" for i in range(100_001)])
        + "\nRadios,Serbia,WBBSi,DG NEAR,1,EUR\n",
        encoding="utf-8",
    )
    result = run_limited(seeded.store, "import", "sheet", str(path), "--dry-run")
    assert_one_line_or_success(result)
    assert result.returncode == 1 and "the header (row 1) has cells beyond column SF" in result.stderr


def styles_bomb_xlsx(path: Path) -> Path:
    """4 MB whose styles.xml holds a million cell formats (1.6 GB as openpyxl objects)."""
    book = openpyxl.Workbook()
    book.active.append(RESPONSE_HEADERS)
    book.save(path)
    rng = random.Random(14)
    formats = b"".join(
        b'<xf numFmtId="%d" fontId="0" fillId="0" borderId="0"/>' % rng.randrange(10**6) for _ in range(10**6)
    )
    source = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(source)) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "xl/styles.xml":
                data = re.sub(
                    rb"<cellXfs.*</cellXfs>", b'<cellXfs count="1000000">' + formats + b"</cellXfs>", data
                )
            new.writestr(item, data)
    return path


def long_row_xlsx(path: Path) -> Path:
    """A row of 1,500,000 cells (openpyxl holds a row whole: over a gigabyte)."""
    book = openpyxl.Workbook()
    book.active.append(RESPONSE_HEADERS)
    book.save(path)
    rng = random.Random(14)
    cells = b"".join(b'<c t="n"><v>%d</v></c>' % rng.randrange(10**9) for _ in range(1_500_000))
    return _edit_sheet(
        path, lambda xml: xml.replace(b"</sheetData>", b'<row r="2">' + cells + b"</row></sheetData>")
    )


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (styles_bomb_xlsx, "xl/styles.xml holds more than 100,000 XML elements: refused"),
        (long_row_xlsx, "has a row of more than 16,384 cells, the most a row can have: refused"),
    ],
    ids=["styles", "long-row"],
)
def test_a_small_workbook_that_openpyxl_would_blow_up_is_refused_before_loading(
    seeded, tmp_path, build, message
):
    path = build(tmp_path / "bomb.xlsx")
    assert path.stat().st_size < 10 * 2**20
    result = run_limited(seeded.store, "import", "sheet", str(path), "--dry-run")
    assert_one_line_or_success(result)
    assert result.returncode == 1 and message in result.stderr


def _refused_in_one_line(kb: KB, path: Path) -> str:
    result = kb("import", "sheet", str(path), "--dry-run")
    assert result.exit_code == 1 and result.stderr.startswith("error: "), result.output
    assert len(result.stderr.strip().splitlines()) == 1
    return result.stderr


def test_more_filled_rows_than_the_limit_are_refused_in_one_line(seeded, tmp_path, monkeypatch):
    monkeypatch.setattr("kb.sheets.workbook.MAX_ROWS", 5)
    path = tmp_path / "long.csv"
    path.write_text(
        ",".join(RESPONSE_HEADERS) + "\n" + "".join(f"R{i},Serbia,WBBSi,DG NEAR,1,EUR\n" for i in range(5)),
        encoding="utf-8",
    )
    assert "long.csv: more than 5 filled rows, the most one import takes" in _refused_in_one_line(
        seeded, path
    )


def test_more_cells_than_the_limit_are_refused_in_one_line(seeded, tmp_path, monkeypatch):
    monkeypatch.setattr("kb.sheets.workbook.MAX_CELLS", 20)
    path = tmp_path / "cells.csv"
    path.write_text(
        ",".join(RESPONSE_HEADERS) + "\n" + "".join(f"R{i},Serbia,WBBSi,DG NEAR,1,EUR\n" for i in range(3)),
        encoding="utf-8",
    )
    assert "cells.csv: more than 20 cells, the most one import takes" in _refused_in_one_line(seeded, path)


def test_a_row_numbered_past_excels_last_row_is_refused_in_one_line(seeded, tmp_path):
    path = tmp_path / "past.xlsx"
    book = openpyxl.Workbook()
    book.active.append(RESPONSE_HEADERS)
    book.save(path)
    _edit_sheet(
        path,
        lambda xml: xml.replace(
            b"</sheetData>", b'<row r="1048577"><c r="A1048577" t="n"><v>1</v></c></row></sheetData>'
        ),
    )
    assert "past.xlsx: more than 1,048,576 rows, the most a sheet can have" in _refused_in_one_line(
        seeded, path
    )


def test_a_shared_strings_part_past_its_limit_is_refused_before_loading(seeded, tmp_path, monkeypatch):
    monkeypatch.setattr("kb.sheets.workbook.MAX_SHARED_STRING_ELEMENTS", 1000)
    path = small_xlsx(tmp_path / "strings.xlsx")
    strings = "".join(f"<si><t>{i}</t></si>" for i in range(1000))
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("xl/sharedStrings.xml", f"<sst>{strings}</sst>")
    assert "xl/sharedStrings.xml holds more than 1,000 XML elements" in _refused_in_one_line(seeded, path)


def test_a_sheet_whose_xml_breaks_below_its_first_rows_is_refused_in_one_line(seeded, tmp_path):
    path = small_xlsx(tmp_path / "broken.xlsx")
    _edit_sheet(
        path, lambda xml: xml.replace(b"</sheetData>", b'<row r="1048577"><c r="A1"></row></sheetData>')
    )
    assert "broken.xlsx: cannot read the workbook" in _refused_in_one_line(seeded, path)


def test_a_cell_longer_than_excels_limit_in_a_csv_is_refused_in_one_line(seeded, tmp_path):
    path = tmp_path / "long-cell.csv"
    path.write_text(
        ",".join(RESPONSE_HEADERS) + "\nR," + "x" * 40_000 + ",WBBSi,DG NEAR,1,EUR\n", encoding="utf-8"
    )
    assert "a cell longer than 32,767 characters" in _refused_in_one_line(seeded, path)
