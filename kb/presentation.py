"""Rules of the field for anything shown to people: the Kosovo* designation, money and sources.

Every human-readable output (CLI tables, pages, maps, reports) passes names through
:func:`display` and adds :data:`KOSOVO_FOOTNOTE` once when :func:`names_kosovo` is true.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kb.seeding import source_titles

KOSOVO_FOOTNOTE = (
    "* This designation is without prejudice to positions on status, and is in line with "
    "UNSCR 1244 and the ICJ Opinion on the Kosovo declaration of independence."
)
_KOSOVO = re.compile(r"\bKosovo\b(?!\*)")


def display(text: str | None) -> str:
    """A text as shown to people: every "Kosovo" becomes "Kosovo*".

    >>> display("Kosovo: Ministry of Interior")
    'Kosovo*: Ministry of Interior'
    >>> display("Kosovo*")
    'Kosovo*'
    """
    return _KOSOVO.sub("Kosovo*", text or "")


def names_kosovo(texts: Iterable[str | None]) -> bool:
    """Whether any of ``texts`` names Kosovo (so the footnote is due)."""
    return any(t and "Kosovo" in t for t in texts)


def money(amount: float | None, currency: str | None) -> str:
    """An amount with its currency, never without it.

    >>> money(1250000, "EUR")
    '1,250,000 EUR'
    """
    if amount is None:
        return "amount not stated"
    shown = f"{amount:,.2f}".removesuffix(".00")
    return f"{shown} {currency or '???'}"


def amounts_text(amounts: Mapping[str, float] | None, empty: str = "—") -> str:
    """Amounts per currency, side by side by currency code, never added; ``empty`` when there are none.

    >>> amounts_text({"USD": 250000.0, "EUR": 1500000.0})
    '1,500,000 EUR; 250,000 USD'
    >>> amounts_text({})
    '—'
    """
    return "; ".join(money(v, c) for c, v in sorted((amounts or {}).items())) or empty


def names_in(data: Any) -> Iterable[str]:
    """Every ``name`` string in nested JSON data (to tell whether the footnote is due)."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "name" and isinstance(value, str):
                yield value
            else:
                yield from names_in(value)
    elif isinstance(data, list):
        for value in data:
            yield from names_in(value)


def shown(data: Any) -> Any:
    """Nested JSON data with every ``name`` passed through :func:`display`.

    >>> shown({"countries": [{"name": "Kosovo"}]})
    {'countries': [{'name': 'Kosovo*'}]}
    """
    if isinstance(data, dict):
        return {k: display(v) if k == "name" and isinstance(v, str) else shown(v) for k, v in data.items()}
    if isinstance(data, list):
        return [shown(v) for v in data]
    return data


@dataclass(frozen=True)
class Source:
    """A source as people read it: its ``title``, and the ``file`` it is in (for a tooltip)."""

    #: As stored in a record's ``sources``.
    ref: str
    title: str
    file: str

    @property
    def text(self) -> str:
        """Title and file in one text, for plain text (CSV, workbooks, map tooltips)."""
        return self.title if self.file in self.title else f"{self.title} ({self.file})"


#: Sources of the IATI importer's own (not from a file a user gave).
_OWN = {"pillar_rules.yaml": "Pillar rules of the IATI import"}


def source(ref: str) -> Source:
    """A stored source reference by its title: a seed document's declared title
    (``seeds/sources/titles.yaml``), an IATI activity in its file (``FILE#IDENTIFIER``), a row of a
    sheet (``FILE!SHEET:ROW``); anything else as it was stored.

    >>> source("000_e9cf2c252bbbb759.txt").title.startswith("IISG – Western Balkan Border Security")
    True
    >>> source("dportal.xml#XI-IATI-EC_NEAR-2017/40524/3").text
    'IATI activity XI-IATI-EC_NEAR-2017/40524/3 (dportal.xml)'
    >>> source("needs-2025.xlsx!Needs:12").text
    'Sheet Needs, row 12 (needs-2025.xlsx)'
    >>> source("a note").text
    'a note'
    """
    titles = source_titles()
    if ref in titles:
        return Source(ref, titles[ref], ref.rsplit("/", 1)[-1])
    if ref in _OWN:
        return Source(ref, _OWN[ref], ref)
    file, sep, rest = ref.partition("!")
    sheet, colon, row = rest.rpartition(":")
    if sep and colon and row.isdigit():
        return Source(ref, f"Sheet {sheet}, row {row}" if sheet else f"Row {row}", file)
    file, sep, activity = ref.partition("#")
    if sep and file.lower().endswith(".xml") and activity:
        return Source(ref, f"IATI activity {activity}", file)
    return Source(ref, ref, ref)


def sources_text(refs: Iterable[str]) -> str:
    """Sources in one text, each by title and file, in order, each once.

    >>> sources_text(["b.xml#B-1", "b.xml#B-1", "a.csv!a:3"])
    'IATI activity B-1 (b.xml); Sheet a, row 3 (a.csv)'
    """
    return "; ".join(source(r).text for r in dict.fromkeys(refs))
