"""Writes: a batch of nodes and edges, a delete, and the log of every write."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.routing import APIRoute

from api.deps import StoreDep, WriterDep, reader
from api.models import BatchIn, RevertOut, WriteLogEntryOut, WriteOut
from api.problems import AUTH_RESPONSES, PROBLEM_RESPONSES, WRITE_RESPONSES
from kb import jsonin
from kb.errors import InvalidInputError
from kb.records import parse_batch
from kb.store.history import MAX_BATCH


class JsonInRoute(APIRoute):
    """A route whose JSON body is parsed by :mod:`kb.jsonin`, the reader ``kb import json`` uses.

    So a body nested too deep, with ``NaN``/``Infinity`` or an oversized number is one 422
    ``invalid-input`` problem, as it is one line on the command line. The parsed document is
    handed to FastAPI (Starlette keeps it as the request's ``_json``), which validates it
    against the body model as before: the OpenAPI description is unchanged.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if self.body_field is None:
            return handler

        async def parse_then_handle(request: Request) -> Response:
            body = await request.body()
            if body:
                request._json = jsonin.loads(
                    body, origin="the body", error=InvalidInputError, not_json="not valid JSON"
                )
            return await handler(request)

        return parse_then_handle


router = APIRouter(prefix="/api", tags=["writes"], responses=PROBLEM_RESPONSES, route_class=JsonInRoute)


@router.post("/batch", response_model=WriteOut, responses=WRITE_RESPONSES)
def write_batch(batch: BatchIn, store: StoreDep, caller: WriterDep) -> dict[str, Any]:
    """Write nodes and edges all-or-nothing; writing the same batch again changes nothing.

    One bad record (a field, an edge to a missing node, an id stored with another type)
    refuses the whole batch and the store is unchanged. Needs a write token.
    """
    records = parse_batch({**batch.records(), "schema_version": batch.schema_version}, origin="batch")
    action = f"api batch: {len(records.nodes)} nodes, {len(records.edges)} edges"
    summary = store.upsert(records, actor=caller.actor, action=action)
    return {**summary.model_dump(), "actor": caller.actor}


@router.delete("/nodes/{node_id:path}", status_code=204, responses=WRITE_RESPONSES, tags=["nodes"])
def delete_node(node_id: str, store: StoreDep, caller: WriterDep) -> Response:
    """Delete a node and its edges. Needs a write token."""
    store.delete(node_id, actor=caller.actor)
    return Response(status_code=204)


@router.post("/batches/{batch_id}/revert", response_model=RevertOut, responses=WRITE_RESPONSES)
def revert_batch(
    batch_id: Annotated[
        int, Path(ge=1, le=MAX_BATCH, description="The batch's number (the write log's `batch`).")
    ],
    store: StoreDep,
    caller: WriterDep,
    force: Annotated[
        bool, Query(description="Revert even when later batches changed the same records.")
    ] = False,
) -> Any:
    """Undo one batch all-or-nothing: each record back to its state before it, as a new batch.

    Refused (409, nothing changed) when a later batch changed one of the same records, naming
    them, unless ``force``. Needs a write token.
    """
    return store.revert(batch_id, force=force, actor=caller.actor)


@router.get(
    "/writes", response_model=list[WriteLogEntryOut], dependencies=[Depends(reader)], responses=AUTH_RESPONSES
)
def write_log(store: StoreDep, limit: Annotated[int, Query(ge=1, le=10_000)] = 100) -> list[Any]:
    """The latest writes, newest first: when, who (``token:NAME`` for API writes), what."""
    return store.write_log(limit)
