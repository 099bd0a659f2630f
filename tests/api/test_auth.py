"""Tokens: writes need a write token; reads need one only when read tokens are configured."""

from __future__ import annotations

import base64

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from api.deps import Tokens, parse_tokens
from kb.errors import KBError
from kb.settings import Settings
from tests.api.conftest import AUTH, READ_TOKEN, WRITE_TOKEN, assert_problem
from tests.conftest import node

BATCH = {"nodes": [node("Organisation", "org:new-donor", "New donor")]}


def test_write_without_token_is_401_with_bearer_challenge(client, store):
    before = store.counts()
    response = client.post("/api/batch", json=BATCH)
    assert_problem(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert store.counts() == before


def test_write_with_wrong_token_is_401_and_changes_nothing(client, store):
    before = store.counts()
    response = client.post("/api/batch", json=BATCH, headers={"Authorization": "Bearer not-the-token"})
    body = assert_problem(response, 401, "unauthorized")
    assert "not-the-token" not in body["detail"]
    assert store.counts() == before


def test_delete_without_token_is_refused(client):
    assert_problem(client.delete("/api/nodes/org:unodc"), 401, "unauthorized")
    assert client.get("/api/nodes/org:unodc").status_code == 200


def test_read_token_cannot_write(settings):
    settings = settings.model_copy(update={"api_read_tokens": SecretStr(f"reader:{READ_TOKEN}")})
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        response = c.post("/api/batch", json=BATCH, headers={"Authorization": f"Bearer {READ_TOKEN}"})
    assert_problem(response, 403, "forbidden")


def test_without_configured_tokens_writes_are_forbidden(store_path):
    with TestClient(create_app(Settings(store=str(store_path))), raise_server_exceptions=False) as c:
        body = assert_problem(c.post("/api/batch", json=BATCH, headers=AUTH), 403, "forbidden")
    assert "KB_API_TOKENS" in body["detail"]


def test_write_is_logged_with_time_token_name_and_summary(client):
    response = client.post("/api/batch", json=BATCH, headers=AUTH)
    assert response.status_code == 200, response.text
    assert response.json()["nodes_created"] == 1 and response.json()["actor"] == "token:alice"
    latest = client.get("/api/writes?limit=1").json()[0]
    assert latest["actor"] == "token:alice"
    assert latest["summary"]["nodes_created"] == 1 and latest["summary"]["nodes"] == 1
    assert latest["at"][:4].isdigit() and "T" in latest["at"]
    assert "1 nodes" in latest["action"]


def test_delete_with_token_removes_node_and_logs_it(client):
    assert client.delete("/api/nodes/person:danilo-stevandic", headers=AUTH).status_code == 204
    assert_problem(client.get("/api/nodes/person:danilo-stevandic"), 404, "not-found")
    latest = client.get("/api/writes?limit=1").json()[0]
    assert latest["actor"] == "token:alice" and latest["action"] == "delete"
    assert latest["summary"]["id"] == "person:danilo-stevandic"
    assert_problem(client.delete("/api/nodes/person:danilo-stevandic", headers=AUTH), 404, "not-found")


def test_reads_are_open_without_read_tokens(client):
    assert client.get("/api/nodes/org:unodc").status_code == 200
    assert client.get("/").status_code == 200


def test_read_tokens_make_reads_need_a_token(settings):
    settings = settings.model_copy(update={"api_read_tokens": SecretStr(f"reader:{READ_TOKEN}")})
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        assert_problem(c.get("/api/nodes/org:unodc"), 401, "unauthorized")
        assert_problem(c.get("/api/writes"), 401, "unauthorized")
        assert (
            c.get("/api/nodes/org:unodc", headers={"Authorization": f"Bearer {READ_TOKEN}"}).status_code
            == 200
        )
        assert c.get("/api/nodes/org:unodc", headers=AUTH).status_code == 200  # a writer may read
        # browsers: the page asks for Basic credentials, whose password is the token
        page = c.get("/", headers={"Accept": "text/html"})
        assert page.status_code == 401 and page.headers["WWW-Authenticate"].startswith("Basic")
        basic = base64.b64encode(f"anyone:{READ_TOKEN}".encode()).decode()
        assert c.get("/", headers={"Authorization": f"Basic {basic}"}).status_code == 200
        # health and readiness stay open for load balancers
        assert c.get("/healthz").status_code == 200 and c.get("/readyz").status_code == 200


def test_tokens_are_kept_only_as_digests():
    tokens = Tokens(Settings(api_tokens=f"alice:{WRITE_TOKEN}", api_read_tokens=f"reader:{READ_TOKEN}"))
    kept = repr(vars(tokens))
    assert WRITE_TOKEN not in kept and READ_TOKEN not in kept
    assert tokens.identify(WRITE_TOKEN).name == "alice" and tokens.identify(WRITE_TOKEN).can_write
    assert not tokens.identify(READ_TOKEN).can_write
    assert tokens.identify("guess") is None


@pytest.mark.parametrize("spec", ["alice", "alice:", ":token", "alice:tok,bob"])
def test_malformed_token_setting_is_refused(spec):
    with pytest.raises(KBError, match="name:token"):
        parse_tokens(spec, "KB_API_TOKENS")


def test_settings_repr_does_not_show_tokens():
    assert WRITE_TOKEN not in repr(Settings(api_tokens=f"alice:{WRITE_TOKEN}"))
