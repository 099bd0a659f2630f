"""Parts of the graph: a node's neighbourhood, and the subgraph the analyses' filters select."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api.deps import FiltersDep, StoreDep, reader
from api.models import GraphOut
from api.problems import AUTH_RESPONSES, PROBLEM_RESPONSES
from kb.questions import nodes as facts

router = APIRouter(
    prefix="/api",
    tags=["graph"],
    dependencies=[Depends(reader)],
    responses={**PROBLEM_RESPONSES, **AUTH_RESPONSES},
)


@router.get("/neighbourhood/{node_id:path}", response_model=GraphOut, response_model_exclude_none=True)
def neighbourhood(
    node_id: str,
    store: StoreDep,
    depth: Annotated[int, Query(ge=0, le=3, description="Steps, either direction.")] = 1,
) -> dict[str, Any]:
    """The nodes within ``depth`` steps of a node and the edges among them."""
    return facts.graph_records(store.neighbourhood(node_id, depth))


@router.get("/subgraph", response_model=GraphOut, response_model_exclude_none=True)
def subgraph(store: StoreDep, filters: FiltersDep) -> dict[str, Any]:
    """The needs and projects passing every filter, what lies one step from them, and the edges among them.

    Without filters: the whole graph.
    """
    return facts.graph_records(store.subgraph(filters))
