"""The pages in a real browser (Debian's Chromium through Playwright), with the network cut off.

Every request not addressed to the test server on 127.0.0.1 is blocked and counted: there must
be none. The click path is the one a donor coordinator takes: overview → a need → a donor.
"""

from __future__ import annotations

import shutil

import pytest

from tests.api.conftest import TOKENS
from tests.api.server import kb_serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(seeded_file, tmp_path_factory):
    path = tmp_path_factory.mktemp("browser") / "kb.sqlite"
    shutil.copy(seeded_file, path)
    with kb_serve(path, env={"KB_API_TOKENS": TOKENS}) as base:
        yield base


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.outside = []  # requests to anywhere but the server, blocked
    page.errors = []

    def guard(route):
        url = route.request.url
        if url.startswith(server + "/") or url == server:
            route.continue_()
        else:
            page.outside.append(url)
            route.abort()

    page.route("**/*", guard)
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    yield page
    context.close()


def test_overview_to_need_to_donor_without_leaving_the_machine(page, server):
    page.goto(server + "/")
    assert page.title().startswith("Overview")
    assert page.locator("#kosovo-footnote").count() == 1

    with page.expect_navigation():
        page.locator("table a[href^='/needs/']").first.click()
    assert "/needs/" in page.url
    assert page.locator("h2", has_text="Who else funds this need").count() == 1
    donors = page.locator("table tr.funder td:first-child a")
    assert donors.count() >= 2

    name = donors.first.get_attribute("title")
    with page.expect_navigation():
        donors.first.click()
    assert "/countries/" in page.url or "/organisations/" in page.url
    assert page.locator("h1").inner_text() == name
    assert page.locator("h2", has_text="What it funds and implements").count() == 1

    assert page.outside == []
    assert page.errors == []


def test_search_box_finds_a_name_typed_without_diacritics(page, server):
    page.goto(server + "/")
    page.fill("header input[name=q]", "kostresevic")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("ol.hits a", has_text="Siniša Kostrešević").count() == 1
    assert page.outside == []


def test_map_and_docs_pages_draw_with_the_network_off(page, server):
    page.goto(server + "/maps/overview?pillar=WBBSi")
    page.wait_for_load_state("networkidle")
    page.goto(server + "/docs")
    page.wait_for_selector(".swagger-ui .opblock")
    assert page.locator(".swagger-ui .opblock").count() >= 20
    assert page.outside == []
    assert page.errors == []


def _shown_rows(page) -> list[list[str]]:
    return [
        [cell.inner_text().strip() for cell in row.locator("td").all()]
        for row in page.locator("main table tbody tr").all()
    ]


def test_from_the_home_page_to_every_gap_filtered_and_downloaded_as_shown(page, server, tmp_path):
    import csv

    import openpyxl

    page.goto(server + "/")
    with page.expect_navigation():
        page.get_by_role("link", name="See all 9 gaps, filter and download them").click()
    assert len(_shown_rows(page)) == 9

    page.select_option("select[name=pillar]", "WBBSi")
    page.select_option("select[name=country]", "RS")
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    assert "pillar=WBBSi" in page.url and "country=RS" in page.url
    shown = _shown_rows(page)
    assert shown and all(row[4] == "Serbia" and row[5] == "WBBSi" for row in shown)

    with page.expect_download() as got:
        page.get_by_role("link", name="CSV").click()
    csv_path = tmp_path / "gaps.csv"
    got.value.save_as(csv_path)
    with csv_path.open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["#"].isdigit()]
    assert [(r["#"], r["kind"], r["need"], r["partner"], r["pillar"]) for r in rows] == [
        (s[0], s[1], s[3], s[4], s[5]) for s in shown
    ]

    with page.expect_download() as got:
        page.get_by_role("link", name="XLSX").click()
    xlsx_path = tmp_path / "gaps.xlsx"
    got.value.save_as(xlsx_path)
    sheet = openpyxl.load_workbook(xlsx_path)["Gaps"]
    headers = [c.value for c in sheet[6]]
    book_rows = [
        dict(zip(headers, r, strict=True)) for r in sheet.iter_rows(min_row=7, values_only=True) if r[0]
    ]
    book_rows = [r for r in book_rows if isinstance(r["#"], int)]
    assert [(str(r["#"]), r["Kind"], r["Need"]) for r in book_rows] == [(s[0], s[1], s[3]) for s in shown]
    assert page.outside == [] and page.errors == []
