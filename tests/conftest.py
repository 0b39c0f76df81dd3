"""Fixtures shared by the test suite: settings on a temporary store, the development corpus, built stores."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from jha_graph.config import Settings
from jha_graph.ingest import ingest
from jha_graph.store import EmbeddedStore

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "articles"
GOLD = SHARED / "corpus" / "gold"
SEED = ROOT / "data" / "articles" / "seed-article.md"


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(store=str(tmp_path / "store"))


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"the development corpus is not here ({CORPUS}): it lives in ../shared beside the project")
    return CORPUS


@pytest.fixture(scope="session")
def seed_gold() -> dict:
    path = GOLD / "seed-article.json"
    if not path.is_file():
        pytest.skip(f"the seed article's gold annotation is not here ({path}): it lives in ../shared")
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory) -> EmbeddedStore:
    """The graph of data/articles (the seed article), built once for the session."""
    directory = tmp_path_factory.mktemp("seed") / "store"
    store = EmbeddedStore(directory)
    report = ingest([ROOT / "data" / "articles"], store, Settings(store=str(directory)))
    assert report.ok, report.failed
    return store


@pytest.fixture(scope="session")
def corpus_store(tmp_path_factory, corpus_dir) -> EmbeddedStore:
    """The graph of the whole development corpus, built once for the session."""
    directory = tmp_path_factory.mktemp("corpus") / "store"
    store = EmbeddedStore(directory)
    report = ingest([corpus_dir], store, Settings(store=str(directory)))
    assert report.ok, report.failed
    return store
