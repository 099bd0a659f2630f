"""The ``kb`` commands on a real Neo4j server answer exactly as on the embedded SQLite store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kb.cli import app
from tests.cli.conftest import KB
from tests.sheets.test_sheets import fill

pytestmark = pytest.mark.neo4j

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "iati"
#: Real IATI files (excerpts of published ones, and the standard's annotated example).
IATI = [
    str(FIXTURES / name)
    for name in (
        "activity-standard-example-annotated.xml",
        "dportal_92_excerpt.xml",
        "MAEC_IATI_INDONESIA_excerpt.xml",
        "donor_a.xml",
        "donor_b.xml",
    )
]
NEED = "need:demo-ba-bcp-equipment"


def on_each(stores: tuple[KB, ...], *args: str) -> list:
    return [kb.json(*args) for kb in stores]


def same(stores: tuple[KB, ...], *args: str):
    sqlite, neo4j = on_each(stores, *args)
    assert neo4j == sqlite, f"kb {' '.join(args)} differs between SQLite and Neo4j"
    return sqlite


def dump(kb: KB, path: Path) -> dict:
    result = kb("export", "json", str(path))
    assert result.exit_code == 0, result.output
    data = json.loads(path.read_text(encoding="utf-8"))
    return {"nodes": data["nodes"], "edges": data["edges"]}


@pytest.fixture
def seeded(both: tuple[KB, KB]) -> tuple[KB, KB]:
    for kb in both:
        result = kb("init")
        assert result.exit_code == 0, result.output
    same(both, "seed")
    return both


def test_init_and_seed_give_the_same_counts(seeded):
    stats = same(seeded, "stats")
    assert stats["nodes"]["Need"] > 0 and stats["edges"]["FUNDS"] > 0


@pytest.mark.parametrize(
    "command",
    [
        ["overlaps"],
        ["overlaps", "--pillar", "WBBSi"],
        ["gaps"],
        ["gaps", "--country", "RS"],
        ["who-funds", NEED],
        ["co-funders", "country:at"],
        ["co-funders", "Austria", "--pillar", "WBBSi", "--from", "2025-01-01"],
        ["coverage"],
        ["brokers"],
        ["search", "border"],
        ["search", "Стевандић"],
        ["get", NEED],
    ],
    ids=lambda c: " ".join(c),
)
def test_each_question_gets_the_same_answer(seeded, command):
    assert same(seeded, *command)


def test_a_map_is_drawn_the_same_from_either_store(seeded, tmp_path):
    pages = []
    for name, kb in zip(("sqlite", "neo4j"), seeded):
        out = tmp_path / f"{name}.html"
        result = kb("map", "overview", "-o", str(out))
        assert result.exit_code == 0, result.output
        pages.append(out.read_bytes())
    assert pages[0] == pages[1]


def test_iati_import_reports_and_stores_the_same(seeded, tmp_path):
    reports = on_each(seeded, "import", "iati", *IATI, "--all-countries", "--all-sectors")
    assert reports[0] == reports[1]
    assert sum(f.get("imported", 0) for f in reports[0]["files"]) > 0
    assert dump(seeded[0], tmp_path / "s.json") == dump(seeded[1], tmp_path / "n.json")
    again = on_each(seeded, "import", "iati", *IATI, "--all-countries", "--all-sectors")
    assert again[0] == again[1]


def test_sheet_import_reports_and_stores_the_same(seeded, tmp_path):
    template = tmp_path / "responses.xlsx"
    assert seeded[0]("template", "responses", "-o", str(template)).exit_code == 0
    fill(
        template,
        "Responses",
        [
            {
                "Project / action": "Joint border patrol training",
                "Partner": "Albania",
                "Pillar": "WBBSi",
                "Donor 1": "DG NEAR",
                "Amount": "1,500,000",
                "Currency": "EUR",
                "Start": "2025-01-01",
            }
        ],
    )
    report = same(seeded, "import", "sheet", str(template))
    assert report["nodes_created"] == 1
    assert dump(seeded[0], tmp_path / "s.json") == dump(seeded[1], tmp_path / "n.json")
    same(seeded, "overlaps", "--country", "AL")


def test_copy_sqlite_to_neo4j_and_back_keeps_every_record(seeded, tmp_path):
    sqlite, neo4j = seeded
    back = tmp_path / "back.sqlite"
    for source, target in ((sqlite.store, neo4j.store), (neo4j.store, back)):
        result = CliRunner().invoke(
            app, ["copy", "--from", str(source), "--to", str(target), "--json"], env=neo4j.env
        )
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["equal"] is True
    first = dump(sqlite, tmp_path / "first.json")
    assert dump(neo4j, tmp_path / "neo4j.json") == first
    assert dump(KB(back), tmp_path / "back.json") == first


def test_two_mapping_cycles_change_and_revert_the_same_on_both_stores(seeded, tmp_path):
    from tests.cli.test_history_cli import CYCLE_1, CYCLE_2, FIRST, SECOND

    for name, rows in (("first", FIRST), ("second", SECOND)):
        sheet = tmp_path / f"{name}.xlsx"
        assert seeded[0]("template", "responses", "-o", str(sheet)).exit_code == 0
        fill(sheet, "Responses", rows)
        same(seeded, "import", "sheet", str(sheet))
        if name == "first":
            first = dump(seeded[0], tmp_path / "first.json")
    changes = on_each(seeded, "changes", "--cycle", CYCLE_1, "--to-cycle", CYCLE_2)
    assert changes[0]["changes"] == changes[1]["changes"] and len(changes[0]["changes"]) == 6
    history = [[(c["record"], c["before"], c["after"]) for c in h] for h in on_each(seeded, "history", NEED)]
    assert history[0] == history[1]
    for kb in seeded:
        batch = kb.json("history", "project:al-cyber-forensics-lab")[-1]["batch"]
        kb.json("revert", str(batch))
    assert dump(seeded[0], tmp_path / "s.json") == first == dump(seeded[1], tmp_path / "n.json")
