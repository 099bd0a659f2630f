"""kb commands on the history: the write log, a record's history, what changed, revert.

``kb log`` lists the latest batches, ``kb history ID`` every change of a node and of its edges; ``kb changes`` compares two states
(:mod:`kb.questions.changes`), ``kb revert BATCH`` undoes one batch. Batch numbers are those of
``kb history`` and of the write log.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kb.cli.app import app, get_store
from kb.cli.output import JsonOption, emit_json, entries, print_table, say, table, when


@app.command()
def history(
    ctx: typer.Context,
    node_id: Annotated[str, typer.Argument(help="Node id, e.g. need:demo-ba-bcp-equipment.")],
    as_json: JsonOption = False,
) -> None:
    """Every change of a node and of its edges, oldest first: batch, when, who, before and after."""
    from kb.questions.changes import changed_fields

    changes = get_store(ctx).history(node_id)
    if as_json:
        emit_json([c.model_dump(mode="json") for c in changes])
        return
    if not changes:
        say(f"No recorded changes of {node_id}.")
        return
    entries(
        f"History of {node_id}",
        [
            (
                f"batch {c.batch} · {when(c.at)} · {c.actor} · {c.action}",
                [f"{c.change} {c.record}", changed_fields(c.before, c.after)],
            )
            for c in changes
        ],
        caption="kb revert BATCH undoes a batch",
    )


@app.command()
def log(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", help="How many batches, newest first.", min=1)] = 20,
    as_json: JsonOption = False,
) -> None:
    """The latest batches (writes), newest first: number, when, who, what, and what each changed."""
    entries_ = get_store(ctx).write_log(limit)
    if as_json:
        emit_json([e.model_dump(mode="json") for e in entries_])
        return
    if not entries_:
        say("No writes recorded.")
        return
    entries(
        "Write log",
        [
            (
                f"batch {e.batch} · {when(e.at)} · {e.actor}",
                [
                    e.action,
                    ", ".join(
                        f"{k.replace('_', ' ')} {v}" for k, v in sorted(e.summary.items()) if v and "_" in k
                    ),
                ],
            )
            for e in entries_
        ],
        caption="kb history ID shows a record's changes; kb revert BATCH undoes a batch",
    )


@app.command()
def changes(
    ctx: typer.Context,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="Changes written on or after this date (YYYY-MM-DD, UTC) or time.",
            show_default=False,
        ),
    ] = None,
    cycle: Annotated[
        str | None,
        typer.Option(
            "--cycle",
            help="Compare from the graph as it was right after the last write of this mapping cycle's records.",
            show_default=False,
        ),
    ] = None,
    to_cycle: Annotated[
        str | None,
        typer.Option(
            "--to-cycle",
            help="… to the graph right after this cycle's last write (default: now).",
            show_default=False,
        ),
    ] = None,
    csv_file: Annotated[
        Path | None, typer.Option("--csv", help="Also write the rows to this CSV file.", show_default=False)
    ] = None,
    xlsx: Annotated[
        Path | None, typer.Option("--xlsx", help="Also write the rows as a workbook.", show_default=False)
    ] = None,
    as_json: JsonOption = False,
    wide: Annotated[bool, typer.Option("--wide", help="Show every column.")] = False,
) -> None:
    """What changed: needs added/removed/changed, newly answered or unaddressed, overlaps, funding."""
    from kb.questions import analyses as ask
    from kb.questions.asked import data_date
    from kb.questions.changes import changes as what_changed
    from kb.sheets.report import write_report
    from kb.tables import table_of, write_csv

    store = get_store(ctx)
    report = what_changed(store, since=since, cycle=cycle, to_cycle=to_cycle)
    answer = table_of(report)
    if csv_file is not None:
        write_csv(answer, csv_file)
    if xlsx is not None:
        write_report(answer, xlsx, filters=answer.title, data_date=data_date(store) or "no writes recorded")
    if as_json:
        emit_json(ask.as_json(report))
        return
    print_table(answer, wide=wide)
    for path in (csv_file, xlsx):
        if path is not None:
            say(f"wrote {len(answer.rows)} row(s) to {path}")


@app.command()
def revert(
    ctx: typer.Context,
    batch: Annotated[
        int, typer.Argument(help="The batch to undo (its number in kb history or the write log).", min=1)
    ],
    force: Annotated[
        bool, typer.Option("--force", help="Revert even when later batches changed the same records.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Undo one batch, all-or-nothing: each record back to its state before it, as a new batch."""
    done = get_store(ctx).revert(batch, force=force, actor="cli")
    if as_json:
        emit_json(done.model_dump())
        return
    if done.batch is None:
        say(f"batch {batch}: every record is already as it was before it; nothing to do")
        return
    table(
        f"Reverted batch {batch} (as batch {done.batch})",
        ["", "count"],
        [(k.replace("_", " "), v) for k, v in done.model_dump().items() if k not in ("reverted", "batch")],
    )
