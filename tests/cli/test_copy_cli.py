"""``kb copy`` between two real SQLite files, as a user runs it."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from typer.testing import CliRunner

from kb.cli import app
from tests.conftest import node

runner = CliRunner()


def kb(*args: str):
    return runner.invoke(app, list(args))


def kb_json(*args: str):
    result = kb(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def loaded(tmp_path: Path, doc: dict, name: str = "from.sqlite") -> Path:
    store, batch = tmp_path / name, tmp_path / f"{name}.json"
    batch.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    kb_json("--store", str(store), "import", "json", str(batch))
    return store


def test_copy_gives_equal_stats_and_an_identical_dump(tmp_path, small_graph):
    source, target = loaded(tmp_path, small_graph), tmp_path / "to.sqlite"
    report = kb_json("copy", "--from", str(source), "--to", str(target), "--batch-size", "4")
    assert report["equal"] is True
    assert report["written"]["nodes_created"] == len(small_graph["nodes"])
    assert report["written"]["edges_created"] == len(small_graph["edges"])
    assert kb_json("--store", str(source), "stats") == kb_json("--store", str(target), "stats")
    for store in (source, target):
        assert kb("--store", str(store), "export", "json", str(store) + ".dump.json").exit_code == 0
    dumps = [json.loads(Path(str(s) + ".dump.json").read_text(encoding="utf-8")) for s in (source, target)]
    assert dumps[0]["nodes"] == dumps[1]["nodes"] and dumps[0]["edges"] == dumps[1]["edges"]


def test_copying_again_changes_nothing(tmp_path, small_graph):
    source, target = loaded(tmp_path, small_graph), tmp_path / "to.sqlite"
    kb_json("copy", "--from", str(source), "--to", str(target))
    again = kb_json("copy", "--from", str(source), "--to", str(target))
    assert again["equal"] is True
    assert again["written"]["nodes_created"] == again["written"]["nodes_updated"] == 0
    assert again["written"]["nodes_unchanged"] == len(small_graph["nodes"])


def test_a_copy_cut_short_is_finished_by_running_it_again(tmp_path, small_graph):
    source = loaded(tmp_path, small_graph)
    target = loaded(tmp_path, {"nodes": small_graph["nodes"][:5], "edges": []}, name="to.sqlite")
    report = kb_json("copy", "--from", str(source), "--to", str(target))
    assert report["equal"] is True
    assert report["written"]["nodes_unchanged"] == 5
    assert report["written"]["nodes_created"] == len(small_graph["nodes"]) - 5


def test_copy_into_a_store_holding_other_data_says_where_counts_differ(tmp_path, small_graph):
    source = loaded(tmp_path, small_graph)
    target = loaded(tmp_path, {"nodes": [node("Document", "doc:other", "Other")]}, name="to.sqlite")
    result = kb("copy", "--from", str(source), "--to", str(target))
    assert result.exit_code == 1
    assert "differs" in result.stderr and "Document: 0 → 1" in result.stderr
    assert "did it hold other data?" in result.stderr


def test_table_report_lists_both_sides(tmp_path, small_graph):
    source, target = loaded(tmp_path, small_graph), tmp_path / "to.sqlite"
    result = kb("copy", "--from", str(source), "--to", str(target))
    assert result.exit_code == 0, result.output
    assert "Copied" in result.stdout and "Project" in result.stdout


def test_copy_onto_itself_is_refused(tmp_path, small_graph):
    source = loaded(tmp_path, small_graph)
    result = kb("copy", "--from", str(source), "--to", str(tmp_path / "." / "from.sqlite"))
    assert result.exit_code == 1 and "are the same store" in result.stderr


def test_copy_to_an_unreachable_neo4j_is_one_line_and_leaves_the_source_alone(tmp_path, small_graph):
    source = loaded(tmp_path, small_graph)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = kb("copy", "--from", str(source), "--to", f"bolt://127.0.0.1:{port}")
    assert result.exit_code == 1
    assert (
        result.stderr.startswith("error: Store unavailable: cannot reach Neo4j")
        and result.stderr.count("\n") == 1
    )
    assert kb_json("--store", str(source), "stats")["nodes"]["Project"] == 2
