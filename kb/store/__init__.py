"""Stores: the :class:`GraphStore` port and its adapters, chosen from a location."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from kb.errors import StoreUnavailableError
from kb.settings import Settings
from kb.store.port import GraphStore

#: URI schemes the Neo4j driver understands.
NEO4J_SCHEMES = ("neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc")


def is_neo4j_location(location: str) -> bool:
    return urlsplit(location).scheme in NEO4J_SCHEMES


def open_store(
    location: str | None = None,
    settings: Settings | None = None,
    *,
    create: bool = False,
    on_wait: Callable[[str], None] | None = None,
) -> GraphStore:
    """Open the store at ``location`` (a file path or a Neo4j URI), else the configured one.

    A store file is made only with ``create`` (``kb init``, ``kb seed``, imports) or by a first
    write; reading a missing one says there is no knowledge base there and makes nothing. Writes
    wait up to ``settings.write_wait`` seconds for another write, calling ``on_wait`` once.
    """
    settings = settings or Settings()
    location = location or settings.store_location
    scheme = urlsplit(location).scheme
    if scheme in NEO4J_SCHEMES:
        from kb.store.neo4j import Neo4jStore

        return Neo4jStore(
            location,
            user=settings.neo4j_user,
            password=settings.neo4j_password.get_secret_value(),
            database=settings.neo4j_database,
            write_wait=settings.write_wait,
            on_wait=on_wait,
        )
    if "://" in location:
        raise StoreUnavailableError(
            f"unsupported store URI scheme {scheme!r}: use a file path or one of {', '.join(NEO4J_SCHEMES)}"
        )
    from kb.store.sqlite import SQLiteStore

    return SQLiteStore(location, create=create, write_wait=settings.write_wait, on_wait=on_wait)


__all__ = ["GraphStore", "is_neo4j_location", "open_store"]
