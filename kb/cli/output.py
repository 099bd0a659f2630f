"""How commands print: JSON alone on stdout with ``--json``, rich tables otherwise.

A console is made for each print, so the width is the terminal's at that moment (``COLUMNS``),
never the one at import.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from kb.tables import Table

JsonOption = Annotated[bool, typer.Option("--json", help="Print only JSON on stdout.")]


def console() -> Console:
    """A console on stdout as it is now (width from the terminal or ``COLUMNS``)."""
    from rich.console import Console

    return Console(highlight=False)


def say(text: str) -> None:
    """One line for people on stdout."""
    console().print(text)


def emit_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def widths(columns: Sequence[str], rows: list[list[str]], room: int) -> list[int] | None:
    """Column widths (text only) that fit ``room`` characters and break no word: each column gets its
    longest word, then the rest of the room in proportion to how much longer its cells are.
    ``None`` when even the longest words do not fit (the table then folds them).

    >>> widths(["name", "#"], [["Western Balkans", "1"]], 20)
    [15, 1]
    >>> widths(["name"], [["Counter-terrorism"]], 10) is None
    True
    """
    least, most = [], []
    for index, column in enumerate(columns):
        texts = [column, *(row[index] for row in rows)]
        least.append(max((len(w) for t in texts for w in t.split()), default=1))
        most.append(max((len(line) for t in texts for line in t.splitlines() or [""]), default=1))
    spare = room - sum(least)
    if spare < 0:
        return None
    wants = [m - n for m, n in zip(most, least, strict=True)]
    total = sum(wants)
    if total <= spare:
        return most
    given = [n + (spare * w) // total for n, w in zip(least, wants, strict=True)]
    for index in sorted(range(len(given)), key=lambda i: -wants[i])[: room - sum(given)]:
        given[index] += 1
    return given


def table(
    title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], *, caption: str | None = None
) -> None:
    """Print a table; names pass through the Kosovo* rule and the footnote follows once.

    Cells wrap between words, never inside one, whenever the terminal is wide enough for each
    column's longest word (ids and codes are one word, so they keep one line).
    """
    from rich.table import Table as RichTable

    from kb.presentation import KOSOVO_FOOTNOTE, display, names_kosovo

    rows = [[display(str(c)) if c is not None else "" for c in row] for row in rows]
    shown = console()
    room = shown.width - (len(columns) + 1) - 2 * len(columns)
    fitted = widths(list(columns), rows, room)
    out = RichTable(title=title, caption=caption, show_lines=False, header_style="bold")
    for index, column in enumerate(columns):
        out.add_column(column, width=fitted[index] if fitted else None, overflow="fold")
    for row in rows:
        out.add_row(*row)
    shown.print(out)
    if names_kosovo(c for row in rows for c in row):
        shown.print(KOSOVO_FOOTNOTE, style="dim")


def print_table(answer: Table, *, evidence: bool = False, wide: bool = False) -> None:
    """A :class:`~kb.tables.Table` as people read it in a terminal: its brief columns (every one with
    ``wide``), the rows (or what is empty), then its note."""
    from kb.tables import evidence_table, text_rows

    if not answer.rows:
        say(answer.empty)
        return
    texts = text_rows(answer)
    keep = [i for i, c in enumerate(answer.columns) if wide or (c.brief and any(row[i] for row in texts))]
    cells = [[row[i] for i in keep] for row in texts]
    note = answer.note
    if len(keep) < len(answer.columns):
        more = "--wide shows every column"
        note = f"{note}; {more}" if note else more
    table(answer.title, [answer.columns[i].name for i in keep], cells, caption=note)
    if evidence:
        edges = evidence_table(answer)
        if edges.rows:
            table(edges.title, edges.headers, text_rows(edges))


def when(at: str) -> str:
    """A stored UTC time as people read it in a terminal.

    >>> when("2026-12-01T16:12:58+00:00")
    '2026-12-01 16:12:58 UTC'
    """
    return at.replace("T", " ").removesuffix("+00:00") + (" UTC" if at.endswith("+00:00") else "")


def entries(title: str, items: Iterable[tuple[str, Sequence[str]]], *, caption: str | None = None) -> None:
    """Records one after another, for those too long for a table's columns: a bold heading line,
    then its lines indented by two, wrapped between words at the terminal's width, so an id is
    never split."""
    from kb.presentation import KOSOVO_FOOTNOTE, display, names_kosovo

    shown = console()
    shown.print(title, style="bold", highlight=False)
    texts = []
    for heading, lines in items:
        shown.print()
        shown.print(display(heading), style="bold", highlight=False, markup=False)
        for line in lines:
            if line:
                texts.append(line)
                for part in textwrap.wrap(
                    display(line), max(20, shown.width - 2), break_long_words=False, break_on_hyphens=False
                ):
                    shown.print("  " + part, highlight=False, markup=False, soft_wrap=True)
    if caption:
        shown.print()
        shown.print(caption, style="dim", markup=False)
    if names_kosovo(texts):
        shown.print(KOSOVO_FOOTNOTE, style="dim")
