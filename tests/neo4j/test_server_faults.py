"""Faults against a real Neo4j server: each is one line naming the cause, exit 1, no traceback.

The session's server answers the sign-in and database faults; the crash and fresh-database cases
start servers of their own on their own data, so the session's server is never killed.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import pytest

from kb.errors import StoreUnavailableError
from kb.store.neo4j import local
from kb.store.neo4j.local import LocalNeo4j
from tests.conftest import TEST_PASSWORD, node

pytestmark = pytest.mark.neo4j

KB = [sys.executable, "-c", "from kb.cli import main; main()"]


def user_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment with ``extra``, and no KB_STORE (``--store`` names the store)."""
    env = {**os.environ, **(extra or {})}
    env.pop("KB_STORE", None)
    return env


def kb(
    store: str, *args: str, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*KB, "--store", store, *args],
        env=user_env(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,  # the callers check the exit code and stderr
    )


def one_line(result: subprocess.CompletedProcess, starts: str) -> None:
    assert result.returncode == 1, (result.returncode, result.stderr)
    assert result.stderr.startswith(starts), result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr + result.stdout


@pytest.fixture(scope="module")
def own_server(tmp_path_factory):
    """A second local server, for the cases that kill or restart it."""
    if reason := local.unavailable_reason():
        pytest.skip(reason)
    data = tmp_path_factory.mktemp("own-neo4j")
    server = LocalNeo4j(data, password=TEST_PASSWORD)
    server.start()
    yield server
    server.stop()


def test_a_server_not_started_yet_is_named(tmp_path):
    port = local.free_port()
    one_line(
        kb(f"bolt://127.0.0.1:{port}", "stats"),
        f"error: Store unavailable: cannot reach Neo4j at bolt://127.0.0.1:{port}",
    )


def test_a_wrong_password_is_named_and_not_shown(neo4j_server):
    result = kb(
        neo4j_server.uri, "stats", env={**neo4j_server.env(), "KB_NEO4J_PASSWORD": "not-the-password"}
    )
    one_line(
        result,
        f"error: Store unavailable: Neo4j at {neo4j_server.uri} refused the credentials of user "
        f"'{neo4j_server.user}'",
    )
    assert "not-the-password" not in result.stderr


def test_a_wrong_database_name_is_named(neo4j_server):
    result = kb(neo4j_server.uri, "stats", env={**neo4j_server.env(), "KB_NEO4J_DATABASE": "kb-nope"})
    one_line(result, f"error: Store unavailable: Neo4j at {neo4j_server.uri} has no database 'kb-nope'")


def test_a_port_already_taken_is_named_by_the_launcher(tmp_path):
    if reason := local.unavailable_reason():
        pytest.skip(reason)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(StoreUnavailableError, match=f"port {port} on 127.0.0.1 is already in use"):
            LocalNeo4j(tmp_path / "data", port=port).start()
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "kb.store.neo4j.local",
                "--port",
                str(port),
                "--data",
                str(tmp_path / "data"),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert result.returncode == 1
    assert (
        result.stderr
        == f"error: local Neo4j on bolt://127.0.0.1:{port}: port {port} on 127.0.0.1 is already "
        "in use: stop what listens there or choose another port\n"
    )


def test_a_fresh_database_gives_no_driver_warnings_before_kb_init(own_server):
    env = {"KB_NEO4J_PASSWORD": TEST_PASSWORD}
    stats = kb(own_server.uri, "stats", "--json", env=env)
    assert stats.returncode == 0 and stats.stderr == "", stats.stderr
    assert kb(own_server.uri, "init", env=env).returncode == 0


def test_a_server_killed_mid_batch_leaves_nothing_half_written(own_server, tmp_path):
    env = {"KB_NEO4J_PASSWORD": TEST_PASSWORD}
    assert kb(own_server.uri, "init", env=env).returncode == 0
    batch = tmp_path / "big.json"
    batch.write_text(
        json.dumps(
            {
                "nodes": [node("Document", f"doc:d{i:06d}", f"Document {i}") for i in range(60_000)],
                "edges": [],
            }
        ),
        encoding="utf-8",
    )
    writer = subprocess.Popen(
        [*KB, "--store", own_server.uri, "import", "json", str(batch)],
        env=user_env(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(4.0)  # parsed and validated by now, and sending the batch's UNWIND chunks
    assert writer.poll() is None, "the batch finished before the server could be killed: make it larger"
    own_server.kill()
    killed = time.monotonic()
    _, stderr = writer.communicate(timeout=120)
    print(f"the writer gave up {time.monotonic() - killed:.1f} s after the kill")
    assert writer.returncode == 1 and stderr.startswith("error: Store unavailable: "), stderr
    assert stderr.count("\n") == 1 and "Traceback" not in stderr

    own_server.start()  # the same data folder: Neo4j recovers from its transaction log
    print(f"restarted in {own_server.started_in:.1f} s")
    after = kb(own_server.uri, "stats", "--json", env=env)
    assert after.returncode == 0, after.stderr
    stats = json.loads(after.stdout)
    assert stats["nodes"]["Document"] == 0
    small = tmp_path / "small.json"
    small.write_text(
        json.dumps({"nodes": [node("Document", "doc:after", "After the restart")]}), encoding="utf-8"
    )
    assert kb(own_server.uri, "import", "json", str(small), env=env).returncode == 0
    assert json.loads(kb(own_server.uri, "stats", "--json", env=env).stdout)["nodes"]["Document"] == 1
