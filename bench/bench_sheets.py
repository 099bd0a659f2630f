"""Sheet import: rows per second for a 10,000-row response-mapping sheet.

Baseline, in the same run: openpyxl reading the same workbook's values (read-only) and
nothing else, so the ratio shows what checking, matching and writing cost on top.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

import openpyxl

from kb.matching import sheet_matcher
from kb.seeding import load_seeds
from kb.sheets.layouts import detect
from kb.sheets.rows import read_sheet
from kb.sheets.template import write_template
from kb.sheets.workbook import read_table
from kb.store.sqlite import SQLiteStore

ROWS = 10_000
PARTNERS = ["Albania", "Bosnia and Herzegovina", "Kosovo*", "Montenegro", "North Macedonia", "Serbia"]
DONORS = ["DG NEAR", "GIZ", "Austria", "Italy", "United Kingdom", "UNODC", "OSCE"]


def build(path: Path, store: SQLiteStore) -> None:
    write_template(store, "responses", path)
    book = openpyxl.load_workbook(path)
    ws = book["Responses"]
    for i in range(ROWS):
        ws.append(
            [
                f"Project {i} – border cooperation",
                PARTNERS[i % 6],
                ["WBCTi", "WBCSCi", "WBBSi"][i % 3],
                DONORS[i % 7],
                DONORS[(i + 3) % 7] if i % 4 == 0 else None,
                None,
                "UNODC",
                None,
                f"€{(i % 90 + 10) * 10_000:,}",
                None,
                f"{1 + i % 28:02d}.{1 + i % 12:02d}.2024.",
                "ongoing" if i % 5 == 0 else dt.date(2026, 12, 31),
                "implementation",
                None,
                "response-mapping-2024",
                None,
            ]
        )
    book.save(path)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = SQLiteStore(folder / "kb.sqlite")
        store.upsert(load_seeds())
        path = folder / "responses.xlsx"
        build(path, store)
        size = path.stat().st_size

        started = time.perf_counter()
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        bare_rows = sum(1 for _ in book["Responses"].iter_rows(values_only=True))
        book.close()
        bare = time.perf_counter() - started

        started = time.perf_counter()
        table = read_table(path)
        layout = detect(table, None)
        result = read_sheet(table, layout, store, sheet_matcher(store))
        result.raise_if_problems(path.name)
        checked = time.perf_counter() - started
        summary = store.upsert(result.batch, actor="bench")
        total = time.perf_counter() - started
        store.close()
    print(f"workbook: {ROWS:,} data rows, {size / 2**20:.1f} MB")
    print(f"{'step':<38}{'seconds':>9}{'rows/s':>11}")
    print(f"{'baseline: openpyxl values only':<38}{bare:>9.2f}{bare_rows / bare:>11,.0f}")
    print(f"{'read + check + match (no write)':<38}{checked:>9.2f}{ROWS / checked:>11,.0f}")
    print(f"{'import (read, check, match, write)':<38}{total:>9.2f}{ROWS / total:>11,.0f}")
    print(f"ratio import/baseline throughput: {(ROWS / total) / (bare_rows / bare):.2f}")
    print(f"written: {summary.nodes_created:,} nodes, {summary.edges_created:,} edges")


if __name__ == "__main__":
    main()
