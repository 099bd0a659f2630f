"""Driver errors become the project's errors: one line, naming the cause, never a neo4j exception.

- cannot connect, routing or TLS failure, session expired → :class:`StoreUnavailableError`;
- wrong credentials, missing database, server older than Neo4j 5 → :class:`StoreUnavailableError`;
- a database ``kb init`` has not set up → :class:`IncompatibleStoreError`;
- a constraint violation (a concurrent writer created the same id) → :class:`ConflictError`;
- a batch larger than the server's transaction memory → :class:`StoreError` saying what to do;
- missing privilege, or anything else the server or driver refuses → :class:`StoreError`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from neo4j import exceptions as neo

from kb.errors import ConflictError, IncompatibleStoreError, KBError, StoreError, StoreUnavailableError

#: The oldest Neo4j major version the adapter speaks to.
MIN_MAJOR = 5

DATABASE_NOT_FOUND = "Neo.ClientError.Database.DatabaseNotFound"
OUT_OF_TRANSACTION_MEMORY = "Neo.TransientError.General.MemoryPoolOutOfMemoryError"


def redact(uri: str) -> str:
    """The URI without any user or password in it.

    >>> redact("neo4j+s://neo4j:secret@db.example.org:7687")
    'neo4j+s://db.example.org:7687'
    """
    parts = urlsplit(uri)
    if "@" not in parts.netloc:
        return uri
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def first_line(text: object) -> str:
    """The first non-empty line of a message, for one-line errors.

    >>> first_line("Couldn't connect to x:1:\\nFailed to establish connection")
    "Couldn't connect to x:1"
    """
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    return lines[0].rstrip(":") if lines else ""


_SOCKET_REASON = re.compile(r"\(reason ([^)]*)\)")


def _reason(exc: BaseException) -> str:
    """A short cause: the server's message, or the socket's reason for a failed connection."""
    message = getattr(exc, "message", None) if isinstance(exc, neo.Neo4jError) else None
    text = str(message or exc)
    found = _SOCKET_REASON.search(text)
    if found:
        return found.group(1).strip()
    return first_line(text) or type(exc).__name__


def translate(exc: Exception, *, uri: str, database: str | None, user: str) -> KBError:
    """The project error for a driver error ``exc`` met while talking to ``uri``.

    The message never holds the URI's user or password, even where the driver's own does.
    """
    if isinstance(exc, KBError):
        return exc
    error = _translate(exc, redact(uri), database, user)
    if redact(uri) != uri:
        error.detail = error.detail.replace(uri, redact(uri))
        error.args = (error.detail,)
    return error


def _translate(exc: Exception, where: str, database: str | None, user: str) -> KBError:
    if isinstance(exc, neo.AuthError):
        return StoreUnavailableError(
            f"Neo4j at {where} refused the credentials of user '{user}' "
            "(check KB_NEO4J_USER and KB_NEO4J_PASSWORD)"
        )
    if isinstance(exc, neo.Neo4jError) and exc.code == DATABASE_NOT_FOUND:
        name = f"'{database}'" if database else "the default database"
        return StoreUnavailableError(f"Neo4j at {where} has no database {name} (check KB_NEO4J_DATABASE)")
    if isinstance(exc, neo.ClientError) and "no such fulltext schema index" in str(exc.message).lower():
        return IncompatibleStoreError(f"Neo4j at {where} has no search index yet: run `kb init`")
    if isinstance(exc, neo.Neo4jError) and exc.code == OUT_OF_TRANSACTION_MEMORY:
        return StoreError(
            f"Neo4j at {where} ran out of transaction memory for this batch, so nothing of it was written: "
            "import it in smaller files, or give the server more (its heap, or "
            "dbms.memory.transaction.total.max)"
        )
    if isinstance(exc, neo.ConstraintError):
        return ConflictError(f"Neo4j at {where} refused the write: {_reason(exc)}")
    if isinstance(exc, neo.Forbidden):
        return StoreError(f"Neo4j at {where}: user '{user}' lacks a privilege: {_reason(exc)}")
    if isinstance(exc, (neo.ServiceUnavailable, neo.SessionExpired, neo.ConnectionAcquisitionTimeoutError)):
        return StoreUnavailableError(
            f"cannot reach Neo4j at {where} ({_reason(exc)}): is the server running and the address right?"
        )
    if isinstance(exc, neo.DatabaseUnavailable):
        return StoreUnavailableError(f"Neo4j at {where}: the database is unavailable ({_reason(exc)})")
    if isinstance(exc, neo.ConfigurationError):
        return StoreUnavailableError(f"cannot use Neo4j at {where}: {_reason(exc)}")
    if isinstance(exc, neo.Neo4jError):
        return StoreError(f"Neo4j at {where} refused the operation: {exc.code}: {_reason(exc)}")
    if isinstance(exc, neo.DriverError):
        return StoreError(f"Neo4j driver error with {where}: {_reason(exc)}")
    if isinstance(exc, (ValueError, OSError)):
        return StoreUnavailableError(f"cannot use Neo4j at {where}: {first_line(exc)}")
    return StoreError(f"Neo4j at {where}: {type(exc).__name__}: {first_line(exc)}")


def server_version(components: Iterable[Mapping[str, Any]]) -> tuple[str, str]:
    """``(version, edition)`` of the Neo4j kernel from ``CALL dbms.components()`` rows.

    >>> server_version([{"name": "Neo4j Kernel", "versions": ["5.26.1"], "edition": "community"}])
    ('5.26.1', 'community')
    """
    for row in components:
        if row.get("name") == "Neo4j Kernel" and row.get("versions"):
            return str(row["versions"][0]), str(row.get("edition", ""))
    raise StoreUnavailableError("the server did not report a Neo4j Kernel version (is it Neo4j?)")


def require_supported(version: str, *, uri: str) -> None:
    """Refuse a server older than Neo4j 5 (versions are ``4.4.30``, ``5.26.1``, ``2025.01.0``, ``5.27-aura``).

    >>> require_supported("2025.01.0", uri="bolt://localhost:7687")
    >>> require_supported("4.4.30", uri="bolt://localhost:7687")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kb.errors.StoreUnavailableError: Neo4j at bolt://localhost:7687 is version 4.4.30; ... Neo4j 5 or later
    """
    head = version.split(".", 1)[0].split("-", 1)[0]
    if not head.isdigit():
        raise StoreUnavailableError(f"Neo4j at {redact(uri)} reports an unreadable version {version!r}")
    if int(head) < MIN_MAJOR:
        raise StoreUnavailableError(
            f"Neo4j at {redact(uri)} is version {version}; "
            f"the knowledge base needs Neo4j {MIN_MAJOR} or later"
        )
