"""``kb serve --store bolt://…`` answers every read endpoint exactly as ``kb serve`` on SQLite.

Both servers run as a user starts them, on loopback ports, over the same seed data; every GET
operation of the OpenAPI document is asked of both, plus the HTML pages.
"""

from __future__ import annotations

import re

import httpx
import pytest

from tests.api.server import kb_serve
from tests.cli.conftest import KB

pytestmark = pytest.mark.neo4j

#: A value for each path parameter, from the seed data.
PATH_VALUES = {
    "node_id": "need:demo-ba-bcp-equipment",
    "need_id": "need:demo-ba-bcp-equipment",
    "actor_id": "country:at",
    "donor_id": "org:dg-near",
    "code": "WBBSi",
}
QUERIES = {
    "/api/search": {"q": "border"},
    "/api/analyses/path": {"a": "country:at", "b": "org:dg-near"},
    "/maps/partner/{code}": {},
    "/api/changes": {"since": "2000-01-01"},
}
PAGES = [
    "/",
    "/needs/need:demo-ba-bcp-equipment",
    "/organisations/org:dg-near",
    "/countries/country:rs",
    "/pillars/pillar:wbbsi",
    "/search?q=border",
    "/changes?since=2000-01-01",
    "/overlaps?pillar=WBBSi",
    "/gaps?country=RS",
]
#: What differs by construction: the store's name, and the time the write log records.
VOLATILE = [
    re.compile(rb"bolt://127\.0\.0\.1:\d+|/[^\"'<>\s]*kb\.sqlite"),
    re.compile(rb'"at":\s*"[^"]*"|"ms":\s*[\d.]+'),
    # The data date (the latest write, to the minute): the two stores are seeded seconds apart, so a
    # minute can turn between them.
    re.compile(rb"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2})?"),
]


def read_operations(base: str) -> list[str]:
    spec = httpx.get(f"{base}/openapi.json", timeout=30).json()
    urls = []
    for path, operations in spec["paths"].items():
        if "get" not in operations:
            continue
        url = re.sub(r"{(\w+)}", lambda m: PATH_VALUES[m.group(1)], path)
        if path == "/maps/partner/{code}":
            url = "/maps/partner/RS"
        query = QUERIES.get(path, {})
        urls.append(url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""))
    return urls


def normalised(body: bytes) -> bytes:
    for pattern in VOLATILE:
        body = pattern.sub(b"<volatile>", body)
    return body


@pytest.fixture
def seeded(on_sqlite: KB, on_neo4j: KB):
    for kb in (on_sqlite, on_neo4j):
        assert kb("init").exit_code == 0
        assert kb("seed").exit_code == 0
    return on_sqlite, on_neo4j


def test_every_read_endpoint_and_page_answers_the_same_on_neo4j(seeded, tmp_path):
    sqlite, neo4j = seeded
    with (
        kb_serve(sqlite.store) as on_sqlite,
        kb_serve(neo4j.store, env=neo4j.env, log=tmp_path / "n.log") as on_neo4j,
    ):
        urls = read_operations(on_sqlite) + PAGES
        assert len(urls) > 25
        for url in urls:
            a = httpx.get(on_sqlite + url, timeout=60)
            b = httpx.get(on_neo4j + url, timeout=60)
            assert (a.status_code, b.status_code) == (200, 200), url
            assert a.headers["content-type"] == b.headers["content-type"], url
            if url == "/readyz":  # names its store: the one field that must differ
                assert (a.json().pop("store"), b.json().pop("store")) == ("sqlite", "neo4j")
                assert {**b.json(), "store": ""} == {**a.json(), "store": ""}
            else:
                assert normalised(b.content) == normalised(a.content), url
