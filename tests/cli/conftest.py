from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kb.cli import app


class KB:
    """Runs ``kb`` commands against one store (a file, or a Neo4j URI with its ``env``), as a user would."""

    def __init__(self, store: Path | str, env: dict[str, str] | None = None) -> None:
        self.store = store
        self.env = env
        self.runner = CliRunner()

    def __call__(self, *args: str):
        return self.runner.invoke(app, ["--store", str(self.store), *args], env=self.env)

    def json(self, *args: str):
        result = self(*args, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


@pytest.fixture
def kb(tmp_path: Path) -> KB:
    return KB(tmp_path / "kb.sqlite")
