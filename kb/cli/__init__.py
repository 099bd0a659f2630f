"""The ``kb`` command line. Each module registers its commands on :data:`kb.cli.app.app`."""

from kb.cli import analysis, core, iati, maps, serve, sheets, stores  # noqa: F401  (each registers its commands)
from kb.cli.app import app, main

__all__ = ["app", "main"]
