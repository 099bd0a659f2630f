"""Core commands: init, seed, stats, get, search, schema, import/export json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from kb.cli.app import app, export_app, get_store, import_app, late_help
from kb.cli.output import JsonOption, console, emit_json, table


def _summary_rows(summary: dict[str, int]) -> list[tuple[str, int]]:
    return [(k.replace("_", " "), v) for k, v in summary.items()]


@app.command()
def init(ctx: typer.Context) -> None:
    """Create the store (or its constraints and indexes) if missing. Safe to run again."""
    store = get_store(ctx)
    store.init()
    console().print(f"store ready: {store.location}")


@app.command()
def seed(
    ctx: typer.Context,
    demo: Annotated[
        bool,
        typer.Option("--demo/--no-demo", help="Also load the illustrative demo set of needs and projects."),
    ] = True,
    seed_dir: Annotated[
        Path | None, typer.Option("--from", help="Folder of seed YAML files.", show_default=False)
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Load the seed data from the source documents (and the demo set). Idempotent."""
    from kb.seeding import SEED_DIR, load_seeds

    store = get_store(ctx)
    batch = load_seeds(seed_dir or SEED_DIR, demo=demo)
    summary = store.upsert(batch, actor="cli", action="seed").model_dump()
    if as_json:
        emit_json(summary)
        return
    table(f"Seeded {store.location}", ["", "count"], _summary_rows(summary))


@app.command()
def stats(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Nodes and edges per type."""
    counts = get_store(ctx).counts()
    if as_json:
        emit_json(counts)
        return
    table(
        "Nodes",
        ["type", "count"],
        [(t, n) for t, n in counts["nodes"].items()],
        caption=f"total {sum(counts['nodes'].values())}",
    )
    table(
        "Edges",
        ["type", "count"],
        [(t, n) for t, n in counts["edges"].items()],
        caption=f"total {sum(counts['edges'].values())}",
    )


@app.command()
def get(
    ctx: typer.Context,
    node_id: Annotated[
        str, typer.Argument(help="Node id, code, acronym or name, e.g. org:unodc, UNODC, WBBSi.")
    ],
    as_json: JsonOption = False,
) -> None:
    """One node with its properties and edges."""
    from graph_schema import NODE_TYPES
    from kb.filters import resolve
    from kb.presentation import display, sources_text

    store = get_store(ctx)
    node = resolve(store, node_id, tuple(NODE_TYPES), "node")
    node_id = node["id"]
    if as_json:
        emit_json(node)
        return
    table(
        display(node["name"]),
        ["property", "value"],
        [
            (
                k,
                sources_text(v)
                if k == "sources"
                else json.dumps(v, ensure_ascii=False)
                if isinstance(v, list)
                else v,
            )
            for k, v in node.items()
        ],
    )
    edges = store.edges_of(node_id)
    if edges:
        names = {
            n: r["name"]
            for n, r in store.get_many(
                [e["target"] if e["source"] == node_id else e["source"] for e in edges]
            ).items()
        }
        table(
            "Edges",
            ["direction", "type", "other end", "id"],
            [
                (
                    "→" if e["source"] == node_id else "←",
                    e["type"],
                    names.get(e["target"] if e["source"] == node_id else e["source"], ""),
                    e["target"] if e["source"] == node_id else e["source"],
                )
                for e in edges
            ],
        )


def _search_help() -> dict[str, str]:
    from graph_schema import NODE_TYPES

    return {"node_type": f"Only these types ({', '.join(NODE_TYPES)})."}


@app.command(cls=late_help(_search_help))
def search(
    ctx: typer.Context,
    text: Annotated[
        str, typer.Argument(help="Words to find, with or without diacritics, in Latin or Cyrillic.")
    ],
    node_type: Annotated[list[str] | None, typer.Option("--type", help="Only these types.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
    as_json: JsonOption = False,
) -> None:
    """Find nodes by name, alias or acronym (accent- and case-insensitive, prefixes match)."""
    hits = get_store(ctx).search(text, limit=limit, types=node_type)
    if as_json:
        emit_json(hits)
        return
    table(
        f"Search: {text}",
        ["id", "type", "name"],
        [(h["id"], h["type"], h["name"]) for h in hits],
        caption=f"{len(hits)} found",
    )


@app.command()
def schema() -> None:
    """Print the JSON Schema of every node and edge type."""
    from graph_schema import json_schema

    emit_json(json_schema())


@import_app.command("json")
def import_json(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help='A JSON document {"nodes": [...], "edges": [...]}.')],
    as_json: JsonOption = False,
) -> None:
    """Load a JSON batch (or a dump) all-or-nothing. Loading it again changes nothing."""
    from kb.dump import read_batch

    batch = read_batch(file)
    summary = get_store(ctx).upsert(batch, actor="cli", action=f"import json {file.name}").model_dump()
    if as_json:
        emit_json(summary)
        return
    table(f"Imported {file.name}", ["", "count"], _summary_rows(summary))


@export_app.command("json")
def export_json(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Where to write the dump.")],
    as_json: JsonOption = False,
) -> None:
    """Write the whole store as one JSON document (lossless: import gives the same store)."""
    from kb.dump import write_dump

    counts = write_dump(get_store(ctx), file)
    if as_json:
        emit_json({"file": str(file), **counts})
        return
    console().print(f"wrote {counts['nodes']} nodes and {counts['edges']} edges to {file}")
