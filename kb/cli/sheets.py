"""kb commands for spreadsheets and Gephi: templates, sheet import, reports, exports."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kb.cli.app import KBGroup, app, export_app, get_store, import_app, late_help
from kb.cli.options import (
    CountryOption,
    CycleOption,
    DonorOption,
    FromOption,
    PillarOption,
    ToOption,
)
from kb.cli.output import JsonOption, console, emit_json, table
from kb.errors import InvalidInputError
from kb.sheets import REPORTS

if TYPE_CHECKING:
    from kb.questions.asked import Asked
    from kb.store.port import GraphStore


def _data_date(store: GraphStore) -> str:
    latest = store.write_log(1)
    return latest[0].at if latest else "no writes recorded"


@app.command()
def template(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="needs or responses.", metavar="needs|responses")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Workbook to write (.xlsx).")],
) -> None:
    """Write a needs- or response-mapping template with drop-downs filled from the knowledge base."""
    from kb.sheets.template import write_template

    if kind not in ("needs", "responses"):
        raise InvalidInputError(f"unknown template {kind!r}: use needs or responses")
    path = write_template(get_store(ctx), kind, output)  # type: ignore[arg-type]
    console().print(f"wrote {path}")


@import_app.command("sheet")
def import_sheet(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A filled template, a donor matrix (.xlsx or .csv).")],
    kind: Annotated[
        str | None,
        typer.Option("--kind", help="needs or responses (default: from the headers).", show_default=False),
    ] = None,
    columns: Annotated[
        Path | None,
        typer.Option("--columns", help="YAML file mapping the sheet's columns.", show_default=False),
    ] = None,
    sheet: Annotated[
        str | None,
        typer.Option("--sheet", help="Sheet name (default: the first data sheet).", show_default=False),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only check and report; write nothing.")] = False,
    create_new: Annotated[
        bool,
        typer.Option(
            "--create-new",
            help="Create organisations and institutions "
            "the matcher does not know (otherwise they are reported).",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Check every row of a sheet, report all problems at once, then import it all-or-nothing."""
    from kb.matching import sheet_matcher
    from kb.sheets.layouts import detect, from_mapping, load_mapping
    from kb.sheets.rows import read_sheet, summary
    from kb.sheets.workbook import read_table

    if kind not in (None, "needs", "responses"):
        raise InvalidInputError(f"--kind {kind!r}: use needs or responses")
    store = get_store(ctx)
    mapping = load_mapping(columns) if columns else None
    table_ = read_table(
        file,
        sheet or (mapping.sheet if mapping else None),
        header_row=mapping.header_row if mapping else None,
    )
    layout = from_mapping(table_, mapping, file.name) if mapping else detect(table_, kind)  # type: ignore[arg-type]
    result = read_sheet(table_, layout, store, sheet_matcher(store), create_new=create_new)
    result.raise_if_problems(file.name)
    report = dict(summary(result))
    report["layout"] = layout.how
    report["kind"] = layout.kind
    if not dry_run:
        report.update(
            store.upsert(result.batch, actor="cli", action=f"import sheet {file.name}").model_dump()
        )
    report["dry_run"] = dry_run
    if as_json:
        emit_json(report)
        return
    table(
        f"{'Checked' if dry_run else 'Imported'} {file.name} ({layout.kind}, {layout.how} layout)",
        ["", "count"],
        [(k.replace("_", " "), v) for k, v in report.items() if isinstance(v, int)],
    )
    if result.new_names:
        table("New names", ["name", "id"], sorted(result.new_names.items()))


#: The printable document ``kb report mapping`` writes (the workbooks are :data:`REPORTS`).
MAPPING = "mapping"


@app.command()
def report(
    ctx: typer.Context,
    kind: Annotated[
        str, typer.Argument(help=" | ".join((*REPORTS, MAPPING)), metavar="|".join((*REPORTS, MAPPING)))
    ],
    xlsx: Annotated[
        Path | None, typer.Option("--xlsx", help="Workbook to write (overlaps, gaps, coverage, cofunding).")
    ] = None,
    pdf: Annotated[
        Path | None,
        typer.Option(
            "--pdf", help="mapping: the report as a PDF (A4, page numbers, contents).", show_default=False
        ),
    ] = None,
    html: Annotated[
        Path | None,
        typer.Option(
            "--html", help="mapping: the report as one self-contained HTML file.", show_default=False
        ),
    ] = None,
    maps: Annotated[
        bool,
        typer.Option(
            "--maps/--no-maps", help="mapping: a still of the map of each pillar × partner section."
        ),
    ] = True,
    pillar: PillarOption = None,
    country: CountryOption = None,
    donor: DonorOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    cycle: CycleOption = None,
) -> None:
    """Write an analysis (overlaps, gaps, coverage, cofunding) as a formatted workbook, or the
    response-mapping report (mapping) as a printable PDF or HTML document."""
    from kb.questions import analyses as ask
    from kb.questions.asked import Asked, filters_text
    from kb.sheets.report import write_report
    from kb.tables import table_of

    asked = Asked(pillar, country, donor, date_from, date_to, cycle)
    if kind == MAPPING:
        _mapping_report(ctx, asked, pdf, html, maps=maps)
        return
    if kind not in REPORTS:
        raise InvalidInputError(f"unknown report {kind!r}: use one of {', '.join((*REPORTS, MAPPING))}")
    if xlsx is None or pdf is not None or html is not None:
        raise InvalidInputError(
            f"kb report {kind} writes a workbook: give --xlsx FILE (--pdf and --html: mapping)"
        )
    store = get_store(ctx)
    report_ = getattr(ask, kind)(store, asked)
    path = write_report(
        table_of(report_), xlsx, filters=filters_text(store, report_.filters), data_date=_data_date(store)
    )
    console().print(f"wrote {path}")


def _mapping_report(
    ctx: typer.Context, asked: Asked, pdf: Path | None, html: Path | None, *, maps: bool
) -> None:
    from kb.questions.report import mapping
    from visual.report import check_writable, write_document

    if pdf is None and html is None:
        raise InvalidInputError("kb report mapping: give --pdf FILE or --html FILE (or both)")
    for path in (pdf, html):
        if path is not None:
            check_writable(path)
    found = mapping(get_store(ctx), asked, maps=maps)
    pages = write_document(found, pdf=pdf, html=html, maps=maps)
    if html is not None:
        console().print(f"wrote {html}")
    if pdf is not None:
        console().print(f"wrote {pdf} ({pages} A4 pages)")


def _export_help() -> dict[str, str]:
    from kb.exports import FORMATS

    return {"fmt": " | ".join(FORMATS)}


@export_app.callback(invoke_without_command=True, cls=late_help(_export_help, KBGroup))
def export(
    ctx: typer.Context,
    fmt: Annotated[str | None, typer.Option("--format", help="The format.", show_default=False)] = None,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="File to write (a folder for csv).", show_default=False),
    ] = None,
    pillar: PillarOption = None,
    country: CountryOption = None,
    donor: DonorOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    cycle: CycleOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write the store, or the part the filters select, as JSON, GEXF 1.3, GraphML or CSV.

    `kb export --format gexf -o kb.gexf --pillar WBBSi`; `kb export json FILE` is the lossless dump.
    """
    from kb.dump import write_dump
    from kb.exports import FORMATS, flat_graph, write
    from kb.questions.asked import Asked

    if ctx.invoked_subcommand is not None:
        return
    if fmt is None or output is None:
        raise typer.BadParameter("give --format and -o (or use `kb export json FILE`)")
    if fmt not in FORMATS:
        raise InvalidInputError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
    store = get_store(ctx)
    filters = Asked(pillar, country, donor, date_from, date_to, cycle).resolve(store)
    if fmt == "json" and filters.is_empty():
        counts = write_dump(store, output)
        files = [output]
    else:
        graph = store.subgraph(filters)
        from visual.layout import positions
        from visual.styles import node_colour

        flat = flat_graph(
            graph,
            positions=positions(graph) if graph.number_of_nodes() else {},
            colours={n: node_colour(t) for n, t in graph.nodes(data="type")},
        )
        if fmt == "json":
            import json

            nodes = [dict(d, id=n) for n, d in graph.nodes(data=True)]
            edges = [d for *_, d in graph.edges(data=True)]
            output.write_text(
                json.dumps({"nodes": nodes, "edges": edges}, ensure_ascii=False, indent=1), encoding="utf-8"
            )
            files = [output]
        else:
            files = write(flat, fmt, output)
        counts = {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}
    if as_json:
        emit_json({"files": [str(f) for f in files], **counts})
        return
    console().print(
        f"wrote {counts['nodes']} nodes and {counts['edges']} edges to {', '.join(map(str, files))}"
    )
