"""The history over HTTP: a node's history, what changed, analyses as of a date, revert with a write token."""

from __future__ import annotations

from tests.api.conftest import AUTH, assert_problem
from tests.conftest import next_second


def _change_amount(client, store, amount) -> int:
    edge = next(
        e
        for e in store.edges_of("project:demo-al-border-surveillance-italy")
        if e["type"] == "FUNDS" and e.get("amount") is not None
    )
    next_second()  # a batch of its own second, after the seeding's
    response = client.post("/api/batch", json={"edges": [{**edge, "amount": amount}]}, headers=AUTH)
    assert response.status_code == 200, response.text
    return store.write_log(1)[0].batch


def test_node_history_lists_the_change_with_before_and_after(client, store):
    batch = _change_amount(client, store, 123_456)
    history = client.get("/api/nodes/project:demo-al-border-surveillance-italy/history").json()
    [change] = [c for c in history if c["batch"] == batch]
    assert change["actor"] == "token:alice" and change["kind"] == "edge"
    assert change["after"]["amount"] == 123_456 and change["before"]["amount"] != 123_456


def test_history_of_an_unknown_node_is_404(client):
    assert_problem(client.get("/api/nodes/org:nobody/history"), 404, "not-found")


def test_changes_since_a_date_list_the_funding_change(client, store):
    _change_amount(client, store, 123_456)
    body = client.get("/api/changes", params={"since": store.write_log(1)[0].at}).json()
    [row] = body["changes"]
    assert (row["what"], row["change"], row["after"]) == ("funding", "changed", "123456")
    assert "project:demo-al-border-surveillance-italy" in row["ids"]


def test_changes_refuse_an_unknown_parameter(client):
    body = assert_problem(client.get("/api/changes", params={"snice": "2025-01-01"}), 422, "invalid-input")
    assert "snice" in body["detail"]


def test_changes_without_since_or_cycle_is_a_problem(client):
    assert_problem(client.get("/api/changes"), 422, "invalid-input")


def test_overlaps_as_of_a_date_before_any_write_are_empty(client):
    assert client.get("/api/analyses/overlaps", params={"as_of": "2000-01-01"}).json()["overlaps"] == []
    assert client.get("/api/analyses/overlaps").json()["overlaps"]


def test_gaps_as_of_a_bad_date_is_a_problem(client):
    body = assert_problem(
        client.get("/api/analyses/gaps", params={"as_of": "yesterday"}), 422, "invalid-input"
    )
    assert "not a date" in body["detail"]


def test_revert_needs_a_write_token(client, store):
    batch = _change_amount(client, store, 123_456)
    assert_problem(client.post(f"/api/batches/{batch}/revert"), 401, "unauthorized")
    assert store.write_log(1)[0].batch == batch


def test_revert_with_a_write_token_restores_the_amount(client, store):
    before = store.edges_of("project:demo-al-border-surveillance-italy")
    batch = _change_amount(client, store, 123_456)
    response = client.post(f"/api/batches/{batch}/revert", headers=AUTH)
    assert response.status_code == 200, response.text
    assert response.json()["reverted"] == batch and response.json()["edges_updated"] == 1
    assert store.edges_of("project:demo-al-border-surveillance-italy") == before


def test_a_conflicting_revert_is_409_and_changes_nothing(client, store):
    first = _change_amount(client, store, 1)
    second = _change_amount(client, store, 2)
    body = assert_problem(client.post(f"/api/batches/{first}/revert", headers=AUTH), 409, "conflict")
    assert f"batch {second}" in body["detail"]
    assert store.write_log(1)[0].batch == second
    forced = client.post(f"/api/batches/{first}/revert", params={"force": "true"}, headers=AUTH)
    assert forced.status_code == 200, forced.text


def test_reverting_an_unknown_batch_is_404(client):
    assert_problem(client.post("/api/batches/9999/revert", headers=AUTH), 404, "not-found")
