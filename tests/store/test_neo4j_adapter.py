"""The Neo4j adapter without a Neo4j server: encoding, identifiers, faults and how a batch is sent.

Faults come from the real driver talking to a closed port, to a socket that is not Bolt, or to
the scripted Bolt server of :mod:`tests.store.bolt_stub` (all on 127.0.0.1). What Cypher does
on a real server is the contract suite's job (``KB_TEST_NEO4J_URI``, see docs/operations.md).
"""

from __future__ import annotations

import ast
import socket
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kb.cli import app
from kb.errors import (
    ConflictError,
    IncompatibleStoreError,
    SchemaViolationError,
    StoreError,
    StoreUnavailableError,
)
from kb.records import parse_batch
from kb.store import open_store
from kb.store.neo4j import Neo4jStore
from kb.store.neo4j import queries as q
from kb.store.neo4j.encoding import decode_edge, decode_node, encode_edge, encode_node
from kb.store.neo4j.testing import isolated_store, lock_path
from tests.conftest import edge, node
from tests.store.bolt_stub import Failure, Script, bolt_stub

PACKAGE = Path(__file__).resolve().parents[2] / "kb" / "store" / "neo4j"
KERNEL_5 = [{"name": "Neo4j Kernel", "versions": ["5.26.0"], "edition": "community"}]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ready_script(**answers) -> Script:
    """A Neo4j 5 server whose home database is ``neo4j``, with extra answers."""
    return Script(answers={q.SERVER_COMPONENTS: KERNEL_5, q.HOME_DATABASE: [{"name": "neo4j"}], **answers})


def initialised(**answers) -> Script:
    return ready_script(**{q.LOCK_STORE: [{"seq": 7, "schema_version": 1}], **answers})


# -- encoding -----------------------------------------------------------------------------------
def test_every_record_of_a_small_graph_comes_back_exactly(small_graph):
    batch = parse_batch(small_graph)
    for record in batch.nodes:
        assert decode_node(encode_node(record)) == record
    for record in batch.edges:
        props = encode_edge(record)
        assert decode_edge(record["type"], record["source"], record["target"], props) == record


def test_node_properties_hold_type_id_and_folded_search_text():
    props = encode_node(parse_batch({"nodes": [node("Person", "person:k", "Siniša Kostrešević")]}).nodes[0])
    assert props["type"] == "Person" and props["id"] == "person:k"
    assert props["search"] == "sinisa kostresevic"


def test_empty_lists_are_not_stored_and_come_back_from_the_schema():
    record = parse_batch({"nodes": [node("SupportGroup", "sg:x", "Group")]}).nodes[0]
    assert record["decision_making"] == [] and record["aliases"] == []
    props = encode_node(record)
    assert "decision_making" not in props and "aliases" not in props
    assert decode_node(props) == record


def test_dates_are_stored_as_iso_strings_and_floats_stay_floats(small_graph):
    funds = next(
        e for e in parse_batch(small_graph).edges if e["type"] == "FUNDS" and e["source"] == "org:giz"
    )
    props = encode_edge(funds)
    assert props["start"] == "2023-01-01" and props["amount"] == 1_000_000.0
    assert isinstance(props["amount"], float)
    assert {"type", "source", "target"}.isdisjoint(props) and props["key"] == ""


@pytest.mark.parametrize(
    "value, reason",
    [
        ({"a": 1}, "no Neo4j property form"),
        (["a", 1], "lists of one primitive type"),
        ([["a"]], "lists of one primitive type"),
        (2**70, "does not fit in 64 bits"),
    ],
)
def test_a_value_neo4j_cannot_store_is_refused_naming_the_property(value, reason):
    with pytest.raises(SchemaViolationError, match=f"node 'org:x': property 'extra'.*{reason}"):
        encode_node({"type": "Organisation", "id": "org:x", "name": "X", "sources": ["s"], "extra": value})


# -- identifiers and the catalogue ----------------------------------------------------------------
@pytest.mark.parametrize("name", ["Node`) DETACH DELETE (n", "has space", "1abc", "", "Ünïcode", "a-b"])
def test_quote_refuses_what_is_not_a_plain_identifier(name):
    with pytest.raises(ValueError, match="not a safe Cypher identifier"):
        q.quote(name)


def _cypher_literals(path: Path) -> list[str]:
    words = ("MATCH ", "MERGE ", "CREATE ", "UNWIND ", "CALL ", "RETURN ", "DETACH DELETE")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)}
    return [
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant)
        and isinstance(n.value, str)
        and id(n) not in docstrings
        and any(w in n.value for w in words)
    ]


@pytest.mark.parametrize("module", ["adapter.py", "testing.py", "errors.py", "encoding.py", "__init__.py"])
def test_no_cypher_is_written_outside_the_catalogue(module):
    assert _cypher_literals(PACKAGE / module) == []


def test_every_run_call_sends_a_catalogue_statement():
    for module in ("adapter.py", "testing.py"):
        tree = ast.parse((PACKAGE / module).read_text(encoding="utf-8"))
        for call in ast.walk(tree):
            if isinstance(call, ast.Call) and getattr(call.func, "attr", None) == "run":
                first = call.args[0]
                if isinstance(first, ast.Subscript):  # q.UPSERT_NODES[type_name]
                    first = first.value
                assert isinstance(first, (ast.Attribute, ast.Name)), f"{module}:{call.lineno} runs a literal"
                if isinstance(first, ast.Attribute):
                    assert getattr(first.value, "id", None) == "q", f"{module}:{call.lineno}"


# -- reaching the server --------------------------------------------------------------------------
@pytest.mark.parametrize("scheme", ["bolt", "neo4j"])
def test_unreachable_server_is_a_one_line_store_unavailable_error(scheme):
    port = closed_port()  # how soon it is refused is bench_refusals' figure (python -m bench refusals)
    with pytest.raises(StoreUnavailableError) as caught:
        Neo4jStore(f"{scheme}://127.0.0.1:{port}", user="neo4j", password="x", connection_timeout=2)
    message = str(caught.value)
    assert "\n" not in message and f"127.0.0.1:{port}" in message and "cannot reach Neo4j" in message


def test_a_server_that_does_not_speak_bolt_is_unavailable():
    listener = socket.create_server(("127.0.0.1", 0))

    def hang_up() -> None:
        conn, _ = listener.accept()
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")
        conn.close()

    threading.Thread(target=hang_up, daemon=True).start()
    try:
        with pytest.raises(StoreUnavailableError) as caught:
            Neo4jStore(f"bolt://127.0.0.1:{listener.getsockname()[1]}", connection_timeout=2)
    finally:
        listener.close()
    assert "\n" not in str(caught.value)


def test_wrong_credentials_are_named_and_the_password_is_not_shown():
    with bolt_stub(Script(auth_failure=True)) as uri, pytest.raises(StoreUnavailableError) as caught:
        Neo4jStore(uri, user="alice", password="s3cret")
    message = str(caught.value)
    assert "refused the credentials of user 'alice'" in message
    assert "s3cret" not in message and "\n" not in message


def test_credentials_in_the_uri_are_refused_without_showing_them():
    with pytest.raises(StoreUnavailableError) as caught:
        Neo4jStore("bolt://alice:s3cret@127.0.0.1:7687")
    assert "s3cret" not in str(caught.value) and "KB_NEO4J_PASSWORD" in str(caught.value)


def test_driver_messages_quoting_the_uri_lose_its_password():
    from neo4j.exceptions import ConfigurationError

    from kb.store.neo4j.errors import translate

    uri = "bolt://alice:s3cret@db.example.org:7687"
    error = translate(ConfigurationError(f"bad URI: {uri!r}"), uri=uri, database=None, user="alice")
    assert "s3cret" not in str(error) and "bolt://db.example.org:7687" in str(error)


def test_a_server_older_than_neo4j_5_is_refused():
    old = [{"name": "Neo4j Kernel", "versions": ["4.4.30"], "edition": "enterprise"}]
    with (
        bolt_stub(Script(answers={q.SERVER_COMPONENTS: old})) as uri,
        pytest.raises(StoreUnavailableError, match="is version 4.4.30; the knowledge base needs Neo4j 5"),
    ):
        Neo4jStore(uri)


def test_a_missing_database_is_named():
    missing = Failure(
        "Neo.ClientError.Database.DatabaseNotFound", "Database does not exist. Database name: 'kb'."
    )
    with (
        bolt_stub(Script(begin_failure=missing)) as uri,
        pytest.raises(StoreUnavailableError, match="has no database 'kb' \\(check KB_NEO4J_DATABASE\\)"),
    ):
        Neo4jStore(uri, database="kb")


def test_opening_pins_the_home_database_and_reads_the_version():
    script = ready_script()
    with bolt_stub(script) as uri, Neo4jStore(uri) as store:
        assert store.database == "neo4j"
    assert script.statements[:3] == [q.SERVER_COMPONENTS, q.HOME_DATABASE, q.READ_META]


def test_a_store_written_by_a_newer_schema_is_refused():
    with (
        bolt_stub(ready_script(**{q.READ_META: [{"schema_version": 99}]})) as uri,
        pytest.raises(IncompatibleStoreError, match="schema version 99"),
    ):
        Neo4jStore(uri)


def test_writing_before_kb_init_says_to_run_it(small_graph):
    with (
        bolt_stub(ready_script()) as uri,
        Neo4jStore(uri) as store,
        pytest.raises(IncompatibleStoreError, match="run `kb init`"),
    ):
        store.upsert(parse_batch(small_graph))


def test_searching_before_kb_init_says_to_run_it():
    missing = Failure(
        "Neo.ClientError.Procedure.ProcedureCallFailed",
        "Failed to invoke procedure `db.index.fulltext.queryNodes`: Caused by: "
        "java.lang.IllegalArgumentException: There is no such fulltext schema index: node_search",
    )
    with (
        bolt_stub(ready_script(**{q.SEARCH: missing})) as uri,
        Neo4jStore(uri) as store,
        pytest.raises(IncompatibleStoreError, match="no search index yet: run `kb init`"),
    ):
        store.search("border")


# -- how a batch is sent --------------------------------------------------------------------------
def test_a_batch_goes_in_one_transaction_of_unwind_statements_then_the_log(small_graph):
    script = initialised()
    with bolt_stub(script) as uri, Neo4jStore(uri) as store:
        summary = store.upsert(parse_batch(small_graph), actor="token:alice")
    assert summary.nodes_created == len(small_graph["nodes"]) and summary.edges_created == len(
        small_graph["edges"]
    )
    write = script.log[script.log.index(("RUN", q.LOCK_STORE, {"meta": "store"})) - 1 :]
    assert write[0][0] == "BEGIN" and write[-1][0] == "COMMIT"
    assert [kind for kind, _, _ in write[1:-1]] == ["RUN"] * (len(write) - 2)
    sent = {query: params for _, query, params in write[1:-1]}
    countries = sent[q.UPSERT_NODES["Country"]]["rows"]
    assert {r["id"] for r in countries} == {"country:rs", "country:xk", "country:at"}
    assert next(r for r in countries if r["id"] == "country:rs")["props"]["search"] == "serbia rs"
    funds = sent[q.UPSERT_EDGES["FUNDS"]]["rows"]
    assert {(r["source"], r["target"], r["key"]) for r in funds} == {
        ("org:giz", "project:a", ""),
        ("country:at", "project:b", ""),
    }
    assert sent[q.LOG_WRITE]["actor"] == "token:alice" and sent[q.LOG_WRITE]["seq"] == 7


def test_an_unchanged_batch_writes_nothing_and_logs_nothing(small_graph):
    batch = parse_batch({"nodes": small_graph["nodes"][:1]})
    stored = [{"id": "country:rs", "props": encode_node(batch.nodes[0])}]
    script = initialised(**{q.NODES_BY_ID: stored})
    with bolt_stub(script) as uri, Neo4jStore(uri) as store:
        summary = store.upsert(batch)
    assert summary.nodes_unchanged == 1 and not summary.changed
    assert q.UPSERT_NODES["Country"] not in script.statements and q.LOG_WRITE not in script.statements


def test_a_batch_with_a_missing_endpoint_is_rolled_back_before_any_write():
    script = initialised()
    bad = {
        "nodes": [node("Organisation", "org:new", "New donor")],
        "edges": [edge("FUNDS", "org:new", "project:missing", amount=1, currency="EUR")],
    }
    with (
        bolt_stub(script) as uri,
        Neo4jStore(uri) as store,
        pytest.raises(SchemaViolationError, match="project:missing"),
    ):
        store.upsert(parse_batch(bad))
    write = script.log[script.log.index(("RUN", q.LOCK_STORE, {"meta": "store"})) :]
    assert write[-1][0] == "ROLLBACK" and ("COMMIT", None, None) not in write
    assert not [s for s in script.statements if "MERGE" in s or "CREATE" in s]


def test_a_retyped_id_is_refused_before_any_write():
    stored = [
        {"id": "inst:x", "props": {"type": "Institution", "id": "inst:x", "name": "X", "sources": ["s"]}}
    ]
    script = initialised(**{q.NODES_BY_ID: stored})
    batch = parse_batch({"nodes": [node("Institution", "inst:x", "X")]})
    batch.nodes[0]["type"] = "Organisation"
    with bolt_stub(script) as uri, Neo4jStore(uri) as store, pytest.raises(ConflictError, match="inst:x"):
        store.upsert(batch)
    assert not [s for s in script.statements if "MERGE" in s]


@pytest.mark.parametrize(
    "code, message, error, says",
    [
        (
            "Neo.ClientError.Schema.ConstraintValidationFailed",
            "Node(12) already exists with label `Node` and property `id` = 'country:rs'",
            ConflictError,
            "already exists",
        ),
        (
            "Neo.TransientError.General.MemoryPoolOutOfMemoryError",
            "The allocation of an extra 2.0 MiB would use more than the limit 716.8 MiB.",
            StoreError,
            "ran out of transaction memory for this batch, so nothing of it was written",
        ),
    ],
    ids=["constraint violation is a conflict", "out of transaction memory says nothing was written"],
)
def test_a_write_the_server_refuses_is_named(small_graph, code, message, error, says):
    script = initialised(**{q.UPSERT_NODES["Country"]: Failure(code, message)})
    with bolt_stub(script) as uri, Neo4jStore(uri) as store, pytest.raises(error, match=says):
        store.upsert(parse_batch(small_graph))


def test_search_sends_every_folded_word_as_a_required_prefix():
    script = ready_script()
    with bolt_stub(script) as uri, Neo4jStore(uri) as store:
        assert store.search("Министарство унутрашњих", types=["Institution"]) == []
        assert store.search('"*()') == []
    sent = [params for kind, query, params in script.log if query == q.SEARCH]
    assert sent == [
        {
            "index": "node_search",
            "query": "+ministarstvo* +unutrasnjih*",
            "types": ["Institution"],
            "limit": 20,
        }
    ]


# -- reads and schema, as the adapter sends and decodes them ---------------------------------------
def test_init_creates_every_constraint_and_index_then_waits_for_them():
    script = ready_script(**{q.INIT_META: [{"schema_version": 1}]})
    with bolt_stub(script) as uri, Neo4jStore(uri) as store:
        store.init()
    sent = script.statements[3:]
    assert sent == [*q.schema_statements(), q.AWAIT_INDEXES, q.INIT_META]
    assert (
        len([s for s in sent if s.startswith("CREATE CONSTRAINT")])
        == 1 + len(q.CREATE_CONSTRAINT_TYPE_ID) + 1
    )


def _paged(rows, key, after_key="after"):
    """Answer a keyset-paged statement from ``rows`` sorted by ``key``."""

    def answer(params):
        return [r for r in rows if key(r) > params[after_key]][: params["limit"]]

    return answer


def test_iter_nodes_pages_by_id_until_nothing_is_left(small_graph):
    records = sorted(parse_batch(small_graph).nodes, key=lambda n: n["id"])
    rows = [{"props": encode_node(n)} for n in records]
    script = ready_script(**{q.ITER_NODES: _paged(rows, lambda r: r["props"]["id"])})
    with bolt_stub(script) as uri, Neo4jStore(uri) as store:
        chunks = list(store.iter_nodes(batch_size=4))
    assert [len(c) for c in chunks] == [4, 4, 4, 2]
    assert [n for c in chunks for n in c] == records


def test_iter_edges_walks_source_pages_and_yields_full_batches(small_graph):
    batch = parse_batch(small_graph)
    sources = sorted(n["id"] for n in batch.nodes)
    out = {
        s: sorted((e for e in batch.edges if e["source"] == s), key=lambda e: (e["type"], e["target"]))
        for s in sources
    }

    def answer(params):
        page = [s for s in sources if s > params["after"]][: params["limit"]]
        return [
            {"source": s, "type": e["type"], "target": e["target"], "props": encode_edge(e)}
            for s in page
            for e in out[s]
        ] + [{"source": s, "type": None, "target": None, "props": None} for s in page if not out[s]]

    script = ready_script(**{q.ITER_EDGES: answer})
    with bolt_stub(script) as uri, Neo4jStore(uri) as store:
        chunks = list(store.iter_edges(batch_size=4))
    assert [len(c) for c in chunks] == [4, 4, 4, 3]
    got = [e for c in chunks for e in c]
    assert sorted(got, key=lambda e: (e["type"], e["source"], e["target"])) == sorted(
        batch.edges, key=lambda e: (e["type"], e["source"], e["target"])
    )


def test_counts_list_every_schema_type_with_zeros_for_the_absent():
    script = ready_script(
        **{q.COUNT_NODES: [{"type": "Project", "n": 2}], q.COUNT_EDGES: [{"type": "FUNDS", "n": 3}]}
    )
    with bolt_stub(script) as uri, Neo4jStore(uri) as store:
        counts = store.counts()
    assert counts["nodes"]["Project"] == 2 and counts["nodes"]["Document"] == 0
    assert counts["edges"]["FUNDS"] == 3 and len(counts["edges"]) == 16


def test_get_of_an_unknown_id_is_not_found_and_nodes_of_an_unknown_type_are_none():
    from kb.errors import NotFoundError

    with bolt_stub(ready_script()) as uri, Neo4jStore(uri) as store:
        with pytest.raises(NotFoundError, match="org:nobody"):
            store.get("org:nobody")
        assert store.nodes(type="Spaceship") == []


def test_delete_of_an_unknown_id_is_not_found_and_logs_nothing():
    from kb.errors import NotFoundError

    script = initialised()
    with (
        bolt_stub(script) as uri,
        Neo4jStore(uri) as store,
        pytest.raises(NotFoundError, match="org:nobody"),
    ):
        store.delete("org:nobody")
    assert q.LOG_WRITE not in script.statements and script.log[-1][0] == "ROLLBACK"


def test_delete_logs_what_went_with_the_node():
    script = initialised(**{q.DELETE_NODE: [{"type": "Project", "edges": 4}]})
    with bolt_stub(script) as uri, Neo4jStore(uri) as store:
        store.delete("project:a", actor="token:bob")
    logged = next(p for kind, query, p in script.log if query == q.LOG_WRITE)
    assert logged["actor"] == "token:bob" and logged["action"] == "delete"
    assert logged["summary"] == '{"edges_deleted":4,"id":"project:a","type":"Project"}'


def test_write_log_entries_come_back_as_written():
    row = {
        "at": "2024-01-01T00:00:00+00:00",
        "actor": "cli",
        "action": "seed",
        "summary": '{"nodes_created":3}',
    }
    with bolt_stub(ready_script(**{q.WRITE_LOG: [row]})) as uri, Neo4jStore(uri) as store:
        [entry] = store.write_log()
    assert entry.summary == {"nodes_created": 3} and entry.action == "seed"


def test_subgraph_primitives_send_their_statement_for_the_edge_type_and_side():
    script = ready_script(**{q.ENDS[("FUNDS", "target")]: [{"id": "project:a"}]})
    with bolt_stub(script) as uri, Neo4jStore(uri) as store:
        assert store.ends("FUNDS", side="target", others={"org:giz"}) == {"project:a"}
        assert store.ends("NO_SUCH_TYPE", side="source", others={"org:giz"}) == set()
        with pytest.raises(ValueError, match="side"):
            store.ends("FUNDS", side="middle", others={"org:giz"})
    assert (q.ENDS[("FUNDS", "target")], {"ids": ["org:giz"]}) in [(qq, p) for _, qq, p in script.log]


# -- the contract suite's isolation ---------------------------------------------------------------
def test_the_contract_suite_refuses_a_database_holding_other_data(monkeypatch):
    script = ready_script(**{q.COUNT_TEST_MARKERS: [{"n": 0}], q.COUNT_ALL_NODES: [{"n": 42}]})
    monkeypatch.delenv("KB_TEST_NEO4J_DATABASE", raising=False)
    with (
        bolt_stub(script) as uri,
        pytest.raises(StoreUnavailableError, match="holds data and is not a test database"),
        isolated_store(uri),
    ):
        pass
    assert q.WIPE_TEST_DATABASE not in script.statements


def test_the_test_lock_is_per_server_and_database_and_ignores_credentials():
    assert lock_path("bolt://u:p@h:7687", None) == lock_path("bolt://h:7687", None)
    assert lock_path("bolt://h:7687", "a") != lock_path("bolt://h:7687", "b")


# -- the command line -----------------------------------------------------------------------------
def test_kb_on_an_unreachable_server_prints_one_line_and_exits_1():
    port = closed_port()
    result = CliRunner().invoke(app, ["--store", f"bolt://127.0.0.1:{port}", "stats"])
    assert result.exit_code == StoreUnavailableError.exit_code == 1
    assert result.stderr.startswith(
        f"error: Store unavailable: cannot reach Neo4j at bolt://127.0.0.1:{port}"
    )
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output


def test_kb_with_wrong_credentials_prints_one_line():
    with bolt_stub(Script(auth_failure=True)) as uri:
        result = CliRunner().invoke(app, ["--store", uri, "init"], env={"KB_NEO4J_PASSWORD": "wrong"})
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: Store unavailable: Neo4j at {uri} refused the credentials of user 'neo4j' "
        "(check KB_NEO4J_USER and KB_NEO4J_PASSWORD)\n"
    )


def test_kb_refuses_a_store_uri_of_another_scheme():
    result = CliRunner().invoke(app, ["--store", "http://127.0.0.1:7474", "stats"])
    assert result.exit_code == 1
    assert "unsupported store URI scheme 'http'" in result.stderr and result.stderr.count("\n") == 1


def test_open_store_passes_settings_to_the_adapter(monkeypatch):
    monkeypatch.setenv("KB_NEO4J_USER", "reader")
    monkeypatch.setenv("KB_NEO4J_DATABASE", "kb")
    with bolt_stub(ready_script()) as uri, open_store(uri) as store:
        assert isinstance(store, Neo4jStore)
        assert (store.user, store.database, store.location) == ("reader", "kb", f"{uri} (database kb)")
