"""``/docs``: Swagger UI for the API's operations, readable in a browser with the network off.

The Swagger UI files (5.x, which renders OpenAPI 3.1) come with the ``fastapi-offline``
package and are served from ``/docs/assets``; no request leaves the server. The page's
Content-Security-Policy says so: scripts from the server and the page's one inline script (by
its hash), styles from the server and inline (Swagger UI sets ``style`` attributes), images from
the server or ``data:``, requests (the OpenAPI description) to the server only.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import re
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


_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def docs_csp(page: str) -> str:
    """The policy of the Swagger UI page ``page``: its inline scripts allowed by their SHA-256.

    >>> docs_csp("<script>go()</script>").split("; ")[1]
    "script-src 'self' 'sha256-5KYv+PUboo5h+0+YAtGRPbwv5d/QxzHslP4YGnUaxRw='"
    """
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode("ascii") + "'"
        for s in _INLINE_SCRIPT.findall(page)
    )
    return (
        f"default-src 'none'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'self'"
    )


def install(app: FastAPI) -> None:
    app.mount("/docs/assets", StaticFiles(directory=swagger_assets()), name="swagger-assets")

    @app.get("/docs", include_in_schema=False)
    def swagger(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        page = get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} – API",
            swagger_js_url=f"{root}/docs/assets/swagger-ui-bundle.js",
            swagger_css_url=f"{root}/docs/assets/swagger-ui.css",
            swagger_favicon_url=f"{root}/static/favicon.svg",
            # no validator badge: Swagger UI would fetch it from a public server
            swagger_ui_parameters={"validatorUrl": None, "tryItOutEnabled": False},
        )
        page.headers["Content-Security-Policy"] = docs_csp(bytes(page.body).decode("utf-8"))
        return page
