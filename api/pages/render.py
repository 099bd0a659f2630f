"""Rendering pages: one Jinja2 environment (autoescaping), the Kosovo* rule, links to pages.

Every text a template shows from the store passes the ``d`` filter (:func:`kb.presentation.display`),
and :func:`render` adds the designation footnote once to any page that names Kosovo. Pages carry
a Content-Security-Policy that lets them load nothing but the server's own files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from api.forms import currencies, editable_edges, slug_of
from api.sessions import current
from graph_schema import short_label
from graph_schema.registry import type_of_id
from kb.analysis.funding import RELATION_MEANING, RELATIONS
from kb.analysis.gaps import KINDS
from kb.analysis.models import Span
from kb.presentation import KOSOVO_FOOTNOTE, amounts_text, display, money, source
from kb.tables import Cell, Column, cell_text, gaps_table, joint_text, need_gaps_table, overlaps_table, refs

TEMPLATES_DIR = Path(__file__).parent.parent / "templates"
FOOTNOTE_MARK = "<!--kb:footnote-->"
#: Pages load only the server's own files; no inline script, no other host.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-src 'self'; frame-ancestors 'self'"
)

#: The page route of each node type (countries: partner or donor page, decided there).
PAGE_PREFIX = {
    "Need": "/needs/",
    "Organisation": "/organisations/",
    "Institution": "/organisations/",
    "Country": "/countries/",
    "Pillar": "/pillars/",
    "Event": "/events/",
}


#: The query parameters of a filter (what the Report link carries over from the page it is on).
FILTER_PARAMS = ("pillar", "country", "donor", "from", "to", "cycle")


def filter_query(request: Request | None, *more: tuple[str, str]) -> str:
    """``?pillar=WBBSi&country=RS`` from the request's filter parameters (empty ones left out)."""
    items = request.query_params.multi_items() if request is not None else []
    kept = [(k, v) for k, v in items if k in FILTER_PARAMS and v]
    query = urlencode([*kept, *more])
    return "?" + query if query else ""


def page_url(node_id: str) -> str:
    """The page of a node, from its id's type prefix.

    >>> page_url("org:unodc")
    '/organisations/org:unodc'
    >>> page_url("project:a b")
    '/nodes/project:a%20b'
    """
    prefix = PAGE_PREFIX.get(type_of_id(node_id) or "", "/nodes/")
    return prefix + quote(node_id, safe=":")


def span(value: Span | None) -> str:
    return value.label() if value is not None else "not active"


def _link(ref: Any) -> Markup:
    """``<a href=page>name</a>`` for a NodeRef or a record, escaped."""
    node_id = ref["id"] if isinstance(ref, dict) else ref.id
    name = ref.get("name", node_id) if isinstance(ref, dict) else ref.name
    return Markup('<a href="{}">{}</a>').format(page_url(node_id), display(name))


def _short_link(ref: Any) -> Markup:
    """Like ``link`` but showing the short form (acronym, code) with the full name as its title."""
    if isinstance(ref, dict):
        node_id, name = ref["id"], ref.get("name", ref["id"])
        short = short_label(ref)
    else:
        node_id, name, short = ref.id, ref.name, ref.short
    return Markup('<a href="{}" title="{}">{}</a>').format(
        page_url(node_id), display(name), display(short or name)
    )


def _cell(value: Cell, column: Column) -> Markup:
    """One cell of a :class:`~kb.tables.Table` on a page: nodes as links, amounts per currency."""
    named = refs(column, value)
    if named:
        return Markup(", ").join(_short_link(r) if column.short else _link(r) for r in named)
    text = cell_text(value, column)
    if column.badge and text:
        return Markup('<span class="prio {}">{}</span>').format(text, text)
    return Markup("{}").format(text)


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        d=display,
        joint=joint_text,
        url=page_url,
        amounts=amounts_text,
        span=span,
        link=_link,
        short=_short_link,
        money=money,
        source=source,
    )
    env.globals.update(
        form_slug=slug_of,
        currencies=currencies,
        editable_edges=editable_edges,
        footnote_mark=Markup(FOOTNOTE_MARK),
        gap_kinds=KINDS,
        relations=list(RELATIONS),
        relation_names=RELATIONS,
        relation_meaning=RELATION_MEANING,
        cell=_cell,
        overlaps_table=overlaps_table,
        gaps_table=gaps_table,
        need_gaps_table=need_gaps_table,
        filter_query=filter_query,
    )
    return env


templates = Jinja2Templates(env=_environment())


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """A page, with the Kosovo* footnote once if the page names Kosovo."""
    html = templates.get_template(name).render({"request": request, "editor": current(request), **context})
    footnote = ""
    if "Kosovo" in html:
        footnote = str(Markup('<p class="footnote" id="kosovo-footnote">{}</p>').format(KOSOVO_FOOTNOTE))
    html = html.replace(FOOTNOTE_MARK, footnote, 1)
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def render_problem(
    request: Request, body: dict[str, Any], headers: dict[str, str] | None = None
) -> HTMLResponse:
    """A problem (404, 422, 500…) as a page; a browser asked for a page, not for JSON."""
    if headers and "WWW-Authenticate" in headers:
        headers = {**headers, "WWW-Authenticate": 'Basic realm="kb", charset="UTF-8"'}
    return render(request, "problem.html", {"problem": body}, status_code=body["status"], headers=headers)
