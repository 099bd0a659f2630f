"""Pillar assignment: a rule file (data), sectors first, then keywords in several languages."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from kb.errors import ImportFormatError
from kb.importers.iati.pillars import DEFAULT_RULES, PillarRules, fold_text
from kb.text import fold


@pytest.fixture(scope="module")
def rules() -> PillarRules:
    return PillarRules.load()


def pillars(assignments) -> dict[str, bool]:
    return {a.pillar: a.review for a in assignments}


@pytest.mark.parametrize(
    ("sector", "pillar"),
    [
        ("15130", "pillar:wbcsci"),
        ("15113", "pillar:wbcsci"),
        ("16063", "pillar:wbcsci"),
        ("15240", "pillar:wbcsci"),
        ("15190", "pillar:wbbsi"),
    ],
)
def test_security_sectors_assign_their_pillar_with_the_reason(rules, sector, pillar):
    [assignment] = rules.assign([(sector, 100.0)], [])
    assert assignment.pillar == pillar and not assignment.review
    assert assignment.reason.startswith(f"sector {sector} ") and "(100%)" in assignment.reason


def test_sector_names_come_from_the_codelist(rules):
    [assignment] = rules.assign([("15130", None)], [])
    assert assignment.reason == "sector 15130 Legal and judicial development"


def test_15210_without_keywords_is_marked_for_review_in_every_pillar(rules):
    found = pillars(rules.assign([("15210", 100.0)], [("title", "en", "Security sector reform support")]))
    assert found == {"pillar:wbcti": True, "pillar:wbcsci": True, "pillar:wbbsi": True}


def test_15210_with_keywords_follows_them(rules):
    assignments = rules.assign([("15210", 100.0)], [("title", "en", "Police reform against organised crime")])
    assert pillars(assignments) == {"pillar:wbcsci": False}
    assert "keyword 'organised crime' (en, title)" in assignments[0].reason


@pytest.mark.parametrize(
    ("lang", "text", "pillar"),
    [
        ("en", "Preventing violent extremism in schools", "pillar:wbcti"),
        ("sq", "Parandalimi i ekstremizmit të dhunshëm", "pillar:wbcti"),
        ("mk", "Спречување на тероризам", "pillar:wbcti"),
        ("en", "Fight against trafficking in human beings", "pillar:wbcsci"),
        ("sr", "Borba protiv korupcije", "pillar:wbcsci"),
        ("es", "Lucha contra la corrupción y el narcotráfico", "pillar:wbcsci"),
        ("de", "Bekämpfung der organisierten Kriminalität", "pillar:wbcsci"),
        ("en", "Integrated border management", "pillar:wbbsi"),
        ("sr", "Јачање капацитета граничне полиције", "pillar:wbbsi"),
        ("bs", "Jačanje kapaciteta granične policije", "pillar:wbbsi"),
        ("fr", "Renforcement de la gestion des frontières", "pillar:wbbsi"),
        ("", "Support to the customs administration", "pillar:wbbsi"),
    ],
)
def test_keywords_in_several_languages_and_scripts_assign_pillars(rules, lang, text, pillar):
    assert pillar in pillars(rules.assign([], [("title", lang, text)]))


def test_keywords_alone_outside_security_sectors_are_marked_for_review(rules):
    assert pillars(rules.assign([("43010", 100.0)], [("title", "en", "Migration and development")])) == {
        "pillar:wbbsi": True
    }


def test_keywords_of_one_language_do_not_apply_to_text_in_another(rules):
    assert rules.assign([], [("title", "it", "Integrated border management")]) == []


@pytest.mark.parametrize(
    "text",
    [
        "Cross-border cooperation programme Serbia - Montenegro",
        "Data migration of the payroll system",
        "Traffic safety on regional roads",
        "Bordering municipalities tourism",
    ],
)
def test_look_alike_words_assign_nothing(rules, text):
    assert rules.assign([("33210", 100.0)], [("title", "en", text)]) == []


def test_a_user_rule_file_overrides_the_shipped_one(tmp_path):
    doc = yaml.safe_load(DEFAULT_RULES.read_text(encoding="utf-8"))
    doc["sectors"]["15210"] = {"pillars": ["wbcsci"]}
    custom = tmp_path / "rules.yaml"
    custom.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    [assignment] = PillarRules.load(custom).assign([("15210", None)], [])
    assert assignment.pillar == "pillar:wbcsci" and not assignment.review


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("pillars: {}\nsectors: {'15130': {pillars: [nowhere]}}", "unknown pillar key"),
        ("pillars: [", "not valid YAML"),
        ("version: 1", "pillars"),
    ],
)
def test_a_broken_rule_file_is_refused_with_where(tmp_path, content, message):
    path = tmp_path / "rules.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImportFormatError, match=message):
        PillarRules.load(path)


def test_the_shipped_rules_name_three_pillars(rules):
    assert set(rules.pillar_nodes()) == {"pillar:wbcti", "pillar:wbcsci", "pillar:wbbsi"}


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",))))
def test_the_fast_fold_is_the_project_fold(text):
    assert fold_text(text) == fold(text)


@given(st.text(alphabet="abcčćđšžABCČĆĐŠŽ ёжшщљњџ–-.,'"))
def test_the_fast_fold_is_the_project_fold_on_balkan_letters(text):
    assert fold_text(text) == fold(text)
