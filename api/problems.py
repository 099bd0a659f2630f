"""Errors as RFC 9457 problem details, produced in one place.

Every :class:`~kb.errors.KBError` becomes ``application/problem+json`` with its ``type`` slug,
``title`` and ``status``; request validation errors become an ``invalid-input`` problem whose
``errors`` name each field; unknown routes a ``not-found`` problem; anything else a 500
``internal-error`` problem that says nothing about the internals (the traceback goes to the
server log only). A browser asking for a page gets the same problem rendered as HTML.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from kb.errors import AuthError, InvalidInputError, KBError, NotFoundError

log = logging.getLogger("kb.api")

PROBLEM_JSON = "application/problem+json"


class FieldError(BaseModel):
    """One invalid field of a request."""

    field: str = Field(description="Where: 'body.nodes.0.name', 'query.limit', 'path.node_id'.")
    message: str
    code: str = Field(description="A machine-readable reason, e.g. 'missing', 'int_parsing'.")


class ProblemOut(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(description="A stable slug naming the kind of problem (see docs/api.md).")
    title: str
    status: int
    detail: str = ""
    instance: str = Field("", description="The path of the request that failed.")
    errors: list[FieldError] = Field(default_factory=list)


#: What every operation may answer with besides success (for the OpenAPI description).
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ProblemOut, "content": {PROBLEM_JSON: {}}, "description": text}
    for status, text in (
        (404, "Not found"),
        (422, "Invalid input"),
        (500, "Internal error"),
        (503, "Store unavailable"),
    )
}
AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ProblemOut, "content": {PROBLEM_JSON: {}}, "description": text}
    for status, text in ((401, "No or unknown token"), (403, "Token may not do this"))
}
WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **AUTH_RESPONSES,
    **{
        status: {"model": ProblemOut, "content": {PROBLEM_JSON: {}}, "description": text}
        for status, text in (
            (400, "Body is not JSON"),
            (409, "Conflicts with what is stored"),
            (413, "Body over the size limit"),
        )
    },
}


def problem_body(
    status: int,
    type_: str,
    title: str,
    detail: str,
    instance: str,
    errors: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": type_,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    if errors:
        body["errors"] = errors
    return body


def _wants_html(request: Request) -> bool:
    """A browser asking for a page (not the JSON API) gets the problem as an HTML page."""
    if request.url.path.startswith(("/api/", "/openapi")):
        return False
    accept = request.headers.get("accept", "")
    return "text/html" in accept


def problem_response(
    request: Request, body: dict[str, Any], headers: dict[str, str] | None = None
) -> Response:
    if _wants_html(request):
        from api.pages.render import render_problem

        try:
            return render_problem(request, body, headers)
        except Exception:  # the page itself failed: the JSON problem still answers
            log.exception("could not render the problem page for %s", request.url.path)
    return JSONResponse(body, status_code=body["status"], media_type=PROBLEM_JSON, headers=headers)


def kb_error_response(request: Request, exc: KBError) -> Response:
    headers = None
    if isinstance(exc, AuthError):
        headers = {"WWW-Authenticate": 'Bearer realm="kb"'}
    body = problem_body(exc.status, exc.type, exc.title, exc.detail, request.url.path, exc.errors)
    return problem_response(request, body, headers)


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        out.append(
            {"field": ".".join(loc), "message": str(err.get("msg", "")), "code": str(err.get("type", ""))}
        )
    return out


def validation_response(request: Request, exc: RequestValidationError) -> Response:
    errors = _field_errors(exc)
    first = errors[0] if errors else {"field": "", "message": "invalid request"}
    if first.get("code") == "json_invalid":
        detail = f"the body is not valid JSON: {first['message']}"
    else:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        detail = f"field '{first['field']}': {first['message']}{more}"
    body = problem_body(
        InvalidInputError.status,
        InvalidInputError.type,
        InvalidInputError.title,
        detail,
        request.url.path,
        errors,
    )
    return problem_response(request, body)


def http_error_response(request: Request, exc: StarletteHTTPException) -> Response:
    """Starlette's own errors: unknown route (404), wrong method (405)."""
    if exc.status_code == 404:
        body = problem_body(
            404,
            NotFoundError.type,
            NotFoundError.title,
            f"no such path: {request.url.path}",
            request.url.path,
        )
    else:
        from http import HTTPStatus

        try:
            title = HTTPStatus(exc.status_code).phrase
        except ValueError:
            title = "HTTP error"
        body = problem_body(exc.status_code, "about:blank", title, str(exc.detail or title), request.url.path)
    return problem_response(request, body, dict(exc.headers) if exc.headers else None)


def internal_error_response(request: Request, exc: Exception) -> Response:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    body = problem_body(
        KBError.status,
        KBError.type,
        KBError.title,
        "the server could not answer this request; the error is in its log",
        request.url.path,
    )
    return problem_response(request, body)


def install(app: FastAPI) -> None:
    """Register the handlers: the only place errors become HTTP responses."""
    app.add_exception_handler(KBError, kb_error_response)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, validation_response)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, http_error_response)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, internal_error_response)
