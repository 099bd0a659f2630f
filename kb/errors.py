"""The project's one exception family.

Each error has an HTTP ``status``, a stable ``type`` slug (documented in docs/api.md) and a
``title``. The API maps them to RFC 9457 problem details in one place; the CLI prints
``error: <title>: <detail>`` and exits 1.
"""

from __future__ import annotations

from typing import Any


class KBError(Exception):
    """Base of every error the project raises on purpose."""

    status: int = 500
    type: str = "internal-error"
    title: str = "Internal error"
    exit_code: int = 1

    def __init__(self, detail: str, *, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []

    def __str__(self) -> str:
        return self.detail


class NotFoundError(KBError):
    status = 404
    type = "not-found"
    title = "Not found"


class SchemaViolationError(KBError):
    """A record breaks the schema: unknown type, missing field, bad value, bad endpoint."""

    status = 422
    type = "schema-violation"
    title = "Invalid data"


class InvalidInputError(KBError):
    """A request or command argument is wrong (bad date, unknown filter value...)."""

    status = 422
    type = "invalid-input"
    title = "Invalid input"


class ConflictError(KBError):
    """The write contradicts what is stored (an id reused with another type)."""

    status = 409
    type = "conflict"
    title = "Conflict"


class ImportFormatError(KBError):
    """A file is not what it claims to be (not JSON, not UTF-8, not IATI, not a workbook)."""

    status = 422
    type = "import-format"
    title = "Unreadable input file"


class StoreError(KBError):
    """The store refused or failed an operation."""

    status = 500
    type = "store-error"
    title = "Store error"


class StoreUnavailableError(StoreError):
    """The store cannot be reached or opened (server down, wrong credentials, foreign file)."""

    status = 503
    type = "store-unavailable"
    title = "Store unavailable"


class IncompatibleStoreError(StoreUnavailableError):
    """The file or database is not a knowledge-base store, or is from a newer schema version."""

    type = "incompatible-store"
    title = "Not a usable knowledge-base store"


class AuthError(KBError):
    status = 401
    type = "unauthorized"
    title = "Unauthorized"


class ForbiddenError(KBError):
    status = 403
    type = "forbidden"
    title = "Forbidden"


class PayloadTooLargeError(KBError):
    status = 413
    type = "payload-too-large"
    title = "Payload too large"


#: Every error class, for docs and for the test that checks each type is documented.
ERROR_CLASSES: tuple[type[KBError], ...] = (
    KBError,
    NotFoundError,
    SchemaViolationError,
    InvalidInputError,
    ConflictError,
    ImportFormatError,
    StoreError,
    StoreUnavailableError,
    IncompatibleStoreError,
    AuthError,
    ForbiddenError,
    PayloadTooLargeError,
)
