"""The graph as Gephi reads it: GEXF and GraphML, with list values flattened to strings.

Names are kept as written in ``name``; ``label`` (what Gephi shows) follows the Kosovo* rule,
and the graph carries the footnote when Kosovo is named. Keys GEXF reserves are renamed:
an edge's ``type`` is its ``relation`` (GEXF's ``type`` means directed/undirected), and
``start``/``end`` are ``period_start``/``period_end`` (GEXF would read them as time spells).
"""

from __future__ import annotations

import io
from typing import Any

import networkx as nx

from kb.presentation import KOSOVO_FOOTNOTE, display, names_kosovo

_RENAMED = {"start": "period_start", "end": "period_end"}
_SEPARATOR = "; "


def _flat(value: Any) -> Any:
    if isinstance(value, (list, tuple, set)):
        return _SEPARATOR.join(str(v) for v in value)
    if isinstance(value, dict):
        return _SEPARATOR.join(f"{k}={v}" for k, v in value.items())
    return value


def _attributes(record: dict[str, Any], drop: set[str]) -> dict[str, Any]:
    return {_RENAMED.get(k, k): _flat(v) for k, v in record.items() if k not in drop and v is not None}


def for_gephi(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of ``G`` whose attributes GEXF and GraphML writers take as they are."""
    out = nx.MultiDiGraph()
    for node_id, data in sorted(G.nodes(data=True), key=lambda item: item[0]):
        attrs = _attributes(data, {"id"})
        attrs["label"] = display(data.get("name", node_id))
        out.add_node(node_id, **attrs)
    for u, v, key, data in G.edges(keys=True, data=True):
        attrs = _attributes(data, {"source", "target", "type", "key"})
        attrs["relation"] = data.get("type", "")
        attrs["label"] = data.get("type", "")
        attrs["edge_key"] = data.get("key", "")
        out.add_edges_from([(u, v, key, attrs)])
    if names_kosovo(data.get("name") for _, data in G.nodes(data=True)):
        out.graph["footnote"] = KOSOVO_FOOTNOTE
    return out


def gexf(G: nx.MultiDiGraph) -> bytes:
    buffer = io.BytesIO()
    nx.write_gexf(for_gephi(G), buffer, encoding="utf-8", version="1.2draft")
    return buffer.getvalue()


def graphml(G: nx.MultiDiGraph) -> bytes:
    buffer = io.BytesIO()
    nx.write_graphml(for_gephi(G), buffer, encoding="utf-8", named_key_ids=True)
    return buffer.getvalue()
