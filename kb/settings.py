"""One settings object, from the environment (``KB_*``) and command-line options."""

from __future__ import annotations

from pathlib import Path

import platformdirs
from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

APP_NAME = "wb-security-kb"


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

    @property
    def store_location(self) -> str:
        return self.store or str(default_store_path())
