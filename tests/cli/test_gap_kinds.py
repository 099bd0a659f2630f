"""One definition of each gap kind, and --kind / ?kind= to ask for some (issue 17, item 3)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kb.analysis.gaps import KINDS
from kb.settings import Settings
from tests.cli.conftest import KB


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KB:
    kb = KB(tmp_path_factory.mktemp("kinds") / "kb.sqlite")
    kb.json("seed")
    return kb


def test_gaps_of_one_kind_are_the_gaps_of_that_kind_and_no_other(kb):
    every = kb.json("gaps")["gaps"]
    for kind in KINDS:
        assert kb.json("gaps", "--kind", kind)["gaps"] == [g for g in every if g["kind"] == kind]


def test_several_kinds_may_be_asked_at_once(kb):
    found = {g["kind"] for g in kb.json("gaps", "--kind", "unaddressed", "--kind", "underfunded")["gaps"]}
    assert found == {"unaddressed", "underfunded"}


def test_an_unknown_kind_is_refused_naming_the_kinds_there_are(kb):
    result = kb("gaps", "--kind", "foo")
    assert result.exit_code == 2 and all(kind in result.output for kind in KINDS)


def test_the_help_says_what_each_kind_means(kb):
    text = " ".join(kb("gaps", "--help").stdout.replace("│", " ").split())
    assert all(" ".join(meaning.split()[:4]) in text for meaning in KINDS.values())


def test_the_api_takes_the_same_kinds_and_refuses_others(kb):
    with TestClient(create_app(Settings(store=str(kb.store)))) as client:
        only = client.get("/api/analyses/gaps", params={"kind": "unaddressed"}).json()["gaps"]
        assert only == kb.json("gaps", "--kind", "unaddressed")["gaps"]
        assert client.get("/api/analyses/gaps", params={"kind": "foo"}).status_code == 422
