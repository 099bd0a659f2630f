"""The history on the pages: a History block on node pages, and the /changes page with downloads."""

from __future__ import annotations

import csv
import io

from tests.api.conftest import AUTH
from tests.conftest import next_second

PROJECT = "project:demo-al-border-surveillance-italy"


def _change_amount(client, store, amount) -> str:
    edge = next(e for e in store.edges_of(PROJECT) if e["type"] == "FUNDS" and e.get("amount") is not None)
    next_second()  # a batch of its own second, after the seeding's
    response = client.post("/api/batch", json={"edges": [{**edge, "amount": amount}]}, headers=AUTH)
    assert response.status_code == 200, response.text
    return store.write_log(1)[0].at


def test_a_node_page_shows_the_history_of_its_links(client, store):
    _change_amount(client, store, 123_456)
    page = client.get(f"/nodes/{PROJECT}").text
    assert "<h2>History</h2>" in page and "token:alice" in page and "123456" in page


def test_a_need_page_shows_its_history_block(client):
    page = client.get("/needs/need:demo-al-border-surveillance").text
    assert "<h2>History</h2>" in page and "seed" not in page.split("<h2>History</h2>")[0][-50:]


def test_the_changes_page_links_each_row_to_its_records(client, store):
    since = _change_amount(client, store, 123_456)
    page = client.get("/changes", params={"since": since}).text
    assert f'href="/nodes/{PROJECT}"' in page and "changed" in page and "123456" in page


def test_the_changes_page_downloads_exactly_its_rows_as_csv(client, store):
    since = _change_amount(client, store, 123_456)
    response = client.get("/changes", params={"since": since, "format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.text)))
    end = lines.index([])  # the rows, an empty line, then what was asked in words
    rows = [dict(zip(lines[0], line, strict=True)) for line in lines[1:end]]
    assert [(r["what"], r["after"]) for r in rows] == [("funding", "123456")]
    assert lines[end + 1][0].startswith("Filters: ") and since in lines[end + 1][0]


def test_the_changes_page_without_a_question_asks_for_one(client):
    page = client.get("/changes").text
    assert "Say since when" in page
