"""An IATI import run: files in, one all-or-nothing batch per file, a report out.

The order for each activity: recipient countries (the country filter, checked before the
activity is read whole), identifier, pillar assignment (the sector filter), then the activity's
own data errors, then the records. The
duplicate rule (newest ``last-updated-datetime`` wins, the first met on a tie) holds within a
file and across the files of one run.

Which node an organisation is depends on every organisation the run knows, so the files are
mapped until the organisations the run creates settle (at most :data:`SETTLE_PASSES` times)
before anything is written: the first import already gives what a second would, whatever the
order of the files.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from graph_schema import ACTOR_TYPES, ONGOING_STATUSES
from kb.analysis.models import Gap
from kb.errors import ImportFormatError, KBError
from kb.graph import paused_gc, to_networkx
from kb.importers.iati import codes
from kb.importers.iati.activity import (
    ERROR_REASONS,
    Activity,
    activity_version,
    identifier_of,
    read_activity,
    recipients_of,
)
from kb.importers.iati.mapping import ActivityMapper, Mapped, Skip, project_id, texts_for_keywords
from kb.importers.iati.orgs import Actors, load_aliases
from kb.importers.iati.parse import iter_activities
from kb.importers.iati.pillars import Assignment, PillarRules
from kb.importers.iati.report import FileResult, Report
from kb.presentation import display
from kb.questions import analyses as ask
from kb.questions.asked import Selection
from kb.records import Batch, EdgeRecord, check_one_type_per_id, edge_identity, validate_edge, validate_node
from kb.selection import SubgraphFilter
from kb.store.port import GraphStore

PILLAR_SOURCE = "pillar_rules.yaml"
#: Mapping passes at most before writing: one to learn the organisations the run creates, one to
#: map every activity knowing all of them (a third only when the second created more).
SETTLE_PASSES = 3


@dataclass(frozen=True)
class _Left:
    """An activity left out before mapping: its identifier and why."""

    identifier: str | None
    reason: str
    detail: str


#: One activity of a file before mapping: its version, and the activity read with its pillars, or
#: why it is left out.
_Event = tuple[str, Activity | None, list[Assignment] | None, _Left | None]


@dataclass
class _Reading:
    """What reading one file found, kept by the first mapping pass for the next ones (which then
    map it again without parsing): nothing in it depends on the organisations a pass knows."""

    events: list[_Event] = field(default_factory=list)
    #: The file's :class:`ImportFormatError`, if reading it stopped at one.
    error: str | None = None
    done: bool = False

    def replay(self) -> Iterator[_Event]:
        yield from self.events
        if self.error is not None:
            raise ImportFormatError(self.error)


@dataclass(frozen=True)
class Options:
    """What an import keeps. ``countries=None`` keeps every country (``--all-countries``)."""

    countries: frozenset[str] | None = frozenset(codes.WB_PARTNERS)
    all_sectors: bool = False
    strict: bool = False
    pillar_rules: Path | None = None
    aliases: Path | None = None


def parse_countries(text: str) -> frozenset[str]:
    """``"AL,BA"`` → ``{"AL", "BA"}``; :class:`ImportFormatError` names an unknown code.

    >>> sorted(parse_countries("al, xk"))
    ['AL', 'XK']
    """
    found = {c.strip().upper() for c in text.split(",") if c.strip()}
    unknown = sorted(c for c in found if not codes.country_name(c))
    if unknown or not found:
        raise ImportFormatError(
            f"--countries: unknown country code(s) {', '.join(unknown) or '(none given)'}"
        )
    return frozenset(found)


def collect_files(paths: Sequence[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """The files to read: each file given, and every ``*.xml`` below each directory (sorted).

    A path that does not exist or a directory that cannot be listed raises
    :class:`ImportFormatError` before anything is read; a sub-directory that cannot be listed
    is returned among the problems, so the other files are still read.
    """
    files: list[Path] = []
    problems: list[tuple[str, str]] = []
    for path in paths:
        if not path.exists():
            raise ImportFormatError(f"{path}: no such file or directory")
        if not path.is_dir():
            files.append(path)
            continue
        try:
            os.listdir(path)
        except OSError as exc:
            raise ImportFormatError(f"{path}: cannot read directory: {exc.strerror or exc}") from exc

        def failed(exc: OSError, top: Path = path) -> None:
            problems.append((str(exc.filename or top), f"cannot read directory: {exc.strerror or exc}"))

        found = []
        for folder, dirs, names in os.walk(path, onerror=failed):
            dirs.sort()
            found.extend(Path(folder) / n for n in names if n.lower().endswith(".xml"))
        files.extend(sorted(found))
    return list(dict.fromkeys(files)), problems


def _parse_updated(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _newer(candidate: str | None, kept: str | None) -> bool:
    """Whether ``candidate`` replaces ``kept``: a strictly newer ``last-updated-datetime``.

    A date beats none; no date never replaces.
    """
    new, old = _parse_updated(candidate), _parse_updated(kept)
    if new is None:
        return False
    return old is None or new > old


class IatiImport:
    """One run over some files. ``store=None`` or ``write=False`` checks without writing."""

    def __init__(
        self,
        store: GraphStore | None,
        options: Options | None = None,
        *,
        write: bool = True,
        actor: str = "cli",
        on_progress: Callable[[int], None] | None = None,
    ) -> None:
        self.store = store
        self.options = options or Options()
        self.write = write and store is not None
        self.actor = actor
        self.on_progress = on_progress
        self.rules = PillarRules.load(self.options.pillar_rules)
        self._existing = [n for t in ACTOR_TYPES for n in store.nodes(type=t)] if store is not None else []
        self._pillar_ids = {n["id"] for n in store.nodes(type="Pillar")} if store is not None else set()
        self._aliases = load_aliases(self.options.aliases)
        self._validated: dict[tuple, dict[str, Any]] = {}  # shared by the mapping passes
        self._fresh({}, {})
        self._bytes_done = 0

    def _fresh(self, created: dict[str, dict], created_edges: dict[str, list[dict]]) -> None:
        """Start a mapping pass knowing the store's actors and the ones a previous pass created."""
        self.actors = Actors([*self._existing, *created.values()], self._aliases)
        self.actors.persisted = {n["id"] for n in self._existing} | self._pillar_ids
        self.actors.created = dict(created)
        self.actors.created_edges = {k: list(v) for k, v in created_edges.items()}
        for node_id, record in self.rules.pillar_nodes().items():
            if node_id not in self._pillar_ids:
                self.actors.created[node_id] = {**record, "sources": [PILLAR_SOURCE]}
        self.mapper = ActivityMapper(self.actors, self._validated)
        self.report = Report(write=self.write)
        self._kept: dict[str, tuple[str | None, str]] = {}  # identifier → (last-updated, source), kept

    # -- run ------------------------------------------------------------------------------------
    def run(self, files: Iterable[Path], problems: Iterable[tuple[str, str]] = ()) -> Report:
        files = list(files)
        # Mapping and writing keep records all along and leave no cycles but each file's parser:
        # the garbage collector would scan the growing records again and again, finding nothing.
        with paused_gc():
            mapped = self._settle(files)
        self._flag([m for _, kept in mapped for m in kept.values()])
        before = self._gaps(None) if self.store is not None else None
        for where, message in problems:
            self.report.add_file(FileResult(path=where, status="failed", error=message))
        with paused_gc():
            for result, kept in mapped:
                self.report.add_file(self._write(result, kept))
        if before is not None:
            after = self._gaps(None if self.write else [m for _, kept in mapped for m in kept.values()])
            self._gap_changes(before, after)
        self.report.organisations = self.actors.summary(self.report.written_ids if self.write else None)
        self.report.generic_organisations = sorted(self.actors.outcome.generic)
        self.report.notes = dict(sorted(self.mapper.notes.items()))
        return self.report

    def _progress(self, done_in_file: int) -> None:
        if self.on_progress is not None:
            self.on_progress(self._bytes_done + done_in_file)

    def _settle(self, files: list[Path]) -> list[tuple[FileResult, dict[str, Mapped]]]:
        """Map every file until the organisations the run creates stop changing; the last mapping."""
        created: dict[str, dict] = {}
        created_edges: dict[str, list[dict]] = {}
        readings = [_Reading() for _ in files]
        for number in range(1, SETTLE_PASSES + 1):
            self._fresh(created, created_edges)
            self._bytes_done = 0
            mapped = [
                self._map_file(path, progress=number == 1, reading=reading)
                for path, reading in zip(files, readings, strict=True)
            ]
            if set(self.actors.created) == set(created) or number == SETTLE_PASSES:
                return mapped
            created, created_edges = self.actors.created, self.actors.created_edges
        raise AssertionError("unreachable")

    def import_file(self, path: Path) -> FileResult:
        """Read, map and (when writing) store one file, all-or-nothing."""
        return self._write(*self._map_file(path))

    def _map_file(
        self, path: Path, *, progress: bool = True, reading: _Reading | None = None
    ) -> tuple[FileResult, dict[str, Mapped]]:
        """Read and map one file (nothing written): its result so far and the activities kept.

        With ``reading``, the file is read once: the first call keeps in it what reading found
        (what the organisations known do not change), later calls map that again.
        """
        on_progress = self._progress if self.on_progress and progress else None
        result = FileResult(path=str(path), status="imported" if self.write else "checked")
        kept: dict[str, Mapped] = {}
        if reading is not None and reading.done:
            events: Iterable[_Event] = reading.replay()
        else:
            events = self._read(path, on_progress, reading)
        try:
            for version, activity, assignments, skip in events:
                result.activities_read += 1
                self.report.versions[version] += 1
                if skip is not None:
                    result.skip(skip.identifier, skip.reason, skip.detail)
                    continue
                assert activity is not None and assignments is not None
                self._take(path, activity, assignments, kept, result)
        except ImportFormatError as exc:
            return self._failed(result, exc.detail), {}
        finally:
            try:
                self._bytes_done += path.stat().st_size
            except OSError:
                pass
            if on_progress is not None:
                self._progress(0)
        errors = {r: n for r, n in result.skipped.items() if r in ERROR_REASONS}
        if self.options.strict and errors:
            result.status = "rejected"
            result.error = "--strict: " + ", ".join(
                f"{n} {r.replace('_', ' ')}" for r, n in sorted(errors.items())
            )
            return result, {}
        for mapped in kept.values():
            self._kept[mapped.identifier] = (mapped.last_updated, mapped.project["sources"][0])
        return result, kept

    def _write(self, result: FileResult, kept: dict[str, Mapped]) -> FileResult:
        """Store the activities kept from one file, all-or-nothing (when writing)."""
        if result.status in ("failed", "rejected"):
            return result
        path = Path(result.path)
        batch, created = self._batch(kept.values())
        if self.store is not None:
            batch.retract = self._no_longer_stated(kept.values())
        if self.write and self.store is not None:
            try:
                summary = self.store.upsert(batch, actor=self.actor, action=f"import iati {path.name}")
            except KBError as exc:
                return self._failed(result, f"{path.name}: the store refused the batch: {exc.detail}")
            result.write = summary.model_dump()
            self.actors.mark_written(created)
            self.report.written_ids.update(created)
        result.imported = len(kept)
        result.batch = batch.summary()
        self.report.count_batch(batch)
        return result

    def _failed(self, result: FileResult, message: str) -> FileResult:
        result.status = "failed"
        result.error = message
        result.imported = 0
        return result

    # -- one activity ----------------------------------------------------------------------------
    def _read(
        self, path: Path, on_progress: Callable[[int], None] | None, reading: _Reading | None
    ) -> Iterator[_Event]:
        """What each activity of ``path`` is before mapping: its version, and the activity read with its
        pillars or why it is left out. ``reading`` keeps it all (and the file's error) for later passes."""
        events = reading.events if reading is not None else None
        try:
            for info, element in iter_activities(path, on_progress=on_progress):
                version = activity_version(element, info.version) or "none"
                skip = self._country_filter(element)
                if skip is not None:
                    event: _Event = (
                        version,
                        None,
                        None,
                        _Left(identifier_of(element), skip.reason, skip.detail),
                    )
                else:
                    activity = read_activity(element, info.version)
                    try:
                        event = (version, activity, self._pillars(activity), None)
                    except Skip as why:
                        event = (version, None, None, _Left(activity.identifier, why.reason, why.detail))
                if events is not None:
                    events.append(event)
                yield event
        except ImportFormatError as exc:
            if reading is not None:
                reading.error = exc.detail
            raise
        finally:
            if reading is not None:
                reading.done = True

    def _take(
        self,
        path: Path,
        activity: Activity,
        assignments: list[Assignment],
        kept: dict[str, Mapped],
        result: FileResult,
    ) -> None:
        identifier = activity.identifier
        source = f"{path.name}#{identifier}"
        try:
            mapped = self.mapper.map(activity, assignments, source)
        except Skip as skip:
            result.skip(identifier, skip.reason, skip.detail)
            return
        assert identifier is not None
        before = kept.get(identifier)
        if before is None and identifier in self._kept:
            updated, where = self._kept[identifier]
            if not _newer(mapped.last_updated, updated):
                self._duplicate(identifier, kept=where, dropped=source, result=result)
                return
            self.report.duplicates.append(
                {
                    "iati_identifier": identifier,
                    "kept": source,
                    "dropped": where,
                    "rule": "newer last-updated-datetime",
                }
            )
        elif before is not None:
            if not _newer(mapped.last_updated, before.last_updated):
                self._duplicate(identifier, kept=before.project["sources"][0], dropped=source, result=result)
                return
            self._duplicate(identifier, kept=source, dropped=before.project["sources"][0], result=result)
            del kept[identifier]
        kept[identifier] = mapped

    def _duplicate(self, identifier: str, *, kept: str, dropped: str, result: FileResult) -> None:
        result.skip(identifier, "duplicate", f"kept {kept}")
        self.report.duplicates.append(
            {
                "iati_identifier": identifier,
                "kept": kept,
                "dropped": dropped,
                "rule": "newest last-updated-datetime (the first met when equal or missing)",
            }
        )

    def _country_filter(self, element: etree._Element) -> Skip | None:
        """Why the country filter leaves an activity out, or ``None``; checked before reading it whole."""
        countries = self.options.countries
        if countries is None:
            return None
        recipients = recipients_of(element)
        if not recipients:
            return Skip(
                "no_usable_recipient", "no recipient-country with a known code (activity or transactions)"
            )
        if not countries.intersection(recipients):
            return Skip("other_countries", ", ".join(recipients))
        return None

    def _pillars(self, activity: Activity) -> list[Assignment]:
        """The pillars of an activity to map; :class:`Skip` when it is left out before mapping."""
        if not activity.identifier:
            raise Skip("no_identifier", "iati-identifier is missing or empty")
        sectors = activity.sectors or [(code, None) for code in dict.fromkeys(activity.transaction_sectors)]
        assignments = self.rules.assign(sectors, texts_for_keywords(activity))
        if not assignments and not self.options.all_sectors:
            raise Skip("other_sectors", ", ".join(c for c, _ in sectors) or "no DAC sector")
        if activity.problems:
            reason, detail = activity.problems[0]
            raise Skip(reason, detail)
        return assignments

    def _no_longer_stated(self, kept: Iterable[Mapped]) -> list[tuple[str, str, str, str]]:
        """Stored edges of the kept activities that only IATI stated and this reading no longer does:
        an edited activity imported again loses its old funders, amounts and pillars."""
        kept = list(kept)
        stored = self._stored_edges({m.project["id"] for m in kept})
        gone = []
        for mapped in kept:
            now = {edge_identity(e) for e in mapped.edges}
            mark = f"#{mapped.identifier}"
            for e in stored.get(mapped.project["id"], ()):
                ident = edge_identity(e)
                if ident not in now and e.get("sources") and all(src.endswith(mark) for src in e["sources"]):
                    gone.append(ident)
        return gone

    def _stored_edges(self, ids: set[str]) -> dict[str, list[EdgeRecord]]:
        """The stored edges at each stored node of ``ids`` (``edges_of`` of each), in two store reads."""
        assert self.store is not None
        there = set(self.store.get_many(sorted(ids))) if ids else set()
        found: dict[str, list[EdgeRecord]] = {i: [] for i in there}
        for e in self.store.edges_at(there) if there else ():
            for end in dict.fromkeys((e["source"], e["target"])):
                if end in found:
                    found[end].append(e)
        return found

    # -- what to look at before trusting the result --------------------------------------------
    def _flag(self, kept: list[Mapped]) -> None:
        """Projects whose status contradicts their dates, and parents and children both imported
        with funding (the same money may be counted twice)."""
        today = dt.date.today().isoformat()
        for m in kept:
            p = m.project
            if p.get("status") in ONGOING_STATUSES and p.get("end") and p["end"] < today:
                self.report.flag(
                    p["id"],
                    p["name"],
                    f"status {p['status']} but its end {p['end']} has passed: is it still active?",
                )
        funded = {
            m.identifier: m for m in kept if any(e["type"] == "FUNDS" and "amount" in e for e in m.edges)
        }
        stored = self._stored_funded(m_ref for m in kept for kind, m_ref in m.related if kind in ("1", "2"))
        for m in funded.values():
            for kind, ref in m.related:
                if kind not in ("1", "2") or ref == m.identifier or not (ref in funded or ref in stored):
                    continue
                parent, child = (ref, m.identifier) if kind == "1" else (m.identifier, ref)
                why = f"parent {parent} and child {child} both state funding: the same money may be counted twice"
                self.report.flag(m.project["id"], m.project["name"], why)

    def _stored_funded(self, identifiers: Iterable[str]) -> set[str]:
        """Of ``identifiers``, the activities already stored with an amount funded."""
        if self.store is None:
            return set()
        by_project: dict[str, list[str]] = {}
        for identifier in set(identifiers):
            by_project.setdefault(project_id(identifier), []).append(identifier)
        return {
            identifier
            for node_id, edges in self._stored_edges(set(by_project)).items()
            if any(e["type"] == "FUNDS" and e.get("amount") is not None for e in edges)
            for identifier in by_project[node_id]
        }

    def _gaps(self, pending: list[Mapped] | None) -> dict[tuple, Gap]:
        """The store's gaps by identity; with ``pending``, as they would be once those are written."""
        assert self.store is not None
        G = self.store.subgraph()
        if pending is not None:
            batch, _ = self._batch(pending)
            nodes = {n: dict(d) for n, d in G.nodes(data=True)} | {n["id"]: n for n in batch.nodes}
            edges = {edge_identity(d): d for *_, d in G.edges(data=True)} | {
                edge_identity(e): e for e in batch.edges
            }
            G = to_networkx(nodes.values(), edges.values())
        everything = Selection(filters=SubgraphFilter(), graph=G, words=[])
        return {_gap_key(g): g for g in ask.gaps(self.store, everything).gaps}

    def _gap_changes(self, before: dict[tuple, Gap], after: dict[tuple, Gap]) -> None:
        self.report.gaps_opened = [_gap_entry(after[k]) for k in after if k not in before]
        self.report.gaps_closed = [_gap_entry(before[k]) for k in before if k not in after]

    # -- batch ----------------------------------------------------------------------------------
    def _batch(self, kept: Iterable[Mapped]) -> tuple[Batch, set[str]]:
        kept = list(kept)
        uses: set[str] = set()
        for mapped in kept:
            uses |= mapped.uses
        pending_nodes, pending_edges = self.actors.pending(sorted(uses))
        nodes = [m.project for m in kept] + [validate_node(n) for n in pending_nodes]
        edges = [e for m in kept for e in m.edges] + [validate_edge(e) for e in pending_edges]
        batch = Batch(nodes=nodes, edges=edges)
        check_one_type_per_id(batch)
        return batch, {n["id"] for n in pending_nodes}


def _gap_key(g: Gap) -> tuple:
    return (
        g.kind,
        g.need.id if g.need else None,
        tuple(c.id for c in g.countries),
        tuple(p.id for p in g.pillars),
    )


def _gap_entry(g: Gap) -> dict[str, Any]:
    where = (
        g.need.name if g.need else " / ".join([*(c.name for c in g.countries), *(p.label for p in g.pillars)])
    )
    return {"kind": g.kind, "priority": g.priority, "gap": display(where), "why": display(g.reason)}


def run_import(
    store: GraphStore | None,
    paths: Sequence[Path],
    options: Options | None = None,
    *,
    write: bool = True,
    actor: str = "cli",
    on_progress: Callable[[int], None] | None = None,
) -> Report:
    """Import (or, with ``write=False``, check) the IATI files and directories ``paths``."""
    files, problems = collect_files(paths)
    return IatiImport(store, options, write=write, actor=actor, on_progress=on_progress).run(files, problems)


__all__ = ["IatiImport", "Options", "collect_files", "parse_countries", "run_import"]
