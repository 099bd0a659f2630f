"""The page cache: fresh after every write for quick pages, the previous page at once for slow ones."""

from __future__ import annotations

import gc

from api.cache import GraphCache, PageCache
from kb.records import parse_batch
from kb.store.sqlite import SQLiteStore
from tests.conftest import node


def _write(store: SQLiteStore, name: str) -> None:
    store.upsert(parse_batch({"nodes": [node("Organisation", "org:x", name)], "edges": []}))


def _name(store: SQLiteStore) -> str:
    return store.get("org:x")["name"]


def test_a_quick_page_is_recomputed_at_once_after_a_write(tmp_path):
    with SQLiteStore(tmp_path / "kb.sqlite") as store:
        cache = PageCache(background_after=3600)
        _write(store, "first")
        assert cache.lookup(store, "home", lambda: _name(store)) == ("first", True)
        _write(store, "second")
        assert cache.lookup(store, "home", lambda: _name(store)) == ("second", True)


def test_a_slow_page_is_served_as_it_was_after_a_write_while_recomputed(tmp_path):
    with SQLiteStore(tmp_path / "kb.sqlite") as store:
        cache = PageCache(background_after=0)  # every page counts as slow
        _write(store, "first")
        cache.get(store, "home", lambda: _name(store))
        _write(store, "second")
        assert cache.lookup(store, "home", lambda: _name(store)) == ("first", False)
        cache.wait()
        assert cache.lookup(store, "home", lambda: _name(store)) == ("second", True)


def test_a_page_whose_recomputation_fails_stays_as_it_was(tmp_path):
    with SQLiteStore(tmp_path / "kb.sqlite") as store:
        cache = PageCache(background_after=0)
        _write(store, "first")
        cache.get(store, "home", lambda: _name(store))
        _write(store, "second")

        def broken() -> str:
            raise RuntimeError("boom")

        assert cache.lookup(store, "home", broken) == ("first", False)
        cache.wait()
        assert cache.lookup(store, "home", lambda: _name(store)) == ("first", False)
        cache.wait()
        assert cache.get(store, "home", lambda: _name(store)) == "second"


def test_a_read_keeps_the_cached_page(tmp_path):
    with SQLiteStore(tmp_path / "kb.sqlite") as store:
        cache = PageCache()
        _write(store, "first")
        calls = []
        for _ in range(3):
            cache.get(store, "home", lambda: calls.append(1) or _name(store))
        assert len(calls) == 1


def test_the_whole_graph_is_read_once_per_data_version(tmp_path):
    from api.cache import GraphCache

    with SQLiteStore(tmp_path / "kb.sqlite") as store:
        graphs = GraphCache()
        _write(store, "first")
        first = graphs.whole(store)
        assert graphs.whole(store) is first
        _write(store, "second")
        again = graphs.whole(store)
        assert again is not first and again.nodes["org:x"]["name"] == "second"


def test_filtered_analyses_are_not_given_the_cached_graph(tmp_path):
    from api.cache import GraphCache
    from kb.questions.asked import Selection
    from kb.selection import SubgraphFilter

    with SQLiteStore(tmp_path / "kb.sqlite") as store:
        graphs = GraphCache()
        _write(store, "first")
        assert isinstance(graphs.within(store, SubgraphFilter()), Selection)
        wanted = SubgraphFilter(country="country:rs")
        assert graphs.within(store, wanted) is wanted


def test_a_slow_page_of_a_freezing_graph_cache_freezes_what_it_keeps(tmp_path):
    graphs = GraphCache(freeze=True)
    with SQLiteStore(tmp_path / "kb.sqlite") as store:
        _write(store, "first")
        cache = PageCache(background_after=0, settle=graphs.settle)
        try:
            kept = cache.get(store, "home", lambda: {"kept": [object()]})
            assert gc.get_freeze_count() > 0 and kept["kept"]
        finally:
            gc.unfreeze()


def test_a_graph_cache_that_does_not_freeze_leaves_the_collector_alone(tmp_path):
    graphs = GraphCache(freeze=False)
    with SQLiteStore(tmp_path / "kb.sqlite") as store:
        _write(store, "first")
        PageCache(background_after=0, settle=graphs.settle).get(store, "home", lambda: "page")
        assert gc.get_freeze_count() == 0


def test_a_quick_analysis_of_the_cached_graph_does_not_settle():
    graphs = GraphCache(freeze=True)
    with graphs.settling(after=3600):
        pass
    assert gc.get_freeze_count() == 0
