"""The Neo4j adapter of the :class:`~kb.store.port.GraphStore` port.

- :mod:`~kb.store.neo4j.adapter`: :class:`Neo4jStore`, on the official ``neo4j`` driver;
- :mod:`~kb.store.neo4j.queries`: the catalogue of every Cypher statement it sends, the
  constraints and indexes ``kb init`` creates among them;
- :mod:`~kb.store.neo4j.encoding`: how records are stored as Neo4j properties;
- :mod:`~kb.store.neo4j.errors`: driver errors as the project's errors;
- :mod:`~kb.store.neo4j.testing`: an isolated store for the contract suite;
- :mod:`~kb.store.neo4j.local`: a local Neo4j Community server, for the tests and for trying it.
"""

from kb.store.neo4j.adapter import Neo4jStore

__all__ = ["Neo4jStore"]
