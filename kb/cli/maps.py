"""kb commands: ``kb map …`` writes interactive network maps, one offline HTML file each.

Each command asks :mod:`kb.questions.maps` for a view (resolving what the user typed as
everywhere else) and :mod:`visual.views` draws it. ``--png`` also photographs the
page in headless Chromium for a slide deck.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kb.cli.app import KBGroup, app, get_store
from kb.cli.options import CountryOption, CycleOption, DonorOption, FromOption, PillarOption, ToOption
from kb.errors import InvalidInputError
from kb.questions import maps
from kb.questions.asked import Asked
from kb.questions.maps import MapData
from visual import views, write_html
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


def _write(data: MapData, output: Path, png: Path | None, size: str) -> None:
    """Draw the view, write the map (and its still when asked), printing each path written."""
    dimensions = parse_size(size) if png else None
    model, page = views.draw(data)
    try:
        write_html(model, page, output)
    except OSError as exc:
        raise InvalidInputError(f"cannot write {output}: {exc.strerror or exc}") from None
    typer.echo(f"wrote {output} ({len(model.network.nodes):,} nodes, {len(model.network.edges):,} links)")
    if png is not None and dimensions is not None:
        write_png(output, png, dimensions)
        typer.echo(f"wrote {png} ({dimensions[0]}x{dimensions[1]})")


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
    asked = Asked(pillar, country, donor, date_from, date_to, cycle)
    _write(maps.overview(get_store(ctx), asked), output, png, size)


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
    asked = Asked(None, country, donor, date_from, date_to, cycle)
    _write(maps.pillar(get_store(ctx), code, asked), output, png, size)


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
    asked = Asked(pillar, None, donor, date_from, date_to, cycle)
    _write(maps.partner(get_store(ctx), code, asked), output, png, size)


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
    asked = Asked(pillar, country, None, date_from, date_to, cycle)
    _write(maps.donor(get_store(ctx), donor_id, asked), output, png, size)


@map_app.command("need")
def need_map(
    ctx: typer.Context,
    need_id: Annotated[str, typer.Argument(help="Need id, e.g. need:demo-mk-pve.")],
    output: OutputOption,
    png: PngOption = None,
    size: SizeOption = "1920x1080",
) -> None:
    """One need: the projects addressing it and everyone funding or implementing them."""
    _write(maps.need(get_store(ctx), need_id), output, png, size)


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
    asked = Asked(pillar, country, donor, date_from, date_to, cycle)
    _write(maps.overlaps(get_store(ctx), asked), output, png, size)


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
    asked = Asked(pillar, country, donor, date_from, date_to, cycle)
    _write(maps.gaps(get_store(ctx), asked), output, png, size)


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
    asked = Asked(pillar, country, donor, date_from, date_to, cycle)
    _write(maps.cofunding(get_store(ctx), asked), output, png, size)
