"""``/docs``: the API's operations, readable in a browser with the network off.

When the ``fastapi-offline`` package is installed, its vendored Swagger UI files (5.x, which
renders OpenAPI 3.1) are served from ``/docs/assets`` and used. Otherwise ``/docs`` is the
project's own small page, built in the browser from ``/openapi.json`` by ``static/docs.js``.
Either way no request leaves the server.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles


def swagger_assets() -> Path | None:
    """The folder of a locally installed Swagger UI (from ``fastapi-offline``), if there is one."""
    spec = importlib.util.find_spec("fastapi_offline")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "static"
    return folder if (folder / "swagger-ui-bundle.js").is_file() else None


def install(app: FastAPI) -> None:
    assets = swagger_assets()
    if assets is not None:
        app.mount("/docs/assets", StaticFiles(directory=assets), name="swagger-assets")

        @app.get("/docs", include_in_schema=False)
        def swagger(request: Request) -> HTMLResponse:
            root = request.scope.get("root_path", "")
            return get_swagger_ui_html(
                openapi_url=f"{root}{app.openapi_url}",
                title=f"{app.title} – API",
                swagger_js_url=f"{root}/docs/assets/swagger-ui-bundle.js",
                swagger_css_url=f"{root}/docs/assets/swagger-ui.css",
                swagger_favicon_url=f"{root}/static/favicon.svg",
                # no validator badge: Swagger UI would fetch it from a public server
                swagger_ui_parameters={"validatorUrl": None, "tryItOutEnabled": False},
            )
        return

    @app.get("/docs", include_in_schema=False)
    def own_docs(request: Request) -> HTMLResponse:
        from api.pages.render import templates

        return templates.TemplateResponse(request, "docs.html", {"openapi_url": app.openapi_url})
