"""``/docs``: Swagger UI for the API's operations, readable in a browser with the network off.

The Swagger UI files (5.x, which renders OpenAPI 3.1) come with the ``fastapi-offline``
package and are served from ``/docs/assets``; no request leaves the server.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles


def swagger_assets() -> Path:
    """The folder of the Swagger UI files that ``fastapi-offline`` ships."""
    spec = importlib.util.find_spec("fastapi_offline")
    assert spec is not None and spec.submodule_search_locations, "fastapi-offline is a dependency"
    return Path(next(iter(spec.submodule_search_locations))) / "static"


def install(app: FastAPI) -> None:
    app.mount("/docs/assets", StaticFiles(directory=swagger_assets()), name="swagger-assets")

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
