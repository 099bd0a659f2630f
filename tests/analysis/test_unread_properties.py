"""The node properties the analysis questions leave out of their graph are ones no analysis reads."""

from __future__ import annotations

import io
import tokenize
from pathlib import Path

import kb
from kb.analysis import UNREAD_NODE_PROPERTIES

ROOT = Path(kb.__file__).parent
#: Where the analyses read node properties (not kb/analysis/__init__.py, which declares the set).
READERS = [
    *sorted(p for p in (ROOT / "analysis").glob("*.py") if p.name != "__init__.py"),
    ROOT / "questions" / "analyses.py",
]


def _strings(path: Path) -> set[str]:
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    return {t.string.strip("\"'") for t in tokens if t.type == tokenize.STRING}


def test_no_analysis_names_a_node_property_its_graph_leaves_out():
    named = {str(path.relative_to(ROOT)): _strings(path) & UNREAD_NODE_PROPERTIES for path in READERS}
    assert {path: names for path, names in named.items() if names} == {}


def test_the_analysis_questions_read_their_graph_without_those_properties(tmp_path):
    from kb.questions import analyses as ask
    from kb.records import parse_batch
    from kb.store.sqlite import SQLiteStore
    from tests.conftest import node

    with SQLiteStore(tmp_path / "kb.sqlite") as store:
        store.upsert(parse_batch({"nodes": [node("Need", "need:n", "Radars", description="Long text")]}))
        seen = []
        subgraph = store.subgraph

        def recording(*args, **kwargs):
            seen.append(kwargs.get("leave_out"))
            return subgraph(*args, **kwargs)

        store.subgraph = recording
        ask.gaps(store)
    assert seen == [UNREAD_NODE_PROPERTIES]
