"""An IATI import stores the same before and after a change: the stores and reports of two checkouts compared.

``python -m bench.iati_equal --code BEFORE_DIR`` runs the same imports with the code of
``BEFORE_DIR`` (e.g. ``git archive HEAD~1 | tar -x -C /tmp/before``) and of this checkout, each in
a fresh process, and compares what they leave behind; exit 1 and the first difference when they
differ. The imports, each through ``kb import iati --json`` / ``kb validate iati --json``:

- a corpus of the shared IATI files (``bench.bench_iati.build_corpus``, ``KB_BENCH_IATI_MB``,
  default 8) into a fresh store with ``--all-countries --all-sectors``, then the same again;
- the test fixtures (hand-made cases, bad files among them) with the default filters, then with
  both filters lifted (updates, retractions), then ``--strict``; and ``kb validate iati``.

What is compared (:func:`dump`): every row of ``nodes``, ``edges`` (in row order), ``writes``
(without the time), ``changes``, the full-text index (FTS5's integrity check and a search of every
word of the first nodes), and each command's JSON output and exit code.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "iati"

RUN = r"""
import json, sys
from typer.testing import CliRunner
from kb.cli import app
store, args = sys.argv[1], json.loads(sys.argv[2])
result = CliRunner().invoke(app, ["--store", store, *args])
print(json.dumps({"exit": result.exit_code, "stdout": result.stdout}))
"""


def dump(store: Path) -> dict[str, Any]:
    """What an SQLite store holds, as plain lists (the write log without its times)."""
    conn = sqlite3.connect(store)
    try:
        out: dict[str, Any] = {
            "nodes": conn.execute(
                "SELECT rowid, id, type, record, search FROM nodes ORDER BY rowid"
            ).fetchall(),
            "edges": conn.execute(
                "SELECT rowid, type, source, target, key, record FROM edges ORDER BY rowid"
            ).fetchall(),
            "writes": conn.execute(
                "SELECT rowid, actor, action, summary FROM writes ORDER BY rowid"
            ).fetchall(),
            "changes": conn.execute(
                "SELECT batch, n, kind, record, source, target, before, after FROM changes ORDER BY rowid"
            ).fetchall(),
        }
        conn.execute("INSERT INTO nodes_fts(nodes_fts, rank) VALUES ('integrity-check', 1)")
        words = sorted({w for (s,) in conn.execute("SELECT search FROM nodes LIMIT 200") for w in s.split()})
        out["fts"] = {
            w: conn.execute(
                "SELECT group_concat(rowid) FROM (SELECT rowid FROM nodes_fts WHERE nodes_fts MATCH ? "
                "ORDER BY rowid)",
                (f'"{w}"',),
            ).fetchone()[0]
            for w in words[:300]
        }
    finally:
        conn.close()
    return json.loads(json.dumps(out))


def _kb(code: Path, store: Path, *args: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")} | {"PYTHONPATH": str(code)}
    done = subprocess.run(
        [sys.executable, "-c", RUN, str(store), json.dumps(list(args))],
        cwd=code,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(done.stdout)
    try:
        result["stdout"] = json.loads(result["stdout"])
    except json.JSONDecodeError:
        pass
    return result


def scenario(code: Path, corpus: Path, work: Path) -> dict[str, Any]:
    """Every import of the module's list, run with ``code``: the outputs and the stores after each."""
    work.mkdir()
    lifted = ("--all-countries", "--all-sectors", "--json")
    out: dict[str, Any] = {}
    big = work / "corpus.sqlite"
    out["corpus"] = _kb(code, big, "import", "iati", str(corpus), *lifted)
    out["corpus_store"] = dump(big)
    out["corpus_again"] = _kb(code, big, "import", "iati", str(corpus), *lifted)
    out["corpus_again_store"] = dump(big)
    small = work / "fixtures.sqlite"
    out["fixtures"] = _kb(code, small, "import", "iati", str(FIXTURES), "--json")
    out["fixtures_lifted"] = _kb(code, small, "import", "iati", str(FIXTURES), *lifted)
    out["fixtures_strict"] = _kb(code, small, "import", "iati", str(FIXTURES), "--strict", *lifted)
    out["fixtures_store"] = dump(small)
    out["validate"] = _kb(code, small, "validate", "iati", str(FIXTURES), *lifted)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.iati_equal", description=__doc__.split("\n")[0])
    parser.add_argument("--code", type=Path, required=True, help="The checkout to compare with (before).")
    args = parser.parse_args(argv)
    from bench.bench_iati import build_corpus
    from bench.compare_results import first_difference

    work = Path(tempfile.mkdtemp(prefix="kb-iati-equal-"))
    try:
        corpus = work / "corpus"
        corpus.mkdir()
        build_corpus(corpus, float(os.environ.get("KB_BENCH_IATI_MB", "8")))
        before = scenario(args.code.resolve(), corpus, work / "before")
        after = scenario(ROOT, corpus, work / "after")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    found = first_difference(before, after)
    counts = {k: len(before["corpus_store"][k]) for k in ("nodes", "edges", "changes")}
    if found:
        print(f"DIFFERENT: {found}")
        return 1
    print(f"same stores and outputs ({counts} in the corpus store; fixtures too)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
