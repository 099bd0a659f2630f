"""Money: totals per currency, and a conversion only when the user states the rates.

Two amounts in different currencies are never added. ``--rates FILE`` gives a CSV with the
columns ``currency,rate,date,source`` (and optionally ``base``): one unit of ``currency`` is
worth ``rate`` units of the base currency as of ``date``, according to ``source``. Without a
``base`` column the base is the currency listed with rate 1. When a currency has several dated
rates the latest applies; every converted total lists the rates it applied, and amounts in
currencies without a rate stay apart as *unconverted*.

Which funding edges count: one actor can have several FUNDS edges to one project (budget,
commitment, disbursements). Per funder and project the commitments count if there are any,
else the budgets, else the disbursements, so a commitment and its disbursements are not
counted twice.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping
from typing import Any

import pycountry

from kb.analysis.models import Amounts, Converted, Rate
from kb.errors import InvalidInputError

#: Which FUNDS kind counts, best first (see the module docstring).
KIND_PREFERENCE = ("commitment", "budget", "disbursement")
_COLUMNS = ("currency", "rate", "date", "source")


def add(into: dict[str, float], more: Mapping[str, float]) -> dict[str, float]:
    """Add ``more`` into ``into`` currency by currency; returns ``into``.

    >>> add({"EUR": 1.0}, {"EUR": 2.0, "USD": 5.0})
    {'EUR': 3.0, 'USD': 5.0}
    """
    for currency, amount in more.items():
        into[currency] = into.get(currency, 0.0) + amount
    return into


def total(amounts: Iterable[Mapping[str, float]]) -> Amounts:
    """The per-currency sum of several amounts, currencies in alphabetical order."""
    out: dict[str, float] = {}
    for one in amounts:
        add(out, one)
    return dict(sorted(out.items()))


def counted_funding(edges: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The FUNDS edges of one funder to one project that count.

    Commitments if there are any, else budgets, else disbursements.

    >>> e = [{"kind": "commitment", "amount": 10, "currency": "EUR"},
    ...      {"kind": "disbursement", "amount": 4, "currency": "EUR"}]
    >>> [x["kind"] for x in counted_funding(e)]
    ['commitment']
    """
    edges = list(edges)
    for kind in KIND_PREFERENCE:
        chosen = [e for e in edges if e.get("kind", "commitment") == kind]
        if chosen:
            return chosen
    return []


def edge_amounts(edges: Iterable[Mapping[str, Any]]) -> Amounts:
    """Per-currency sum of the amounts stated on ``edges`` (edges without an amount add nothing)."""
    return total({e["currency"]: float(e["amount"])} for e in edges if e.get("amount") is not None)


def joint_total(edges: Iterable[Mapping[str, Any]]) -> Amounts:
    """The total a project's joint funders share: every joint edge states the same total, so it is
    counted once per currency (the largest stated, should they differ), never added up.

    >>> joint_total([{"amount": 400, "currency": "EUR", "joint": True},
    ...              {"amount": 400, "currency": "EUR", "joint": True}])
    {'EUR': 400.0}
    """
    out: dict[str, float] = {}
    for e in edges:
        if e.get("amount") is not None:
            out[e["currency"]] = max(out.get(e["currency"], 0.0), float(e["amount"]))
    return dict(sorted(out.items()))


class Rates:
    """Stated conversion rates to one base currency (the latest per currency applies)."""

    def __init__(self, base: str, rates: Iterable[Rate]) -> None:
        self.base = base
        latest: dict[str, Rate] = {}
        for rate in rates:
            if rate.currency not in latest or rate.date > latest[rate.currency].date:
                latest[rate.currency] = rate
        latest.setdefault(base, Rate(currency=base, rate=1.0, date=dt.date.min, source="base currency"))
        self.latest = latest

    def covers(self, currency: str) -> bool:
        return currency in self.latest

    def convert(self, amounts: Mapping[str, float]) -> Converted:
        """The total of ``amounts`` in the base currency; currencies without a rate stay apart.

        >>> r = Rates("EUR", [Rate(currency="USD", rate=0.5, date=dt.date(2024, 1, 1), source="test")])
        >>> c = r.convert({"EUR": 10.0, "USD": 4.0, "GBP": 1.0})
        >>> c.total, c.unconverted, [a.currency for a in c.applied]
        (12.0, {'GBP': 1.0}, ['USD'])
        """
        value, applied, unconverted = 0.0, [], {}
        for currency, amount in sorted(amounts.items()):
            rate = self.latest.get(currency)
            if rate is None:
                unconverted[currency] = amount
                continue
            value += amount * rate.rate
            if currency != self.base:
                applied.append(rate)
        return Converted(base=self.base, total=value, applied=applied, unconverted=unconverted)


def _currency(value: str, where: str) -> str:
    code = value.strip().upper()
    if len(code) != 3 or pycountry.currencies.get(alpha_3=code) is None:
        raise InvalidInputError(f"{where}: {value!r} is not an ISO 4217 currency code")
    return code


def parse_rates(text: str, origin: str = "rates") -> Rates:
    """Rates from CSV text (see the module docstring); ``InvalidInputError`` naming the bad value.

    Examples
    --------
    >>> text = "currency,rate,date,source\\nEUR,1,2024-01-01,definition\\nUSD,0.92,2024-01-02,ECB\\n"
    >>> r = parse_rates(text)
    >>> r.base, r.latest["USD"].rate
    ('EUR', 0.92)
    """
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in _COLUMNS if c not in header]
    if missing:
        raise InvalidInputError(
            f"{origin}: missing column(s) {', '.join(missing)} (need {','.join(_COLUMNS)})"
        )
    reader.fieldnames = header
    rates: list[Rate] = []
    bases: set[str] = set()
    seen: dict[tuple[str, dt.date], float] = {}
    for line, row in enumerate(reader, start=2):
        where = f"{origin} line {line}"
        currency = _currency(row.get("currency") or "", where)
        try:
            rate = float((row.get("rate") or "").strip())
        except ValueError:
            raise InvalidInputError(f"{where}: rate {row.get('rate')!r} is not a number") from None
        if not rate > 0:
            raise InvalidInputError(f"{where}: rate {row.get('rate')!r} must be positive")
        try:
            date = dt.date.fromisoformat((row.get("date") or "").strip())
        except ValueError:
            raise InvalidInputError(f"{where}: date {row.get('date')!r} is not YYYY-MM-DD") from None
        source = (row.get("source") or "").strip()
        if not source:
            raise InvalidInputError(f"{where}: the source of the rate for {currency} is missing")
        if seen.get((currency, date), rate) != rate:
            raise InvalidInputError(f"{where}: two different rates for {currency} on {date}")
        seen[(currency, date)] = rate
        if row.get("base"):
            bases.add(_currency(row["base"], where))
        rates.append(Rate(currency=currency, rate=rate, date=date, source=source))
    if not rates:
        raise InvalidInputError(f"{origin}: no rates")
    if not bases:
        bases = {r.currency for r in rates if r.rate == 1.0}
    if len(bases) != 1:
        found = ", ".join(sorted(bases)) or "none"
        raise InvalidInputError(
            f"{origin}: cannot tell the base currency (found: {found}); add a 'base' column or a rate-1 row"
        )
    base = bases.pop()
    if any(r.currency == base and r.rate != 1.0 for r in rates):
        raise InvalidInputError(f"{origin}: the base currency {base} must have rate 1")
    return Rates(base, rates)


def convert(amounts: Mapping[str, float], rates: Rates | None) -> Converted | None:
    """``rates.convert(amounts)``, or ``None`` when no rates were stated or there is nothing to convert."""
    if rates is None or not amounts:
        return None
    return rates.convert(amounts)
