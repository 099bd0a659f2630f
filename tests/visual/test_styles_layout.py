"""Maps as pure functions: styles from the schema, stable positions, money per currency, marks."""

from __future__ import annotations

import doctest
import importlib
import math
import re

import networkx as nx
import pytest

from graph_schema.registry import EDGE_TYPES, NODE_TYPES
from kb.analysis.funding import cofunding
from kb.errors import InvalidInputError
from kb.graph import to_networkx
from kb.questions.maps import findings
from tests.conftest import edge, node
from visual import assets, build_network, layout, legend, render_html, styles, views
from visual.page import MapPage

VIS_SHAPES = {
    "ellipse",
    "circle",
    "database",
    "box",
    "text",
    "diamond",
    "dot",
    "star",
    "triangle",
    "triangleDown",
    "hexagon",
    "square",
}
HEX = re.compile(r"^#[0-9a-f]{6}$")
MODULES = ["assets", "describe", "highlight", "layout", "legend", "network", "page", "png", "styles", "views"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(f"visual.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_every_schema_type_has_a_drawable_style_and_a_legend_symbol():
    for name, cls in NODE_TYPES.items():
        assert HEX.match(cls.COLOUR), name
        assert cls.SHAPE in VIS_SHAPES, name
        assert cls.SHAPE in legend.SYMBOLS, name
    for name, cls in EDGE_TYPES.items():
        assert HEX.match(cls.COLOUR), name
    assert styles.GAP_SHAPE in legend.SYMBOLS


def test_marks_stand_apart_from_every_type_colour():
    type_colours = {cls.COLOUR for cls in NODE_TYPES.values()} | {cls.COLOUR for cls in EDGE_TYPES.values()}
    assert not {styles.OVERLAP_COLOUR, styles.GAP_COLOUR, styles.UNDERFUNDED_COLOUR} & type_colours


def test_legend_lists_the_types_on_the_map_in_schema_order(hostile_graph):
    model = build_network(hostile_graph)
    shown = [e.type for e in model.legend.nodes]
    assert shown == [t for t in NODE_TYPES if any(d == t for _, d in hostile_graph.nodes(data="type"))]
    assert {e.label for e in model.legend.edges} >= {"FUNDS", "ADDRESSES"}


def test_same_graph_gives_same_positions_whatever_the_insertion_order(hostile_graph):
    reversed_graph = nx.MultiDiGraph()
    reversed_graph.add_nodes_from(reversed(list(hostile_graph.nodes(data=True))))
    reversed_graph.add_edges_from(reversed(list(hostile_graph.edges(keys=True, data=True))))
    first = {n["id"]: (n["x"], n["y"]) for n in build_network(hostile_graph).network.nodes}
    again = {n["id"]: (n["x"], n["y"]) for n in build_network(reversed_graph).network.nodes}
    assert first == again
    assert first != {n["id"]: (n["x"], n["y"]) for n in build_network(hostile_graph, seed=8).network.nodes}


def test_same_data_gives_the_same_file(hostile_graph):
    page = MapPage(title="t", data_date="2025-01-01")
    assert render_html(build_network(hostile_graph), page) == render_html(build_network(hostile_graph), page)


def test_force_layout_does_not_depend_on_earlier_random_calls():
    G = nx.gnm_random_graph(60, 90, seed=3)
    first = layout.force_layout(G, seed=1)
    import random

    random.random()
    assert layout.force_layout(G, seed=1) == first


def test_positions_place_each_of_two_thousand_nodes_at_a_finite_point():
    # how long it takes is bench_layout's figure (python -m bench layout), not a test
    G = nx.gnm_random_graph(2000, 3000, seed=1)
    placed = layout.positions(G)
    assert set(placed) == set(G)
    assert all(math.isfinite(c) for point in placed.values() for c in point)


def test_sizes_follow_one_currency_and_never_add_currencies():
    G = to_networkx(
        [
            node("Organisation", "org:eur", "Euro donor"),
            node("Organisation", "org:usd", "Dollar donor"),
            node("Organisation", "org:both", "Both"),
            node("Project", "project:p", "P"),
            node("Project", "project:q", "Q"),
        ],
        [
            edge("FUNDS", "org:eur", "project:p", amount=1_000_000, currency="EUR"),
            edge("FUNDS", "org:both", "project:p", amount=10, currency="EUR"),
            edge("FUNDS", "org:both", "project:q", amount=9_000_000, currency="USD"),
            edge("FUNDS", "org:usd", "project:q", amount=5_000_000, currency="USD"),
        ],
    )
    model = build_network(G)
    size = {n["id"]: n["size"] for n in model.network.nodes}
    assert size["org:eur"] == styles.MONEY_SIZE[1]  # the largest EUR amount
    assert size["org:both"] < size["org:eur"]  # 10 EUR, its 9M USD not added
    assert size["org:usd"] <= styles.DEGREE_SIZE[1]  # no EUR: sized by its links
    assert any("money in EUR" in note for note in model.legend.notes)
    tips = {n["id"]: n["tip"] for n in model.network.nodes}
    assert "10 EUR; 9,000,000 USD" in tips["org:both"]


def test_edge_width_is_relative_within_its_currency():
    widths = styles.edge_widths({"a": (100.0, "EUR"), "b": (1.0, "USD"), "c": (25.0, "EUR")})
    assert widths["a"] == widths["b"] == styles.AMOUNT_WIDTH[1]
    assert styles.AMOUNT_WIDTH[0] < widths["c"] < widths["a"]


def test_overlapping_projects_and_unaddressed_needs_are_marked(small_graph):
    G = to_networkx(small_graph["nodes"], small_graph["edges"])
    model, page = views.overview(G, findings(G))
    nodes = {n["id"]: n for n in model.network.nodes}
    assert nodes["project:a"]["mark"] == nodes["project:b"]["mark"] == "overlap"
    assert nodes["project:a"]["color"]["border"] == styles.OVERLAP_COLOUR
    assert nodes["need:xk-training"]["shape"] == styles.GAP_SHAPE
    assert nodes["need:xk-training"]["color"]["background"] == styles.GAP_COLOUR
    overlap_edges = [e for e in model.network.edges if e["color"]["color"] == styles.OVERLAP_COLOUR]
    assert {(e["from"], e["to"]) for e in overlap_edges} >= {
        ("project:a", "need:rs-border-surveillance"),
        ("org:giz", "project:a"),
    }
    assert any("Overlap on Border surveillance equipment" in f for f in page.findings)
    assert any(e.label.startswith("Gap: need nobody") for e in model.legend.marks)


def test_kosovo_is_starred_and_footnoted_only_when_shown(small_graph):
    G = to_networkx(small_graph["nodes"], small_graph["edges"])
    model, page = views.overview(G, findings(G))
    tips = {n["id"]: n["tip"] for n in model.network.nodes}
    assert "Country: Kosovo*\n" in tips["need:xk-training"] and "Pillar: WBBSi\n" in tips["need:xk-training"]
    html = render_html(model, page)
    assert "Kosovo*" in html and "UNSCR 1244" in html
    assert not re.search(r"Kosovo(?![*\w])", html.replace("Kosovo declaration", ""))
    without = G.subgraph([n for n in G if n not in ("country:xk", "need:xk-training")]).copy()
    assert "UNSCR 1244" not in render_html(*views.overview(without, findings(without)))


def test_selection_over_the_limit_is_refused_with_a_hint():
    G = nx.MultiDiGraph()
    G.add_nodes_from((f"org:{i}", {"type": "Organisation", "name": str(i)}) for i in range(12))
    with pytest.raises(InvalidInputError, match="--pillar"):
        build_network(G, max_nodes=10)


def test_page_loads_nothing_from_the_web_by_construction(hostile_graph):
    html = render_html(*views.overview(hostile_graph, findings(hostile_graph)))
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.IGNORECASE)
    assert not re.search(r"""url\(\s*["']?\s*(?:https?:)?//""", html, re.IGNORECASE)
    assert not re.search(r"@import", html)
    assert "default-src 'none'" in html


def test_markup_in_names_is_escaped_everywhere_in_the_page(hostile_graph):
    from tests.visual.conftest import XSS_IMG, XSS_SCRIPT

    html = render_html(
        *views.overview(hostile_graph, findings(hostile_graph), title=f"Map {XSS_SCRIPT}", filters=[XSS_IMG])
    )
    assert XSS_IMG not in html and XSS_SCRIPT not in html
    ours = html.replace(assets.vis_network_js(), "")
    assert ours.count("<script") == 3  # the data block, vis-network and the map's own script
    assert "&lt;script&gt;window.__xss = 1&lt;/script&gt;" in html  # title and filters as text


def test_support_part_leaves_out_events_and_documents(small_graph):
    G = to_networkx(small_graph["nodes"], small_graph["edges"])
    kept = views.support_part(G)
    assert "person:sinisa-kostresevic" not in kept and "project:a" in kept and "org:giz" in kept


def test_cofunding_graph_links_donors_of_the_same_need(small_graph):
    G = to_networkx(small_graph["nodes"], small_graph["edges"])
    D = views.cofunding_graph(G, cofunding(G))
    assert sorted(D) == ["country:at", "org:giz"]
    ((_, _, data),) = D.edges(data=True)
    assert data["weight"] == 1 and data["type"] == styles.COFUNDING_EDGE
