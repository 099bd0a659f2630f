from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kb.cli import app


class KB:
    """Runs ``kb`` commands against one store file, as a user would type them."""

    def __init__(self, store: Path) -> None:
        self.store = store
        self.runner = CliRunner()

    def __call__(self, *args: str):
        return self.runner.invoke(app, ["--store", str(self.store), *args])

    def json(self, *args: str):
        result = self(*args, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


@pytest.fixture
def kb(tmp_path: Path) -> KB:
    return KB(tmp_path / "kb.sqlite")
