"""Maps read in the room: label sizes and overlaps measured from what the canvas draws, presenter
mode stepped with the keyboard, and filters, search and timeline that tell the truth."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import pytest

from kb.analysis.models import Gap, Overlap
from kb.presentation import KOSOVO_FOOTNOTE
from visual.story import gap_caption, overlap_caption

pytestmark = pytest.mark.browser

#: Records every text the page's canvases draw: what, in which font, where on screen.
RECORD = """(() => {
  let texts = [];
  const fill = CanvasRenderingContext2D.prototype.fillText;
  CanvasRenderingContext2D.prototype.fillText = function (text, x, y, maxWidth) {
    const m = this.getTransform(), ratio = window.devicePixelRatio || 1;
    const px = parseFloat(/([0-9.]+)px/.exec(this.font)[1]);
    const width = this.measureText(text).width;
    const left = this.textAlign === "center" ? x - width / 2 : this.textAlign === "right" || this.textAlign === "end" ? x - width : x;
    const top = this.textBaseline === "top" ? y : this.textBaseline === "middle" ? y - px / 2 : y - px * 0.8;
    texts.push({text: String(text), px: px * m.a / ratio,
      x0: (m.a * left + m.e) / ratio, y0: (m.d * top + m.f) / ratio,
      x1: (m.a * (left + width) + m.e) / ratio, y1: (m.d * (top + px) + m.f) / ratio});
    return fill.apply(this, arguments);
  };
  window.__drawn = () => { const out = texts; texts = []; return out; };
})();"""
SIZES = [(1024, 768), (1280, 720), (1920, 1080)]
MIN_PX = 14


def _labels(opened) -> tuple[dict[str, list[dict]], list[dict]]:
    """Per node, the texts drawn for its label in one whole frame drawn now (matched to the label's
    lines and place), and all the texts of that frame."""
    texts, placed = opened.eval(
        "() => { window.__drawn(); kbMap.network.redraw(); return [window.__drawn(), kbMap.labels()]; }"
    )
    per_node: dict[str, list[dict]] = {}
    for label in placed:
        inside = [
            t
            for t in texts
            if t["text"] in label["lines"]
            and label["x0"] - 1 <= (t["x0"] + t["x1"]) / 2 <= label["x1"] + 1
            and label["y0"] - 1 <= t["y0"] <= label["y1"] + 1
        ]
        per_node[label["id"]] = inside
    return per_node, texts


def _overlap(a: dict, b: dict) -> bool:
    return (
        a["x0"] < b["x1"] - 0.5
        and b["x0"] < a["x1"] - 0.5
        and a["y0"] < b["y1"] - 0.5
        and b["y0"] < a["y1"] - 0.5
    )


def _assert_readable(opened, marked: set[str], story: set[str]) -> dict[str, float]:
    per_node, _ = _labels(opened)
    sizes = {}
    for node in sorted(marked):
        drawn = per_node.get(node, [])
        forms = opened.eval(
            f"() => {{ const n = kbMap.nodes.get({node!r}); return [n.lines, n.short || []]; }}"
        )
        assert sorted(t["text"] for t in drawn) in [sorted(f) for f in forms], (node, drawn)
        sizes[node] = min(t["px"] for t in drawn)
        assert sizes[node] >= MIN_PX, (node, sizes[node])
    labelled = [(n, t) for n, ts in per_node.items() if n in story for t in ts]
    for (n, a), (m, b) in itertools.combinations(labelled, 2):
        if n != m:
            assert not _overlap(a, b), (n, a["text"], m, b["text"])
    return sizes


@pytest.fixture
def seed_map(kb_seeded, tmp_path):
    def make(view: str, *args: str) -> Path:
        out = tmp_path / f"{view}.html"
        result = kb_seeded("map", view, "-o", str(out), *args)
        assert result.exit_code == 0, result.output
        return out

    return make


def _open(browser, path: Path, size: tuple[int, int]):
    from tests.visual.conftest import Opened
    from visual import png

    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    page.add_init_script(RECORD)
    opened = Opened(page=page, blocked=png.block_network(page))
    page.on("console", lambda m: m.type == "error" and opened.errors.append(m.text))
    page.on("pageerror", lambda exc: opened.errors.append(str(exc)))
    page.goto(path.resolve().as_uri())
    page.wait_for_function("() => window.__mapStill !== undefined", timeout=30_000)
    return context, opened


@pytest.fixture
def open_recorded(browser):
    contexts = []

    def opener(path: Path, size: tuple[int, int]):
        context, opened = _open(browser, path, size)
        contexts.append(context)
        return opened

    yield opener
    for context in contexts:
        context.close()


def _marks(opened) -> tuple[set[str], set[str]]:
    nodes = opened.eval("() => kbMap.nodes.get().map(n => [n.id, n.mark, n.story])")
    marked = {n for n, mark, _ in nodes if mark in ("overlap", "gap")}
    story = {n for n, mark, s in nodes if s or mark in ("overlap", "gap")}
    return marked, story


@pytest.mark.slow
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("view", ["overview", "overlaps", "gaps"])
def test_every_overlap_and_gap_label_is_drawn_large_and_apart(view, size, seed_map, open_recorded):
    opened = open_recorded(seed_map(view), size)
    marked, story = _marks(opened)
    assert marked, "the seed data has overlaps and gaps"
    sizes = _assert_readable(opened, marked, story)
    assert min(sizes.values()) >= MIN_PX
    assert opened.errors == []


@pytest.mark.slow
def test_labels_stay_readable_on_a_4k_screen_and_in_the_network_layout(seed_map, open_recorded):
    opened = open_recorded(seed_map("overview"), (3840, 2160))
    marked, story = _marks(opened)
    _assert_readable(opened, marked, story)
    opened.page.click("#layout-toggle")
    assert opened.eval("() => kbMap.layout()") == "network"
    small = open_recorded(seed_map("overview"), (1280, 720))
    small.page.click("#layout-toggle")
    _assert_readable(small, marked, story)


@pytest.mark.slow
def test_labels_are_unique_on_the_seed_map(seed_map, open_recorded):
    opened = open_recorded(seed_map("overview"), (1280, 720))
    labels = opened.eval("() => kbMap.nodes.get().map(n => n.lines.join(' '))")
    assert len(labels) == len(set(labels))
    assert "Kosovo*" in labels


@pytest.mark.slow
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_presenter_mode_steps_through_every_overlap_and_gap_with_the_keyboard(
    size, kb_seeded, seed_map, open_recorded
):
    overlaps = [Overlap.model_validate(o) for o in kb_seeded.json("overlaps")["overlaps"]]
    gaps = [Gap.model_validate(g) for g in kb_seeded.json("gaps")["gaps"]]
    opened = open_recorded(seed_map("overview"), size)
    page = opened.page
    page.keyboard.press("p")
    page.wait_for_function("() => kbMap.step() === 0")
    assert page.locator("#panel").is_hidden() and page.locator("#present-bar").is_visible()
    assert page.locator("#kosovo-footnote").inner_text() == KOSOVO_FOOTNOTE
    expected = [overlap_caption(o) for o in overlaps] + [gap_caption(g) for g in gaps]
    seen = []
    keys = itertools.cycle(["ArrowRight", "PageDown", "ArrowDown", " "])
    for i in range(1, len(expected) + 1):
        page.keyboard.press(next(keys))
        page.wait_for_function(f"() => kbMap.step() === {i} && !kbMap.moving()")
        seen.append(page.locator("#present-caption").inner_text())
        step = opened.eval("() => kbMap.steps()[kbMap.step()]")
        _assert_readable(opened, set(step["highlight"]), set(step["zoom"]) | set(step["highlight"]))
    assert seen == expected
    page.keyboard.press("PageDown")
    page.wait_for_function(f"() => kbMap.step() === {len(expected) + 1}")
    assert page.locator("#coverage table").is_visible()
    assert "Albania" in page.locator("#coverage").inner_text()
    page.keyboard.press("PageUp")
    page.wait_for_function(f"() => kbMap.step() === {len(expected)}")
    page.keyboard.press("Escape")
    page.wait_for_function("() => kbMap.step() === null")
    assert page.locator("#panel").is_visible()
    assert opened.errors == []


@pytest.mark.slow
def test_kb_map_present_opens_in_presenter_mode(seed_map, open_recorded):
    opened = open_recorded(seed_map("gaps", "--present"), (1280, 720))
    assert opened.eval("() => kbMap.step()") == 0
    assert opened.page.locator("#present-caption").inner_text().startswith("Gaps: needs without a response")


@pytest.mark.slow
def test_header_legend_and_findings_follow_the_in_map_filters(seed_map, open_recorded):
    opened = open_recorded(seed_map("overview"), (1920, 1080))
    page = opened.page
    page.select_option("#filter-pillar", "pillar:wbbsi")
    page.select_option("#filter-country", "country:rs")
    shown = opened.eval("() => kbMap.nodes.get({filter: n => !n.hidden}).map(n => n.type)")
    header = page.locator("#map-header").inner_text()
    assert "No filters" not in header
    assert "Pillar: WBBSi" in header and "Partner: Serbia" in header
    assert f"{len(shown)} of 124 nodes" in header
    for kind in set(shown):
        count = page.locator(f"[data-count-type={kind}]").inner_text()
        assert int(count) == shown.count(kind), kind
    findings = page.locator("#findings li").all_inner_texts()
    assert findings and all("Serbia" in f for f in findings), findings
    page.click("#reset")
    assert "124 nodes, 318 links" in page.locator("#map-header").inner_text()
    assert len(page.locator("#findings li").all_inner_texts()) == 12


@pytest.mark.slow
def test_a_search_that_finds_nothing_clears_the_previous_selection(seed_map, open_recorded):
    opened = open_recorded(seed_map("overview"), (1280, 720))
    page = opened.page
    page.fill("#search", "serbia")
    page.wait_for_function("() => kbMap.network.getSelectedNodes().length > 0")
    page.fill("#search", "zzz")
    page.wait_for_function("() => document.getElementById('search-status').textContent === 'Nothing found'")
    assert opened.eval("() => kbMap.network.getSelectedNodes()") == []
    faded = opened.eval("() => kbMap.nodes.get().filter(n => n.color.background === '#e4e7eb').length")
    assert faded == 0


@pytest.mark.slow
def test_the_timeline_shows_what_was_active_and_the_header_says_when(seed_map, open_recorded):
    opened = open_recorded(seed_map("overview"), (1280, 720))
    page = opened.page
    years = opened.eval("() => JSON.parse(document.getElementById('map-data').textContent).timeline.years")
    assert 2022 in years and 2027 in years
    page.locator("#timeline").evaluate(
        "(el, v) => { el.value = v; el.dispatchEvent(new Event('input')); }", str(years.index(2022) + 1)
    )
    assert page.locator("#timeline-value").inner_text() == "2022"
    assert "Active in 2022" in page.locator("#map-header").inner_text()
    hidden = set(opened.eval("() => kbMap.nodes.get({filter: n => n.hidden}).map(n => n.id)"))
    assert "project:demo-me-port-control-2025" in hidden
    assert "project:demo-me-port-control-2021" not in hidden
    assert "country:rs" not in hidden


@pytest.mark.slow
def test_from_and_to_set_where_the_timeline_starts(seed_map, open_recorded):
    opened = open_recorded(seed_map("overview", "--from", "2024-01-01", "--to", "2024-12-31"), (1280, 720))
    assert opened.page.locator("#timeline-value").inner_text() == "2024-01-01 – 2024-12-31"
    assert "From: 2024-01-01" in opened.page.locator("#map-filters").inner_text()


@pytest.mark.slow
def test_print_shows_map_labels_legend_and_footnote_without_controls(seed_map, open_recorded, tmp_path):
    opened = open_recorded(seed_map("overview"), (1280, 720))
    page = opened.page
    page.emulate_media(media="print")
    opened.eval("() => kbMap.printLayout()")
    assert page.locator("#controls").is_hidden() and page.locator("#toolbar").is_hidden()
    assert page.locator("#legend").is_visible() and page.locator("#kosovo-footnote").is_visible()
    marked, story = _marks(opened)
    _assert_readable(opened, marked, story)


@pytest.mark.slow
def test_kb_map_pdf_and_png_at_any_size(kb_seeded, tmp_path):
    from tests.visual.pixels import pixels

    kb = Path(sys.executable).parent / "kb"
    out, pdf, png = tmp_path / "m.html", tmp_path / "m.pdf", tmp_path / "m.png"
    args = ["map", "gaps", "-o", out, "--pdf", pdf, "--paper", "letter", "--png", png, "--size", "640x400"]
    done = subprocess.run(
        [kb, "--store", kb_seeded.store, *args], capture_output=True, text=True, timeout=180, check=False
    )
    assert done.returncode == 0, done.stderr
    assert f"wrote {pdf} (LETTER landscape)" in done.stdout
    assert pdf.read_bytes().startswith(b"%PDF") and b"/Type /Page" in pdf.read_bytes()
    assert len(pixels(png)) == 640 * 400


def _large_graph(n_needs: int = 400):
    """Over a thousand nodes: partners, pillars, needs each answered by two projects of two donors."""
    from kb.graph import to_networkx
    from tests.conftest import edge, node

    partners = [("al", "Albania"), ("rs", "Serbia"), ("xk", "Kosovo")]
    nodes = [node("Country", f"country:{c}", name, code=c.upper(), wb_partner=True) for c, name in partners]
    nodes += [node("Pillar", "pillar:p1", "Border", code="WBBSi", number=3)]
    nodes += [node("Organisation", f"org:d{i}", f"Donor {i}", acronym=f"D{i}") for i in range(40)]
    edges = []
    for i in range(n_needs):
        country = f"country:{partners[i % 3][0]}"
        nodes.append(node("Need", f"need:n{i}", f"Need number {i}", priority="high"))
        edges += [edge("STATED_BY", f"need:n{i}", country), edge("IN_PILLAR", f"need:n{i}", "pillar:p1")]
        for k in range(2):
            project = f"project:p{i}-{k}"
            nodes.append(node("Project", project, f"Project {i} {k}", start="2025-01-01", end="2026-12-31"))
            edges += [
                edge("ADDRESSES", project, f"need:n{i}"),
                edge("TARGETS", project, country),
                edge("FUNDS", f"org:d{(i + k * 7) % 40}", project, amount=1000 + i, currency="EUR"),
            ]
    return to_networkx(nodes, edges)


@pytest.mark.slow
def test_a_large_map_draws_every_edge_and_keeps_its_labels_apart(open_recorded, tmp_path):
    from kb.questions.maps import findings
    from visual import views, write_html

    G = _large_graph()
    assert G.number_of_nodes() > 1000
    path = write_html(*views.overview(G, findings(G), max_nodes=None), tmp_path / "large.html")
    opened = open_recorded(path, (1920, 1080))
    assert opened.eval("() => kbMap.edgesDrawn()") == G.number_of_edges()
    assert opened.eval("() => kbMap.nodes.length") == G.number_of_nodes()
    _, story = _marks(opened)
    _assert_readable(opened, set(), story | {n for n in G})
    opened.page.select_option("#filter-country", "country:rs")
    shown = set(opened.eval("() => kbMap.nodes.get({filter: n => !n.hidden}).map(n => n.id)"))
    visible_edges = sum(1 for u, v in G.edges() if u in shown and v in shown)
    opened.eval("() => kbMap.network.redraw()")
    assert opened.eval("() => kbMap.edgesDrawn()") == visible_edges
    assert opened.errors == []
