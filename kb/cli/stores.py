"""Commands between stores: ``kb copy``'s options, progress bar and report (the copy: :mod:`kb.store.copying`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kb.cli.app import app
from kb.cli.output import JsonOption, emit_json, table
from kb.errors import ConflictError, InvalidInputError

if TYPE_CHECKING:
    from rich.progress import TaskID

    from kb.store.copying import CopyProgress


def _same_place(a: str, b: str) -> bool:
    from kb.store import is_neo4j_location

    if is_neo4j_location(a) or is_neo4j_location(b):
        return a.rstrip("/") == b.rstrip("/")
    return Path(a).expanduser().resolve() == Path(b).expanduser().resolve()


@contextmanager
def _progress() -> Iterator[CopyProgress]:
    """A bar per kind of record on stderr, shown only on a terminal (stdout stays for the report)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    bar = Progress(
        TextColumn("{task.description:>6}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=not console.is_terminal,
    )
    tasks: dict[str, TaskID] = {}

    def advance(kind: str, copied: int, total: int) -> None:
        if kind not in tasks:
            tasks[kind] = bar.add_task(kind, total=total)
        bar.update(tasks[kind], completed=copied)

    with bar:
        yield advance


def _differences(a: dict[str, dict[str, int]], b: dict[str, dict[str, int]]) -> list[str]:
    return [
        f"{t}: {a[kind].get(t, 0)} → {b[kind].get(t, 0)}"
        for kind in ("nodes", "edges")
        for t in sorted({*a[kind], *b[kind]})
        if a[kind].get(t, 0) != b[kind].get(t, 0)
    ]


COPY_HELP = (
    "Copy a whole knowledge base from one store to another, then compare kb stats on both.\n\n"
    "Resumable, not all-or-nothing: every batch is one all-or-nothing, idempotent upsert, so an interrupted "
    "copy leaves whole batches behind and running the same command again finishes the job (batches already "
    "there count as unchanged).\n\n"
    "Nothing is deleted from the target: if it held other data, the counts differ afterwards and the command "
    "says where (exit 1). Neo4j credentials come from KB_NEO4J_USER, KB_NEO4J_PASSWORD and KB_NEO4J_DATABASE."
)


@app.command(help=COPY_HELP)
def copy(
    source: Annotated[
        str, typer.Option("--from", help="Store to read: a file path or a Neo4j URI.", show_default=False)
    ],
    target: Annotated[
        str, typer.Option("--to", help="Store to write: a file path or a Neo4j URI.", show_default=False)
    ],
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, max=100_000, help="Records per write transaction.")
    ] = 1000,
    as_json: JsonOption = False,
) -> None:
    """``kb copy``: see :data:`COPY_HELP` (resumable, streamed through the port in batches)."""
    from kb.settings import Settings
    from kb.store import open_store
    from kb.store.copying import copy_store

    if _same_place(source, target):
        raise InvalidInputError(f"--from and --to are the same store: {source}")
    settings = Settings()
    with open_store(source, settings) as src, open_store(target, settings) as dst:
        dst.init()
        with _progress() as progress:
            written = copy_store(src, dst, batch_size=batch_size, progress=progress)
        before, after = src.counts(), dst.counts()
        report: dict[str, Any] = {
            "from": src.location,
            "to": dst.location,
            "written": written.model_dump(),
            "counts": {"from": before, "to": after},
            "equal": before == after,
        }
        if as_json:
            emit_json(report)
        else:
            rows = [
                (
                    kind,
                    t,
                    before[kind].get(t, 0),
                    after[kind].get(t, 0),
                    "" if before[kind].get(t, 0) == after[kind].get(t, 0) else "differs",
                )
                for kind in ("nodes", "edges")
                for t in before[kind]
            ]
            table(
                f"Copied {src.location} → {dst.location}",
                ["", "type", "from", "to", ""],
                rows,
                caption=", ".join(f"{v} {k.replace('_', ' ')}" for k, v in written.model_dump().items() if v),
            )
        if before != after:
            raise ConflictError(
                f"after the copy {dst.location} differs from {src.location} "
                f"({'; '.join(_differences(before, after))}): did it hold other data?"
            )
