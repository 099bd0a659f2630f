"""The demo set's overlaps and gaps are those listed in docs/analyses.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kb.analysis.gaps import first_needs, gaps, per_need
from kb.analysis.overlaps import overlaps
from kb.seeding import SEED_DIR, load_seeds
from kb.store.sqlite import SQLiteStore

DOC = Path(__file__).resolve().parents[2] / "docs" / "analyses.md"


def documented(marker: str) -> list[list[str]]:
    """The rows of the table between ``<!-- marker -->`` and ``<!-- /marker -->``, cells stripped."""
    text = DOC.read_text(encoding="utf-8")
    block = re.search(rf"<!-- {marker} -->\n(.*?)<!-- /{marker} -->", text, re.DOTALL)
    assert block, f"docs/analyses.md has no {marker} table"
    rows = [line.strip().strip("|").split("|") for line in block.group(1).strip().splitlines()[2:]]
    return [[cell.strip() for cell in row] for row in rows]


def ids(refs) -> str:
    return ", ".join(f"`{r.id}`" for r in refs)


def money(amounts) -> str:
    return "; ".join(f"{v:,.0f} {c}" for c, v in amounts.items())


@pytest.fixture(scope="module")
def demo_graph(tmp_path_factory):
    if not (SEED_DIR / "demo").is_dir():
        pytest.skip("no demo seed set")
    with SQLiteStore(tmp_path_factory.mktemp("demo") / "kb.sqlite") as store:
        store.upsert(load_seeds())
        return store.subgraph()


def test_demo_overlaps_are_those_the_docs_list(demo_graph):
    found = [
        [
            str(i),
            o.level,
            f"`{o.need.id}`" if o.need else "; ".join(o.context),
            ids(o.countries),
            ids(o.projects),
            ids(o.donors),
            o.period.label(),
            money(o.amounts),
        ]
        for i, o in enumerate(overlaps(demo_graph), 1)
    ]
    assert found == documented("demo-overlaps")


def test_demo_gaps_are_those_the_docs_list(demo_graph):
    found = [
        [
            str(i),
            g.kind,
            g.priority,
            f"`{g.need.id}`" if g.need else ids(g.needs),
            ids(g.countries),
            ids(g.pillars),
            money(g.shortfall),
        ]
        for i, g in enumerate(gaps(demo_graph), 1)
    ]
    assert found == documented("demo-gaps")


@pytest.mark.parametrize("limit", [1, 2, 3, None])
def test_the_first_needs_in_gaps_are_those_of_all_gaps_grouped_by_need(demo_graph, limit):
    found = gaps(demo_graph)
    everyone = per_need(list(found))
    first, total = first_needs(gaps(demo_graph), limit)
    assert first == everyone[:limit] and total == len(everyone)
