"""Whole-graph page data (the overview's coverage, overlaps and gaps…) reused until the store changes.

The key of a cached value includes the store's *version*: its latest write-log entry and its
counts, so any write (through the API, the CLI or another worker) makes the next page compute
afresh. A time limit bounds staleness besides (two identical writes within one second).
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from kb.store.port import GraphStore

T = TypeVar("T")


def store_version(store: GraphStore) -> str:
    latest = store.write_log(limit=1)
    return json.dumps(
        [latest[0].model_dump() if latest else None, store.counts()], sort_keys=True, default=str
    )


class PageCache:
    def __init__(self, seconds: float = 300.0, size: int = 64) -> None:
        self.seconds = seconds
        self.size = size
        self._items: OrderedDict[tuple[str, str], tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, store: GraphStore, key: str, compute: Callable[[], T]) -> T:
        """The value of ``compute()`` for ``key`` at the store's current version."""
        full = (key, store_version(store))
        now = time.monotonic()
        with self._lock:
            found = self._items.get(full)
            if found is not None and now - found[0] < self.seconds:
                self._items.move_to_end(full)
                return found[1]
        value = compute()
        with self._lock:
            self._items[full] = (now, value)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value
