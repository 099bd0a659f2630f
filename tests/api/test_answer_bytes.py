"""The API's analysis answers are the reports' one JSON (``as_json``), serialised in one pass."""

from __future__ import annotations

import json

from kb.questions import analyses as ask


def test_an_answer_naming_kosovo_is_the_json_with_the_footnote_and_starred_names(store):
    report = ask.who_funds(store, "need:demo-xk-border-it-systems")
    body = ask.json_bytes(report)
    assert json.loads(body) == ask.as_json(report)
    assert json.loads(body)["footnote"] == ask.KOSOVO_FOOTNOTE and "Kosovo*" in body.decode()


def test_an_answer_naming_no_kosovo_is_the_json_without_a_footnote(store):
    report = ask.who_funds(store, "need:demo-al-border-surveillance")
    body = ask.json_bytes(report)
    assert b"Kosovo" not in body
    assert json.loads(body) == ask.as_json(report) and json.loads(body)["footnote"] is None


def test_a_whole_graph_answer_is_its_json(store):
    report = ask.gaps(store)
    assert json.loads(ask.json_bytes(report)) == ask.as_json(report)


def test_the_who_funds_route_answers_the_reports_json(client, store):
    answer = client.get("/api/analyses/who-funds/need:demo-xk-border-it-systems")
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == ask.as_json(ask.who_funds(store, "need:demo-xk-border-it-systems"))
