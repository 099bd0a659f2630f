"""The needs- and response-mapping templates sent to partners and donors (openpyxl).

One sheet to fill, one of instructions, and a hidden sheet of lists behind the drop-downs,
taken from the store at the time of writing. Free text is allowed where a new name is
legitimate (institutions, donors, implementers): the drop-down then only warns. The lists hold
stored names, which anyone may have written: each is a string cell (:func:`kb.cells.set_cell`),
so a name like ``=HYPERLINK(…)`` reaches a partner as text, never as a live formula.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pycountry
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from graph_schema import FUNDER_TYPES, MAPPED_TYPES, PRIORITIES, STATUSES
from kb.cells import set_cell
from kb.presentation import KOSOVO_FOOTNOTE, display
from kb.sheets.layouts import COLUMNS, Kind
from kb.sheets.rows import EXAMPLE_MARK
from kb.store.port import GraphStore

SHEET_TITLES = {"needs": "Needs", "responses": "Responses"}
#: Lists where a value outside the list is an error (others only warn).
STRICT_LISTS = frozenset({"partner", "pillar", "priority", "currency", "status"})
FIRST_CURRENCIES = ("EUR", "USD", "GBP", "CHF")
EXAMPLES = {
    "needs": {
        "partner": "Serbia",
        "pillar": "WBBSi",
        "name": f"{EXAMPLE_MARK}: Thermal cameras for the green border",
        "institution": "Serbia: Ministry of Interior",
        "priority": "high",
        "cycle": "needs-mapping-2",
        "amount": 1200000,
        "currency": "EUR",
        "start": dt.date(2025, 1, 1),
        "end": "ongoing",
    },
    "responses": {
        "name": f"{EXAMPLE_MARK}: Green border surveillance, phase 2",
        "partner": "Albania",
        "pillar": "WBBSi",
        "donor_1": "DG NEAR",
        "implementer": "GIZ",
        "amount": 2000000,
        "currency": "EUR",
        "start": dt.date(2025, 1, 1),
        "end": dt.date(2027, 12, 31),
        "status": "implementation",
        "cycle": "response-mapping-2025",
    },
}


def _lists(store: GraphStore) -> dict[str, list[str]]:
    partners = [display(c["name"]) for c in store.nodes(type="Country") if c.get("wb_partner")]
    # Donors are offered from whoever may fund but institutions, which have their own list.
    donor_types = [t for t in FUNDER_TYPES if t != "Institution"]
    actors = sorted({n["name"] for t in donor_types for n in store.nodes(type=t)})
    cycles = sorted({n["cycle"] for t in MAPPED_TYPES for n in store.nodes(type=t) if n.get("cycle")})
    currencies = [
        *FIRST_CURRENCIES,
        *sorted(c.alpha_3 for c in pycountry.currencies if c.alpha_3 not in FIRST_CURRENCIES),
    ]
    return {
        "partner": sorted(partners),
        "pillar": [p["code"] for p in sorted(store.nodes(type="Pillar"), key=lambda p: p["number"])],
        "institution": sorted(display(i["name"]) for i in store.nodes(type="Institution")),
        "priority": list(PRIORITIES),
        "cycle": cycles,
        "donor": [display(a) for a in actors],
        "implementer": sorted(display(o["name"]) for o in store.nodes(type="Organisation")),
        "currency": currencies,
        "status": list(STATUSES),
        "need": sorted(n["name"] for n in store.nodes(type="Need")),
    }


def write_template(store: GraphStore, kind: Kind, path: Path) -> Path:
    """Write the ``kind`` template to ``path`` with drop-downs filled from ``store``."""
    columns = COLUMNS[kind]
    lists = _lists(store)
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_TITLES[kind]
    helper = book.create_sheet("Lists")
    helper.sheet_state = "hidden"
    for index, (name, values) in enumerate(sorted(lists.items()), start=1):
        set_cell(helper, 1, index, name)
        for row, value in enumerate(values, start=2):
            set_cell(helper, row, index, value)
    list_column = {name: get_column_letter(i) for i, name in enumerate(sorted(lists), start=1)}

    header_font, fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="1F3B57")
    for index, column in enumerate(columns, start=1):
        cell = set_cell(sheet, 1, index, column.header + (" *" if column.required else ""))
        cell.font, cell.fill = header_font, fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        note = column.help + (f"\n{KOSOVO_FOOTNOTE}" if column.field == "partner" else "")
        cell.comment = Comment(note, "IISG knowledge base")
        sheet.column_dimensions[get_column_letter(index)].width = column.width
        if column.choices and lists.get(column.choices):
            letter = list_column[column.choices]
            formula = f"{quote_sheetname('Lists')}!${letter}$2:${letter}${len(lists[column.choices]) + 1}"
            strict = column.choices in STRICT_LISTS
            rule = DataValidation(
                type="list",
                formula1=formula,
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="stop" if strict else "warning",
                error="Choose a value from the list."
                if strict
                else "Not in the list: it will be checked on import and reported as new.",
            )
            rule.add(f"{get_column_letter(index)}2:{get_column_letter(index)}2000")
            sheet.add_data_validation(rule)
        if column.field in ("start", "end"):
            for row in range(2, 2001):
                sheet.cell(row, index).number_format = "DD.MM.YYYY"
        if column.field == "amount":
            for row in range(2, 2001):
                sheet.cell(row, index).number_format = "#,##0.00"
    example = EXAMPLES[kind]
    for index, column in enumerate(columns, start=1):
        if column.field in example:
            cell = set_cell(sheet, 2, index, example[column.field])
            cell.font = Font(italic=True, color="7F7F7F")
    sheet.freeze_panes = "A2"
    sheet.row_dimensions[1].height = 32

    info = book.create_sheet("Instructions", 0)
    info.column_dimensions["A"].width = 28
    info.column_dimensions["B"].width = 100
    info.append([f"{SHEET_TITLES[kind]} mapping template", f"written {dt.date.today().isoformat()}"])
    info["A1"].font = Font(bold=True, size=14)
    info.append([])
    info.append(
        [
            "How to fill it",
            (
                f"One row per {'need' if kind == 'needs' else 'project or action'} on the "
                f"'{SHEET_TITLES[kind]}' sheet. Columns marked * are required. Row 2 is an example "
                f"(its first words are '{EXAMPLE_MARK}'): it is ignored on import; overwrite or delete it."
            ),
        ]
    )
    info.append(
        [
            "Dates",
            (
                "Type them as 31.12.2024 or 2024-12-31. Leave the end blank or write 'ongoing' for an "
                "open-ended project."
            ),
        ]
    )
    info.append(["Money", "Amounts in their own currency; never convert. One currency per row."])
    info.append(
        ["Names", "Pick from the drop-downs where you can; a new name is accepted and reported on import."]
    )
    info.append([])
    info.append(["column", "what goes in it"])
    for column in columns:
        info.append([column.header + (" *" if column.required else ""), column.help])
    info.append([])
    info.append(["*", KOSOVO_FOOTNOTE])
    for row in info.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    book.active = 1
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path
