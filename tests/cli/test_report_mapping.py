"""``kb report mapping``: the response-mapping report of the demo set, printed by Debian's chromium
and read back with poppler's ``pdftotext``, as the Secretariat would print and read it."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kb.presentation import KOSOVO_FOOTNOTE, display
from kb.questions import analyses as ask
from kb.questions.asked import Asked, filter_words
from kb.store.sqlite import SQLiteStore
from tests.cli.conftest import KB
from tests.conftest import edge, node
from visual import png

pytestmark = [pytest.mark.browser, pytest.mark.slow]

needs_chromium = pytest.mark.skipif(
    not Path("/usr/bin/chromium").exists(), reason="Debian's chromium is not installed (make setup)"
)
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils is not installed (make setup installs it)"
)


def flat(text: str) -> str:
    return " ".join(text.split())


def named(finding) -> list[str]:
    """The needs a finding names (an empty cell: the cell's needs)."""
    return [flat(display(n.name)) for n in ([finding.need] if finding.need else finding.needs)]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> KB:
    kb = KB(tmp_path_factory.mktemp("report") / "kb.sqlite")
    result = kb("seed")
    assert result.exit_code == 0, result.output
    return kb


@pytest.fixture(scope="module")
def findings(demo: KB) -> tuple[list, list]:
    """Every overlap and gap of the demo set, as the analyses find them."""
    with SQLiteStore(demo.store) as store:
        return ask.overlaps(store).overlaps, ask.gaps(store).gaps


def pdf_pages(pdf: Path, *options: str) -> list[str]:
    """The text of each page of ``pdf`` (``pdftotext``; ``-layout`` keeps lines as printed)."""
    out = subprocess.run(["pdftotext", *options, str(pdf), "-"], capture_output=True, check=True, timeout=60)
    pages = out.stdout.decode("utf-8").split("\f")
    return pages[:-1] if not pages[-1].strip() else pages


@pytest.fixture(scope="module")
def pdf(demo: KB, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo set's report, printed."""
    if not Path("/usr/bin/chromium").exists() or shutil.which("pdftotext") is None:
        pytest.skip("needs Debian's chromium and poppler-utils (make setup installs both)")
    path = tmp_path_factory.mktemp("printed") / "report.pdf"
    result = demo("report", "mapping", "--pdf", str(path))
    assert result.exit_code == 0, result.output
    assert path.read_bytes().startswith(b"%PDF-")
    return path


@pytest.fixture(scope="module")
def printed(pdf: Path) -> list[str]:
    """Its text page by page, in reading order (a table cell's lines together)."""
    return pdf_pages(pdf)


def test_the_pdf_holds_every_overlap_of_the_demo_set_with_its_donors(printed, findings):
    overlaps, _ = findings
    text = flat(" ".join(printed))
    assert overlaps
    for o in overlaps:
        assert flat(display(o.need.name)) in text
        for donor in o.donors:
            assert display(donor.label) in text


def test_the_pdf_holds_every_gap_of_the_demo_set_in_its_pillar_and_partner_section(printed, findings):
    _, gaps = findings
    assert len(gaps) == 9
    for g in gaps:
        heading = f"{g.pillars[0].label} · {display(g.countries[0].name)}"
        # The section starts on the first page after the contents that shows its heading.
        start = next(i for i, page in enumerate(printed) if i > 0 and heading in page)
        section = flat(" ".join(printed[start : start + 3]))
        assert g.kind.replace("_", " ") in section, heading
        for name in named(g):
            assert name in section, heading


def test_the_pdf_carries_the_kosovo_footnote_once(printed):
    text = flat(" ".join(printed))
    assert text.count(flat(KOSOVO_FOOTNOTE)) == 1
    assert "Kosovo*" in text


def test_every_page_of_the_pdf_is_numbered_in_its_footer(printed):
    total = len(printed)
    assert total > 5
    for number, page in enumerate(printed, 1):
        assert f"Page {number} of {total}" in page


def test_the_contents_give_the_page_each_pillar_and_partner_section_starts_on(pdf, printed):
    contents = pdf_pages(pdf, "-layout", "-f", "1", "-l", "1")[0]
    assert "Contents" in contents
    entries = re.findall(r"^\s*((?:Pillar )?WB\w+(?: · |: ).+?)\s{2,}(\d+)\s*$", contents, re.MULTILINE)
    assert len(entries) >= 10, contents
    for heading, page in entries:
        start = next(i for i, text in enumerate(printed) if i > 0 and heading in text)
        assert int(page) == start + 1, heading


@needs_chromium
@needs_poppler
def test_the_pdf_states_the_filters_and_the_data_date(demo, tmp_path):
    out = tmp_path / "rs.pdf"
    result = demo("report", "mapping", "--pillar", "WBBSi", "--country", "RS", "--no-maps", "--pdf", str(out))
    assert result.exit_code == 0, result.output
    text = flat(" ".join(pdf_pages(out)))
    with SQLiteStore(demo.store) as store:
        words = filter_words(store, Asked("WBBSi", "RS").resolve(store))
    assert flat(display("; ".join(words))) in text
    assert re.search(r"Data as of \d{4}-\d\d-\d\d \d\d:\d\d", text)
    assert "Serbia – Risk analysis capacity against migrant smuggling" in text
    assert "Albania" not in text.split("Sources")[0].split("Contents")[1]


@needs_chromium
def test_html_holds_every_finding_a_map_still_of_each_section_and_fetches_nothing(demo, findings, tmp_path):
    out = tmp_path / "report.html"
    result = demo("report", "mapping", "--html", str(out))
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    text = flat(html.unescape(re.sub(r"<[^>]+>", " ", page)))
    overlaps, gaps = findings
    for finding in [*overlaps, *gaps]:
        assert all(name in text for name in named(finding))
    assert flat(KOSOVO_FOOTNOTE) in text
    sections = re.findall(r'<section class="cell" id="([a-z-]+)"', page)
    stills = re.findall(r'<img src="data:image/png;base64,', page)
    assert len(sections) >= 10 and len(stills) == len(sections)
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", page)
    assert "@import" not in page and "url(" not in page


def test_an_unknown_pillar_is_refused_with_did_you_mean(demo, tmp_path):
    result = demo("report", "mapping", "--pillar", "WBBS", "--pdf", str(tmp_path / "r.pdf"))
    assert result.exit_code == 1
    assert "did you mean" in result.output and "wbbsi" in result.output.lower()
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "r.pdf").exists()


def test_an_output_in_a_missing_folder_is_refused_in_one_line_before_any_work(demo, tmp_path):
    target = tmp_path / "no-such-folder" / "r.pdf"
    result = demo("report", "mapping", "--pdf", str(target))
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and f"cannot write {target}" in lines[0], result.output


def test_an_output_that_is_a_folder_is_refused_in_one_line(demo, tmp_path):
    result = demo("report", "mapping", "--html", str(tmp_path))
    assert result.exit_code == 1
    assert result.output.strip() == f"error: Invalid input: cannot write {tmp_path}: it is a folder"


def test_mapping_without_an_output_says_which_options_it_takes(demo):
    result = demo("report", "mapping")
    assert result.exit_code == 1
    assert "--pdf FILE or --html FILE" in result.output


def test_a_workbook_report_still_needs_its_xlsx(demo):
    result = demo("report", "gaps")
    assert result.exit_code == 1
    assert "--xlsx FILE" in result.output


def test_names_carrying_markup_are_printed_as_text(kb, tmp_path, small_graph):
    script = "<script>window.__xss = 1</script>"
    image = "<img src=x onerror=alert(1)>"
    doc = {
        "nodes": [*small_graph["nodes"], node("Organisation", "org:xss", image, acronym=script)],
        "edges": [
            *small_graph["edges"],
            edge("FUNDS", "org:xss", "project:a", amount=10, currency="EUR", kind="commitment"),
        ],
    }
    source = tmp_path / "doc.json"
    source.write_text(json.dumps(doc), encoding="utf-8")
    assert kb("import", "json", str(source)).exit_code == 0
    out = tmp_path / "report.html"
    result = kb("report", "mapping", "--no-maps", "--html", str(out))
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert html.escape(image, quote=False) in page
    assert script not in page and image not in page


def test_a_missing_chromium_is_one_error_line_and_no_file(demo, tmp_path, monkeypatch):
    monkeypatch.setattr(png, "CHROMIUM", str(tmp_path / "no-chromium"))
    out = tmp_path / "r.pdf"
    result = demo("report", "mapping", "--pillar", "WBBSi", "--country", "RS", "--pdf", str(out))
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert f"no chromium at {tmp_path / 'no-chromium'}" in lines[0]
    assert not out.exists()


def test_without_maps_the_html_needs_no_browser(demo, tmp_path, monkeypatch):
    monkeypatch.setattr(png, "CHROMIUM", str(tmp_path / "no-chromium"))
    out = tmp_path / "r.html"
    result = demo("report", "mapping", "--no-maps", "--html", str(out))
    assert result.exit_code == 0, result.output
    assert "data:image/png" not in out.read_text(encoding="utf-8")
