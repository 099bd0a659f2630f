"""Search: accent-, case- and script-insensitive; the last word matches as a prefix."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api.deps import StoreDep, reader
from api.models import NodeOut, NodeType
from api.problems import AUTH_RESPONSES, PROBLEM_RESPONSES
from kb.questions import nodes as facts

router = APIRouter(
    prefix="/api",
    tags=["search"],
    dependencies=[Depends(reader)],
    responses={**PROBLEM_RESPONSES, **AUTH_RESPONSES},
)


@router.get("/search", response_model=list[NodeOut], response_model_exclude_none=True)
def search(
    store: StoreDep,
    q: Annotated[
        str, Query(max_length=500, description="Words, with or without diacritics, Latin or Cyrillic.")
    ],
    type: Annotated[list[NodeType] | None, Query(description="Only these types.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 20,
) -> list[dict[str, Any]]:
    """Nodes whose name, aliases, acronym or code contain every word (``stevandic`` finds Stevandić)."""
    return facts.search(store, q, limit=limit, types=list(type) if type else None)
