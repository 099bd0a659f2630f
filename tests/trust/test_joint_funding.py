"""Joint funding is a fact of its own: one amount several donors share is counted once in every
total, never dropped and never split, and every face says so (issue 14, item 2)."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from kb.store.sqlite import SQLiteStore
from tests.analysis.scenarios import add_need, add_project, base
from tests.cli.conftest import KB
from tests.conftest import edge, node
from tests.sheets.test_sheets import fill

NEED = "need:rs-thermal"
JOINT = "project:joint"


def _doc() -> dict:
    doc = base()
    doc["nodes"] += [
        node("Country", "country:si", "Slovenia", code="SI"),
        node("Country", "country:it", "Italy", code="IT"),
    ]
    add_need(
        doc, NEED, name="Thermal cameras", priority="high", required_amount=2_000_000, required_currency="EUR"
    )
    add_project(doc, JOINT, needs=(NEED,), start="2025-01-01", end="2026-12-31", name="Cameras, joint")
    doc["edges"] += [
        edge("FUNDS", donor, JOINT, amount=400_000, currency="EUR", joint=True)
        for donor in ("country:si", "country:at")
    ]
    add_project(
        doc,
        "project:it",
        needs=(NEED,),
        funders={"country:it": (750_000, "EUR")},
        start="2025-06-01",
        end="2027-06-30",
    )
    return doc


@pytest.fixture
def kb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> KB:
    monkeypatch.setenv("COLUMNS", "300")
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(_doc()), encoding="utf-8")
    kb = KB(tmp_path / "kb.sqlite")
    assert kb("import", "json", str(path)).exit_code == 0
    return kb


def test_a_joint_total_counts_once_in_who_funds_and_is_said_to_be_joint(kb):
    answer = kb.json("who-funds", NEED)["who_funds"]
    assert answer["totals"] == {"EUR": 1_150_000.0} and answer["joint"] == {"EUR": 400_000.0}
    slovenia = next(line for line in answer["lines"] if line["actor"]["id"] == "country:si")
    assert slovenia["amounts"] == {} and slovenia["joint"] == {"EUR": 400_000.0}
    assert [r["id"] for r in slovenia["joint_with"]] == ["country:at"]


def test_the_who_funds_table_says_jointly_and_not_split(kb):
    out = " ".join(kb("who-funds", NEED).stdout.split())
    assert "400,000 EUR jointly with Austria, not split" in out
    assert "1,150,000 EUR, of which 400,000 EUR given jointly" in out


def test_overlaps_and_gaps_count_the_joint_total_once(kb):
    [overlap] = kb.json("overlaps")["overlaps"]
    assert overlap["amounts"] == {"EUR": 1_150_000.0}
    [gap] = [g for g in kb.json("gaps")["gaps"] if g["kind"] == "underfunded"]
    assert gap["funded"] == {"EUR": 1_150_000.0} and gap["shortfall"] == {"EUR": 850_000.0}


def test_the_overlaps_workbook_has_the_joint_total_once(kb, tmp_path):
    out = tmp_path / "o.xlsx"
    assert kb("report", "overlaps", "--xlsx", str(out)).exit_code == 0
    ws = openpyxl.load_workbook(out)["Overlaps"]
    headers = [c.value for c in ws[6]]
    assert ws.cell(7, headers.index("Amount EUR") + 1).value == 1_150_000.0


def test_a_sheet_row_with_two_donors_and_one_amount_is_a_joint_total(tmp_path):
    kb = KB(tmp_path / "kb.sqlite")
    kb.json("seed")
    out = tmp_path / "responses.xlsx"
    kb("template", "responses", "-o", str(out))
    row = {
        "Project / action": "Green border cameras",
        "Partner": "Serbia",
        "Pillar": "WBBSi",
        "Donor 1": "Slovenia",
    }
    fill(
        out,
        "Responses",
        [{**row, "Donor 2": "Austria", "Amount": "400,000", "Currency": "EUR", "Start": "2025-01-01"}],
    )
    assert kb("import", "sheet", str(out)).exit_code == 0
    with SQLiteStore(kb.store) as store:
        funds = [e for e in store.edges_of("project:rs-green-border-cameras") if e["type"] == "FUNDS"]
    assert sorted(e["source"] for e in funds) == ["country:at", "country:si"]
    assert all((e["amount"], e["joint"]) == (400_000.0, True) for e in funds)


def test_the_need_page_shows_the_joint_total_and_who_shares_it(kb):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from kb.settings import Settings

    with TestClient(create_app(Settings(store=str(kb.store)))) as client:
        page = client.get(f"/needs/{NEED}").text
    assert "400,000 EUR jointly with Austria, not split" in page and "given jointly" in page
