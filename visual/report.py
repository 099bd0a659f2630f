"""The response-mapping report as a document: HTML from one template, PDF printed by Chromium.

:func:`render_report` lays out a :class:`kb.questions.report.MappingReport` (A4, a table of
contents, per pillar and partner the cell's facts, map still, overlaps, gaps, contributions and
evidence, then the sources; the Kosovo* footnote once). :func:`write_pdf` prints it through
Debian's chromium (:mod:`visual.png`'s way: Playwright, every request but the file itself
aborted) with page numbers in the footer, twice when ``pdftotext`` is there: the first print
tells on which page each part starts, the second prints those numbers in the contents.
:func:`write_html` writes the same document with the same stills. Nothing is fetched: styles
are inlined, fonts are the system's, map stills are PNG data URIs.
"""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from markupsafe import Markup

from kb.analysis.gaps import KINDS
from kb.errors import InvalidInputError, KBError
from kb.presentation import KOSOVO_FOOTNOTE, display, source
from kb.questions.report import MappingReport, Section
from kb.tables import Table, cell_text, evidence_table, gaps_table, overlaps_table
from visual import assets, views
from visual.page import environment, render_html
from visual.png import block_network, launch, map_still, still_page

#: How long chromium may take to load and print the report, in milliseconds.
PRINT_TIMEOUT_MS = 120_000
#: How long ``pdftotext`` may take to read the printed report, in seconds.
PDFTOTEXT_TIMEOUT_S = 60
#: Size of a map still in pixels (printed 182 mm wide).
STILL_SIZE = (1100, 500)
#: The marker a heading carries in print, found again in the PDF's text: ``[[kb:wbbsi-rs]]``.
MARK = "[[kb:{}]]"
_MARKS = re.compile(r"\[\[kb:([a-z0-9_-]+)\]\]")
_FOOTNOTE_MARK = "<!--kb:footnote-->"
#: Margins of the printed page: the header and footer are drawn in the top and bottom ones.
MARGIN = {"top": "16mm", "bottom": "15mm", "left": "12mm", "right": "12mm"}


@dataclass(frozen=True)
class Entry:
    """A line of the table of contents."""

    id: str
    text: str
    level: int


def contents(r: MappingReport) -> list[Entry]:
    """The table of contents: the matrix, each pillar and its partner sections, the sources."""
    out = [Entry("coverage", "Coverage: partner × pillar", 1), Entry("findings", "Findings at a glance", 1)]
    for part in r.pillars:
        out.append(Entry(part.anchor, f"Pillar {part.pillar.label}: {part.pillar.name}", 1))
        out += [Entry(s.anchor, f"{part.pillar.label} · {s.partner.name}", 2) for s in part.sections]
    if r.unplaced_overlaps or r.unplaced_gaps:
        out.append(Entry("outside", "Outside the matrix", 1))
    out.append(Entry("sources", "Sources", 1))
    return out


def source_text(ref: str) -> str:
    """A source as the report lists it: its title and file (:func:`kb.presentation.source`).

    >>> source_text("x.xml#X-1")
    'IATI activity X-1 (x.xml)'
    """
    return display(source(ref).text)


def style_hash() -> str:
    """The report's stylesheet as a Content-Security-Policy source (``'sha256-…'``)."""
    digest = hashlib.sha256(assets.static("report.css").encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def filled(table: Table, names: Iterable[str]) -> list[str]:
    """The columns of ``names`` that some row of ``table`` fills (an empty column is left out)."""
    at = {c.name: i for i, c in enumerate(table.columns)}
    return [
        n for n in names if n in at and any(cell_text(row[at[n]], table.columns[at[n]]) for row in table.rows)
    ]


def _numbered(table: Table, prefix: str) -> Table:
    """``table``'s evidence rows numbered ``O1``, ``G2``… after the finding they belong to."""
    ev = evidence_table(table)
    return replace(ev, rows=[[f"{prefix}{row[0]}", *row[1:]] for row in ev.rows])


def _evidence(sec: Section) -> Table:
    o, g = _numbered(overlaps_table(sec.overlaps), "O"), _numbered(gaps_table(sec.gaps), "G")
    return replace(o, rows=o.rows + g.rows)


def render_report(
    r: MappingReport,
    *,
    stills: Mapping[str, str] | None = None,
    pages: Mapping[str, int] | None = None,
    map_links: Mapping[str, str] | None = None,
    not_drawn: Mapping[str, str] | None = None,
    toolbar: Iterable[tuple[str, str]] = (),
    marks: bool = False,
) -> str:
    """The report as one HTML document.

    ``stills``: a PNG data URI per section anchor; ``pages``: the page each contents entry starts
    on; ``map_links``: where a page links a section's interactive map instead of a still;
    ``not_drawn``: why a section has no map; ``toolbar``: links shown on screen only; ``marks``:
    print each part's :data:`MARK` (for :func:`start_pages` to find), invisibly.
    """
    cells = {(c.country.id, c.pillar.id): c for c in r.coverage.cells}
    sections = {(s.pillar.id, s.partner.id): s.anchor for p in r.pillars for s in p.sections}
    kinds: dict[str, int] = {}
    for g in r.gaps:
        kinds[g.kind] = kinds.get(g.kind, 0) + 1
    html = (
        environment()
        .get_template("report.html")
        .render(
            r=r,
            toc=contents(r),
            pages=dict(pages or {}),
            stills=dict(stills or {}),
            map_links=dict(map_links or {}),
            not_drawn=dict(not_drawn or {}),
            toolbar=list(toolbar),
            gap_kinds=KINDS,
            gap_counts=", ".join(f"{n} {k.replace('_', ' ')}" for k, n in kinds.items()),
            cell_of=lambda country, pillar: cells.get((country, pillar)),
            section_of=lambda pillar, country: sections.get((pillar, country)),
            overlaps_of=lambda sec: overlaps_table(sec.overlaps),
            gaps_of=lambda sec: gaps_table(sec.gaps),
            evidence_of=_evidence,
            all_overlaps=overlaps_table(r.overlaps),
            all_gaps=gaps_table(r.gaps),
            unplaced_overlaps=overlaps_table(r.unplaced_overlaps),
            unplaced_gaps=gaps_table(r.unplaced_gaps),
            text=cell_text,
            filled=filled,
            source_text=source_text,
            marker=MARK.format if marks else (lambda _: ""),
            footnote_mark=Markup(_FOOTNOTE_MARK),
            style=Markup(assets.static("report.css")),
            style_hash=style_hash(),
        )
    )
    footnote = ""
    if "Kosovo" in html:
        footnote = str(Markup('<p class="footnote" id="kosovo-footnote">{}</p>').format(KOSOVO_FOOTNOTE))
    return html.replace(_FOOTNOTE_MARK, footnote, 1)


# -- printing --------------------------------------------------------------------------------
def _browser_error(exc: Exception) -> KBError:
    first = (str(exc).strip().splitlines() or ["no detail"])[0]
    return KBError(f"chromium could not make the report (timeout {PRINT_TIMEOUT_MS // 1000} s): {first}")


def check_writable(path: Path) -> None:
    """Refuse, before any work, an output path that cannot be written (one line saying why)."""
    if path.is_dir():
        raise InvalidInputError(f"cannot write {path}: it is a folder")
    if not path.parent.is_dir():
        raise InvalidInputError(f"cannot write {path}: no folder {path.parent}")


def _write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise InvalidInputError(f"cannot write {path}: {exc.strerror or exc}") from None


def draw_stills(browser, r: MappingReport, folder: Path) -> tuple[dict[str, str], dict[str, str]]:
    """A PNG data URI of each section's map, and why a map could not be drawn, by section anchor."""
    stills, not_drawn = {}, {}
    page = still_page(browser, STILL_SIZE)
    try:
        for part in r.pillars:
            for sec in part.sections:
                if sec.map is None:
                    continue
                try:
                    model, drawn = views.draw(sec.map)
                except KBError as exc:
                    not_drawn[sec.anchor] = exc.detail
                    continue
                html = folder / f"map-{sec.anchor}.html"
                html.write_text(render_html(model, drawn), encoding="utf-8")
                png = map_still(page, html, STILL_SIZE)
                stills[sec.anchor] = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    finally:
        page.context.close()
    return stills, not_drawn


def _header(r: MappingReport) -> str:
    words = "; ".join(display(w) for w in r.words) or "no filters"
    return str(
        Markup(
            '<div style="font-family: DejaVu Sans, sans-serif; font-size: 7pt; color: #555; width: 100%; '
            'padding: 0 12mm; display: flex; justify-content: space-between;">'
            "<span>{}</span><span>{} · data as of {}</span></div>"
        ).format(r.title, words, r.data_date or "no writes recorded")
    )


#: The footer of every printed page: its number and the number of pages.
FOOTER = (
    '<div style="font-family: DejaVu Sans, sans-serif; font-size: 8pt; color: #333; width: 100%; '
    'text-align: center;">Page <span class="pageNumber"></span> of <span class="totalPages"></span></div>'
)


def _print(browser, html: Path, r: MappingReport) -> bytes:
    context = browser.new_context(viewport={"width": 1000, "height": 1400})
    try:
        page = context.new_page()
        page.set_default_timeout(PRINT_TIMEOUT_MS)
        block_network(page)
        page.goto(html.resolve().as_uri())
        page.emulate_media(media="print")
        return page.pdf(
            format="A4",
            print_background=True,
            display_header_footer=True,
            header_template=_header(r),
            footer_template=FOOTER,
            margin=MARGIN,
            prefer_css_page_size=True,
        )
    finally:
        context.close()


def pdf_pages(pdf: Path) -> list[str] | None:
    """The text of each page of ``pdf`` (``pdftotext``), or ``None`` where poppler-utils is missing."""
    tool = shutil.which("pdftotext")
    if tool is None:
        return None
    try:
        done = subprocess.run(
            [tool, "-enc", "UTF-8", str(pdf), "-"],
            capture_output=True,
            timeout=PDFTOTEXT_TIMEOUT_S,
            check=True,
        )
    except (subprocess.SubprocessError, OSError) as exc:
        raise KBError(f"pdftotext could not read the printed report: {exc}") from None
    return done.stdout.decode("utf-8", "replace").split("\f")


def start_pages(pages: list[str]) -> dict[str, int]:
    """On which page (from 1) each marked heading is printed.

    >>> start_pages(["Contents", "[[kb:coverage]]Coverage", "x", "[[kb:wbbsi]]P [[kb:wbbsi-rs]]"])
    {'coverage': 2, 'wbbsi': 4, 'wbbsi-rs': 4}
    """
    found: dict[str, int] = {}
    for number, text in enumerate(pages, 1):
        for mark in _MARKS.findall(text):
            found.setdefault(mark, number)
    return found


def write_document(
    r: MappingReport, *, pdf: Path | None = None, html: Path | None = None, maps: bool = True
) -> int:
    """Write the report to ``pdf`` (A4, page numbers, contents with the page of each part) and/or
    to ``html`` (one self-contained file), the map stills drawn once for both; ``maps``: with a
    still of each section's map. Returns the number of pages printed (0 without ``pdf``)."""
    from playwright.sync_api import Error, sync_playwright

    for path in (pdf, html):
        if path is not None:
            check_writable(path)
    stills: dict[str, str] = {}
    not_drawn: dict[str, str] = {}
    data = b""
    drawn = maps and any(s.map is not None for part in r.pillars for s in part.sections)
    if pdf is not None or drawn:
        try:
            with sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
                folder = Path(tmp)
                browser = launch(p)
                try:
                    if drawn:
                        stills, not_drawn = draw_stills(browser, r, folder)
                    if pdf is not None:
                        data = _print_numbered(browser, r, folder, stills, not_drawn)
                finally:
                    browser.close()
        except Error as exc:
            raise _browser_error(exc) from None
    if html is not None:
        _write(html, render_report(r, stills=stills, not_drawn=not_drawn).encode("utf-8"))
    if pdf is not None:
        _write(pdf, data)
    return page_count(data) if pdf is not None else 0


def _print_numbered(
    browser, r: MappingReport, folder: Path, stills: Mapping[str, str], not_drawn: Mapping[str, str]
) -> bytes:
    """Print twice: first with a marker per heading, to learn from ``pdftotext`` where each part
    starts; then with those page numbers in the contents (they move nothing: the same pages)."""
    html, draft = folder / "report.html", folder / "draft.pdf"
    html.write_text(render_report(r, stills=stills, not_drawn=not_drawn, marks=True), encoding="utf-8")
    draft.write_bytes(_print(browser, html, r))
    texts = pdf_pages(draft)
    pages = start_pages(texts) if texts is not None else {}
    html.write_text(render_report(r, stills=stills, not_drawn=not_drawn, pages=pages), encoding="utf-8")
    return _print(browser, html, r)


def write_pdf(r: MappingReport, pdf: Path, *, maps: bool = True) -> int:
    """Print the report to ``pdf`` (see :func:`write_document`); returns the number of pages."""
    return write_document(r, pdf=pdf, maps=maps)


def write_html(r: MappingReport, path: Path, *, maps: bool = True) -> Path:
    """Write the report as one self-contained HTML file (see :func:`write_document`)."""
    write_document(r, html=path, maps=maps)
    return path


def page_count(pdf: bytes) -> int:
    """How many pages a PDF has (its page objects; Chromium writes them uncompressed)."""
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))


__all__ = [
    "contents",
    "render_report",
    "start_pages",
    "style_hash",
    "write_document",
    "write_html",
    "write_pdf",
]
