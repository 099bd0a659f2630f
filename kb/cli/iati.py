"""kb commands: ``kb import iati`` and ``kb validate iati`` (issue 8)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kb.cli.app import KBGroup, app, get_store, import_app, late_help
from kb.cli.output import JsonOption, emit_json, table
from kb.errors import ImportFormatError, InvalidInputError, SchemaViolationError

if TYPE_CHECKING:
    from kb.importers.iati import Options, Report

validate_app = typer.Typer(
    cls=KBGroup, help="Check input files without writing to the store.", no_args_is_help=True
)
app.add_typer(validate_app, name="validate")

#: Show a progress bar from this many bytes or files on.
PROGRESS_MIN_BYTES = 5_000_000
PROGRESS_MIN_FILES = 20
_ROWS_SHOWN = 40

Paths = Annotated[
    list[Path],
    typer.Argument(
        help="IATI activity XML files, or directories read recursively (every *.xml).", show_default=False
    ),
]
CountriesOption = Annotated[
    str | None,
    typer.Option(
        "--countries",
        help="Keep activities with these recipients.",
        show_default=False,
    ),
]
AllCountriesOption = Annotated[
    bool, typer.Option("--all-countries", help="Keep activities whatever their recipients.")
]
AllSectorsOption = Annotated[
    bool, typer.Option("--all-sectors", help="Keep activities that no pillar rule marks as security-related.")
]
StrictOption = Annotated[
    bool,
    typer.Option("--strict", help="Reject a file (write none of it) when any activity has a data error."),
]
RulesOption = Annotated[
    Path | None,
    typer.Option(
        "--pillar-rules",
        help="Pillar rule file to use instead of the shipped one (same format).",
        show_default=False,
    ),
]


def _iati_help() -> dict[str, str]:
    from kb.importers.iati.codes import WB_PARTNERS

    return {"countries": f"Keep activities with these recipients (default {','.join(WB_PARTNERS)})."}


#: The class of ``kb import iati`` and ``kb validate iati``.
IatiCommand = late_help(_iati_help)


def _options(
    countries: str | None, all_countries: bool, all_sectors: bool, strict: bool, pillar_rules: Path | None
) -> Options:
    from kb.importers.iati import Options, parse_countries
    from kb.importers.iati.codes import WB_PARTNERS

    if countries and all_countries:
        raise InvalidInputError("give --countries or --all-countries, not both")
    try:
        selected = None if all_countries else parse_countries(countries or ",".join(WB_PARTNERS))
    except ImportFormatError as exc:
        raise InvalidInputError(exc.detail) from None
    return Options(countries=selected, all_sectors=all_sectors, strict=strict, pillar_rules=pillar_rules)


@contextmanager
def _progress(files: list[Path]) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr for large inputs (on a terminal); yields the callback or ``None``."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    total = 0
    for path in files:
        try:
            total += path.stat().st_size
        except OSError:
            continue
    err = Console(stderr=True)
    if not err.is_terminal or (total < PROGRESS_MIN_BYTES and len(files) < PROGRESS_MIN_FILES):
        yield None
        return
    columns = (
        TextColumn("IATI"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("import", total=total)
        yield lambda done: progress.update(task, completed=done)


def _run(ctx: typer.Context, paths: list[Path], options: Options, *, write: bool) -> Report:
    from kb.importers.iati import IatiImport, collect_files

    files, problems = collect_files(paths)
    store = get_store(ctx) if write else _existing_store(ctx)
    with _progress(files) as on_progress:
        return IatiImport(store, options, write=write, actor="cli", on_progress=on_progress).run(
            files, problems
        )


def _existing_store(ctx: typer.Context) -> Any:
    """The store, for matching organisations, when one exists already; ``validate`` never creates one."""
    from kb.settings import Settings
    from kb.store import is_neo4j_location

    root = ctx.find_root()
    location = (root.obj or {}).get("store") or Settings().store_location
    if is_neo4j_location(location) or Path(location).expanduser().is_file():
        return get_store(ctx)
    return None


def _finish(report: Report, as_json: bool, *, details: bool) -> None:
    data = report.to_json(details=details)
    if as_json:
        emit_json(data)
    else:
        _tables(report, data, details=details)
    for result in report.failed:
        title = SchemaViolationError.title if result.status == "rejected" else ImportFormatError.title
        typer.echo(f"error: {title}: {result.error}", err=True)
    if report.failed:
        raise typer.Exit(1)


def _tables(report: Report, data: dict[str, Any], *, details: bool) -> None:
    from kb.importers.iati.report import REASONS

    verb = "Imported" if report.write else "Would import"
    orgs = data["organisations"]
    rows: list[tuple[str, Any]] = [
        ("files", len(data["files"])),
        ("activities read", data["activities_read"]),
        (verb.lower(), data["imported"]),
        ("skipped", sum(data["skipped"].values())),
        ("organisations new", len(orgs["new"])),
        ("organisations matched", len(orgs["matched"])),
        ("projects to review", data["projects_to_review"]),
    ]
    rows += [(f"edges {kind}", n) for kind, n in data["edges"].items()]
    rows += [(k.replace("_", " "), v) for k, v in data.get("store", {}).items()]
    table(f"IATI: {verb.lower()}", ["", "count"], rows)
    if data["skipped"]:
        table(
            "Skipped activities",
            ["reason", "count", "meaning"],
            [(r, n, REASONS.get(r, "")) for r, n in data["skipped"].items()],
        )
    if len(data["files"]) > 1 or report.failed:
        table(
            "Files",
            ["file", "status", "read", verb.lower(), "skipped", "error"],
            [
                (
                    f["file"],
                    f["status"],
                    f["activities_read"],
                    f["imported"],
                    sum(f["skipped"].values()),
                    f.get("error") or "",
                )
                for f in data["files"]
            ],
        )
    if data["review"]:
        table(
            "Projects to review",
            ["project", "name", "why"],
            [(r["id"], r["name"], "; ".join(r["why"])) for r in data["review"][:_ROWS_SHOWN]],
            caption=f"{len(data['review'])} in all (--json lists every one)"
            if len(data["review"]) > _ROWS_SHOWN
            else None,
        )
    for key, title in (("gaps_opened", "Gaps this import opens"), ("gaps_closed", "Gaps this import closes")):
        if data[key]:
            table(
                title
                if report.write
                else title.replace("opens", "would open").replace("closes", "would close"),
                ["kind", "priority", "gap", "why"],
                [(g["kind"].replace("_", " "), g["priority"], g["gap"], g["why"]) for g in data[key]],
            )
    if data["pillars"]:
        table("Pillars", ["pillar", "projects"], list(data["pillars"].items()))
    if data["countries"]:
        table(
            "Recipient countries",
            ["code", "country", "projects"],
            [(c, v["name"], v["projects"]) for c, v in data["countries"].items()],
        )
    if data["sectors"]:
        table(
            "DAC sectors",
            ["code", "sector", "projects"],
            [(c, v["name"], v["projects"]) for c, v in data["sectors"].items()][:_ROWS_SHOWN],
        )
    if orgs["matched"]:
        table(
            "Organisations matched",
            ["id", "how", "ref", "as written", "times"],
            [
                (m["id"], m["how"], m["ref"] or "", "; ".join(m["names"][:3]), m["count"])
                for m in orgs["matched"][:_ROWS_SHOWN]
            ],
            caption=f"{len(orgs['matched'])} in all" if len(orgs["matched"]) > _ROWS_SHOWN else None,
        )
    if orgs["new"]:
        table(
            "Organisations new",
            ["id", "name", "iati ref"],
            [(o["id"], o["name"], o.get("iati_ref", "")) for o in orgs["new"][:_ROWS_SHOWN]],
            caption=f"{len(orgs['new'])} in all" if len(orgs["new"]) > _ROWS_SHOWN else None,
        )
    if data["duplicates"]:
        table(
            "Duplicates (newest last-updated-datetime wins)",
            ["iati-identifier", "kept", "dropped"],
            [(d["iati_identifier"], d["kept"], d["dropped"]) for d in data["duplicates"][:_ROWS_SHOWN]],
        )
    if details:
        listed = [
            (a["iati_identifier"] or "", a["reason"], a["detail"] or "")
            for f in report.files
            for a in f.skipped_activities
        ]
        interesting = [row for row in listed if row[1] not in ("other_countries", "other_sectors")]
        if interesting:
            table(
                "Activities skipped for their data",
                ["iati-identifier", "reason", "detail"],
                interesting[:_ROWS_SHOWN],
            )
    if data["notes"]:
        table("Notes", ["what", "count"], list(data["notes"].items()))


@import_app.command("iati", cls=IatiCommand)
def import_iati(
    ctx: typer.Context,
    paths: Paths,
    countries: CountriesOption = None,
    all_countries: AllCountriesOption = False,
    all_sectors: AllSectorsOption = False,
    strict: StrictOption = False,
    pillar_rules: RulesOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import IATI activity XML (1.0x, 2.0x): projects, funders, implementers, amounts, pillars.

    Each file is written all-or-nothing; importing a file again changes nothing. A bad file in a
    directory does not stop the others; it is listed and the exit code is 1.
    """
    report = _run(
        ctx, paths, _options(countries, all_countries, all_sectors, strict, pillar_rules), write=True
    )
    _finish(report, as_json, details=False)


@validate_app.command("iati", cls=IatiCommand)
def validate_iati(
    ctx: typer.Context,
    paths: Paths,
    countries: CountriesOption = None,
    all_countries: AllCountriesOption = False,
    all_sectors: AllSectorsOption = False,
    strict: StrictOption = False,
    pillar_rules: RulesOption = None,
    as_json: JsonOption = False,
) -> None:
    """What ``kb import iati`` would take, skip and why, without writing anything."""
    report = _run(
        ctx, paths, _options(countries, all_countries, all_sectors, strict, pillar_rules), write=False
    )
    _finish(report, as_json, details=True)
