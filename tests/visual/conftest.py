"""Fixtures for maps: a small real graph with hostile names, and Debian's chromium via Playwright."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from kb.graph import to_networkx
from tests.conftest import edge, node
from visual import png

#: Names as an IATI file or a spreadsheet might carry them.
XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_SCRIPT = "<script>window.__xss = 1</script>"
XSS_HREF = '<a href="javascript:window.__xss=2">click</a> <img src=x onerror="window.__xss=3">'


@pytest.fixture
def hostile_graph(small_graph: dict[str, list[dict[str, Any]]]) -> nx.MultiDiGraph:
    """The shared small graph plus donors whose names and sources carry markup."""
    nodes = [
        *small_graph["nodes"],
        node("Organisation", "org:xss-img", XSS_IMG, description=XSS_SCRIPT),
        node("Organisation", "org:xss-script", XSS_SCRIPT, acronym=XSS_SCRIPT),
        node("Organisation", "org:xss-href", XSS_HREF, sources=[XSS_HREF]),
    ]
    edges = [
        *small_graph["edges"],
        edge("FUNDS", "org:xss-img", "project:a", amount=10, currency="EUR", kind="commitment"),
        edge("FUNDS", "org:xss-script", "project:b", amount=20, currency="EUR", kind="commitment"),
        edge("IMPLEMENTS", "org:xss-href", "project:a", role=XSS_HREF),
    ]
    return to_networkx(nodes, edges)


@dataclass
class Opened:
    """A map open in the browser, and what happened while it loaded."""

    page: Any
    blocked: list[str]
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def eval(self, script: str) -> Any:
        return self.page.evaluate(script)


@pytest.fixture
def open_map(browser) -> Iterator[Any]:
    """Open an HTML file with every request that is not the file itself aborted and counted."""
    contexts = []

    def opener(path: Path, size: tuple[int, int] = (1920, 1080)) -> Opened:
        context = browser.new_context(viewport={"width": size[0], "height": size[1]})
        contexts.append(context)
        page = context.new_page()
        opened = Opened(page=page, blocked=png.block_network(page))
        page.on("request", lambda r: opened.requests.append(r.url))
        page.on("console", lambda m: m.type == "error" and opened.errors.append(m.text))
        page.on("pageerror", lambda exc: opened.errors.append(str(exc)))
        page.on("dialog", lambda d: (opened.dialogs.append(d.message), d.dismiss()))
        page.goto(path.resolve().as_uri())
        page.wait_for_function("() => window.__mapStill !== undefined", timeout=30_000)
        return opened

    yield opener
    for context in contexts:
        context.close()


@pytest.fixture(scope="module")
def kb_seeded(tmp_path_factory):
    """``kb`` against a store seeded once per module with the seed and demo data."""
    from tests.cli.conftest import KB

    kb = KB(tmp_path_factory.mktemp("maps") / "kb.sqlite")
    assert kb("seed").exit_code == 0
    return kb
