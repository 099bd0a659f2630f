"""kb map as a user types it: files written, paths printed, mistakes refused with a message."""

from __future__ import annotations

import json

import pytest

from tests.conftest import node


@pytest.fixture(scope="module")
def kb(kb_seeded):
    return kb_seeded


@pytest.mark.parametrize(
    "args",
    [
        ["overview"],
        ["pillar", "wbbsi"],
        ["partner", "XK"],
        ["partner", "country:rs"],
        ["donor", "org:dg-near"],
        ["need", "need:demo-mk-pve"],
        ["overlaps", "--country", "AL"],
        ["gaps", "--pillar", "WBCSCi"],
        ["cofunding"],
        ["overview", "--from", "2024-01-01", "--to", "2024-12-31"],
    ],
)
def test_every_view_writes_one_html_file_and_prints_its_path(kb, tmp_path, args):
    out = tmp_path / "sub" / "map.html"
    result = kb("map", *args, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"wrote {out} (")
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "Data as of " in html


def test_header_names_the_filters_and_the_date_of_the_data(kb, tmp_path):
    out = tmp_path / "map.html"
    assert (
        kb(
            "map", "gaps", "--country", "al", "--pillar", "wbbsi", "--from", "2024-01-01", "-o", str(out)
        ).exit_code
        == 0
    )
    html = out.read_text(encoding="utf-8")
    assert (
        "Filters: Pillar: WBBSi (Western Balkan Border Security initiative); Partner: Albania; From: 2024-01-01</span>"
        in html
    )
    assert "Data as of 20" in html  # the seeding's write, to the minute


def test_partner_map_of_kosovo_stars_the_name_and_carries_the_footnote(kb, tmp_path):
    out = tmp_path / "xk.html"
    assert kb("map", "partner", "XK", "-o", str(out)).exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert "<title>Kosovo*: needs and assistance</title>" in html
    assert "UNSCR 1244" in html


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["pillar", "nope"], "no pillar named 'nope'"),
        (["overview", "--country", "ZZ"], "no country named 'ZZ'"),
        (["need", "org:giz"], "not a need"),
        (["need", "need:missing"], "need:missing"),
        (["donor", "org:iisg-board"], "the selection is empty"),
        (["overview", "--cycle", "no-such-cycle"], "the selection is empty"),
        (["overview", "--from", "2024-13-01"], "not a date"),
        (["overview", "--png", "x.png", "--size", "big"], "expected WIDTHxHEIGHT"),
    ],
)
def test_mistakes_are_refused_with_a_message_and_exit_code_1(kb, tmp_path, args, message):
    out = tmp_path / "map.html"
    result = kb("map", *args, "-o", str(out))
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert not out.exists()


def test_map_without_output_file_says_what_is_missing(kb):
    result = kb("map", "overview")
    assert result.exit_code == 2 and "--output" in result.stderr


def test_over_the_limit_selection_is_refused_before_drawing(tmp_path):
    from tests.cli.conftest import KB
    from visual.network import MAX_NODES

    many = KB(tmp_path / "kb.sqlite")
    doc = {"nodes": [node("Organisation", f"org:o{i}", f"Organisation {i}") for i in range(MAX_NODES + 1)]}
    (tmp_path / "many.json").write_text(json.dumps(doc), encoding="utf-8")
    assert many("import", "json", str(tmp_path / "many.json")).exit_code == 0
    result = many("map", "overview", "-o", str(tmp_path / "m.html"))
    assert result.exit_code == 1
    assert f"at most {MAX_NODES:,}" in result.stderr and "--pillar" in result.stderr
