"""Writes: a batch of nodes and edges, a delete, and the log of every write."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from api.deps import StoreDep, WriterDep, reader
from api.models import BatchIn, WriteLogEntryOut, WriteOut
from api.problems import AUTH_RESPONSES, PROBLEM_RESPONSES, WRITE_RESPONSES
from graph_schema import SCHEMA_VERSION
from kb.errors import SchemaViolationError
from kb.records import parse_batch

router = APIRouter(prefix="/api", tags=["writes"], responses=PROBLEM_RESPONSES)


@router.post("/batch", response_model=WriteOut, responses=WRITE_RESPONSES)
def write_batch(batch: BatchIn, store: StoreDep, caller: WriterDep) -> dict[str, Any]:
    """Write nodes and edges all-or-nothing; writing the same batch again changes nothing.

    One bad record (a field, an edge to a missing node, an id stored with another type)
    refuses the whole batch and the store is unchanged. Needs a write token.
    """
    if batch.schema_version is not None and batch.schema_version > SCHEMA_VERSION:
        raise SchemaViolationError(
            f"batch written by a newer schema version {batch.schema_version} (this server: {SCHEMA_VERSION})"
        )
    records = parse_batch(batch.records(), origin="batch")
    action = f"api batch: {len(records.nodes)} nodes, {len(records.edges)} edges"
    summary = store.upsert(records, actor=caller.actor, action=action)
    return {**summary.model_dump(), "actor": caller.actor}


@router.delete("/nodes/{node_id:path}", status_code=204, responses=WRITE_RESPONSES, tags=["nodes"])
def delete_node(node_id: str, store: StoreDep, caller: WriterDep) -> Response:
    """Delete a node and its edges. Needs a write token."""
    store.delete(node_id, actor=caller.actor)
    return Response(status_code=204)


@router.get(
    "/writes", response_model=list[WriteLogEntryOut], dependencies=[Depends(reader)], responses=AUTH_RESPONSES
)
def write_log(store: StoreDep, limit: Annotated[int, Query(ge=1, le=10_000)] = 100) -> list[Any]:
    """The latest writes, newest first: when, who (``token:NAME`` for API writes), what."""
    return store.write_log(limit)
