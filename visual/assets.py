"""The scripts and styles a map inlines: vis-network (from the pyvis package) and our own.

vis-network 9.1.2 (© Almende B.V. and visjs contributors, dual licensed Apache-2.0 / MIT, the
licence header kept in the file) is read from the copy pyvis ships, so no second copy lives in
this repository. Everything is read once per process.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

VIS_VERSION = "9.1.2"
_CLOSING = {"js": re.compile(r"</script", re.IGNORECASE), "css": re.compile(r"</style", re.IGNORECASE)}


def _checked(text: str, kind: str, name: str) -> str:
    """Refuse a file that would end its own ``<script>``/``<style>`` element when inlined."""
    if _CLOSING[kind].search(text):
        raise ValueError(f"{name} cannot be inlined: it contains a closing {kind} tag")
    return text


@cache
def vis_network_js() -> str:
    path = resources.files("pyvis") / "lib" / f"vis-{VIS_VERSION}" / "vis-network.min.js"
    return _checked(path.read_text(encoding="utf-8"), "js", "vis-network.min.js")


@cache
def vis_network_css() -> str:
    path = resources.files("pyvis") / "lib" / f"vis-{VIS_VERSION}" / "vis-network.css"
    return _checked(path.read_text(encoding="utf-8"), "css", "vis-network.css")


@cache
def static(name: str) -> str:
    """One of our own files in ``visual/static/`` (``map.js``, ``map.css``)."""
    kind = name.rsplit(".", 1)[-1]
    return _checked((resources.files("visual") / "static" / name).read_text(encoding="utf-8"), kind, name)
