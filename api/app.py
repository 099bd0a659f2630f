"""The app factory: ``create_app()`` builds the whole HTTP layer from one settings object.

``kb serve`` runs it with uvicorn; with several workers uvicorn calls
``api.app:create_app`` itself (``factory=True``) in each worker, which reads the store
location from ``KB_STORE`` like every other setting.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from api import docs_page, problems
from api.cache import AnswerCache, GraphCache, PageCache
from api.deps import StoreHolder, Tokens
from api.middleware import (
    AllowedHostsMiddleware,
    BodyLimitMiddleware,
    RequestLogMiddleware,
    SecurityHeadersMiddleware,
    WriterFirstMiddleware,
    host_patterns,
)
from api.pages import history as history_pages
from api.pages import router as pages_router
from api.pages.forms import router as forms_router
from api.routers import analyses, changes, exports, graph, health, maps, nodes, schema, search, writes
from api.sessions import Sessions
from api.strict import strict_query
from kb.settings import Settings
from kb.store import GraphStore

STATIC_DIR = Path(__file__).parent / "static"

DESCRIPTION = """\
The knowledge base of security assistance to the Western Balkans, over HTTP.

Reads are open unless the server was started with `KB_API_READ_TOKENS`; writes need a bearer
token from `KB_API_TOKENS` (checked before the body is read). The server answers only to the host
names of `KB_API_ALLOWED_HOSTS` (loopback by default). Errors are RFC 9457 problem details
(`application/problem+json`).
"""

TAGS = [
    {"name": "nodes", "description": "Nodes by id and by type."},
    {"name": "search", "description": "Accent-, case- and script-insensitive search."},
    {"name": "graph", "description": "Neighbourhoods and filtered subgraphs."},
    {
        "name": "analyses",
        "description": "Overlaps, gaps, who funds what, co-funding, coverage, brokers, paths.",
    },
    {"name": "maps", "description": "Network maps as self-contained HTML."},
    {"name": "exports", "description": "The JSON dump, GEXF and GraphML."},
    {"name": "writes", "description": "Batches of nodes and edges, deletes, and the write log."},
    {"name": "schema", "description": "The JSON Schema of every node and edge type."},
    {"name": "health", "description": "Liveness and readiness."},
]


def create_app(settings: Settings | None = None, store: GraphStore | None = None) -> FastAPI:
    """The FastAPI app over ``store`` (or the store ``settings`` name, opened on first use)."""
    settings = settings or Settings()
    holder = StoreHolder(settings, store)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            holder.close()

    app = FastAPI(
        title="Western Balkans security assistance knowledge base",
        version="1",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        dependencies=[Depends(strict_query)],
    )
    app.state.settings = settings
    app.state.store = holder
    app.state.tokens = Tokens(settings)
    app.state.sessions = Sessions(settings, app.state.tokens)
    app.state.graphs = GraphCache(freeze=settings.api_freeze_graph)
    app.state.page_cache = PageCache(settle=app.state.graphs.settle)
    app.state.answers = AnswerCache()

    problems.install(app)
    routers = (nodes, search, graph, analyses, changes, maps, exports, writes, schema, health)
    for module in routers:
        app.include_router(module.router, responses=problems.HOST_RESPONSES)
    app.include_router(forms_router)
    app.include_router(pages_router)
    app.include_router(history_pages.router)
    docs_page.install(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    origins = [o.strip() for o in settings.api_cors_origins.split(",") if o.strip()]
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )
    # Outermost last: the log sees every answer; every answer gets the security headers; a wrong
    # Host is refused before anything else; a write without a valid token before its body is read.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.api_max_body_bytes)
    app.add_middleware(WriterFirstMiddleware, routes=[r for m in routers for r in m.router.routes])
    app.add_middleware(AllowedHostsMiddleware, allowed_hosts=host_patterns(settings.api_allowed_hosts))
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestLogMiddleware)
    app.openapi = lambda: _with_security(app)  # type: ignore[method-assign]
    return app


#: How a caller presents a token (``kb serve`` reads ``Authorization: Bearer TOKEN``).
SECURITY_SCHEMES = {"token": {"type": "http", "scheme": "bearer", "description": "A token of KB_API_TOKENS."}}


def _with_security(app: FastAPI) -> dict:
    """The OpenAPI description with the bearer scheme, required by every operation that may answer
    401, so /docs has an Authorize button and can send writes."""
    if app.openapi_schema is None:
        schema = FastAPI.openapi(app)
        schema.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if "401" in operation.get("responses", {}):
                    operation["security"] = [{"token": []}]
    return app.openapi_schema or {}
