"""End to end: the real ``kb serve`` (uvicorn) on a free port of 127.0.0.1, over HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import httpx
import pytest

from tests.api.conftest import AUTH, TOKENS, WRITE_TOKEN, assert_problem
from tests.api.server import kb_serve
from tests.conftest import node

pytestmark = pytest.mark.slow


@pytest.fixture
def served(store_path, tmp_path):
    log = tmp_path / "server.log"
    with (
        kb_serve(
            store_path, env={"KB_API_TOKENS": TOKENS, "KB_API_MAX_BODY_BYTES": "100000"}, log=log
        ) as base,
        httpx.Client(base_url=base, timeout=30) as http,
    ):
        yield http, log


def test_served_pages_and_api_answer_over_http(served):
    http, _ = served
    assert http.get("/readyz").json()["status"] == "ready"
    assert http.get("/api/nodes/org:unodc").json()["id"] == "org:unodc"
    assert "Who else funds this need" in http.get("/needs/need:demo-al-border-surveillance").text
    assert http.get("/api/search", params={"q": "stevandić"}).json()[0]["id"] == "person:danilo-stevandic"


def test_served_write_needs_a_token_and_is_logged(served):
    http, _ = served
    batch = {"nodes": [node("Organisation", "org:e2e", "End-to-end donor")]}
    assert_problem(http.post("/api/batch", json=batch), 401, "unauthorized")
    assert_problem(
        http.post("/api/batch", json=batch, headers={"Authorization": "Bearer wrong"}), 401, "unauthorized"
    )
    written = http.post("/api/batch", json=batch, headers=AUTH)
    assert written.status_code == 200 and written.json()["nodes_created"] == 1
    assert http.get("/api/writes?limit=1").json()[0]["actor"] == "token:alice"


def test_served_errors_are_problems(served):
    http, _ = served
    assert_problem(http.get("/api/nodes/org:nobody"), 404, "not-found")
    assert_problem(
        http.post("/api/batch", content=b"{nope", headers={**AUTH, "Content-Type": "application/json"}),
        422,
        "invalid-input",
    )
    big = json.dumps({"nodes": [node("Organisation", f"org:n{i}", "x" * 200) for i in range(1000)]})
    assert_problem(
        http.post("/api/batch", content=big, headers={**AUTH, "Content-Type": "application/json"}),
        413,
        "payload-too-large",
    )


def test_served_requests_are_logged_as_json_lines_without_tokens(served):
    http, log = served
    http.get("/api/nodes/org:unodc", headers=AUTH)
    http.get("/api/nodes/org:nobody?secret=1")
    deadline = time.monotonic() + 10  # the server writes its log line after it answers
    while True:
        lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]
        requests = [x for x in lines if "method" in x]
        if (requests and requests[-1]["path"] == "/api/nodes/org:nobody") or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert (requests[-2]["path"], requests[-2]["status"]) == ("/api/nodes/org:unodc", 200)
    # 422: the operation takes no query parameter (strict parameters); the query is never logged.
    assert (requests[-1]["path"], requests[-1]["status"]) == ("/api/nodes/org:nobody", 422)
    assert all(isinstance(x["duration_ms"], (int, float)) for x in requests)
    assert WRITE_TOKEN not in log.read_text(encoding="utf-8") and "secret" not in log.read_text(
        encoding="utf-8"
    )


def test_several_workers_serve_one_store(store_path):
    with (
        kb_serve(store_path, workers=2, env={"KB_API_TOKENS": TOKENS}) as base,
        httpx.Client(base_url=base, timeout=30) as http,
    ):
        batch = {"nodes": [node("Organisation", "org:from-worker", "Written through a worker")]}
        assert http.post("/api/batch", json=batch, headers=AUTH).status_code == 200
        for _ in range(6):  # whichever worker answers sees the write
            assert http.get("/api/nodes/org:from-worker").status_code == 200


def test_serve_refuses_a_store_that_is_not_one(tmp_path):
    foreign = tmp_path / "foreign.sqlite"
    foreign.write_bytes(b"not a database" * 200)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from kb.cli import main; main()",
            "--store",
            str(foreign),
            "serve",
            "--port",
            "0",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: Not a usable knowledge-base store")
