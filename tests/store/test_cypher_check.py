"""Every Cypher statement the Neo4j adapter can send, checked by Neo4j's own parser.

``tests/cypher/lint.mjs`` runs ``lintCypherQuery`` of ``@neo4j-cypher/language-support`` (pinned
in package.json / package-lock.json, installed by ``make setup`` with ``npm ci``) over the whole
catalogue in one Node process, for Cypher 5 and Cypher 25, with the schema derived from
graph_schema: labels, relationship types, property keys, parameters, which types each edge type
joins, and a real server's functions and procedures. The check fails on any error and on any
warning (unknown label, relationship type or property, impossible path, deprecation...).

A few deliberately broken statements go through the same run to prove the check can fail.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from graph_schema import EDGE_TYPES, NODE_TYPES
from graph_schema.registry import all_property_names
from kb.store.neo4j import queries

ROOT = Path(__file__).resolve().parents[2]
LINT = ROOT / "tests" / "cypher" / "lint.mjs"
PACKAGE = ROOT / "node_modules" / "@neo4j-cypher" / "language-support"
PINNED = "2.0.0-next.38"
VERSIONS = ["CYPHER 5", "CYPHER 25"]

#: Statements that must fail, each with a piece of the diagnostic that proves why.
BROKEN = {
    "BROKEN:syntax": ("MATCH (n:`Node` {id: $id} RETURN n", 1, "Invalid input"),
    "BROKEN:unknown-label": ("MATCH (n:`Organization`) RETURN n.id AS id", 2, "Organization` is not present"),
    "BROKEN:unknown-relationship-type": (
        "MATCH (:`Node`)-[r:`FUNDED`]->(:`Node`) RETURN r.key AS key",
        2,
        "FUNDED` is not present",
    ),
    "BROKEN:unknown-property": ("MATCH (n:`Node`) RETURN n.nmae AS name", 2, "nmae is not present"),
    "BROKEN:undeclared-parameter": ("MATCH (n:`Node` {id: $node}) RETURN n.id AS id", 1, "Parameter $node"),
    "BROKEN:unknown-function": ("MATCH (n:`Node`) RETURN lowercase(n.name) AS name", 1, "Function lowercase"),
    "BROKEN:unknown-procedure": (
        "CALL db.index.fulltext.queryNode($index, $query) YIELD node RETURN node.id AS id",
        1,
        "Procedure db.index.fulltext.queryNode",
    ),
    "BROKEN:impossible-path": ("MATCH (:`Project`)-[:`FUNDS`]->(c:`Country`) RETURN c.id AS id", 2, "FUNDS"),
    "BROKEN:undefined-variable": ("MATCH (n:`Node`) RETURN m.id AS id", 1, "Variable `m` not defined"),
    "BROKEN:union-columns": (
        "MATCH (n:`Need`) RETURN n.id AS id UNION MATCH (n:`Project`) RETURN n.id AS ident",
        1,
        "must have the same return column names",
    ),
    "BROKEN:order-after-distinct": (
        "MATCH (n:`Node`) RETURN DISTINCT n.id AS id ORDER BY n.name",
        1,
        "not possible to access variables",
    ),
    "BROKEN:unknown-procedure-output": (
        "CALL db.index.fulltext.queryNodes($index, $query) YIELD nodes RETURN nodes",
        1,
        "Unknown procedure output",
    ),
    "BROKEN:procedure-arguments": ("CALL db.awaitIndexes($timeout, $limit)", 1, "too many arguments"),
    "BROKEN:merge-variable-length": (
        "MATCH (s:`Node` {id: $id}) MATCH (t:`Node` {id: $id}) MERGE (s)-[:`FUNDS`*1..2]->(t)",
        1,
        "Variable length relationships cannot be used in MERGE",
    ),
    "BROKEN:cartesian-product": (
        "MATCH (s:`Node`), (t:`Node`) RETURN s.id AS s, t.id AS t",
        2,
        "cartesian product",
    ),
}


def checker_schema() -> dict[str, Any]:
    """What the checker is told the database holds: everything graph_schema and the adapter use."""
    graph = [
        {"from": s, "to": t, "relType": e}
        for e, cls in EDGE_TYPES.items()
        for s in cls.SOURCE_TYPES
        for t in cls.TARGET_TYPES
    ]
    # Every knowledge-base node also carries the label Node, so Node-to-Node is possible for each type.
    graph += [{"from": "Node", "to": "Node", "relType": e} for e in EDGE_TYPES]
    return {
        "labels": [*NODE_TYPES, *queries.STORE_LABELS],
        "relationshipTypes": list(EDGE_TYPES),
        "propertyKeys": sorted(all_property_names() | set(queries.STORE_PROPERTY_KEYS)),
        "parameters": queries.PARAMETERS,
        "graphSchema": graph,
    }


def run_checker(statements: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    if shutil.which("node") is None:
        pytest.fail("node is not installed: the Cypher check needs Node.js (see README, `make setup`)")
    if not (PACKAGE / "package.json").exists():
        pytest.fail(f"{PACKAGE.relative_to(ROOT)} is missing: run `make setup` (npm ci) first")
    doc = {"statements": statements, "schema": checker_schema(), "versions": VERSIONS}
    proc = subprocess.run(
        ["node", str(LINT)],
        input=json.dumps(doc),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=240,
        check=False,  # the assertion below shows lint.mjs's stderr
    )
    assert proc.returncode == 0, f"lint.mjs failed:\n{proc.stderr}"
    out = json.loads(proc.stdout)
    assert out["package"] == PINNED, f"checker is {out['package']}, package.json pins {PINNED}"
    return out["diagnostics"]


@pytest.fixture(scope="module")
def diagnostics() -> dict[str, list[dict[str, Any]]]:
    """One checker run for the whole catalogue and the broken statements."""
    statements = dict(queries.all_statements())
    statements.update({name: text for name, (text, _, _) in BROKEN.items()})
    return run_checker(statements)


def _show(name: str, statement: str, found: list[dict[str, Any]]) -> str:
    lines = [f"{name}: {statement}"]
    lines += [
        f"  {d['version']} {'error' if d['severity'] == 1 else 'warning'} "
        f"{d['line']}:{d['column']}: {d['message']}"
        for d in found
    ]
    return "\n".join(lines)


def test_every_catalogued_statement_passes_neo4js_checker(diagnostics):
    statements = queries.all_statements()
    failing = {name: found for name, found in diagnostics.items() if name in statements and found}
    report = "\n".join(_show(name, statements[name], found) for name, found in failing.items())
    assert not failing, f"{len(failing)} of {len(statements)} statements fail the Cypher check:\n{report}"


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_checker_catches_a_broken_statement(diagnostics, name):
    """Each is caught: as an error (severity 1), or a warning (2), which the catalogue test refuses too."""
    _, severity, expected = BROKEN[name]
    found = diagnostics[name]
    assert {d["version"] for d in found} == set(VERSIONS), found
    assert any(d["severity"] <= severity and expected in d["message"] for d in found), found


def test_catalogue_covers_every_schema_type():
    statements = queries.all_statements()
    for node_type in NODE_TYPES:
        assert f"UPSERT_NODES[{node_type}]" in statements
        assert f"CREATE_CONSTRAINT_TYPE_ID[{node_type}]" in statements
        assert f"`{node_type}`" in statements["COUNT_NODES"]
    for edge_type in EDGE_TYPES:
        assert f"UPSERT_EDGES[{edge_type}]" in statements
        assert f"ENDS[{edge_type},source]" in statements and f"ENDS[{edge_type},target]" in statements
        assert f"`{edge_type}`" in statements["COUNT_EDGES"]


def test_statements_name_only_backtick_quoted_schema_labels():
    known = {*NODE_TYPES, *EDGE_TYPES, *queries.STORE_LABELS}
    for name, statement in queries.all_statements().items():
        quoted = set(_backticked(statement)) - {"fulltext.analyzer", "fulltext.eventually_consistent"}
        assert quoted <= known, f"{name} quotes {quoted - known}"


def _backticked(text: str) -> list[str]:
    parts = text.split("`")
    return parts[1::2]
