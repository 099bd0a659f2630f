"""How commands print: JSON alone on stdout with ``--json``, rich tables otherwise.

A console is made for each print, so the width is the terminal's at that moment (``COLUMNS``),
never the one at import.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table as RichTable

from kb.presentation import KOSOVO_FOOTNOTE, display, names_kosovo
from kb.tables import Table, evidence_table, text_rows

JsonOption = Annotated[bool, typer.Option("--json", help="Print only JSON on stdout.")]


def console() -> Console:
    """A console on stdout as it is now (width from the terminal or ``COLUMNS``)."""
    return Console(highlight=False)


def say(text: str) -> None:
    """One line for people on stdout."""
    console().print(text)


def emit_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def table(
    title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], *, caption: str | None = None
) -> None:
    """Print a table; names pass through the Kosovo* rule and the footnote follows once."""
    rows = [[display(str(c)) if c is not None else "" for c in row] for row in rows]
    out = RichTable(title=title, caption=caption, show_lines=False, header_style="bold")
    for column in columns:
        out.add_column(column, overflow="fold")
    for row in rows:
        out.add_row(*row)
    shown = console()
    shown.print(out)
    if names_kosovo(c for row in rows for c in row):
        shown.print(KOSOVO_FOOTNOTE, style="dim")


def print_table(answer: Table, *, evidence: bool = False) -> None:
    """A :class:`~kb.tables.Table` as people read it: the rows (or what is empty), then its note."""
    if not answer.rows:
        say(answer.empty)
        return
    table(answer.title, answer.headers, text_rows(answer), caption=answer.note)
    if evidence:
        edges = evidence_table(answer)
        if edges.rows:
            table(edges.title, edges.headers, text_rows(edges))
