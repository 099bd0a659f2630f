"""Exports: the lossless JSON dump, and GEXF / GraphML (optionally filtered) for Gephi."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Response

from api.deps import FiltersDep, StoreDep, reader
from api.problems import AUTH_RESPONSES, PROBLEM_RESPONSES
from kb.dump import dump
from kb.exports import flat_graph, write_gexf, write_graphml

router = APIRouter(
    prefix="/api/export",
    tags=["exports"],
    dependencies=[Depends(reader)],
    responses={**PROBLEM_RESPONSES, **AUTH_RESPONSES},
)


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


def _written(writer: Callable[..., None], graph: Any) -> bytes:
    buffer = io.BytesIO()
    writer(flat_graph(graph), buffer)
    return buffer.getvalue()


@router.get("/json")
def export_json(store: StoreDep) -> dict[str, Any]:
    """The whole store as one JSON document; posting it to /api/batch loads it back unchanged."""
    return dump(store)


@router.get(
    "/gexf",
    response_class=Response,
    responses={200: {"content": {"application/gexf+xml": {}}, "description": "GEXF 1.3"}},
)
def export_gexf(store: StoreDep, filters: FiltersDep) -> Response:
    """The graph (or the filtered subgraph) as GEXF 1.3 for Gephi, periods as spells (see kb export)."""
    return Response(
        _written(write_gexf, store.subgraph(filters)),
        media_type="application/gexf+xml",
        headers=_attachment("kb.gexf"),
    )


@router.get(
    "/graphml",
    response_class=Response,
    responses={200: {"content": {"application/graphml+xml": {}}, "description": "GraphML"}},
)
def export_graphml(store: StoreDep, filters: FiltersDep) -> Response:
    """The graph (or the filtered subgraph) as GraphML; list values joined with '; '."""
    return Response(
        _written(write_graphml, store.subgraph(filters)),
        media_type="application/graphml+xml",
        headers=_attachment("kb.graphml"),
    )
