"""One activity read into plain Python: 1.0x words and 2.0x codes alike, problems recorded."""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree

from kb.importers.iati import codes
from kb.importers.iati.activity import Activity, read_activity
from kb.importers.iati.parse import iter_activities
from tests.iati.conftest import fixture


def activities(name: str) -> dict[str | None, Activity]:
    return {
        a.identifier: a
        for a in (read_activity(e, info.version) for info, e in iter_activities(fixture(name)))
    }


def one(xml: str, version: str | None = "2.03") -> Activity:
    return read_activity(etree.fromstring(xml), version)


def test_2x_roles_are_codes_and_1x_words_become_the_same_codes():
    two = activities("roles_2x.xml")["GB-GOV-1-TEST-ROLES-2X"]
    one_x = activities("roles_1x.xml")["XM-TEST-ROLES-1X"]
    assert [o.role for o in two.orgs] == ["1", "2", "3", "4", "4"]
    assert [o.role for o in one_x.orgs] == [
        "1",
        "2",
        "3",
        "4",
    ]  # Funding, accountable, Extending, IMPLEMENTING


def test_real_1x_files_give_roles_as_words():
    sida = next(iter(activities("same_orgs_different_roles_excerpt.xml").values()))
    assert {o.role for o in sida.orgs} >= {"1", "3"}
    concern = next(iter(activities("missing_dates_excerpt.xml").values()))
    assert {o.role for o in concern.orgs} == {"1", "4"}  # lower-case "funding", "implementing"


def test_1x_date_types_and_transaction_letters_become_2x_codes():
    a = activities("roles_1x.xml")["XM-TEST-ROLES-1X"]
    assert a.dates == {"2": dt.date(2012, 2, 1), "3": dt.date(2014, 1, 31)}
    assert [(m.kind, m.value) for m in a.transactions] == [
        ("commitment", 500000.0),
        ("disbursement", 200000.0),
    ]


def test_1x_dates_given_as_text_are_read():
    a = activities("no_version.xml")["XM-TEST-NO-VERSION"]
    assert a.dates == {"1": dt.date(2010, 1, 1), "3": dt.date(2011, 12, 31)}


def test_planned_only_dates_are_kept_as_planned_codes():
    concern = next(iter(activities("missing_dates_excerpt.xml").values()))
    assert set(concern.dates) == {"1", "3"}


def test_version_is_read_from_the_activity_then_the_root():
    assert activities("roles_1x.xml")["XM-TEST-ROLES-1X"].version == "1.03"
    assert {a.version for a in activities("dportal_92_excerpt.xml").values()} == {"2.03"}
    assert {a.version for a in activities("same_orgs_different_roles_excerpt.xml").values()} == {"1.00"}
    assert activities("no_version.xml")["XM-TEST-NO-VERSION"].version is None


def test_a_namespaced_version_on_the_activity_counts_before_the_root():
    a = one(
        '<iati-activity xmlns:d="urn:d" d:version="2.01">'
        "<iati-identifier>X</iati-identifier></iati-activity>",
        version="2.03",
    )
    assert a.version == "2.01"


@pytest.mark.parametrize(
    ("version", "family"),
    [(None, "1"), ("1.0", "1"), ("1.00", "1"), ("1.05", "1"), ("2.01", "2"), ("2.03", "2")],
)
def test_missing_and_1_0_versions_follow_the_1x_rule(version, family):
    assert codes.version_family(version) == family


def test_status_words_are_read_when_the_code_is_missing():
    assert activities("no_version.xml")["XM-TEST-NO-VERSION"].status == "3"  # "Completion"


def test_titles_are_kept_in_every_language():
    a = activities("roles_2x.xml")["GB-GOV-1-TEST-ROLES-2X"]
    assert a.titles == [
        ("en", "Safe and legal migration in the Western Balkans"),
        ("sr", "Безбедна и законита миграција на Западном Балкану"),
    ]
    example = activities("activity-standard-example-annotated.xml")["AA-AAA-123456789-ABC123"]
    assert {lang for lang, _ in example.titles} == {"en", "fr", "es"}


def test_1x_titles_in_several_elements_are_all_kept():
    a = activities("roles_1x.xml")["XM-TEST-ROLES-1X"]
    assert [lang for lang, _ in a.titles] == ["en", "fr"]


def test_recipients_and_sectors_on_transactions_are_used_when_the_activity_has_none():
    a = activities("transaction_countries.xml")["XM-TEST-TX-COUNTRIES"]
    assert a.countries == [] and a.recipient_codes() == ["XK", "AL"]
    assert a.sector_codes() == ["15113"]


def test_activity_level_recipients_win_over_transaction_level_ones():
    example = activities("activity-standard-example-annotated.xml")["AA-AAA-123456789-ABC123"]
    assert example.recipient_codes() == ["AF", "AG"]  # the transaction's TM is not used


def test_only_dac_5_digit_sectors_are_kept():
    example = activities("activity-standard-example-annotated.xml")["AA-AAA-123456789-ABC123"]
    assert example.sectors == []  # vocabularies 2 and 99 only
    concern = next(iter(activities("missing_dates_excerpt.xml").values()))
    assert concern.sectors == [("31120", None)]  # 1.0x vocab="DAC"


def test_values_keep_their_currency_or_the_default_and_odd_numbers_parse():
    a = activities("multi_currency.xml")["XM-TEST-MONEY"]
    assert {(m.currency, m.value) for m in a.budgets} == {("EUR", 100.0), ("EUR", 120.0), ("USD", 50.0)}
    assert ("disbursement", -5e-10) in {(m.kind, m.value) for m in a.transactions}
    assert [m.provider.ref for m in a.transactions if m.provider] == ["US-GOV-1"]


def test_values_without_a_default_currency_use_their_own():
    maec = next(iter(activities("MAEC_IATI_INDONESIA_excerpt.xml").values()))
    assert maec.default_currency is None and {m.currency for m in maec.budgets} == {"EUR"}


@pytest.mark.parametrize(
    ("identifier", "reason"),
    [
        ("XM-TEST-ERR-DATE", "unparseable_date"),
        ("XM-TEST-ERR-STATUS", "missing_code"),
        ("XM-TEST-ERR-CURRENCY", "missing_code"),
        ("XM-TEST-ERR-UNKNOWN-CURRENCY", "unknown_code"),
        ("XM-TEST-ERR-VALUE", "unparseable_value"),
    ],
)
def test_data_errors_are_recorded_not_raised(identifier, reason):
    assert activities("errors.xml")[identifier].problems[0][0] == reason


def test_a_valid_activity_has_no_problems():
    assert activities("errors.xml")["XM-TEST-OK"].problems == []
    assert all(not a.problems for a in activities("dportal_92_excerpt.xml").values())


def test_only_direct_children_are_read():
    example = activities("activity-standard-example-annotated.xml")["AA-AAA-123456789-ABC123"]
    assert "Result title" not in [text for _, text in example.titles]
