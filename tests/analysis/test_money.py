"""Money: per-currency totals, the counted funding edges, and the stated rates."""

from __future__ import annotations

import pytest

from kb.analysis.money import counted_funding, parse_rates, total
from kb.errors import InvalidInputError

HEADER = "currency,rate,date,source\n"


def test_totals_keep_currencies_apart():
    assert total([{"EUR": 1.0}, {"USD": 2.0}, {"EUR": 3.0}]) == {"EUR": 4.0, "USD": 2.0}


def test_commitments_count_and_their_disbursements_do_not():
    edges = [
        {"kind": "commitment", "amount": 10},
        {"kind": "disbursement", "amount": 4},
        {"kind": "budget", "amount": 12},
    ]
    assert [e["kind"] for e in counted_funding(edges)] == ["commitment"]


def test_disbursements_count_when_nothing_else_is_stated():
    edges = [{"kind": "disbursement", "amount": 4}, {"kind": "disbursement", "amount": 5}]
    assert len(counted_funding(edges)) == 2


def test_rates_base_is_the_currency_with_rate_one():
    rates = parse_rates(HEADER + "EUR,1,2024-01-01,definition\nUSD,0.9,2024-01-01,ECB\n")
    converted = rates.convert({"EUR": 100.0, "USD": 100.0})
    assert (rates.base, converted.total, [r.currency for r in converted.applied]) == ("EUR", 190.0, ["USD"])


def test_rates_base_can_be_a_column():
    rates = parse_rates("currency,rate,date,source,base\nUSD,0.9,2024-01-01,ECB,EUR\n")
    assert rates.base == "EUR" and rates.convert({"EUR": 1.0}).total == 1.0


def test_latest_rate_of_a_currency_applies():
    rates = parse_rates(HEADER + "EUR,1,2024-01-01,def\nUSD,0.8,2023-01-01,old\nUSD,0.9,2024-06-01,new\n")
    assert rates.convert({"USD": 10.0}).applied[0].source == "new"


def test_currency_without_rate_stays_unconverted():
    rates = parse_rates(HEADER + "EUR,1,2024-01-01,def\nUSD,0.9,2024-01-01,ECB\n")
    converted = rates.convert({"EUR": 1.0, "GBP": 5.0})
    assert converted.total == 1.0 and converted.unconverted == {"GBP": 5.0}


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("currency,rate\nUSD,0.9\n", "date, source"),
        (HEADER + "EUR,1,2024-01-01,d\nUSD,abc,2024-01-01,ECB\n", "'abc'"),
        (HEADER + "EUR,1,2024-01-01,d\nUSD,-1,2024-01-01,ECB\n", "'-1'"),
        (HEADER + "EUR,1,2024-01-01,d\nUSD,0.9,01/02/2024,ECB\n", "'01/02/2024'"),
        (HEADER + "EUR,1,2024-01-01,d\nXYZ,0.9,2024-01-01,ECB\n", "'XYZ'"),
        (
            HEADER + "EUR,1,2024-01-01,d\nUSD,0.9,2024-01-01,ECB\nUSD,0.8,2024-01-01,FED\n",
            "USD on 2024-01-01",
        ),
        (HEADER + "USD,0.9,2024-01-01,ECB\n", "base currency"),
        (HEADER + "EUR,1,2024-01-01,d\nUSD,1,2024-01-01,ECB\n", "EUR, USD"),
        (HEADER, "no rates"),
        (HEADER + "EUR,1,2024-01-01,\n", "source"),
    ],
)
def test_inconsistent_rates_are_refused_naming_the_value(text, named):
    with pytest.raises(InvalidInputError, match=named):
        parse_rates(text)
