"""Bad input as users and scripts send it: every refusal is a problem+json naming what is wrong."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.app import create_app
from kb.settings import Settings
from kb.store.sqlite import SQLiteStore
from tests.api.conftest import AUTH, assert_problem
from tests.conftest import edge, node


def test_unknown_node_id_is_a_404_problem_naming_the_id(client):
    body = assert_problem(client.get("/api/nodes/org:no-such-body"), 404, "not-found")
    assert "org:no-such-body" in body["detail"]


def test_unknown_id_in_an_analysis_is_a_404_problem(client):
    assert_problem(client.get("/api/analyses/who-funds/need:nothing"), 404, "not-found")
    assert_problem(client.get("/api/analyses/co-funders/org:nothing"), 404, "not-found")
    assert_problem(client.get("/api/neighbourhood/org:nothing"), 404, "not-found")


def test_unknown_path_is_a_404_problem(client):
    assert_problem(client.get("/api/no-such-thing"), 404, "not-found")


def test_who_funds_of_something_not_a_need_is_invalid_input(client):
    body = assert_problem(client.get("/api/analyses/who-funds/org:unodc"), 422, "invalid-input")
    assert "not a need" in body["detail"]


def test_unknown_filter_value_is_invalid_input_listing_known_values(client):
    body = assert_problem(client.get("/api/analyses/overlaps?pillar=WBXX"), 422, "invalid-input")
    assert "WBBSi" in body["detail"]


def test_wrong_query_type_names_the_parameter(client):
    body = assert_problem(client.get("/api/nodes?limit=lots"), 422, "invalid-input")
    assert body["errors"][0]["field"] == "query.limit"
    body = assert_problem(client.get("/api/analyses/gaps?from=yesterday"), 422, "invalid-input")
    assert body["errors"][0]["field"] == "query.from"


def test_from_after_to_is_invalid_input(client):
    body = assert_problem(
        client.get("/api/analyses/gaps?from=2025-01-01&to=2024-01-01"), 422, "invalid-input"
    )
    assert "after" in body["detail"]


def test_unknown_node_type_in_query_names_the_parameter(client):
    body = assert_problem(client.get("/api/nodes?type=Spaceship"), 422, "invalid-input")
    assert body["errors"][0]["field"] == "query.type"


def test_malformed_json_body_is_a_422_problem(client, store):
    before = store.counts()
    response = client.post(
        "/api/batch", content=b'{"nodes": [', headers={**AUTH, "Content-Type": "application/json"}
    )
    body = assert_problem(response, 422, "invalid-input")
    assert "not valid JSON" in body["detail"]
    assert store.counts() == before


def test_wrong_type_of_a_field_names_the_record_and_field(client):
    batch = {"nodes": [node("Organisation", "org:x", 12345)]}
    body = assert_problem(client.post("/api/batch", json=batch, headers=AUTH), 422, "invalid-input")
    fields = [e["field"] for e in body["errors"]]
    assert "body.nodes.0.Organisation.name" in fields
    assert "name" in body["detail"]


def test_missing_field_is_named(client):
    batch = {"nodes": [{"type": "Organisation", "id": "org:x", "sources": ["t"]}]}
    body = assert_problem(client.post("/api/batch", json=batch, headers=AUTH), 422, "invalid-input")
    assert body["errors"][0]["field"] == "body.nodes.0.Organisation.name"
    assert body["errors"][0]["code"] == "missing"


def test_unknown_node_type_in_a_batch_is_refused(client):
    batch = {"nodes": [{"type": "Spaceship", "id": "ship:x", "name": "X", "sources": ["t"]}]}
    body = assert_problem(client.post("/api/batch", json=batch, headers=AUTH), 422, "invalid-input")
    assert body["errors"][0]["field"] == "body.nodes.0"


def test_batch_with_one_bad_record_changes_nothing(client, store):
    before = store.counts()
    log_before = len(store.write_log(1000))
    batch = {
        "nodes": [node("Organisation", "org:new-donor", "New donor"), node("Project", "project:new", "New")],
        "edges": [
            edge("FUNDS", "org:new-donor", "project:new", amount=10, currency="EUR"),
            edge("ADDRESSES", "project:new", "need:does-not-exist"),
        ],
    }
    body = assert_problem(client.post("/api/batch", json=batch, headers=AUTH), 422, "schema-violation")
    assert "need:does-not-exist" in body["detail"] and "target" in body["detail"]
    assert store.counts() == before
    assert len(store.write_log(1000)) == log_before
    assert_problem(client.get("/api/nodes/org:new-donor"), 404, "not-found")


def test_batch_edge_of_a_type_it_cannot_join_is_refused_naming_the_field(client, store):
    before = store.counts()
    batch = {"edges": [edge("FUNDS", "org:giz", "country:rs", amount=1, currency="EUR")]}
    body = assert_problem(client.post("/api/batch", json=batch, headers=AUTH), 422, "schema-violation")
    assert "field 'target'" in body["detail"]
    assert store.counts() == before


def test_every_error_of_the_family_becomes_its_problem(settings):
    from kb.errors import ERROR_CLASSES

    app = create_app(settings)
    for cls in ERROR_CLASSES:
        app.add_api_route(
            f"/api/raise/{cls.__name__}", lambda cls=cls: (_ for _ in ()).throw(cls("what went wrong"))
        )
    with TestClient(app, raise_server_exceptions=False) as c:
        for cls in ERROR_CLASSES:
            body = assert_problem(c.get(f"/api/raise/{cls.__name__}"), cls.status, cls.type)
            assert body["title"] == cls.title and body["detail"] == "what went wrong"


def test_a_dump_posted_twice_changes_nothing_the_second_time(client, store):
    dump = client.get("/api/export/json").json()
    first = client.post("/api/batch", json=dump, headers=AUTH)
    assert first.status_code == 200, first.text
    assert first.json()["nodes_created"] == 0 and first.json()["nodes_updated"] == 0
    second = client.post("/api/batch", json=dump, headers=AUTH).json()
    assert second["nodes_created"] == second["nodes_updated"] == second["edges_created"] == 0


def test_oversized_body_is_a_413_problem(client, store):
    before = store.counts()
    big = {"nodes": [node("Organisation", f"org:n{i}", "x" * 500) for i in range(600)]}
    body = assert_problem(client.post("/api/batch", json=big, headers=AUTH), 413, "payload-too-large")
    assert "200,000 bytes" in body["detail"]
    assert store.counts() == before


def test_oversized_chunked_body_without_length_is_refused(client):
    def chunks():
        for _ in range(50):
            yield b" " * 10_000

    response = client.post(
        "/api/batch", content=chunks(), headers={**AUTH, "Content-Type": "application/json"}
    )
    assert_problem(response, 413, "payload-too-large")


def test_unexpected_error_is_a_500_problem_without_internals(store_path):
    class Broken(SQLiteStore):
        def get(self, node_id):
            raise RuntimeError(f"secret internals at {self.path}")

    store = Broken(store_path)
    with TestClient(
        create_app(Settings(store=str(store_path)), store=store), raise_server_exceptions=False
    ) as c:
        response = c.get("/api/nodes/org:unodc")
    body = assert_problem(response, 500, "internal-error")
    assert "secret" not in response.text and str(store_path) not in response.text
    assert body["title"] == "Internal error"
    store.close()


def test_store_that_cannot_be_opened_makes_readiness_503(tmp_path):
    foreign = tmp_path / "not-a-store.sqlite"
    foreign.write_bytes(b"this is not a database" * 100)
    with TestClient(create_app(Settings(store=str(foreign))), raise_server_exceptions=False) as c:
        assert c.get("/healthz").json() == {"status": "ok"}
        body = assert_problem(c.get("/readyz"), 503, "incompatible-store")
    assert "not a knowledge-base store" in body["detail"]
