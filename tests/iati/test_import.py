"""The import into a store: records, rules of the issue, idempotence, all-or-nothing files."""

from __future__ import annotations

import pytest

from kb.errors import ImportFormatError
from kb.importers.iati import IatiImport, Options, collect_files, run_import
from tests.iati.conftest import BAD, FIXTURES, edges_of, fixture, run, snapshot

DPORTAL_SECURITY = {
    "project:XI-IATI-EC_NEAR-2016/39801/5",
    "project:XI-IATI-EC_NEAR-2017/40524/3",
    "project:XI-IATI-EC_NEAR-2017/40524/4",
}


def funds(store, project: str) -> dict[tuple[str, str], dict]:
    return {(e["source"], e.get("key", "")): e for e in edges_of(store, project, "FUNDS")}


# -- the shared files ---------------------------------------------------------------------------
def test_real_dg_near_file_gives_the_western_balkans_security_projects(seeded):
    report = run(seeded, "dportal_92_excerpt.xml")
    projects = {n["id"] for n in seeded.nodes(type="Project")}
    assert DPORTAL_SECURITY <= projects
    assert report.to_json()["skipped"] == {"no_usable_recipient": 1, "other_countries": 1, "other_sectors": 1}


def test_real_dg_near_project_has_funder_amounts_country_pillar_and_sources(seeded):
    run(seeded, "dportal_92_excerpt.xml")
    pid = "project:XI-IATI-EC_NEAR-2017/40524/3"
    project = seeded.get(pid)
    assert project["name"] == "EU support to home affairs to combat illegal acts"
    assert project["iati_identifier"] == "XI-IATI-EC_NEAR-2017/40524/3" and project["sectors"] == ["15113"]
    assert project["sources"] == ["dportal_92_excerpt.xml#XI-IATI-EC_NEAR-2017/40524/3"]
    commitment = funds(seeded, pid)[("org:dg-near", "commitment:EUR")]
    assert (commitment["amount"], commitment["currency"], commitment["kind"]) == (
        13500000.0,
        "EUR",
        "commitment",
    )
    [target] = edges_of(seeded, pid, "TARGETS")
    assert target["target"] == "country:ba" and target["percentage"] == 100
    [pillar] = edges_of(seeded, pid, "IN_PILLAR")
    assert pillar["target"] == "pillar:wbcsci" and "15113 Anti-corruption" in pillar["reason"]
    assert all(
        e["sources"] == [f"dportal_92_excerpt.xml#{project['iati_identifier']}"] for e in seeded.edges_of(pid)
    )


def test_seed_organisations_are_used_and_never_rewritten(seeded):
    before = seeded.get("org:dg-near")
    run(seeded, "dportal_92_excerpt.xml")
    assert seeded.get("org:dg-near") == before
    assert "org:xi-iati-ec-near" not in {n["id"] for n in seeded.nodes(type="Organisation")}


def test_every_shared_file_imports_with_filters_lifted(store):
    names = [
        "dportal_92_excerpt.xml",
        "MAEC_IATI_INDONESIA_excerpt.xml",
        "missing_dates_excerpt.xml",
        "same_orgs_different_roles_excerpt.xml",
        "activity-standard-example-annotated.xml",
    ]
    report = run(store, *names, countries=None, all_sectors=True).to_json()
    assert report["imported"] == report["activities_read"] == 16
    assert report["failed"] == [] and report["versions"] == {"1.0": 3, "1.00": 3, "2.01": 2, "2.03": 8}


def test_generic_participants_are_left_out_not_merged(store):
    report = run(store, "dportal_92_excerpt.xml").to_json()
    assert "Recipient Government" in report["organisations"]["generic_left_out"]
    assert not any(n["name"] == "Recipient Government" for n in store.nodes(type="Organisation"))


# -- roles --------------------------------------------------------------------------------------
def test_2x_roles_become_funds_and_implements_edges(seeded):
    run(seeded, "roles_2x.xml")
    pid = "project:GB-GOV-1-TEST-ROLES-2X"
    implements = {(e["source"], e["role"]) for e in edges_of(seeded, pid, "IMPLEMENTS")}
    assert implements == {
        ("org:iom", "accountable"),
        ("org:fcdo", "extending"),
        ("org:unodc", "implementing"),
        ("inst:rs-moi", "implementing"),
    }
    assert set(funds(seeded, pid)) == {("org:fcdo", "commitment:GBP")}


def test_1x_role_words_give_the_same_edges(seeded):
    run(seeded, "roles_1x.xml")
    pid = "project:XM-TEST-ROLES-1X"
    implements = {(e["source"], e["role"]) for e in edges_of(seeded, pid, "IMPLEMENTS")}
    assert implements == {
        ("org:de-test-1", "accountable"),
        ("org:de-test-1", "extending"),
        ("org:osce", "implementing"),
    }
    assert {k: e["amount"] for k, e in funds(seeded, pid).items()} == {
        ("org:de-test-1", "commitment:EUR"): 500000.0,
        ("org:de-test-1", "disbursement:EUR"): 200000.0,
    }  # the expenditure (E) is not funding


def test_a_funder_without_amounts_gets_a_funds_edge_without_amount(seeded):
    run(seeded, "multi_currency.xml")
    edge = funds(seeded, "project:XM-TEST-MONEY")
    assert ("org:usaid", "commitment:USD") in edge  # USAID is provider of one transaction
    run(seeded, "donor_a.xml")
    fcdo = funds(seeded, "project:DE-TEST-1-A")[("org:fcdo", "")]
    assert "amount" not in fcdo


def test_a_state_named_as_funder_is_its_country_node(store):
    run(store, "same_orgs_different_roles_excerpt.xml", countries=None, all_sectors=True)
    sida = next(p["id"] for p in store.nodes(type="Project"))
    assert ("country:se", "") in funds(store, sida)
    assert store.get("country:se")["name"] == "Sweden"


# -- countries, dates, money --------------------------------------------------------------------
def test_recipients_given_only_on_transactions_are_targeted(seeded):
    report = run(seeded, "transaction_countries.xml")
    targets = {e["target"]: e for e in edges_of(seeded, "project:XM-TEST-TX-COUNTRIES", "TARGETS")}
    assert set(targets) == {"country:xk", "country:al"} and "percentage" not in targets["country:xk"]
    assert report.to_json()["imported"] == 1


def test_activity_level_percentages_are_kept(seeded):
    run(seeded, "roles_2x.xml")
    shares = {
        e["target"]: e["percentage"] for e in edges_of(seeded, "project:GB-GOV-1-TEST-ROLES-2X", "TARGETS")
    }
    assert shares == {"country:rs": 60, "country:ba": 40}


def test_planned_only_dates_are_used_and_marked(seeded):
    run(seeded, "planned_only.xml")
    project = seeded.get("project:XM-TEST-PLANNED")
    assert (project["start"], project["end"], project["dates_planned"]) == ("2024-01-01", "2026-12-31", True)
    assert project["status"] == "pipeline"


def test_actual_dates_are_preferred_over_planned_ones(seeded):
    run(seeded, "roles_2x.xml")
    project = seeded.get("project:GB-GOV-1-TEST-ROLES-2X")
    assert project["start"] == "2021-01-01"  # actual, not the planned 2020-06-01
    assert project["dates_planned"] is True  # the end is planned


def test_real_file_with_only_planned_dates_is_marked(store):
    run(store, "missing_dates_excerpt.xml", countries=None, all_sectors=True)
    assert all(p["dates_planned"] for p in store.nodes(type="Project"))


def test_amounts_stay_in_their_currencies_and_are_never_added_across(seeded):
    run(seeded, "multi_currency.xml")
    found = {k: (e["amount"], e["currency"]) for k, e in funds(seeded, "project:XM-TEST-MONEY").items()}
    assert found == {
        ("org:xm-test-reporter", "budget:EUR"): (120.0, "EUR"),  # the revised budget replaces the original
        ("org:xm-test-reporter", "budget:USD"): (50.0, "USD"),
        ("org:xm-test-reporter", "commitment:EUR"): (800.0, "EUR"),  # a decommitment subtracts
        ("org:xm-test-reporter", "disbursement:EUR"): (0.0, "EUR"),  # -5e-10 is zero
        ("org:usaid", "commitment:USD"): (300.0, "USD"),  # by provider organisation
    }


def test_amount_periods_cover_their_budgets_and_transactions(seeded):
    run(seeded, "multi_currency.xml")
    commitment = funds(seeded, "project:XM-TEST-MONEY")[("org:xm-test-reporter", "commitment:EUR")]
    assert (commitment["start"], commitment["end"]) == ("2022-01-10", "2022-11-10")


def test_titles_in_other_languages_become_aliases_and_descriptions_keep_every_language(store):
    run(store, "activity-standard-example-annotated.xml", countries=None, all_sectors=True)
    project = store.get("project:AA-AAA-123456789-ABC123")
    assert project["name"] == "Activity title"
    assert project["aliases"] == ["Titre de l'activité", "Título de la actividad"]
    assert project["description"].startswith("General activity description text.")
    assert "[fr] Activité générale" in project["description"] and "Objectives: " in project["description"]


# -- pillars and filters ------------------------------------------------------------------------
def test_keywords_assign_pillars_and_15210_without_them_is_for_review(seeded):
    report = run(seeded, "keywords.xml").to_json()
    assert report["skipped"] == {"other_sectors": 1}  # the cross-border tourism programme
    review = {e["target"]: e["review"] for e in edges_of(seeded, "project:XM-TEST-SSR-REVIEW", "IN_PILLAR")}
    assert review == {"pillar:wbcti": True, "pillar:wbcsci": True, "pillar:wbbsi": True}
    [sr] = edges_of(seeded, "project:XM-TEST-KW-SR", "IN_PILLAR")
    assert sr["target"] == "pillar:wbbsi" and sr["review"] is True and "(sr, title)" in sr["reason"]


def test_country_filter_can_be_narrowed_or_lifted(seeded):
    assert run(seeded, "roles_2x.xml", countries=frozenset({"AL"}), write=False).to_json()["skipped"] == {
        "other_countries": 1
    }
    assert (
        run(seeded, "missing_dates_excerpt.xml", countries=None, all_sectors=True, write=False).to_json()[
            "imported"
        ]
        == 3
    )


def test_sector_filter_can_be_lifted(seeded):
    report = run(seeded, "dportal_92_excerpt.xml", all_sectors=True).to_json()
    assert report["imported"] == 5 and "other_sectors" not in report["skipped"]


# -- one organisation, one node -----------------------------------------------------------------
def test_the_same_donor_across_files_is_one_node(seeded):
    run(seeded, "donor_a.xml", "donor_b.xml", "roles_1x.xml", "roles_2x.xml")
    donors = [n for n in seeded.nodes(type="Organisation") if n.get("iati_ref") == "DE-TEST-1"]
    assert [d["id"] for d in donors] == ["org:de-test-1"]
    assert not any("example-donor" in n["id"] for n in seeded.nodes(type="Organisation"))
    fcdo = [
        n["id"]
        for n in seeded.nodes(type="Organisation")
        if "fcdo" in n["id"] or "GB-GOV-1" == n.get("iati_ref")
    ]
    assert fcdo == ["org:fcdo"]
    assert ("org:giz", "implementing") in {
        (e["source"], e["role"]) for e in edges_of(seeded, "project:DE-TEST-1-B", "IMPLEMENTS")
    }


def test_the_same_donor_across_separate_runs_is_one_node(seeded):
    run(seeded, "donor_a.xml")
    run(seeded, "donor_b.xml")
    assert [n["id"] for n in seeded.nodes(type="Organisation") if n.get("iati_ref") == "DE-TEST-1"] == [
        "org:de-test-1"
    ]


def test_the_report_says_how_each_organisation_was_matched(seeded):
    report = run(seeded, "donor_a.xml", "donor_b.xml").to_json()["organisations"]
    how = {(m["id"], m["how"]) for m in report["matched"]}
    assert {
        ("org:fcdo", "alias"),
        ("org:giz", "name"),
        ("org:giz", "acronym"),
        ("org:de-test-1", "iati_ref"),
        ("org:de-test-1", "name"),
    } <= how
    assert [o["id"] for o in report["new"]] == ["org:de-test-1", "org:fcdo"]


def test_alias_nodes_missing_from_the_store_are_created_with_their_parent(store):
    run(store, "dportal_92_excerpt.xml")
    assert store.get("org:dg-near")["iati_ref"] == "XI-IATI-EC_NEAR"
    assert [e["target"] for e in edges_of(store, "org:dg-near", "PART_OF")] == ["org:eu"]
    assert {p["id"] for p in store.nodes(type="Pillar")} == {"pillar:wbcsci", "pillar:wbbsi"}  # those used


# -- duplicates ---------------------------------------------------------------------------------
def test_a_duplicate_in_one_file_keeps_the_newest(seeded):
    report = run(seeded, "duplicates.xml").to_json()
    assert seeded.get("project:XM-TEST-DUP")["name"] == "New title"
    assert seeded.get("project:XM-TEST-DUP-TIE")["name"] == "First of a tie"
    assert report["skipped"] == {"duplicate": 2} and len(report["duplicates"]) == 2


def test_a_duplicate_across_files_keeps_the_newest(seeded):
    report = run(seeded, "duplicates.xml", "duplicates_older.xml", "duplicates_newer.xml").to_json()
    assert seeded.get("project:XM-TEST-DUP")["name"] == "Newest title"
    assert seeded.get("project:XM-TEST-DUP")["sources"] == ["duplicates_newer.xml#XM-TEST-DUP"]
    dropped = {d["dropped"] for d in report["duplicates"] if d["iati_identifier"] == "XM-TEST-DUP"}
    assert dropped == {"duplicates.xml#XM-TEST-DUP", "duplicates_older.xml#XM-TEST-DUP"}


# -- errors, strict, all-or-nothing -------------------------------------------------------------
def test_activities_with_data_errors_are_skipped_with_their_reason(seeded):
    report = run(seeded, "errors.xml").to_json()
    assert report["imported"] == 1 and report["skipped"] == {
        "inconsistent_dates": 1,
        "missing_code": 2,
        "no_identifier": 1,
        "unknown_code": 1,
        "unparseable_date": 1,
        "unparseable_value": 1,
    }


def test_strict_rejects_a_file_with_data_errors_and_writes_none_of_it(seeded):
    before = snapshot(seeded)
    report = run(seeded, "errors.xml", "planned_only.xml", strict=True)
    assert [f.status for f in report.files] == ["rejected", "imported"]
    assert "--strict" in report.files[0].error
    assert "project:XM-TEST-OK" not in {n["id"] for n in seeded.nodes(type="Project")}
    projects_before = [n for n in before[0] if n["type"] == "Project"]
    assert [n["id"] for n in seeded.nodes(type="Project")] == [*projects_before, "project:XM-TEST-PLANNED"]


def test_strict_accepts_a_file_whose_skips_are_only_filters(seeded):
    report = run(seeded, "dportal_92_excerpt.xml", strict=True)
    assert report.files[0].status == "imported"


def test_a_bad_file_in_a_directory_does_not_stop_the_others(seeded, tmp_path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    for name in ("planned_only.xml", "roles_2x.xml"):
        (folder / name).write_bytes(fixture(name).read_bytes())
    (folder / "sub" / "bomb.xml").write_bytes((BAD / "billion_laughs.xml").read_bytes())
    (folder / "notes.txt").write_text("not read: not *.xml")
    report = run_import(seeded, [folder]).to_json()
    assert [f["status"] for f in report["files"]] == ["imported", "imported", "failed"]
    assert report["failed"][0]["file"].endswith("bomb.xml")
    assert {"project:XM-TEST-PLANNED", "project:GB-GOV-1-TEST-ROLES-2X"} <= {
        n["id"] for n in seeded.nodes(type="Project")
    }


def test_a_truncated_file_writes_nothing_even_after_good_activities(seeded):
    before = snapshot(seeded)
    report = run_import(seeded, [BAD / "truncated.xml"])
    assert report.files[0].status == "failed" and snapshot(seeded) == before


def test_collect_files_refuses_a_missing_path_before_reading_anything(tmp_path):
    with pytest.raises(ImportFormatError, match="no such file or directory"):
        collect_files([fixture("roles_2x.xml"), tmp_path / "missing"])


def test_collect_files_reads_directories_recursively_in_order():
    files, problems = collect_files([FIXTURES])
    assert problems == [] and files == sorted(files)
    assert BAD / "billion_laughs.xml" in files and fixture("roles_2x.xml") in files


# -- idempotence and validation -----------------------------------------------------------------
def test_importing_the_same_files_twice_changes_nothing(seeded):
    names = [
        "dportal_92_excerpt.xml",
        "roles_1x.xml",
        "roles_2x.xml",
        "multi_currency.xml",
        "donor_a.xml",
        "donor_b.xml",
        "keywords.xml",
        "duplicates.xml",
        "transaction_countries.xml",
    ]
    run(seeded, *names)
    before, log = snapshot(seeded), seeded.write_log()
    second = run(seeded, *names).to_json()
    assert second["store"]["nodes_created"] == second["store"]["nodes_updated"] == 0
    assert second["store"]["edges_created"] == second["store"]["edges_updated"] == 0
    assert snapshot(seeded) == before and seeded.write_log() == log


SETTLE = ("settle/1_name_only_provider.xml", "settle/2_same_name_other_ref.xml")


def test_the_first_import_is_already_the_steady_state(store):
    """Two agencies share a name; a provider is named only by it. Mapped in file order, the first
    import gave the provider to the first agency and every import after made a new node for it."""
    first = run(store, *SETTLE).to_json()
    after_one = snapshot(store)
    second = run(store, *SETTLE).to_json()
    assert snapshot(store) == after_one
    assert not any(second["store"][k] for k in ("nodes_created", "edges_created", "edges_deleted"))
    funders = {e["source"] for e in edges_of(store, "project:XM-TEST-SETTLE-C", "FUNDS")}
    assert funders == {"org:example-border-agency"}
    assert {o["id"] for o in first["organisations"]["new"]} == {
        "org:xm-test-ba1",
        "org:xm-test-ba2",
        "org:example-border-agency",
    }


def test_the_order_of_the_files_does_not_change_what_is_imported(tmp_path):
    from kb.records import edge_identity
    from kb.store.sqlite import SQLiteStore

    stores = []
    for order in (SETTLE, SETTLE[::-1]):
        store = SQLiteStore(tmp_path / f"{len(stores)}.sqlite")
        run(store, *order)
        nodes, edges = snapshot(store)
        stores.append(([n["id"] for n in nodes], [(*edge_identity(e), e.get("amount")) for e in edges]))
        store.close()
    assert (
        stores[0] == stores[1]
    )  # the same nodes and edges; only which file a node was first seen in differs


def test_an_activity_imported_again_loses_what_it_no_longer_states(store, tmp_path):
    original = fixture("settle/1_name_only_provider.xml").read_text(encoding="utf-8")
    path = tmp_path / "activity.xml"
    path.write_text(original, encoding="utf-8")
    run_import(store, [path])
    path.write_text(
        original.replace(
            '<value value-date="2022-02-01">1000', '<value value-date="2022-02-01" currency="USD">2500'
        ),
        encoding="utf-8",
    )
    again = run_import(store, [path]).to_json()
    funds = [(e["key"], e.get("amount")) for e in edges_of(store, "project:XM-TEST-SETTLE-C", "FUNDS")]
    assert funds == [("commitment:USD", 2500.0)] and again["store"]["edges_deleted"] == 1


def test_edges_stated_by_another_source_stay_when_an_activity_is_imported_again(store):
    from kb.records import parse_batch

    run(store, *SETTLE)
    store.upsert(
        parse_batch(
            {
                "nodes": [],
                "edges": [
                    {
                        "type": "FUNDS",
                        "source": "org:xm-test-ba2",
                        "target": "project:XM-TEST-SETTLE-C",
                        "sources": ["sheet!4"],
                    }
                ],
            }
        )
    )
    run(store, *SETTLE)
    assert "org:xm-test-ba2" in {e["source"] for e in edges_of(store, "project:XM-TEST-SETTLE-C", "FUNDS")}


def test_reimport_with_filters_lifted_is_idempotent_too(store):
    run(
        store,
        "same_orgs_different_roles_excerpt.xml",
        "MAEC_IATI_INDONESIA_excerpt.xml",
        countries=None,
        all_sectors=True,
    )
    before = snapshot(store)
    run(
        store,
        "same_orgs_different_roles_excerpt.xml",
        "MAEC_IATI_INDONESIA_excerpt.xml",
        countries=None,
        all_sectors=True,
    )
    assert snapshot(store) == before


def test_validate_reports_the_same_without_writing(seeded):
    before = snapshot(seeded)
    checked = run(seeded, "errors.xml", "roles_2x.xml", write=False).to_json(details=True)
    assert snapshot(seeded) == before
    assert checked["mode"] == "validate" and checked["imported"] == 2
    listed = {a["iati_identifier"]: a["reason"] for a in checked["files"][0]["skipped_activities"]}
    assert listed["XM-TEST-ERR-DATE"] == "unparseable_date"
    imported = run(seeded, "errors.xml", "roles_2x.xml").to_json()
    assert (imported["imported"], imported["skipped"]) == (checked["imported"], checked["skipped"])


def test_validate_without_a_store_still_checks():
    report = IatiImport(None, Options()).run([fixture("planned_only.xml")]).to_json()
    assert report["imported"] == 1 and "store" not in report


def test_progress_is_reported_in_bytes_across_files(seeded):
    seen: list[int] = []
    files = [fixture("roles_2x.xml"), fixture("dportal_92_excerpt.xml")]
    IatiImport(seeded, Options(), on_progress=seen.append).run(files)
    assert seen == sorted(seen) and seen[-1] == sum(p.stat().st_size for p in files)


def test_windows_1252_punctuation_misread_as_control_characters_is_repaired(store, tmp_path):
    text = fixture("settle/2_same_name_other_ref.xml").read_text(encoding="utf-8")
    path = tmp_path / "mojibake.xml"
    path.write_text(
        text.replace("Border police equipment B", "Children\x92s rights \x96 phase II"), encoding="utf-8"
    )
    report = run_import(store, [path]).to_json()
    assert report["imported"] == 1
    assert store.get("project:XM-TEST-SETTLE-B")["name"] == "Children’s rights – phase II"


def test_an_activity_whose_status_contradicts_its_dates_is_listed_to_review(seeded):
    review = {r["id"]: r for r in run(seeded, "dportal_92_excerpt.xml").to_json()["review"]}
    housing = review["project:XI-IATI-EC_NEAR-2018/397-305"]
    assert any("status implementation but its end" in why and "has passed" in why for why in housing["why"])


def test_a_parent_and_its_child_both_funded_are_flagged_as_possible_double_counting(store):
    review = {r["id"]: r["why"] for r in run(store, "hierarchy.xml").to_json()["review"]}
    why = "parent XM-TEST-H-1 and child XM-TEST-H-1-A both state funding: the same money may be counted twice"
    assert why in review["project:XM-TEST-H-1"] and why in review["project:XM-TEST-H-1-A"]


def test_a_dry_run_names_the_gaps_the_import_would_close_and_writes_nothing(tmp_path):
    from kb.seeding import load_seeds
    from kb.store.sqlite import SQLiteStore

    with SQLiteStore(tmp_path / "kb.sqlite") as store:
        store.upsert(load_seeds(demo=True))
        before = snapshot(store)
        dry = run(store, "dportal_92_excerpt.xml", write=False).to_json()
        assert snapshot(store) == before
        closed = {(g["kind"], g["gap"]) for g in dry["gaps_closed"]}
        assert ("empty_cell", "Serbia / WBBSi") in closed
        assert run(store, "dportal_92_excerpt.xml").to_json()["gaps_closed"] == dry["gaps_closed"]
