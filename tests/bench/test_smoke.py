"""Smoke run of every benchmark at a tiny size: the generator, the ingest benchmark (with its floor),
query latency in process and over HTTP, HTTP throughput against Oxigraph, and the report.

The real runs are ``make bench`` (1k, 10k, 100k articles); these only check that each part works.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench import generate, http, ingest, queries, report, run

pytestmark = pytest.mark.slow


def test_the_generator_is_deterministic_and_writes_both_formats(tmp_path):
    a = generate.generate(tmp_path / "a", 30, seed=3)
    b = generate.generate(tmp_path / "b", 30, seed=3)
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    texts = [p.read_text() for p in a]
    assert any(t.startswith("\n\n# ") for t in texts) and any(not t.startswith("\n") for t in texts)
    assert any("separate news item" in t for t in texts) and any("→ eucrim" in t or "→eucrim" in t for t in texts)
    # a prefix of a bigger corpus is the smaller corpus
    assert [p.read_bytes() for p in generate.generate(tmp_path / "c", 10, seed=3)] == [p.read_bytes() for p in a[:10]]


def test_parallel_ingest_gives_the_same_store_as_serial(tmp_path):
    from pyoxigraph import CanonicalizationAlgorithm, Dataset

    from jha_graph.config import Settings
    from jha_graph.ingest import ingest as run_ingest
    from jha_graph.store import EmbeddedStore

    corpus = tmp_path / "corpus"
    generate.generate(corpus, 24, seed=5)
    canon = []
    for workers in (1, 2):
        d = tmp_path / f"s{workers}"
        store = EmbeddedStore(d)
        report_ = run_ingest([corpus], store, Settings(store=str(d)), workers=workers)
        assert len(report_.ingested) == 24 and not report_.failed
        ds = Dataset(store.quads())
        ds.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
        canon.append(sorted(str(q) for q in ds))
        store.close()
    assert canon[0] == canon[1]


def test_an_interrupted_bulk_load_is_undone_when_the_store_is_next_opened(tmp_path):
    from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, serialize

    from jha_graph.store import BULK_JOURNAL, EmbeddedStore

    g = NamedNode("http://example.org/g")
    store = EmbeddedStore(tmp_path / "s")
    q = Quad(NamedNode("http://example.org/a"), NamedNode("http://example.org/p"), Literal("x"), g)
    store.raw.bulk_load(serialize([q], None, RdfFormat.N_QUADS), RdfFormat.N_QUADS)
    (tmp_path / "s" / BULK_JOURNAL).write_text(g.value + "\n")  # as if killed before the journal went
    store.close()
    reopened = EmbeddedStore(tmp_path / "s")
    assert len(reopened) == 0 and not (tmp_path / "s" / BULK_JOURNAL).exists()


def test_every_benchmark_runs_at_a_tiny_size(tmp_path):
    corpus = tmp_path / "corpus"
    generate.generate(corpus, 12, seed=2)
    r = ingest.run(corpus, tmp_path / "ingest")
    assert r["articles"] == 12 and r["quads"] > 0 and r["floor_quads_per_s"] > 0 and r["peak_rss_main"] > 0
    # the ingest's own CPU, a part of the child's (which also starts Python and dumps the floor's N-Quads)
    assert 0 < r["cpu_ms_per_article"] * 12 / 1000 < r["cpu_s"]
    store = Path(r["store_dir"])
    lookups = queries.sample_lookups(store, k=2)
    inproc = queries.in_process(store, repeat=1, lookups=lookups)
    assert any(k.startswith("cq ") for k in inproc) and any(k.startswith("json ") for k in inproc)
    assert all(v.get("errors", 0) == 0 for v in inproc.values())
    over = queries.over_http(store, repeat=1, lookups=lookups)
    assert all(v.get("errors", 0) == 0 for v in over.values())
    res = http.run(store, tmp_path, seconds=0.5, with_rdflib=False, tool="python")
    assert set(res) == {http.SERVED, http.COLD, "oxigraph serve"}
    assert all(load.requests > 0 and load.errors == 0 for d in res.values() for load in d.values())
    data = {"date": "smoke", "seed": 2, "sizes": [12], "command": "test", "ingest": {"12": r},
            "queries": {"12": {"in_process": inproc, "http": over}},
            "http": {"articles": 12, "connections": 8, "seconds": 0.5, "tool": "python",
                     "results": {k: {q: vars(v) for q, v in d.items()} for k, d in res.items()},
                     "ratios": http.ratios(res)},
            "machine": report.machine((0, 0, 0), (0, 0, 0)), "targets": []}
    target = next(t for t in run.targets(data) if t["target"].endswith("oxigraph serve (query mix)"))
    assert "as served" in target["measured"] and "with the cache off" in target["measured"]
    md = report.write(data, tmp_path / "results")
    text = md.read_text()
    assert "## Ingest" in text and "## Query latency" in text and "## HTTP throughput" in text
    shutil.rmtree(tmp_path / "ingest", ignore_errors=True)
