"""Co-funders answer the donor's question: filtered by pillar, partner and period, and each other
funder marked as co-financing the donor's project or funding the need through another project
(issue 17, item 5). On the demo set Austria co-finances DG NEAR's Albanian border project, Italy
funds that need through a project of its own, and OSCE funds Austria's North Macedonian need."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kb.settings import Settings
from tests.cli.conftest import KB

AL = "need:demo-al-border-surveillance"
MK = "need:demo-mk-pve"


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KB:
    kb = KB(tmp_path_factory.mktemp("co-funders") / "kb.sqlite")
    kb.json("seed")
    return kb


@pytest.fixture(scope="module")
def client(kb: KB):
    with TestClient(create_app(Settings(store=str(kb.store)))) as c:
        yield c


def _others(report: dict) -> dict[str, list[tuple[str, str]]]:
    return {
        n["need"]["id"]: [(o["actor"]["id"], o["relation"]) for o in n["others"]] for n in report["needs"]
    }


def test_each_co_funder_is_marked_co_financing_or_another_project(kb):
    found = _others(kb.json("co-funders", "Austria"))
    assert found[AL] == [("org:dg-near", "same_project"), ("country:it", "same_need")]
    assert found[MK] == [("org:osce", "same_need")]


def test_the_json_keeps_its_keys_and_adds_the_relation_and_the_filters(kb):
    report = kb.json("co-funders", "AT", "--pillar", "WBBSi")
    assert {"footnote", "org", "needs", "filters"} <= set(report)
    line = report["needs"][0]["others"][0]
    assert {
        "actor",
        "role",
        "project",
        "status",
        "period",
        "amounts",
        "joint",
        "joint_with",
        "evidence",
    } < set(line)
    assert report["filters"]["pillar"] == "pillar:wbbsi"


@pytest.mark.parametrize(
    ("options", "needs"),
    [
        (["--pillar", "WBBSi"], [AL]),
        (["--country", "North Macedonia"], [MK]),
        (["--country", "AL", "--pillar", "WBCTi"], []),
        (["--from", "2028-01-01"], [MK]),
    ],
    ids=["pillar", "partner", "nothing", "period"],
)
def test_the_filters_keep_the_needs_of_that_pillar_partner_and_period(kb, options, needs):
    assert [n["need"]["id"] for n in kb.json("co-funders", "Austria", *options)["needs"]] == needs


def test_a_period_after_the_other_projects_leaves_the_donor_alone_on_its_need(kb):
    [need] = kb.json("co-funders", "Austria", "--from", "2028-01-01")["needs"]
    assert need["others"] == []


def test_a_selection_without_the_donors_projects_says_so(kb):
    result = kb("co-funders", "Austria", "--country", "AL", "--pillar", "WBCTi")
    assert result.exit_code == 0 and "funds no project addressing a need in this selection" in result.stdout


def test_an_unknown_pillar_is_refused_with_candidates(kb):
    result = kb("co-funders", "Austria", "--pillar", "WBXi")
    assert result.exit_code == 1 and "WBBSi" in result.stderr


@pytest.mark.parametrize("width", [80, 200])
def test_the_relation_column_reads_whole_at_any_width(kb, width):
    out = KB(kb.store, env={"COLUMNS": str(width)})("co-funders", "Austria").stdout
    assert max(len(line) for line in out.splitlines()) <= width
    cells = [line.split("│")[3].strip() for line in out.splitlines() if line.startswith("│")]
    words = " ".join(c for c in cells if c)
    assert words == "co-financing same need, other project same need, other project"


def test_the_csv_has_the_relation_and_one_amount_column_per_currency(kb, tmp_path):
    import csv

    out = tmp_path / "co.csv"
    assert kb("co-funders", "DG NEAR", "--csv", str(out)).exit_code == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    relations = {r["other funder"]: r["relation"] for r in rows if r["relation"]}
    assert relations["Austria"] == "co-financing" and relations["Italy"] == "same need, other project"
    usd = [r for r in rows if r.get("amount USD")]
    assert usd and float(usd[0]["amount USD"]) == 400_000.0


def test_the_api_takes_the_same_filters_and_answers_the_same(kb, client):
    response = client.get(
        "/api/analyses/co-funders/Austria", params={"pillar": "WBBSi", "from": "2024-01-01"}
    )
    assert response.status_code == 200
    assert response.json() == kb.json("co-funders", "Austria", "--pillar", "WBBSi", "--from", "2024-01-01")


@pytest.mark.parametrize("params", [{"donor": "IT"}, {"pilar": "WBBSi"}])
def test_the_api_refuses_a_parameter_it_does_not_take(client, params):
    response = client.get("/api/analyses/co-funders/Austria", params=params)
    assert response.status_code == 422 and next(iter(params)) in response.json()["detail"]


def test_the_workbook_has_the_rows_the_relation_and_the_filters_in_words(kb, tmp_path):
    import openpyxl

    out = tmp_path / "co.xlsx"
    assert kb("co-funders", "Austria", "--pillar", "WBBSi", "--xlsx", str(out)).exit_code == 0
    sheet = openpyxl.load_workbook(out).active
    assert sheet["B2"].value == "Pillar: WBBSi (Western Balkan Border Security initiative) · Donor: Austria"
    headers = [c.value for c in sheet[6]]
    rows = [dict(zip(headers, r, strict=True)) for r in sheet.iter_rows(min_row=7, values_only=True) if r[0]]
    assert [(r["Other funder"], r["Relation"], r["Amount EUR"]) for r in rows] == [
        ("DG NEAR", "co-financing", 2_000_000),
        ("Italy", "same need, other project", 900_000),
    ]
