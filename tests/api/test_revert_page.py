"""Undo in the browser: a signed-in Secretariat user reverts a batch from a record's history,
over a real ``kb serve``; a conflicting revert changes nothing until forced; no CSRF, no revert."""

from __future__ import annotations

import html
import shutil

import httpx
import pytest

from kb.store.sqlite import SQLiteStore
from tests.api.conftest import AUTH, TOKENS
from tests.api.server import kb_serve
from tests.api.test_forms import csrf_of, sign_in

NEED = "need:demo-mk-document-fraud"


@pytest.fixture
def served(seeded_file, tmp_path):
    path = tmp_path / "kb.sqlite"
    shutil.copy(seeded_file, path)
    with kb_serve(path, env={"KB_API_TOKENS": TOKENS}) as base:
        yield base, path


@pytest.fixture
def editor(served):
    with httpx.Client(base_url=served[0], follow_redirects=False, headers={"Accept": "text/html"}) as client:
        assert sign_in(client).status_code == 303
        yield client


def _rename(base: str, path, name: str) -> int:
    with SQLiteStore(path) as store:
        record = {**store.get(NEED), "name": name}
    assert httpx.post(base + "/api/batch", json={"nodes": [record]}, headers=AUTH).status_code == 200
    with SQLiteStore(path) as store:
        return store.last_batch()


def _name(path) -> str:
    with SQLiteStore(path) as store:
        return store.get(NEED)["name"]


def test_a_signed_in_history_offers_a_revert_button_per_batch(served, editor):
    batch = _rename(*served, "Renamed over the API")
    page = editor.get(f"/needs/{NEED}").text
    assert f'action="/edit/revert/{batch}"' in page and f"Revert batch {batch}" in page


def test_a_reader_without_a_session_sees_no_revert_button(served):
    _rename(*served, "Renamed over the API")
    page = httpx.get(served[0] + f"/needs/{NEED}").text
    assert "/edit/revert/" not in page and "History" in page


def test_the_revert_button_restores_the_record_and_is_recorded_as_a_new_batch(served, editor):
    before = _name(served[1])
    batch = _rename(*served, "Renamed over the API")
    csrf, _ = csrf_of(editor, f"/needs/{NEED}")
    response = editor.post(f"/edit/revert/{batch}", data={"csrf": csrf, "next": f"/needs/{NEED}"})
    assert response.status_code == 200, response.text
    assert f"Batch {batch} is reverted, recorded as batch {batch + 1}" in response.text
    assert _name(served[1]) == before
    history = editor.get(f"/needs/{NEED}").text
    assert f"Revert batch {batch + 1}" in history  # the revert is in the record's history


def test_a_revert_that_conflicts_changes_nothing_and_offers_to_force(served, editor):
    first = _rename(*served, "First rename")
    _rename(*served, "Second rename")
    csrf, _ = csrf_of(editor, f"/needs/{NEED}")
    refused = editor.post(f"/edit/revert/{first}", data={"csrf": csrf, "next": "/"})
    assert refused.status_code == 409
    text = html.unescape(refused.text)
    assert f"batch {first + 1}" in text and NEED in text
    assert 'name="force" value="1"' in refused.text
    assert _name(served[1]) == "Second rename"
    forced = editor.post(f"/edit/revert/{first}", data={"csrf": csrf, "next": "/", "force": "1"})
    assert forced.status_code == 200 and _name(served[1]) != "Second rename"


def test_a_revert_without_its_csrf_token_is_refused_and_changes_nothing(served, editor):
    batch = _rename(*served, "Renamed over the API")
    response = editor.post(f"/edit/revert/{batch}", data={"next": "/"})
    assert response.status_code == 403
    assert _name(served[1]) == "Renamed over the API"


def test_reverting_a_batch_that_does_not_exist_says_so(served, editor):
    csrf, _ = csrf_of(editor, f"/needs/{NEED}")
    response = editor.post("/edit/revert/999999", data={"csrf": csrf, "next": "/"})
    assert response.status_code == 404 and "no batch 999999" in response.text
