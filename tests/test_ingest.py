"""Ingest: idempotent, all-or-nothing per article, and clear about bad files."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pyoxigraph import CanonicalizationAlgorithm, Dataset

from jha_graph.config import Settings
from jha_graph.ingest import ingest
from jha_graph.store import EmbeddedStore

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "articles" / "seed-article.md"
CLI = [str(Path(sys.executable).with_name("jha-graph"))]


def canonical(store: EmbeddedStore) -> list[str]:
    """The store's quads with blank nodes canonically labelled (RDFC-1.0), sorted."""
    dataset = Dataset(store.quads())
    dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(str(q) for q in dataset)


def test_ingesting_twice_gives_the_same_graph(tmp_path):
    settings = Settings(store=str(tmp_path / "s"))
    store = EmbeddedStore(tmp_path / "s")
    ingest([SEED], store, settings)
    first = canonical(store)
    ingest([SEED.parent], store, settings)
    assert canonical(store) == first


def test_two_stores_built_from_the_same_files_are_identical(tmp_path):
    graphs = []
    for name in ("a", "b"):
        store = EmbeddedStore(tmp_path / name)
        ingest([SEED], store, Settings(store=str(tmp_path / name)))
        graphs.append(canonical(store))
    assert graphs[0] == graphs[1]


def test_reingesting_a_changed_article_replaces_its_graph(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    article = folder / "news.md"
    article.write_text("Europol Publishes a Report\n12 March 2024\n\nOn 4 March 2024, Europol published a report.\n")
    settings = Settings(store=str(tmp_path / "s"))
    store = EmbeddedStore(tmp_path / "s")
    ingest([folder], store, settings)
    article.write_text("Eurojust Publishes a Report\n12 March 2024\n\nOn 4 March 2024, Eurojust published a report.\n")
    ingest([folder], store, settings)
    titles = [r["t"].value for r in store.query("SELECT ?t WHERE { ?a a jha:Article ; dcterms:title ?t }")]
    assert titles == ["Eurojust Publishes a Report"]
    orgs = {r["n"].value for r in store.query(
        "SELECT ?n WHERE { GRAPH ?g { ?a a jha:Article ; jha:mentions ?o } ?o skos:prefLabel ?n }")}
    assert "Europol" not in orgs and "Eurojust" in orgs


BAD = {
    "empty.md": b"",
    "blank.md": b"   \n\n  \t\n",
    "binary.md": bytes(range(256)) * 4,
    "latin1.md": "Caf\xe9 news\n\nThe Council adopted conclusions.\n".encode("latin-1"),
    "structureless.md": b"x",
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_bad_file_is_reported_and_the_good_ones_go_in(tmp_path, name):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / name).write_bytes(BAD[name])
    (folder / "seed-article.md").write_bytes(SEED.read_bytes())
    store = EmbeddedStore(tmp_path / "s")
    report = ingest([folder], store, Settings(store=str(tmp_path / "s")))
    assert [Path(p).name for p, _ in report.failed] == [name]
    assert report.failed[0][1]  # says what is wrong
    assert [Path(p).name for p in report.ingested] == ["seed-article.md"]
    files = [r["f"].value for r in store.query("SELECT ?f WHERE { ?a jha:sourceFile ?f }")]
    assert files == ["seed-article.md"]


def test_a_huge_file_is_refused_without_touching_the_store(tmp_path):
    store = EmbeddedStore(tmp_path / "s")
    settings = Settings(store=str(tmp_path / "s"))
    ingest([SEED], store, settings)
    before = canonical(store)
    huge = tmp_path / "huge.md"
    with huge.open("wb") as f:
        f.write(b"A Title\n12 March 2024\n\n")
        f.write((b"The Council adopted conclusions on many things. " * 20 + b"\n\n") * 52_000)
    assert huge.stat().st_size > 50_000_000
    report = ingest([huge], store, settings)
    assert report.failed and "huge.md" in report.failed[0][0] and "MB" in report.failed[0][1]
    assert canonical(store) == before


def test_a_missing_path_is_reported(tmp_path):
    store = EmbeddedStore(tmp_path / "s")
    report = ingest([tmp_path / "nope"], store, Settings(store=str(tmp_path / "s")))
    assert report.failed == [(str(tmp_path / "nope"), "no such file or folder")]


def test_the_cli_exits_non_zero_and_names_the_bad_file(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "binary.md").write_bytes(BAD["binary.md"])
    (folder / "seed-article.md").write_bytes(SEED.read_bytes())
    out = subprocess.run(CLI + ["ingest", str(folder), "--store", str(tmp_path / "s")], capture_output=True,
                         text=True, env={**os.environ, "JHA_STORE": ""})
    assert out.returncode == 1
    assert "binary.md" in out.stderr and "ingested 1 article(s)" in out.stderr


def test_an_extractor_failure_keeps_the_article_s_previous_graph(tmp_path, monkeypatch):
    import jha_graph.ingest as ingest_module

    settings = Settings(store=str(tmp_path / "s"))
    store = EmbeddedStore(tmp_path / "s")
    ingest([SEED], store, settings)
    before = canonical(store)

    def broken(article, ref):
        raise RuntimeError("boom")

    monkeypatch.setattr(ingest_module, "extract", broken)
    report = ingest([SEED], store, settings)
    assert report.failed and "internal error while extracting" in report.failed[0][1]
    assert canonical(store) == before
