"""A write that names the versions it expects (a form opened on a record) is refused, whole, when
the store holds another version. Runs on every store adapter."""

from __future__ import annotations

import pytest

from kb.errors import ConflictError
from kb.records import edge_identity, parse_batch
from kb.store.writes import fingerprint
from tests.conftest import edge, node

NEED = node("Need", "need:forms", "Border checks", priority="high")
DONOR = node("Organisation", "org:forms", "Donor")
PROJECT = node("Project", "project:forms", "Checks")
FUNDS = edge("FUNDS", "org:forms", "project:forms", amount=100, currency="EUR")


def write(store, nodes=(), edges=(), expect=None):
    batch = parse_batch({"nodes": list(nodes), "edges": list(edges)})
    batch.expect = expect or {}
    return store.upsert(batch, actor="token:tests")


@pytest.fixture
def stored(store):
    write(store, [NEED, DONOR, PROJECT], [FUNDS])
    return store


def test_a_write_expecting_the_stored_version_is_made(stored):
    version = fingerprint(stored.get("need:forms"))
    write(stored, [{**NEED, "priority": "low"}], expect={"need:forms": version})
    assert stored.get("need:forms")["priority"] == "low"


def test_a_write_expecting_an_older_version_is_refused_and_changes_nothing(stored):
    opened = fingerprint(stored.get("need:forms"))
    write(stored, [{**NEED, "priority": "low"}])
    with pytest.raises(ConflictError, match="changed by someone else since the form was opened"):
        write(stored, [{**NEED, "priority": "medium", "name": "Renamed"}], expect={"need:forms": opened})
    assert stored.get("need:forms")["priority"] == "low"
    assert stored.get("need:forms")["name"] == "Border checks"


def test_a_write_expecting_no_record_is_refused_when_the_id_is_taken(stored):
    with pytest.raises(ConflictError, match="exists already"):
        write(stored, [{**NEED, "name": "Another"}], expect={"need:forms": None})
    assert stored.get("need:forms")["name"] == "Border checks"


def test_an_edge_changed_since_its_form_was_opened_is_not_overwritten(stored):
    ident = edge_identity(FUNDS)
    (funds,) = [e for e in stored.edges_of("project:forms") if e["type"] == "FUNDS"]
    opened = fingerprint(funds)
    write(stored, edges=[{**FUNDS, "amount": 200}])
    with pytest.raises(ConflictError, match="edge FUNDS 'org:forms'→'project:forms' was changed"):
        write(stored, edges=[{**FUNDS, "amount": 300}], expect={ident: opened})
    (after,) = [e for e in stored.edges_of("project:forms") if e["type"] == "FUNDS"]
    assert after["amount"] == 200


def test_a_new_edge_expecting_none_is_written(stored):
    second = edge("FUNDS", "org:forms", "project:forms", key="disbursement", amount=5, currency="EUR")
    write(stored, edges=[second], expect={edge_identity(second): None})
    assert len([e for e in stored.edges_of("project:forms") if e["type"] == "FUNDS"]) == 2
