"""One organisation, one node: find the node an organisation named in an input file already has.

Shared by the importers. An organisation is looked up, in this order, by

1. ``alias``: an identifier in the alias table (data, e.g. ``XM-DAC-41114`` → ``org:undp``);
2. ``iati_ref``: the identifier stored on a node's ``iati_ref``;
3. ``country``: a state named by its ISO code or its name (donor governments are Country nodes);
4. ``name``: the normalised name (case, diacritics, script, punctuation, common abbreviations
   and spelling variants, small words and legal forms ignored; spaces too, so "IrishAid" is
   "Irish Aid") equal to a node's name, alias or a part of its name
   (``"UNODC – United Nations Office on Drugs and Crime"`` has three);
5. ``acronym``: the name, or its part in brackets, is a node's acronym;
6. ``fuzzy``: a near-identical normalised name (rapidfuzz ``ratio`` at or above the threshold,
   every differing word a near-spelling of a differing word on the other side, the same numbers
   and country names on both sides, and no second candidate close behind).

A candidate whose ``iati_ref`` differs from the identifier being matched is never taken by
name: two identifiers are two organisations. Every answer says how it was found.

>>> m = OrgMatcher([{"type": "Organisation", "id": "org:unodc", "acronym": "UNODC",
...                  "name": "UNODC – United Nations Office on Drugs and Crime"}])
>>> m.match(name="United Nations Office on Drugs & Crime")
Match(id='org:unodc', how='name', score=None)
>>> m.match(name="Unodc").how
'acronym'
>>> m.match(name="United Nations Office on Drug and Crimes").how
'fuzzy'
>>> m.match(name="United Nations Office for Project Services") is None
True
>>> m.match(name="UNODC United Nations Office on Drugs and Crime").id
'org:unodc'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz, process

from graph_schema import ACTOR_TYPES
from kb.text import fold

if TYPE_CHECKING:
    from kb.store.port import GraphStore

#: A fuzzy match needs at least this rapidfuzz ``ratio`` (0–100) on normalised names.
FUZZY_THRESHOLD = 93.0
#: ...and the runner-up must be this many points behind, or the match is ambiguous.
FUZZY_MARGIN = 3.0
#: Names shorter than this (normalised) are never matched fuzzily.
FUZZY_MIN_LENGTH = 10
#: In a fuzzy match each word of one name missing from the other must be a near-spelling
#: (rapidfuzz ``ratio`` at least this) of a missing word of the other, at least 4 letters long:
#: "sin ánimo de lucro" is not "con ánimo de lucro".
FUZZY_WORD_THRESHOLD = 80.0

#: Spelling variants and abbreviations, folded word → folded word.
ABBREVIATIONS: dict[str, str] = {
    "intl": "international",
    "int'l": "international",
    "internat": "international",
    "int": "international",
    "org": "organisation",
    "organization": "organisation",
    "organizations": "organisations",
    "orgs": "organisations",
    "dept": "department",
    "dep": "department",
    "govt": "government",
    "gov": "government",
    "min": "ministry",
    "mfa": "ministry foreign affairs",
    "dev": "development",
    "devt": "development",
    "coop": "cooperation",
    "programme": "program",
    "centre": "center",
    "neighbourhood": "neighborhood",
    "defence": "defense",
    "labour": "labor",
    "favour": "favor",
    "natl": "national",
    "assoc": "association",
    "assn": "association",
    "univ": "university",
    "inst": "institute",
    "cttee": "committee",
    "cmte": "committee",
    "fed": "federal",
    "mgmt": "management",
    "admin": "administration",
    "sec": "secretariat",
    "uk": "united kingdom",
    "us": "united states",
    "usa": "united states",
    "eu": "european union",
    "un": "united nations",
}
#: Word sequences written together, folded phrase → folded word(s).
PHRASES: dict[str, str] = {
    "co operation": "cooperation",
    "non governmental": "nongovernmental",
    "u s": "united states",
    "u k": "united kingdom",
    "united states of america": "united states",
    "e u": "european union",
    "directorate general": "dg",
    "director general": "dg",
}
#: Small words and legal forms that do not tell organisations apart.
IGNORED_WORDS = frozenset(
    [
        "the",
        "of",
        "for",
        "and",
        "on",
        "in",
        "at",
        "to",
        "a",
        "an",
        "de",
        "la",
        "le",
        "les",
        "du",
        "des",
        "et",
        "el",
        "los",
        "y",
        "del",
        "der",
        "die",
        "das",
        "fur",
        "und",
        "von",
        "gmbh",
        "ltd",
        "limited",
        "inc",
        "llc",
        "plc",
        "sa",
        "ag",
        "ev",
        "bv",
        "nv",
        "srl",
        "spa",
        "ngo",
        "doo",
    ]
)
_PHRASE_RE = re.compile(
    r"\b(" + "|".join(re.escape(p) for p in sorted(PHRASES, key=len, reverse=True)) + r")\b"
)
_PARTS = re.compile(r"\s[–—-]\s|\s/\s|:\s|[()\[\]]")
_BRACKETED = re.compile(r"[(\[]([^()\[\]]+)[)\]]")
_DIGITS = re.compile(r"\d+")


def normalise_name(name: str) -> str:
    """The form two spellings of one organisation's name share.

    >>> normalise_name("Deutsche Gesellschaft für Internationale Zusammenarbeit (GIZ) GmbH")
    'deutsche gesellschaft internationale zusammenarbeit giz'
    >>> normalise_name("Internat. Committee Red Cross") == normalise_name(
    ...     "International Committee of the Red Cross")
    True
    >>> normalise_name("Organization for Security and Co-operation in Europe")
    'organisation security cooperation europe'
    """
    text = _PHRASE_RE.sub(lambda m: PHRASES[m.group(1)], fold(name))
    words = []
    for word in text.split():
        word = ABBREVIATIONS.get(word, word)
        words.extend(w for w in word.split() if w not in IGNORED_WORDS)
    return " ".join(words)


def _acronym(text: str) -> str | None:
    """``text`` folded, when it looks like an acronym (one word, 2–10 letters, written in capitals)."""
    stripped = text.strip().replace(".", "")
    if (
        2 <= len(stripped) <= 12
        and " " not in stripped
        and stripped.upper() == stripped
        and any(c.isalpha() for c in stripped)
    ):
        return fold(stripped).replace(" ", "")
    return None


def name_variants(name: str, *, query: bool = False) -> tuple[list[str], list[str]]:
    """(normalised names, acronyms) a name stands for: the whole and its parts.

    Parts written in capitals are acronyms; a one-word ``query`` is also tried as an acronym
    whatever its case ("Unodc").
    """
    names: list[str] = []
    acronyms: list[str] = []
    whole = normalise_name(name)
    if whole:
        names.append(whole)
    for part in (p.strip() for p in _PARTS.split(name)):
        if not part or part == name:
            continue
        acronym = _acronym(part)
        if acronym:
            acronyms.append(acronym)
            continue
        normal = normalise_name(part)
        if len(normal.split()) >= 2 and normal not in names:
            names.append(normal)
    whole_acronym = _acronym(name)
    if whole_acronym is None and query and len(whole.split()) == 1:
        whole_acronym = whole
    if whole_acronym:
        acronyms.insert(0, whole_acronym)
    return names, acronyms


@dataclass(frozen=True)
class Match:
    """Which node an organisation is, and how that was found."""

    id: str
    how: str  # alias | iati_ref | country | name | acronym | fuzzy
    score: float | None = None


_AMBIGUOUS = "\0ambiguous"


class OrgMatcher:
    """An index of the actors a store already has, answering :meth:`match`.

    ``nodes`` are node records (Organisation, Institution and Country; others are ignored).
    ``aliases`` maps identifiers to node ids; ``countries`` maps ISO codes to country names
    for states that may not be nodes yet (their id is ``country:<code>``).
    """

    def __init__(
        self,
        nodes: Iterable[Mapping[str, Any]] = (),
        *,
        aliases: Mapping[str, str] | None = None,
        countries: Mapping[str, str] | None = None,
        threshold: float = FUZZY_THRESHOLD,
    ) -> None:
        self.threshold = threshold
        self.aliases = {k.strip().upper(): v for k, v in (aliases or {}).items()}
        self._refs: dict[str, str] = {}
        self._node_refs: dict[str, str] = {}
        self._names: dict[str, str] = {}
        self._compact: dict[str, str] = {}
        self._acronyms: dict[str, str] = {}
        self._fuzzy: dict[str, str] = {}
        self._countries: dict[str, str] = {}
        self._country_words: set[str] = set()
        self._types: dict[str, str] = {}
        for code, country in (countries or {}).items():
            self._add_country(code, country)
        for node in nodes:
            self.add(node)

    # -- index ------------------------------------------------------------------------------
    def _put(self, table: dict[str, str], key: str, node_id: str) -> None:
        if not key:
            return
        if table is self._names:
            self._put(self._compact, key.replace(" ", ""), node_id)
        found = table.get(key)
        if found is None:
            table[key] = node_id
        elif found != node_id:
            table[key] = _AMBIGUOUS

    def _add_country(self, code: str, name: str, node_id: str | None = None) -> None:
        node_id = node_id or f"country:{code.lower()}"
        self._types[node_id] = "Country"
        self._countries[code.upper()] = node_id
        folded = normalise_name(name)
        self._put(self._names, "country " + folded, node_id)
        self._country_words.update(fold(name).split())

    def add(self, node: Mapping[str, Any]) -> None:
        """Index one node (call it for each node an import creates, so the next lookup finds it)."""
        node_id, kind = node["id"], node.get("type")
        if kind == "Country":
            self._add_country(node.get("code", node_id.split(":", 1)[1]), node.get("name", ""), node_id)
            for alias in node.get("aliases", []):
                self._put(self._names, "country " + normalise_name(alias), node_id)
            return
        if kind not in ACTOR_TYPES:
            return
        self._types[node_id] = kind
        ref = (node.get("iati_ref") or "").strip().upper()
        if ref:
            self._put(self._refs, ref, node_id)
            self._node_refs[node_id] = ref
        for text in [node.get("name", ""), *node.get("aliases", [])]:
            names, acronyms = name_variants(text)
            for name in names:
                self._put(self._names, name, node_id)
                if kind == "Organisation" and len(name) >= FUZZY_MIN_LENGTH:
                    self._put(self._fuzzy, name, node_id)
            for acronym in acronyms:
                self._put(self._acronyms, acronym, node_id)
        if node.get("acronym"):
            self._put(self._acronyms, fold(node["acronym"]).replace(" ", ""), node_id)

    def type_of(self, node_id: str) -> str | None:
        """The type of an indexed node (``Country`` for the states given as ``countries``)."""
        return self._types.get(node_id)

    # -- lookup -----------------------------------------------------------------------------
    def _usable(self, node_id: str | None, ref: str | None) -> bool:
        if node_id is None or node_id == _AMBIGUOUS:
            return False
        stored = self._node_refs.get(node_id)
        return not (ref and stored and stored != ref.upper())

    def match(
        self, *, ref: str | None = None, name: str | None = None, government: bool = True
    ) -> Match | None:
        """The node an organisation with identifier ``ref`` and name ``name`` is, or ``None``.

        ``government`` says the organisation may be a state (its type is government or not
        given): only then do a country code or a country's name match a Country node.
        """
        ref = (ref or "").strip() or None
        key = ref.upper() if ref else None
        if key:
            if key in self.aliases:
                return Match(self.aliases[key], "alias")
            found = self._refs.get(key)
            if found and found != _AMBIGUOUS:
                return Match(found, "iati_ref")
            if government and key in self._countries:
                return Match(self._countries[key], "country")
        if not name:
            return None
        names, acronyms = name_variants(name, query=True)
        if government and names:
            found = self._names.get("country " + names[0])
            if self._usable(found, None):
                return Match(found, "country")
        for index, normal in enumerate(names):
            found = self._names.get(normal) or self._compact.get(normal.replace(" ", ""))
            if self._usable(found, ref):
                return Match(found, "name")
            if index == 0 and found == _AMBIGUOUS:
                break
        for acronym in acronyms:
            found = self._acronyms.get(acronym)
            if self._usable(found, ref):
                return Match(found, "acronym")
        return self._fuzzy_match(names[0] if names else "", ref)

    def _fuzzy_match(self, normal: str, ref: str | None) -> Match | None:
        if len(normal) < FUZZY_MIN_LENGTH or not self._fuzzy:
            return None
        candidates = process.extract(
            normal, self._fuzzy.keys(), scorer=fuzz.ratio, score_cutoff=self.threshold - FUZZY_MARGIN, limit=3
        )
        if not candidates:
            return None
        best, score, _ = candidates[0]
        node_id = self._fuzzy[best]
        if score < self.threshold or not self._usable(node_id, ref):
            return None
        if any(self._fuzzy[c] != node_id for c, s, _ in candidates[1:] if score - s < FUZZY_MARGIN):
            return None
        if not self._same_markers(normal, best):
            return None
        return Match(node_id, "fuzzy", round(score, 1))

    def _same_markers(self, a: str, b: str) -> bool:
        """Words that differ must be misspellings of each other, numbers and country names must agree:
        "Embassy of Sweden in Serbia" is not "... in Bosnia"."""
        if _DIGITS.findall(a) != _DIGITS.findall(b):
            return False
        words_a, words_b = set(a.split()), set(b.split())
        if (words_a & self._country_words) != (words_b & self._country_words):
            return False
        only_a, only_b = words_a - words_b, words_b - words_a
        return _paired(only_a, only_b) and _paired(only_b, only_a)


def _paired(words: set[str], others: set[str]) -> bool:
    return all(
        len(word) >= 4
        and any(len(other) >= 4 and fuzz.ratio(word, other) >= FUZZY_WORD_THRESHOLD for other in others)
        for word in words
    )


#: (name, allowed node types) → (id, how it matched), or ``None``.
NameMatcher = Callable[[str, tuple[str, ...]], "tuple[str, str] | None"]


def sheet_matcher(store: GraphStore) -> NameMatcher:
    """A matcher over the store's organisations, institutions and countries, for names alone.

    The spreadsheet importer asks it for a name and the node types a column allows; a match of
    another type counts as no match.
    """
    nodes = [n for kind in ACTOR_TYPES for n in store.nodes(type=kind)]
    matcher = OrgMatcher(nodes)

    def match(name: str, kinds: tuple[str, ...]) -> tuple[str, str] | None:
        found = matcher.match(name=name, government="Country" in kinds)
        if found is not None and matcher.type_of(found.id) in kinds:
            return found.id, found.how
        return None

    return match
