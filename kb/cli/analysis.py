"""kb commands: the analyses (overlaps, gaps, who-funds, co-funders, cofunding, coverage, brokers, path).

Each command resolves what the user typed (``--pillar WBBSi``, ``--country RS``), loads only
the part of the graph it needs from the store, runs one function of :mod:`kb.analysis` and
prints a table, ``--json`` (alone on stdout) or ``--csv FILE``. Names pass through the
Kosovo* rule everywhere; the footnote follows once.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Annotated, Any

import networkx as nx
import typer

from kb.analysis.coverage import coverage as coverage_matrix
from kb.analysis.funding import co_funders as co_funders_of
from kb.analysis.funding import cofunding as cofunding_pairs
from kb.analysis.funding import who_funds as who_funds_need
from kb.analysis.gaps import gaps as find_gaps
from kb.analysis.models import Amounts, Converted, NodeRef, Rate
from kb.analysis.money import Rates, parse_rates
from kb.analysis.network import actor_paths
from kb.analysis.network import brokers as find_brokers
from kb.analysis.overlaps import overlaps as find_overlaps
from kb.cli.app import app, get_store
from kb.cli.options import CountryOption, CycleOption, DonorOption, FromOption, PillarOption, ToOption
from kb.cli.output import JsonOption, console, emit_json, table
from kb.errors import InvalidInputError
from kb.filters import resolve_actor, resolve_filters, window_of
from kb.presentation import KOSOVO_FOOTNOTE, display, money, names_in, names_kosovo, shown
from kb.store.port import SubgraphFilter

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
CsvOption = Annotated[
    Path | None, typer.Option("--csv", help="Also write the rows to this CSV file.", show_default=False)
]


def _rates(path: Path | None) -> Rates | None:
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(
            f"cannot read rates file {path}: {getattr(exc, 'strerror', None) or exc}"
        ) from None
    return parse_rates(text, origin=str(path))


# -- printing ------------------------------------------------------------------------------
def _money(amounts: Amounts) -> str:
    """Amounts per currency, side by side, never added."""
    return "; ".join(money(v, c) for c, v in amounts.items()) or "—"


def _converted(c: Converted | None) -> str:
    if c is None:
        return ""
    text = money(c.total, c.base)
    return text + (f" (+ unconverted {_money(c.unconverted)})" if c.unconverted else "")


def _names(refs: Iterable[NodeRef]) -> str:
    return ", ".join(r.label for r in refs)


def _rates_note(rates: Rates | None, converted: Iterable[Converted | None]) -> str | None:
    if rates is None:
        return None
    used: dict[str, Rate] = {r.currency: r for c in converted if c for r in c.applied}
    if not used:
        return f"rates: none applied (base {rates.base})"
    return f"rates applied (to {rates.base}): " + "; ".join(
        f"1 {r.currency} = {r.rate:g} {rates.base} ({r.date}, {r.source})" for r in used.values()
    )


def _write_csv(path: Path, columns: Sequence[str], rows: list[list[str]]) -> None:
    cells = [[display(c) for c in row] for row in rows]
    try:
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(columns)
            writer.writerows(cells)
            if names_kosovo(c for row in rows for c in row):
                writer.writerow([KOSOVO_FOOTNOTE])
    except OSError as exc:
        raise InvalidInputError(f"cannot write CSV file {path}: {exc.strerror or exc}") from None


def _publish(
    *,
    title: str,
    columns: Sequence[str],
    rows: list[list[Any]],
    payload: dict[str, Any],
    as_json: bool,
    csv_file: Path | None,
    empty: str,
    note: str | None = None,
) -> None:
    """One way out for every analysis: JSON alone, or a table (or the empty message), plus CSV."""
    rows = [["" if c is None else str(c) for c in row] for row in rows]
    if csv_file is not None:
        _write_csv(csv_file, columns, rows)
    if as_json:
        out = shown(payload)
        if names_kosovo(names_in(payload)):
            out["footnote"] = KOSOVO_FOOTNOTE
        emit_json(out)
        return
    if rows:
        table(title, columns, rows, caption=note)
    else:
        console.print(empty)
    if csv_file is not None:
        console.print(f"wrote {len(rows)} row(s) to {csv_file}")


def _dump(items: Iterable[Any]) -> list[Any]:
    return [i.model_dump(mode="json") for i in items]


def _sources(evidence: Iterable[Any]) -> str:
    return ", ".join(sorted({s for e in evidence for s in e.sources}))


def _evidence_table(results: Sequence[Any]) -> None:
    rows = [
        [i, e.type, e.source, e.target, ", ".join(e.sources)]
        for i, r in enumerate(results, 1)
        for e in r.evidence
    ]
    if rows:
        table("Evidence", ["#", "edge", "from", "to", "sources"], rows)


def _filtered(
    ctx: typer.Context,
    pillar: str | None,
    country: str | None,
    donor: str | None,
    date_from: str | None,
    date_to: str | None,
    cycle: str | None,
    rates_file: Path | None,
) -> tuple[nx.MultiDiGraph, SubgraphFilter, Rates | None]:
    store = get_store(ctx)
    filters = resolve_filters(store, pillar, country, donor, date_from, date_to, cycle)
    rates = _rates(rates_file)
    return store.subgraph(filters), filters, rates


def _empty_message(G: nx.MultiDiGraph, what: str) -> str:
    if G.number_of_nodes() == 0:
        return "The selection is empty: no need or project matches these filters."
    return f"No {what} in this selection."


# -- commands ------------------------------------------------------------------------------
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
    show_evidence: EvidenceOption = False,
) -> None:
    """Distinct donors paying for the same need (or context) in overlapping periods, ranked."""
    G, filters, rates = _filtered(ctx, pillar, country, donor, date_from, date_to, cycle, rates_file)
    found = find_overlaps(G, window=window_of(filters), rates=rates)
    columns = [
        "#",
        "level",
        "need / context",
        "country",
        "donors",
        "implementers",
        "projects",
        "overlap",
        "amounts",
        *(["converted"] if rates else []),
        "evidence",
    ]
    rows = [
        [
            i,
            o.level if o.level == "need" else "context (possible)",
            o.need.name if o.need else "; ".join(o.context),
            _names(o.countries),
            _names(o.donors),
            _names(o.implementers),
            _names(o.projects),
            o.period.label(),
            _money(o.amounts),
            *([_converted(o.converted)] if rates else []),
            f"{len(o.evidence)} edges ({_sources(o.evidence)})",
        ]
        for i, o in enumerate(found, 1)
    ]
    _publish(
        title="Overlaps",
        columns=columns,
        rows=rows,
        payload={"filters": filters.model_dump(mode="json"), "overlaps": _dump(found)},
        as_json=as_json,
        csv_file=csv_file,
        empty=_empty_message(G, "overlaps"),
        note=_rates_note(rates, (o.converted for o in found)),
    )
    if show_evidence and not as_json:
        _evidence_table(found)


@app.command()
def gaps(
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
    show_evidence: EvidenceOption = False,
) -> None:
    """Needs nobody answers, underfunded needs and empty partner × pillar cells, by priority."""
    G, filters, rates = _filtered(ctx, pillar, country, donor, date_from, date_to, cycle, rates_file)
    found = find_gaps(G, window=window_of(filters), rates=rates)
    columns = [
        "#",
        "kind",
        "priority",
        "need",
        "country",
        "pillar",
        "required",
        "funded",
        "shortfall",
        "not comparable",
        "why",
    ]
    rows = [
        [
            i,
            g.kind.replace("_", " "),
            g.priority,
            g.need.name if g.need else _names(g.needs),
            _names(g.countries),
            _names(g.pillars),
            _money(g.required) if g.required else "",
            _money(g.funded) if g.kind == "underfunded" else "",
            _money(g.shortfall) if g.shortfall else "",
            _money(g.uncounted) if g.uncounted else "",
            g.reason,
        ]
        for i, g in enumerate(found, 1)
    ]
    _publish(
        title="Gaps",
        columns=columns,
        rows=rows,
        payload={"filters": filters.model_dump(mode="json"), "gaps": _dump(found)},
        as_json=as_json,
        csv_file=csv_file,
        empty=_empty_message(G, "gaps"),
        note=_rates_note(rates, (g.converted for g in found)),
    )
    if show_evidence and not as_json:
        _evidence_table(found)


@app.command("who-funds")
def who_funds(
    ctx: typer.Context,
    need_id: Annotated[str, typer.Argument(help="Need id, e.g. need:demo-mk-pve.")],
    rates_file: RatesOption = None,
    csv_file: CsvOption = None,
    as_json: JsonOption = False,
) -> None:
    """Everyone funding or implementing a need, with amounts and periods."""
    store = get_store(ctx)
    node = store.get(need_id)
    if node["type"] != "Need":
        raise InvalidInputError(f"'{need_id}' is of type {node['type']}, not a need")
    rates = _rates(rates_file)
    projects = store.ends("ADDRESSES", side="source", others={need_id})
    result = who_funds_need(store.around({need_id} | projects), need_id, rates=rates)
    rows = [
        [
            line.actor.label,
            line.role,
            line.project.name,
            line.status,
            line.period.label() if line.period else "not active",
            _money(line.amounts) if line.role == "funder" else "",
        ]
        for line in result.lines
    ]
    note = f"total (not cancelled): {_money(result.totals)}"
    if result.required:
        note += f"; required: {_money(result.required)}"
    if result.converted:
        note += f"; converted: {_converted(result.converted)}; {_rates_note(rates, [result.converted])}"
    _publish(
        title=f"Who funds {result.need.name} ({_names(result.countries)}, priority {result.priority})",
        columns=["actor", "role", "project", "status", "active", "amounts"],
        rows=rows,
        payload={"who_funds": result.model_dump(mode="json")},
        as_json=as_json,
        csv_file=csv_file,
        empty=f"No project addresses {need_id}.",
        note=note,
    )


@app.command("co-funders")
def co_funders(
    ctx: typer.Context,
    org_id: Annotated[str, typer.Argument(help="Donor id, e.g. org:dg-near or country:at.")],
    csv_file: CsvOption = None,
    as_json: JsonOption = False,
) -> None:
    """For a donor: the needs it funds, and who else funds each of them."""
    store = get_store(ctx)
    actor = resolve_actor(store, org_id)
    G = store.subgraph(SubgraphFilter(donor=org_id))
    needs = co_funders_of(G, org_id).needs if org_id in G else []
    rows = []
    for n in needs:
        own = _money({c: v for line in n.own for c, v in line.amounts.items()})
        own_projects = ", ".join(line.project.name for line in n.own)
        for other in n.others or [None]:
            rows.append(
                [
                    n.need.name,
                    n.priority,
                    own_projects,
                    own,
                    other.actor.label if other else "— nobody else",
                    other.project.name if other else "",
                    other.period.label() if other and other.period else "",
                    _money(other.amounts) if other else "",
                ]
            )
    _publish(
        title=f"Co-funders of {actor.name}",
        columns=[
            "need",
            "priority",
            "its projects",
            "its amounts",
            "other funder",
            "project",
            "active",
            "amounts",
        ],
        rows=rows,
        payload={"org": actor.model_dump(mode="json"), "needs": _dump(needs)},
        as_json=as_json,
        csv_file=csv_file,
        empty=f"{org_id} funds no project addressing a need.",
    )


@app.command()
def cofunding(
    ctx: typer.Context,
    rates_file: RatesOption = None,
    csv_file: CsvOption = None,
    as_json: JsonOption = False,
) -> None:
    """The donor–donor network: pairs of donors funding the same needs, weighted."""
    rates = _rates(rates_file)
    G = get_store(ctx).subgraph()
    pairs = cofunding_pairs(G, rates=rates)
    rows = [
        [
            i,
            p.donors[0].label,
            p.donors[1].label,
            p.weight,
            _names(p.needs),
            _money(p.amounts),
            *([_converted(p.converted)] if rates else []),
        ]
        for i, p in enumerate(pairs, 1)
    ]
    _publish(
        title="Co-funding: donor pairs sharing needs",
        columns=[
            "#",
            "donor",
            "donor",
            "shared needs",
            "needs",
            "amounts (both)",
            *(["converted"] if rates else []),
        ],
        rows=rows,
        payload={"pairs": _dump(pairs)},
        as_json=as_json,
        csv_file=csv_file,
        empty=_empty_message(G, "pair of donors sharing a need"),
        note=_rates_note(rates, (p.converted for p in pairs)),
    )


@app.command()
def coverage(
    ctx: typer.Context,
    rates_file: RatesOption = None,
    csv_file: CsvOption = None,
    as_json: JsonOption = False,
) -> None:
    """Pillar × partner matrix: needs, needs answered, projects and funding per currency."""
    rates = _rates(rates_file)
    G = get_store(ctx).subgraph()
    result = coverage_matrix(G, rates=rates)
    cells = {(c.country.id, c.pillar.id): c for c in result.cells}

    def cell_text(c: Any) -> str:
        text = (
            f"{c.addressed}/{c.needs} needs answered · {c.projects} project{'' if c.projects == 1 else 's'}"
            f" · {_money(c.amounts)}"
        )
        return text + (f" · {_converted(c.converted)}" if c.converted else "")

    rows = [
        [partner.name, *(cell_text(cells[(partner.id, pillar.id)]) for pillar in result.pillars)]
        for partner in result.partners
    ]
    _publish(
        title="Coverage: partner × pillar",
        columns=["partner", *(p.label for p in result.pillars)],
        rows=rows if result.pillars else [],
        payload={"coverage": result.model_dump(mode="json")},
        as_json=as_json,
        csv_file=csv_file,
        empty="No partner or pillar stored.",
        note=_rates_note(rates, (c.converted for c in result.cells)),
    )


@app.command()
def brokers(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, max=10000, help="How many to list.")] = 20,
    csv_file: CsvOption = None,
    as_json: JsonOption = False,
) -> None:
    """Actors that connect otherwise separate groups (betweenness on the actor graph)."""
    G = get_store(ctx).subgraph()
    found = find_brokers(G, limit=limit)
    rows = [
        [
            i,
            b.actor.label,
            b.actor.type,
            f"{b.betweenness:.4f}",
            b.partners,
            b.groups_joined,
            b.projects,
            b.events,
        ]
        for i, b in enumerate(found, 1)
    ]
    _publish(
        title="Brokers",
        columns=["#", "actor", "type", "betweenness", "partners", "groups joined", "projects", "events"],
        rows=rows,
        payload={"brokers": _dump(found)},
        as_json=as_json,
        csv_file=csv_file,
        empty="No actor links otherwise separate actors (no shared projects or events).",
        note="betweenness: share of shortest actor-to-actor links passing through the actor; "
        "groups joined ≥ 2: without it some actors would not be connected",
    )


@app.command()
def path(
    ctx: typer.Context,
    org_a: Annotated[str, typer.Argument(help="First actor id, e.g. org:giz.")],
    org_b: Annotated[str, typer.Argument(help="Second actor id, e.g. country:us.")],
    limit: Annotated[int, typer.Option(min=1, max=100, help="How many shortest paths to list.")] = 5,
    csv_file: CsvOption = None,
    as_json: JsonOption = False,
) -> None:
    """How two actors are connected: shortest paths through projects and events."""
    store = get_store(ctx)
    a, b = resolve_actor(store, org_a), resolve_actor(store, org_b)
    found = actor_paths(store.subgraph(), a.id, b.id, limit=limit)
    rows = [
        [i, j, s.node.name, s.node.type, s.via or ""]
        for i, p in enumerate(found, 1)
        for j, s in enumerate(p.steps)
    ]
    _publish(
        title=f"Paths from {a.name} to {b.name}",
        columns=["path", "step", "node", "type", "via"],
        rows=rows,
        payload={
            "from": a.model_dump(mode="json"),
            "to": b.model_dump(mode="json"),
            "paths": [{"length": p.length, **p.model_dump(mode="json")} for p in found],
        },
        as_json=as_json,
        csv_file=csv_file,
        empty=f"{a.id} and {b.id} are not connected through projects or events.",
        note=f"{len(found)} shortest path(s) of length {found[0].length}" if found else None,
    )
