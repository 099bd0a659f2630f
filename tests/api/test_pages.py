"""The pages as a browser gets them: every page renders, Kosovo* and its footnote, text is escaped."""

from __future__ import annotations

import re

import pytest

from tests.api.conftest import AUTH
from tests.conftest import edge, node

HTML = {"Accept": "text/html"}
PAGES = [
    "/",
    "/search?q=border",
    "/maps",
    "/needs/need:demo-al-border-surveillance",
    "/organisations/org:giz",
    "/organisations/inst:xk-moi",
    "/countries/country:xk",
    "/countries/country:at",
    "/pillars/pillar:wbbsi",
    "/events/event:2022-12-09-podgorica-thematic-meeting",
    "/nodes/doc:proposals-to-iisg-board",
]


def visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize("path", PAGES)
def test_page_renders_with_its_own_files_only(client, path):
    response = client.get(path, headers=HTML)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    urls = re.findall(r'(?:src|href|action)="([^"]*)"', response.text)
    assert urls and all(u.startswith(("/", "#", "?")) for u in urls), [
        u for u in urls if not u.startswith("/")
    ]


@pytest.mark.parametrize("path", PAGES)
def test_kosovo_always_carries_the_asterisk_and_the_footnote_once(client, path):
    text = visible_text(client.get(path, headers=HTML).text)
    footnote = "This designation is without prejudice"
    if "Kosovo" in text:
        assert text.count(footnote) == 1
        assert not re.search(r"Kosovo(?!\*)(?! declaration of independence)", text)
    else:
        assert footnote not in text


def test_every_stored_node_has_a_page(client, store):
    for chunk in store.iter_nodes(500):
        for record in chunk:
            response = client.get(f"/nodes/{record['id']}", headers=HTML)
            assert response.status_code == 200, (record["id"], response.text[:300])


def test_node_asked_under_another_type_is_redirected_to_its_page(client):
    response = client.get("/needs/org:giz", headers=HTML, follow_redirects=False)
    assert response.status_code == 307 and response.headers["location"] == "/organisations/org:giz"


def test_unknown_id_gives_a_404_page_for_browsers(client):
    response = client.get("/needs/need:nothing", headers=HTML)
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
    assert "need:nothing" in response.text and "Traceback" not in response.text


def test_need_page_lists_who_else_funds_it(client):
    html = client.get("/needs/need:demo-al-border-surveillance", headers=HTML).text
    assert "Who else funds this need" in html
    for donor in ("/countries/country:at", "/countries/country:it", "/organisations/org:dg-near"):
        assert f'href="{donor}"' in html


def test_organisation_page_shows_what_it_funds_with_whom_and_co_funders(client):
    html = client.get("/organisations/org:dg-near", headers=HTML).text
    assert "What it funds and implements" in html and "Co-funders" in html and "With whom" in html


def test_an_actor_page_tells_co_financiers_from_funders_of_the_same_need(client):
    html = client.get("/organisations/org:dg-near", headers=HTML).text
    section = html[html.index("Co-funders:") :]
    row = next(r for r in section.split("<tr>") if "Surveillance equipment for the green border" in r)
    same_project = row[row.index('class="same_project"') : row.index('class="same_need"')]
    same_need = row[row.index('class="same_need"') :]
    assert "Austria" in same_project and "Italy" not in same_project
    assert "Italy" in same_need and "Austria" not in same_need and "900,000 EUR" in same_need


def test_search_page_finds_names_without_diacritics(client):
    html = client.get("/search?q=kostresevic", headers=HTML).text
    assert "Siniša Kostrešević" in html


def test_html_and_script_in_names_are_shown_as_text(client):
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)> & "quotes"'
    batch = {
        "nodes": [
            node("Organisation", "org:evil", evil, acronym="<b>EV</b>"),
            node("Project", "project:evil", evil),
        ],
        "edges": [
            edge("FUNDS", "org:evil", "project:evil", amount=1, currency="EUR"),
            edge("ADDRESSES", "project:evil", "need:demo-al-border-surveillance"),
        ],
    }
    assert client.post("/api/batch", json=batch, headers=AUTH).status_code == 200
    for path in (
        "/organisations/org:evil",
        "/needs/need:demo-al-border-surveillance",
        "/search?q=script",
        "/nodes/project:evil",
        "/",
    ):
        html = client.get(path, headers=HTML).text
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>EV</b>" not in html, path
    html = client.get("/organisations/org:evil", headers=HTML).text
    assert "&lt;script&gt;alert(" in html


def test_search_query_is_echoed_as_text(client):
    html = client.get("/search", params={"q": '"><script>alert(1)</script>'}, headers=HTML).text
    assert "<script>alert(1)" not in html


def test_maps_are_self_contained_html(client):
    for path in (
        "/maps/overview?pillar=WBBSi",
        "/maps/need/need:demo-al-border-surveillance",
        "/maps/pillar/WBBSi",
        "/maps/partner/XK",
        "/maps/donor/org:dg-near",
        "/maps/overlaps",
        "/maps/gaps",
        "/maps/cofunding",
    ):
        response = client.get(path)
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
        assert not re.search(r'(?:src|href)="(?:https?:)?//', response.text)


def test_docs_is_swagger_ui_served_from_the_servers_own_files(client):
    html = client.get("/docs").text
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)
    assert '"/docs/assets/swagger-ui-bundle.js"' in html and '"validatorUrl": null' in html
    assert "/openapi.json" in html
    bundle = client.get("/docs/assets/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and len(bundle.content) > 100_000


def test_overview_shows_a_write_at_once(client):
    before = client.get("/", headers=HTML).text
    needs = int(re.search(r"(\d+) needs,", before).group(1))
    batch = {
        "nodes": [node("Need", "need:new-one", "A need stated just now", priority="high")],
        "edges": [edge("STATED_BY", "need:new-one", "country:rs")],
    }
    assert client.post("/api/batch", json=batch, headers=AUTH).status_code == 200
    after = client.get("/", headers=HTML).text
    assert f"{needs + 1} needs," in after
