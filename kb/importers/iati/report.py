"""What an IATI import read, took, skipped and why: per file and in total, as plain JSON."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from kb.importers.iati import codes
from kb.importers.iati.activity import ERROR_REASONS
from kb.presentation import KOSOVO_FOOTNOTE, display, names_kosovo
from kb.records import Batch

#: Skipped activities listed by id per file (the counts are always complete).
LISTED_SKIPS = 200

REASONS = {
    "no_identifier": "no iati-identifier",
    "no_usable_recipient": "no recipient country with a known code",
    "other_countries": "recipients outside the selected countries",
    "other_sectors": "not a security subject (no pillar)",
    "unparseable_date": "a date that is not an ISO date",
    "inconsistent_dates": "an end date before the start date",
    "missing_code": "a required code is missing",
    "unknown_code": "a code not in the IATI codelists",
    "unparseable_value": "an amount that is not a number",
    "invalid_record": "a record the schema refuses",
    "duplicate": "iati-identifier met before (older or same version)",
}


@dataclass
class FileResult:
    path: str
    status: str  # imported | checked | failed | rejected
    activities_read: int = 0
    imported: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    skipped_activities: list[dict[str, str | None]] = field(default_factory=list)
    error: str | None = None
    write: dict[str, int] | None = None
    batch: dict[str, int] | None = None

    def skip(self, identifier: str | None, reason: str, detail: str) -> None:
        self.skipped[reason] += 1
        if len(self.skipped_activities) < LISTED_SKIPS:
            self.skipped_activities.append(
                {"iati_identifier": identifier, "reason": reason, "detail": detail}
            )

    def to_json(self, *, details: bool) -> dict[str, Any]:
        out: dict[str, Any] = {
            "file": self.path,
            "status": self.status,
            "activities_read": self.activities_read,
            "imported": self.imported,
            "skipped": dict(sorted(self.skipped.items())),
        }
        if self.error:
            out["error"] = self.error
        if self.write is not None:
            out["store"] = self.write
        if details:
            out["skipped_activities"] = self.skipped_activities
        return out


@dataclass
class Report:
    write: bool
    files: list[FileResult] = field(default_factory=list)
    versions: Counter[str] = field(default_factory=Counter)
    duplicates: list[dict[str, str]] = field(default_factory=list)
    organisations: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    generic_organisations: list[str] = field(default_factory=list)
    notes: dict[str, int] = field(default_factory=dict)
    nodes: Counter[str] = field(default_factory=Counter)
    edges: Counter[str] = field(default_factory=Counter)
    pillars: Counter[str] = field(default_factory=Counter)
    #: Projects to look at before trusting what the import concluded, with why: project id → entry.
    to_review: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Gaps the import opened and closed (:func:`kb.questions.analyses.gaps` before and after).
    gaps_opened: list[dict[str, Any]] = field(default_factory=list)
    gaps_closed: list[dict[str, Any]] = field(default_factory=list)
    countries: Counter[str] = field(default_factory=Counter)
    sectors: Counter[str] = field(default_factory=Counter)
    written_ids: set[str] = field(default_factory=set)

    def add_file(self, result: FileResult) -> None:
        self.files.append(result)

    def count_batch(self, batch: Batch) -> None:
        """Count what a file's batch holds: node and edge types, countries and pillars of its projects."""
        self.nodes.update(n["type"] for n in batch.nodes)
        for node in batch.nodes:
            if node["type"] == "Project":
                self.sectors.update(node.get("sectors", []))
        self.edges.update(e["type"] for e in batch.edges)
        names = {n["id"]: n["name"] for n in batch.nodes}
        for edge in batch.edges:
            if edge["type"] == "TARGETS":
                self.countries[edge["target"].split(":", 1)[1].upper()] += 1
            elif edge["type"] == "IN_PILLAR" and edge["source"].startswith("project:"):
                self.pillars[edge["target"]] += 1
                if edge.get("review"):
                    pillar = edge["target"].split(":", 1)[1]
                    self.flag(
                        edge["source"],
                        names.get(edge["source"], edge["source"]),
                        f"pillar {pillar} to review: {edge.get('reason', '')}".rstrip(": "),
                    )

    def flag(self, project: str, name: str, why: str) -> None:
        """Put ``project`` on the list to review, saying why (each reason once)."""
        entry = self.to_review.setdefault(project, {"id": project, "name": name, "why": []})
        if why not in entry["why"]:
            entry["why"].append(why)

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status in ("failed", "rejected")]

    def totals(self) -> dict[str, Any]:
        skipped: Counter[str] = Counter()
        for result in self.files:
            skipped.update(result.skipped)
        return {
            "activities_read": sum(f.activities_read for f in self.files),
            "imported": sum(f.imported for f in self.files),
            "skipped": dict(sorted(skipped.items())),
        }

    def to_json(self, *, details: bool = False) -> dict[str, Any]:
        """The summary: ``files``, ``activities_read``, ``imported``, ``skipped`` (reason → count),
        ``organisations`` (``new``, ``matched``), ``edges`` and more."""
        store: Counter[str] = Counter()
        for result in self.files:
            store.update(result.write or {})
        out: dict[str, Any] = {
            "mode": "import" if self.write else "validate",
            "files": [f.to_json(details=details) for f in self.files],
            **self.totals(),
            "skip_reasons": {r: REASONS[r] for r in sorted({r for f in self.files for r in f.skipped})},
            "error_reasons": sorted(ERROR_REASONS),
            "duplicates": self.duplicates,
            "organisations": {**self.organisations, "generic_left_out": self.generic_organisations},
            "nodes": dict(sorted(self.nodes.items())),
            "edges": dict(sorted(self.edges.items())),
            "pillars": dict(sorted(self.pillars.items())),
            "projects_to_review": len(self.to_review),
            "review": [self.to_review[k] for k in sorted(self.to_review)],
            "gaps_opened": self.gaps_opened,
            "gaps_closed": self.gaps_closed,
            "countries": {
                code: {"name": display(codes.country_name(code)), "projects": n}
                for code, n in sorted(self.countries.items())
            },
            "sectors": {
                code: {"name": codes.sector_name(code), "projects": n}
                for code, n in sorted(self.sectors.items())
            },
            "versions": dict(sorted(self.versions.items())),
            "notes": self.notes,
            "failed": [{"file": f.path, "error": f.error} for f in self.failed],
        }
        if self.write:
            out["store"] = dict(store)
        shown = [c["name"] for c in out["countries"].values()]
        shown += [o["name"] for o in out["organisations"].get("new", [])]
        shown += [n for m in out["organisations"].get("matched", []) for n in m["names"]]
        if names_kosovo(shown):
            out["footnote"] = KOSOVO_FOOTNOTE
        return out
