"""The page of what changed (``/changes``): since a date or from one mapping cycle to another."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import StoreDep, reader
from api.pages import _download, _download_urls
from api.pages.render import render
from kb.questions import changes as asked
from kb.questions.asked import data_date
from kb.tables import changes_table

router = APIRouter(
    include_in_schema=False, dependencies=[Depends(reader)], default_response_class=HTMLResponse
)


@router.get("/changes")
def changes_page(
    request: Request,
    store: StoreDep,
    since: Annotated[str, Query(max_length=40)] = "",
    cycle: Annotated[str, Query(max_length=200)] = "",
    to_cycle: Annotated[str, Query(max_length=200)] = "",
    format: Annotated[Literal["html", "csv", "xlsx"], Query()] = "html",
) -> Response:
    """What changed, each row linking to its records; with downloads of exactly these rows."""
    asked_for = bool(since or cycle)
    report = (
        asked.changes(store, since=since or None, cycle=cycle or None, to_cycle=to_cycle or None)
        if asked_for
        else None
    )
    table = changes_table(report) if report is not None else None
    if table is not None and format != "html":
        return _download(table, format, table.title, data_date=data_date(store))
    return render(
        request,
        "changes.html",
        {
            "since": since,
            "cycle": cycle,
            "to_cycle": to_cycle,
            "report": report,
            "table": table,
            **_download_urls(request),
        },
    )
