"""One rule per kind of value, wherever a value comes in (issue 14, items 1, 6, 7, 8 and 10).

Text holds no control characters and has a length limit per field; numbers are finite and
bounded; a sheet date is a real calendar date or a problem naming its cell; the JSON reader
refuses what is too deep, too large or not JSON with one line. Each refusal leaves the store as
it was, through ``kb import json``, ``kb import sheet`` and ``POST /api/batch`` alike.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph_schema import EDGE_TYPES, NODE_TYPES
from graph_schema.base import LINE_MAX, TEXT_MAX
from kb import jsonin
from kb.errors import ImportFormatError, SchemaViolationError
from kb.records import parse_batch, validate_edge, validate_node
from kb.settings import Settings
from tests.api.conftest import AUTH, TOKENS, assert_problem
from tests.cli.conftest import KB
from tests.conftest import edge, node
from tests.sheets.test_sheets import fill

GRAPH = {
    "nodes": [
        node("Organisation", "org:donor", "Donor"),
        node("Project", "project:p", "Project"),
    ],
    "edges": [edge("FUNDS", "org:donor", "project:p", amount=1000, currency="EUR")],
}


@pytest.fixture
def kb(tmp_path: Path) -> KB:
    """A real SQLite store holding :data:`GRAPH`."""
    kb = KB(tmp_path / "kb.sqlite")
    assert kb("init").exit_code == 0
    path = tmp_path / "graph.json"
    path.write_text(json.dumps(GRAPH), encoding="utf-8")
    kb.json("import", "json", str(path))
    return kb


@pytest.fixture
def client(kb: KB) -> Iterator[TestClient]:
    settings = Settings(store=str(kb.store), api_tokens=TOKENS, api_max_body_bytes=2_000_000)
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        yield c


def dump(kb: KB, tmp_path: Path) -> Any:
    out = tmp_path / "dump.json"
    assert kb("export", "json", str(out)).exit_code == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    doc.pop("exported_at", None)
    return doc


def import_refused(kb: KB, tmp_path: Path, content: bytes) -> str:
    """``kb import json`` of ``content`` exits 1 with one line and no traceback; the store is unchanged."""
    before = dump(kb, tmp_path)
    path = tmp_path / "batch.json"
    path.write_bytes(content)
    result = kb("import", "json", str(path))
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)  # a KBError, not a crash
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr[:500]
    assert dump(kb, tmp_path) == before
    return lines[0]


def batch_bytes(*nodes: dict[str, Any], edges: tuple[dict[str, Any], ...] = ()) -> bytes:
    return json.dumps({"nodes": list(nodes), "edges": list(edges)}).encode("utf-8")


def funds_with(amount_literal: str) -> bytes:
    """A FUNDS edge whose amount is written exactly as ``amount_literal``."""
    record = json.dumps(edge("FUNDS", "org:donor", "project:p", amount=0, currency="EUR", key="x"))
    return ('{"edges": [' + record.replace('"amount": 0', f'"amount": {amount_literal}') + "]}").encode()


# -- item 1: a sheet date is a real calendar date or a problem naming its cell ------------------
def test_a_sheet_date_that_is_not_a_calendar_date_is_a_problem_naming_the_cell(tmp_path):
    kb = KB(tmp_path / "kb.sqlite")
    kb.json("seed")
    out = tmp_path / "responses.xlsx"
    kb("template", "responses", "-o", str(out))
    row = {"Partner": "Serbia", "Pillar": "WBBSi", "Donor 1": "GIZ"}
    fill(
        out,
        "Responses",
        [
            {**row, "Project / action": "Month 13", "Start": "2025-13-01"},
            {**row, "Project / action": "February 30", "Start": "2024-02-30"},
            {**row, "Project / action": "Day first", "Start": "31.12.2024", "End": "2025-12-31"},
        ],
    )
    before = kb.json("stats")
    result = kb("import", "sheet", str(out), "--dry-run")
    assert result.exit_code == 1, result.output
    assert "Responses!K3: not a date: there is no month 13" in result.stderr
    assert "Responses!K4: not a date: February 2024 has no day 30" in result.stderr
    assert "Responses!K5" not in result.stderr  # the documented forms are read
    assert kb("import", "sheet", str(out)).exit_code == 1
    assert kb.json("stats") == before


# -- item 6: numbers are finite and bounded -----------------------------------------------------
@pytest.mark.parametrize("literal", ["Infinity", "-Infinity", "NaN", "1e400", "1e16"])
def test_an_infinite_nan_or_huge_amount_is_refused_by_kb_import_json(kb, tmp_path, literal):
    line = import_refused(kb, tmp_path, funds_with(literal))
    assert "amount" in line or literal in line


@pytest.mark.parametrize("value", [float("inf"), float("nan"), 1e16, 10**20])
def test_an_infinite_or_huge_amount_is_refused_whatever_reader_brought_it(value):
    # YAML seeds read `.inf` and `.nan` as floats: the schema itself refuses them
    with pytest.raises(SchemaViolationError, match="field 'amount'"):
        validate_edge(edge("FUNDS", "org:a", "project:p", amount=value, currency="EUR"))
    with pytest.raises(SchemaViolationError, match="field 'percentage'"):
        validate_edge(edge("TARGETS", "project:p", "country:rs", percentage=value))


@pytest.mark.parametrize("literal", ["Infinity", "NaN", "1e16"])
def test_an_infinite_nan_or_huge_amount_posted_to_the_api_is_one_422_problem(kb, tmp_path, client, literal):
    before = dump(kb, tmp_path)
    response = client.post(
        "/api/batch", content=funds_with(literal), headers={**AUTH, "Content-Type": "application/json"}
    )
    body = assert_problem(response, 422, "invalid-input")
    assert literal in body["detail"] or "amount" in body["detail"]
    assert dump(kb, tmp_path) == before


# -- item 7: no control characters in any text --------------------------------------------------
@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1b", "\x7f", "\x9b", "\ufffe", "\ud800"])
def test_a_control_character_in_a_name_is_refused_naming_the_field_and_the_record(kb, tmp_path, char):
    line = import_refused(kb, tmp_path, batch_bytes(node("Organisation", "org:bad", f"Bad{char}name")))
    assert "node 'org:bad'" in line and "field 'name'" in line
    assert char not in line  # the message itself is safe to print


def test_a_control_character_posted_to_the_api_is_one_422_problem_naming_the_field(kb, tmp_path, client):
    before = dump(kb, tmp_path)
    batch = {"nodes": [node("Organisation", "org:bad", "Bad\x00name", aliases=["ok", "\x01"])]}
    body = assert_problem(client.post("/api/batch", json=batch, headers=AUTH), 422, "invalid-input")
    assert body["errors"][0]["field"] == "body.nodes.0.Organisation.name"
    assert body["errors"][0]["code"] == "control_character"
    assert dump(kb, tmp_path) == before


def test_descriptions_keep_tabs_and_line_breaks_but_names_are_one_line(kb):
    kept = validate_node(node("Organisation", "org:x", "X", description="Goals:\n\t1. border\r\n2. sea"))
    assert kept["description"] == "Goals:\n\t1. border\r\n2. sea"
    with pytest.raises(SchemaViolationError, match="field 'name': control character U\\+000A"):
        validate_node(node("Organisation", "org:x", "two\nlines"))


def _minimal(type_name: str) -> dict[str, Any]:
    """A valid record of each registered type, to break one field at a time."""
    if type_name in EDGE_TYPES:
        model = EDGE_TYPES[type_name]
        source = NODE_TYPES[model.SOURCE_TYPES[0]].PREFIX + ":a"
        return edge(type_name, source, NODE_TYPES[model.TARGET_TYPES[0]].PREFIX + ":b")
    required = {
        "Country": {"code": "RS"},
        "Pillar": {"code": "WBBSi", "number": 3},
        "Event": {"date": "2024-01-01"},
    }
    return node(type_name, f"{NODE_TYPES[type_name].PREFIX}:x", "X", **required.get(type_name, {}))


def _text_fields(type_name: str) -> list[tuple[str, bool]]:
    """(field, holds a list) for every property of the type that holds free text."""
    model = {**NODE_TYPES, **EDGE_TYPES}[type_name]
    found = []
    for name, prop in model.model_json_schema()["properties"].items():
        kinds = prop.get("anyOf", [prop])
        for kind in kinds:
            if kind.get("type") == "string" and "enum" not in kind and "format" not in kind:
                found.append((name, False))
            elif kind.get("type") == "array" and kind.get("items", {}).get("type") == "string":
                found.append((name, True))
    return found


@pytest.mark.parametrize("type_name", [*NODE_TYPES, *EDGE_TYPES])
def test_every_text_field_of_every_type_refuses_control_characters_and_overlong_text(type_name):
    validate = validate_edge if type_name in EDGE_TYPES else validate_node
    validate(_minimal(type_name))
    fields = _text_fields(type_name)
    assert {"sources"} <= {f for f, _ in fields}
    for field, is_list in fields:
        for bad in ("ok\x00", "x" * (TEXT_MAX + 1)):
            record = {**_minimal(type_name), field: [bad] if is_list else bad}
            with pytest.raises(SchemaViolationError, match=f"field '{field}"):
                validate(record)


# -- item 8: a length limit per field, even through the CLI ------------------------------------
def test_a_64_mb_description_is_refused_with_one_line_and_nothing_is_stored(kb, tmp_path):
    huge = node("Organisation", "org:huge", "Huge", description="x" * (64 * 2**20))
    line = import_refused(kb, tmp_path, batch_bytes(huge))
    assert line.endswith(
        f"node 'org:huge' (nodes[0]): field 'description': String should have at most {TEXT_MAX} characters"
    )
    assert (kb.store.stat().st_size) < 2**20 * 8


def test_a_name_over_its_limit_is_refused_and_one_at_it_is_kept(kb, tmp_path):
    import_refused(kb, tmp_path, batch_bytes(node("Organisation", "org:long", "n" * (LINE_MAX + 1))))
    path = tmp_path / "ok.json"
    path.write_bytes(batch_bytes(node("Organisation", "org:long", "n" * LINE_MAX)))
    assert kb("import", "json", str(path)).exit_code == 0


# -- item 10: one JSON reader, with limits, and one line instead of a traceback ---------------
HOSTILE = {
    "deep nesting": b'{"nodes": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "unclosed nesting": b'{"nodes": ' + b"[" * 100_000,
    "schema_version as text": b'{"schema_version": "2", "nodes": []}',
    "schema_version as a list": b'{"schema_version": [1], "nodes": []}',
    "a 5,000-digit integer": b'{"nodes": [], "edges": [{"amount": ' + b"9" * 5000 + b"}]}",
    "an unknown top-level key that is long": b'{"' + b"k" * 10_000 + b'": 1}',
}


@pytest.mark.parametrize("content", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_json_is_refused_by_kb_import_json_with_one_line(kb, tmp_path, content):
    line = import_refused(kb, tmp_path, content)
    assert len(line) < 1000


@pytest.mark.parametrize("content", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_json_posted_to_the_api_is_one_422_problem(kb, tmp_path, client, content):
    before = dump(kb, tmp_path)
    response = client.post(
        "/api/batch", content=content, headers={**AUTH, "Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text[:500]
    assert_problem(response, 422, response.json()["type"])
    assert response.json()["type"] in ("invalid-input", "schema-violation")
    assert dump(kb, tmp_path) == before


def test_a_newer_schema_version_is_refused_by_every_entry_point(kb, tmp_path, client):
    line = import_refused(kb, tmp_path, b'{"schema_version": 2, "nodes": []}')
    assert "newer schema version 2" in line
    body = assert_problem(
        client.post("/api/batch", json={"schema_version": 2, "nodes": []}, headers=AUTH),
        422,
        "schema-violation",
    )
    assert "newer schema version 2" in body["detail"]
    with pytest.raises(SchemaViolationError, match="schema_version"):
        parse_batch({"schema_version": True, "nodes": []})


def test_a_json_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "big.json"
    path.write_bytes(b" " * 1000 + b"{}")
    with pytest.raises(ImportFormatError, match="1,002 bytes, over the limit of 1,000"):
        jsonin.read_file(path, max_bytes=1000)
    assert jsonin.read_file(path, max_bytes=2000) == {}
