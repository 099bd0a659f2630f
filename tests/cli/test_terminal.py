"""CLI tables read in a terminal: they fit its width and break no word (issue 17, item 7)."""

from __future__ import annotations

import pytest

from tests.cli.conftest import KB

COMMANDS = [
    ["overlaps"],
    ["gaps"],
    ["who-funds", "need:demo-al-border-surveillance"],
    ["co-funders", "AT"],
    ["cofunding"],
    ["coverage"],
    ["brokers"],
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("terminal") / "kb.sqlite"
    KB(path).json("seed")
    return path


def _lines(store, width: int, *args: str) -> list[str]:
    result = KB(store, env={"COLUMNS": str(width)})(*args)
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


@pytest.mark.parametrize("width", [80, 200])
@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: a[0])
def test_a_table_fits_the_terminal_and_is_not_cut(store, width, args):
    lines = _lines(store, width, *args)
    assert max(len(line) for line in lines) <= width
    rows = [line for line in lines if line.startswith(("│", "┃"))]
    assert rows and all(line.rstrip().endswith(("│", "┃")) for line in rows)


@pytest.mark.parametrize("width", [80, 200])
def test_no_word_of_a_name_is_broken_across_lines(store, width):
    words = {w for g in KB(store).json("gaps")["gaps"] for w in (g["need"] or g["needs"][0])["name"].split()}
    text = "\n".join(_lines(store, width, "gaps"))
    cells = {w for line in text.splitlines() for w in line.replace("│", " ").split()}
    assert words <= cells, sorted(words - cells)


def test_wide_shows_the_columns_a_terminal_leaves_out(store):
    header = " ".join(_lines(store, 200, "overlaps", "--wide")[:4])
    assert "implementers" in header and "sources" in header
    assert "implementers" not in " ".join(_lines(store, 200, "overlaps")[:4])


def test_the_table_is_the_same_whatever_the_width_once_it_fits(store):
    assert _lines(store, 200, "coverage") == _lines(store, 240, "coverage")


NEED = "need:demo-ba-rs-criminal-analysis"


@pytest.mark.parametrize("width", [80, 200])
@pytest.mark.parametrize(
    ("args", "whole"), [(["history", NEED], NEED), (["log"], "seed")], ids=["history", "log"]
)
def test_the_history_and_the_log_fit_the_terminal_and_keep_ids_whole(store, width, args, whole):
    lines = _lines(store, width, *args)
    assert lines and max(len(line) for line in lines) <= width
    words = {w for line in lines for w in line.split()}
    assert "batch" in words and whole in words
    assert not any(line.endswith(" ") for line in lines)  # no padding to the terminal's width
