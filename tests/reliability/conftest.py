"""Stores for the reliability tests, built once per session with the real CLI: the seed article and a
few hundred deterministic synthetic articles (bench.generate), so that runaway queries have something
to run away on and the load has a realistic mix of graphs."""
from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import SEED_DIR, build_store, copy_store, generate_articles

SERVED_ARTICLES = 120


@pytest.fixture(scope="session")
def articles_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("articles")
    generate_articles(folder, SERVED_ARTICLES)
    return folder


@pytest.fixture(scope="session")
def built_store(tmp_path_factory, articles_dir) -> Path:
    """Seed + synthetic articles; copy it (``store_copy``) before serving or changing it."""
    store = tmp_path_factory.mktemp("built") / "store"
    build_store(store, SEED_DIR, articles_dir)
    return store


@pytest.fixture
def store_copy(built_store, tmp_path) -> Path:
    return copy_store(built_store, tmp_path / "store")


@pytest.fixture(scope="module")
def module_store(built_store, tmp_path_factory) -> Path:
    return copy_store(built_store, tmp_path_factory.mktemp("module") / "store")


@pytest.fixture(scope="session")
def small_store(tmp_path_factory) -> Path:
    """Seed + 10 synthetic articles: for tests that send thousands of requests through every route."""
    folder = tmp_path_factory.mktemp("small-articles")
    generate_articles(folder, 10)
    store = tmp_path_factory.mktemp("small") / "store"
    build_store(store, SEED_DIR, folder)
    return store


@pytest.fixture(scope="session")
def medium_store(tmp_path_factory) -> Path:
    """Seed + 40 synthetic articles: enough rows for every sort, quick on every route."""
    folder = tmp_path_factory.mktemp("medium-articles")
    generate_articles(folder, 40)
    store = tmp_path_factory.mktemp("medium") / "store"
    build_store(store, SEED_DIR, folder)
    return store
