"""/api/analyses/overlaps and /gaps answer one page of ranked results, with the total and the next page."""

from __future__ import annotations

from api.routers.analyses import PAGE
from tests.api.conftest import assert_problem


def test_a_page_of_overlaps_is_the_ranked_overlaps_from_its_offset(client):
    everything = client.get("/api/analyses/overlaps").json()["overlaps"]
    page = client.get("/api/analyses/overlaps", params={"limit": 1, "offset": 1}).json()["overlaps"]
    assert len(everything) > 2 and page == everything[1:2]


def test_a_page_says_how_many_results_there_are_and_links_the_next_page(client):
    answer = client.get("/api/analyses/gaps", params={"limit": 2, "kind": "unaddressed"})
    total = int(answer.headers["x-total-count"])
    assert total > 2 and len(answer.json()["gaps"]) == 2
    link = answer.headers["link"]
    assert link.endswith('; rel="next"') and "offset=2" in link and "kind=unaddressed" in link


def test_the_last_page_links_no_next_page(client):
    total = int(client.get("/api/analyses/overlaps").headers["x-total-count"])
    last = client.get("/api/analyses/overlaps", params={"limit": 1, "offset": total - 1})
    assert len(last.json()["overlaps"]) == 1 and "link" not in last.headers


def test_without_a_limit_a_page_holds_the_default_number(client):
    answer = client.get("/api/analyses/overlaps")
    assert len(answer.json()["overlaps"]) == min(PAGE, int(answer.headers["x-total-count"]))


def test_a_limit_of_zero_is_refused(client):
    assert_problem(client.get("/api/analyses/overlaps", params={"limit": 0}), 422, "invalid-input")
