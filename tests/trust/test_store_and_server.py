"""Store and server edges (issue 14, items 11-14): writers wait their turn, a read never creates a
store and a read-only one can be read, every response carries the security headers and only
allowed hosts are answered, and a write without a token is refused before its body is read.

Real parts throughout: SQLite files on disk, ``kb`` as a user runs it, ``kb serve`` on 127.0.0.1,
and (for the Neo4j lock) the session's real Neo4j server.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from kb.errors import StoreUnavailableError
from kb.records import parse_batch
from kb.seeding import load_seeds
from kb.store.sqlite import SQLiteStore
from tests.api.server import kb_serve
from tests.cli.conftest import KB
from tests.conftest import node

WRITE_TOKEN = "trust-write-token-0123456789"
READ_TOKEN = "trust-read-token-9876543210"
TOKENS = {"KB_API_TOKENS": f"alice:{WRITE_TOKEN}", "KB_API_READ_TOKENS": f"reader:{READ_TOKEN}"}
AUTH = {"Authorization": f"Bearer {WRITE_TOKEN}"}
READ = {"Authorization": f"Bearer {READ_TOKEN}"}
PROBLEM = "application/problem+json"
KB_COMMAND = [sys.executable, "-c", "from kb.cli import main; main()"]

#: Holds the write lock of an SQLite file, as a long import does: ``locked`` once it has it, then
#: for ``argv[2]`` seconds, or until its stdin closes.
HOLD_WRITE_LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("CREATE TABLE IF NOT EXISTS held (x)")
print("locked", flush=True)
if sys.argv[2] == "stdin":
    sys.stdin.read()
else:
    time.sleep(float(sys.argv[2]))
conn.execute("ROLLBACK")
"""


@contextmanager
def write_lock_held(store: Path, seconds: float | None = None) -> Iterator[subprocess.Popen]:
    """Another process holds ``store``'s write lock for ``seconds`` (else until the block ends)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_WRITE_LOCK, str(store), "stdin" if seconds is None else str(seconds)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield holder
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=60)


def one_line(stderr: str) -> str:
    assert stderr.count("\n") == 1 and "Traceback" not in stderr, stderr
    return stderr.strip()


def small_batch(tmp_path: Path, node_id: str = "org:waited") -> Path:
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"nodes": [node("Organisation", node_id, "Waited for its turn")]}), "utf-8")
    return path


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """An initialised, empty store file."""
    path = tmp_path / "kb.sqlite"
    SQLiteStore(path).close()
    return path


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("seeded") / "kb.sqlite"
    with SQLiteStore(path) as s:
        s.upsert(load_seeds(demo=True), actor="cli", action="seed")
    return path


@pytest.fixture(scope="module")
def served(seeded: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``kb serve`` on a copy of the seeded store, with a write and a read token."""
    path = tmp_path_factory.mktemp("served") / "kb.sqlite"
    shutil.copy(seeded, path)
    with kb_serve(path, env=TOKENS) as base:
        yield base


# -- item 11: writers wait for their turn ----------------------------------------------------------
@pytest.mark.slow
def test_a_cli_write_waits_for_a_write_lock_held_longer_than_five_seconds_then_succeeds(store, tmp_path):
    kb = KB(store)
    with write_lock_held(store, seconds=6):
        result = kb("import", "json", str(small_batch(tmp_path)), "--json")
    assert result.exit_code == 0, result.output
    assert "waiting for another write to finish" in result.stderr
    assert json.loads(result.stdout)["nodes_created"] == 1
    with SQLiteStore(store) as s:
        assert s.get("org:waited")["name"] == "Waited for its turn"


def test_a_cli_write_kept_waiting_past_kb_write_wait_fails_in_one_line_and_stores_nothing(store, tmp_path):
    kb = KB(store, env={"KB_WRITE_WAIT": "0.5"})
    with write_lock_held(store):
        result = kb("import", "json", str(small_batch(tmp_path)))
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"error: Store unavailable: store {store} is busy: another write held it for more than 0.5 s "
        "(KB_WRITE_WAIT); nothing was written, try again later"
    )
    with SQLiteStore(store) as s:
        assert s.get_many(["org:waited"]) == {} and s.write_log() == []


@pytest.mark.slow
def test_an_api_write_waits_for_a_write_lock_held_longer_than_five_seconds_instead_of_503(store):
    batch = {"nodes": [node("Organisation", "org:api-waited", "Waited over HTTP")]}
    with kb_serve(store, env=TOKENS) as base, httpx.Client(base_url=base, timeout=60) as http:
        with write_lock_held(store, seconds=6):
            response = http.post("/api/batch", json=batch, headers=AUTH)
        assert response.status_code == 200, response.text
        assert response.json()["nodes_created"] == 1
        assert http.get("/api/nodes/org:api-waited", headers=READ).status_code == 200


@pytest.mark.neo4j
def test_a_neo4j_write_waits_for_the_store_lock_and_says_so(neo4j_store, neo4j_server):
    told: list[str] = []
    neo4j_store.on_wait = told.append
    with _neo4j_lock_held(neo4j_store, neo4j_server, seconds=3):
        summary = neo4j_store.upsert(parse_batch({"nodes": [node("Organisation", "org:neo-waited", "N")]}))
    assert summary.nodes_created == 1
    assert len(told) == 1 and told[0].startswith("waiting for another write to finish")


@pytest.mark.neo4j
def test_a_neo4j_write_kept_waiting_past_write_wait_is_refused_and_writes_nothing(neo4j_store, neo4j_server):
    neo4j_store.write_wait = 1.0
    batch = parse_batch({"nodes": [node("Organisation", "org:neo-refused", "N")]})
    with (
        _neo4j_lock_held(neo4j_store, neo4j_server, seconds=30),
        pytest.raises(StoreUnavailableError) as refused,
    ):
        neo4j_store.upsert(batch)
    assert "is busy: another write held it for more than 1 s (KB_WRITE_WAIT); nothing was written" in str(
        refused.value
    )
    assert neo4j_store.get_many(["org:neo-refused"]) == {}


@contextmanager
def _neo4j_lock_held(store, server, seconds: float) -> Iterator[None]:
    """Another client holds the store's write lock (its ``KBMeta`` node) for at most ``seconds``."""
    from neo4j import GraphDatabase

    from kb.store.neo4j import queries as q
    from kb.store.neo4j.adapter import META

    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        with (
            GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as driver,
            driver.session(database=store.database) as session,
        ):
            tx = session.begin_transaction()
            tx.run(q.LOCK_STORE, meta=META).consume()
            locked.set()
            release.wait(seconds)
            tx.rollback()

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    assert locked.wait(30)
    try:
        yield
    finally:
        release.set()
        holder.join(60)


# -- item 12: a read never creates a store; a read-only store can be read ----------------------------
@pytest.mark.parametrize(
    "args",
    [("stats",), ("export", "json", "out.json"), ("search", "border"), ("get", "org:giz"), ("overlaps",)],
)
def test_a_read_of_a_mistyped_store_path_says_so_and_creates_nothing(tmp_path, args):
    missing = tmp_path / "typo" / "kb.sqlite"
    result = KB(missing)(*[str(tmp_path / a) if a.endswith(".json") else a for a in args])
    assert result.exit_code == 1
    assert one_line(result.stderr) == (
        f"error: Store unavailable: no knowledge base at {missing} (create it with kb init)"
    )
    assert not (tmp_path / "typo").exists() and not (tmp_path / "out.json").exists()


def test_kb_init_still_creates_a_missing_store(tmp_path):
    path = tmp_path / "new" / "kb.sqlite"
    assert KB(path)("init").exit_code == 0
    assert KB(path).json("stats")["nodes"]["Country"] == 0


@pytest.mark.slow
def test_kb_serve_on_a_missing_store_answers_reads_503_and_creates_nothing(tmp_path):
    missing = tmp_path / "typo" / "kb.sqlite"
    with kb_serve(missing) as base:
        ready = httpx.get(f"{base}/readyz", timeout=30)
        nodes = httpx.get(f"{base}/api/nodes", timeout=30)
    assert ready.status_code == 503 and nodes.status_code == 503
    assert nodes.json()["detail"] == f"no knowledge base at {missing} (create it with kb init)"
    assert not (tmp_path / "typo").exists()


def _unprivileged() -> list[str]:
    """How to run a command as a user the file modes apply to (root ignores them)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: file modes cannot be made to apply")
    return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]


@pytest.fixture
def read_only_store(seeded: Path) -> Iterator[Path]:
    """A 0444 copy of the seeded store in a 0555 folder that everyone can enter."""
    folder = Path(tempfile.mkdtemp(prefix="kb-read-only-"))
    path = folder / "kb.sqlite"
    shutil.copy(seeded, path)
    path.chmod(0o444)
    folder.chmod(0o555)
    try:
        yield path
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


def test_a_read_only_store_in_a_read_only_folder_is_read_and_refuses_writes(read_only_store, tmp_path):
    before = hashlib.sha256(read_only_store.read_bytes()).hexdigest()
    batch = tmp_path / "one.json"
    batch.write_text(json.dumps({"nodes": [node("Organisation", "org:ro", "R")]}), "utf-8")
    batch.chmod(0o644)
    tmp_path.chmod(0o755)
    for parent in tmp_path.parents:  # let the unprivileged user reach the batch file
        if str(parent).startswith(tempfile.gettempdir() + os.sep):
            parent.chmod(parent.stat().st_mode | 0o005)

    def kb(*args: str) -> subprocess.CompletedProcess:
        command = [*_unprivileged(), *KB_COMMAND, "--store", str(read_only_store), *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)

    stats = kb("stats", "--json")
    assert stats.returncode == 0, stats.stderr
    with SQLiteStore(read_only_store, create=False) as s:
        assert json.loads(stats.stdout) == s.counts()
    assert kb("search", "border", "--json").returncode == 0
    write = kb("import", "json", str(batch))
    assert write.returncode == 1
    assert one_line(write.stderr) == (
        f"error: Store unavailable: store {read_only_store} is read-only "
        "(the file or its folder is not writable): nothing was written"
    )
    assert sorted(p.name for p in read_only_store.parent.iterdir()) == ["kb.sqlite"]
    assert hashlib.sha256(read_only_store.read_bytes()).hexdigest() == before


# -- item 13: security headers and the Host allow-list ------------------------------------------------
SECURITY = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "SAMEORIGIN",
}


@pytest.mark.slow
def test_every_response_carries_nosniff_a_referrer_policy_frame_options_and_a_csp(served):
    with httpx.Client(base_url=served, timeout=60, headers=READ) as http:
        responses = {
            path: http.get(path)
            for path in (
                "/api/nodes?limit=1",
                "/api/nodes/org:nobody",
                "/maps/overview",
                "/docs",
                "/",
                "/healthz",
            )
        }
    for path, response in responses.items():
        for name, value in SECURITY.items():
            assert response.headers.get(name) == value, (path, name)
        assert "frame-ancestors 'self'" in response.headers["content-security-policy"], path
    assert responses["/api/nodes?limit=1"].headers["content-security-policy"] == (
        "default-src 'none'; frame-ancestors 'self'"
    )
    page = responses["/maps/overview"].text
    meta = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)"', page)
    assert meta is not None
    assert responses["/maps/overview"].headers["content-security-policy"] == (
        html.unescape(meta.group(1)) + "; frame-ancestors 'self'"
    )
    docs = responses["/docs"].headers["content-security-policy"]
    assert (
        "default-src 'none'" in docs and "script-src 'self' 'sha256-" in docs and "connect-src 'self'" in docs
    )


@pytest.mark.slow
def test_a_request_naming_another_host_is_refused_with_a_400_problem(served):
    port = served.rsplit(":", 1)[1]
    with httpx.Client(base_url=served, timeout=30, headers=READ) as http:
        refused = http.get("/api/nodes?limit=1", headers={"Host": f"rebound.example:{port}"})
        for host in (f"localhost:{port}", f"127.0.0.1:{port}", "localhost"):
            assert http.get("/api/nodes?limit=1", headers={"Host": host}).status_code == 200, host
    assert refused.status_code == 400 and refused.headers["content-type"].startswith(PROBLEM)
    body = refused.json()
    assert (body["type"], body["title"], body["status"]) == ("host-not-allowed", "Host not allowed", 400)
    assert "rebound.example" in body["detail"] and "KB_API_ALLOWED_HOSTS" in body["detail"]
    assert refused.headers["x-content-type-options"] == "nosniff"


@pytest.mark.slow
def test_kb_api_allowed_hosts_names_the_hosts_a_server_answers_to(seeded, tmp_path):
    path = tmp_path / "kb.sqlite"
    shutil.copy(seeded, path)
    with kb_serve(path, env={"KB_API_ALLOWED_HOSTS": "kb.example.org"}) as base:
        named = httpx.get(f"{base}/healthz", headers={"Host": "kb.example.org"}, timeout=30)
        loopback_name = httpx.get(f"{base}/healthz", headers={"Host": "localhost"}, timeout=30)
        own_address = httpx.get(f"{base}/healthz", timeout=30)
    assert named.status_code == 200 and own_address.status_code == 200
    assert loopback_name.status_code == 400


# -- item 14: a write without a token is refused before its body is read; every status is listed -----
HOSTILE_BODIES = {
    "malformed": b'{"nodes": [',
    "not UTF-8": b'{"nodes": [{"name": "\xff"}]}',
    "too deep": b"[" * 100_000 + b"]" * 100_000,
    "oversized number": b'{"nodes": [], "n": ' + b"9" * 5000 + b"}",
    "over the size limit": b'{"nodes": [' + b'"x",' * 3_000_000 + b'"x"]}',
}


@pytest.mark.slow
@pytest.mark.parametrize("kind", HOSTILE_BODIES)
def test_a_write_without_a_valid_token_is_refused_whatever_its_body(served, kind):
    content = HOSTILE_BODIES[kind]
    headers = {"Content-Type": "application/json"}
    with httpx.Client(base_url=served, timeout=60) as http:
        anonymous = http.post("/api/batch", content=content, headers=headers)
        unknown = http.post(
            "/api/batch", content=content, headers={**headers, "Authorization": "Bearer nope"}
        )
        reader = http.post(
            "/api/batch", content=content, headers={**headers, "Authorization": f"Bearer {READ_TOKEN}"}
        )
    for response, status, type_ in (
        (anonymous, 401, "unauthorized"),
        (unknown, 401, "unauthorized"),
        (reader, 403, "forbidden"),
    ):
        assert response.status_code == status, (kind, response.text)
        assert response.headers["content-type"].startswith(PROBLEM)
        assert response.json()["type"] == type_


@pytest.mark.slow
def test_every_operation_lists_the_bad_host_400_and_unreadable_bodies_are_422_invalid_input(served):
    with httpx.Client(base_url=served, timeout=60) as http:
        spec = http.get("/openapi.json").json()
        answers = {
            kind: http.post(
                "/api/batch", content=content, headers={**AUTH, "Content-Type": "application/json"}
            )
            for kind, content in HOSTILE_BODIES.items()
            if kind != "over the size limit"
        }
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            listed = operation["responses"]
            assert "400" in listed and PROBLEM in listed["400"]["content"], (method, path)
    for kind, response in answers.items():
        assert response.status_code == 422, (kind, response.text)
        body = response.json()
        assert (body["type"], body["title"]) == ("invalid-input", "Invalid input"), kind
        assert str(response.status_code) in spec["paths"]["/api/batch"]["post"]["responses"]
