"""ASGI middleware: one JSON log line per request, the request body size limit, security headers,
the Host allow-list, and the write-token check that comes before any body is read."""

from __future__ import annotations

import html
import json
import logging
import re
import time
from collections.abc import Iterable
from typing import Any

from fastapi.routing import APIRoute
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kb.errors import KBError, PayloadTooLargeError

access_log = logging.getLogger("kb.api.access")


class RequestLogMiddleware:
    """Logs ``{"method", "path", "status", "duration_ms"}`` as one JSON line per HTTP request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            if access_log.isEnabledFor(logging.INFO):
                access_log.info(
                    json.dumps(
                        {
                            "method": scope["method"],
                            "path": scope["path"],
                            "status": status,
                            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                        }
                    )
                )


class JsonLineFormatter(logging.Formatter):
    """Access lines are JSON already; other records become ``{"level", "logger", "message"}``."""

    def format(self, record: logging.LogRecord) -> str:
        if record.name == access_log.name:
            return record.getMessage()
        out: dict[str, Any] = {
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            out["traceback"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


class BodyLimitMiddleware:
    """Refuses a request body over ``max_bytes`` with a 413 problem, before any route reads it.

    A declared ``Content-Length`` over the limit is refused at once; a body sent without one
    (chunked) is read up to the limit and refused when it goes past it.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _error(self, scope: Scope) -> PayloadTooLargeError:
        return PayloadTooLargeError(
            f"the request body is over the limit of {self.max_bytes:,} bytes "
            "(KB_API_MAX_BODY_BYTES); send smaller batches"
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            size += len(body)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            chunks.append(body)
            more = message.get("more_body", False)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        from starlette.requests import Request

        from api.problems import kb_error_response

        response = kb_error_response(Request(scope, receive), self._error(scope))
        response.headers["Connection"] = "close"
        await response(scope, receive, send)


# -- security headers ----------------------------------------------------------------------------
#: The policy of a response that declares none (JSON, files): it may load nothing, and only the
#: server's own pages may frame it.
DEFAULT_CSP = "default-src 'none'; frame-ancestors 'self'"
#: Set on every response (unless a route set its own).
SECURITY_HEADERS: dict[str, str] = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "SAMEORIGIN",
}
_META_CSP = re.compile(
    rb"""<meta\s+http-equiv=["']?content-security-policy["']?\s+content=(?:"([^"]*)"|'([^']*)')""",
    re.IGNORECASE,
)
#: How far into an HTML body its ``<meta>`` policy is looked for (it is in the ``<head>``).
META_SCAN_BYTES = 8192


def with_frame_ancestors(policy: str) -> str:
    """``policy`` with ``frame-ancestors 'self'`` unless it names its framers already.

    >>> with_frame_ancestors("default-src 'none'; img-src data:")
    "default-src 'none'; img-src data:; frame-ancestors 'self'"
    """
    policy = policy.strip().rstrip(";").strip()
    if "frame-ancestors" in policy:
        return policy
    return f"{policy}; frame-ancestors 'self'" if policy else "frame-ancestors 'self'"


def meta_policy(body: bytes) -> str | None:
    """The Content-Security-Policy an HTML page declares in a ``<meta>`` of its head, if any.

    >>> meta_policy(b'<head><meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;">')
    "default-src 'none'"
    >>> meta_policy(b"<p>no policy</p>") is None
    True
    """
    found = _META_CSP.search(body[:META_SCAN_BYTES])
    if found is None:
        return None
    return html.unescape((found.group(1) or found.group(2) or b"").decode("utf-8", "replace"))


class SecurityHeadersMiddleware:
    """Puts ``nosniff``, ``Referrer-Policy``, ``X-Frame-Options`` and a CSP on every HTTP response.

    A response that sets its own CSP (the pages, ``/docs``) keeps it. An HTML page that declares
    its policy only in a ``<meta>`` (the maps, which are files first) gets that policy as the
    header, plus ``frame-ancestors 'self'``, which a ``<meta>`` cannot set. Anything else gets
    :data:`DEFAULT_CSP`.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        held: Message | None = None

        async def send_wrapper(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
                if "content-security-policy" in headers:
                    await send(message)
                elif headers.get("content-type", "").startswith("text/html"):
                    held = message  # its policy may be in the body's <meta>
                else:
                    headers["content-security-policy"] = DEFAULT_CSP
                    await send(message)
                return
            if held is not None and message["type"] == "http.response.body":
                start, held = held, None
                policy = meta_policy(message.get("body", b""))
                MutableHeaders(scope=start)["content-security-policy"] = (
                    with_frame_ancestors(policy) if policy else DEFAULT_CSP
                )
                await send(start)
            await send(message)

        await self.app(scope, receive, send_wrapper)


# -- the Host allow-list -------------------------------------------------------------------------
def host_patterns(spec: str) -> list[str]:
    """``KB_API_ALLOWED_HOSTS`` as the patterns a ``Host`` header is matched with.

    IPv6 literals get the brackets a ``Host`` header writes them with.

    >>> host_patterns("127.0.0.1, localhost,::1, *.example.org")
    ['127.0.0.1', 'localhost', '[::1]', '*.example.org']
    """
    out = []
    for item in (part.strip().lower() for part in spec.split(",")):
        if item:
            out.append(f"[{item}]" if ":" in item and not item.startswith("[") else item)
    return out


class AllowedHostsMiddleware:
    """Answers only requests whose ``Host`` is an allowed name; others get a 400 problem.

    So a page on another site whose name was made to point at 127.0.0.1 (DNS rebinding) cannot
    read the open API. The names are ``KB_API_ALLOWED_HOSTS`` (loopback names by default) plus
    the address the request came in on (an IP literal, which cannot be rebound). Matching is
    Starlette's :class:`~starlette.middleware.trustedhost.TrustedHostMiddleware`
    (``*.example.org`` patterns, ``*`` for any).
    """

    def __init__(self, app: ASGIApp, allowed_hosts: list[str]) -> None:
        self.app = app
        self.allowed = allowed_hosts
        self._checks: dict[str, TrustedHostMiddleware] = {}

    def _check(self, scope: Scope) -> TrustedHostMiddleware:
        server = (scope.get("server") or ("",))[0] or ""
        check = self._checks.get(server)
        if check is None:
            patterns = self.allowed + host_patterns(server)
            check = TrustedHostMiddleware(self._allowed, allowed_hosts=patterns, www_redirect=False)
            self._checks[server] = check
        return check

    async def _allowed(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["kb.host_allowed"] = True
        await self.app(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return

        async def only_if_allowed(message: Message) -> None:
            if scope.get("kb.host_allowed"):  # else it is the check's plain-text refusal
                await send(message)

        await self._check(scope)(scope, receive, only_if_allowed)
        if not scope.get("kb.host_allowed"):
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        from starlette.requests import Request

        from api.problems import host_not_allowed_response

        host = Headers(scope=scope).get("host", "")
        await host_not_allowed_response(Request(scope, receive), host)(scope, receive, send)


# -- who may write, before the body is read -------------------------------------------------------
def _depends_on(dependant: Any, call: Any) -> bool:
    return any(d.call is call or _depends_on(d, call) for d in dependant.dependencies)


class WriterFirstMiddleware:
    """Checks the caller of a write route before anything reads its body.

    A route among ``routes`` that depends on :func:`api.deps.writer` answers 401 or 403 to a
    request without a write token, whatever its body: a malformed, huge or hostile body from an
    anonymous client is never read or parsed. The route's own dependency checks the token again.
    """

    def __init__(self, app: ASGIApp, routes: Iterable[BaseRoute]) -> None:
        from api.deps import writer

        self.app = app
        self.routes = [r for r in routes if isinstance(r, APIRoute) and _depends_on(r.dependant, writer)]

    def _is_write(self, scope: Scope) -> bool:
        return any(route.matches(scope)[0] is Match.FULL for route in self.routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] not in ("GET", "HEAD", "OPTIONS")
            and self._is_write(scope)
        ):
            from starlette.requests import Request

            from api.deps import writer
            from api.problems import kb_error_response

            request = Request(scope)  # no receive: the body stays unread
            try:
                writer(request)
            except KBError as exc:
                response = kb_error_response(request, exc)
                response.headers["Connection"] = "close"
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
