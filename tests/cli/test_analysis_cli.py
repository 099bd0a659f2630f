"""The analysis commands as a user types them: tables, --json, --csv, filters and bad input."""

from __future__ import annotations

import csv
import json

import pytest

from kb.presentation import KOSOVO_FOOTNOTE
from tests.analysis.scenarios import add_need, two_donors_one_need

RATES = "currency,rate,date,source\nEUR,1,2024-01-01,definition\nUSD,0.9,2024-01-01,ECB\n"


@pytest.fixture
def kb_loaded(kb, tmp_path, monkeypatch):
    """Overlap on a Serbian need (GIZ in EUR, Austria in USD) and an unanswered Kosovo* need.

    Tables are printed 300 columns wide so that no cell is folded.
    """
    monkeypatch.setenv("COLUMNS", "300")
    doc = add_need(
        two_donors_one_need(),
        "need:xk-training",
        country="country:xk",
        priority="high",
        name="Kosovo – Training of border police",
    )
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = kb("import", "json", str(path))
    assert result.exit_code == 0, result.output
    return kb


def test_overlaps_prints_a_table_with_donors_period_and_amounts_per_currency(kb_loaded):
    result = kb_loaded("overlaps")
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert "Overlaps" in out and "GIZ" in out and "Austria" in out
    assert "1,000,000 EUR" in out and "250,000 USD" in out


def test_overlaps_json_is_only_json_with_the_evidence(kb_loaded):
    data = kb_loaded.json("overlaps")
    [o] = data["overlaps"]
    assert o["need"]["id"] == "need:radars" and o["period"] == {"start": "2024-06-01", "end": "2024-12-31"}
    assert {
        "type": "FUNDS",
        "source": "org:giz",
        "target": "project:a",
        "key": "",
        "sources": ["tests"],
    } in o["evidence"]


def test_overlaps_with_evidence_lists_each_edge_and_its_sources(kb_loaded):
    result = kb_loaded("overlaps", "--evidence")
    assert "Evidence" in result.stdout and "ADDRESSES" in result.stdout


def test_overlaps_with_rates_say_which_rates_were_applied(kb_loaded, tmp_path):
    rates = tmp_path / "rates.csv"
    rates.write_text(RATES, encoding="utf-8")
    result = kb_loaded("overlaps", "--rates", str(rates))
    out = " ".join(result.stdout.split())
    assert result.exit_code == 0, result.output
    assert "1,225,000 EUR" in out and "1 USD = 0.9 EUR (2024-01-01, ECB)" in out
    data = kb_loaded.json("overlaps", "--rates", str(rates))
    assert data["overlaps"][0]["converted"]["applied"][0]["source"] == "ECB"


def test_filters_accept_pillar_code_in_any_case_and_iso_country_code(kb_loaded):
    data = kb_loaded.json(
        "overlaps",
        "--pillar",
        "wbbsi",
        "--country",
        "RS",
        "--donor",
        "org:giz",
        "--from",
        "2024-01-01",
        "--to",
        "2024-12-31",
    )
    assert data["filters"]["pillar"] == "pillar:wbbsi" and data["filters"]["country"] == "country:rs"
    assert len(data["overlaps"]) == 1


def test_period_filter_that_drops_one_side_finds_no_overlap(kb_loaded):
    data = kb_loaded.json("overlaps", "--from", "2025-01-01", "--to", "2025-12-31")
    assert data["overlaps"] == []


def test_gaps_table_names_kosovo_with_the_asterisk_and_the_footnote_once(kb_loaded):
    result = kb_loaded("gaps")
    assert result.exit_code == 0, result.output
    assert "Kosovo*" in result.stdout
    assert " ".join(result.stdout.split()).count(" ".join(KOSOVO_FOOTNOTE.split())) == 1


def test_gaps_json_carries_the_footnote_when_kosovo_is_named(kb_loaded):
    data = kb_loaded.json("gaps")
    assert [g["kind"] for g in data["gaps"]] == ["empty_cell", "unaddressed"]
    assert data["gaps"][1]["need"]["name"] == "Kosovo* – Training of border police"
    assert data["footnote"] == KOSOVO_FOOTNOTE


def test_gaps_csv_has_a_header_rows_and_the_footnote(kb_loaded, tmp_path):
    out = tmp_path / "gaps.csv"
    result = kb_loaded("gaps", "--csv", str(out))
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0][:4] == ["#", "kind", "priority", "need"]
    assert rows[2][3] == "Kosovo* – Training of border police"
    assert rows[-1] == [KOSOVO_FOOTNOTE]


def test_who_funds_lists_every_funder_and_implementer(kb_loaded):
    data = kb_loaded.json("who-funds", "need:radars")
    lines = data["who_funds"]["lines"]
    assert [(x["actor"]["id"], x["role"]) for x in lines] == [
        ("org:giz", "funder"),
        ("org:unodc", "implementer"),
        ("country:at", "funder"),
    ]
    assert data["who_funds"]["totals"] == {"EUR": 1_000_000.0, "USD": 250_000.0}
    assert kb_loaded("who-funds", "need:radars").exit_code == 0


def test_co_funders_of_a_donor_names_the_other_funders(kb_loaded):
    data = kb_loaded.json("co-funders", "org:giz")
    assert [x["actor"]["id"] for x in data["needs"][0]["others"]] == ["country:at"]
    assert "Austria" in kb_loaded("co-funders", "org:giz").stdout


def test_co_funders_of_an_actor_funding_nothing_says_so(kb_loaded):
    result = kb_loaded("co-funders", "org:unodc")
    assert result.exit_code == 0 and "funds no project" in result.stdout


def test_cofunding_lists_donor_pairs(kb_loaded):
    [pair] = kb_loaded.json("cofunding")["pairs"]
    assert [d["id"] for d in pair["donors"]] == ["country:at", "org:giz"] and pair["weight"] == 1


def test_coverage_prints_the_partner_pillar_matrix(kb_loaded):
    result = kb_loaded("coverage")
    assert result.exit_code == 0 and "WBBSi" in result.stdout and "Kosovo*" in result.stdout
    cells = kb_loaded.json("coverage")["coverage"]["cells"]
    assert {(c["country"]["id"], c["needs"], c["addressed"]) for c in cells if c["needs"]} == {
        ("country:rs", 1, 1),
        ("country:xk", 1, 0),
    }


def test_brokers_and_path_answer_on_a_shared_project(kb_loaded):
    assert kb_loaded.json("brokers")["brokers"] == []
    [path] = kb_loaded.json("path", "org:giz", "org:unodc")["paths"]
    assert [s["node"]["id"] for s in path["steps"]] == ["org:giz", "project:a", "org:unodc"]


def test_path_between_unconnected_actors_says_so(kb_loaded):
    result = kb_loaded("path", "org:giz", "country:at")
    assert result.exit_code == 0 and "not connected" in result.stdout


def test_empty_selection_says_so_and_exits_zero(kb_loaded):
    result = kb_loaded("overlaps", "--cycle", "no-such-cycle")
    assert result.exit_code == 0 and "selection is empty" in result.stdout
    assert kb_loaded.json("gaps", "--cycle", "no-such-cycle")["gaps"] == []


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["overlaps", "--pillar", "WBXX"], "'WBXX'"),
        (["gaps", "--country", "ZZ"], "'ZZ'"),
        (["gaps", "--donor", "org:nobody"], "org:nobody"),
        (
            ["overlaps", "--from", "2025-01-01", "--to", "2024-01-01"],
            "--from 2025-01-01 is after --to 2024-01-01",
        ),
        (["gaps", "--from", "2024-02-30"], "'2024-02-30'"),
        (["who-funds", "need:nope"], "need:nope"),
        (["who-funds", "project:a"], "project:a"),
        (["co-funders", "need:radars"], "need:radars"),
        (["path", "org:giz", "org:nope"], "org:nope"),
        (["overlaps", "--rates", "/nonexistent/rates.csv"], "/nonexistent/rates.csv"),
    ],
)
def test_bad_input_gives_a_one_line_error_naming_the_value_and_exit_1(kb_loaded, args, named):
    result = kb_loaded(*args)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and named in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


def test_inconsistent_rates_file_is_refused_naming_the_line(kb_loaded, tmp_path):
    rates = tmp_path / "rates.csv"
    rates.write_text(
        "currency,rate,date,source\nEUR,1,2024-01-01,d\nUSD,zero,2024-01-01,ECB\n", encoding="utf-8"
    )
    result = kb_loaded("gaps", "--rates", str(rates))
    assert result.exit_code == 1 and "line 3" in result.stderr and "'zero'" in result.stderr
