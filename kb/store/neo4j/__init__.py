"""The Neo4j adapter of the :class:`~kb.store.port.GraphStore` port.

- :mod:`~kb.store.neo4j.queries`: the catalogue of every Cypher statement it sends;
- :mod:`~kb.store.neo4j.ddl`: the constraints and indexes ``kb init`` creates.
"""
