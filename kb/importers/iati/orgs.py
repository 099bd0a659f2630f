"""Organisations and countries of an IATI import: matched to existing nodes or created once.

:class:`Actors` keeps, for one import run, what the store already had, what the run created
(written with the first file that uses it) and how each organisation was matched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kb.errors import ImportFormatError
from kb.importers.iati import codes
from kb.importers.iati.activity import Org
from kb.matching import OrgMatcher, normalise_name
from kb.text import fold

DEFAULT_ALIASES = Path(__file__).with_name("org_aliases.yaml")
ALIAS_SOURCE = "org_aliases.yaml"
#: An IATI organisation identifier (``XM-DAC-41114``, ``GB-CHC-272465``) or a DAC channel code (``41114``).
_IATI_REF = re.compile(r"^(?:[A-Z]{2}-[A-Za-z0-9][A-Za-z0-9_.:/-]*|\d{5})$")
_GOVERNMENT_TYPES = frozenset({"10", "11"})


class AliasNode(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^(org|country|inst):\S+$")
    name: str
    acronym: str | None = None
    kind: str = "other"
    part_of: str | None = None
    names: list[str] = Field(default_factory=list, description="More names to match it by (not stored).")


class ParentNode(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: str = "Organisation"
    name: str
    acronym: str | None = None
    kind: str = "other"


class AliasFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    aliases: dict[str, AliasNode] = Field(default_factory=dict)
    parents: dict[str, ParentNode] = Field(default_factory=dict)
    ignore_refs: list[str] = Field(default_factory=list)
    generic_names: list[str] = Field(default_factory=list)
    generic_prefixes: list[str] = Field(default_factory=list)
    category_refs: list[str] = Field(default_factory=list)


def load_aliases(path: Path | None = None) -> AliasFile:
    """Read the alias table; :class:`ImportFormatError` says what is wrong with it."""
    path = path or DEFAULT_ALIASES
    try:
        return AliasFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise ImportFormatError(f"organisation aliases {path}: cannot read: {exc.strerror or exc}") from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ImportFormatError(
            f"organisation aliases {path}: not valid YAML: {exc}".splitlines()[0]
        ) from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ImportFormatError(f"organisation aliases {path}: {where}: {first['msg']}") from exc


def is_iati_ref(ref: str | None) -> bool:
    """Whether ``ref`` looks like an organisation identifier worth keeping.

    >>> is_iati_ref("XM-DAC-41114"), is_iati_ref("21016"), is_iati_ref("N/A"), is_iati_ref("35")
    (True, True, False, False)
    """
    return bool(ref and _IATI_REF.match(ref))


def slug(text: str, limit: int = 60) -> str:
    """A readable id part: folded words joined by dashes, cut at a word.

    >>> slug("XI-IATI-EC_NEAR"), slug("Internat. Committee Red Cross")
    ('xi-iati-ec-near', 'internat-committee-red-cross')
    """
    words = fold(text).split()
    out = ""
    for word in words:
        candidate = f"{out}-{word}" if out else word
        if len(candidate) > limit and out:
            break
        out = candidate[:limit]
    return out or "unnamed"


def display_name(names: list[tuple[str, str]]) -> tuple[str | None, list[str]]:
    """The name to show (English first) and the other distinct names."""
    if not names:
        return None, []
    ordered = sorted(names, key=lambda item: 0 if item[0] in ("en", "") or item[0].startswith("en-") else 1)
    first = ordered[0][1]
    others = list(dict.fromkeys(text for _, text in ordered[1:] if text != first))
    return first, others


@dataclass
class Outcome:
    """How organisations were resolved during a run (for the summary)."""

    matched: dict[tuple[str, str, str, str], int] = field(default_factory=dict)
    generic: set[str] = field(default_factory=set)


class Actors:
    """Organisations and countries for one run: ``org_id``/``country_id`` give node ids."""

    def __init__(self, store_nodes: Iterable[Mapping[str, Any]], aliases: AliasFile) -> None:
        store_nodes = list(store_nodes)
        self.aliases = aliases
        self.persisted: set[str] = {n["id"] for n in store_nodes}
        self._records: dict[str, Mapping[str, Any]] = {n["id"]: n for n in store_nodes}
        self.created: dict[str, dict[str, Any]] = {}
        self.created_edges: dict[str, list[dict[str, Any]]] = {}
        self.outcome = Outcome()
        self._ignore_refs = {r.strip().upper() for r in aliases.ignore_refs}
        self._category_refs = {r.strip().upper() for r in aliases.category_refs}
        self._generic = {normalise_name(n) for n in aliases.generic_names}
        self._generic_prefixes = tuple(normalise_name(p) + " " for p in aliases.generic_prefixes)
        canonical: dict[str, str] = {}
        for ref, alias in aliases.aliases.items():
            if is_iati_ref(ref) and not ref.isdigit():
                canonical.setdefault(alias.id, ref)
        self._alias_nodes = {a.id: a for a in aliases.aliases.values()}
        self._alias_refs = canonical
        self.matcher = OrgMatcher(
            store_nodes,
            aliases={ref: alias.id for ref, alias in aliases.aliases.items()},
            countries=codes.codelist("Country"),
        )
        for alias in self._alias_nodes.values():
            self.matcher.add(
                {
                    "type": "Organisation",
                    "id": alias.id,
                    "name": alias.name,
                    "aliases": alias.names,
                    "acronym": alias.acronym,
                    "iati_ref": canonical.get(alias.id),
                }
            )
        self._cache: dict[tuple[str | None, str | None, bool], tuple[str | None, str, str | None]] = {}

    # -- nodes this run creates -----------------------------------------------------------------
    def known(self, node_id: str) -> bool:
        return node_id in self.persisted or node_id in self.created

    def _create(self, record: dict[str, Any], edges: list[dict[str, Any]] | None = None) -> None:
        self.created[record["id"]] = record
        self._records[record["id"]] = record
        if edges:
            self.created_edges[record["id"]] = edges
        self.matcher.add(record)

    def pending(self, ids: Iterable[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Records (nodes, edges) of the created nodes among ``ids`` (and their parents) not yet written."""
        nodes: dict[str, dict[str, Any]] = {}
        edges: list[dict[str, Any]] = []
        todo = [i for i in ids if i in self.created and i not in self.persisted]
        while todo:
            node_id = todo.pop()
            if node_id in nodes:
                continue
            nodes[node_id] = self.created[node_id]
            for edge in self.created_edges.get(node_id, []):
                edges.append(edge)
                parent = edge["target"]
                if parent in self.created and parent not in self.persisted:
                    todo.append(parent)
        return list(nodes.values()), edges

    def mark_written(self, ids: Iterable[str]) -> None:
        self.persisted.update(ids)

    # -- countries ----------------------------------------------------------------------------
    def country_id(self, code: str, source: str) -> str:
        """The Country node of an ISO code, created from the codelist when the store lacks it."""
        node_id = f"country:{code.lower()}"
        if not self.known(node_id):
            self._create(
                {
                    "type": "Country",
                    "id": node_id,
                    "name": codes.country_name(code) or code,
                    "code": code,
                    "wb_partner": code in codes.WB_PARTNERS,
                    "sources": [source],
                }
            )
        return node_id

    # -- organisations ------------------------------------------------------------------------
    def org_id(self, org: Org, source: str) -> str | None:
        """The node of a participating, reporting or provider organisation; ``None`` if it names none."""
        ref = org.ref
        if ref and ref.strip().upper() in self._ignore_refs:
            ref = None
        government = org.type is None or org.type in _GOVERNMENT_TYPES
        key = (ref, org.name, government)
        found = self._cache.get(key)
        if found is None:
            name, other_names = display_name(org.names)
            found = self._cache[key] = (*self._resolve(org, ref, name, other_names, government, source), name)
        node_id, how, name = found
        if node_id is not None:
            self._note(node_id, how, ref, name)
        return node_id

    def _resolve(
        self,
        org: Org,
        ref: str | None,
        name: str | None,
        other_names: list[str],
        government: bool,
        source: str,
    ) -> tuple[str | None, str]:
        plausible = is_iati_ref(ref)
        match = self.matcher.match(ref=ref if plausible else None, name=name, government=government)
        if match is None and ref and not plausible and ref.strip().upper() in self.matcher.aliases:
            match = self.matcher.match(ref=ref, government=False)
        if match is not None:
            self._ensure(match.id, source)
            return match.id, match.how
        if name is None and not plausible:
            return None, "none"
        if (ref and ref.upper() in self._category_refs) or (name is not None and self._is_generic(name)):
            self.outcome.generic.add(name or ref or "")
            return None, "generic"
        base = slug(ref) if plausible else slug(name or "")
        if self._made_before(f"org:{base}", name or ref, ref if plausible else None):
            return f"org:{base}", "same id"
        node_id = self._new_id(base)
        record: dict[str, Any] = {
            "type": "Organisation",
            "id": node_id,
            "name": name or ref,
            "aliases": other_names,
            "kind": codes.ORG_KIND.get(org.type or "", "other"),
            "sources": [source],
        }
        if plausible:
            record["iati_ref"] = ref
        self._create(record)
        return node_id, "new"

    def _made_before(self, node_id: str, name: str | None, ref: str | None) -> bool:
        """Whether ``node_id`` is the organisation an earlier import made from this same mention (same
        name, same identifier or none): the matcher may find its name ambiguous, but making another
        node for it on every import would never settle."""
        record = self._records.get(node_id)
        return (
            record is not None
            and record.get("type") == "Organisation"
            and normalise_name(str(record.get("name", ""))) == normalise_name(name or "")
            and (record.get("iati_ref") or None) == ref
        )

    def _is_generic(self, name: str) -> bool:
        normal = normalise_name(name)
        return normal in self._generic or (normal + " ").startswith(self._generic_prefixes)

    def _ensure(self, node_id: str, source: str) -> None:
        """Create a matched node the store lacks: an alias's organisation or a country."""
        if self.known(node_id):
            return
        if node_id.startswith("country:"):
            self.country_id(node_id.split(":", 1)[1].upper(), source)
            return
        alias = self._alias_nodes[node_id]
        record: dict[str, Any] = {
            "type": "Organisation",
            "id": node_id,
            "name": alias.name,
            "kind": alias.kind,
            "sources": [ALIAS_SOURCE, source],
        }
        if alias.acronym:
            record["acronym"] = alias.acronym
        if node_id in self._alias_refs:
            record["iati_ref"] = self._alias_refs[node_id]
        edges = []
        if alias.part_of:
            self._ensure_parent(alias.part_of, source)
            edges.append(
                {"type": "PART_OF", "source": node_id, "target": alias.part_of, "sources": [ALIAS_SOURCE]}
            )
        self._create(record, edges)

    def _ensure_parent(self, node_id: str, source: str) -> None:
        if self.known(node_id):
            return
        if node_id.startswith("country:"):
            self.country_id(node_id.split(":", 1)[1].upper(), source)
            return
        parent = self.aliases.parents.get(node_id)
        if parent is None:
            raise ImportFormatError(
                f"organisation aliases: part_of {node_id!r} is neither stored nor under 'parents'"
            )
        record = {
            "type": parent.type,
            "id": node_id,
            "name": parent.name,
            "kind": parent.kind,
            "sources": [ALIAS_SOURCE],
        }
        if parent.acronym:
            record["acronym"] = parent.acronym
        self._create(record)

    def _new_id(self, base: str) -> str:
        node_id, number = f"org:{base}", 1
        while self.known(node_id):
            number += 1
            node_id = f"org:{base}-{number}"
        return node_id

    def _note(self, node_id: str, how: str, ref: str | None, name: str | None) -> None:
        key = (node_id, how, ref or "", name or "")
        self.outcome.matched[key] = self.outcome.matched.get(key, 0) + 1

    # -- summary ------------------------------------------------------------------------------
    def summary(self, written: set[str] | None = None) -> dict[str, list[dict[str, Any]]]:
        """``{"new": [...], "matched": [...]}``: organisations created (and written, if
        ``written`` is given) and organisations found, each with how."""
        new = [
            {"id": r["id"], "name": r["name"], **({"iati_ref": r["iati_ref"]} if r.get("iati_ref") else {})}
            for r in self.created.values()
            if r["type"] == "Organisation" and (written is None or r["id"] in written)
        ]
        grouped: dict[tuple[str, str, str], dict[str, Any]] = {}
        for (node_id, how, ref, name), count in sorted(self.outcome.matched.items()):
            if how == "new":
                continue
            entry = grouped.setdefault(
                (node_id, how, ref), {"id": node_id, "how": how, "ref": ref or None, "names": [], "count": 0}
            )
            entry["count"] += count
            if name and name not in entry["names"]:
                entry["names"].append(name)
        matched = list(grouped.values())
        return {"new": sorted(new, key=lambda r: r["id"]), "matched": matched}
