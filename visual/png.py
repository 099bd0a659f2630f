"""A map as a still image or a printed page: the same HTML file in headless Chromium.

Playwright drives Debian's ``chromium`` (no browser is downloaded). The page may load nothing
but itself: every other request is aborted. The picture is taken once vis-network has drawn
(labels included); a PDF is the page's print stylesheet (landscape: the map with its labels,
the legend and the footnote, no controls) printed by Chromium.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from kb.errors import InvalidInputError, KBError

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: How long to wait for the first drawing, in milliseconds.
DRAW_TIMEOUT_MS = 60_000
#: Paper a PDF is printed on (always landscape), as Chromium names it.
PAPERS = ("A4", "LETTER")


def parse_size(text: str) -> tuple[int, int]:
    """``"1920x1080"`` as ``(1920, 1080)``; ``InvalidInputError`` otherwise.

    >>> parse_size("1280x720")
    (1280, 720)
    """
    match = re.fullmatch(r"\s*(\d{2,5})\s*[xX×]\s*(\d{2,5})\s*", text)
    if not match:
        raise InvalidInputError(f"--size {text!r}: expected WIDTHxHEIGHT, e.g. 1920x1080")
    width, height = int(match[1]), int(match[2])
    if not (200 <= width <= 8000 and 200 <= height <= 8000):
        raise InvalidInputError(f"--size {text!r}: width and height must be between 200 and 8000 pixels")
    return width, height


def launch(playwright):
    """Debian's chromium, headless; ``KBError`` saying how to install it when missing."""
    if not Path(CHROMIUM).exists():
        raise KBError(
            f"no chromium at {CHROMIUM}: install Debian's chromium (make setup does) to export PNG or PDF"
        )
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def block_network(page) -> list[str]:
    """Abort every request that is not the file itself or inline data; returns the blocked URLs."""
    blocked: list[str] = []

    def handle(route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "about:")):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    page.route("**/*", handle)
    return blocked


def photograph(browser, html: Path, png: Path, size: tuple[int, int] = (1920, 1080)) -> Path:
    """Photograph ``html`` at ``size`` into ``png`` with an open ``browser``, once the map has drawn."""
    png.parent.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    try:
        page = context.new_page()
        block_network(page)
        page.goto(html.resolve().as_uri())
        page.wait_for_function("() => window.__mapStill !== undefined", timeout=DRAW_TIMEOUT_MS)
        page.screenshot(path=str(png))
    finally:
        context.close()
    return png


def write_png(html: Path, png: Path, size: tuple[int, int] = (1920, 1080)) -> Path:
    """Start chromium, photograph ``html`` into ``png`` (see :func:`photograph`), stop it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            return photograph(browser, html, png, size)
        finally:
            browser.close()


def print_pdf(browser, html: Path, pdf: Path, paper: str = "A4") -> Path:
    """Print ``html`` to ``pdf`` on ``paper`` (landscape) with an open ``browser``: the page's print
    stylesheet, the map redrawn at the printed size first so its labels are drawn for it."""
    pdf.parent.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        block_network(page)
        page.goto(html.resolve().as_uri())
        page.wait_for_function("() => window.__mapStill !== undefined", timeout=DRAW_TIMEOUT_MS)
        page.emulate_media(media="print")
        page.evaluate("() => window.kbMap.printLayout()")
        page.pdf(
            path=str(pdf),
            format="Letter" if paper.upper() == "LETTER" else "A4",
            landscape=True,
            print_background=True,
            prefer_css_page_size=False,
        )
    finally:
        context.close()
    return pdf


def write_pdf(html: Path, pdf: Path, paper: str = "A4") -> Path:
    """Start chromium, print ``html`` into ``pdf`` (see :func:`print_pdf`), stop it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            return print_pdf(browser, html, pdf, paper)
        finally:
            browser.close()


def still_page(browser, size: tuple[int, int] = (1100, 620)):
    """A page to draw map after map in with :func:`map_still` (one browser context for them all);
    the caller closes ``page.context``."""
    context = browser.new_context(viewport={"width": size[0] + 500, "height": size[1] + 400})
    page = context.new_page()
    block_network(page)
    return page


def map_still(page, html: Path, size: tuple[int, int] = (1100, 620)) -> bytes:
    """The map of ``html`` alone (no header, panel or legend) drawn at ``size`` pixels, as PNG bytes,
    in a :func:`still_page`: what a printed report shows of a map."""
    page.goto(html.resolve().as_uri())
    page.wait_for_function("() => window.__mapStill !== undefined", timeout=DRAW_TIMEOUT_MS)
    page.evaluate("([w, h]) => window.kbMap.printLayout(w, h)", list(size))
    return page.locator("#map").screenshot()
