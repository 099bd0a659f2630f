"""Rules of the field for anything shown to people: the Kosovo* designation and money.

Every human-readable output (CLI tables, pages, maps, reports) passes names through
:func:`display` and adds :data:`KOSOVO_FOOTNOTE` once when :func:`names_kosovo` is true.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

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
