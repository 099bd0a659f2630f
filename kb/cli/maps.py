"""kb commands: ``kb map …`` writes interactive network maps, one offline HTML file each.

What the user typed is resolved as everywhere else (:mod:`kb.filters`); the map
itself is a pure function of the graph (:mod:`visual.views`). ``--png`` also photographs the
page in headless Chromium for a slide deck.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kb.cli.app import KBGroup, app, get_store
from kb.cli.options import (
    CountryOption,
    CycleOption,
    DonorOption,
    FromOption,
    PillarOption,
    ToOption,
)
from kb.errors import InvalidInputError
from kb.filters import resolve_filters, window_of
from kb.presentation import display
from visual import MapPage, views, write_html
from visual.context import data_date, filter_words
from visual.network import MapModel
from visual.png import parse_size, write_png

map_app = typer.Typer(
    cls=KBGroup,
    no_args_is_help=True,
    help="Write an interactive network map: one HTML file that opens offline.",
)
app.add_typer(map_app, name="map")

OutputOption = Annotated[
    Path, typer.Option("-o", "--output", help="The HTML file to write.", show_default=False)
]
PngOption = Annotated[
    Path | None,
    typer.Option("--png", help="Also write a still of the map (PNG) for slides.", show_default=False),
]
SizeOption = Annotated[str, typer.Option("--size", help="Size of the PNG in pixels, WIDTHxHEIGHT.")]


def _write(model: MapModel, page: MapPage, output: Path, png: Path | None, size: str) -> None:
    """Write the map (and its still when asked), printing each path written."""
    dimensions = parse_size(size) if png else None
    try:
        write_html(model, page, output)
    except OSError as exc:
        raise InvalidInputError(f"cannot write {output}: {exc.strerror or exc}") from None
    typer.echo(f"wrote {output} ({len(model.network.nodes):,} nodes, {len(model.network.edges):,} links)")
    if png is not None and dimensions is not None:
        write_png(output, png, dimensions)
        typer.echo(f"wrote {png} ({dimensions[0]}x{dimensions[1]})")


class _Selection:
    """The store, the filters as typed, and the graph they select."""

    def __init__(
        self,
        ctx: typer.Context,
        pillar: str | None,
        country: str | None,
        donor: str | None,
        date_from: str | None,
        date_to: str | None,
        cycle: str | None,
    ) -> None:
        self.store = get_store(ctx)
        self.filters = resolve_filters(self.store, pillar, country, donor, date_from, date_to, cycle)
        self.words = filter_words(self.store, self.filters)
        self.window = window_of(self.filters)
        self.data_date = data_date(self.store)

    def graph(self):
        return self.store.subgraph(self.filters)


@map_app.command()
def overview(
    ctx: typer.Context,
    output: OutputOption,
    pillar: PillarOption = None,
    country: CountryOption = None,
    donor: DonorOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    cycle: CycleOption = None,
    png: PngOption = None,
    size: SizeOption = "1920x1080",
) -> None:
    """The whole knowledge base (or what the filters select), overlaps and gaps marked."""
    s = _Selection(ctx, pillar, country, donor, date_from, date_to, cycle)
    model, page = views.overview(s.graph(), filters=s.words, window=s.window, data_date=s.data_date)
    _write(model, page, output, png, size)


@map_app.command("pillar")
def pillar_map(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Pillar code: WBCTi, WBCSCi, WBBSi.")],
    output: OutputOption,
    country: CountryOption = None,
    donor: DonorOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    cycle: CycleOption = None,
    png: PngOption = None,
    size: SizeOption = "1920x1080",
) -> None:
    """One pillar: its needs, the projects answering them, donors, partners and Support Group."""
    s = _Selection(ctx, code, country, donor, date_from, date_to, cycle)
    node = s.store.get(s.filters.pillar)
    title = f"Pillar {node.get('code')}: {display(node['name'])}"
    model, page = views.overview(
        s.graph(),
        title=title,
        focus=[s.filters.pillar],
        filters=s.words,
        window=s.window,
        data_date=s.data_date,
    )
    _write(model, page, output, png, size)


@map_app.command("partner")
def partner_map(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Partner ISO code (RS, XK…) or id.")],
    output: OutputOption,
    pillar: PillarOption = None,
    donor: DonorOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    cycle: CycleOption = None,
    png: PngOption = None,
    size: SizeOption = "1920x1080",
) -> None:
    """One partner: the needs it stated, the projects working there, who funds and implements them."""
    s = _Selection(ctx, pillar, code, donor, date_from, date_to, cycle)
    title = f"{display(s.store.get(s.filters.country)['name'])}: needs and assistance"
    model, page = views.overview(
        s.graph(),
        title=title,
        focus=[s.filters.country],
        filters=s.words,
        window=s.window,
        data_date=s.data_date,
    )
    _write(model, page, output, png, size)


@map_app.command("donor")
def donor_map(
    ctx: typer.Context,
    donor_id: Annotated[str, typer.Argument(help="Funder id, e.g. org:giz.")],
    output: OutputOption,
    pillar: PillarOption = None,
    country: CountryOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    cycle: CycleOption = None,
    png: PngOption = None,
    size: SizeOption = "1920x1080",
) -> None:
    """A donor's ego network: what it funds and who else funds the same needs."""
    s = _Selection(ctx, pillar, country, donor_id, date_from, date_to, cycle)
    model, page = views.donor(
        s.graph(), s.filters.donor, filters=s.words, window=s.window, data_date=s.data_date
    )
    _write(model, page, output, png, size)


@map_app.command("need")
def need_map(
    ctx: typer.Context,
    need_id: Annotated[str, typer.Argument(help="Need id, e.g. need:demo-mk-pve.")],
    output: OutputOption,
    png: PngOption = None,
    size: SizeOption = "1920x1080",
) -> None:
    """One need: the projects addressing it and everyone funding or implementing them."""
    store = get_store(ctx)
    node = store.get(need_id)
    if node["type"] != "Need":
        raise InvalidInputError(f"'{need_id}' is of type {node['type']}, not a need")
    projects = store.ends("ADDRESSES", side="source", others={need_id})
    model, page = views.need(store.around({need_id} | projects), need_id, data_date=data_date(store))
    _write(model, page, output, png, size)


@map_app.command("overlaps")
def overlaps_map(
    ctx: typer.Context,
    output: OutputOption,
    pillar: PillarOption = None,
    country: CountryOption = None,
    donor: DonorOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    cycle: CycleOption = None,
    png: PngOption = None,
    size: SizeOption = "1920x1080",
) -> None:
    """Overlap clusters highlighted: distinct donors on the same need at the same time."""
    s = _Selection(ctx, pillar, country, donor, date_from, date_to, cycle)
    model, page = views.overlaps(s.graph(), filters=s.words, window=s.window, data_date=s.data_date)
    _write(model, page, output, png, size)


@map_app.command("gaps")
def gaps_map(
    ctx: typer.Context,
    output: OutputOption,
    pillar: PillarOption = None,
    country: CountryOption = None,
    donor: DonorOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    cycle: CycleOption = None,
    png: PngOption = None,
    size: SizeOption = "1920x1080",
) -> None:
    """Needs nobody addresses (or addresses with too little money), flagged."""
    s = _Selection(ctx, pillar, country, donor, date_from, date_to, cycle)
    model, page = views.gaps(s.graph(), filters=s.words, window=s.window, data_date=s.data_date)
    _write(model, page, output, png, size)


@map_app.command("cofunding")
def cofunding_map(
    ctx: typer.Context,
    output: OutputOption,
    pillar: PillarOption = None,
    country: CountryOption = None,
    donor: DonorOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    cycle: CycleOption = None,
    png: PngOption = None,
    size: SizeOption = "1920x1080",
) -> None:
    """The donor–donor network: donors funding projects on the same needs."""
    s = _Selection(ctx, pillar, country, donor, date_from, date_to, cycle)
    model, page = views.cofunding_map(s.graph(), filters=s.words, data_date=s.data_date)
    _write(model, page, output, png, size)
