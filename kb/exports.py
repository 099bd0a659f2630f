"""Graph exports for analysts: GEXF 1.3 and GraphML (Gephi), CSV node and edge lists.

Each format gets the same *flat* graph: every attribute a scalar (lists joined with "; "),
plus what an analyst filters on in Gephi: ``pillar`` and ``country`` codes, and for projects
their funding per currency as ``funding_EUR``, ``funding_USD`` … (never one summed figure).
GEXF also gets the projects', needs' and fundings' periods as spells (so Gephi's timeline
plays them) and, when given, the map's positions and colours as ``viz`` data; GraphML and CSV
carry them as ``x``, ``y`` and ``colour`` attributes.

``name`` keeps the name as written; ``label`` (what Gephi shows) follows the Kosovo* rule and
the graph carries the footnote when Kosovo is named. An edge's type is its ``relation`` and
its ``label``: GEXF reserves an edge's ``type`` for directed/undirected.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO

import networkx as nx

from graph_schema import MAPPED_TYPES
from kb.analysis.links import Facts, need_countries, pillars_of
from kb.cells import safe_row
from kb.errors import InvalidInputError
from kb.presentation import KOSOVO_FOOTNOTE, display, names_kosovo

FORMATS = ("json", "gexf", "graphml", "csv")
_STRUCTURAL = {"source", "target", "key"}


def _scalar(value: Any) -> Any:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return value


def _codes(G: nx.MultiDiGraph, ids: set[str]) -> str:
    return "; ".join(sorted(str(G.nodes[i].get("code", i)) for i in ids if i in G))


def _node_context(G: nx.MultiDiGraph, facts: Facts, node_id: str, data: Mapping[str, Any]) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    pillars = pillars_of(G, node_id)
    if pillars:
        extra["pillar"] = _codes(G, pillars)
    if data.get("type") == "Need":
        extra["country"] = _codes(G, need_countries(G, node_id))
    elif data.get("type") == "Project":
        extra["country"] = _codes(
            G, {t for _, t, k in G.out_edges(node_id, keys=True) if k.startswith("TARGETS:")}
        )
        for currency, amount in sorted(facts[node_id].amounts.items()):
            extra[f"funding_{currency}"] = amount
    elif data.get("type") == "Country":
        extra["country"] = data.get("code", "")
    return {k: v for k, v in extra.items() if v != ""}


def flat_graph(
    G: nx.MultiDiGraph,
    positions: Mapping[str, tuple[float, float]] | None = None,
    colours: Mapping[str, str] | None = None,
) -> nx.MultiDiGraph:
    """A copy of ``G`` whose attributes are scalars, with context and (optional) map layout."""
    facts = Facts(G)
    flat = nx.MultiDiGraph()
    for node_id, data in G.nodes(data=True):
        attrs = {k: _scalar(v) for k, v in data.items() if v is not None and k != "id"}
        attrs["label"] = display(data.get("name", node_id))
        attrs.update(_node_context(G, facts, node_id, data))
        if positions and node_id in positions:
            attrs["x"], attrs["y"] = (float(c) for c in positions[node_id])
        if colours and node_id in colours:
            attrs["colour"] = colours[node_id]
        flat.add_node(node_id, **attrs)
    for source, target, key, data in G.edges(keys=True, data=True):
        attrs = {k: _scalar(v) for k, v in data.items() if v is not None and k not in _STRUCTURAL | {"type"}}
        attrs["relation"] = attrs["label"] = data.get("type", "")
        attrs["edge_key"] = data.get("key", "")
        flat.add_edges_from([(source, target, key, attrs)])
    if names_kosovo(data.get("name") for _, data in G.nodes(data=True)):
        flat.graph["footnote"] = KOSOVO_FOOTNOTE
    return flat


def _hex_to_rgb(colour: str) -> dict[str, int]:
    colour = colour.lstrip("#")
    return {"r": int(colour[0:2], 16), "g": int(colour[2:4], 16), "b": int(colour[4:6], 16), "a": 1}


def _with_spells_and_viz(flat: nx.MultiDiGraph) -> nx.MultiDiGraph:
    out = flat.copy()
    for _, data in out.nodes(data=True):
        if data.get("type") in MAPPED_TYPES and (data.get("start") or data.get("end")):
            data["spells"] = [(data.get("start"), data.get("end"))]
        viz: dict[str, Any] = {}
        if "x" in data:
            viz["position"] = {"x": data["x"], "y": data["y"], "z": 0.0}
        if "colour" in data:
            viz["color"] = _hex_to_rgb(data["colour"])
        if viz:
            data["viz"] = viz
    for _, _, data in out.edges(data=True):
        if data.get("relation") == "FUNDS" and (data.get("start") or data.get("end")):
            data["spells"] = [(data.get("start"), data.get("end"))]
    return out


def write_gexf(flat: nx.MultiDiGraph, path: Path | BinaryIO) -> None:
    nx.write_gexf(_with_spells_and_viz(flat), path, encoding="utf-8", version="1.3")


def write_graphml(flat: nx.MultiDiGraph, path: Path | BinaryIO) -> None:
    nx.write_graphml(flat, path, encoding="utf-8", named_key_ids=True)


def write_csv(flat: nx.MultiDiGraph, folder: Path) -> tuple[Path, Path]:
    """``nodes.csv`` and ``edges.csv`` in ``folder`` (created), one column per attribute.

    Text that a spreadsheet would run as a formula is written with a leading apostrophe
    (:func:`kb.cells.safe_text`); numbers stay numbers.
    """
    folder.mkdir(parents=True, exist_ok=True)
    node_cols = sorted({k for _, d in flat.nodes(data=True) for k in d} - {"type", "label"})
    edge_cols = sorted({k for *_, d in flat.edges(data=True) for k in d} - {"relation"})
    nodes_path, edges_path = folder / "nodes.csv", folder / "edges.csv"
    with nodes_path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(safe_row(["id", "type", "label", *node_cols]))
        for node_id, d in sorted(flat.nodes(data=True)):
            writer.writerow(
                safe_row([node_id, d.get("type"), d.get("label"), *(d.get(c, "") for c in node_cols)])
            )
    with edges_path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(safe_row(["source", "target", "type", *edge_cols]))
        for s, t, d in sorted(flat.edges(data=True), key=lambda e: (e[0], e[1], e[2].get("relation", ""))):
            writer.writerow(safe_row([s, t, d.get("relation"), *(d.get(c, "") for c in edge_cols)]))
    return nodes_path, edges_path


def write(flat: nx.MultiDiGraph, fmt: str, path: Path) -> list[Path]:
    """Write ``flat`` in ``fmt`` (gexf, graphml, csv) to ``path``; the files written."""
    if fmt == "gexf":
        write_gexf(flat, path)
    elif fmt == "graphml":
        write_graphml(flat, path)
    elif fmt == "csv":
        return list(write_csv(flat, path))
    else:
        raise InvalidInputError(f"unknown export format {fmt!r} (use one of {', '.join(FORMATS)})")
    return [path]
