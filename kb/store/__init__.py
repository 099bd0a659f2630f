"""Stores: the :class:`GraphStore` port and its adapters, chosen from a location."""

from __future__ import annotations

from urllib.parse import urlsplit

from kb.errors import StoreUnavailableError
from kb.settings import Settings
from kb.store.port import GraphStore

#: URI schemes the Neo4j driver understands.
NEO4J_SCHEMES = ("neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc")


def is_neo4j_location(location: str) -> bool:
    return urlsplit(location).scheme in NEO4J_SCHEMES


def open_store(location: str | None = None, settings: Settings | None = None) -> GraphStore:
    """Open the store at ``location`` (a file path or a Neo4j URI), else the configured one."""
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
        )
    if "://" in location:
        raise StoreUnavailableError(
            f"unsupported store URI scheme {scheme!r}: use a file path or one of {', '.join(NEO4J_SCHEMES)}"
        )
    from kb.store.sqlite import SQLiteStore

    return SQLiteStore(location)


__all__ = ["GraphStore", "is_neo4j_location", "open_store"]
