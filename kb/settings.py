"""One settings object, from the environment (``KB_*``) and command-line options."""

from __future__ import annotations

from pathlib import Path

import platformdirs
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

APP_NAME = "wb-security-kb"
#: Seconds a write waits for the store's write lock (another write) before giving up.
DEFAULT_WRITE_WAIT = 120.0
#: Host names ``kb serve`` answers to unless told otherwise: loopback only (no DNS rebinding).
DEFAULT_ALLOWED_HOSTS = "127.0.0.1,localhost,::1"


def default_store_path() -> Path:
    """The per-user store file, e.g. ``~/.local/share/wb-security-kb/kb.sqlite``."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "kb.sqlite"


class Settings(BaseSettings):
    """Where the store is and how to reach it. Every field has a ``KB_`` environment variable."""

    model_config = SettingsConfigDict(env_prefix="KB_", extra="ignore")

    store: str = ""
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr = SecretStr("")
    neo4j_database: str | None = None
    write_wait: float = Field(
        DEFAULT_WRITE_WAIT,
        ge=0,
        description="Seconds a write waits for another write to finish before it gives up (CLI and API).",
    )

    # -- the HTTP API (``kb serve``) ---------------------------------------------------
    api_tokens: SecretStr = Field(
        SecretStr(""), description="Write tokens, 'name:token,name:token'. Without any, writes are refused."
    )
    api_read_tokens: SecretStr = Field(
        SecretStr(""), description="Read tokens, same form. When set, reads need a read or write token."
    )
    api_cors_origins: str = Field(
        "", description="Origins allowed by CORS, comma-separated. Empty: CORS off."
    )
    api_max_body_bytes: int = Field(10_000_000, ge=1, description="Largest request body accepted (bytes).")
    api_workers: int = Field(
        1, ge=1, le=64, description="Worker processes of kb serve (--workers overrides)."
    )
    api_freeze_graph: bool = Field(
        False,
        description="Keep the cached whole graph out of the garbage collector's sight (gc.freeze); "
        "kb serve turns it on.",
    )
    api_allowed_hosts: str = Field(
        DEFAULT_ALLOWED_HOSTS,
        description="Host names the server answers to, comma-separated ('*.example.org' allowed; "
        "'*' turns the check off). The address a request came in on is always allowed.",
    )
    api_session_hours: float = Field(
        8.0, gt=0, le=24 * 30, description="Hours a browser session (signing in with a write token) lasts."
    )
    api_session_secret: SecretStr = Field(
        SecretStr(""),
        description="Key that signs session cookies. Empty: derived from the write tokens, so every "
        "worker shares it and changing the tokens ends every session.",
    )
    api_https: bool = Field(
        False,
        description="The server is reached over HTTPS through a proxy: session cookies are Secure "
        "(they always are when the request itself came over HTTPS).",
    )

    @property
    def store_location(self) -> str:
        return self.store or str(default_store_path())
