"""kb commands: the analyses (overlaps, gaps, who-funds, co-funders, cofunding, coverage, brokers, path).

Each command parses its options, asks one question of :mod:`kb.questions` and shows the answer:
its table (:mod:`kb.tables`), ``--json`` (alone on stdout, the same JSON as the API's) or
``--csv FILE``. Names pass through the Kosovo* rule everywhere; the footnote follows once.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kb.analysis.kinds import KINDS
from kb.cli.app import app, get_store
from kb.cli.options import CountryOption, CycleOption, DonorOption, FromOption, PillarOption, ToOption
from kb.cli.output import JsonOption, emit_json, print_table, say
from kb.errors import InvalidInputError

if TYPE_CHECKING:
    from kb.analysis.money import Rates
    from kb.questions import analyses as ask
    from kb.store.port import GraphStore

RatesOption = Annotated[
    Path | None,
    typer.Option(
        "--rates",
        help="CSV of currency,rate,date,source[,base]: convert totals to one base currency.",
        show_default=False,
    ),
]
EvidenceOption = Annotated[
    bool, typer.Option("--evidence", help="Also list every edge each result rests on, with its sources.")
]
#: The gap kinds as a command-line choice (typer takes enums).
GapKindChoice = enum.Enum("GapKindChoice", {kind: kind for kind in KINDS}, type=str)
KindOption = Annotated[
    list[GapKindChoice] | None,
    typer.Option(
        "--kind",
        help="Only gaps of this kind (repeat for several): "
        + "; ".join(f"{kind}: {meaning}" for kind, meaning in KINDS.items())
        + ".",
        show_default=False,
    ),
]
WideOption = Annotated[
    bool, typer.Option("--wide", help="Show every column (a terminal shows the main ones; files have all).")
]
CsvOption = Annotated[
    Path | None, typer.Option("--csv", help="Also write the rows to this CSV file.", show_default=False)
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Analyse the graph as it was after the last write at or before this date (YYYY-MM-DD, "
        "the whole day, UTC) or time (YYYY-MM-DDTHH:MM:SS), rebuilt from the history.",
        show_default=False,
    ),
]


def _rates(path: Path | None) -> Rates | None:
    from kb.analysis.money import parse_rates

    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(
            f"cannot read rates file {path}: {getattr(exc, 'strerror', None) or exc}"
        ) from None
    return parse_rates(text, origin=str(path))


def _show(
    *,
    report: ask.Report,
    store: GraphStore,
    rates: Rates | None = None,
    as_json: bool = False,
    csv_file: Path | None = None,
    xlsx_file: Path | None = None,
    evidence: bool = False,
    wide: bool = False,
) -> None:
    """One way out for every analysis: JSON alone, or its table (or what is empty), plus CSV or
    a workbook (the one ``kb report`` writes)."""
    from kb.questions import analyses as ask
    from kb.questions.asked import data_date, filters_text
    from kb.sheets.report import write_report
    from kb.tables import table_of, write_csv

    answer = table_of(report, rates)
    filters = getattr(report, "filters", None)
    if isinstance(report, ask.CoFundersReport):
        filters = report.filters.model_copy(update={"donor": report.org.id})
    words = filters_text(store, filters) if filters is not None else None
    if csv_file is not None:
        write_csv(answer, csv_file, filters=words)
    if xlsx_file is not None:
        write_report(
            answer, xlsx_file, filters=words or "", data_date=data_date(store) or "no writes recorded"
        )
    if as_json:
        emit_json(ask.as_json(report))
        return
    print_table(answer, evidence=evidence, wide=wide)
    for written in (csv_file, xlsx_file):
        if written is not None:
            say(f"wrote {len(answer.rows)} row(s) to {written}")


@app.command()
def overlaps(
    ctx: typer.Context,
    pillar: PillarOption = None,
    country: CountryOption = None,
    donor: DonorOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    cycle: CycleOption = None,
    rates_file: RatesOption = None,
    csv_file: CsvOption = None,
    as_json: JsonOption = False,
    wide: WideOption = False,
    show_evidence: EvidenceOption = False,
    as_of_date: AsOfOption = None,
) -> None:
    """Distinct donors paying for the same need (or context) in overlapping periods, ranked."""
    from kb.questions import analyses as ask
    from kb.questions.asked import Asked
    from kb.store.history import as_of

    asked = Asked(pillar, country, donor, date_from, date_to, cycle)
    rates = _rates(rates_file)
    with as_of(get_store(ctx), as_of_date) as store:
        report = ask.overlaps(store, asked, rates=rates)
        _show(
            store=store,
            report=report,
            rates=rates,
            as_json=as_json,
            csv_file=csv_file,
            evidence=show_evidence,
            wide=wide,
        )


@app.command()
def gaps(
    ctx: typer.Context,
    pillar: PillarOption = None,
    country: CountryOption = None,
    donor: DonorOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    cycle: CycleOption = None,
    kind: KindOption = None,
    rates_file: RatesOption = None,
    csv_file: CsvOption = None,
    as_json: JsonOption = False,
    wide: WideOption = False,
    show_evidence: EvidenceOption = False,
    as_of_date: AsOfOption = None,
) -> None:
    """Needs nobody answers, underfunded needs and empty partner × pillar cells, by priority."""
    from kb.questions import analyses as ask
    from kb.questions.asked import Asked
    from kb.store.history import as_of

    asked = Asked(pillar, country, donor, date_from, date_to, cycle)
    rates = _rates(rates_file)
    with as_of(get_store(ctx), as_of_date) as store:
        report = ask.gaps(store, asked, rates=rates, kinds=[k.value for k in kind or ()])
        _show(
            store=store,
            report=report,
            rates=rates,
            as_json=as_json,
            csv_file=csv_file,
            evidence=show_evidence,
            wide=wide,
        )


@app.command("who-funds")
def who_funds(
    ctx: typer.Context,
    need_id: Annotated[str, typer.Argument(help="Need id, e.g. need:demo-mk-pve.")],
    rates_file: RatesOption = None,
    csv_file: CsvOption = None,
    as_json: JsonOption = False,
    wide: WideOption = False,
) -> None:
    """Everyone funding or implementing a need, with amounts and periods."""
    from kb.questions import analyses as ask

    rates = _rates(rates_file)
    report = ask.who_funds(get_store(ctx), need_id, rates=rates)
    _show(store=get_store(ctx), report=report, rates=rates, as_json=as_json, csv_file=csv_file, wide=wide)


@app.command("co-funders")
def co_funders(
    ctx: typer.Context,
    org_id: Annotated[
        str, typer.Argument(help="Donor: name, acronym, code or id, e.g. Austria, AT, DG NEAR, org:dg-near.")
    ],
    pillar: PillarOption = None,
    country: CountryOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    cycle: CycleOption = None,
    csv_file: CsvOption = None,
    xlsx_file: Annotated[
        Path | None, typer.Option("--xlsx", help="Also write a workbook of the rows.", show_default=False)
    ] = None,
    as_json: JsonOption = False,
    wide: WideOption = False,
) -> None:
    """For a donor: the needs it funds, and who else funds each of them, co-financing one of its
    projects or funding the need through another project (the duplication risk)."""
    from kb.questions import analyses as ask
    from kb.questions.asked import Asked

    asked = Asked(pillar, country, None, date_from, date_to, cycle)
    _show(
        store=get_store(ctx),
        report=ask.co_funders(get_store(ctx), org_id, asked),
        as_json=as_json,
        csv_file=csv_file,
        xlsx_file=xlsx_file,
        wide=wide,
    )


@app.command()
def cofunding(
    ctx: typer.Context,
    pillar: PillarOption = None,
    country: CountryOption = None,
    donor: DonorOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    cycle: CycleOption = None,
    rates_file: RatesOption = None,
    csv_file: CsvOption = None,
    as_json: JsonOption = False,
    wide: WideOption = False,
) -> None:
    """The donor–donor network: pairs of donors funding the same needs, weighted."""
    from kb.questions import analyses as ask
    from kb.questions.asked import Asked

    asked = Asked(pillar, country, donor, date_from, date_to, cycle)
    rates = _rates(rates_file)
    report = ask.cofunding(get_store(ctx), asked, rates=rates)
    _show(store=get_store(ctx), report=report, rates=rates, as_json=as_json, csv_file=csv_file, wide=wide)


@app.command()
def coverage(
    ctx: typer.Context,
    pillar: PillarOption = None,
    country: CountryOption = None,
    donor: DonorOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    cycle: CycleOption = None,
    rates_file: RatesOption = None,
    csv_file: CsvOption = None,
    as_json: JsonOption = False,
    wide: WideOption = False,
) -> None:
    """Pillar × partner: needs, needs answered, projects and funding per currency."""
    from kb.questions import analyses as ask
    from kb.questions.asked import Asked

    asked = Asked(pillar, country, donor, date_from, date_to, cycle)
    rates = _rates(rates_file)
    report = ask.coverage(get_store(ctx), asked, rates=rates)
    _show(store=get_store(ctx), report=report, rates=rates, as_json=as_json, csv_file=csv_file, wide=wide)


@app.command()
def brokers(
    ctx: typer.Context,
    pillar: PillarOption = None,
    country: CountryOption = None,
    donor: DonorOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    cycle: CycleOption = None,
    limit: Annotated[int, typer.Option(min=1, max=10000, help="How many to list.")] = 20,
    csv_file: CsvOption = None,
    as_json: JsonOption = False,
    wide: WideOption = False,
) -> None:
    """Actors that connect otherwise separate groups (betweenness on the actor graph)."""
    from kb.questions import analyses as ask
    from kb.questions.asked import Asked

    asked = Asked(pillar, country, donor, date_from, date_to, cycle)
    _show(
        store=get_store(ctx),
        report=ask.brokers(get_store(ctx), asked, limit=limit),
        as_json=as_json,
        csv_file=csv_file,
        wide=wide,
    )


@app.command()
def path(
    ctx: typer.Context,
    org_a: Annotated[str, typer.Argument(help="First actor id, e.g. org:giz.")],
    org_b: Annotated[str, typer.Argument(help="Second actor id, e.g. country:us.")],
    limit: Annotated[int, typer.Option(min=1, max=100, help="How many shortest paths to list.")] = 5,
    csv_file: CsvOption = None,
    as_json: JsonOption = False,
    wide: WideOption = False,
) -> None:
    """How two actors are connected: shortest paths through projects and events."""
    from kb.questions import analyses as ask

    _show(
        store=get_store(ctx),
        report=ask.paths(get_store(ctx), org_a, org_b, limit=limit),
        as_json=as_json,
        csv_file=csv_file,
        wide=wide,
    )
