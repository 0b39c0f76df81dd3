"""Ingest benchmark: articles per second end to end (read, extract, load, links), the time of each
phase, peak memory, store size on disk; and the floor: the same quads bulk-loaded by bare pyoxigraph.

    python -m bench.ingest CORPUS_DIR STORE_DIR        # prints one JSON object (run by bench.run)

The ingest runs in a child process (``bench.ingest child``) so that its peak memory is its own
(sampled from /proc for the process and its extraction workers); phases are timed by wrapping the
store's write methods and the links rebuild.
"""
from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from .common import PYTHON, ROOT, MemoryWatch, dir_size


def _child(corpus: str, store_dir: str, workers: str) -> dict:
    from pyoxigraph import RdfFormat

    import jha_graph.ingest as ingest_module
    import jha_graph.links as links_module
    from jha_graph.config import Settings
    from jha_graph.store import EmbeddedStore

    timings = {"write_s": 0.0, "links_s": 0.0}
    store = EmbeddedStore(store_dir)

    def timed(name, fn):
        def wrapper(*a, **kw):
            t = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                timings[name] += time.perf_counter() - t
        return wrapper

    store.add_new_graphs = timed("write_s", store.add_new_graphs)
    store.replace_graphs = timed("write_s", store.replace_graphs)
    ingest_module.rebuild_links = timed("links_s", links_module.rebuild)
    t, cpu = time.perf_counter(), _cpu_seconds()
    report = ingest_module.ingest([corpus], store, Settings(store=store_dir),
                                  workers=int(workers) if workers != "auto" else None)
    total, cpu = time.perf_counter() - t, _cpu_seconds() - cpu
    t = time.perf_counter()
    store.flush()
    flush = time.perf_counter() - t
    n_quads = len(store)
    # the same quads for the floor, as one N-Quads file
    dump = Path(store_dir).with_suffix(".nq")
    with dump.open("wb") as f:
        store.raw.dump(f, RdfFormat.N_QUADS)
    store.close()
    return {"articles": len(report.ingested), "failed": len(report.failed), "quads": n_quads,
            "article_quads": report.quads, "link_quads": report.links, "total_s": total, "flush_s": flush,
            "ingest_cpu_s": cpu, **timings, "dump": str(dump)}


def _cpu_seconds() -> float:
    """CPU of this process and of its children that ended (the extraction workers end with the ingest)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _floor_child(dump: str, store_dir: str) -> dict:
    from pyoxigraph import RdfFormat, Store

    t = time.perf_counter()
    store = Store(store_dir)
    store.bulk_load(path=dump, format=RdfFormat.N_QUADS)
    store.flush()
    seconds = time.perf_counter() - t
    return {"quads": len(store), "seconds": seconds}


def _run_child(args: list[str], log: Path | None = None) -> tuple[dict, int, int, float]:
    proc = subprocess.Popen([PYTHON, "-m", "bench.ingest", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=open(log, "wb") if log else subprocess.DEVNULL)
    t = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with MemoryWatch(proc.pid) as mem:
        out, _ = proc.communicate()
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the child and its workers (reaped by it)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise RuntimeError(f"bench.ingest {args[0]} failed ({proc.returncode})" + (f", see {log}" if log else ""))
    result = json.loads(out.decode().strip().splitlines()[-1])
    result["cpu_s"] = cpu
    return result, mem.peak_main, mem.peak_tree, wall


def run(corpus: Path, work: Path, *, workers: str = "auto", log: Path | None = None) -> dict:
    """Ingest ``corpus`` into a fresh store under ``work``; then bulk-load the same quads with bare
    pyoxigraph into another fresh store."""
    from jha_graph.search import index_path

    store_dir = work / "store"
    floor_dir = work / "floor"
    for d in (store_dir, floor_dir):
        shutil.rmtree(d, ignore_errors=True)
    # the search index beside the store too (and its -wal, -shm): a previous run's would be brought up
    # to date instead of built, as if 10k articles were ingested a second time
    for f in index_path(store_dir).parent.glob(index_path(store_dir).name + "*"):
        f.unlink()
    r, peak_main, peak_tree, wall = _run_child(["child", str(corpus), str(store_dir), workers], log)
    f, floor_peak, _, _ = _run_child(["floor", r["dump"], str(floor_dir)], log)
    os.unlink(r["dump"])
    size = dir_size(store_dir)
    floor_size = dir_size(floor_dir)
    shutil.rmtree(floor_dir, ignore_errors=True)
    n = r["articles"]
    load_s = r["write_s"] + r["flush_s"]
    return {
        "articles": n, "failed": r["failed"], "quads": r["quads"], "link_quads": r["link_quads"],
        "wall_s": wall, "ingest_s": r["total_s"], "articles_per_s": n / r["total_s"],
        # CPU of the ingest alone (its process, extraction workers and RocksDB threads); cpu_s is the
        # whole child's, with its start and the N-Quads dump for the floor
        "cpu_s": r["cpu_s"], "cpu_ms_per_article": r["ingest_cpu_s"] / n * 1000,
        # what the CPU work allows on this machine's cores when nothing else runs (an upper bound:
        # the links rebuild at the end runs on one core)
        "cpu_bound_articles_per_s": n / (r["ingest_cpu_s"] / len(os.sched_getaffinity(0))),
        "write_s": r["write_s"], "links_s": r["links_s"], "flush_s": r["flush_s"],
        "load_quads_per_s": r["article_quads"] / load_s if load_s else float("nan"),
        "floor_s": f["seconds"], "floor_quads_per_s": f["quads"] / f["seconds"],
        "peak_rss_main": peak_main, "peak_rss_tree": peak_tree, "floor_peak_rss": floor_peak,
        "store_bytes": size, "floor_store_bytes": floor_size, "store_dir": str(store_dir),
    }


if __name__ == "__main__":
    kind = sys.argv[1]
    if kind == "child":
        print(json.dumps(_child(sys.argv[2], sys.argv[3], sys.argv[4])))
    elif kind == "floor":
        print(json.dumps(_floor_child(sys.argv[2], sys.argv[3])))
    else:
        print(json.dumps(run(Path(sys.argv[1]), Path(sys.argv[2])), indent=2))
