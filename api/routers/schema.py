"""The schema: one JSON Schema document with every node and edge type."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from api.deps import reader
from api.problems import AUTH_RESPONSES
from graph_schema import json_schema

router = APIRouter(prefix="/api", tags=["schema"], dependencies=[Depends(reader)], responses=AUTH_RESPONSES)


@router.get("/schema")
def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a batch: every node type and edge type under ``$defs``."""
    return json_schema()
