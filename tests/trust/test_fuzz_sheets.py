"""Fuzzing the sheet reader (issue 14): whatever file comes in, what it was read as or one KBError.

Arbitrary CSV text and bytes, CSV rows under real and random headers, small workbooks with random
cells (formulas, huge and negative numbers, control characters, dates, booleans) and damaged
copies of a real workbook go through what ``kb import sheet --dry-run`` does:
:func:`~kb.sheets.workbook.read_table`, the layout detection and the row reader, on a real seeded
SQLite store. Never an exception outside the KBError family, never more than 1 GiB of address
space more than the test process already had (an ``RLIMIT_AS`` limit around the run), and the
store exactly as it was.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
import resource
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from kb.errors import KBError
from kb.matching import sheet_matcher
from kb.sheets.layouts import COLUMNS, detect
from kb.sheets.rows import read_sheet
from kb.sheets.workbook import read_table
from kb.store.sqlite import SQLiteStore
from tests.cli.conftest import KB

HEADERS = sorted({h for columns in COLUMNS.values() for c in columns for h in (c.header, *c.synonyms)})
TEMPLATE_ROWS = [[c.header + (" *" if c.required else "") for c in columns] for columns in COLUMNS.values()]
WORDS = [
    "Serbia", "Kosovo*", "AL", "WBBSi", "wbcti", "DG NEAR", "GIZ", "EUR", "€1.250.000,00", "$300,000",
    "2025-13-01", "31.12.2024", "13.11.2015.", "ongoing", "high", "implementation", "EXAMPLE: x",
    "#activity+name", "#org+funder", "#country+code", "#value", "=1+2", "=cmd|' /C calc'!A0",
    "1e308", "-1e308", "nan", "inf", "-0", "99999999999999999999999",
]  # fmt: skip
ANY_CHAR = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=("Cs",))
TEXT = st.one_of(st.text(ANY_CHAR, max_size=12), st.sampled_from(WORDS + HEADERS))
VALUES = st.one_of(
    st.none(),
    TEXT,
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(min_value=dt.date(1900, 3, 1)),
    st.datetimes(min_value=dt.datetime(1900, 3, 1)),
)
ROWS = st.lists(st.lists(VALUES, max_size=8), max_size=8)
HEADER = st.one_of(st.sampled_from(TEMPLATE_ROWS), st.lists(st.sampled_from(HEADERS), max_size=8))
STAMP = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
SETTINGS = settings(
    max_examples=100,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteStore]:
    path = tmp_path_factory.mktemp("fuzz") / "kb.sqlite"
    KB(path).json("seed")
    with SQLiteStore(path) as s:
        yield s


@pytest.fixture(scope="module")
def matcher(store):
    return sheet_matcher(store)


@pytest.fixture(autouse=True)
def bounded_memory() -> Iterator[None]:
    """No more than 1 GiB of address space beyond what the process holds now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/status", encoding="ascii") as fh:
        size = next(int(line.split()[1]) * 1024 for line in fh if line.startswith("VmSize:"))
    limit = size + 2**30
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _state(store: SQLiteStore) -> tuple:
    return store.counts(), [(e.at, e.action) for e in store.write_log(5)]


def dry_run(path: Path, store: SQLiteStore, matcher, kind: str | None) -> None:
    """What ``kb import sheet --dry-run`` does with ``path``: read, detect, check every row."""
    before = _state(store)
    try:
        table = read_table(path)
        layout = detect(table, kind)  # type: ignore[arg-type]
        result = read_sheet(table, layout, store, matcher)
        result.raise_if_problems(path.name)
        assert result.rows <= len(table.rows)
    except KBError as exc:
        assert str(exc).strip(), "a refusal says why"
    finally:
        assert _state(store) == before


def _csv_text(rows: list[list[object]], delimiter: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue()


@SETTINGS
@given(
    header=HEADER,
    rows=ROWS,
    delimiter=st.sampled_from([",", ";", "\t"]),
    kind=st.sampled_from([None, "needs", "responses"]),
)
def test_any_csv_table_is_read_or_refused_with_a_kb_error(
    tmp_path, store, matcher, header, rows, delimiter, kind
):
    path = tmp_path / "fuzz.csv"
    path.write_text(_csv_text([header, *rows], delimiter), encoding="utf-8")
    dry_run(path, store, matcher, kind)


@SETTINGS
@given(
    data=st.one_of(st.text(ANY_CHAR, max_size=400).map(lambda t: t.encode("utf-8")), st.binary(max_size=400))
)
def test_any_csv_bytes_are_read_or_refused_with_a_kb_error(tmp_path, store, matcher, data):
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    dry_run(path, store, matcher, None)


def _write_xlsx(path: Path, header: list[object], rows: list[list[object]], title_rows: int) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Responses"
    for _ in range(title_rows):
        ws.append(["Donor matrix 2025"])
    for row in [header, *rows]:
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    book.save(path)
    return path


@SETTINGS
@given(header=HEADER, rows=ROWS, title_rows=st.integers(0, 3), kind=st.sampled_from([None, "responses"]))
def test_any_small_workbook_is_read_or_refused_with_a_kb_error(
    tmp_path, store, matcher, header, rows, title_rows, kind
):
    path = _write_xlsx(tmp_path / "fuzz.xlsx", header, rows, title_rows)
    dry_run(path, store, matcher, kind)


@pytest.fixture(scope="module")
def real_workbooks(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes]:
    """A real workbook as openpyxl saves it (deflated), and stored, so damage reaches its XML."""
    path = tmp_path_factory.mktemp("fuzz") / "real.xlsx"
    row = ["Radios", "Serbia", "WBBSi", "DG NEAR", 1000, "EUR", dt.date(2025, 1, 1)]
    header = ["Project / action", "Partner", "Pillar", "Donor 1", "Amount", "Currency", "Start"]
    saved = _write_xlsx(path, header, [row], 0).read_bytes()
    copies = []
    for compression in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED):
        # The same bytes every run: openpyxl stamps the time of saving, which would change them.
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(saved)) as old, zipfile.ZipFile(out, "w", compression) as new:
            for item in old.infolist():
                data = re.sub(STAMP, b"2025-01-01T00:00:00Z", old.read(item.filename))
                new.writestr(zipfile.ZipInfo(item.filename, (2025, 1, 1, 0, 0, 0)), data, compression)
        copies.append(out.getvalue())
    return copies[0], copies[1]


@SETTINGS
@given(seed=st.integers(0, 2**32), flips=st.integers(1, 40), stored=st.booleans())
def test_a_damaged_workbook_is_read_or_refused_with_a_kb_error(
    tmp_path, store, matcher, real_workbooks, seed, flips, stored
):
    rng = random.Random(seed)
    data = bytearray(real_workbooks[stored])
    for _ in range(flips):
        data[rng.randrange(len(data))] = rng.randrange(256)
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(bytes(data))
    dry_run(path, store, matcher, None)
