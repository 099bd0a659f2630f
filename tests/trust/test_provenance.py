"""Sources shown by their titles, the file name beside them (issue 17, item 8): seed documents by
their declared titles, IATI activities and sheet rows by what they are, on pages (the file in the
tooltip), in map tooltips, CSV files and workbooks."""

from __future__ import annotations

import csv
import re

import networkx as nx
import openpyxl
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kb.presentation import source
from kb.seeding import load_seeds, source_titles
from kb.settings import Settings
from tests.cli.conftest import KB
from visual.describe import node_tip

WBBSI_PAGE = "000_e9cf2c252bbbb759.txt"
EVENTS = "001_169ed94f2005a783.txt"


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KB:
    kb = KB(tmp_path_factory.mktemp("provenance") / "kb.sqlite")
    kb.json("seed")
    return kb


def test_every_source_the_seed_files_cite_has_a_declared_title():
    batch = load_seeds()
    cited = {s for r in [*batch.nodes, *batch.edges] for s in r.get("sources", [])}
    assert {WBBSI_PAGE, EVENTS} <= cited
    assert cited <= set(source_titles())
    assert all(source(s).title != s for s in cited)


def test_a_seed_document_is_shown_by_its_title_with_its_file_beside_it():
    shown = source(EVENTS)
    assert shown.title.startswith("IISG – Events") and shown.file == EVENTS
    assert shown.text == f"{shown.title} ({EVENTS})"


@pytest.mark.parametrize(
    ("ref", "text"),
    [
        (
            "dportal.xml#XI-IATI-EC_NEAR-2017/40524/3",
            "IATI activity XI-IATI-EC_NEAR-2017/40524/3 (dportal.xml)",
        ),
        ("matrix.xlsx!Matrix 2025:4", "Sheet Matrix 2025, row 4 (matrix.xlsx)"),
        ("needs.csv!needs:7", "Sheet needs, row 7 (needs.csv)"),
        ("told by phone", "told by phone"),
    ],
    ids=["iati", "sheet", "csv", "other"],
)
def test_an_iati_activity_and_a_sheet_row_say_what_they_are(ref, text):
    assert source(ref).text == text


def test_a_page_shows_titles_with_the_file_name_in_the_tooltip(kb):
    with TestClient(create_app(Settings(store=str(kb.store)))) as client:
        html = client.get("/pillars/WBBSi", headers={"Accept": "text/html"}).text
    sources = html[html.index('class="sources"') :].split("</p>")[0]
    assert f'<cite title="{WBBSI_PAGE}">IISG – Western Balkan Border Security' in sources
    assert not re.search(r">\d{3}_[0-9a-f]{16}\.txt<", sources)


def test_a_map_tooltip_names_the_source_by_its_title():
    G = nx.MultiDiGraph()
    G.add_node("event:e", type="Event", name="Meeting", sources=[EVENTS])
    tip = node_tip(G, "event:e", {}, [])
    assert f"Sources: {source(EVENTS).title} ({EVENTS})" in tip


def test_csv_and_workbook_sources_read_as_titles(kb, tmp_path):
    out = tmp_path / "overlaps.csv"
    assert kb("overlaps", "--csv", str(out)).exit_code == 0
    rows = [r for r in csv.DictReader(out.open(encoding="utf-8")) if r["#"].isdigit()]
    demo = source("seeds/demo/50_demo_needs_projects.yaml").text
    assert rows and all(r["sources"] == demo for r in rows)

    book = tmp_path / "gaps.xlsx"
    assert kb("report", "gaps", "--xlsx", str(book)).exit_code == 0
    evidence = openpyxl.load_workbook(book)["Evidence"]
    cited = {row[5] for row in evidence.iter_rows(min_row=2, values_only=True)}
    assert demo in cited and not any(c == "seeds/demo/50_demo_needs_projects.yaml" for c in cited)


def test_the_mapping_report_lists_its_sources_by_title(kb, tmp_path):
    import html

    out = tmp_path / "report.html"
    assert kb("report", "mapping", "--no-maps", "--html", str(out)).exit_code == 0
    text = html.unescape(out.read_text(encoding="utf-8"))
    listed = text[text.index('id="sources"') :]
    assert f"{source(WBBSI_PAGE).title} ({WBBSI_PAGE})" in listed
    assert source("seeds/demo/50_demo_needs_projects.yaml").text in listed
