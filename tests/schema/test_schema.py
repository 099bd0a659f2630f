"""The schema is declared once; validation and derived artefacts follow from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph_schema import EDGE_TYPES, NODE_TYPES, json_schema
from graph_schema.docs import render
from kb.errors import ConflictError, SchemaViolationError
from kb.records import Batch, check_endpoints, parse_batch
from tests.conftest import edge, node

ROOT = Path(__file__).resolve().parents[2]


def test_data_model_doc_is_generated_from_the_current_schema():
    assert (ROOT / "docs" / "data-model.md").read_text(encoding="utf-8") == render(), (
        "docs/data-model.md is stale: run `make docs`"
    )


def test_data_model_doc_names_every_type():
    text = render()
    assert all(f"### {name}" in text for name in NODE_TYPES)
    assert all(f"| {name} |" in text for name in EDGE_TYPES)


def test_json_schema_defines_every_node_and_edge_type():
    defs = json_schema()["$defs"]
    assert set(NODE_TYPES) <= set(defs)
    assert {f"{e}Edge" for e in EDGE_TYPES} <= set(defs)
    assert defs["FUNDSEdge"]["x-target-types"] == ["Project"]


def test_every_edge_type_names_known_node_types():
    for cls in EDGE_TYPES.values():
        assert set(cls.SOURCE_TYPES) | set(cls.TARGET_TYPES) <= set(NODE_TYPES)


def test_required_types_exist():
    assert {
        "Country",
        "Institution",
        "Organisation",
        "Pillar",
        "SupportGroup",
        "Need",
        "Project",
        "Event",
        "Document",
        "Person",
    } <= set(NODE_TYPES)
    assert {
        "FUNDS",
        "IMPLEMENTS",
        "BENEFITS",
        "ADDRESSES",
        "RESPONSIBLE_FOR",
        "TARGETS",
        "IN_PILLAR",
        "PART_OF",
        "MEMBER_OF",
        "PARTICIPATED_IN",
        "ORGANISED",
        "HELD_IN",
        "PRODUCED",
        "WORKS_FOR",
    } <= set(EDGE_TYPES)


def test_name_keeps_diacritics_as_written():
    batch = parse_batch({"nodes": [node("Person", "person:s", "Siniša Kostrešević")]})
    assert batch.nodes[0]["name"] == "Siniša Kostrešević"


def test_dates_are_normalised_to_iso_text():
    batch = parse_batch({"nodes": [node("Project", "project:p", "P", start="2023-01-01")]})
    assert batch.nodes[0]["start"] == "2023-01-01"


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (
            {"nodes": [node("Spaceship", "ship:x", "X")]},
            r"nodes\[0\].*field 'type': unknown node type 'Spaceship'",
        ),
        ({"edges": [edge("LIKES", "org:a", "org:b")]}, r"field 'type': unknown edge type 'LIKES'"),
        (
            {"nodes": [{"type": "Country", "id": "country:rs", "name": "Serbia", "sources": ["s"]}]},
            r"node 'country:rs'.*field 'code'",
        ),
        ({"nodes": [{"type": "Organisation", "id": "org:a", "name": "A"}]}, r"node 'org:a'.*field 'sources'"),
        ({"edges": [edge("FUNDS", "org:a", "project:b", amount=-5, currency="EUR")]}, r"field 'amount'"),
        ({"edges": [edge("FUNDS", "org:a", "project:b", amount=5, currency="EURO")]}, r"field 'currency'"),
        (
            {"edges": [edge("FUNDS", "org:a", "project:b", amount=5, currency="XYZ")]},
            r"field 'currency'.*'XYZ' is not an ISO 4217",
        ),
        ({"edges": [edge("FUNDS", "org:a", "project:b", amount=5)]}, r"currency"),
        (
            {"nodes": [node("Project", "project:p", "P", start="2024-01-01", end="2023-01-01")]},
            r"node 'project:p'.*end 2023-01-01 is before start 2024-01-01",
        ),
        (
            {"nodes": [node("Organisation", "country:rs", "Serbia")]},
            r"node 'country:rs'.*must start with 'org:'",
        ),
    ],
)
def test_bad_records_are_refused_naming_record_and_field(doc, message):
    with pytest.raises(SchemaViolationError, match=message):
        parse_batch(doc)


def test_one_id_with_two_types_in_one_batch_is_a_conflict():
    from kb.records import check_one_type_per_id

    with pytest.raises(ConflictError, match="org:a"):
        check_one_type_per_id(
            Batch(nodes=[{"id": "org:a", "type": "Organisation"}, {"id": "org:a", "type": "Need"}])
        )


def test_edge_endpoint_of_a_type_the_edge_does_not_allow_is_refused():
    batch = parse_batch({"edges": [edge("ADDRESSES", "project:a", "country:rs")]})
    with pytest.raises(SchemaViolationError, match="field 'target'.*cannot end at a Country"):
        check_endpoints(batch, {"project:a": "Project", "country:rs": "Country"})


def test_edge_endpoint_that_does_not_exist_is_refused():
    batch = parse_batch({"edges": [edge("ADDRESSES", "project:a", "need:gone")]})
    with pytest.raises(SchemaViolationError, match="field 'target': node 'need:gone' does not exist"):
        check_endpoints(batch, {"project:a": "Project"})
