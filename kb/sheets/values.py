"""Cell values as real sheets write them: dates, open ends, amounts with signs and separators."""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from dataclasses import dataclass
from decimal import Decimal

import pycountry
from price_parser import Price

from graph_schema.base import NUMBER_MAX

#: What people write for a project that has not ended.
OPEN_END_WORDS = frozenset({"ongoing", "open", "open-ended", "continuing", "tbd", "u toku", "në vazhdim"})
#: Currency signs people type; codes are taken as they are.
CURRENCY_SIGNS = {"€": "EUR", "$": "USD", "US$": "USD", "£": "GBP", "CHF": "CHF", "KM": "BAM", "din": "RSD"}


#: A date typed day first, as in the region: 31.12.2024 (a final dot allowed), 31/12/2024, 31-12-2024.
_DAY_FIRST = re.compile(r"(\d{1,2})([./-])(\d{1,2})\2(\d{4})")
#: An ISO date, 2024-12-31, perhaps with the midnight a CSV export adds.
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]00:00(?::00(?:\.0+)?)?)?")
_HOW = "write it as 31.12.2024 or 2024-12-31"
#: Longest cell value a problem quotes.
_SHOWN = 100


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
        value = self.value[:_SHOWN] + ("…" if len(self.value) > _SHOWN else "")
        return f"{self.sheet}!{self.column}{self.row}: {self.message} (value: {value!r})"


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_date(value: object) -> dt.date:
    """A date from an Excel date cell or text: ``13.11.2015.``, ``19.10.2017``, ``2017-10-19``.

    Text is day first, as written in the region (``31.12.2024``, ``31/12/2024``, ``31-12-2024``)
    or ISO (``2024-12-31``); anything else, and a day or month the calendar does not have, is a
    ``CellError``. Nothing is guessed: ``2025-13-01`` is an error, never 13 January.

    >>> parse_date("13.11.2015.")
    datetime.date(2015, 11, 13)
    >>> parse_date("2017-10-19")
    datetime.date(2017, 10, 19)
    >>> parse_date("2025-13-01")
    Traceback (most recent call last):
    kb.sheets.values.CellError: not a date: there is no month 13 (write it as 31.12.2024 or 2024-12-31)
    >>> parse_date("30.02.2024")
    Traceback (most recent call last):
    kb.sheets.values.CellError: not a date: February 2024 has no day 30 (write it as 31.12.2024 or 2024-12-31)
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        raise CellError(f"a number, not a date: format the cell as a date or {_HOW}")
    text = str(value).strip().removesuffix(".")
    if iso := _ISO.fullmatch(text):
        year, month, day = (int(iso.group(i)) for i in (1, 2, 3))
    elif day_first := _DAY_FIRST.fullmatch(text):
        day, month, year = (int(day_first.group(i)) for i in (1, 3, 4))
    else:
        raise CellError(f"not a date ({_HOW})")
    if year < 1:
        raise CellError(f"not a date: there is no year {year} ({_HOW})")
    if not 1 <= month <= 12:
        raise CellError(f"not a date: there is no month {month} ({_HOW})")
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise CellError(f"not a date: {calendar.month_name[month]} {year} has no day {day} ({_HOW})")
    return dt.date(year, month, day)


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
    if amount > NUMBER_MAX or not math.isfinite(amount):
        raise CellError("an amount must be finite and at most 1e15")
    return amount, currency
