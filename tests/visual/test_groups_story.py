"""The grid, the presenter's sequence, unique labels, fair sizes and the CLI's new options, without a browser."""

from __future__ import annotations

import doctest
import importlib
import json

import pytest

from kb.graph import to_networkx
from kb.questions.maps import findings
from tests.conftest import edge, node
from visual import build_network, describe, groups, render_html, story, styles, views


@pytest.mark.parametrize("name", ["groups", "story"])
def test_docstring_examples_run(name):
    module = importlib.import_module(f"visual.{name}")
    assert doctest.testmod(module, optionflags=doctest.ELLIPSIS).failed == 0


def _data(html: str) -> dict:
    start = html.index('<script id="map-data" type="application/json">') + len(
        '<script id="map-data" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


def test_the_grid_puts_partners_over_columns_pillars_before_rows_and_cells_between(small_graph):
    G = to_networkx(small_graph["nodes"], small_graph["edges"])
    model, _ = views.overview(G, findings(G))
    grid = model.grid
    assert grid is not None
    at = {n["id"]: (n["x"], n["y"]) for n in model.network.nodes}
    column = next(c for c in grid["columns"] if c["node"] == "country:xk")
    row = next(r for r in grid["rows"] if r["node"] == "pillar:wbbsi")
    x, y = at["need:xk-training"]
    assert column["start"] <= x <= column["end"] and row["start"] <= y <= row["end"]
    assert at["country:xk"][1] < row["start"] and at["pillar:wbbsi"][0] < column["start"]
    assert at["org:giz"][0] < at["pillar:wbbsi"][0]  # donors left of the grid


def test_the_grid_is_the_same_for_the_same_graph(hostile_graph):
    first = groups.grid(hostile_graph, groups.places(hostile_graph)).positions
    assert first == groups.grid(hostile_graph, groups.places(hostile_graph)).positions


def test_repeated_names_get_labels_that_tell_them_apart():
    G = to_networkx(
        [
            node("Country", "country:ba", "Bosnia and Herzegovina", code="BA", wb_partner=True),
            *(
                node("Project", f"project:{i}", f"Equipment for border crossing points in Bosnia – phase {i}")
                for i in (1, 2)
            ),
            node("Project", "project:x", "Same name"),
            node("Project", "project:y", "Same name"),
        ],
        [],
    )
    lines = describe.map_labels(G, sorted(G))
    drawn = [" ".join(v) for v in lines.values()]
    assert len(set(drawn)) == len(drawn)
    assert lines["project:1"][-1].endswith("phase 1") and lines["project:2"][-1].endswith("phase 2")


def test_count_sizes_do_not_hide_a_donor_paying_in_another_currency():
    G = to_networkx(
        [
            node("Organisation", "org:eur", "Euro donor"),
            node("Country", "country:us", "United States", code="US"),
            node("Project", "project:p", "P"),
            node("Project", "project:q", "Q"),
        ],
        [
            edge("FUNDS", "org:eur", "project:p", amount=9_000_000, currency="EUR"),
            edge("FUNDS", "country:us", "project:q", amount=10, currency="USD"),
        ],
    )
    model = build_network(G, size_by="count")
    size = {n["id"]: n["size"] for n in model.network.nodes}
    assert size["country:us"] == size["org:eur"] == styles.COUNT_SIZE[1]
    assert any("projects a donor funds" in note for note in model.legend.notes)


def test_money_converted_with_stated_rates_sizes_and_says_so():
    from kb.analysis.money import parse_rates

    G = to_networkx(
        [node("Organisation", "org:eur", "Euro donor"), node("Country", "country:us", "US", code="US")]
        + [node("Project", "project:p", "P"), node("Project", "project:q", "Q")],
        [
            edge("FUNDS", "org:eur", "project:p", amount=1_000, currency="EUR"),
            edge("FUNDS", "country:us", "project:q", amount=4_000, currency="USD"),
        ],
    )
    rates = parse_rates("currency,rate,date,source\nEUR,1,2024-01-01,base\nUSD,0.5,2024-01-02,ECB\n")
    model = build_network(G, size_by="money", rates=rates)
    size = {n["id"]: n["size"] for n in model.network.nodes}
    assert size["country:us"] > size["org:eur"]  # 2,000 EUR converted against 1,000 EUR
    note = next(n for n in model.legend.notes if n.startswith("Size"))
    assert "converted to EUR" in note and "1 USD = 0.5 EUR (2024-01-02, ECB)" in note


def test_the_presenter_sequence_is_overview_overlaps_gaps_then_coverage(small_graph):
    from kb.analysis.coverage import coverage

    G = to_networkx(small_graph["nodes"], small_graph["edges"])
    found = findings(G)
    model, page = views.overview(G, found, drawing=views.Drawing(coverage=coverage(G), present=True))
    kinds = [s["kind"] for s in page.steps]
    assert kinds == ["overview"] + ["overlap"] * len(found.overlaps) + ["gap"] * len(found.gaps) + [
        "coverage"
    ]
    assert [s["caption"] for s in page.steps if s["kind"] == "overlap"] == [
        story.overlap_caption(o) for o in found.overlaps
    ]
    data = _data(render_html(model, page))
    assert data["present"] is True and data["coverage"]["cells"]
    for step in data["steps"]:
        assert set(step["highlight"]) <= set(step["zoom"]) | set(step["highlight"]) <= set(G)


def test_kb_map_takes_present_size_by_and_rates(kb_seeded, tmp_path):
    rates = tmp_path / "rates.csv"
    rates.write_text("currency,rate,date,source\nEUR,1,2024-01-01,base\nUSD,0.9,2024-01-02,ECB\n", "utf-8")
    out = tmp_path / "m.html"
    result = kb_seeded("map", "overview", "-o", str(out), "--present", "--rates", str(rates))
    assert result.exit_code == 0, result.output
    data = _data(out.read_text("utf-8"))
    assert data["present"] is True
    assert "converted to EUR" in out.read_text("utf-8")
    for args, message in (
        (["--size-by", "weight"], "--size-by 'weight'"),
        (["--pdf", str(tmp_path / "m.pdf"), "--paper", "A3"], "--paper 'A3'"),
    ):
        result = kb_seeded("map", "overview", "-o", str(tmp_path / "x.html"), *args)
        assert result.exit_code == 1 and message in result.stderr


def test_timeline_starts_where_from_to_and_cycle_say(kb_seeded, tmp_path):
    out = tmp_path / "m.html"
    args = ["--from", "2024-01-01", "--to", "2024-12-31", "--cycle", "response-mapping-2024"]
    assert kb_seeded("map", "overview", "-o", str(out), *args).exit_code == 0
    start = _data(out.read_text("utf-8"))["timeline"]["start"]
    assert start == {"from": "2024-01-01", "to": "2024-12-31", "cycle": "response-mapping-2024"}


def test_findings_carry_what_must_stay_shown_for_them_to_hold(small_graph):
    G = to_networkx(small_graph["nodes"], small_graph["edges"])
    model, page = views.overview(G, findings(G))
    data = _data(render_html(model, page))
    assert len(data["findings"]) == len(page.findings)
    overlap = next(f for f in data["findings"] if f["text"].startswith("Overlap"))
    assert overlap["key"]["k"] == 2 and set(overlap["key"]["some"]) >= {"project:a", "project:b"}
