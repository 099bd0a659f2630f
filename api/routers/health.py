"""Liveness (the process answers) and readiness (the store answers). Always open."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import StoreDep
from api.models import HealthOut, ReadyOut
from api.problems import PROBLEM_RESPONSES
from kb.errors import KBError, StoreUnavailableError
from kb.store import is_neo4j_location

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=HealthOut)
async def health() -> dict[str, Any]:
    """The server process is up (it does not touch the store)."""
    return {"status": "ok"}


@router.get("/readyz", response_model=ReadyOut, responses={503: PROBLEM_RESPONSES[503]})
def ready(store: StoreDep) -> dict[str, Any]:
    """The store can be reached and read; 503 ``store-unavailable`` otherwise."""
    try:
        counts = store.counts()
    except StoreUnavailableError:
        raise
    except KBError as exc:
        raise StoreUnavailableError(f"the store does not answer: {exc.detail}") from exc
    return {
        "status": "ready",
        "store": "neo4j" if is_neo4j_location(store.location) else "sqlite",
        "nodes": sum(counts["nodes"].values()),
    }
