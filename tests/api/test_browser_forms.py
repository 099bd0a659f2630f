"""Editing in a real browser (Debian's Chromium through Playwright), against a real ``kb serve``.

The Secretariat's path: sign in with a write token, state a new need, add two projects that
address it, each funded by another donor, see the overlap they make, correct an amount, sign out.
And a form opened before someone else changed its record is refused, never overwriting it.
Screenshots of the forms at three screen sizes go to ``KB_SHOTS`` when it is set.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import httpx
import pytest

from kb.store.sqlite import SQLiteStore
from tests.api.conftest import AUTH, TOKENS, WRITE_TOKEN
from tests.api.server import kb_serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SIZES = ((1024, 768), (1280, 720), (1920, 1080))


@pytest.fixture(scope="module")
def served(seeded_file, tmp_path_factory):
    path = tmp_path_factory.mktemp("browser-forms") / "kb.sqlite"
    shutil.copy(seeded_file, path)
    with kb_serve(path, env={"KB_API_TOKENS": TOKENS}) as base:
        yield base, path


@pytest.fixture
def page(browser, served):
    base = served[0]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.outside, page.errors, page.refused = [], [], []

    def guard(route):
        if route.request.url.startswith(base + "/"):
            route.continue_()
        else:
            page.outside.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on("console", lambda m: page.refused.append(m.text) if "Content Security Policy" in m.text else None)
    yield page
    assert not page.outside, page.outside
    assert not page.errors, page.errors
    assert not page.refused, page.refused  # the CSP refused nothing the pages use
    context.close()


def sign_in(page, base: str) -> None:
    page.goto(base + "/signin")
    page.fill("#in-token", WRITE_TOKEN)
    with page.expect_navigation():
        page.click("form.signin button[type=submit]")
    assert page.locator("nav.session button", has_text="Sign out").count() == 1


def save(page, *, stored: bool = True) -> None:
    """Send the form; unless told it should not be, the write went through (no problems shown)."""
    with page.expect_navigation():
        page.click("form.edit button[type=submit]")
    if stored:
        problems = page.locator("#form-problems")
        assert problems.count() == 0 and "/edit/" not in page.url, page.locator("main").inner_text()[:2000]


def shoot(page, name: str) -> None:
    folder = os.environ.get("KB_SHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=f"{folder}/{name}-{width}x{height}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def add_project(page, name: str, donor: str, amount: str) -> str:
    """From the need's page: a project addressing it, then its funding link; the project's URL."""
    with page.expect_navigation():
        page.click("text=New project addressing this need")
    page.fill("#in-name", name)
    page.fill("#in-start", "2025-01-01")
    page.fill("#in-end", "2026-12-31")
    shoot(page, "new-project")
    save(page)
    project_url = page.url
    with page.expect_navigation():
        page.click("text=Add a funding link")
    page.select_option("#in-source", donor)
    page.fill("#in-amount", amount)
    page.fill("#in-currency", "EUR")
    page.fill("#in-start", "2025-01-01")
    shoot(page, "new-funding")
    save(page)
    assert page.url == project_url
    return project_url


def test_sign_in_state_a_need_fund_two_projects_see_the_overlap_edit_an_amount_sign_out(page, served):
    base, path = served
    page.goto(base + "/")
    assert page.locator("text=New need").count() == 0  # read-only: no forms, no edit links
    page.goto(base + "/signin")
    shoot(page, "signin")
    sign_in(page, base)

    with page.expect_navigation():
        page.click("nav.session >> text=New need")
    shoot(page, "new-need")
    page.fill("#in-name", "Browser-made need: <script>alert(1)</script>")
    page.select_option("#in-priority", "high")
    page.check("input[name='link:STATED_BY'][value='country:mk']")
    page.fill("#in-required_amount", "-1")
    save(page, stored=False)
    assert page.locator("#err-required_amount").inner_text() == "Input should be greater than or equal to 0"
    assert page.input_value("#in-name") == "Browser-made need: <script>alert(1)</script>"  # kept, as text
    shoot(page, "bad-field")
    page.fill("#in-required_amount", "500000")
    page.fill("#in-required_currency", "EUR")
    save(page)
    assert "/needs/need:" in page.url
    need_url = page.url
    assert page.locator("h1").inner_text() == "Browser-made need: <script>alert(1)</script>"

    first = add_project(page, "Browser project one", "org:giz", "100000")
    page.goto(need_url)
    add_project(page, "Browser project two", "org:osce", "200000")

    page.goto(base + "/overlaps")
    row = page.locator("table tr", has_text="Browser-made need")
    assert row.count() == 1
    assert "GIZ" in row.inner_text() and "OSCE" in row.inner_text()

    page.goto(first)
    with page.expect_navigation():
        page.click("text=Edit funding link")
    shoot(page, "edit-funding")
    page.fill("#in-amount", "150000")
    save(page)
    assert page.url == first
    assert "150,000 EUR" in page.locator("section.edit-links").inner_text()
    history = page.locator("section.history tr", has_text="FUNDS")
    assert "token:alice" in history.first.inner_text() and "amount" in history.first.inner_text()
    shoot(page, "project-history")
    page.goto(need_url)
    assert "150,000 EUR" in page.locator("table").first.inner_text()

    with page.expect_navigation():
        page.click("nav.session button:has-text('Sign out')")
    assert page.locator("nav.session >> text=Sign in").count() == 1
    page.goto(first)
    assert page.locator("section.edit-links").count() == 0
    with SQLiteStore(path) as store:
        actors = {entry.actor for entry in store.write_log(limit=6)}
    assert actors == {"token:alice"}


def test_a_form_opened_before_another_change_is_refused_and_the_change_kept(page, served):
    base, path = served
    need_id = "need:demo-mk-pve"
    sign_in(page, base)
    page.goto(f"{base}/edit/node/{need_id}")
    page.fill("#in-name", "Renamed in a stale form")
    with SQLiteStore(path) as store:
        newer = {**store.get(need_id), "description": "changed by a colleague meanwhile"}
    assert httpx.post(base + "/api/batch", json={"nodes": [newer]}, headers=AUTH).status_code == 200
    save(page, stored=False)
    problems = page.locator("#form-problems").inner_text()
    assert (
        "changed by someone else since the form was opened" in problems and "Nothing was stored" in problems
    )
    assert page.input_value("#in-name") == "Renamed in a stale form"
    shoot(page, "stale")
    with SQLiteStore(path) as store:
        kept = store.get(need_id)
    assert (
        kept["description"] == "changed by a colleague meanwhile"
        and kept["name"] != "Renamed in a stale form"
    )
