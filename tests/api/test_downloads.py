"""The /overlaps and /gaps downloads: the rows of the page, with the filters in words (issue 17, item 4)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

HTML = {"accept": "text/html"}
WORDS = "Pillar: WBBSi (Western Balkan Border Security initiative) · Partner: Serbia"


@pytest.mark.parametrize("path", ["/gaps", "/overlaps"])
def test_the_workbook_states_the_filters_in_words(client, path):
    response = client.get(path, params={"pillar": "WBBSi", "country": "RS", "format": "xlsx"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert (sheet["A2"].value, sheet["B2"].value) == ("Filters", WORDS)


def test_the_csv_states_the_filters_in_words_after_its_rows(client):
    response = client.get("/gaps", params={"pillar": "wbbsi", "country": "Serbia", "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[-1] == [f"Filters: {WORDS}"] and rows[-2] == []


def test_without_filters_the_files_say_everything(client):
    rows = list(csv.reader(io.StringIO(client.get("/overlaps", params={"format": "csv"}).text)))
    assert ["Filters: none (everything)"] in rows


def test_the_page_states_the_same_words(client):
    html = client.get("/gaps", params={"pillar": "WBBSi", "country": "RS"}, headers=HTML).text
    assert f"Filters: {WORDS}." in html


def test_the_cli_csv_states_the_filters_in_words(tmp_path):
    from tests.cli.conftest import KB

    kb = KB(tmp_path / "kb.sqlite")
    kb.json("seed")
    out = tmp_path / "gaps.csv"
    assert kb("gaps", "--pillar", "WBBSi", "--country", "RS", "--csv", str(out)).exit_code == 0
    assert list(csv.reader(out.open(encoding="utf-8")))[-1] == [f"Filters: {WORDS}"]
