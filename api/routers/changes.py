"""What changed: since a date, or from one mapping cycle to the next (:mod:`kb.questions.changes`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api.deps import StoreDep, reader
from api.problems import AUTH_RESPONSES, PROBLEM_RESPONSES
from kb.questions import analyses as ask
from kb.questions import changes as asked

router = APIRouter(
    prefix="/api",
    tags=["history"],
    dependencies=[Depends(reader)],
    responses={**PROBLEM_RESPONSES, **AUTH_RESPONSES},
)

SinceQuery = Annotated[
    str | None,
    Query(description="Changes written on or after this date (YYYY-MM-DD, UTC) or time.", max_length=40),
]
CycleQuery = Annotated[
    str | None,
    Query(
        description="Compare from the graph right after the last write of this cycle's records.",
        max_length=200,
    ),
]
ToCycleQuery = Annotated[
    str | None,
    Query(description="… to the graph right after this cycle's last write (default: now).", max_length=200),
]


@router.get("/changes", response_model=asked.ChangesReport)
def changes(
    store: StoreDep, since: SinceQuery = None, cycle: CycleQuery = None, to_cycle: ToCycleQuery = None
) -> dict[str, Any]:
    """Needs added, removed or changed, newly answered or unaddressed, overlaps that appeared or were
    resolved, funding added or changed per donor and currency; each row with the ids it is about."""
    return ask.as_json(asked.changes(store, since=since, cycle=cycle, to_cycle=to_cycle))
