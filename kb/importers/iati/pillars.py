"""Pillar assignment from a rule file: DAC sectors first, then keywords, each with its reason.

The rules are data (``pillar_rules.yaml``; the format is in its header and in
``docs/iati-mapping.md``); this module only reads and applies them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from anyascii import anyascii
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from kb.errors import ImportFormatError
from kb.importers.iati.codes import sector_name
from kb.text import fold

DEFAULT_RULES = Path(__file__).with_name("pillar_rules.yaml")
_ASCII_NON_WORD = re.compile(r"[^a-z0-9]+")


class PillarSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^pillar:\S+$")
    code: str
    number: int = Field(ge=1, le=3)
    name: str


class SectorRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pillars: list[str] = Field(default_factory=list)
    otherwise: list[str] = Field(default_factory=list)


class RuleFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = 1
    pillars: dict[str, PillarSpec]
    sectors: dict[str, SectorRule] = Field(default_factory=dict)
    keywords_alone_review: bool = True
    language_aliases: dict[str, str] = Field(default_factory=dict)
    keywords: dict[str, dict[str, list[str]]] = Field(default_factory=dict)
    exclude: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _pillars_known(self) -> RuleFile:
        named = [p for rule in self.sectors.values() for p in (*rule.pillars, *rule.otherwise)]
        named += list(self.keywords)
        unknown = sorted(set(named) - set(self.pillars))
        if unknown:
            raise ValueError(
                f"unknown pillar key(s) {', '.join(unknown)} (declared: {', '.join(self.pillars)})"
            )
        return self


@dataclass(frozen=True)
class Assignment:
    """One pillar for one activity, with why."""

    pillar: str  # node id, e.g. pillar:wbcsci
    reason: str
    review: bool = False


class _AsciiTable(dict):
    """``str.translate`` table giving each character's :func:`anyascii` form, filled as characters are met."""

    def __missing__(self, code_point: int) -> str:
        value = self[code_point] = anyascii(chr(code_point))
        return value


_TO_ASCII = _AsciiTable()
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")


def fold_text(text: str) -> str:
    """:func:`kb.text.fold`, faster on long texts (same result).

    >>> fold_text("Lucha contra la corrupción"), fold_text("Гранична полиција")
    ('lucha contra la corrupcion', 'granicna policija')
    """
    if not text.isascii():
        if _CYRILLIC.search(text):
            return fold(text)
        text = text.translate(_TO_ASCII)  # what anyascii does, one character at a time
    return _ASCII_NON_WORD.sub(" ", text.lower()).strip()


def _phrase_pattern(phrase: str) -> str:
    words = phrase.split()
    parts: list[str] = []
    for index, word in enumerate(words):
        prefix = word.endswith("*")
        folded = fold(word.rstrip("*")).split()
        if not folded:
            continue
        for position, piece in enumerate(folded):
            last = position == len(folded) - 1
            parts.append(re.escape(piece) + (r"[a-z0-9]*" if prefix and last else ""))
        if index == len(words) - 1 and not prefix:
            parts[-1] += r"(?![a-z0-9])"
    if not parts:
        raise ValueError(f"empty keyword {phrase!r}")
    return r"(?<![a-z0-9])" + " ".join(parts)


def _phrase_body(phrase: str) -> str:
    return _phrase_pattern(phrase).removeprefix(_WORD_START)


_WORD_START = r"(?<![a-z0-9])"


def _compile(by_pillar: dict[str, list[str]]) -> tuple[re.Pattern[str], dict[str, str]] | None:
    """One pattern for several pillars' phrases (a named group per pillar), and group → pillar."""
    groups: list[str] = []
    names: dict[str, str] = {}
    for index, (pillar, phrases) in enumerate(by_pillar.items()):
        bodies = sorted({_phrase_body(p) for p in phrases}, key=len, reverse=True)
        if bodies:
            names[f"p{index}"] = pillar
            groups.append(f"(?P<p{index}>{'|'.join(bodies)})")
    if not groups:
        return None
    return re.compile(_WORD_START + "(?:" + "|".join(groups) + ")"), names


class PillarRules:
    """The rule file, compiled. ``assign`` gives the pillars of one activity."""

    def __init__(self, rules: RuleFile, origin: str = "") -> None:
        self.rules = rules
        self.origin = origin
        self.pillar_ids = {key: spec.id for key, spec in rules.pillars.items()}
        self.aliases = {k.lower(): v.lower() for k, v in rules.language_aliases.items()}
        languages = {lang.lower() for by_language in rules.keywords.values() for lang in by_language} - {
            "any"
        }
        self._patterns = {
            lang: _compile({p: [*by.get("any", []), *by.get(lang, [])] for p, by in rules.keywords.items()})
            for lang in languages | {"any"}
        }
        self._all_languages = _compile(
            {
                p: list(dict.fromkeys(x for phrases in by.values() for x in phrases))
                for p, by in rules.keywords.items()
            }
        )
        excluded = [_phrase_pattern(p) for p in rules.exclude]
        self._exclude = re.compile("|".join(excluded)) if excluded else None

    @classmethod
    def load(cls, path: Path | None = None) -> PillarRules:
        """Read and check a rule file; :class:`ImportFormatError` says what is wrong with it.

        The compiled rules are kept while the file is unchanged (same path, size and mtime).
        """
        path = path or DEFAULT_RULES
        try:
            stat = path.stat()
            return _load(str(path), stat.st_mtime_ns, stat.st_size)
        except OSError as exc:
            raise ImportFormatError(f"pillar rules {path}: cannot read: {exc.strerror or exc}") from exc
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise ImportFormatError(f"pillar rules {path}: not valid YAML: {exc}".splitlines()[0]) from exc
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ImportFormatError(f"pillar rules {path}: {where}: {first['msg']}") from exc
        except (ValueError, re.error) as exc:
            raise ImportFormatError(f"pillar rules {path}: {exc}") from exc

    def pillar_nodes(self) -> dict[str, dict[str, Any]]:
        """Node records of the pillars, by id (created when the store lacks them)."""
        return {
            spec.id: {
                "type": "Pillar",
                "id": spec.id,
                "name": spec.name,
                "code": spec.code,
                "number": spec.number,
            }
            for spec in self.rules.pillars.values()
        }

    def _pattern(self, lang: str) -> tuple[re.Pattern[str], dict[str, str]] | None:
        """The compiled phrases for a text in ``lang``: its list and ``any``, or every list if unknown."""
        lang = lang.lower()
        lang = self.aliases.get(lang, lang)
        if lang in self._patterns:
            return self._patterns[lang]
        primary = lang.split("-")[0]
        primary = self.aliases.get(primary, primary)
        if primary in self._patterns:
            return self._patterns[primary]
        return self._all_languages

    def _hits(self, folded: str, compiled: tuple[re.Pattern[str], dict[str, str]]) -> dict[str, str]:
        pattern, names = compiled
        found: dict[str, str] = {}
        for match in pattern.finditer(folded):
            pillar = names[match.lastgroup or ""]
            if pillar not in found:
                found[pillar] = match.group(0)
                if len(found) == len(names):
                    break
        return found

    def keyword_hits(self, texts: Iterable[tuple[str, str, str]]) -> dict[str, str]:
        """Pillar key → its first keyword hit as ``'word' (lang, where)``; texts are (where, lang, text)."""
        hits: dict[str, str] = {}
        for where, lang, text in texts:
            compiled = self._pattern(lang)
            if compiled is None:
                continue
            folded = fold_text(text)
            found = self._hits(folded, compiled)
            if found and self._exclude is not None:
                found = self._hits(self._exclude.sub(" ", folded), compiled)
            for pillar, word in found.items():
                hits.setdefault(pillar, f"'{word}' ({lang or 'no language'}, {where})")
        return hits

    def assign(
        self, sectors: Sequence[tuple[str, float | None]], texts: Iterable[tuple[str, str, str]]
    ) -> list[Assignment]:
        """The pillars of one activity, from its DAC sectors, titles and descriptions (where, lang, text)."""
        reasons: dict[str, list[str]] = {}
        review: dict[str, bool] = {}
        listed = [(code, pct) for code, pct in sectors if code in self.rules.sectors]
        for code, pct in listed:
            for pillar in self.rules.sectors[code].pillars:
                share = f" ({pct:g}%)" if pct is not None else ""
                reasons.setdefault(pillar, []).append(f"sector {code} {sector_name(code)}{share}".strip())
                review[pillar] = False
        for pillar, hit in self.keyword_hits(texts).items():
            reasons.setdefault(pillar, []).append(f"keyword {hit}")
            if pillar not in review:
                review[pillar] = bool(self.rules.keywords_alone_review and not listed)
        if not reasons:
            for code, _pct in listed:
                for pillar in self.rules.sectors[code].otherwise:
                    reasons.setdefault(pillar, []).append(
                        f"sector {code} {sector_name(code)} and no pillar keyword: to be reviewed"
                    )
                    review[pillar] = True
        order = list(self.rules.pillars)
        return [
            Assignment(pillar=self.pillar_ids[key], reason="; ".join(reasons[key]), review=review[key])
            for key in sorted(reasons, key=order.index)
        ]


@functools.lru_cache(maxsize=8)
def _load(path: str, _mtime_ns: int, _size: int) -> PillarRules:
    doc: Any = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    return PillarRules(RuleFile.model_validate(doc), origin=path)


_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
