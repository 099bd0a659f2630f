"""Fuzzing the JSON batch reader (issue 14): whatever comes in, a batch or one KBError.

Arbitrary bytes and JSON-ish documents (deep nesting, huge numbers, NaN and Infinity, control
characters and lone surrogates, wrong types, near-valid records) go through :mod:`kb.jsonin` and
:func:`kb.records.parse_batch`, and through ``kb import json`` on a real SQLite store. Never a
traceback, memory bounded (tracemalloc in process; an address-space limit in a subprocess for
the large hostile files), and a refused import leaves the store exactly as it was.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import textwrap
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph_schema import EDGE_TYPES, NODE_TYPES
from graph_schema.registry import all_property_names
from kb import jsonin
from kb.errors import KBError
from kb.records import parse_batch
from tests.cli.conftest import KB

#: Any code point, surrogates and control characters included.
ANY_CHAR = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=())
TEXT = st.one_of(st.text(ANY_CHAR, max_size=20), st.sampled_from(["org:x", "project:p", "EUR", "2024-13-01"]))
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**15, max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    TEXT,
)
JSONISH = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)
TYPES = st.sampled_from([*NODE_TYPES, *EDGE_TYPES, "Spaceship", ""])
FIELDS = st.sampled_from(sorted(all_property_names() | {"extra"}))


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    """A record close enough to valid that validation reaches every field."""
    record: dict[str, Any] = {
        "type": draw(TYPES),
        "id": draw(st.one_of(st.just("org:x"), TEXT)),
        "name": draw(st.one_of(st.just("Name"), TEXT)),
        "source": "org:x",
        "target": "project:p",
        "sources": draw(st.one_of(st.just(["s"]), st.lists(TEXT, max_size=3))),
    }
    record.update(draw(st.dictionaries(FIELDS, JSONISH, max_size=3)))
    return record


DOCUMENTS = st.fixed_dictionaries(
    {"nodes": st.lists(records(), max_size=3), "edges": st.lists(records(), max_size=3)},
    optional={"schema_version": JSONISH, "format": JSONISH, "other": JSONISH},
)


def _dumps(doc: Any) -> bytes:
    return json.dumps(doc, allow_nan=True).encode("utf-8", "surrogatepass")


@st.composite
def payloads(draw: st.DrawFn) -> bytes:
    """Bytes a hostile or careless user might send: documents, broken documents, bombs."""
    kind = draw(st.sampled_from(["document", "any json", "truncated", "spliced", "deep", "number", "bytes"]))
    if kind == "document":
        return _dumps(draw(DOCUMENTS))
    if kind == "any json":
        return _dumps(draw(JSONISH))
    if kind == "truncated":
        data = _dumps(draw(DOCUMENTS))
        return data[: draw(st.integers(0, len(data)))]
    if kind == "spliced":
        data = _dumps(draw(DOCUMENTS))
        at = draw(st.integers(0, len(data)))
        return data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    if kind == "deep":
        depth = draw(st.integers(1, 20_000))
        opener, closer = draw(st.sampled_from([(b"[", b"]"), (b'{"a":', b"}"), (b'[{"a":', b"}]")]))
        return b'{"nodes": ' + opener * depth + b"1" + closer * draw(st.integers(0, depth)) + b"}"
    if kind == "number":
        digits = draw(st.integers(1, 6_000))
        literal = draw(st.sampled_from([b"9" * digits, b"1e" + b"9" * min(digits, 9), b"0." + b"1" * digits]))
        return b'{"edges": [{"type": "FUNDS", "amount": ' + literal + b', "currency": "EUR"}]}'
    return draw(st.binary(max_size=200))


def _depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    return 0


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payloads())
def test_the_reader_and_parse_batch_give_a_batch_or_a_kb_error_in_bounded_memory(data):
    tracemalloc.start()
    try:
        parse_batch(jsonin.loads(data, origin="fuzz.json"), origin="fuzz.json")
    except KBError as exc:
        assert "\n" not in str(exc) and len(str(exc)) < 2_000
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert peak < 8 * 2**20 + 50 * len(data), f"{peak:,} bytes traced for {len(data):,} bytes of input"


@settings(max_examples=200, deadline=None)
@given(JSONISH, st.integers(0, 6))
def test_the_depth_check_counts_what_the_parser_would_nest(value, limit):
    assert jsonin.too_deep(_dumps(value), limit) == (_depth(value) > limit)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> KB:
    kb = KB(tmp_path_factory.mktemp("fuzz") / "kb.sqlite")
    assert kb("init").exit_code == 0
    return kb


def _store_dump(kb: KB, folder: Path) -> Any:
    out = folder / "dump.json"
    assert kb("export", "json", str(out)).exit_code == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    doc.pop("exported_at", None)
    return doc


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(payloads())
def test_kb_import_json_refuses_with_one_line_and_leaves_the_store_unchanged(store, data):
    folder = Path(store.store).parent
    before = _store_dump(store, folder)
    path = folder / "fuzz.json"
    path.write_bytes(data)
    result = store("import", "json", str(path))
    if result.exit_code == 0:
        return
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), repr(result.exception)
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("error: "), result.stderr[:300]
    assert _store_dump(store, folder) == before


#: Large hostile files, each refused within the address-space limit below (built when used).
HOSTILE = {
    "deep.json": lambda: b'{"nodes": ' + b"[" * 5_000_000 + b"]" * 5_000_000 + b"}",
    "deep-objects.json": lambda: b'{"nodes": ' + b'{"a":' * 2_000_000 + b"1" + b"}" * 2_000_000 + b"}",
    "deep-siblings.json": lambda: b"[[]," * 1_000_000 + b"]" * 1_000_000,
    "unclosed.json": lambda: b"[" * 10_000_000,
    "digits.json": lambda: b'{"edges": [{"amount": ' + b"9" * 10_000_000 + b"}]}",
    "huge-description.json": lambda: json.dumps(
        {
            "nodes": [
                {
                    "type": "Organisation",
                    "id": "org:x",
                    "name": "X",
                    "sources": ["s"],
                    "description": "x" * 2**26,
                }
            ]
        }
    ).encode(),
    "many-nans.json": lambda: b"[" + b"NaN," * 1_000_000 + b"NaN]",
}
#: Address space the importing process may use: the interpreter, its libraries and the work.
ADDRESS_SPACE = 1024 * 2**20

_IMPORT_EACH = textwrap.dedent(
    """
    import json, sys
    from typer.testing import CliRunner
    from kb.cli import app

    store, files = sys.argv[1], sys.argv[2:]
    runner = CliRunner()
    for path in files:
        result = runner.invoke(app, ["--store", store, "import", "json", path])
        print(json.dumps({"file": path, "exit": result.exit_code, "exception": repr(result.exception),
                          "stderr": result.stderr[:300]}))
    """
)


def test_large_hostile_files_are_refused_within_a_memory_limit(tmp_path):
    kb = KB(tmp_path / "kb.sqlite")
    assert kb("init").exit_code == 0
    before = _store_dump(kb, tmp_path)
    files = []
    for name, content in HOSTILE.items():
        (tmp_path / name).write_bytes(content())
        files.append(str(tmp_path / name))

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))

    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_EACH, str(kb.store), *files],
        check=False,
        preexec_fn=limit,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parents[2],
    )
    assert done.returncode == 0, done.stderr[-2000:]
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(results) == len(HOSTILE)
    for found in results:
        assert found["exit"] == 1 and found["exception"] == "SystemExit(1)", found
        assert len(found["stderr"].splitlines()) == 1 and found["stderr"].startswith("error: "), found
    assert _store_dump(kb, tmp_path) == before
