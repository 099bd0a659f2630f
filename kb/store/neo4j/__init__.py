"""The Neo4j adapter of the :class:`~kb.store.port.GraphStore` port.

- :mod:`~kb.store.neo4j.adapter`: :class:`Neo4jStore`, on the official ``neo4j`` driver;
- :mod:`~kb.store.neo4j.queries`: the catalogue of every Cypher statement it sends;
- :mod:`~kb.store.neo4j.ddl`: the constraints and indexes ``kb init`` creates;
- :mod:`~kb.store.neo4j.encoding`: how records are stored as Neo4j properties;
- :mod:`~kb.store.neo4j.errors`: driver errors as the project's errors;
- :mod:`~kb.store.neo4j.testing`: an isolated store for the contract suite.
"""

from kb.store.neo4j.adapter import Neo4jStore

__all__ = ["Neo4jStore"]
