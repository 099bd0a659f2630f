"""Nodes: one by id, its edges, and pages of nodes by type within the analyses' filters."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api.deps import FiltersDep, StoreDep, reader
from api.models import ChangeOut, EdgeOut, NodeOut, NodePageOut, NodeType
from api.problems import AUTH_RESPONSES, PROBLEM_RESPONSES
from kb.questions import nodes as facts

router = APIRouter(
    prefix="/api/nodes",
    tags=["nodes"],
    dependencies=[Depends(reader)],
    responses={**PROBLEM_RESPONSES, **AUTH_RESPONSES},
)


@router.get("", response_model=NodePageOut, response_model_exclude_none=True)
def list_nodes(
    store: StoreDep,
    filters: FiltersDep,
    type: Annotated[NodeType | None, Query(description="Only nodes of this type.")] = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """Nodes ordered by id, paged; with filters, only those in the filtered subgraph."""
    items, total = facts.nodes_page(store, filters, type=type, offset=offset, limit=limit)
    return {"items": items, "offset": offset, "limit": limit, "total": total}


@router.get("/{node_id:path}/edges", response_model=list[EdgeOut], response_model_exclude_none=True)
def node_edges(node_id: str, store: StoreDep) -> list[dict[str, Any]]:
    """Every edge starting or ending at the node."""
    store.get(node_id)
    return store.edges_of(node_id)


@router.get("/{node_id:path}/history", response_model=list[ChangeOut])
def node_history(node_id: str, store: StoreDep) -> list[Any]:
    """Every change of the node and of its edges, oldest first: batch, when, who, before and after.

    A node that is gone (deleted) still has its history; an id never written has none (404).
    """
    changes = store.history(node_id)
    if not changes:
        store.get(node_id)
    return changes


@router.get("/{node_id:path}", response_model=NodeOut, response_model_exclude_none=True)
def get_node(node_id: str, store: StoreDep) -> dict[str, Any]:
    """One node with its properties, as stored."""
    return store.get(node_id)
