"""``kb --help`` lists every command without importing what the commands need to run."""

from __future__ import annotations

import json
import subprocess
import sys

#: What only running a command needs: spreadsheets, graphs, the server, maps, validation, stores.
HEAVY = ("openpyxl", "networkx", "fastapi", "pyvis", "IPython", "pydantic", "graph_schema", "kb.store")

_PROBE = """
import json, sys
from kb.cli import main
sys.argv = ["kb", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {0} or m in {0})))
"""


def _imported(*args: str) -> tuple[set[str], str]:
    """The modules a fresh ``kb ARGS`` process holds when it ends, and what it printed."""
    probe = _PROBE.format(repr(set(HEAVY)))
    done = subprocess.run(
        [sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=120, check=True
    )
    *printed, last = done.stdout.rstrip("\n").split("\n")
    return set(json.loads(last)), "\n".join(printed)


def test_kb_help_imports_none_of_the_heavy_modules() -> None:
    imported, printed = _imported("--help")
    assert "overlaps" in printed and "serve" in printed
    assert imported == set()


def test_a_command_s_help_imports_only_what_its_texts_name() -> None:
    imported, printed = _imported("search", "--help")
    assert "Only these types (" in printed and "Project" in printed
    assert "graph_schema" in imported
    assert {"openpyxl", "fastapi", "pyvis"}.isdisjoint(imported)


def test_the_probe_sees_heavy_modules_when_a_command_runs(tmp_path) -> None:
    imported, _ = _imported("--store", str(tmp_path / "kb.sqlite"), "init")
    assert {"networkx", "kb.store"} <= imported
