"""Fixtures for the API tests: a seeded store file (copied per test), apps and clients.

Tokens: ``alice`` may write, ``reader`` may only read. Every server a test starts listens on
127.0.0.1 only.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kb.seeding import load_seeds
from kb.settings import Settings
from kb.store.sqlite import SQLiteStore

WRITE_TOKEN = "alice-write-token-0123456789"
READ_TOKEN = "reader-token-9876543210"
TOKENS = f"alice:{WRITE_TOKEN}"
AUTH = {"Authorization": f"Bearer {WRITE_TOKEN}"}
PROBLEM = "application/problem+json"


@pytest.fixture(scope="session")
def seeded_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed data and the demo set in one store file, written once per test run."""
    path = tmp_path_factory.mktemp("seeded") / "kb.sqlite"
    with SQLiteStore(path) as store:
        store.upsert(load_seeds(demo=True), actor="cli", action="seed")
    return path


@pytest.fixture
def store_path(seeded_file: Path, tmp_path: Path) -> Path:
    """A private copy of the seeded store for one test."""
    path = tmp_path / "kb.sqlite"
    shutil.copy(seeded_file, path)
    return path


@pytest.fixture
def settings(store_path: Path) -> Settings:
    return Settings(store=str(store_path), api_tokens=TOKENS, api_max_body_bytes=200_000)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def store(store_path: Path) -> Iterator[SQLiteStore]:
    with SQLiteStore(store_path) as s:
        yield s


def assert_problem(response, status: int, type_: str) -> dict:
    """The response is an RFC 9457 problem of this status and type; returns its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM), response.headers["content-type"]
    body = response.json()
    assert body["status"] == status and body["type"] == type_, body
    assert body["title"] and isinstance(body["detail"], str) and body["instance"].startswith("/")
    assert "Traceback" not in response.text and 'File "' not in response.text
    return body
