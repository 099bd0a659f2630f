"""The ``kb`` command: one Typer app, errors mapped to messages and exit codes in one place."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from kb.errors import KBError

if TYPE_CHECKING:
    import click

    from kb.store import GraphStore


class LateHelp:
    """Option texts naming what only a heavy import knows (the node types, the paper sizes) are
    written when the command's own help is shown, so that ``kb --help`` imports none of it.

    ``texts`` maps a parameter's name to its help text; the option carries a stand-in until then.
    """

    texts: Callable[[], dict[str, str]]

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        texts = self.texts()
        for param in self.params:  # type: ignore[attr-defined]
            if param.name in texts:
                param.help = texts[param.name]
        super().format_help(ctx, formatter)  # type: ignore[misc]


def late_help(texts: Callable[[], dict[str, str]], base: type = TyperCommand) -> type:
    """A command class (``cls=``) for ``base`` whose option texts ``texts()`` gives at help time."""
    return type(base.__name__, (LateHelp, base), {"texts": staticmethod(texts)})


class KBGroup(TyperGroup):
    """Turns the project's errors into ``error: <title>: <detail>`` and an exit code."""

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KBError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            typer.echo(f"error: {exc.title}: {exc.detail}", err=True)
            raise typer.Exit(exc.exit_code) from None


app = typer.Typer(
    cls=KBGroup,
    help="Graph knowledge base of security assistance to the Western Balkans.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
import_app = typer.Typer(cls=KBGroup, help="Load data into the store.", no_args_is_help=True)
export_app = typer.Typer(cls=KBGroup, help="Write the store (or part of it) to a file.", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")


@app.callback()
def _global(
    ctx: typer.Context,
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            envvar="KB_STORE",
            help="Store: a file path (embedded SQLite) or a Neo4j URI (neo4j://, bolt://, neo4j+s://…). "
            "Default: a file in your user data directory.",
            show_default=False,
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    ctx.obj = {"store": store, "debug": debug}


#: The commands that may create a missing store: ``kb init``, ``kb seed`` and every ``kb import``.
CREATING_COMMANDS = frozenset({"init", "seed", "import"})


def _command(ctx: typer.Context) -> str:
    """The top-level command a context belongs to (``import`` for ``kb import json``)."""
    names = []
    while ctx.parent is not None:
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    return names[-1] if names else ""


def _say_waiting(message: str) -> None:
    typer.echo(message, err=True)


def get_store(ctx: typer.Context) -> GraphStore:
    """The store the global options name, opened once per command and closed after it.

    Only :data:`CREATING_COMMANDS` create a missing store; any other command reading one says
    "no knowledge base at PATH" and creates nothing. A write kept waiting by another one says so
    on stderr, then waits up to ``KB_WRITE_WAIT`` seconds.
    """
    root = ctx.find_root()
    obj = root.obj if root.obj is not None else {}
    if obj.get("_store") is None:
        from kb.settings import Settings
        from kb.store import open_store
        from kb.store.sqlite import missing_store

        settings = Settings()
        location = obj.get("store") or settings.store_location
        create = _command(ctx) in CREATING_COMMANDS
        path = Path(location).expanduser()
        if not create and "://" not in location and not path.exists():
            raise missing_store(path)
        store = open_store(location, settings, create=create, on_wait=_say_waiting)
        obj["_store"] = store
        root.call_on_close(store.close)
    return obj["_store"]


def main() -> None:
    """Console entry point."""
    try:
        app(prog_name="kb")
    except KBError as exc:  # raised outside a command (e.g. while opening the store)
        print(f"error: {exc.title}: {exc.detail}", file=sys.stderr)
        sys.exit(exc.exit_code)
