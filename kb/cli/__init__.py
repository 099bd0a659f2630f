"""The ``kb`` command line. Each module registers its commands on :data:`kb.cli.app.app`."""

from kb.cli import core  # noqa: F401  (registers commands)
from kb.cli.app import app, main

__all__ = ["app", "main"]
