"""The actor network: brokers and paths between actors."""

from __future__ import annotations

import pytest

from kb.analysis.network import actor_graph, actor_paths, brokers
from kb.errors import InvalidInputError, NotFoundError
from tests.analysis.scenarios import add_project, base, graph
from tests.conftest import edge, node


def bridged() -> dict:
    """GIZ and EU on project p; EU and OSCE at an event; UNODC's officer at the same event."""
    doc = add_project(base(), "project:p", funders={"org:giz": ()}, implementers=("org:eu",))
    doc["nodes"] += [
        node("Event", "event:e", "Thematic meeting", date="2023-04-25"),
        node("Person", "person:x", "Officer"),
    ]
    doc["edges"] += [
        edge("PARTICIPATED_IN", "org:eu", "event:e"),
        edge("ORGANISED", "org:osce", "event:e"),
        edge("WORKS_FOR", "person:x", "org:unodc"),
        edge("PARTICIPATED_IN", "person:x", "event:e"),
    ]
    return doc


def test_actors_sharing_a_project_or_event_are_linked_in_the_actor_graph():
    P = actor_graph(graph(bridged()))
    assert sorted(map(sorted, P.edges())) == [
        ["org:eu", "org:giz"],
        ["org:eu", "org:osce"],
        ["org:eu", "org:unodc"],
        ["org:osce", "org:unodc"],
    ]


def test_actor_joining_two_groups_is_the_top_broker():
    [top, *rest] = brokers(graph(bridged()))
    assert top.actor.id == "org:eu" and top.groups_joined == 2
    assert (top.projects, top.events, top.partners) == (1, 1, 3)
    assert rest == []


def test_graph_without_shared_projects_or_events_has_no_brokers():
    assert brokers(graph(base())) == []


def test_path_goes_through_projects_and_events():
    [path] = actor_paths(graph(bridged()), "org:giz", "org:osce")
    assert [s.node.id for s in path.steps] == ["org:giz", "project:p", "org:eu", "event:e", "org:osce"]
    assert [s.via for s in path.steps] == [None, "FUNDS→", "←IMPLEMENTS", "PARTICIPATED_IN→", "←ORGANISED"]
    assert path.length == 4


def test_a_persons_participation_links_the_actor_they_work_for():
    [path] = actor_paths(graph(bridged()), "org:unodc", "org:osce")
    assert path.steps[1].via == "PARTICIPATED_IN→ (via person:x)"


def test_unconnected_actors_have_no_path():
    assert actor_paths(graph(bridged()), "org:giz", "inst:rs-moi") == []


def test_path_from_an_unknown_actor_is_not_found():
    with pytest.raises(NotFoundError, match="org:nope"):
        actor_paths(graph(bridged()), "org:nope", "org:giz")


def test_path_from_a_project_is_refused_as_not_an_actor():
    with pytest.raises(InvalidInputError, match="project:p"):
        actor_paths(graph(bridged()), "project:p", "org:giz")
