"""One self-contained HTML file: the project's own template, vis-network and our script inlined.

Nothing is loaded from the network: no ``src``, ``href`` or CSS ``url()`` points at a web
address, and the page's Content-Security-Policy forbids it besides (``default-src 'none'``).
Scripts run only if their SHA-256 is listed in that policy, so markup smuggled into a name
could not run even if escaping failed; and it does not fail: the template autoescapes, the map
data travels as JSON in a non-executed ``<script type="application/json">`` (``<``, ``>``, ``&``
escaped), tooltips are plain strings vis-network sets as text (``innerText``), and the page's own
texts (labels on the canvas, captions, the coverage table) are drawn or set as text.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from graph_schema import MAPPED_TYPES
from kb.presentation import KOSOVO_FOOTNOTE, amounts_text, display, names_kosovo
from kb.text import fold
from visual import assets, styles
from visual.legend import symbol
from visual.network import LARGE, MapModel

#: Letters the page's search folds like :func:`kb.text.fold` does (Cyrillic, Latin letters NFD keeps).
FOLDED_LETTERS = "абвгдђежзијклљмнњопрстћуфхцчџшѓќѕѐѝђłøæœßıþð"


@dataclass
class MapPage:
    """The words around a map: title, the filters applied, the date of the data, findings."""

    title: str
    filters: list[str] = field(default_factory=list)
    data_date: str | None = None
    subtitle: str | None = None
    findings_title: str = "Findings"
    findings: list[str] = field(default_factory=list)
    #: Findings listed in the panel before "and N more".
    findings_shown: int = 12
    #: Per finding, what must be shown for it to hold (:data:`visual.highlight.Key`).
    finding_keys: list[dict[str, Any]] = field(default_factory=list)
    #: The presenter's sequence (:func:`visual.story.steps`) and the coverage table it ends with.
    steps: list[dict[str, Any]] = field(default_factory=list)
    coverage: dict[str, Any] | None = None
    #: Open in presenter mode.
    present: bool = False
    #: Where the timeline starts: ``from``/``to`` (ISO dates) and ``cycle``, as the filters said.
    timeline_start: dict[str, str] = field(default_factory=dict)


@cache
def environment() -> Environment:
    """The one Jinja environment of visual's templates (the map page, the report): autoescaped,
    strict about undefined names."""
    env = Environment(
        loader=PackageLoader("visual", "templates"),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["symbol"] = symbol
    env.filters.update(d=display, amounts=amounts_text)
    return env


@cache
def fold_table() -> dict[str, str]:
    """What the page's search maps each special letter to, taken from :func:`kb.text.fold`."""
    return {ch: fold(ch) for ch in FOLDED_LETTERS}


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def timeline(nodes: list[dict[str, Any]], start: dict[str, str] | None = None) -> dict[str, Any] | None:
    """The timeline's steps: every year a node's period touches, and the mapping cycles.

    ``None`` when no node has a period or a cycle (nothing for a timeline to show).

    >>> timeline([{"period": ["2024-03-01", None]}, {"period": ["2022-01-01", "2023-06-30"]}, {"cycle": "c1"}])
    {'years': [2022, 2023, 2024], 'cycles': ['c1'], 'start': {}}
    >>> timeline([{"type": "Country"}]) is None
    True
    """
    years: set[int] = set()
    for n in nodes:
        for day in n.get("period") or ():
            if day:
                years.add(int(day[:4]))
    cycles = sorted({str(n["cycle"]) for n in nodes if n.get("cycle")})
    if not years and not cycles:
        return None
    span = list(range(min(years), max(years) + 1)) if years else []
    return {"years": span, "cycles": cycles, "start": dict(start or {})}


def render_html(model: MapModel, page: MapPage) -> str:
    """The page as text."""
    net = model.network
    vis_js, map_js = assets.vis_network_js(), assets.static("map.js")
    shown = [display(t) for t in (page.title, page.subtitle or "", *page.filters, *page.findings)]
    kosovo = model.names_kosovo or names_kosovo(shown)
    findings = [display(f) for f in page.findings]
    data = {
        "nodes": net.nodes,
        "edges": net.edges,
        "options": net.options,
        "fold": fold_table(),
        "grid": model.grid,
        "findings": [
            {"text": f, "key": page.finding_keys[i] if i < len(page.finding_keys) else {}}
            for i, f in enumerate(findings)
        ],
        "findingsShown": page.findings_shown,
        "steps": page.steps,
        "coverage": page.coverage,
        "present": page.present,
        "timeline": timeline(net.nodes, page.timeline_start),
        "storyPx": styles.STORY_PX,
        "large": LARGE,
        "mappedTypes": list(MAPPED_TYPES),
    }
    return (
        environment()
        .get_template("map.html")
        .render(
            title=display(page.title),
            subtitle=display(page.subtitle) if page.subtitle else "",
            filters=[display(f) for f in page.filters],
            data_date=page.data_date,
            generated=dt.date.today().isoformat(),
            legend=model.legend,
            facets=model.facets,
            findings_title=page.findings_title,
            findings=findings[: page.findings_shown],
            grouped=model.grid is not None,
            timeline=data["timeline"],
            findings_more=max(0, len(page.findings) - page.findings_shown),
            node_count=len(net.nodes),
            edge_count=len(net.edges),
            kosovo=kosovo,
            footnote=KOSOVO_FOOTNOTE,
            data=data,
            script_hashes=" ".join(_sha256(s) for s in (vis_js, map_js)),
            vis_css=Markup(assets.vis_network_css()),
            map_css=Markup(assets.static("map.css")),
            vis_js=Markup(vis_js),
            map_js=Markup(map_js),
        )
    )


def write_html(model: MapModel, page: MapPage, path: Path) -> Path:
    """Write the page to ``path`` (parent folders created) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(model, page), encoding="utf-8")
    return path
