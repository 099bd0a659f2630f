"""What ``kb init`` creates on a Neo4j database, derived from :mod:`graph_schema`. Idempotent.

- a uniqueness constraint on ``id`` over every knowledge-base node (label ``Node``), which MERGE
  relies on, and one per node type (``organisation_id`` on ``Organisation``...);
- a uniqueness constraint on the store record (``KBMeta.name``);
- range indexes the queries use: ``Node.cycle`` (mapping-cycle filter), ``KBWrite.seq`` (write log);
- a full-text index ``node_search`` over ``Node.search``. That property already holds the folded
  text (:func:`kb.text.search_text`: case folded, diacritics removed, Cyrillic transliterated), and
  queries are folded the same way, so the index needs no accent-folding analyzer: the
  ``whitespace`` analyzer keeps the folded words as they are. Both stores thus match alike.

Then ``CALL db.awaitIndexes`` so that search works as soon as ``kb init`` returns.
"""

from __future__ import annotations

import re

from graph_schema import NODE_TYPES
from kb.store.neo4j.queries import META, NODE, WRITE, Cypher, quote

SEARCH_INDEX = "node_search"
#: Seconds ``kb init`` waits for new indexes to come online.
AWAIT_SECONDS = 300


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
CREATE_INDEX_SEARCH = Cypher(
    f"CREATE FULLTEXT INDEX {SEARCH_INDEX} IF NOT EXISTS FOR (n:{NODE}) ON EACH [n.search] "
    "OPTIONS {indexConfig: {`fulltext.analyzer`: 'whitespace', `fulltext.eventually_consistent`: false}}"
)
AWAIT_INDEXES = Cypher("CALL db.awaitIndexes($timeout)")


def statements() -> list[Cypher]:
    """The schema statements in the order ``kb init`` runs them (each in its own transaction)."""
    return [
        CREATE_CONSTRAINT_NODE_ID,
        *CREATE_CONSTRAINT_TYPE_ID.values(),
        CREATE_CONSTRAINT_META,
        CREATE_INDEX_CYCLE,
        CREATE_INDEX_WRITE_SEQ,
        CREATE_INDEX_SEARCH,
    ]
