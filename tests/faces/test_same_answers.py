"""Every face gives the same answer to the same question: ``kb … --json``, the JSON API of a real
``kb serve``, the pages, the maps' findings and the XLSX report, on the demo set plus a need whose
partner is known only through its responsible institution (the case where two copies of
"who funds this need" once drifted apart).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest

from kb.analysis.models import Gap, Overlap
from kb.presentation import display
from kb.seeding import load_seeds
from kb.store.sqlite import SQLiteStore
from tests.api.server import kb_serve
from tests.cli.conftest import KB
from tests.conftest import edge, node
from visual.highlight import gap_sentence, overlap_sentence

NEED = "need:faces-thermal-cameras"
FILTERS = {"pillar": "WBBSi", "country": "RS"}


def _institution_need() -> dict[str, list[dict[str, Any]]]:
    """A Serbian need known as Serbian only through its institution, answered by a GIZ project."""
    return {
        "nodes": [
            node("Institution", "inst:faces-rs-border-police", "Serbia: Border Police Directorate"),
            node("Need", NEED, "Thermal cameras for the green border", priority="high"),
            node(
                "Project",
                "project:faces-cameras",
                "Thermal cameras, phase I",
                start="2025-01-01",
                end="2026-12-31",
            ),
        ],
        "edges": [
            edge("PART_OF", "inst:faces-rs-border-police", "country:rs"),
            edge("RESPONSIBLE_FOR", "inst:faces-rs-border-police", NEED),
            edge("IN_PILLAR", NEED, "pillar:wbbsi"),
            edge("ADDRESSES", "project:faces-cameras", NEED),
            edge("FUNDS", "org:giz", "project:faces-cameras", amount=400_000, currency="EUR"),
            edge("IMPLEMENTS", "org:giz", "project:faces-cameras"),
        ],
    }


@pytest.fixture(scope="module")
def store_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("faces") / "kb.sqlite"
    extra = tmp_path_factory.mktemp("faces-doc") / "need.json"
    extra.write_text(json.dumps(_institution_need()), encoding="utf-8")
    with SQLiteStore(path) as store:
        store.init()
        store.upsert(load_seeds(demo=True), actor="cli", action="seed")
    result = KB(path)("import", "json", str(extra))
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def kb(store_file: Path) -> KB:
    return KB(store_file)


@pytest.fixture(scope="module")
def api(store_file: Path) -> Iterator[httpx.Client]:
    with kb_serve(store_file) as base, httpx.Client(base_url=base, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def needs(store_file: Path) -> list[str]:
    with SQLiteStore(store_file) as store:
        return [n["id"] for n in store.nodes(type="Need")]


def _get(api: httpx.Client, path: str, **params: str) -> Any:
    response = api.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _cli_options(filters: dict[str, str]) -> list[str]:
    return [part for key, value in filters.items() for part in (f"--{key}", value)]


@pytest.mark.parametrize("question", ["overlaps", "gaps", "cofunding", "coverage", "brokers"])
@pytest.mark.parametrize("filters", [{}, FILTERS], ids=["everything", "WBBSi-RS"])
def test_cli_json_and_api_json_are_the_same_report(kb, api, question, filters):
    assert kb.json(question, *_cli_options(filters)) == _get(api, f"/api/analyses/{question}", **filters)


@pytest.mark.parametrize(
    "asked", [{"since": "2000-01-01"}, {"cycle": "needs-mapping-1"}], ids=["since", "cycle"]
)
def test_changes_are_the_same_on_the_cli_and_the_api(kb, api, asked):
    options = [part for key, value in asked.items() for part in (f"--{key}", value)]
    assert kb.json("changes", *options) == _get(api, "/api/changes", **asked)


@pytest.mark.parametrize("question", ["overlaps", "gaps"])
def test_analyses_as_of_a_date_are_the_same_on_the_cli_and_the_api(kb, api, question):
    assert kb.json(question, "--as-of", "9999-12-31") == _get(
        api, f"/api/analyses/{question}", as_of="9999-12-31"
    )


def test_a_node_history_is_the_same_on_the_cli_and_the_api(kb, api):
    assert kb.json("history", NEED) == _get(api, f"/api/nodes/{NEED}/history")


def test_who_funds_is_the_same_for_every_need_on_the_cli_and_the_api(kb, api, needs):
    for need_id in needs:
        assert kb.json("who-funds", need_id) == _get(api, f"/api/analyses/who-funds/{need_id}"), need_id


def test_a_need_known_through_its_institution_has_its_partner_on_every_face(kb, api):
    cli = kb.json("who-funds", NEED)["who_funds"]
    assert [c["id"] for c in cli["countries"]] == ["country:rs"]
    assert _get(api, f"/api/analyses/who-funds/{NEED}")["who_funds"]["countries"] == cli["countries"]
    page = api.get(f"/needs/{NEED}").text
    assert "Serbia" in page and "GIZ" in page and "400,000 EUR" in page


@pytest.mark.parametrize("donor", ["org:dg-near", "org:giz", "country:at", "country:us", "org:unodc"])
def test_co_funders_are_the_same_on_the_cli_and_the_api(kb, api, donor):
    assert kb.json("co-funders", donor) == _get(api, f"/api/analyses/co-funders/{donor}")


@pytest.mark.parametrize("filters", [{"pillar": "WBBSi"}, {"country": "AL", "from": "2025-01-01"}])
def test_filtered_co_funders_are_the_same_on_the_cli_and_the_api(kb, api, filters):
    cli = kb.json("co-funders", "Austria", *_cli_options(filters))
    assert cli["needs"] and cli == _get(api, "/api/analyses/co-funders/Austria", **filters)


def test_paths_are_the_same_on_the_cli_and_the_api(kb, api):
    assert kb.json("path", "org:giz", "country:us") == _get(
        api, "/api/analyses/path", a="org:giz", b="country:us"
    )


def test_the_need_page_names_every_funder_and_total_who_funds_gives(kb, api, needs):
    for need_id in needs:
        answer = kb.json("who-funds", need_id)["who_funds"]
        page = html.unescape(api.get(f"/needs/{need_id}").text)
        for line in answer["lines"]:
            assert display(line["actor"]["name"]) in page or (line["actor"].get("short") or "") in page, (
                need_id
            )
            assert line["project"]["name"] in page, need_id


def _count(page: str, heading: str) -> int:
    found = re.search(rf"{heading} <span class=\"count\">(\d+)</span>", page)
    assert found, heading
    return int(found.group(1))


def test_the_home_page_counts_and_lists_the_overlaps_and_gaps_of_the_cli(kb, api):
    overlaps, gaps = kb.json("overlaps")["overlaps"], kb.json("gaps")["gaps"]
    page = html.unescape(api.get("/").text)
    needs = {n["id"] for g in gaps for n in ([g["need"]] if g["need"] else g["needs"])}
    assert _count(page, "Top overlaps") == len(overlaps) and _count(page, "Needs with gaps") == len(needs)
    assert f"See all {len(gaps)} gaps" in page
    shown = [o["need"]["name"] for o in overlaps[:6] if o["need"]]
    assert [name for name in shown if name in page] == shown


def test_the_home_page_lists_each_need_with_gaps_once_with_all_its_kinds(kb, api):
    gaps = kb.json("gaps")["gaps"]
    kinds: dict[str, list[str]] = {}
    for g in gaps:
        for n in [g["need"]] if g["need"] else g["needs"]:
            kinds.setdefault(display(n["name"]), []).append(g["kind"].replace("_", " "))
    page = html.unescape(api.get("/").text)
    section = page[page.index("Needs with gaps") :]
    rows = re.findall(r"<tr>(.*?)</tr>", section[: section.index("</table>")], re.DOTALL)[1:]
    listed = {re.sub(r"<[^>]+>", "", r.split("</td>")[2]).strip(): r for r in rows}
    assert len(rows) == len(listed) == min(len(kinds), 6)
    for name, row in listed.items():
        assert ", ".join(sorted(set(kinds[name]), key=kinds[name].index)) in row, name


def test_the_pillar_and_partner_pages_count_what_the_cli_finds_there(kb, api):
    pillar = html.unescape(api.get("/pillars/pillar:wbbsi").text)
    assert _count(pillar, "Overlaps") == len(kb.json("overlaps", "--pillar", "WBBSi")["overlaps"])
    assert _count(pillar, "Gaps") == len(kb.json("gaps", "--pillar", "WBBSi")["gaps"])


def _findings(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    section = text[text.index('<section id="findings"') :]
    section = section[: section.index("</section>")]
    return [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", section, re.DOTALL)]


def test_the_overlaps_map_lists_the_overlaps_of_the_cli(kb, tmp_path):
    out = tmp_path / "overlaps.html"
    assert kb("map", "overlaps", "-o", str(out)).exit_code == 0
    expected = [display(overlap_sentence(Overlap.model_validate(o))) for o in kb.json("overlaps")["overlaps"]]
    assert expected and _findings(out) == expected[:12]


def test_the_gaps_map_lists_the_gaps_of_the_cli(kb, tmp_path):
    out = tmp_path / "gaps.html"
    assert kb("map", "gaps", "-o", str(out), "--pillar", "WBBSi").exit_code == 0
    found = [Gap.model_validate(g) for g in kb.json("gaps", "--pillar", "WBBSi")["gaps"]]
    expected = [
        display(("Empty cell: " if g.kind == "empty_cell" else "Gap: ") + gap_sentence(g)) for g in found
    ]
    assert expected and _findings(out) == expected[:12]


def test_the_need_map_lists_who_funds_it_as_the_cli_does(kb, tmp_path):
    out = tmp_path / "need.html"
    assert kb("map", "need", NEED, "-o", str(out)).exit_code == 0
    lines = kb.json("who-funds", NEED)["who_funds"]["lines"]
    findings = _findings(out)
    for line in lines:
        verb = "funds" if line["role"] == "funder" else "implements"
        assert any(
            f.startswith(f"{line['actor']['short'] or line['actor']['name']} {verb}") for f in findings
        )


def _sheet_rows(path: Path, sheet: str) -> list[dict[str, Any]]:
    ws = openpyxl.load_workbook(path)[sheet]
    headers = [c.value for c in ws[6]]
    rows = []
    for values in ws.iter_rows(min_row=7, values_only=True):
        if values[0] is None or not isinstance(values[0], int):
            break
        rows.append(dict(zip(headers, values, strict=True)))
    return rows


def test_the_overlaps_workbook_has_the_overlaps_of_the_cli_row_for_row(kb, tmp_path):
    out = tmp_path / "overlaps.xlsx"
    assert kb("report", "overlaps", "--xlsx", str(out)).exit_code == 0
    found = kb.json("overlaps")["overlaps"]
    rows = _sheet_rows(out, "Overlaps")
    assert rows and len(rows) == len(found)
    assert [r["Need / context"] for r in rows] == [
        o["need"]["name"] if o["need"] else "; ".join(o["context"]) for o in found
    ]
    assert [r.get("Amount EUR") for r in rows] == [o["amounts"].get("EUR") for o in found]


def test_the_gaps_workbook_has_the_gaps_of_the_cli_row_for_row(kb, tmp_path):
    out = tmp_path / "gaps.xlsx"
    assert kb("report", "gaps", "--xlsx", str(out)).exit_code == 0
    found = kb.json("gaps")["gaps"]
    rows = _sheet_rows(out, "Gaps")
    assert rows and len(rows) == len(found)
    assert [(r["Kind"], r["Priority"]) for r in rows] == [
        (g["kind"].replace("_", " "), g["priority"]) for g in found
    ]
    assert [r["Need"] for r in rows] == [
        g["need"]["name"] if g["need"] else ", ".join(n["name"] for n in g["needs"]) for g in found
    ]
