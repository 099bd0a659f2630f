"""Strict query parameters: one an operation does not take is a 422 naming it (issue 17, item 3)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "path",
    [
        "/api/analyses/gaps?kin=unaddressed",
        "/api/analyses/overlaps?format=csv",
        "/api/nodes/org:unodc?x=1",
        "/?pillar2=WBBSi",
    ],
)
def test_an_unknown_query_parameter_is_a_422_problem_naming_it(client, path):
    response = client.get(path, headers={"Accept": "application/json"})
    assert response.status_code == 422
    unknown = path.split("?")[1].split("=")[0]
    assert repr(unknown) in response.json()["detail"]


def test_the_parameters_an_operation_declares_are_still_taken(client):
    assert (
        client.get("/api/analyses/gaps", params={"pillar": "WBBSi", "kind": "unaddressed"}).status_code == 200
    )
    assert (
        client.get("/gaps", params={"pillar": "WBBSi", "kind": "unaddressed", "format": "csv"}).status_code
        == 200
    )
