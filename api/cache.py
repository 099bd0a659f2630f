"""Whole-graph page data (the overview's coverage, overlaps and gaps…) reused until the store changes.

The key of a cached value is the page's key and the store's *data version*
(:meth:`GraphStore.data_version`: on SQLite the write log's last rowid, one index lookup), so
any write (through the API, the CLI or another worker) makes the next view compute afresh.

A page that took longer than ``background_after`` seconds to compute is not recomputed while
its viewer waits: after a write, the previous value is served at once (with the data date it
was computed at) and the new one is computed in a background thread, one per page at a time.
Quick pages (small stores) are recomputed at once, so they are never behind the data.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import networkx as nx

from kb.questions.asked import Selection, Within
from kb.selection import SubgraphFilter
from kb.store.port import GraphStore

T = TypeVar("T")
log = logging.getLogger("kb.api")


def _trim() -> None:
    """Give the heap the collection freed back to the system (glibc's ``malloc_trim``; ~20 MB of
    RSS after the overview on the 100k store), where there is such a C library."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: the memory stays with the process for reuse
        pass


def store_version(store: GraphStore) -> str:
    return store.data_version()


@dataclass
class Entry:
    version: str
    at: float
    seconds: float
    value: Any


class PageCache:
    def __init__(
        self,
        seconds: float = 300.0,
        size: int = 64,
        background_after: float = 0.5,
        settle: Callable[[], None] | None = None,
    ) -> None:
        self.seconds = seconds
        self.size = size
        self.background_after = background_after
        #: Called after a slow page was computed (:meth:`GraphCache.settle`).
        self.settle = settle
        self._items: OrderedDict[str, Entry] = OrderedDict()
        self._refreshing: set[str] = set()
        self._lock = threading.Lock()

    def get(self, store: GraphStore, key: str, compute: Callable[[], T]) -> T:
        """The value of ``compute()`` for ``key`` at the store's current version, or, while a slow
        page is recomputed in the background after a write, its previous value."""
        value, _ = self.lookup(store, key, compute)
        return value

    def lookup(self, store: GraphStore, key: str, compute: Callable[[], T]) -> tuple[T, bool]:
        """``(value, current)``: ``current`` is false when the value is the previous one, served
        while the new one is computed in the background."""
        version = store_version(store)
        now = time.monotonic()
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                if found.version == version and now - found.at < self.seconds:
                    return found.value, True
                if found.seconds >= self.background_after:
                    if key not in self._refreshing:
                        self._refreshing.add(key)
                        threading.Thread(
                            target=self._refresh, args=(key, version, compute), daemon=True
                        ).start()
                    return found.value, False
        return self._compute(key, version, compute), True

    def _compute(self, key: str, version: str, compute: Callable[[], T]) -> T:
        started = time.monotonic()
        value = compute()
        seconds = time.monotonic() - started
        with self._lock:
            self._items[key] = Entry(version, started, seconds, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        if self.settle is not None and seconds >= self.background_after:
            self.settle()
        return value

    def _refresh(self, key: str, version: str, compute: Callable[[], Any]) -> None:
        try:
            self._compute(key, version, compute)
        except Exception:  # a failed refresh keeps the previous page; the next view tries again
            log.exception("recomputing the cached page %r failed", key)
        finally:
            with self._lock:
                self._refreshing.discard(key)

    def wait(self, timeout: float = 60.0) -> None:
        """Until no page is being recomputed in the background (for tests and shutdown)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if not self._refreshing:
                    return
            time.sleep(0.01)


class AnswerCache:
    """Small answers (who funds a need: a few kilobytes of JSON) by key, each valid at the data
    version it was computed at: a write makes every one of them stale. The ``size`` latest used
    are kept."""

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self._items: OrderedDict[str, tuple[str, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, version: str, key: str) -> bytes | None:
        """The answer for ``key`` computed at ``version``, if it is kept."""
        with self._lock:
            found = self._items.get(key)
            if found is None or found[0] != version:
                return None
            self._items.move_to_end(key)
            return found[1]

    def put(self, version: str, key: str, answer: bytes) -> None:
        with self._lock:
            self._items[key] = (version, answer)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


class GraphCache:
    """The whole graph, read once per data version and shared by the unfiltered analyses and the
    overview (with the analyses' facts, kept with it: :meth:`kb.analysis.links.Facts.of`).

    With ``freeze`` (``KB_API_FREEZE_GRAPH``, on under ``kb serve``) the graph is frozen out of the
    garbage collector's sight (``gc.freeze``): it lives until the next write, and the collector
    would otherwise scan its millions of objects again and again. When a write replaces it, the
    old one is unfrozen and collected before the new one is read.
    """

    def __init__(self, freeze: bool = False) -> None:
        self.freeze = freeze
        self._version: str | None = None
        self._graph: nx.MultiDiGraph | None = None
        self._lock = threading.Lock()

    def whole(self, store: GraphStore) -> nx.MultiDiGraph:
        version = store_version(store)
        with self._lock:
            if self._graph is None or self._version != version:
                if self._graph is not None and self.freeze:
                    self._graph = None
                    gc.unfreeze()
                    gc.collect()
                self._graph = None
                graph = store.subgraph()
                if self.freeze:
                    gc.freeze()
                self._graph, self._version = graph, version
            return self._graph

    def settle(self) -> None:
        """After a long computation on the cached graph: collect what it left, then freeze what
        it keeps (the facts and results kept with the graph) with the graph (only with ``freeze``).

        Else those millions of new long-lived objects are scanned by the next collections, which
        then run in the middle of quick requests: a pause of up to a second each (who-funds p99
        0.9 s under wrk after ``/api/analyses/overlaps?limit=100000``). The slow request pays for
        one collection instead. What is frozen is unfrozen and collected with the graph at the
        next write.
        """
        if self.freeze:
            with self._lock:
                gc.collect()
                gc.freeze()
                _trim()

    @contextmanager
    def settling(self, after: float = 0.5) -> Iterator[None]:
        """:meth:`settle` after the block when it took ``after`` seconds or more."""
        started = time.monotonic()
        yield
        if time.monotonic() - started >= after:
            self.settle()

    def within(self, store: GraphStore, filters: SubgraphFilter) -> Within:
        """What an analysis is asked about: the cached whole graph when nothing is filtered."""
        if not filters.is_empty():
            return filters
        return Selection(filters=filters, graph=self.whole(store), words=[])
