"""The store generation (sparql/snapshot.py) changes with every committed write, whether it was read
from a full listing of the store's files or from the few files that change in place."""
from __future__ import annotations

import time

import pytest
from pyoxigraph import Literal, NamedNode, Quad, Store

from jha_graph.sparql import snapshot
from jha_graph.sparql.snapshot import store_generation

EX = "http://example.org/"


def quad(i: int) -> Quad:
    return Quad(NamedNode(f"{EX}s{i}"), NamedNode(f"{EX}p"), Literal(i), NamedNode(f"{EX}g"))


@pytest.mark.parametrize("settled", [True, False], ids=["settled", "just-changed"])
def test_every_kind_of_write_changes_the_generation(tmp_path, monkeypatch, settled):
    # settled: the directory counts as settled at once, so the quick path (a few stats) is taken
    monkeypatch.setattr(snapshot, "_SETTLED_NS", 0 if settled else 10**18)
    path = tmp_path / "store"
    store = Store(str(path))
    seen = [store_generation(path)]

    def changed(what: str) -> None:
        now = store_generation(path)
        assert now not in seen, f"{what} left the generation as it was"
        # RocksDB may go on flushing or compacting in the background: wait until that is done
        for _ in range(100):
            time.sleep(0.02)
            again = store_generation(path)
            if again == now:
                break
            now = again
        else:
            pytest.fail(f"the generation did not settle after {what}")
        seen.append(now)

    store.add(quad(0))
    changed("add")
    store.update(f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}a> <{EX}p> 1 }} }}")
    changed("update")
    store.flush()
    changed("flush")
    store.bulk_extend(quad(i) for i in range(1, 500))
    changed("bulk load")
    store.update(f"DROP GRAPH <{EX}g>")
    changed("drop")
    store.optimize()
    after_optimize = store_generation(path)
    Store.read_only(str(path))  # readers never change it
    assert store_generation(path) == after_optimize


def test_a_settled_store_is_not_listed_again(tmp_path, monkeypatch):
    path = tmp_path / "store"
    Store(str(path)).add(quad(1))
    monkeypatch.setattr(snapshot, "_SETTLED_NS", 0)
    first = store_generation(path)  # lists the files
    listed = []
    scandir = snapshot.os.scandir
    monkeypatch.setattr(snapshot.os, "scandir", lambda p: listed.append(p) or scandir(p))
    assert store_generation(path) == first and listed == []


def test_a_missing_store_has_a_generation_too(tmp_path):
    assert store_generation(tmp_path / "nothing") == "missing"
