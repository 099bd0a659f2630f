"""How commands print: JSON alone on stdout with ``--json``, rich tables otherwise."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from kb.presentation import KOSOVO_FOOTNOTE, display, names_kosovo

console = Console(highlight=False)

JsonOption = Annotated[bool, typer.Option("--json", help="Print only JSON on stdout.")]


def emit_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def table(
    title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], *, caption: str | None = None
) -> None:
    """Print a table; names pass through the Kosovo* rule and the footnote follows once."""
    rows = [[display(str(c)) if c is not None else "" for c in row] for row in rows]
    out = Table(title=title, caption=caption, show_lines=False, header_style="bold")
    for column in columns:
        out.add_column(column, overflow="fold")
    for row in rows:
        out.add_row(*row)
    console.print(out)
    if names_kosovo(c for row in rows for c in row):
        console.print(KOSOVO_FOOTNOTE, style="dim")
