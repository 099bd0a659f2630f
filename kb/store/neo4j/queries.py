"""The catalogue: every Cypher statement the Neo4j adapter sends (``kb init``'s schema too), nothing else.

Statements are :class:`Cypher` constants. Those that name a node label or relationship type
are generated here from :mod:`graph_schema` for *every* type they can take (``UPSERT_NODES``
holds one statement per node type, ``ENDS`` one per edge type and side, ...), so
:func:`all_statements` returns the complete, finite set the project can send; a test passes
each one through Neo4j's own parser (``tests/store/test_cypher_check.py``).

Rules kept here: values are always parameters (declared in :data:`PARAMETERS`); labels and
types come only from the registry or the store's own :data:`STORE_LABELS`, match
``^[A-Za-z_][A-Za-z0-9_]*$`` and are backtick-quoted by :func:`quote`. No statement is built
from user text.

How nodes and edges are stored is in :mod:`kb.store.neo4j.encoding`.
"""

from __future__ import annotations

import re

from graph_schema import EDGE_TYPES, NODE_TYPES

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Cypher(str):
    """A statement of the catalogue. A plain ``str`` to the driver; the type marks it for collection."""


def quote(name: str) -> str:
    """Backtick-quote a label, relationship type or property key, refusing anything but an identifier.

    >>> quote("SupportGroup")
    '`SupportGroup`'
    >>> quote("Node`) DETACH DELETE (x")
    Traceback (most recent call last):
    ...
    ValueError: not a safe Cypher identifier: 'Node`) DETACH DELETE (x'
    """
    if not IDENTIFIER.match(name):
        raise ValueError(f"not a safe Cypher identifier: {name!r}")
    return f"`{name}`"


#: Every knowledge-base node carries this label besides its type label.
NODE = quote("Node")
#: One node per logged write (who, when, what), outside the knowledge base proper.
WRITE = quote("KBWrite")
#: The store's own record: schema version and the write sequence (also the writers' lock).
META = quote("KBMeta")
#: One node per record change of a write (kb.store.history): before and after as JSON text.
CHANGE = quote("KBChange")
#: Marks a database the contract suite may wipe (see :mod:`kb.store.neo4j.testing`).
TEST_MARKER = quote("KBTestMarker")

#: Labels the adapter uses besides the schema's node types.
STORE_LABELS = ("Node", "KBWrite", "KBMeta", "KBTestMarker", "KBChange")
#: Property keys the adapter uses besides the schema's fields.
STORE_PROPERTY_KEYS = (
    "search",
    "seq",
    "at",
    "actor",
    "action",
    "summary",
    "schema_version",
    "name",
    "created",
    "batch",
    "n",
    "kind",
    "record",
    "source",
    "target",
    "before",
    "after",
)

#: Every parameter a statement may use, with an example value (the checker needs the names).
PARAMETERS: dict[str, object] = {
    "id": "org:unodc",
    "ids": ["org:unodc"],
    "rows": [{"id": "org:unodc", "props": {}}],
    "meta": "store",
    "schema_version": 1,
    "seq": 1,
    "at": "2024-01-01T00:00:00+00:00",
    "actor": "cli",
    "action": "upsert",
    "summary": "{}",
    "limit": 20,
    "offset": 0,
    "after": "",
    "low": "0001-01-01",
    "high": "9999-12-31",
    "cycle": "needs-mapping-1",
    "index": "node_search",
    "query": "+border*",
    "types": ["Need"],
    "timeout": 300,
    "created": "2024-01-01T00:00:00+00:00",
    "old": "neo4j",
    "new": "a-new-password",
    "size": 20000,
    "upto": 10,
    "until": "2024-01-01T00:00:00+00:00",
    "records": ["org:unodc"],
    "leave_out": ["search"],
    "reach": [{"via": "ADDRESSES", "types": ["FUNDS"]}],
}

# -- schema: what `kb init` creates, derived from graph_schema (idempotent) ---------------------
# - a uniqueness constraint on ``id`` over every knowledge-base node (label ``Node``), which MERGE
#   relies on, and one per node type (``organisation_id`` on ``Organisation``...);
# - a uniqueness constraint on the store record (``KBMeta.name``);
# - range indexes the queries use: ``Node.cycle`` (mapping-cycle filter), ``KBWrite.seq`` (write log);
# - a full-text index ``node_search`` over ``Node.search``. That property already holds the folded
#   text (:func:`kb.text.search_text`: case folded, diacritics removed, Cyrillic transliterated), and
#   queries are folded the same way, so the index needs no accent-folding analyzer: the
#   ``whitespace`` analyzer keeps the folded words as they are. Both stores thus match alike.
# Then ``CALL db.awaitIndexes`` so that search works as soon as ``kb init`` returns.
SEARCH_INDEX = "node_search"


def constraint_name(node_type: str) -> str:
    """``SupportGroup`` → ``support_group_id``.

    >>> constraint_name("SupportGroup")
    'support_group_id'
    """
    return re.sub(r"(?<!^)(?=[A-Z])", "_", node_type).lower() + "_id"


CREATE_CONSTRAINT_NODE_ID = Cypher(
    f"CREATE CONSTRAINT node_id IF NOT EXISTS FOR (n:{NODE}) REQUIRE n.id IS UNIQUE"
)
CREATE_CONSTRAINT_TYPE_ID: dict[str, Cypher] = {
    t: Cypher(
        f"CREATE CONSTRAINT {constraint_name(t)} IF NOT EXISTS FOR (n:{quote(t)}) REQUIRE n.id IS UNIQUE"
    )
    for t in NODE_TYPES
}
CREATE_CONSTRAINT_META = Cypher(
    f"CREATE CONSTRAINT kb_meta_name IF NOT EXISTS FOR (m:{META}) REQUIRE m.name IS UNIQUE"
)
CREATE_INDEX_CYCLE = Cypher(f"CREATE INDEX node_cycle IF NOT EXISTS FOR (n:{NODE}) ON (n.cycle)")
CREATE_INDEX_WRITE_SEQ = Cypher(f"CREATE INDEX kb_write_seq IF NOT EXISTS FOR (w:{WRITE}) ON (w.seq)")
# The history: a write's changes by batch, a record's by its name or an edge's ends; batches by time.
CREATE_INDEX_WRITE_AT = Cypher(f"CREATE INDEX kb_write_at IF NOT EXISTS FOR (w:{WRITE}) ON (w.at)")
CREATE_INDEX_CHANGE_BATCH = Cypher(
    f"CREATE INDEX kb_change_batch IF NOT EXISTS FOR (c:{CHANGE}) ON (c.batch, c.n)"
)
CREATE_INDEX_CHANGE_RECORD = Cypher(
    f"CREATE INDEX kb_change_record IF NOT EXISTS FOR (c:{CHANGE}) ON (c.record)"
)
CREATE_INDEX_CHANGE_SOURCE = Cypher(
    f"CREATE INDEX kb_change_source IF NOT EXISTS FOR (c:{CHANGE}) ON (c.source)"
)
CREATE_INDEX_CHANGE_TARGET = Cypher(
    f"CREATE INDEX kb_change_target IF NOT EXISTS FOR (c:{CHANGE}) ON (c.target)"
)
CREATE_INDEX_SEARCH = Cypher(
    f"CREATE FULLTEXT INDEX {SEARCH_INDEX} IF NOT EXISTS FOR (n:{NODE}) ON EACH [n.search] "
    "OPTIONS {indexConfig: {`fulltext.analyzer`: 'whitespace', `fulltext.eventually_consistent`: false}}"
)
AWAIT_INDEXES = Cypher("CALL db.awaitIndexes($timeout)")


def schema_statements() -> list[Cypher]:
    """The schema statements in the order ``kb init`` runs them (each in its own transaction)."""
    return [
        CREATE_CONSTRAINT_NODE_ID,
        *CREATE_CONSTRAINT_TYPE_ID.values(),
        CREATE_CONSTRAINT_META,
        CREATE_INDEX_CYCLE,
        CREATE_INDEX_WRITE_SEQ,
        CREATE_INDEX_WRITE_AT,
        CREATE_INDEX_CHANGE_BATCH,
        CREATE_INDEX_CHANGE_RECORD,
        CREATE_INDEX_CHANGE_SOURCE,
        CREATE_INDEX_CHANGE_TARGET,
        CREATE_INDEX_SEARCH,
    ]


# -- server and store ---------------------------------------------------------------------
SERVER_COMPONENTS = Cypher(
    "CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition"
)
HOME_DATABASE = Cypher("CALL db.info() YIELD name RETURN name")
READ_META = Cypher(f"MATCH (m:{META} {{name: $meta}}) RETURN m.schema_version AS schema_version")
INIT_META = Cypher(
    f"MERGE (m:{META} {{name: $meta}}) "
    "ON CREATE SET m.schema_version = $schema_version, m.seq = 0 "
    "RETURN m.schema_version AS schema_version"
)
#: First statement of every write transaction: the increment reads the value it sets, so Neo4j
#: takes the node's write lock before reading; writers are serialised like SQLite's BEGIN IMMEDIATE.
LOCK_STORE = Cypher(
    f"MATCH (m:{META} {{name: $meta}}) SET m.seq = m.seq + 1 "
    "RETURN m.seq AS seq, m.schema_version AS schema_version"
)
LOG_WRITE = Cypher(
    f"CREATE (w:{WRITE} {{seq: $seq, at: $at, actor: $actor, action: $action, summary: $summary}})"
)
_WRITE_COLUMNS = "w.at AS at, w.actor AS actor, w.action AS action, w.summary AS summary, w.seq AS batch"
WRITE_LOG = Cypher(f"MATCH (w:{WRITE}) RETURN {_WRITE_COLUMNS} ORDER BY w.seq DESC LIMIT $limit")
#: The data version (``GraphStore.data_version``): the latest write, by the range index on ``seq``.
LATEST_WRITE = Cypher(f"MATCH (w:{WRITE}) RETURN w.seq AS seq, w.at AS at ORDER BY w.seq DESC LIMIT 1")

# -- the history (kb.store.history): a KBChange per record change, its batch the KBWrite's seq ----
RECORD_CHANGES = Cypher(
    f"UNWIND $rows AS row CREATE (c:{CHANGE} {{batch: $seq, n: row.n, kind: row.kind, record: row.record, "
    "source: row.source, target: row.target, before: row.before, after: row.after})"
)
_CHANGE_COLUMNS = (
    f"MATCH (w:{WRITE} {{seq: c.batch}}) "
    "RETURN c.batch AS batch, c.n AS n, w.at AS at, w.actor AS actor, w.action AS action, c.kind AS kind, "
    "c.record AS record, c.source AS source, c.target AS target, c.before AS before, c.after AS after "
    "ORDER BY batch, n"
)
HISTORY = Cypher(
    f"CALL () {{ MATCH (c:{CHANGE} {{record: $id}}) RETURN c UNION MATCH (c:{CHANGE} {{source: $id}}) RETURN c "
    f"UNION MATCH (c:{CHANGE} {{target: $id}}) RETURN c }} {_CHANGE_COLUMNS}"
)
CHANGES = Cypher(f"MATCH (c:{CHANGE}) WHERE c.batch > $after AND c.batch <= $upto {_CHANGE_COLUMNS}")
LATER_CHANGES = Cypher(
    f"MATCH (c:{CHANGE}) WHERE c.batch > $after AND c.record IN $records {_CHANGE_COLUMNS}"
)
BATCH = Cypher(f"MATCH (w:{WRITE} {{seq: $seq}}) RETURN {_WRITE_COLUMNS}")
LAST_BATCH = Cypher(f"MATCH (w:{WRITE}) RETURN max(w.seq) AS batch")
LAST_BATCH_UNTIL = Cypher(f"MATCH (w:{WRITE}) WHERE w.at <= $until RETURN max(w.seq) AS batch")

# -- nodes --------------------------------------------------------------------------------
GET_NODE = Cypher(f"MATCH (n:{NODE} {{id: $id}}) RETURN properties(n) AS props")
NODES_BY_ID = Cypher(f"MATCH (n:{NODE}) WHERE n.id IN $ids RETURN n.id AS id, properties(n) AS props")
TYPES_BY_ID = Cypher(f"MATCH (n:{NODE}) WHERE n.id IN $ids RETURN n.id AS id, n.type AS type")
#: ``SET n = row.props`` replaces every property, so a field dropped from a record is dropped here too.
UPSERT_NODES: dict[str, Cypher] = {
    t: Cypher(f"UNWIND $rows AS row MERGE (n:{NODE} {{id: row.id}}) SET n:{quote(t)} SET n = row.props")
    for t in NODE_TYPES
}
DELETE_NODE = Cypher(
    f"MATCH (n:{NODE} {{id: $id}}) OPTIONAL MATCH (n)-[r]-() "
    "WITH n, n.type AS type, count(DISTINCT r) AS edges "
    "DETACH DELETE n RETURN type, edges"
)
NODES_PAGE = Cypher(f"MATCH (n:{NODE}) RETURN properties(n) AS props ORDER BY n.id SKIP $offset LIMIT $limit")
NODES_PAGE_OF_TYPE: dict[str, Cypher] = {
    t: Cypher(
        f"MATCH (n:{NODE}:{quote(t)}) RETURN properties(n) AS props ORDER BY n.id SKIP $offset LIMIT $limit"
    )
    for t in NODE_TYPES
}
ITER_NODES = Cypher(
    f"MATCH (n:{NODE}) WHERE n.id > $after RETURN properties(n) AS props ORDER BY n.id LIMIT $limit"
)
SEARCH = Cypher(
    "CALL db.index.fulltext.queryNodes($index, $query) YIELD node "
    f"WHERE node:{NODE} AND ($types IS NULL OR node.type IN $types) "
    "RETURN properties(node) AS props "
    "ORDER BY size(node.search), node.id LIMIT $limit"
)
COUNT_NODES = Cypher(
    " UNION ALL ".join(f"MATCH (n:{quote(t)}) RETURN '{t}' AS type, count(n) AS n" for t in NODE_TYPES)
)

# -- edges --------------------------------------------------------------------------------
_EDGE_COLUMNS = "type(r) AS type, s.id AS source, t.id AS target, properties(r) AS props"
EDGES_BY_IDENTITY = Cypher(
    f"UNWIND $rows AS row MATCH (s:{NODE} {{id: row.source}})-[r]->(t:{NODE} {{id: row.target}}) "
    f"WHERE type(r) = row.type AND r.key = row.key RETURN {_EDGE_COLUMNS}"
)
#: ``key`` tells apart edges of one type between the same two nodes; it is part of the MERGE.
UPSERT_EDGES: dict[str, Cypher] = {
    t: Cypher(
        f"UNWIND $rows AS row MATCH (s:{NODE} {{id: row.source}}) MATCH (t:{NODE} {{id: row.target}}) "
        f"MERGE (s)-[r:{quote(t)} {{key: row.key}}]->(t) SET r = row.props"
    )
    for t in EDGE_TYPES
}
#: Retracting edges: those a re-imported source no longer states (absent ones match nothing).
DELETE_EDGES: dict[str, Cypher] = {
    t: Cypher(
        f"UNWIND $rows AS row MATCH (:{NODE} {{id: row.source}})-[r:{quote(t)} {{key: row.key}}]->"
        f"(:{NODE} {{id: row.target}}) DELETE r RETURN count(r) AS n"
    )
    for t in EDGE_TYPES
}
EDGES_OF = Cypher(
    f"MATCH (:{NODE} {{id: $id}})-[r]-(:{NODE}) WITH DISTINCT r "
    "RETURN type(r) AS type, startNode(r).id AS source, endNode(r).id AS target, properties(r) AS props "
    "ORDER BY type, source, target, props.key"
)
#: The node's edges and, per ``$reach`` step ``{via, types}``, the ``types`` edges (either
#: direction) of each node with a ``via`` edge into it: the small graph of who funds a need.
EDGES_REACHED = Cypher(
    f"MATCH (n:{NODE} {{id: $id}}) "
    f"CALL (n) {{ MATCH (n)-[r]-(:{NODE}) RETURN r "
    f"UNION UNWIND $reach AS step MATCH (n)<-[via]-(:{NODE})-[r]-(:{NODE}) "
    "WHERE type(via) = step.via AND type(r) IN step.types RETURN r } "
    "WITH DISTINCT r "
    "RETURN type(r) AS type, startNode(r).id AS source, endNode(r).id AS target, properties(r) AS props "
    "ORDER BY type, source, target, props.key"
)
#: The edges at any of the nodes ``$ids`` (``EDGES_OF`` for many nodes), each once.
EDGES_AT = Cypher(
    f"MATCH (n:{NODE})-[r]-(:{NODE}) WHERE n.id IN $ids WITH DISTINCT r "
    "RETURN type(r) AS type, startNode(r).id AS source, endNode(r).id AS target, properties(r) AS props"
)
INDUCED_EDGES = Cypher(
    f"MATCH (s:{NODE})-[r]->(t:{NODE}) WHERE s.id IN $ids AND t.id IN $ids RETURN {_EDGE_COLUMNS}"
)
#: Edges by source node, a page of source nodes at a time (rows without ``type`` are sources with
#: no outgoing edge: they only move the page on).
ITER_EDGES = Cypher(
    f"MATCH (s:{NODE}) WHERE s.id > $after WITH s ORDER BY s.id LIMIT $limit "
    f"OPTIONAL MATCH (s)-[r]->(t:{NODE}) "
    "RETURN s.id AS source, type(r) AS type, t.id AS target, properties(r) AS props "
    "ORDER BY source, type, target, props.key"
)
COUNT_EDGES = Cypher(
    " UNION ALL ".join(f"MATCH ()-[r:{quote(t)}]->() RETURN '{t}' AS type, count(r) AS n" for t in EDGE_TYPES)
)

# -- primitives of the filtered subgraph ----------------------------------------------------
#: ``ENDS[(edge_type, side)]``: ids at ``side`` of ``edge_type`` edges whose other end is in $ids.
ENDS: dict[tuple[str, str], Cypher] = {}
for _t in EDGE_TYPES:
    ENDS[(_t, "source")] = Cypher(
        f"MATCH (n:{NODE})-[:{quote(_t)}]->(o:{NODE}) WHERE o.id IN $ids RETURN DISTINCT n.id AS id"
    )
    ENDS[(_t, "target")] = Cypher(
        f"MATCH (o:{NODE})-[:{quote(_t)}]->(n:{NODE}) WHERE o.id IN $ids RETURN DISTINCT n.id AS id"
    )
del _t


def _period_types() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Node types with a period (``start``/``end``) and node types with a ``date``."""
    periods = tuple(t for t, cls in NODE_TYPES.items() if {"start", "end"} <= set(cls.model_fields))
    dated = tuple(t for t, cls in NODE_TYPES.items() if "date" in cls.model_fields)
    return periods, dated


def _ids_in_period() -> Cypher:
    periods, dated = _period_types()
    parts = [
        f"MATCH (n:{NODE}:{quote(t)}) "
        "WHERE coalesce(n.start, $low) <= $high AND coalesce(n.end, $high) >= $low RETURN n.id AS id"
        for t in periods
    ]
    parts += [
        f"MATCH (n:{NODE}:{quote(t)}) WHERE n.date >= $low AND n.date <= $high RETURN n.id AS id"
        for t in dated
    ]
    return Cypher(" UNION ".join(parts))


IDS_IN_PERIOD = _ids_in_period()
IDS_IN_CYCLE = Cypher(f"MATCH (n:{NODE}) WHERE n.cycle = $cycle RETURN n.id AS id")
NEIGHBOURS = Cypher(f"MATCH (n:{NODE})--(m:{NODE}) WHERE n.id IN $ids RETURN DISTINCT m.id AS id")

# -- the contract suite's isolation (kb.store.neo4j.testing) ---------------------------------
COUNT_ALL_NODES = Cypher(f"MATCH (n) WHERE NOT n:{TEST_MARKER} RETURN count(n) AS n")
COUNT_TEST_MARKERS = Cypher(f"MATCH (m:{TEST_MARKER}) RETURN count(m) AS n")
MARK_TEST_DATABASE = Cypher(f"MERGE (m:{TEST_MARKER} {{name: $meta}}) ON CREATE SET m.created = $created")
WIPE_TEST_DATABASE = Cypher(f"MATCH (n) WHERE NOT n:{TEST_MARKER} DETACH DELETE n")
#: Empties a large database a slice at a time (one transaction for 400k records needs a large heap).
DELETE_SOME_NODES = Cypher("MATCH (n) WITH n LIMIT $size DETACH DELETE n RETURN count(*) AS n")

# -- the fast whole-graph read (issue 15): one statement per kind of record ------------------
# Each returns one row of lists (``collect``), so the driver pulls the whole answer at once
# instead of one record object per node or edge, 1,000 records a pull. Neo4j may order text
# by UTF-16 code units (it does so for text it holds as Java strings), Python by code points, so
# the adapter sorts again when a text is not ASCII.
#: Every node's properties but those in $leave_out, as [name, value] pairs, in id order (the
#: order of the graph's nodes).
ALL_NODES = Cypher(
    f"MATCH (n:{NODE}) WITH n ORDER BY n.id "
    "RETURN collect([k IN keys(n) WHERE NOT k IN $leave_out | [k, n[k]]]) AS props"
)
#: ``ALL_EDGES_OF_TYPE[edge_type]``: that type's edges as three lists (their sources' ids, their
#: targets' ids, their properties) in (source, target, key) order.
ALL_EDGES_OF_TYPE: dict[str, Cypher] = {
    t: Cypher(
        f"MATCH (s:{NODE})-[r:{quote(t)}]->(o:{NODE}) WITH s.id AS source, o.id AS target, r "
        "ORDER BY source, target, r.key "
        "RETURN collect(source) AS sources, collect(target) AS targets, collect(properties(r)) AS props"
    )
    for t in EDGE_TYPES
}

# -- the local server (kb.store.neo4j.local), on the system database ---------------------------
#: A new data folder's user neo4j has the initial password "neo4j", which must be changed first.
SET_INITIAL_PASSWORD = Cypher("ALTER CURRENT USER SET PASSWORD FROM $old TO $new")


def _collect(namespace: dict[str, object]) -> dict[str, Cypher]:
    found: dict[str, Cypher] = {}
    for name, value in namespace.items():
        if isinstance(value, Cypher):
            found[name] = value
        elif isinstance(value, dict) and value and all(isinstance(v, Cypher) for v in value.values()):
            for key, statement in value.items():
                label = ",".join(key) if isinstance(key, tuple) else key
                found[f"{name}[{label}]"] = statement
    return found


def all_statements() -> dict[str, str]:
    """Every statement the adapter can send, by name, the schema statements of ``kb init`` included.

    >>> statements = all_statements()
    >>> statements["UPSERT_NODES[Country]"].startswith("UNWIND $rows AS row MERGE")
    True
    >>> any(name.startswith("CREATE_CONSTRAINT") for name in statements)
    True
    """
    return _collect(globals())
