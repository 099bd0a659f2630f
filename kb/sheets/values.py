"""Cell values as real sheets write them: dates, open ends, amounts with signs and separators."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pycountry
from dateutil import parser as date_parser
from price_parser import Price

#: What people write for a project that has not ended.
OPEN_END_WORDS = frozenset({"ongoing", "open", "open-ended", "continuing", "tbd", "u toku", "në vazhdim"})
#: Currency signs people type; codes are taken as they are.
CURRENCY_SIGNS = {"€": "EUR", "$": "USD", "US$": "USD", "£": "GBP", "CHF": "CHF", "KM": "BAM", "din": "RSD"}


#: The ways dates are usually typed in the region, tried before the general parser.
_COMMON_FORMATS = ("%d.%m.%Y", "%d/%m/%Y", "%d-%m-%Y")


class CellError(ValueError):
    """A cell's value cannot be read; the message says what is wrong."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a sheet, located so a person can find and fix it."""

    sheet: str
    row: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        return f"{self.sheet}!{self.column}{self.row}: {self.message} (value: {self.value!r})"


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_date(value: object) -> dt.date:
    """A date from an Excel date or text: ``13.11.2015.``, ``19.10.2017``, ``2017-10-19``.

    Day-first, as written in the region; ISO dates are read as ISO.

    >>> parse_date("13.11.2015.")
    datetime.date(2015, 11, 13)
    >>> parse_date("2017-10-19")
    datetime.date(2017, 10, 19)
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip().rstrip(".")
    try:
        iso = dt.date.fromisoformat(text)
    except ValueError:
        iso = None
    if iso:
        return iso
    for fmt in _COMMON_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    try:
        return date_parser.parse(text, dayfirst=True, default=dt.datetime(2000, 1, 1)).date()
    except (ValueError, OverflowError) as exc:
        raise CellError("not a date (write it as 31.12.2024 or 2024-12-31)") from exc


def parse_end(value: object) -> dt.date | None:
    """An end date, or ``None`` for an open-ended project (blank, "ongoing")."""
    if is_blank(value) or (isinstance(value, str) and value.strip().lower() in OPEN_END_WORDS):
        return None
    return parse_date(value)


def currency_code(text: str) -> str:
    """An ISO 4217 code from a code or a sign; ``CellError`` if it is neither."""
    text = text.strip()
    code = CURRENCY_SIGNS.get(text, text.upper())
    if pycountry.currencies.get(alpha_3=code) is None:
        raise CellError(f"{text!r} is not an ISO 4217 currency code")
    return code


def parse_amount(value: object) -> tuple[float, str | None]:
    """An amount and the currency written with it, if any: ``€1,250,000`` → (1250000.0, "EUR").

    >>> parse_amount("€1,250,000")
    (1250000.0, 'EUR')
    >>> parse_amount("1.250.000,00 EUR")
    (1250000.0, 'EUR')
    >>> parse_amount(300000)
    (300000.0, None)
    """
    if isinstance(value, bool):
        raise CellError("not an amount")
    if isinstance(value, int | float | Decimal):
        amount, currency = float(value), None
    else:
        price = Price.fromstring(str(value))
        if price.amount is None:
            raise CellError("not an amount")
        amount = float(price.amount)
        currency = currency_code(price.currency) if price.currency else None
    if amount < 0:
        raise CellError("an amount cannot be negative")
    return amount, currency
