"""The response-mapping report on the pages: ``/report`` with the filters of the page it is
reached from, the PDF download, and the Report links that carry those filters."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kb.presentation import display
from kb.questions import analyses as ask
from kb.questions.asked import Asked, filter_words
from tests.api.conftest import TOKENS, assert_problem
from tests.api.server import kb_serve
from visual import png

FILTERED = "pillar=WBBSi&country=RS"


def words(store) -> str:
    """The filters WBBSi + RS in words, as every header states them."""
    return display("; ".join(filter_words(store, Asked("WBBSi", "RS").resolve(store))))


def test_the_report_page_shows_the_report_of_its_filters(client, store):
    response = client.get(f"/report?{FILTERED}")
    assert response.status_code == 200
    page = html.unescape(response.text)
    assert "Filters" in page and words(store) in page
    assert '<section class="cell" id="wbbsi-rs">' in page
    assert re.findall(r'<section class="cell" id="([a-z-]+)"', page) == ["wbbsi-rs"]
    gaps = ask.gaps(store, Asked("WBBSi", "RS")).gaps
    assert gaps
    for g in gaps:
        for need in [g.need] if g.need else g.needs:
            assert display(need.name) in page


def test_the_report_page_offers_the_pdf_and_each_sections_interactive_map(client):
    page = client.get(f"/report?{FILTERED}").text
    assert f'href="/report.pdf?{FILTERED.replace("&", "&amp;")}"' in page
    assert 'href="/maps/overview?pillar=WBBSi&amp;country=country%3Ars"' in page
    assert "data:image/png" not in page  # a page links the map; the PDF prints its still


def test_the_report_page_loads_nothing_but_itself(client):
    response = client.get(f"/report?{FILTERED}")
    csp = response.headers["content-security-policy"]
    assert csp.startswith("default-src 'none'; style-src 'sha256-")
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", response.text)


@pytest.mark.parametrize("path", ["/overlaps", "/gaps"])
def test_the_overlaps_and_gaps_pages_link_the_report_of_their_filters(client, path):
    page = client.get(f"{path}?{FILTERED}&from=2024-01-01").text
    wanted = "/report?pillar=WBBSi&amp;country=RS&amp;from=2024-01-01"
    assert f'<a class="report-link" href="{wanted}">' in page
    assert f'<a href="{wanted}" id="nav-report"' in page


def test_the_nav_report_link_leaves_out_what_is_not_a_filter(client):
    page = client.get(f"/gaps?{FILTERED}&kind=unaddressed&format=html").text
    assert '<a href="/report?pillar=WBBSi&amp;country=RS" id="nav-report"' in page


def test_the_report_page_refuses_an_unknown_pillar_with_did_you_mean(client):
    body = assert_problem(
        client.get("/report?pillar=WBBS", headers={"Accept": "application/json"}), 422, "invalid-input"
    )
    assert "did you mean" in body["detail"]


def test_the_report_page_refuses_an_unknown_parameter(client):
    body = assert_problem(
        client.get("/report?pilar=WBBSi", headers={"Accept": "application/json"}), 422, "invalid-input"
    )
    assert "pilar" in body["detail"]


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(
    not Path(png.CHROMIUM).exists() or shutil.which("pdftotext") is None, reason="needs chromium, poppler"
)
def test_the_pdf_download_is_the_report_of_the_filters(client, store, tmp_path):
    response = client.get(f"/report.pdf?{FILTERED}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert 'filename="response-mapping-report.pdf"' in response.headers["content-disposition"]
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(response.content)
    text = " ".join(
        subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout.decode().split()
    )
    assert " ".join(words(store).split()) in text and "Page 1 of" in text
    assert "Serbia – Risk analysis capacity against migrant smuggling" in text


@pytest.mark.browser
@pytest.mark.slow
def test_from_the_gaps_page_the_report_link_opens_the_report_with_the_network_off(
    seeded_file, tmp_path, browser
):
    path = tmp_path / "kb.sqlite"
    shutil.copy(seeded_file, path)
    with kb_serve(path, env={"KB_API_TOKENS": TOKENS}) as server:
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        try:
            outside: list[str] = []
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

            def guard(route):
                if route.request.url.startswith(server + "/"):
                    route.continue_()
                else:
                    outside.append(route.request.url)
                    route.abort()

            page.route("**/*", guard)
            page.goto(f"{server}/gaps?{FILTERED}")
            with page.expect_navigation():
                page.locator("a.report-link").click()
            assert page.url == f"{server}/report?{FILTERED}"
            assert page.locator("h3", has_text="WBBSi · Serbia").count() == 1
            # The inline stylesheet applies (its hash is in the policy): the title is set large.
            assert page.locator("h1").evaluate("e => parseFloat(getComputedStyle(e).fontSize)") > 24
            shot = Path(tmp_path / "report-1280x720.png")
            page.screenshot(path=str(shot))
            assert shot.stat().st_size > 10_000
            assert outside == [] and errors == []
        finally:
            page.close()
