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
            (409, "Conflicts with what is stored"),
            (413, "Body over the size limit"),
        )
    },
}
#: What any request may be answered with before it reaches an operation (every operation lists it).
HOST_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {
        "model": ProblemOut,
        "content": {PROBLEM_JSON: {}},
        "description": "The Host header is not one this server answers to (host-not-allowed)",
    }
}
#: The problem of a request whose Host header is not allowed (``KB_API_ALLOWED_HOSTS``).
HOST_NOT_ALLOWED = ("host-not-allowed", "Host not allowed")
#: FastAPI's own answer to a body it could not decode (it keeps the cause as ``__cause__``).
UNREADABLE_BODY = "There was an error parsing the body"


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


def host_not_allowed_response(request: Request, host: str) -> Response:
    """400: the ``Host`` header names a host this server does not answer to."""
    type_, title = HOST_NOT_ALLOWED
    shown = host if len(host) <= 100 and host.isprintable() else repr(host[:100])
    detail = f"this server does not answer to the host '{shown}' (allowed hosts: KB_API_ALLOWED_HOSTS)"
    return problem_response(request, problem_body(400, type_, title, detail, request.url.path))


def _unreadable_body_detail(cause: BaseException | None) -> str:
    if isinstance(cause, UnicodeDecodeError):
        return f"the body is not UTF-8 text (byte {cause.start})"
    if isinstance(cause, RecursionError):
        return "the body is nested too deeply to read"
    if isinstance(cause, ValueError) and "digits" in str(cause):
        return "the body holds a number with too many digits"
    return "the body could not be read as JSON"


def http_error_response(request: Request, exc: StarletteHTTPException) -> Response:
    """Starlette's own errors: unknown route (404), wrong method (405), a body FastAPI could not read."""
    if exc.status_code == 400 and exc.detail == UNREADABLE_BODY:
        body = problem_body(
            InvalidInputError.status,
            InvalidInputError.type,
            InvalidInputError.title,
            _unreadable_body_detail(exc.__cause__),
            request.url.path,
        )
        return problem_response(request, body)
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
