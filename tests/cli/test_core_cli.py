"""The core commands as a user runs them: seed, stats, get, search, import/export, schema."""

from __future__ import annotations

import json

import pytest

from tests.conftest import edge, node


def write(path, doc):
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def test_seed_without_demo_loads_only_what_the_documents_state(kb):
    kb.json("seed", "--no-demo")
    stats = kb.json("stats")
    assert stats["nodes"]["Event"] == 14
    assert stats["nodes"]["Need"] == 0 and stats["nodes"]["Project"] == 0


def test_seed_with_demo_adds_needs_and_projects(kb):
    kb.json("seed")
    stats = kb.json("stats")
    assert stats["nodes"]["Need"] >= 12 and stats["nodes"]["Project"] >= 15


def test_seeding_twice_changes_nothing(kb):
    kb.json("seed")
    second = kb.json("seed")
    assert second["nodes_created"] == second["nodes_updated"] == second["edges_created"] == 0


def test_stats_json_has_nodes_and_edges_per_type(kb):
    assert kb("init").exit_code == 0
    stats = kb.json("stats")
    assert set(stats) == {"nodes", "edges"}
    assert stats["nodes"]["Country"] == 0 and "FUNDS" in stats["edges"]


def test_wbbsi_support_group_has_its_21_members(kb):
    kb.json("seed", "--no-demo")
    from kb.store.sqlite import SQLiteStore

    with SQLiteStore(kb.store) as store:
        assert sum(1 for e in store.edges_of("sg:wbbsi") if e["type"] == "MEMBER_OF") == 21


def test_every_seed_record_cites_a_source_document(kb):
    kb.json("seed")
    from kb.store.sqlite import SQLiteStore

    with SQLiteStore(kb.store) as store:
        nodes = [n for chunk in store.iter_nodes() for n in chunk]
    assert all(n["sources"] for n in nodes)
    assert all(
        n.get("demo") or {"000_e9cf2c252bbbb759.txt", "001_169ed94f2005a783.txt"} & set(n["sources"])
        for n in nodes
    )


def test_search_json_lists_id_type_and_name(kb):
    kb.json("seed", "--no-demo")
    hits = kb.json("search", "Stevandic")
    assert hits[0]["id"] == "person:danilo-stevandic"
    assert {"id", "type", "name"} <= set(hits[0])


def test_get_json_gives_one_object_with_its_properties(kb):
    kb.json("seed", "--no-demo")
    got = kb.json("get", "person:sinisa-kostresevic")
    assert got["name"] == "Siniša Kostrešević"


def test_get_takes_a_code_or_a_name_and_shows_sources_by_title(kb):
    kb.json("seed", "--no-demo")
    assert kb.json("get", "WBBSi")["id"] == "pillar:wbbsi"
    shown = kb("get", "WBBSi").stdout
    assert "IISG – Western Balkan Border Security" in " ".join(shown.split())


def test_table_output_shows_kosovo_with_asterisk_and_footnote_once(kb):
    kb.json("seed", "--no-demo")
    result = kb("search", "Kosovo")
    assert "Kosovo*" in result.stdout
    assert result.stdout.count("This designation is without prejudice") == 1


def test_get_of_unknown_id_exits_1_with_one_line(kb):
    assert kb("init").exit_code == 0
    result = kb("get", "org:nobody")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: Not found: no node with id 'org:nobody'"


def test_json_export_import_round_trip_is_lossless(kb, tmp_path):
    from tests.cli.conftest import KB

    kb.json("seed")
    first = tmp_path / "first.json"
    kb.json("export", "json", str(first))
    other = KB(tmp_path / "other.sqlite")
    other.json("import", "json", str(first))
    second = tmp_path / "second.json"
    other.json("export", "json", str(second))
    assert first.read_text(encoding="utf-8") == second.read_text(encoding="utf-8")


def test_json_export_carries_the_kosovo_footnote(kb, tmp_path):
    kb.json("seed", "--no-demo")
    out = tmp_path / "dump.json"
    kb.json("export", "json", str(out))
    assert "without prejudice" in json.loads(out.read_text(encoding="utf-8"))["footnotes"][0]


def test_schema_prints_json_schema(kb):
    result = kb("schema")
    assert json.loads(result.stdout)["$defs"]["Need"]["properties"]["type"] == {"const": "Need"}


BAD_BATCHES = {
    "unknown node type": ({"nodes": [node("Spaceship", "ship:x", "X")]}, "field 'type'"),
    "unknown edge type": ({"edges": [edge("LIKES", "org:giz", "org:giz")]}, "field 'type'"),
    "missing endpoint": (
        {"edges": [edge("FUNDS", "org:giz", "project:none", amount=1, currency="EUR")]},
        "project:none",
    ),
    "disallowed endpoint type": ({"edges": [edge("ADDRESSES", "org:giz", "org:giz")]}, "field 'source'"),
    "missing required field": (
        {"nodes": [{"type": "Country", "id": "country:zz", "name": "Z", "sources": ["t"]}]},
        "field 'code'",
    ),
    "negative amount": (
        {
            "nodes": [node("Project", "project:n", "N")],
            "edges": [edge("FUNDS", "org:giz", "project:n", amount=-1, currency="EUR")],
        },
        "field 'amount'",
    ),
    "end before start": (
        {"nodes": [node("Project", "project:n", "N", start="2024-02-01", end="2024-01-01")]},
        "before start",
    ),
    "not ISO 4217": (
        {
            "nodes": [node("Project", "project:n", "N")],
            "edges": [edge("FUNDS", "org:giz", "project:n", amount=1, currency="EUR0")],
        },
        "field 'currency'",
    ),
    "duplicate id with another type": (
        {"nodes": [node("Organisation", "country:rs", "Serbia")]},
        "country:rs",
    ),
}


@pytest.mark.parametrize("case", list(BAD_BATCHES))
def test_bad_batch_is_refused_with_one_line_and_store_unchanged(kb, tmp_path, case):
    kb.json("seed", "--no-demo")
    before = kb.json("stats")
    doc, expected = BAD_BATCHES[case]
    result = kb("import", "json", str(write(tmp_path / "bad.json", {"nodes": [], "edges": [], **doc})))
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0]
    assert "Traceback" not in result.output
    assert kb.json("stats") == before


def test_a_file_that_is_not_json_is_refused(kb, tmp_path):
    path = tmp_path / "x.json"
    path.write_text("{nodes: oops", encoding="utf-8")
    result = kb("import", "json", str(path))
    assert result.exit_code == 1 and "not JSON" in result.stderr


def test_a_file_that_is_not_utf8_is_refused(kb, tmp_path):
    path = tmp_path / "x.json"
    path.write_bytes('{"nodes": [{"name": "Kostrešević"}]}'.encode("cp1250"))
    result = kb("import", "json", str(path))
    assert result.exit_code == 1 and "not UTF-8" in result.stderr


def test_a_missing_file_is_refused(kb, tmp_path):
    result = kb("import", "json", str(tmp_path / "nope.json"))
    assert result.exit_code == 1 and "cannot read" in result.stderr


def test_usage_error_exits_2(kb):
    assert kb("get").exit_code == 2


def test_a_foreign_sqlite_file_is_refused_and_left_untouched(tmp_path):
    import sqlite3

    from tests.cli.conftest import KB

    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE accounts (id INTEGER)")
    before = path.read_bytes()
    result = KB(path)("stats")
    assert result.exit_code == 1 and "not a knowledge-base store" in result.stderr
    assert path.read_bytes() == before


def test_a_file_that_is_not_sqlite_is_refused_and_left_untouched(tmp_path):
    from tests.cli.conftest import KB

    path = tmp_path / "notes.txt"
    path.write_text("hello", encoding="utf-8")
    result = KB(path)("stats")
    assert result.exit_code == 1 and "not a knowledge-base store" in result.stderr
    assert path.read_text(encoding="utf-8") == "hello"


def test_a_store_from_a_newer_schema_version_is_refused(kb):
    import sqlite3

    assert kb("init").exit_code == 0
    with sqlite3.connect(kb.store) as conn:
        conn.execute("PRAGMA user_version = 99")
    result = kb("stats")
    assert result.exit_code == 1 and "schema version 99" in result.stderr
