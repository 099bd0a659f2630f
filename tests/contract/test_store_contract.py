"""What every store adapter guarantees. Runs against SQLite always, Neo4j when configured."""

from __future__ import annotations

import copy

import pytest

from kb.errors import ConflictError, NotFoundError, SchemaViolationError
from kb.records import edge_identity, parse_batch
from kb.selection import SubgraphFilter
from kb.store.port import GraphStore
from tests.conftest import edge, node


def load(store, doc):
    return store.upsert(parse_batch(doc))


def snapshot(store):
    nodes = [n for chunk in store.iter_nodes() for n in chunk]
    edges = [e for chunk in store.iter_edges() for e in chunk]
    return sorted(nodes, key=lambda n: n["id"]), sorted(
        edges, key=lambda e: (e["type"], e["source"], e["target"])
    )


def test_upsert_then_get_returns_the_record_as_written(store, small_graph):
    load(store, small_graph)
    got = store.get("person:danilo-stevandic")
    assert got["name"] == "Danilo Stevandić"
    assert got["type"] == "Person"
    assert got["sources"] == ["tests"]


def test_loading_the_same_batch_twice_changes_nothing(store, small_graph):
    first = load(store, small_graph)
    before = snapshot(store)
    second = load(store, small_graph)
    assert first.nodes_created == len(small_graph["nodes"])
    assert not second.changed
    assert snapshot(store) == before


def test_changed_record_is_updated_in_place(store, small_graph):
    load(store, small_graph)
    changed = copy.deepcopy(small_graph)
    changed["nodes"][0]["name"] = "Republic of Serbia"
    summary = load(store, changed)
    assert summary.nodes_updated == 1
    assert store.get("country:rs")["name"] == "Republic of Serbia"


def test_batch_with_edge_to_missing_node_is_rejected_whole(store, small_graph):
    load(store, small_graph)
    before = snapshot(store)
    bad = {
        "nodes": [node("Organisation", "org:new", "New donor")],
        "edges": [edge("FUNDS", "org:new", "project:missing", amount=1, currency="EUR")],
    }
    with pytest.raises(SchemaViolationError, match="project:missing"):
        load(store, bad)
    assert snapshot(store) == before


def test_edge_between_disallowed_types_is_rejected(store, small_graph):
    load(store, small_graph)
    with pytest.raises(SchemaViolationError, match="cannot end at a Country"):
        load(store, {"nodes": [], "edges": [edge("ADDRESSES", "project:a", "country:rs")]})


def test_stored_id_given_another_type_is_refused_and_store_unchanged(store, small_graph):
    load(store, small_graph)
    before = snapshot(store)
    with pytest.raises(SchemaViolationError, match="inst:rs-mup.*must start with 'org:'"):
        load(store, {"nodes": [node("Organisation", "inst:rs-mup", "Ministry")], "edges": []})
    assert snapshot(store) == before


def test_check_types_unchanged_refuses_a_retyped_id():
    from kb.records import Batch, check_types_unchanged

    with pytest.raises(ConflictError, match="org:x"):
        check_types_unchanged(
            Batch(nodes=[{"id": "org:x", "type": "Organisation"}]), {"org:x": "Institution"}
        )


def test_upsert_retracts_the_edges_it_is_told_to_and_keeps_those_it_writes(store, small_graph):
    load(store, small_graph)
    edges = sorted(edge_identity(e) for e in store.edges_of("project:a"))
    kept, dropped = edges[0], edges[1:]
    assert dropped
    again = parse_batch({"nodes": [], "edges": [e for e in small_graph["edges"] if edge_identity(e) == kept]})
    again.retract = [*edges, ("FUNDS", "org:nobody", "project:a", "")]
    summary = store.upsert(again)
    assert summary.edges_deleted == len(dropped) and summary.changed
    assert [edge_identity(e) for e in store.edges_of("project:a")] == [kept]


def test_a_refused_batch_retracts_nothing(store, small_graph):
    load(store, small_graph)
    before = snapshot(store)
    bad = parse_batch({"nodes": [], "edges": [edge("FUNDS", "org:missing", "project:a")]})
    bad.retract = [edge_identity(e) for e in store.edges_of("project:a")]
    with pytest.raises(SchemaViolationError):
        store.upsert(bad)
    assert snapshot(store) == before


def test_delete_removes_the_node_and_its_edges(store, small_graph):
    load(store, small_graph)
    store.delete("project:a")
    with pytest.raises(NotFoundError):
        store.get("project:a")
    _, edges = snapshot(store)
    assert all("project:a" not in (e["source"], e["target"]) for e in edges)


def test_delete_of_unknown_id_is_not_found(store):
    with pytest.raises(NotFoundError):
        store.delete("org:nobody")


def test_get_of_unknown_id_is_not_found(store):
    with pytest.raises(NotFoundError, match="org:nobody"):
        store.get("org:nobody")


@pytest.mark.parametrize("query", ["Stevandic", "stevandić", "STEVANDIĆ"])
def test_search_ignores_case_and_diacritics(store, small_graph, query):
    load(store, small_graph)
    assert "person:danilo-stevandic" in [h["id"] for h in store.search(query)]


def test_search_finds_name_with_caron_from_plain_letters(store, small_graph):
    load(store, small_graph)
    assert [h["id"] for h in store.search("kostresevic")] == ["person:sinisa-kostresevic"]


def test_search_matches_prefixes(store, small_graph):
    load(store, small_graph)
    assert "org:marri" in [h["id"] for h in store.search("marr")]


def test_search_finds_cyrillic_name_by_latin_spelling(store, small_graph):
    load(store, {"nodes": [node("Institution", "inst:cyr", "Министарство унутрашњих послова")], "edges": []})
    assert [h["id"] for h in store.search("ministarstvo unutrasnjih poslova")] == ["inst:cyr"]


def test_search_finds_latin_name_by_cyrillic_spelling(store):
    load(store, {"nodes": [node("Institution", "inst:lat", "Ministarstvo unutrašnjih poslova")], "edges": []})
    assert [h["id"] for h in store.search("Министарство унутрашњих")] == ["inst:lat"]


def test_search_finds_albanian_and_serbian_spellings_of_one_city(store):
    load(
        store,
        {
            "nodes": [
                node(
                    "Event", "event:x", "Meeting in Prishtinë/Priština", date="2023-01-01", place="Prishtinë"
                )
            ],
            "edges": [],
        },
    )
    assert [h["id"] for h in store.search("Pristina")] == ["event:x"]


def test_search_can_be_limited_to_types(store, small_graph):
    load(store, small_graph)
    hits = store.search("border", types=["Need"])
    assert hits and {h["type"] for h in hits} == {"Need"}


def test_search_gives_the_most_specific_match_first_then_orders_by_id(store):
    load(
        store,
        {
            "nodes": [
                node("Need", "need:b", "Border police training in the north"),
                node("Need", "need:c", "Border police"),
                node("Need", "need:a", "Border police vehicles"),
            ],
            "edges": [],
        },
    )
    assert [h["id"] for h in store.search("border pol")] == ["need:c", "need:a", "need:b"]


def test_records_come_back_with_their_fields_in_name_order(store, small_graph):
    load(store, small_graph)
    project = store.get("project:a")
    assert list(project) == sorted(project)
    assert all(list(e) == sorted(e) for e in store.edges_of("project:a"))


def test_edges_of_a_node_come_in_type_source_target_order(store, small_graph):
    load(store, small_graph)
    edges = store.edges_of("need:rs-border-surveillance")
    keys = [(e["type"], e["source"], e["target"]) for e in edges]
    assert keys == sorted(keys) and len(keys) == 5


def test_edges_at_several_nodes_are_their_edges_of_each_once_in_identity_order(store, small_graph):
    load(store, small_graph)
    ids = {"project:a", "need:rs-border-surveillance", "org:nobody"}
    expected = {edge_identity(e): e for i in sorted(ids) for e in store.edges_of(i)}
    found = store.edges_at(ids)
    assert [edge_identity(e) for e in found] == sorted(expected)
    assert found == [expected[k] for k in sorted(expected)]
    assert store.edges_at(set()) == []


def test_search_of_punctuation_only_finds_nothing(store, small_graph):
    load(store, small_graph)
    assert store.search('"*()') == []


def test_counts_list_every_schema_type(store, small_graph):
    load(store, small_graph)
    counts = store.counts()
    assert counts["nodes"]["Project"] == 2
    assert counts["edges"]["FUNDS"] == 2
    assert counts["nodes"]["Document"] == 0


def test_neighbourhood_depth_one_holds_direct_neighbours(store, small_graph):
    load(store, small_graph)
    g = store.neighbourhood("need:rs-border-surveillance", depth=1)
    assert set(g.nodes) == {
        "need:rs-border-surveillance",
        "project:a",
        "project:b",
        "country:rs",
        "inst:rs-mup",
        "pillar:wbbsi",
    }


def test_neighbourhood_depth_two_reaches_funders(store, small_graph):
    load(store, small_graph)
    g = store.neighbourhood("need:rs-border-surveillance", depth=2)
    assert {"org:giz", "country:at", "org:unodc"} <= set(g.nodes)


def test_unfiltered_subgraph_is_the_whole_graph(store, small_graph):
    load(store, small_graph)
    g = store.subgraph()
    assert g.number_of_nodes() == len(small_graph["nodes"])
    assert g.number_of_edges() == len(small_graph["edges"])
    assert g.nodes["org:giz"]["type"] == "Organisation"


def test_subgraph_by_country_keeps_that_partners_needs_and_projects(store, small_graph):
    load(store, small_graph)
    g = store.subgraph(SubgraphFilter(country="country:xk"))
    assert "need:xk-training" in g
    assert "need:rs-border-surveillance" not in g and "project:a" not in g


def test_subgraph_by_donor_keeps_other_funders_of_the_same_need(store, small_graph):
    load(store, small_graph)
    g = store.subgraph(SubgraphFilter(donor="org:giz"))
    assert {"project:a", "need:rs-border-surveillance", "project:b", "country:at"} <= set(g.nodes)
    assert "need:xk-training" not in g


def test_subgraph_by_period_drops_projects_outside_it(store, small_graph):
    load(store, small_graph)
    g = store.subgraph(SubgraphFilter(date_from="2025-01-01", date_to="2025-12-31"))
    assert "project:b" in g and "project:a" not in g


def test_subgraph_of_an_empty_selection_is_empty(store, small_graph):
    load(store, small_graph)
    assert store.subgraph(SubgraphFilter(country="country:nowhere")).number_of_nodes() == 0


def test_subgraph_edges_carry_their_properties(store, small_graph):
    load(store, small_graph)
    g = store.subgraph()
    funds = [d for _, _, d in g.edges(data=True) if d["type"] == "FUNDS" and d["source"] == "org:giz"]
    assert funds[0]["amount"] == 1_000_000 and funds[0]["currency"] == "EUR"


def test_two_funding_edges_with_different_keys_are_both_kept(store, small_graph):
    load(store, small_graph)
    load(
        store,
        {
            "nodes": [],
            "edges": [
                edge(
                    "FUNDS",
                    "org:giz",
                    "project:a",
                    key="disbursement-2023",
                    amount=10,
                    currency="EUR",
                    kind="disbursement",
                )
            ],
        },
    )
    assert store.counts()["edges"]["FUNDS"] == 3


def test_nodes_are_paged_in_id_order(store, small_graph):
    load(store, small_graph)
    first = store.nodes(type="Country", limit=2)
    rest = store.nodes(type="Country", offset=2)
    assert [n["id"] for n in first + rest] == ["country:at", "country:rs", "country:xk"]


def test_every_write_is_logged_with_actor_and_summary(store, small_graph):
    store.upsert(parse_batch(small_graph), actor="token:alice")
    store.delete("project:b", actor="token:bob")
    log = store.write_log()
    assert [e.actor for e in log[:2]] == ["token:bob", "token:alice"]
    assert log[1].summary["nodes_created"] == len(small_graph["nodes"])


# -- the columnar whole-graph read (issue 15) ----------------------------------------------------
def test_graph_columns_give_the_nodes_in_id_order_as_iter_nodes_gives_them(store, small_graph):
    load(store, small_graph)
    assert store.graph_columns().nodes == snapshot(store)[0]


def test_graph_columns_give_the_edges_in_identity_order_with_their_ends_and_keys(store, small_graph):
    load(store, small_graph)
    columns = store.graph_columns()
    expected = sorted((e for chunk in store.iter_edges() for e in chunk), key=edge_identity)
    assert columns.edges == expected
    assert columns.sources == [e["source"] for e in expected]
    assert columns.targets == [e["target"] for e in expected]
    assert columns.keys == [f"{e['type']}:{e.get('key', '')}" for e in expected]


def test_graph_columns_sort_ids_beyond_the_basic_plane_as_python_sorts_them(store):
    # Python orders by code point; Neo4j by UTF-16 unit, which puts U+1F600 before U+E000.
    late, early = "org:\U0001f600", "org:\ue000"
    load(
        store,
        {
            "nodes": [
                node("Organisation", late, "Smiling"),
                node("Organisation", early, "Private"),
                node("Project", "project:p", "P"),
            ],
            "edges": [
                edge("FUNDS", late, "project:p", amount=1, currency="EUR"),
                edge("FUNDS", early, "project:p", amount=2, currency="EUR"),
            ],
        },
    )
    columns = store.graph_columns()
    assert [n["id"] for n in columns.nodes] == [early, late, "project:p"]
    assert columns.sources == [early, late]


def test_graph_columns_leave_out_the_node_properties_asked_and_keep_the_rest(store, small_graph):
    load(store, small_graph)
    columns = store.graph_columns(leave_out=frozenset({"aliases", "position"}))
    expected = [{k: v for k, v in n.items() if k not in ("aliases", "position")} for n in snapshot(store)[0]]
    assert columns.nodes == expected
    assert columns.edges == sorted((e for c in store.iter_edges() for e in c), key=edge_identity)


def test_a_filtered_subgraph_leaves_out_the_node_properties_asked(store, small_graph):
    load(store, small_graph)
    full = store.subgraph(SubgraphFilter(country="country:rs"))
    lean = store.subgraph(SubgraphFilter(country="country:rs"), leave_out=frozenset({"aliases"}))
    assert full.nodes["inst:rs-mup"]["aliases"]
    assert "aliases" not in lean.nodes["inst:rs-mup"]
    assert {k: v for k, v in full.nodes["inst:rs-mup"].items() if k != "aliases"} == lean.nodes["inst:rs-mup"]


def test_graph_columns_refuse_to_leave_out_a_nodes_id(store):
    with pytest.raises(ValueError, match="'id'"):
        store.graph_columns(leave_out=frozenset({"id"}))


def test_graph_columns_of_an_empty_store_are_empty(store):
    columns = store.graph_columns()
    assert (columns.nodes, columns.edges) == ([], [])


def test_data_version_changes_with_a_write_and_not_with_a_read(store, small_graph):
    before = store.data_version()
    load(store, small_graph)
    after = store.data_version()
    store.subgraph()
    store.search("border")
    assert before != after == store.data_version()


def test_data_version_does_not_change_when_a_write_changes_nothing(store, small_graph):
    load(store, small_graph)
    version = store.data_version()
    load(store, small_graph)
    assert store.data_version() == version


#: What who-funds reads around a need (kb.questions.walks), as a store is asked for it.
NEED_REACH = {"ADDRESSES": {"FUNDS", "IMPLEMENTS", "TARGETS"}, "RESPONSIBLE_FOR": {"PART_OF"}}


def test_edges_reached_hold_the_nodes_edges_and_the_wanted_edges_of_their_sources(store, small_graph):
    load(store, small_graph)
    edges = store.edges_reached("need:rs-border-surveillance", NEED_REACH)
    assert [(e["type"], e["source"], e["target"]) for e in edges] == [
        ("ADDRESSES", "project:a", "need:rs-border-surveillance"),
        ("ADDRESSES", "project:b", "need:rs-border-surveillance"),
        ("FUNDS", "country:at", "project:b"),
        ("FUNDS", "org:giz", "project:a"),
        ("IMPLEMENTS", "org:unodc", "project:b"),
        ("IN_PILLAR", "need:rs-border-surveillance", "pillar:wbbsi"),
        ("PART_OF", "inst:rs-mup", "country:rs"),
        ("RESPONSIBLE_FOR", "inst:rs-mup", "need:rs-border-surveillance"),
        ("STATED_BY", "need:rs-border-surveillance", "country:rs"),
        ("TARGETS", "project:a", "country:rs"),
        ("TARGETS", "project:b", "country:rs"),
    ]


def test_edges_reached_are_the_records_the_walk_over_edges_of_finds(store, small_graph):
    load(store, small_graph)
    walked = GraphStore.edges_reached(store, "need:rs-border-surveillance", NEED_REACH)
    assert store.edges_reached("need:rs-border-surveillance", NEED_REACH) == walked


def test_edges_reached_follow_only_edges_ending_at_the_node(store, small_graph):
    load(store, small_graph)
    edges = store.edges_reached("project:a", {"FUNDS": {"MEMBER_OF"}, "ADDRESSES": {"STATED_BY"}})
    assert {e["type"] for e in edges} == {"ADDRESSES", "BENEFITS", "FUNDS", "TARGETS"}


def test_edges_reached_of_an_unknown_node_are_none(store, small_graph):
    load(store, small_graph)
    assert store.edges_reached("need:nothing", NEED_REACH) == []
