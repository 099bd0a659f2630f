"""Browser sessions: signing in with a write token, the signed session cookie, and CSRF tokens.

Signing in (``/signin``) checks a write token of ``KB_API_TOKENS`` and answers with a session
cookie: ``payload.signature``, the payload naming the token, a per-session CSRF token and the
expiry, the signature an HMAC-SHA256 over the payload and the token's digest with a server key
(``KB_API_SESSION_SECRET``, or one derived from the write tokens). So the cookie cannot be made
or changed without the key, it ends at its expiry (``KB_API_SESSION_HOURS``), and it ends when
its token is removed or changed. The cookie is HttpOnly, SameSite=Lax, and Secure when the
request came over HTTPS or ``KB_API_HTTPS`` is set.

Every form carries the session's CSRF token in a hidden field; a POST whose field is missing or
differs (compared in constant time) is refused with 403 and logged. The sign-in form, sent before
there is a session, carries a random token that must equal the one of a short-lived cookie.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import secrets
import time
from dataclasses import dataclass

from fastapi import Request, Response

from api.deps import Caller, Tokens
from kb.errors import ForbiddenError
from kb.settings import Settings

log = logging.getLogger("kb.api.sessions")

#: The session cookie, and the cookie of the sign-in form's CSRF token.
COOKIE = "kb_session"
SIGNIN_COOKIE = "kb_signin"
#: The hidden field every form sends its CSRF token in.
CSRF_FIELD = "csrf"
#: Seconds the sign-in form stays valid.
SIGNIN_SECONDS = 30 * 60


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Session:
    """A signed-in browser: the write token's name, the CSRF token of its forms, when it ends."""

    name: str
    csrf: str
    expires: int

    @property
    def actor(self) -> str:
        """Who writes, in the write log and the history: the same as the token over the JSON API."""
        return Caller(self.name, can_write=True).actor


class Sessions:
    """Makes and reads session cookies with the server's key."""

    def __init__(self, settings: Settings, tokens: Tokens) -> None:
        self.tokens = tokens
        self.seconds = int(settings.api_session_hours * 3600)
        self.always_secure = settings.api_https
        secret = settings.api_session_secret.get_secret_value().encode("utf-8")
        if not secret:
            secret = b"".join(digest for _, digest in sorted(tokens.write.items()))
        self.key = hmac.new(secret, b"kb session cookie v1", hashlib.sha256).digest()

    def _signature(self, payload: str, name: str) -> bytes:
        digest = self.tokens.write.get(name, b"")
        return hmac.new(self.key, payload.encode("ascii") + b"." + digest, hashlib.sha256).digest()

    def issue(self, name: str) -> tuple[str, Session]:
        """A new session for the write token ``name``, and its cookie value."""
        session = Session(name, secrets.token_urlsafe(32), int(time.time()) + self.seconds)
        payload = _b64(json.dumps({"n": name, "c": session.csrf, "e": session.expires}).encode("utf-8"))
        return f"{payload}.{_b64(self._signature(payload, name))}", session

    def read(self, value: str | None) -> Session | None:
        """The session a cookie holds, or ``None`` if it is missing, forged, expired or its token gone."""
        if not value or len(value) > 4096 or value.count(".") != 1:
            return None
        payload, signature = value.split(".")
        try:
            data = json.loads(_unb64(payload))
            sent = _unb64(signature)
        except (binascii.Error, ValueError, UnicodeDecodeError):
            return None
        if not isinstance(data, dict) or not isinstance(name := data.get("n"), str):
            return None
        if not hmac.compare_digest(sent, self._signature(payload, name)) or name not in self.tokens.write:
            return None
        csrf, expires = data.get("c"), data.get("e")
        if not isinstance(csrf, str) or not isinstance(expires, int) or expires <= time.time():
            return None
        return Session(name, csrf, expires)

    def secure(self, request: Request) -> bool:
        return self.always_secure or request.url.scheme == "https"

    def set_cookie(self, response: Response, request: Request, value: str) -> None:
        response.set_cookie(
            COOKIE,
            value,
            max_age=self.seconds,
            httponly=True,
            samesite="lax",
            secure=self.secure(request),
            path="/",
        )

    def clear_cookie(self, response: Response, request: Request) -> None:
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=self.secure(request))


def sessions_of(request: Request) -> Sessions:
    return request.app.state.sessions


def current(request: Request) -> Session | None:
    """The session of the request's cookie, if it holds a valid one (read once per request)."""
    if "kb_session" not in request.scope:
        request.scope["kb_session"] = sessions_of(request).read(request.cookies.get(COOKIE))
    return request.scope["kb_session"]


def refuse(request: Request, reason: str) -> ForbiddenError:
    """The 403 of a form refused for its CSRF token, logged with the path and the reason."""
    log.warning("csrf refused: %s %s (%s)", request.method, request.url.path, reason)
    return ForbiddenError(
        "this form's CSRF token is missing or wrong (the form is old, or was sent from another site): "
        "open the form again and send it from there"
    )


def check_csrf(request: Request, session: Session | None, sent: str | None) -> Session:
    """The session, if the form was sent by a signed-in browser with its CSRF token; else 403."""
    if session is None:
        raise refuse(request, "no session")
    if not sent:
        raise refuse(request, "missing token")
    if not hmac.compare_digest(sent.encode("utf-8"), session.csrf.encode("utf-8")):
        raise refuse(request, "wrong token")
    return session


def check_signin_csrf(request: Request, sent: str | None) -> None:
    """The sign-in form's token must equal its cookie's (both random, made when the form was shown)."""
    cookie = request.cookies.get(SIGNIN_COOKIE)
    if not cookie or not sent:
        raise refuse(request, "missing sign-in token")
    if not hmac.compare_digest(sent.encode("utf-8"), cookie.encode("utf-8")):
        raise refuse(request, "wrong sign-in token")


def new_signin_token() -> str:
    """A fresh random token for the sign-in form."""
    return secrets.token_urlsafe(32)


def set_signin_cookie(request: Request, response: Response, token: str) -> None:
    """The sign-in form's token, also set as a short-lived strict cookie for that form only."""
    response.set_cookie(
        SIGNIN_COOKIE,
        token,
        max_age=SIGNIN_SECONDS,
        httponly=True,
        samesite="strict",
        secure=sessions_of(request).secure(request),
        path="/signin",
    )


def clear_signin_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(
        SIGNIN_COOKIE,
        path="/signin",
        httponly=True,
        samesite="strict",
        secure=sessions_of(request).secure(request),
    )
