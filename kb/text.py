"""Text folding for search: one rule, used for indexed text and queries alike.

Serbian and Macedonian Cyrillic is transliterated to Latin (cyrtranslit), every other
character is reduced to ASCII (anyascii: ``ć``→``c``, ``ë``→``e``, ``đ``→``d``), case is
folded and punctuation becomes a space. So a Cyrillic name is found by its Latin spelling,
a Latin query finds Cyrillic names, and diacritics never matter.
"""

from __future__ import annotations

import re

import cyrtranslit
from anyascii import anyascii

_MACEDONIAN_ONLY = set("ЃѓЌќЅѕ")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Fold ``text`` to lower-case ASCII words separated by single spaces.

    >>> fold("STEVANDIĆ")
    'stevandic'
    >>> fold("Министарство унутрашњих послова")
    'ministarstvo unutrasnjih poslova'
    >>> fold("Prishtinë/Priština")
    'prishtine pristina'
    """
    if _CYRILLIC.search(text):
        lang = "mk" if _MACEDONIAN_ONLY.intersection(text) else "sr"
        text = cyrtranslit.to_latin(text, lang)
    return _NON_WORD.sub(" ", anyascii(text).lower()).strip()


def search_text(values: list[object]) -> str:
    """The folded search text of a node's searchable values (strings and lists of strings)."""
    parts: list[str] = []
    for value in values:
        if isinstance(value, str):
            parts.append(fold(value))
        elif isinstance(value, list):
            parts.extend(fold(v) for v in value if isinstance(v, str))
    return " ".join(p for p in parts if p)


def query_terms(text: str) -> list[str]:
    """The words of a search query, folded; the last one is matched as a prefix."""
    return fold(text).split()
