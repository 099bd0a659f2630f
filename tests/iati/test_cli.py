"""``kb import iati`` and ``kb validate iati`` as a user runs them: exit codes, stderr, store state."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kb.cli import app
from kb.records import parse_batch
from kb.store.sqlite import SQLiteStore
from tests.iati.conftest import BAD, SEED, fixture, snapshot

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "kb.sqlite"
    with SQLiteStore(path) as store:
        store.upsert(parse_batch(SEED), action="test seed")
    return path


def kb(db: Path, *args: str):
    return runner.invoke(app, ["--store", str(db), *args])


def state(db: Path):
    with SQLiteStore(db) as store:
        return snapshot(store), store.write_log()


def test_import_json_summary_has_the_promised_keys(db):
    result = kb(db, "import", "iati", str(fixture("dportal_92_excerpt.xml")), "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert {"files", "activities_read", "imported", "skipped", "organisations", "edges"} <= set(summary)
    assert set(summary["organisations"]) >= {"new", "matched"}
    assert (summary["activities_read"], summary["imported"]) == (7, 4)
    assert summary["skipped"] == {"no_usable_recipient": 1, "other_countries": 1, "other_sectors": 1}
    assert (
        summary["edges"]["IN_PILLAR"] == 4
        and summary["projects_to_review"] == len(summary["review"]) == 4
        and sum(any(w.startswith("pillar") for w in r["why"]) for r in summary["review"]) == 1
        and summary["countries"]["RS"]["name"] == "Serbia"
    )
    assert summary["sectors"]["15113"]["name"] == "Anti-corruption organisations and institutions"


def test_import_prints_a_summary_table_with_names(db):
    result = kb(db, "import", "iati", str(fixture("transaction_countries.xml")))
    assert result.exit_code == 0, result.output
    assert "IATI: imported" in result.stdout and "Kosovo*" in result.stdout
    assert "This designation is without prejudice" in result.stdout
    assert "Anti-corruption organisations and institutions" in result.stdout


def test_importing_twice_changes_nothing(db):
    first = kb(
        db, "import", "iati", str(fixture("roles_2x.xml")), str(fixture("multi_currency.xml")), "--json"
    )
    assert first.exit_code == 0
    before = state(db)
    second = json.loads(
        kb(
            db, "import", "iati", str(fixture("roles_2x.xml")), str(fixture("multi_currency.xml")), "--json"
        ).stdout
    )
    assert second["store"]["nodes_created"] == second["store"]["edges_created"] == 0
    assert second["store"]["nodes_updated"] == second["store"]["edges_updated"] == 0
    assert state(db) == before


def test_countries_option_selects_recipients(db):
    summary = json.loads(
        kb(db, "import", "iati", str(fixture("roles_2x.xml")), "--countries", "AL,XK", "--json").stdout
    )
    assert summary["imported"] == 0 and summary["skipped"] == {"other_countries": 1}


def test_all_countries_and_all_sectors_lift_the_filters(db):
    summary = json.loads(
        kb(
            db,
            "import",
            "iati",
            str(fixture("missing_dates_excerpt.xml")),
            "--all-countries",
            "--all-sectors",
            "--json",
        ).stdout
    )
    assert summary["imported"] == 3


@pytest.mark.parametrize("args", [["--countries", "XX"], ["--countries", "AL", "--all-countries"]])
def test_bad_options_give_one_error_line_and_exit_1(db, args):
    before = state(db)
    result = kb(db, "import", "iati", str(fixture("roles_2x.xml")), *args)
    assert result.exit_code == 1 and result.stderr.startswith("error: Invalid input:")
    assert state(db) == before


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("billion_laughs.xml", "entity"),
        ("external_entity.xml", "declares a DTD"),
        ("external_dtd.xml", "declares a DTD"),
        ("truncated.xml", "truncated"),
        ("not_xml.xml", "not XML"),
        ("empty.xml", "not XML"),
        ("not_iati.xml", "not IATI activity XML"),
        ("organisation_file.xml", "IATI organisation file"),
    ],
)
def test_bad_file_gives_one_clear_line_exit_1_and_an_unchanged_store(db, name, words):
    before = state(db)
    result = kb(db, "import", "iati", str(BAD / name))
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: Unreadable input file: ") and words in lines[0]
    assert "Traceback" not in result.output
    assert state(db) == before


def test_nonexistent_path_gives_one_clear_line_and_writes_nothing(db, tmp_path):
    before = state(db)
    result = kb(db, "import", "iati", str(fixture("roles_2x.xml")), str(tmp_path / "nowhere"))
    assert result.exit_code == 1
    assert (
        result.stderr.strip()
        == f"error: Unreadable input file: {tmp_path / 'nowhere'}: no such file or directory"
    )
    assert state(db) == before


@pytest.mark.skipif(
    os.name != "posix" or os.geteuid() == 0,
    reason="root reads any directory whatever its mode, so chmod 000 proves nothing",
)
def test_unreadable_directory_gives_one_clear_line(db, tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    (folder / "a.xml").write_bytes(fixture("roles_2x.xml").read_bytes())
    folder.chmod(0)
    try:
        before = state(db)
        result = kb(db, "import", "iati", str(folder))
        assert result.exit_code == 1
        assert result.stderr.strip().startswith(
            "error: Unreadable input file:"
        ) and "cannot read directory" in (result.stderr)
        assert state(db) == before
    finally:
        folder.chmod(0o755)


@pytest.mark.skipif(
    os.name != "posix" or os.geteuid() == 0,
    reason="root reads any directory whatever its mode, so chmod 000 proves nothing",
)
def test_unreadable_subdirectory_is_listed_and_the_rest_imported(db, tmp_path):
    folder = tmp_path / "in"
    (folder / "locked").mkdir(parents=True)
    (folder / "ok.xml").write_bytes(fixture("roles_2x.xml").read_bytes())
    (folder / "locked").chmod(0)
    try:
        result = kb(db, "import", "iati", str(folder), "--json")
        assert result.exit_code == 1
        summary = json.loads(result.stdout)
        assert summary["imported"] == 1 and summary["failed"][0]["file"].endswith("locked")
    finally:
        (folder / "locked").chmod(0o755)


def test_directory_that_cannot_be_listed_is_refused_even_as_root(db, tmp_path, monkeypatch):
    folder = tmp_path / "locked"
    folder.mkdir()

    def denied(path):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("kb.importers.iati.importer.os.listdir", denied)
    before = state(db)
    result = kb(db, "import", "iati", str(folder))
    assert result.exit_code == 1
    assert (
        result.stderr.strip()
        == f"error: Unreadable input file: {folder}: cannot read directory: Permission denied"
    )
    assert state(db) == before


def test_a_bad_file_in_a_directory_is_listed_and_the_others_imported(db, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("planned_only.xml", "roles_1x.xml"):
        (folder / name).write_bytes(fixture(name).read_bytes())
    (folder / "broken.xml").write_bytes((BAD / "truncated.xml").read_bytes())
    result = kb(db, "import", "iati", str(folder), "--json")
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    assert summary["imported"] == 2 and [f["file"] for f in summary["failed"]] == [str(folder / "broken.xml")]
    assert result.stderr.count("error: ") == 1 and "broken.xml" in result.stderr


def test_strict_rejects_the_file_and_says_why(db):
    before = state(db)
    result = kb(db, "import", "iati", str(fixture("errors.xml")), "--strict")
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("error: Invalid data: --strict: ")
    assert "1 unparseable date" in result.stderr
    assert state(db) == before


def test_without_strict_the_valid_activities_of_the_same_file_are_imported(db):
    result = kb(db, "import", "iati", str(fixture("errors.xml")), "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["imported"] == 1


def test_validate_lists_what_would_be_skipped_and_writes_nothing(db):
    before = state(db)
    result = kb(db, "validate", "iati", str(fixture("errors.xml")), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["mode"] == "validate" and report["imported"] == 1 and "store" not in report
    reasons = {a["iati_identifier"]: a["reason"] for a in report["files"][0]["skipped_activities"]}
    assert reasons["XM-TEST-ERR-VALUE"] == "unparseable_value"
    assert state(db) == before


def test_validate_table_shows_the_skipped_activities(db):
    result = kb(db, "validate", "iati", str(fixture("errors.xml")))
    assert result.exit_code == 0
    assert "would import" in result.stdout and "XM-TEST-ERR-DATE" in result.stdout


def test_validate_with_strict_fails_where_import_would_reject(db):
    result = kb(db, "validate", "iati", str(fixture("errors.xml")), "--strict")
    assert result.exit_code == 1 and "--strict" in result.stderr


def test_validate_does_not_create_a_store(tmp_path):
    missing = tmp_path / "none.sqlite"
    result = runner.invoke(app, ["--store", str(missing), "validate", "iati", str(fixture("roles_2x.xml"))])
    assert result.exit_code == 0, result.output
    assert not missing.exists()


def test_validate_bad_file_exits_1(db):
    result = kb(db, "validate", "iati", str(BAD / "not_iati.xml"))
    assert result.exit_code == 1 and "not IATI activity XML" in result.stderr


def test_pillar_rules_option_uses_another_rule_file(db, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "pillars:\n  wbbsi: {id: 'pillar:wbbsi', code: WBBSi, number: 3, name: Border}\n"
        "sectors:\n  '15130': {pillars: [wbbsi]}\n",
        encoding="utf-8",
    )
    summary = json.loads(
        kb(
            db, "import", "iati", str(fixture("planned_only.xml")), "--pillar-rules", str(rules), "--json"
        ).stdout
    )
    assert summary["pillars"] == {"pillar:wbbsi": 1}


def test_json_names_kosovo_with_the_asterisk_and_the_footnote(db):
    summary = json.loads(kb(db, "import", "iati", str(fixture("transaction_countries.xml")), "--json").stdout)
    assert summary["countries"]["XK"]["name"] == "Kosovo*"
    assert summary["footnote"].startswith("* This designation is without prejudice")


def test_a_progress_bar_goes_to_stderr_for_large_inputs_on_a_terminal(db, monkeypatch):
    import io

    from rich.console import Console

    drawn = io.StringIO()
    monkeypatch.setattr("kb.cli.iati.PROGRESS_MIN_FILES", 1)
    # The command imports rich when it runs (kb's start-up stays light), so rich's own name is patched.
    monkeypatch.setattr(
        "rich.console.Console", lambda stderr: Console(file=drawn, force_terminal=True, width=100)
    )
    result = kb(db, "import", "iati", str(fixture("dportal_92_excerpt.xml")), "--json")
    assert result.exit_code == 0
    assert "IATI" in drawn.getvalue()
    json.loads(result.stdout)  # stdout stays pure JSON
