"""One organisation, one node: the matcher's order, its normalisation and its caution."""

from __future__ import annotations

import pytest

from kb.importers.iati import codes
from kb.matching import OrgMatcher, normalise_name, sheet_matcher
from kb.records import parse_batch
from tests.iati.conftest import SEED


@pytest.fixture(scope="module")
def matcher() -> OrgMatcher:
    return OrgMatcher(
        SEED["nodes"], aliases={"XM-DAC-41114": "org:undp"}, countries=codes.codelist("Country")
    )


def test_an_alias_comes_first(matcher):
    assert matcher.match(ref="XM-DAC-41114", name="Something else").how == "alias"


def test_a_stored_iati_ref_matches_whatever_the_name(matcher):
    found = matcher.match(ref="xi-iati-ec_near", name="European Commission - DG Neighbourhood")
    assert (found.id, found.how) == ("org:dg-near", "iati_ref")


@pytest.mark.parametrize(
    "name",
    [
        "United Nations Office on Drugs and Crime",
        "UNITED NATIONS OFFICE ON DRUGS & CRIME",
        "United Nations Office on Drugs and Crime (UNODC)",
    ],
)
def test_names_match_after_normalisation(matcher, name):
    assert matcher.match(name=name).id == "org:unodc"


def test_spelling_variants_and_abbreviations_are_one_name():
    assert normalise_name("Organization for Security and Co-operation in Europe") == normalise_name(
        "Organisation for Security & Cooperation in Europe"
    )
    assert normalise_name("Internat. Committee Red Cross") == normalise_name(
        "International Committee of the Red Cross"
    )
    assert normalise_name("Министарство унутрашњих послова") == normalise_name(
        "Ministarstvo unutrašnjih poslova"
    )


def test_institutions_match_by_name_in_either_script(matcher):
    assert matcher.match(name="Ministarstvo unutrasnjih poslova").id == "inst:rs-moi"


def test_acronyms_match(matcher):
    assert (matcher.match(name="OSCE").id, matcher.match(name="Giz").how) == ("org:osce", "acronym")


def test_states_match_by_code_or_name_when_the_type_allows(matcher):
    assert matcher.match(ref="GB", name="United Kingdom").id == "country:gb"
    assert matcher.match(name="Sweden").id == "country:se"
    assert matcher.match(name="Sweden", government=False) is None


def test_fuzzy_matches_are_near_identical_and_say_so(matcher):
    found = matcher.match(name="United Nations Ofice on Drugs and Crime")
    assert (found.id, found.how) == ("org:unodc", "fuzzy") and found.score >= 93


@pytest.mark.parametrize(
    "name",
    [
        "United Nations Office for Project Services",
        "German Agency for International Development",
        "Organization for Security and Co-operation in Asia",
    ],
)
def test_fuzzy_matching_stays_conservative(matcher, name):
    assert matcher.match(name=name) is None


def test_a_word_of_other_meaning_is_no_misspelling():
    m = OrgMatcher(
        [
            {
                "type": "Organisation",
                "id": "org:for-profit",
                "name": "Otra entidad con ánimo de lucro del país donante",
            }
        ]
    )
    assert m.match(name="Otra entidad sin ánimo de lucro del país donante") is None


def test_a_name_never_matches_a_node_with_another_identifier(matcher):
    assert matcher.match(ref="XM-OTHER-1", name="DG NEAR") is None


def test_nodes_added_later_are_found():
    m = OrgMatcher()
    m.add({"type": "Organisation", "id": "org:irish-aid", "name": "Irish Aid", "iati_ref": "IE-1"})
    assert m.match(name="IrishAid").id == "org:irish-aid"
    assert m.match(ref="IE-1").how == "iati_ref"


def test_sheet_matcher_answers_for_the_allowed_types(store):
    store.upsert(parse_batch(SEED))
    match = sheet_matcher(store)
    assert match("GIZ", ("Organisation",)) == ("org:giz", "acronym")
    assert match("United Kingdom", ("Organisation", "Country")) == ("country:gb", "country")
    assert match("United Kingdom", ("Organisation",)) is None
    assert match("Nobody we know", ("Organisation",)) is None
