"""Spreadsheets as they really come back: templates filled by hand, donor matrices, broken files."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.cli.conftest import KB


@pytest.fixture
def kb(tmp_path: Path) -> KB:
    kb = KB(tmp_path / "kb.sqlite")
    kb.json("seed")
    return kb


def fill(path: Path, sheet: str, rows: list[dict[str, object]]) -> Path:
    """Fill a template as a user would: by header, from row 3 (row 2 is the example)."""
    book = openpyxl.load_workbook(path)
    ws = book[sheet]
    headers = {str(c.value).rstrip(" *"): c.column for c in ws[1]}
    for offset, values in enumerate(rows):
        for header, value in values.items():
            ws.cell(3 + offset, headers[header], value)
    book.save(path)
    return path


def test_needs_template_has_dropdowns_instructions_and_frozen_header(kb, tmp_path):
    out = tmp_path / "needs.xlsx"
    assert kb("template", "needs", "-o", str(out)).exit_code == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Instructions", "Needs", "Lists"]
    ws = book["Needs"]
    assert ws.freeze_panes == "A2"
    partner_rule = next(r for r in ws.data_validations.dataValidation if str(r.sqref).startswith("A2:"))
    letter = partner_rule.formula1.split("!$")[1][0]
    partners = [c.value for c in book["Lists"][letter][1:] if c.value]
    assert "Kosovo*" in partners and len(partners) == 6
    assert any("without prejudice" in str(c.value) for row in book["Instructions"].iter_rows() for c in row)


def test_filled_needs_template_round_trips_into_gaps(kb, tmp_path):
    out = tmp_path / "needs.xlsx"
    kb("template", "needs", "-o", str(out))
    fill(
        out,
        "Needs",
        [
            {
                "Partner": "Kosovo*",
                "Pillar": "WBCTi",
                "Need": "Prison deradicalisation programme",
                "Responsible institution": "Kosovo*: Ministry of Interior",
                "Priority": "High",
                "Required amount": "€1.250.000,00",
                "Currency": "EUR",
                "From": "13.11.2025.",
                "Until": "ongoing",
            },
            {
                "Partner": "Montenegro",
                "Pillar": "wbbsi",
                "Need": "Drones for the maritime border",
                "Priority": "medium",
                "From": dt.datetime(2025, 1, 1),
                "Until": "19.10.2027",
            },
        ],
    )
    result = kb("import", "sheet", str(out), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["nodes_created"] == 2
    gaps = kb.json("gaps")
    names = {n["name"] for g in gaps["gaps"] for n in ([g["need"]] if g["need"] else g["needs"])}
    assert {"Prison deradicalisation programme", "Drones for the maritime border"} <= names


def test_reimporting_the_same_sheet_changes_nothing(kb, tmp_path):
    out = tmp_path / "needs.xlsx"
    kb("template", "needs", "-o", str(out))
    fill(out, "Needs", [{"Partner": "Serbia", "Pillar": "WBBSi", "Need": "Night vision"}])
    kb.json("import", "sheet", str(out))
    again = kb.json("import", "sheet", str(out))
    assert again["nodes_created"] == again["nodes_updated"] == again["edges_created"] == 0


def test_every_problem_is_reported_at_once_and_nothing_is_imported(kb, tmp_path):
    out = tmp_path / "responses.xlsx"
    kb("template", "responses", "-o", str(out))
    fill(
        out,
        "Responses",
        [
            {"Project / action": "A", "Partner": "Narnia", "Pillar": "WBBSi", "Donor 1": "DG NEAR"},
            {
                "Project / action": "B",
                "Partner": "Serbia",
                "Pillar": "WBXX",
                "Donor 1": "GIZ",
                "Start": "31.02.2024",
            },
            {
                "Project / action": "C",
                "Partner": "Albania",
                "Pillar": "WBBSi",
                "Donor 1": "GIZ",
                "Amount": "lots",
                "Currency": "EUR",
            },
        ],
    )
    before = kb.json("stats")
    result = kb("import", "sheet", str(out))
    assert result.exit_code == 1
    for expected in (
        "Responses!B3",
        "Narnia",
        "Responses!C4",
        "WBXX",
        "Responses!K4",
        "not a date",
        "Responses!I5",
        "not an amount",
    ):
        assert expected in result.stderr
    assert kb.json("stats") == before


def test_responses_accept_three_donors_open_end_and_currency_signs(kb, tmp_path):
    out = tmp_path / "responses.xlsx"
    kb("template", "responses", "-o", str(out))
    fill(
        out,
        "Responses",
        [
            {
                "Project / action": "Joint border patrol training",
                "Partner": "Albania",
                "Pillar": "WBBSi",
                "Donor 1": "DG NEAR",
                "Donor 2": "Austria",
                "Donor 3": "Italy",
                "Amount": "1,500,000",
                "Currency": "EUR",
                "Start": "2025-01-01",
                "End": "Ongoing",
                "Implementer": "GIZ",
            },
            {
                "Project / action": "Forensics lab",
                "Partner": "Serbia",
                "Pillar": "WBCSCi",
                "Donor 1": "GIZ",
                "Amount": "$300,000",
                "Start": "19.10.2025",
            },
        ],
    )
    report = kb.json("import", "sheet", str(out))
    assert report["nodes_created"] == 2
    got = kb.json("get", "project:rs-forensics-lab")
    assert "end" not in got and got["start"] == "2025-10-19"
    from kb.store.sqlite import SQLiteStore

    with SQLiteStore(kb.store) as store:
        joint = [e for e in store.edges_of("project:al-joint-border-patrol-training") if e["type"] == "FUNDS"]
        lab = [e for e in store.edges_of("project:rs-forensics-lab") if e["type"] == "FUNDS"]
    assert sorted(e["source"] for e in joint) == ["country:at", "country:it", "org:dg-near"]
    assert all((e["amount"], e["currency"], e["joint"]) == (1_500_000.0, "EUR", True) for e in joint)
    assert (lab[0]["amount"], lab[0]["currency"]) == (300000.0, "USD")


def test_unknown_donor_is_reported_as_new_and_created_only_when_allowed(kb, tmp_path):
    out = tmp_path / "responses.xlsx"
    kb("template", "responses", "-o", str(out))
    fill(
        out,
        "Responses",
        [
            {
                "Project / action": "X",
                "Partner": "Serbia",
                "Pillar": "WBBSi",
                "Donor 1": "Fondation Imaginaire",
            }
        ],
    )
    refused = kb("import", "sheet", str(out))
    assert refused.exit_code == 1 and "--create-new" in refused.stderr
    allowed = kb.json("import", "sheet", str(out), "--create-new")
    assert allowed["new"] == {"Fondation Imaginaire": "org:fondation-imaginaire"}


def test_dry_run_reports_and_writes_nothing(kb, tmp_path):
    out = tmp_path / "needs.xlsx"
    kb("template", "needs", "-o", str(out))
    fill(out, "Needs", [{"Partner": "Serbia", "Pillar": "WBBSi", "Need": "Night vision"}])
    before = kb.json("stats")
    report = kb.json("import", "sheet", str(out), "--dry-run")
    assert report["dry_run"] is True and report["nodes"] == 1
    assert kb.json("stats") == before


def messy_matrix(path: Path) -> Path:
    """A ministry's own donor matrix: title rows, own headers, messy values, trailing blanks."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Matrix 2025"
    ws.append(["Ministry of Interior – donor coordination matrix"])
    ws.append([])
    ws.append(
        [
            "Naziv projekta",
            "Opština",
            "Oblast",
            "Donator",
            "Ko-donator",
            "Vrijednost",
            "Valuta",
            "Početak",
            "Završetak",
            "Korisnik",
            None,
            None,
        ]
    )
    ws.append(
        [
            "Granična kontrola – Drina",
            "Zvornik",
            "border",
            "DG NEAR",
            None,
            "1.250.000,00",
            "EUR",
            dt.datetime(2024, 3, 1),
            "ongoing",
            "Bosnia and Herzegovina: Ministry of Security",
        ]
    )
    ws.append(
        [
            "Obuka za digitalnu forenziku",
            "Banja Luka",
            "cybercrime",
            "GIZ",
            "Austria",
            "€ 400,000",
            None,
            "13.11.2024.",
            "19.10.2026",
            None,
        ]
    )
    ws.append([None] * 12)
    book.save(path)
    return path


def test_a_messy_donor_matrix_loads_through_a_mapping_file(kb, tmp_path):
    mapping = tmp_path / "matrix.yaml"
    mapping.write_text(
        "columns:\n  name: Naziv projekta\n  location: Opština\n  topic: Oblast\n"
        "  donors: [Donator, Ko-donator]\n  value: Vrijednost\n  currency: Valuta\n"
        "  start: Početak\n  end: Završetak\n  beneficiary: Korisnik\n"
        "defaults:\n  partner: BA\n  pillar: WBBSi\n",
        encoding="utf-8",
    )
    report = kb.json(
        "import", "sheet", str(messy_matrix(tmp_path / "matrix.xlsx")), "--columns", str(mapping)
    )
    assert report["nodes_created"] == 2 and report["layout"] == "mapping"
    drina = kb.json("get", "project:ba-granicna-kontrola-drina")
    assert drina["name"] == "Granična kontrola – Drina" and "Zvornik" in drina["description"]
    assert drina["sources"] == ["matrix.xlsx!Matrix 2025:4"]


def test_a_malformed_mapping_file_names_the_place(kb, tmp_path):
    mapping = tmp_path / "bad.yaml"
    mapping.write_text("columns:\n  name: Naziv projekta\n  colour: Boja\n", encoding="utf-8")
    result = kb("import", "sheet", str(messy_matrix(tmp_path / "m.xlsx")), "--columns", str(mapping))
    assert result.exit_code == 1 and "bad.yaml: columns: unknown field(s) colour" in result.stderr


def test_an_hxl_tagged_sheet_is_read_by_its_hashtags(kb, tmp_path):
    path = tmp_path / "hxl.csv"
    path.write_text(
        "Project,Funder,Implementer,Country,Start,End,Budget,Currency\n"
        "#activity+name,#org+funder,#org+impl,#country+code,#date+start,#date+end,#value,#currency\n"
        "Mobile surveillance vans,DG NEAR,UNODC,ME,2025-02-01,,900000,EUR\n",
        encoding="utf-8",
    )
    report = kb.json("import", "sheet", str(path))
    assert report["layout"] == "hxl" and report["nodes_created"] == 1
    assert kb.json("get", "project:me-mobile-surveillance-vans")["status"] == "implementation"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"hello, this is text", "not an Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "password-protected"),
    ],
)
def test_a_file_that_is_not_a_workbook_is_refused(kb, tmp_path, content, expected):
    path = tmp_path / "x.xlsx"
    path.write_bytes(content)
    result = kb("import", "sheet", str(path))
    assert result.exit_code == 1 and expected in result.stderr


def test_a_renamed_zip_is_refused(kb, tmp_path):
    path = tmp_path / "x.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "not a workbook")
    result = kb("import", "sheet", str(path))
    assert result.exit_code == 1 and "not an Excel workbook (no xl/workbook.xml)" in result.stderr


def test_a_zip_bomb_is_refused_before_expanding(kb, tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (300 * 2**20))
    result = kb("import", "sheet", str(path))
    assert result.exit_code == 1 and "refused" in result.stderr


def test_a_formula_without_a_cached_value_is_reported(kb, tmp_path):
    out = tmp_path / "needs.xlsx"
    kb("template", "needs", "-o", str(out))
    fill(
        out,
        "Needs",
        [
            {
                "Partner": "Serbia",
                "Pillar": "WBBSi",
                "Need": "Radios",
                "Required amount": "=1000*2",
                "Currency": "EUR",
            }
        ],
    )
    result = kb("import", "sheet", str(out))
    assert result.exit_code == 1 and "Needs!H3: a formula with no saved value" in result.stderr


def test_a_sheet_without_a_recognisable_header_is_refused(kb, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    result = kb("import", "sheet", str(path))
    assert result.exit_code == 1 and "no recognisable header row" in result.stderr


def test_report_workbook_has_currency_columns_filters_and_evidence(kb, tmp_path):
    out = tmp_path / "overlaps.xlsx"
    result = kb("report", "overlaps", "--xlsx", str(out), "--pillar", "WBBSi")
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    ws = book["Overlaps"]
    assert ws["B2"].value == "Pillar: WBBSi (Western Balkan Border Security initiative)"
    headers = [c.value for c in ws[6]]
    assert "Amount EUR" in headers and "Sources" in headers
    assert ws.cell(7, headers.index("Amount EUR") + 1).number_format == "#,##0.00"
    assert book["Evidence"].max_row > 1


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_gephi_exports_read_back_with_the_same_nodes_edges_and_attributes(kb, tmp_path, fmt):
    import networkx as nx

    out = tmp_path / f"kb.{fmt}"
    counts = kb.json("export", "--format", fmt, "-o", str(out))
    back = nx.read_gexf(out) if fmt == "gexf" else nx.read_graphml(out, force_multigraph=True)
    stats = kb.json("stats")
    assert back.number_of_nodes() == counts["nodes"] == sum(stats["nodes"].values())
    assert back.number_of_edges() == counts["edges"] == sum(stats["edges"].values())
    project = back.nodes["project:demo-al-green-border-surveillance"]
    assert project["pillar"] == "WBBSi" and project["country"] == "AL" and project["funding_EUR"] == 2300000.0
    assert "x" in project and "colour" in project
    assert back.nodes["country:xk"]["label"] == "Kosovo*"
    funds = [
        d
        for u, v, d in back.edges(data=True)
        if u == "org:dg-near"
        and v == "project:demo-al-green-border-surveillance"
        and d["relation"] == "FUNDS"
    ]
    assert funds and funds[0]["currency"] == "EUR" and funds[0]["amount"] == 2000000.0


def test_gexf_carries_project_periods_as_spells(kb, tmp_path):
    import networkx as nx

    out = tmp_path / "kb.gexf"
    kb.json("export", "--format", "gexf", "-o", str(out))
    assert 'xmlns="http://gexf.net/1.3"' in out.read_text(encoding="utf-8")
    back = nx.read_gexf(out)
    assert back.nodes["project:demo-al-green-border-surveillance"]["spells"] == [("2024-03-01", "2027-02-28")]


def test_csv_export_honours_filters(kb, tmp_path):
    out = tmp_path / "csv"
    counts = kb.json("export", "--format", "csv", "-o", str(out), "--country", "RS")
    lines = (out / "nodes.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) - 1 == counts["nodes"] < sum(kb.json("stats")["nodes"].values())
    assert (out / "edges.csv").exists()


def test_exports_for_analysis_carry_ids_numbers_per_currency_and_an_autofilter(kb, tmp_path):
    import csv

    out_csv, out_xlsx = tmp_path / "o.csv", tmp_path / "o.xlsx"
    assert kb("overlaps", "--csv", str(out_csv)).exit_code == 0
    assert kb("report", "overlaps", "--xlsx", str(out_xlsx)).exit_code == 0
    with out_csv.open(encoding="utf-8") as fh:
        first = next(csv.DictReader(fh))
    assert first["need / context ids"].startswith("need:") and "country:" in first["donors ids"]
    assert float(first["amount EUR"]) > 0 and "EUR" not in first["amount EUR"]
    ws = openpyxl.load_workbook(out_xlsx)["Overlaps"]
    assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A6:")
    headers = [c.value for c in ws[6]]
    assert "Donors ids" in headers and isinstance(
        ws.cell(7, headers.index("Amount EUR") + 1).value, int | float
    )
