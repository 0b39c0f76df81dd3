"""Crash-safe ingest: ``jha-graph ingest`` killed with SIGKILL at random points loses nothing.

The folder is large enough to be written in several transactions (ingest writes 64 articles per
transaction, then rebuilds the links graph).  Half the kills come at a random time within the length
of a full run, half right after a random number of writes (the store's files seen changing) plus a
random few milliseconds, so that kills land inside and between transactions whatever the load; where
the store bulk-loads new graphs behind a journal file, a third of the kills come while that journal
exists (inside the non-transactional bulk load).  After every kill the store must open (for writing, as
the next ingest does, and read-only, as a server does) and every named graph in it must be exactly
the graph an uninterrupted run writes, or absent: no half article, no half links graph.  The kills
land on a fresh store and on a store that already holds the articles (a re-ingest replacing
graphs), one after the other without repair in between.  Finally an ingest that is left to finish
must give, quad for quad (canonical N-Quads), the store an uninterrupted run gives.
"""
from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from pyoxigraph import Store

from jha_graph import store as store_module
from jha_graph.store import EmbeddedStore
from jha_graph.sparql.snapshot import store_generation

from .helpers import SEED_DIR, canonical_nquads, cli_command, cli_env, generate_articles, scaled

ARTICLES = 150  # three transactions of 64 articles, then the links
KILLS = scaled(6, 30, "JHA_CRASH_KILLS")
SEED = int(os.environ.get("JHA_CRASH_SEED", "20261129"))

pytestmark = pytest.mark.slow


def ingest_process(folders: list[Path], store: Path) -> subprocess.Popen:
    return subprocess.Popen(cli_command("ingest", *map(str, folders), "--store", str(store), "-q"),
                            env=cli_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def run_counting_writes(process: subprocess.Popen, store: Path, stop_after: int | None = None,
                        limit: float = 120) -> int:
    """Watch the store's files (its generation fingerprint) while ``process`` runs; the number of changes
    seen, stopping early after ``stop_after`` of them."""
    seen, last, started = 0, store_generation(store), time.monotonic()
    while process.poll() is None and time.monotonic() - started < limit:
        if stop_after is not None and seen >= stop_after:
            break
        time.sleep(0.002)
        now = store_generation(store)
        if now != last:
            seen, last = seen + 1, now
    return seen


def graphs(path: Path, *, read_only: bool = False) -> dict[str, list[str]]:
    """Every named graph of the store at ``path``, as canonical N-Quads; opening it must work."""
    # writable through EmbeddedStore, as the next ingest opens it (it finishes an interrupted bulk load)
    store = Store.read_only(str(path)) if read_only else EmbeddedStore(path).raw
    try:
        return {g.value: canonical_nquads(store, g) for g in store.named_graphs()}
    finally:
        del store


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> list[Path]:
    generated = tmp_path_factory.mktemp("crash-articles")
    generate_articles(generated, ARTICLES)
    return [SEED_DIR, generated]


def test_sigkill_at_random_points_leaves_whole_graphs_and_the_rerun_completes(folders, tmp_path):
    reference_dir = tmp_path / "reference"
    t0 = time.monotonic()
    done = ingest_process(folders, reference_dir)
    total_writes = run_counting_writes(done, reference_dir)
    assert done.wait(120) == 0, done.stderr.read()
    full_run = time.monotonic() - t0
    reference = graphs(reference_dir)
    assert len(reference) >= ARTICLES + 3  # articles, ontology, reference data, links

    store = tmp_path / "store"
    rng = random.Random(SEED)
    outcomes = []
    for n in range(KILLS):
        if n % 3 == 0:  # a third of the kills hit a fresh store, the others a re-ingest over a full one
            shutil.rmtree(store, ignore_errors=True)
        started_ns = time.time_ns()
        process = ingest_process(folders, store)
        started = time.monotonic()
        journal = getattr(store_module, "BULK_JOURNAL", None)
        if n % 3 == 2 and journal:
            def fresh_journal() -> bool:  # one this run wrote (not left over by an earlier kill)
                try:
                    return (store / journal).stat().st_mtime_ns >= started_ns
                except FileNotFoundError:
                    return False

            while not fresh_journal() and process.poll() is None and time.monotonic() - started < 60:
                time.sleep(0.001)
            time.sleep(rng.uniform(0, 0.02))
            when = "in the bulk load" if fresh_journal() else "after the bulk load"
        elif n % 2 == 0:
            time.sleep(rng.uniform(0.05, full_run * 1.05))
            when = "at random"
        else:
            seen = run_counting_writes(process, store, stop_after=rng.randint(1, max(1, total_writes)))
            time.sleep(rng.uniform(0, 0.02))
            when = f"after {seen} writes"
        process.send_signal(signal.SIGKILL)
        process.wait(30)
        delay = time.monotonic() - started
        if not store.exists():
            outcomes.append((round(delay, 2), when, "killed before the store was created"))
            continue
        # first as a server sees it (read-only, before anyone repairs anything), then as the next ingest does
        try:
            graphs(store, read_only=True)
        except (OSError, RuntimeError) as e:
            # killed while RocksDB was creating the store: only a writable open completes it, and it is empty
            assert graphs(store) == {}, f"kill {n} {when}: the store cannot be opened read-only: {e}"
            outcomes.append((round(delay, 2), when, "killed while the store was created (empty)"))
            continue
        views = {}
        for read_only in (True, False):
            found = views[read_only] = graphs(store, read_only=read_only)
            partial = [g for g, quads in found.items() if quads != reference.get(g)]
            assert not partial, (f"kill {n} {when}, {delay:.2f} s in (seed {SEED}), store opened "
                                 f"{'read-only' if read_only else 'for writing'}: graphs that differ from an "
                                 f"uninterrupted run: {partial[:5]}")
        outcomes.append((round(delay, 2), when, f"{len(views[True])} (read-only) / {len(views[False])} (writable) "
                                                f"of {len(reference)} graphs, each complete"))

    finish = ingest_process(folders, store)
    assert finish.wait(120) == 0, finish.stderr.read()
    assert graphs(store) == reference, "the re-run after the kills did not give the graph of an uninterrupted run"
    full = Store(str(store))
    expected = Store(str(reference_dir))
    assert canonical_nquads(full) == canonical_nquads(expected)
    print(f"full run {full_run:.2f} s, {total_writes} file changes; kills (delay s, how, what the store held): {outcomes}")
