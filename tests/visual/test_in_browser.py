"""Maps as a person sees them: opened in Debian's chromium with the network cut off."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kb.graph import to_networkx
from kb.presentation import KOSOVO_FOOTNOTE
from kb.questions.maps import findings
from tests.visual.conftest import XSS_HREF, XSS_IMG, XSS_SCRIPT
from tests.visual.pixels import pixels
from visual import styles, views, write_html
from visual.png import photograph

pytestmark = pytest.mark.browser

COUNTS = """() => ({nodes: kbMap.nodes.length, edges: kbMap.edges.length,
  drawnNodes: kbMap.network.body.nodeIndices.length, drawnEdges: kbMap.network.body.edgeIndices.length})"""


def _node_on_screen(opened, node_id: str) -> tuple[float, float]:
    point = opened.eval(f"""() => {{
        const p = kbMap.network.canvasToDOM(kbMap.network.getPosition({node_id!r}));
        const box = document.getElementById('map').getBoundingClientRect();
        return [box.left + p.x, box.top + p.y];
    }}""")
    return point[0], point[1]


@pytest.fixture
def hostile_map(hostile_graph, tmp_path) -> Path:
    return write_html(
        *views.overview(hostile_graph, findings(hostile_graph), data_date="2025-01-01"), tmp_path / "map.html"
    )


def test_every_node_and_edge_of_the_graph_is_drawn(open_map, hostile_graph, hostile_map):
    opened = open_map(hostile_map)
    counts = opened.eval(COUNTS)
    nodes, edges = hostile_graph.number_of_nodes(), hostile_graph.number_of_edges()
    assert counts == {"nodes": nodes, "edges": edges, "drawnNodes": nodes, "drawnEdges": edges}


def test_nothing_leaves_the_page_and_nothing_fails(open_map, hostile_map):
    opened = open_map(hostile_map)
    opened.page.mouse.move(400, 400)
    opened.page.wait_for_timeout(200)
    assert opened.blocked == []
    assert all(url.startswith("file:") for url in opened.requests), opened.requests
    assert opened.errors == []


def test_legend_title_filters_date_and_kosovo_footnote_are_shown(open_map, hostile_map):
    opened = open_map(hostile_map)
    page = opened.page
    legend = page.locator("#legend").inner_text()
    for name in (
        "Country",
        "Organisation",
        "Need",
        "Project",
        "FUNDS",
        "Overlap",
        "Gap: need nobody addresses",
    ):
        assert name in legend
    assert "money in EUR" in legend
    assert page.locator("#kosovo-footnote").inner_text() == KOSOVO_FOOTNOTE
    assert page.locator("#kosovo-footnote").is_visible()
    assert "Data as of 2025-01-01" in page.locator("#map-header").inner_text()
    labels = opened.eval("() => kbMap.nodes.get().map(n => n.label)")
    assert "Kosovo*" in labels and "Kosovo" not in labels


def test_markup_in_names_runs_nothing_and_shows_as_text(open_map, hostile_map):
    opened = open_map(hostile_map)
    page = opened.page
    for node_id, name in (("org:xss-img", XSS_IMG), ("org:xss-href", XSS_HREF)):
        x, y = _node_on_screen(opened, node_id)
        page.mouse.move(x, y)
        tooltip = page.locator("div.vis-tooltip")
        tooltip.wait_for(state="visible", timeout=5000)
        assert tooltip.inner_text().startswith(name)
        assert tooltip.locator("img, a, script").count() == 0
        page.mouse.move(5, 5)
        page.wait_for_timeout(300)
    labels = opened.eval("() => kbMap.nodes.get().map(n => n.label)")
    assert XSS_SCRIPT in labels
    page.wait_for_timeout(300)
    assert opened.eval("() => window.__xss") is None
    assert opened.dialogs == []
    assert page.locator("img[src=x], a[href^=javascript]").count() == 0
    assert opened.errors == []


def test_search_finds_names_without_diacritics_and_across_scripts(open_map, hostile_map):
    opened = open_map(hostile_map)
    page = opened.page
    person, ministry = "person:danilo-stevandic", "inst:rs-mup"
    for query, expected in (
        ("stevandic", person),
        ("STEVANDIĆ", person),
        ("Стевандић", person),
        ("ministarstvo unutrasnjih", ministry),
        ("Министарство", ministry),
    ):
        page.fill("#search", query)
        page.wait_for_function("() => document.getElementById('search-status').textContent !== ''")
        assert "found" in page.locator("#search-status").inner_text(), query
        selected = opened.eval("() => kbMap.network.getSelectedNodes()")
        assert expected in selected, query
        page.fill("#search", "")
        page.wait_for_function("() => document.getElementById('search-status').textContent === ''")


def test_clicking_a_node_focuses_its_neighbourhood(open_map, hostile_map):
    opened = open_map(hostile_map)
    x, y = _node_on_screen(opened, "need:xk-training")
    opened.page.mouse.click(x, y)
    faded_ids = f"() => kbMap.nodes.get().filter(n => n.color.background === {styles.FADED['background']!r})"
    faded = opened.eval(faded_ids + ".map(n => n.id)")
    assert "org:giz" in faded
    assert "need:xk-training" not in faded and "country:xk" not in faded
    opened.page.mouse.click(5, 300)
    assert opened.eval(faded_ids + ".length") == 0


def test_filters_by_pillar_country_and_type_hide_the_rest(open_map, hostile_map):
    opened = open_map(hostile_map)
    page = opened.page
    page.select_option("#filter-country", "country:xk")
    hidden = set(opened.eval("() => kbMap.nodes.get({filter: n => n.hidden}).map(n => n.id)"))
    assert "need:rs-border-surveillance" in hidden and "need:xk-training" not in hidden
    page.click("#reset")
    page.uncheck("input.type-toggle[data-type=Organisation]")
    hidden = set(opened.eval("() => kbMap.nodes.get({filter: n => n.hidden}).map(n => n.id)"))
    assert "org:giz" in hidden and "project:a" not in hidden
    page.click("#reset")
    assert opened.eval("() => kbMap.nodes.get({filter: n => n.hidden}).length") == 0


def test_png_export_is_a_picture(hostile_map, tmp_path, browser):
    still = photograph(browser, hostile_map, tmp_path / "map.png", (960, 540))
    seen = pixels(still)
    assert len(seen) == 960 * 540
    assert len(set(seen)) > 50  # many colours: not a blank page
    assert sum(p != (255, 255, 255) for p in seen) > len(seen) * 0.05


@pytest.mark.slow
@pytest.mark.parametrize("view", ["overview", "overlaps", "gaps", "cofunding"])
def test_seed_data_maps_open_offline_with_every_node(view, kb_seeded, open_map, tmp_path):
    out = tmp_path / f"{view}.html"
    result = kb_seeded("map", view, "-o", str(out))
    assert result.exit_code == 0, result.output
    opened = open_map(out)
    counts = opened.eval(COUNTS)
    assert counts["nodes"] == counts["drawnNodes"] > 5
    assert counts["edges"] == counts["drawnEdges"] > 5
    assert f"{counts['nodes']:,} nodes, {counts['edges']:,} links" in result.output
    assert opened.blocked == [] and opened.errors == []
    assert opened.page.locator("#legend").is_visible()
    if view != "cofunding":
        assert opened.page.locator("#kosovo-footnote").is_visible()


def test_small_graph_overview_matches_the_store_graph(small_graph, open_map, tmp_path):
    G = to_networkx(small_graph["nodes"], small_graph["edges"])
    opened = open_map(write_html(*views.overview(G, findings(G)), tmp_path / "small.html"))
    assert opened.eval("() => kbMap.nodes.getIds().sort()") == sorted(G.nodes)


@pytest.mark.slow
def test_kb_map_png_writes_a_still_of_the_requested_size(tmp_path):
    kb = Path(sys.executable).parent / "kb"
    store, out, still = tmp_path / "kb.sqlite", tmp_path / "gaps.html", tmp_path / "gaps.png"
    subprocess.run([kb, "--store", store, "seed"], check=True, capture_output=True)
    done = subprocess.run(
        [kb, "--store", store, "map", "gaps", "-o", out, "--png", still, "--size", "800x450"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,  # the assertion shows stderr
    )
    assert done.returncode == 0, done.stderr
    assert f"wrote {still} (800x450)" in done.stdout
    seen = pixels(still)
    assert len(seen) == 800 * 450 and len(set(seen)) > 50
