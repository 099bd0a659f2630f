"""Names, codes or ids wherever an id is asked for, resolved by one function: an unknown or
ambiguous one is refused with the candidates, never picked silently (issue 17, item 2)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kb.settings import Settings
from tests.cli.conftest import KB
from tests.conftest import node


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KB:
    folder = tmp_path_factory.mktemp("names")
    kb = KB(folder / "kb.sqlite")
    kb.json("seed")
    twins = folder / "twins.json"
    twins.write_text(
        json.dumps(
            {
                "nodes": [node("Organisation", f"org:example-{i}", "Example Agency") for i in (1, 2)],
                "edges": [],
            }
        ),
        encoding="utf-8",
    )
    assert kb("import", "json", str(twins)).exit_code == 0
    return kb


@pytest.mark.parametrize("name", ["Austria", "AT", "at", "country:at", "AUSTRIA"])
def test_a_donor_is_found_by_its_name_its_code_or_its_id(kb, name):
    assert kb.json("co-funders", name) == kb.json("co-funders", "country:at")


def test_an_organisation_is_found_by_its_acronym(kb):
    assert kb.json("co-funders", "DG NEAR")["org"]["id"] == "org:dg-near"


def test_a_partner_is_found_by_its_name_in_either_script(kb):
    rs = kb.json("overlaps", "--country", "RS")
    assert kb.json("overlaps", "--country", "Serbia") == rs
    assert kb.json("overlaps", "--country", "Србија") == rs


def test_a_need_is_found_by_its_name(kb):
    by_id = kb.json("who-funds", "need:demo-al-border-surveillance")
    assert kb.json("who-funds", "Albania – Surveillance equipment for the green border") == by_id


def test_a_misspelt_name_is_refused_with_what_it_may_have_meant(kb):
    result = kb("co-funders", "Austira")
    assert result.exit_code == 1 and "did you mean Austria (country:at)?" in result.stderr


def test_an_ambiguous_name_is_refused_naming_every_candidate(kb):
    result = kb("co-funders", "Example Agency")
    assert result.exit_code == 1 and "ambiguous" in result.stderr
    assert "org:example-1" in result.stderr and "org:example-2" in result.stderr


def test_an_unknown_pillar_lists_the_pillars_there_are(kb):
    result = kb("gaps", "--pillar", "WBXX")
    assert result.exit_code == 1 and "WBBSi" in result.stderr and "WBCTi" in result.stderr


@pytest.fixture(scope="module")
def client(kb: KB):
    with TestClient(create_app(Settings(store=str(kb.store))), follow_redirects=False) as c:
        yield c


def test_the_api_takes_a_name_where_it_takes_an_id(kb, client):
    by_name = client.get("/api/analyses/co-funders/Austria").json()
    assert by_name == client.get("/api/analyses/co-funders/country:at").json()


def test_the_api_refuses_an_ambiguous_name_with_the_candidates(client):
    response = client.get("/api/analyses/co-funders/Example Agency")
    assert response.status_code == 422 and "org:example-2" in response.json()["detail"]


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/pillars/WBBSi", "/pillars/pillar:wbbsi"),
        ("/countries/RS", "/countries/country:rs"),
        ("/organisations/DG NEAR", "/organisations/org:dg-near"),
    ],
)
def test_a_page_url_may_name_its_node_by_code_or_name(client, path, target):
    response = client.get(path)
    assert response.status_code == 307 and response.headers["location"] == target
    assert client.get(target).status_code == 200


def test_a_page_url_with_an_unknown_name_is_a_problem_with_candidates(client):
    response = client.get("/countries/Serbija2", headers={"Accept": "text/html"})
    assert response.status_code in (404, 422) and "Serbia" in response.text
