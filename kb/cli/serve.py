"""kb serve: the JSON API and the pages over HTTP (uvicorn)."""

from __future__ import annotations

import logging
import os
from typing import Annotated, Any

import typer

from kb.cli.app import app
from kb.cli.output import console


def log_config() -> dict[str, Any]:
    """One JSON line per log record, on stderr: access lines from the app, the rest from uvicorn."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "api.middleware.JsonLineFormatter"}},
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
        },
        "loggers": {
            "kb.api": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option(help="Address to listen on. Keep 127.0.0.1 unless behind a proxy.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1, max=64, help="Worker processes (each opens the store). Default: KB_API_WORKERS, else 1."
        ),
    ] = None,
) -> None:
    """Serve the JSON API and the pages: http://HOST:PORT/ (docs at /docs). Ctrl-C stops it.

    Writes need a token from KB_API_TOKENS ("name:token,…"); KB_API_READ_TOKENS makes reads
    need one too. The store is the one --store / KB_STORE names, as for every command.
    """
    import uvicorn

    from kb.settings import Settings
    from kb.store import is_neo4j_location, open_store

    settings = Settings()
    root = ctx.find_root().obj or {}
    location = root.get("store") or settings.store_location
    # The server keeps its whole graph for the analyses: out of the garbage collector's sight.
    settings = settings.model_copy(update={"store": location, "api_freeze_graph": True})
    workers = workers or settings.api_workers
    with open_store(location, settings) as store:  # fail here, with the CLI's message, if it cannot be opened
        store.init()
    shown = location if is_neo4j_location(location) else os.path.abspath(location)
    typer.echo(f"serving {shown} on http://{host}:{port}/ (API docs: http://{host}:{port}/docs)")
    if not settings.api_tokens.get_secret_value():
        console().print("writes are off: set KB_API_TOKENS='name:token' to allow them", style="dim")
    common: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_config": log_config(),
        "access_log": False,
        "server_header": False,
        "proxy_headers": False,
    }
    if workers > 1:
        os.environ["KB_STORE"] = location  # each worker builds its app from the environment
        os.environ["KB_API_FREEZE_GRAPH"] = "1"
        uvicorn.run("api.app:create_app", factory=True, workers=workers, **common)
        return
    from api.app import create_app

    logging.getLogger("kb.api").setLevel(logging.INFO)
    uvicorn.run(create_app(settings), **common)
