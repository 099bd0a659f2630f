"""What routes depend on: the settings, the store, and who is asking (tokens).

Tokens come from ``KB_API_TOKENS`` (write) and ``KB_API_READ_TOKENS`` (read), each
``name:token,name:token``. Only their SHA-256 digests are kept in memory, and a presented
token is compared with every digest in constant time.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request

from kb.errors import AuthError, ForbiddenError, KBError
from kb.questions.asked import Asked, Within
from kb.selection import SubgraphFilter
from kb.settings import Settings
from kb.store import GraphStore, open_store


class StoreHolder:
    """The app's store: given, or opened on first use from the settings (and closed at shutdown).

    Opening lazily lets the server start while a Neo4j server is still down: readiness says so.
    A missing store file is not created by opening or reading it (reads answer 503 "no knowledge
    base at PATH"); a write waits up to ``KB_WRITE_WAIT`` seconds for another write to finish.
    """

    def __init__(self, settings: Settings, store: GraphStore | None = None) -> None:
        self.settings = settings
        self._store = store
        self._owned = store is None
        self._lock = threading.Lock()

    def get(self) -> GraphStore:
        store = self._store
        if store is not None:
            return store
        with self._lock:
            if self._store is None:
                self._store = open_store(self.settings.store_location, self.settings, create=False)
            return self._store

    def close(self) -> None:
        with self._lock:
            if self._owned and self._store is not None:
                self._store.close()
                self._store = None


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


def parse_tokens(spec: str, what: str) -> dict[str, bytes]:
    """``"alice:TOKEN,bob:TOKEN"`` → ``{"alice": sha256(TOKEN), ...}``.

    >>> sorted(parse_tokens("alice:s3cret, bob:other", "KB_API_TOKENS"))
    ['alice', 'bob']
    """
    found: dict[str, bytes] = {}
    for item in (part.strip() for part in spec.split(",")):
        if not item:
            continue
        name, sep, token = item.partition(":")
        if not sep or not name.strip() or not token.strip():
            raise KBError(f"{what}: expected 'name:token' items separated by commas")
        found[name.strip()] = _digest(token.strip())
    return found


@dataclass(frozen=True)
class Caller:
    """Who sent a request: a token's name and what it may do (``name`` is empty when anonymous)."""

    name: str = ""
    can_write: bool = False

    @property
    def actor(self) -> str:
        return f"token:{self.name}"


class Tokens:
    """The configured tokens, as digests."""

    def __init__(self, settings: Settings) -> None:
        self.write = parse_tokens(settings.api_tokens.get_secret_value(), "KB_API_TOKENS")
        self.read = parse_tokens(settings.api_read_tokens.get_secret_value(), "KB_API_READ_TOKENS")

    @property
    def reads_need_token(self) -> bool:
        return bool(self.read)

    def identify(self, token: str) -> Caller | None:
        """The caller a token belongs to, comparing against every digest (no early exit)."""
        digest = _digest(token)
        found: Caller | None = None
        for name, known in self.write.items():
            if hmac.compare_digest(digest, known) and found is None:
                found = Caller(name, can_write=True)
        for name, known in self.read.items():
            if hmac.compare_digest(digest, known) and found is None:
                found = Caller(name, can_write=False)
        return found


def presented_token(request: Request) -> str | None:
    """The token in ``Authorization: Bearer TOKEN``, or the password of ``Basic`` (for browsers)."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer" and value:
        return value
    if scheme.lower() == "basic" and value:
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2] or None
    return None


# The dependencies below do not block (a few dict lookups, a hash), so they are ``async``: FastAPI
# runs them on the event loop instead of handing each one to the thread pool and back.
async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_store(request: Request) -> GraphStore:
    return request.app.state.store.get()


def _tokens(request: Request) -> Tokens:
    return request.app.state.tokens


def _session_caller(request: Request) -> Caller | None:
    """The writer whose browser session (:mod:`api.sessions`) sent the request, if any."""
    if getattr(request.app.state, "sessions", None) is None:
        return None
    from api.sessions import current

    session = current(request)
    return Caller(session.name, can_write=True) if session is not None else None


async def reader(request: Request) -> Caller:
    """Anyone, unless read tokens are configured; then a read or write token, or a signed-in browser."""
    tokens = _tokens(request)
    token = presented_token(request)
    if token is None:
        session = _session_caller(request)
        if session is not None:
            return session
        if tokens.reads_need_token:
            raise AuthError("this server needs a token for reads: send 'Authorization: Bearer TOKEN'")
        return Caller()
    caller = tokens.identify(token)
    if caller is None:
        raise AuthError("the token is not known to this server")
    return caller


def writer(request: Request) -> Caller:
    """A write token from ``KB_API_TOKENS``."""
    tokens = _tokens(request)
    if not tokens.write:
        raise ForbiddenError("writes are disabled on this server: it was started without KB_API_TOKENS")
    token = presented_token(request)
    if token is None:
        raise AuthError("writes need a token: send 'Authorization: Bearer TOKEN'")
    caller = tokens.identify(token)
    if caller is None:
        raise AuthError("the token is not known to this server")
    if not caller.can_write:
        raise ForbiddenError(f"token '{caller.name}' may read but not write")
    return caller


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[GraphStore, Depends(get_store)]
ReaderDep = Annotated[Caller, Depends(reader)]
WriterDep = Annotated[Caller, Depends(writer)]


PillarQuery = Annotated[str | None, Query(description="Pillar code (WBCTi, WBCSCi, WBBSi; any case) or id.")]
CountryQuery = Annotated[str | None, Query(description="Partner ISO code (RS, XK…) or id (country:rs).")]
DonorQuery = Annotated[str | None, Query(description="Funder id, e.g. org:giz.")]
FromQuery = Annotated[dt.date | None, Query(alias="from", description="Period start, YYYY-MM-DD.")]
ToQuery = Annotated[dt.date | None, Query(alias="to", description="Period end, YYYY-MM-DD.")]
CycleQuery = Annotated[str | None, Query(description="Mapping cycle, e.g. needs-mapping-1.")]


def filters(
    store: StoreDep,
    pillar: PillarQuery = None,
    country: CountryQuery = None,
    donor: DonorQuery = None,
    date_from: FromQuery = None,
    date_to: ToQuery = None,
    cycle: CycleQuery = None,
) -> SubgraphFilter:
    """The analyses' filters from query parameters, resolved as the CLI resolves them."""
    return Asked(pillar, country, donor, date_from, date_to, cycle).resolve(store)


FiltersDep = Annotated[SubgraphFilter, Depends(filters)]


def within(request: Request, store: StoreDep, filters: FiltersDep) -> Iterator[Within]:
    """What the analyses are asked about: the filters, or the server's cached whole graph
    (:class:`api.cache.GraphCache`) when there are none; a long analysis of it is followed by
    :meth:`~api.cache.GraphCache.settle`."""
    graphs = request.app.state.graphs
    with graphs.settling():
        yield graphs.within(store, filters)


# scope="function": the settle after a long analysis runs before its answer is sent, not while the
# client already sends its next requests.
WithinDep = Annotated[Within, Depends(within, scope="function")]


def filters_but_donor(
    store: StoreDep,
    pillar: PillarQuery = None,
    country: CountryQuery = None,
    date_from: FromQuery = None,
    date_to: ToQuery = None,
    cycle: CycleQuery = None,
) -> SubgraphFilter:
    """The filters of a question about one donor (named in the path): all but ``donor``."""
    return filters(store, pillar, country, None, date_from, date_to, cycle)


FiltersButDonorDep = Annotated[SubgraphFilter, Depends(filters_but_donor)]
