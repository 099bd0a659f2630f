"""The lossless JSON dump: the whole store as one document, and back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from graph_schema import SCHEMA_VERSION
from kb import jsonin
from kb.presentation import KOSOVO_FOOTNOTE, names_kosovo
from kb.records import Batch, edge_identity, parse_batch
from kb.store.port import GraphStore

FORMAT = "wb-security-kb"


def dump(store: GraphStore) -> dict[str, Any]:
    """Every node (by id) and edge (by identity) of ``store``, in a stable order."""
    nodes = sorted((n for chunk in store.iter_nodes() for n in chunk), key=lambda n: n["id"])
    edges = sorted((e for chunk in store.iter_edges() for e in chunk), key=edge_identity)
    doc: dict[str, Any] = {"format": FORMAT, "schema_version": SCHEMA_VERSION, "nodes": nodes, "edges": edges}
    if names_kosovo(n.get("name") for n in nodes):
        doc["footnotes"] = [KOSOVO_FOOTNOTE]
    return doc


def write_dump(store: GraphStore, path: Path) -> dict[str, int]:
    doc = dump(store)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)
    return {"nodes": len(doc["nodes"]), "edges": len(doc["edges"])}


def read_json_file(path: Path) -> Any:
    """Parse a JSON file under :mod:`kb.jsonin`'s limits, refusing what is not JSON with a one-line reason."""
    return jsonin.read_file(path)


def read_batch(path: Path) -> Batch:
    doc = read_json_file(path)
    if isinstance(doc, dict):
        doc = {k: v for k, v in doc.items() if k != "footnotes"}
    return parse_batch(doc, origin=path.name)
