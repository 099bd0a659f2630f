"""Reading the knowledge base over the JSON API: nodes, search, graph, analyses, schema, exports."""

from __future__ import annotations

import io

import networkx as nx

from tests.api.conftest import AUTH
from tests.conftest import edge, node


def test_node_by_id_is_the_stored_record(client, store):
    got = client.get("/api/nodes/person:sinisa-kostresevic").json()
    assert got == store.get("person:sinisa-kostresevic")
    assert got["name"] == "Siniša Kostrešević"


def test_id_with_a_slash_is_reachable(client):
    assert client.get("/api/nodes/doc:proposals-to-iisg-board").status_code == 200
    assert client.get("/api/nodes/org:rcc/edges").status_code == 200


def test_nodes_by_type_are_paged_in_id_order(client, store):
    first = client.get("/api/nodes?type=Event&limit=5").json()
    second = client.get("/api/nodes?type=Event&limit=5&offset=5").json()
    assert first["total"] == store.counts()["nodes"]["Event"]
    ids = [n["id"] for n in first["items"] + second["items"]]
    assert ids == sorted(ids) and len(set(ids)) == 10
    assert all(n["type"] == "Event" for n in first["items"])


def test_nodes_can_be_filtered_like_analyses(client):
    page = client.get("/api/nodes?type=Need&country=XK").json()
    assert page["total"] >= 1
    assert all(n["id"].startswith("need:demo-xk") or "regional" in n["id"] for n in page["items"])


def test_node_edges_list_both_directions(client):
    edges = client.get("/api/nodes/org:unodc/edges").json()
    assert edges and all("org:unodc" in (e["source"], e["target"]) for e in edges)


def test_search_ignores_diacritics_case_and_script(client):
    assert client.get("/api/search?q=stevandic").json()[0]["id"] == "person:danilo-stevandic"
    assert client.get("/api/search?q=KOSTREŠEVIĆ").json()[0]["id"] == "person:sinisa-kostresevic"
    latin = {h["id"] for h in client.get("/api/search?q=ministarstvo unutrasnjih").json()}
    cyrillic = {h["id"] for h in client.get("/api/search", params={"q": "Министарство унутрашњих"}).json()}
    assert latin and latin == cyrillic


def test_search_by_type_and_limit(client):
    hits = client.get("/api/search?q=border&type=Need&limit=3").json()
    assert 0 < len(hits) <= 3 and all(h["type"] == "Need" for h in hits)


def test_neighbourhood_holds_the_node_and_its_neighbours(client):
    graph = client.get("/api/neighbourhood/org:unodc?depth=1").json()
    ids = {n["id"] for n in graph["nodes"]}
    assert "org:unodc" in ids and len(ids) > 1
    assert all(e["source"] in ids and e["target"] in ids for e in graph["edges"])


def test_subgraph_is_filtered(client):
    whole = client.get("/api/subgraph").json()
    serbia = client.get("/api/subgraph?country=RS").json()
    assert 0 < len(serbia["nodes"]) < len(whole["nodes"])


def test_who_funds_lists_every_funder_of_the_need(client):
    report = client.get("/api/analyses/who-funds/need:demo-al-border-surveillance").json()
    lines = report["who_funds"]["lines"]
    funders = {line["actor"]["id"] for line in lines if line["role"] == "funder"}
    assert len(funders) >= 2
    assert report["who_funds"]["totals"]


def test_who_funds_answers_anew_after_a_write_to_the_need(client):
    path = "/api/analyses/who-funds/need:demo-al-border-surveillance"
    before = client.get(path).json()["who_funds"]["need"]["name"]
    need = client.get("/api/nodes/need:demo-al-border-surveillance").json()
    need["name"] = "Border surveillance, renamed"
    written = client.post("/api/batch", json={"nodes": [need], "edges": []}, headers=AUTH)
    assert written.status_code == 200, written.text
    assert client.get(path).json()["who_funds"]["need"]["name"] == "Border surveillance, renamed" != before


def test_who_funds_of_an_unknown_need_is_a_problem_each_time(client):
    for _ in range(2):
        assert client.get("/api/analyses/who-funds/need:nothing-like-it").status_code == 404


def test_analyses_answer_with_filters(client):
    for name in ("overlaps", "gaps", "cofunding", "coverage", "brokers"):
        response = client.get(f"/api/analyses/{name}?pillar=WBBSi")
        assert response.status_code == 200, (name, response.text)
        assert response.json()["filters"]["pillar"] == "pillar:wbbsi"
    overlaps = client.get("/api/analyses/overlaps").json()["overlaps"]
    assert overlaps and overlaps[0]["level"] == "need"


def test_co_funders_and_paths(client):
    report = client.get("/api/analyses/co-funders/org:giz").json()
    assert report["org"]["id"] == "org:giz"
    paths = client.get("/api/analyses/path?a=org:giz&b=org:unodc").json()
    assert paths["from"]["id"] == "org:giz" and paths["to"]["id"] == "org:unodc"


def test_analysis_reports_show_kosovo_with_asterisk_and_footnote(client):
    report = client.get("/api/analyses/coverage").json()
    names = [p["name"] for p in report["coverage"]["partners"]]
    assert "Kosovo*" in names and "Kosovo" not in names
    assert "UNSCR 1244" in report["footnote"]


def test_schema_is_the_json_schema_of_every_type(client):
    from graph_schema import EDGE_TYPES, NODE_TYPES

    schema = client.get("/api/schema").json()
    assert set(NODE_TYPES) <= set(schema["$defs"])
    assert {f"{e}Edge" for e in EDGE_TYPES} <= set(schema["$defs"])


def test_openapi_models_come_from_the_schema_registry(client):
    from graph_schema import NODE_TYPES

    components = client.get("/openapi.json").json()["components"]["schemas"]
    for name, cls in NODE_TYPES.items():
        assert set(cls.model_fields) <= set(components[f"{name}Out"]["properties"])


def test_json_export_posted_back_to_an_empty_store_gives_the_same_store(client, tmp_path):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from kb.settings import Settings
    from tests.api.conftest import TOKENS

    dump = client.get("/api/export/json").json()
    with TestClient(
        create_app(
            Settings(store=str(tmp_path / "empty.sqlite"), api_tokens=TOKENS, api_max_body_bytes=10_000_000)
        )
    ) as empty:
        assert empty.post("/api/batch", json=dump, headers=AUTH).status_code == 200
        again = empty.get("/api/export/json").json()
    assert again["nodes"] == dump["nodes"] and again["edges"] == dump["edges"]


def test_gexf_and_graphml_open_in_networkx_with_flat_attributes(client):
    gexf = client.get("/api/export/gexf")
    assert gexf.headers["content-type"].startswith("application/gexf+xml")
    G = nx.read_gexf(io.BytesIO(gexf.content))
    assert G.nodes["country:xk"]["label"] == "Kosovo*"
    assert isinstance(G.nodes["person:danilo-stevandic"]["sources"], str)
    graphml = client.get("/api/export/graphml?pillar=WBBSi")
    H = nx.read_graphml(io.BytesIO(graphml.content))
    assert 0 < H.number_of_nodes() < G.number_of_nodes()
    assert {d["relation"] for _, _, d in H.edges(data=True)} >= {"IN_PILLAR"}


def test_writes_then_reads_see_the_change(client):
    batch = {
        "nodes": [node("Organisation", "org:new-donor", "New donor"), node("Project", "project:new", "New")],
        "edges": [
            edge("FUNDS", "org:new-donor", "project:new", amount=10, currency="EUR"),
            edge("ADDRESSES", "project:new", "need:demo-mk-pve"),
        ],
    }
    assert client.post("/api/batch", json=batch, headers=AUTH).json()["edges_created"] == 2
    lines = client.get("/api/analyses/who-funds/need:demo-mk-pve").json()["who_funds"]["lines"]
    assert "org:new-donor" in {line["actor"]["id"] for line in lines}
    again = client.post("/api/batch", json=batch, headers=AUTH).json()
    assert again["nodes_created"] == again["edges_created"] == again["nodes_updated"] == 0


def test_health_and_readiness(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["store"] == "sqlite" and ready["nodes"] > 100


def test_cors_is_off_unless_configured(client, settings):
    from fastapi.testclient import TestClient

    from api.app import create_app

    preflight = {"Origin": "http://127.0.0.1:9999", "Access-Control-Request-Method": "GET"}
    assert "access-control-allow-origin" not in client.options("/api/nodes", headers=preflight).headers
    assert (
        "access-control-allow-origin" not in client.get("/api/nodes", headers={"Origin": "http://x"}).headers
    )
    configured = settings.model_copy(update={"api_cors_origins": "http://127.0.0.1:9999"})
    with TestClient(create_app(configured)) as c:
        answer = c.options("/api/nodes", headers=preflight)
        assert answer.headers["access-control-allow-origin"] == "http://127.0.0.1:9999"


def test_each_request_is_logged_as_one_json_line(client, caplog):
    import json
    import logging

    with caplog.at_level(logging.INFO, logger="kb.api.access"):
        client.get("/api/nodes/org:unodc")
        client.get("/api/nodes/org:none")
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "kb.api.access"]
    assert [(x["method"], x["path"], x["status"]) for x in lines] == [
        ("GET", "/api/nodes/org:unodc", 200),
        ("GET", "/api/nodes/org:none", 404),
    ]
    assert all(isinstance(x["duration_ms"], float) for x in lines)


def test_who_funds_loads_little_but_answers_as_the_whole_graph_would(store):
    """Who-funds walks from the need only; the answer equals the one from the whole graph."""
    from kb.analysis.funding import who_funds
    from kb.questions import analyses as ask

    everything = store.subgraph()
    for need in store.nodes(type="Need"):
        assert ask.who_funds(store, need["id"]).who_funds == who_funds(everything, need["id"]), need["id"]
