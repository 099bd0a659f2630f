"""The filter options every selecting command takes, declared once."""

from __future__ import annotations

from typing import Annotated

import typer

PillarOption = Annotated[
    str | None,
    typer.Option("--pillar", help="Pillar code (WBCTi, WBCSCi, WBBSi; any case) or id.", show_default=False),
]
CountryOption = Annotated[
    str | None,
    typer.Option("--country", help="Partner ISO code (RS, XK…) or id (country:rs).", show_default=False),
]
DonorOption = Annotated[
    str | None, typer.Option("--donor", help="Funder id, e.g. org:giz.", show_default=False)
]
FromOption = Annotated[
    str | None, typer.Option("--from", help="Period start, YYYY-MM-DD.", show_default=False)
]
ToOption = Annotated[str | None, typer.Option("--to", help="Period end, YYYY-MM-DD.", show_default=False)]
CycleOption = Annotated[
    str | None, typer.Option("--cycle", help="Mapping cycle, e.g. needs-mapping-1.", show_default=False)
]
