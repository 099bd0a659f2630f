"""Mapping cycles with history: kb history, kb changes, --as-of and kb revert on the demo set."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import openpyxl
import pytest

from kb.store.sqlite import APPLICATION_ID, MIGRATIONS, STORE_VERSION, SQLiteStore
from tests.cli.conftest import KB
from tests.conftest import next_second
from tests.sheets.test_sheets import fill

CYCLE_1, CYCLE_2 = "response-mapping-2025", "response-mapping-2026"
FORENSICS = "need:demo-al-cybercrime-forensics"


def response(name, partner, pillar, donor, amount, need, cycle):
    return {
        "Project / action": name,
        "Partner": partner,
        "Pillar": pillar,
        "Donor 1": donor,
        "Amount": amount,
        "Currency": "EUR",
        "Start": "2025-01-01",
        "End": "2027-12-31",
        "Need addressed": need,
        "Response-mapping cycle": cycle,
    }


#: The first response mapping: two projects.
FIRST = [
    response(
        "Port scanners",
        "Montenegro",
        "WBCSCi",
        "Italy",
        "250000",
        "need:demo-me-port-drug-trafficking",
        CYCLE_1,
    ),
    response("Border crossing scanners", "Bosnia and Herzegovina", "WBBSi", "Austria", "400000", "", CYCLE_1),
]
#: The second: both amounts changed; two new projects of two donors answer an unaddressed need,
#: which makes a new overlap on it.
SECOND = [
    response(
        "Port scanners",
        "Montenegro",
        "WBCSCi",
        "Italy",
        "300000",
        "need:demo-me-port-drug-trafficking",
        CYCLE_2,
    ),
    response("Border crossing scanners", "Bosnia and Herzegovina", "WBBSi", "Austria", "450000", "", CYCLE_2),
    response("Cyber forensics lab", "Albania", "WBCSCi", "GIZ", "200000", FORENSICS, CYCLE_2),
    response("Cybercrime unit equipment", "Albania", "WBCSCi", "DG NEAR", "150000", FORENSICS, CYCLE_2),
]


def import_sheet(kb: KB, path: Path, rows) -> None:
    assert kb("template", "responses", "-o", str(path)).exit_code == 0
    fill(path, "Responses", rows)
    result = kb("import", "sheet", str(path), "--json")
    assert result.exit_code == 0, result.output


def dump(kb: KB):
    with SQLiteStore(kb.store) as store:
        nodes = sorted((n for c in store.iter_nodes() for n in c), key=lambda n: n["id"])
        edges = sorted(
            (e for c in store.iter_edges() for e in c), key=lambda e: json.dumps(e, sort_keys=True)
        )
    return nodes, edges


def latest_batch(kb: KB) -> tuple[int, str]:
    with SQLiteStore(kb.store) as store:
        entry = store.write_log(1)[0]
    return entry.batch, entry.at


@pytest.fixture
def cycles(tmp_path: Path):
    """The demo set, then two response mappings; what each looked like right after it."""
    kb = KB(tmp_path / "kb.sqlite")
    kb.json("seed")
    import_sheet(kb, tmp_path / "first.xlsx", FIRST)
    first = {
        "batch": latest_batch(kb),
        "overlaps": kb.json("overlaps"),
        "gaps": kb.json("gaps"),
        "dump": dump(kb),
    }
    next_second()
    import_sheet(kb, tmp_path / "second.xlsx", SECOND)
    second = {"batch": latest_batch(kb), "overlaps": kb.json("overlaps"), "gaps": kb.json("gaps")}
    return kb, first, second


def test_two_mapping_cycles_give_the_exact_change_list(cycles):
    kb, _, _ = cycles
    rows = kb.json("changes", "--cycle", CYCLE_1, "--to-cycle", CYCLE_2)["changes"]
    got = [
        (r["what"], r["change"], r["ids"], r["donor"], r["currency"], r["before"], r["after"]) for r in rows
    ]
    assert got == [
        ("answer", "answered", [FORENSICS], None, None, None, None),
        (
            "overlap",
            "appeared",
            [
                FORENSICS,
                "project:al-cyber-forensics-lab",
                "project:al-cybercrime-unit-equipment",
                "org:dg-near",
                "org:giz",
            ],
            None,
            None,
            None,
            None,
        ),
        (
            "funding",
            "changed",
            ["country:at", "project:ba-border-crossing-scanners"],
            "Austria",
            "EUR",
            "400000",
            "450000",
        ),
        (
            "funding",
            "changed",
            ["country:it", "project:me-port-scanners"],
            "Italy",
            "EUR",
            "250000",
            "300000",
        ),
        (
            "funding",
            "added",
            ["org:dg-near", "project:al-cybercrime-unit-equipment"],
            "DG NEAR Directorate-General for European Neighborhood Policy and Enlargement Negotiations",
            "EUR",
            None,
            "150000",
        ),
        (
            "funding",
            "added",
            ["org:giz", "project:al-cyber-forensics-lab"],
            "GIZ – German Agency for International Cooperation GmbH",
            "EUR",
            None,
            "200000",
        ),
    ]


def test_changes_since_the_second_import_are_its_own(cycles):
    kb, _, second = cycles
    since = kb.json("changes", "--since", second["batch"][1])
    by_cycle = kb.json("changes", "--cycle", CYCLE_1)
    assert since["changes"] == by_cycle["changes"]
    assert since["from_batch"] == cycles[1]["batch"][0] and since["to_batch"] is None


def test_overlaps_and_gaps_as_of_each_cycle_reproduce_what_they_were(cycles):
    kb, first, second = cycles
    for state in (first, second):
        at = state["batch"][1]
        assert kb.json("overlaps", "--as-of", at) == state["overlaps"]
        assert kb.json("gaps", "--as-of", at) == state["gaps"]
    assert first["overlaps"] != second["overlaps"]


def test_reverting_the_second_import_gives_back_the_first(cycles):
    kb, first, second = cycles
    done = kb.json("revert", str(second["batch"][0]))
    assert done["reverted"] == second["batch"][0] and done["nodes_deleted"] == 2
    assert dump(kb) == first["dump"]
    assert kb.json("overlaps")["overlaps"] == first["overlaps"]["overlaps"]


def test_reverting_the_first_import_is_refused_naming_the_later_batch_and_records(cycles):
    kb, first, second = cycles
    before = dump(kb)
    refused = kb("revert", str(first["batch"][0]))
    assert refused.exit_code == 1
    assert f"batch {second['batch'][0]}" in refused.stderr and "project:me-port-scanners" in refused.stderr
    assert "--force" in refused.stderr
    assert dump(kb) == before


def test_history_of_a_need_lists_the_batch_that_answered_it(cycles):
    kb, _, second = cycles
    changes = kb.json("history", FORENSICS)
    assert [(c["batch"], c["record"], c["before"]) for c in changes if c["batch"] == second["batch"][0]] == [
        (second["batch"][0], f"ADDRESSES project:al-cyber-forensics-lab -> {FORENSICS}", None),
        (second["batch"][0], f"ADDRESSES project:al-cybercrime-unit-equipment -> {FORENSICS}", None),
    ]
    table = kb("history", FORENSICS)
    assert table.exit_code == 0 and "ADDRESSES" in table.stdout and "kb revert BATCH" in table.stdout


def test_changes_are_written_as_csv_and_workbook(cycles, tmp_path):
    kb, _, _ = cycles
    out_csv, out_xlsx = tmp_path / "changes.csv", tmp_path / "changes.xlsx"
    result = kb(
        "changes", "--cycle", CYCLE_1, "--to-cycle", CYCLE_2, "--csv", str(out_csv), "--xlsx", str(out_xlsx)
    )
    assert result.exit_code == 0, result.output
    with out_csv.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert (
        len(rows) == 6
        and rows[2]["before"] == "400000"
        and "project:ba-border-crossing-scanners" in rows[2]["ids"]
    )
    sheet = openpyxl.load_workbook(out_xlsx).active
    assert any(c.value == "answered" for row in sheet.iter_rows() for c in row)


def test_changes_need_either_a_date_or_a_cycle(cycles):
    kb, _, _ = cycles
    both = kb("changes", "--since", "2025-01-01", "--cycle", CYCLE_1)
    assert both.exit_code == 1 and "either" in both.stderr
    unknown = kb("changes", "--cycle", "needs-mapping-9")
    assert unknown.exit_code == 1 and "needs-mapping-9" in unknown.stderr


def test_a_bad_as_of_date_is_one_clear_error(cycles):
    kb, _, _ = cycles
    result = kb("overlaps", "--as-of", "last year")
    assert result.exit_code == 1 and "not a date" in result.stderr


def _store_of_version_1(path: Path) -> None:
    """A store file as the code before the history made it (schema version 1)."""
    with sqlite3.connect(path) as conn:
        conn.executescript(MIGRATIONS[0])
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("PRAGMA user_version = 1")
        conn.execute(
            "INSERT INTO nodes(id, type, record) VALUES ('country:rs', 'Country', "
            '\'{"id":"country:rs","name":"Serbia","type":"Country"}\')'
        )


def test_kb_init_brings_an_old_store_to_the_history_version(tmp_path):
    path = tmp_path / "old.sqlite"
    _store_of_version_1(path)
    kb = KB(path)
    assert kb("init").exit_code == 0
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == STORE_VERSION
        assert conn.execute("SELECT count(*) FROM changes").fetchone()[0] == 0
    assert kb.json("get", "country:rs")["name"] == "Serbia"
    kb.json("seed")
    assert kb.json("history", "country:rs")[0]["before"] == {
        "id": "country:rs",
        "name": "Serbia",
        "type": "Country",
    }


def test_an_old_store_read_without_write_access_reads_without_history(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "old.sqlite"
    _store_of_version_1(path)
    path.chmod(0o444)
    folder.chmod(0o555)
    try:
        kb = KB(path)
        assert kb.json("get", "country:rs")["name"] == "Serbia"
        assert kb.json("history", "country:rs") == []
    finally:
        folder.chmod(0o755)
        path.chmod(0o644)


def test_the_log_lists_each_import_as_a_numbered_batch(cycles):
    kb, first, second = cycles
    entries = kb.json("log", "--limit", "2")
    assert [e["batch"] for e in entries] == [second["batch"][0], first["batch"][0]]
    shown = kb("log")
    assert shown.exit_code == 0 and "kb revert BATCH" in shown.stdout
