"""kb commands: ``kb map …`` writes interactive network maps, one offline HTML file each.

Each command asks :mod:`kb.questions.maps` for a view (resolving what the user typed as
everywhere else) and :mod:`visual.views` draws it. ``--png`` also photographs the
page in headless Chromium for a slide deck, ``--pdf`` prints it (A4 or Letter, landscape);
``--present`` opens it in presenter mode; ``--size-by`` and ``--rates`` choose what node sizes
show.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kb.cli.analysis import RatesOption
from kb.cli.analysis import _rates as read_rates
from kb.cli.app import KBGroup, app, get_store, late_help
from kb.cli.options import CountryOption, CycleOption, DonorOption, FromOption, PillarOption, ToOption
from kb.errors import InvalidInputError

if TYPE_CHECKING:
    from kb.analysis.money import Rates
    from kb.questions.maps import MapData

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
PdfOption = Annotated[
    Path | None,
    typer.Option(
        "--pdf",
        help="Also print the map to PDF (landscape; map, labels, legend, footnote).",
        show_default=False,
    ),
]
PaperOption = Annotated[str, typer.Option("--paper", help="Paper of the PDF.")]
PresentOption = Annotated[
    bool,
    typer.Option(
        "--present",
        help="Open in presenter mode: the map alone, large type, a caption; arrow keys or a clicker step "
        "through the overview, each overlap, each gap and coverage.",
    ),
]
SizeByOption = Annotated[
    str | None,
    typer.Option(
        "--size-by",
        help="What node sizes show.",
        show_default=False,
    ),
]


def _map_help() -> dict[str, str]:
    """The texts of ``--paper`` and ``--size-by``, which name the papers and sizes ``visual`` knows."""
    from visual.png import PAPERS
    from visual.styles import SIZE_BY

    return {
        "paper": f"Paper of the PDF: {', '.join(PAPERS)}.",
        "size_by": f"What node sizes show: {', '.join(SIZE_BY)} (projects funded, projects addressing a "
        "need, needs addressed). Default: count, or money converted with --rates when given.",
    }


#: The class of every ``kb map`` command.
MapCommand = late_help(_map_help)


@dataclass(frozen=True)
class Out:
    """What to write besides the HTML file, and how to draw it."""

    png: Path | None = None
    size: str = "1920x1080"
    pdf: Path | None = None
    paper: str = "A4"
    present: bool = False
    size_by: str | None = None
    rates: Path | None = None


def _write(data: MapData, output: Path, out: Out) -> None:
    """Draw the view, write the map (and its still and PDF when asked), printing each path written."""
    from visual import views, write_html
    from visual.png import PAPERS, parse_size, write_pdf, write_png
    from visual.styles import SIZE_BY

    dimensions = parse_size(out.size) if out.png else None
    if out.pdf is not None and out.paper.upper() not in PAPERS:
        raise InvalidInputError(f"--paper {out.paper!r}: expected one of {', '.join(PAPERS)}")
    size_by = out.size_by or ("money" if data.rates is not None else "count")
    if size_by not in SIZE_BY:
        raise InvalidInputError(f"--size-by {size_by!r}: expected one of {', '.join(SIZE_BY)}")
    model, page = views.draw(data, size_by=size_by, present=out.present)
    try:
        write_html(model, page, output)
    except OSError as exc:
        raise InvalidInputError(f"cannot write {output}: {exc.strerror or exc}") from None
    typer.echo(f"wrote {output} ({len(model.network.nodes):,} nodes, {len(model.network.edges):,} links)")
    if out.png is not None and dimensions is not None:
        write_png(output, out.png, dimensions)
        typer.echo(f"wrote {out.png} ({dimensions[0]}x{dimensions[1]})")
    if out.pdf is not None:
        write_pdf(output, out.pdf, out.paper.upper())
        typer.echo(f"wrote {out.pdf} ({out.paper.upper()} landscape)")


def _rates(out: Out) -> Rates | None:
    return read_rates(out.rates)


def _filtered_view(name: str, help_text: str) -> None:
    """Register ``kb map NAME``: a view of what the filters select (the question of :mod:`kb.questions.maps`
    of that name), the same options for every one."""

    def command(
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
        pdf: PdfOption = None,
        paper: PaperOption = "A4",
        present: PresentOption = False,
        size_by: SizeByOption = None,
        rates: RatesOption = None,
    ) -> None:
        from kb.questions import maps
        from kb.questions.asked import Asked

        question: Callable[..., MapData] = getattr(maps, name)
        asked = Asked(pillar, country, donor, date_from, date_to, cycle)
        out = Out(png, size, pdf, paper, present, size_by, rates)
        _write(question(get_store(ctx), asked, rates=_rates(out)), output, out)

    command.__doc__ = help_text
    map_app.command(name, cls=MapCommand)(command)


_filtered_view(
    "overview",
    "The whole knowledge base (or what the filters select), overlaps and gaps marked.",
)


@map_app.command("pillar", cls=MapCommand)
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
    pdf: PdfOption = None,
    paper: PaperOption = "A4",
    present: PresentOption = False,
    size_by: SizeByOption = None,
    rates: RatesOption = None,
) -> None:
    """One pillar: its needs, the projects answering them, donors, partners and Support Group."""
    from kb.questions import maps
    from kb.questions.asked import Asked

    asked = Asked(None, country, donor, date_from, date_to, cycle)
    out = Out(png, size, pdf, paper, present, size_by, rates)
    _write(maps.pillar(get_store(ctx), code, asked, rates=_rates(out)), output, out)


@map_app.command("partner", cls=MapCommand)
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
    pdf: PdfOption = None,
    paper: PaperOption = "A4",
    present: PresentOption = False,
    size_by: SizeByOption = None,
    rates: RatesOption = None,
) -> None:
    """One partner: the needs it stated, the projects working there, who funds and implements them."""
    from kb.questions import maps
    from kb.questions.asked import Asked

    asked = Asked(pillar, None, donor, date_from, date_to, cycle)
    out = Out(png, size, pdf, paper, present, size_by, rates)
    _write(maps.partner(get_store(ctx), code, asked, rates=_rates(out)), output, out)


@map_app.command("donor", cls=MapCommand)
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
    pdf: PdfOption = None,
    paper: PaperOption = "A4",
    present: PresentOption = False,
    size_by: SizeByOption = None,
    rates: RatesOption = None,
) -> None:
    """A donor's ego network: what it funds and who else funds the same needs."""
    from kb.questions import maps
    from kb.questions.asked import Asked

    asked = Asked(pillar, country, None, date_from, date_to, cycle)
    out = Out(png, size, pdf, paper, present, size_by, rates)
    _write(maps.donor(get_store(ctx), donor_id, asked, rates=_rates(out)), output, out)


@map_app.command("need", cls=MapCommand)
def need_map(
    ctx: typer.Context,
    need_id: Annotated[str, typer.Argument(help="Need id, e.g. need:demo-mk-pve.")],
    output: OutputOption,
    png: PngOption = None,
    size: SizeOption = "1920x1080",
    pdf: PdfOption = None,
    paper: PaperOption = "A4",
    present: PresentOption = False,
    size_by: SizeByOption = None,
    rates: RatesOption = None,
) -> None:
    """One need: the projects addressing it and everyone funding or implementing them."""
    from kb.questions import maps

    out = Out(png, size, pdf, paper, present, size_by, rates)
    _write(maps.need(get_store(ctx), need_id, rates=_rates(out)), output, out)


for _name, _help in (
    ("overlaps", "Overlap clusters highlighted: distinct donors on the same need at the same time."),
    ("gaps", "Needs nobody addresses (or addresses with too little money), flagged."),
    ("cofunding", "The donor–donor network: donors funding projects on the same needs."),
):
    _filtered_view(_name, _help)
