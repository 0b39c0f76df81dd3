"""Updating a served graph: new articles go in while ``jha-graph serve`` answers queries, without a
restart and without one failed request.

A server started without an update token opens the store read-only and holds no write lock, so
``jha-graph ingest --store SAME`` runs beside it; every read (the query workers and the JSON API) checks
a fingerprint of the store's files and reopens its snapshot when it changed.  Clients keep querying
(SPARQL, JSON API, canned queries, linked data) through an ingest of new articles and a re-ingest of
all of them; every answer must be a 200, and the new articles must be visible as soon as the ingest
has finished.  The same holds for a graph built beside the served one and switched in (``make build``).
"""
from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.live import LiveServer

from .helpers import ROOT, SEED_DIR, build_store, cli, generate_articles, wait_until

pytestmark = [pytest.mark.live, pytest.mark.slow]

COUNT = "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a jha:Article }"
READS = [
    ("/sparql", {"query": COUNT}),
    ("/sparql", {"query": "SELECT ?a ?t WHERE { ?a a jha:Article ; dcterms:title ?t } ORDER BY STR(?a) LIMIT 20"}),
    ("/api/articles", {"limit": "20"}),
    ("/api/presidencies", {"limit": "5"}),
    ("/api/queries/cq/meetings", {"limit": "10"}),
    ("/id/org/europol", {}),
    ("/api/search", {"q": "council", "limit": "5"}),
]


class Clients:
    """``n`` threads reading from the server in a loop until stopped; every answer is recorded."""

    def __init__(self, url: str, n: int = 3) -> None:
        self.url, self.n = url, n
        self.stop = threading.Event()
        self.answers: list[tuple[str, int | str, float]] = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(n)]

    def _run(self, i: int) -> None:
        with httpx.Client(base_url=self.url, timeout=30, headers={"accept": "application/json"}) as c:
            k = i
            while not self.stop.is_set():
                path, params = READS[k % len(READS)]
                k += 1
                t = time.monotonic()
                detail = ""
                try:
                    r = c.get(path, params=params)
                    status: int | str = r.status_code
                    if status != 200:
                        detail = r.text[:300]
                except httpx.HTTPError as e:
                    status = f"{type(e).__name__}: {e}"
                with self.lock:
                    self.answers.append((path, status, round(time.monotonic() - t, 3), detail))

    def __enter__(self) -> Clients:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(60)

    def failures(self) -> list:
        return [a for a in self.answers if a[1] != 200]


def articles(url: str) -> int:
    r = httpx.get(url + "/sparql", params={"query": COUNT}, timeout=30)
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


@pytest.fixture(scope="module")
def new_articles(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("new-articles")
    generate_articles(folder, 30, seed=11)  # another seed: other slugs than the served ones
    return folder


def test_ingest_beside_a_serving_server(store_copy, articles_dir, new_articles):
    with LiveServer(store_copy, env={"JHA_QUERY_WORKERS": "2"}) as server:
        before = articles(server.url)
        with Clients(server.url) as clients:
            time.sleep(1.0)
            t = time.monotonic()
            first = cli("ingest", str(new_articles), "--store", str(store_copy), "-q")
            assert first.returncode == 0, first.stderr
            seen_new = wait_until(lambda: articles(server.url) == before + 30, timeout=5)
            lag = time.monotonic() - t
            # a re-ingest of everything: the served graphs are replaced while they are read
            again = cli("ingest", str(SEED_DIR), str(articles_dir), str(new_articles), "--store", str(store_copy), "-q")
            assert again.returncode == 0, again.stderr
            time.sleep(1.0)
        assert seen_new, f"the new articles were not served 5 s after the ingest ({articles(server.url)})"
        assert wait_until(lambda: found_by_search(server.url, searchable(new_articles)), timeout=5), \
            "search does not find the new articles"
        assert articles(server.url) == before + 30
        answers = len(clients.answers)
        assert answers > 50, answers
        assert not clients.failures(), clients.failures()[:10]
        slug = sorted(new_articles.iterdir())[0].stem
        assert httpx.get(server.url + f"/api/articles/{slug}", timeout=30).status_code == 200
        assert server.process.poll() is None
    print(f"{answers} answers, none failed; new articles served {lag:.1f} s after the ingest started")


def makefile_switch(store: Path) -> str:
    """The switch of the Makefile's build recipe (from its '# switch' comment to the stats line), as a
    bash script for ``store``."""
    lines, recipe, inside = [], False, False
    for line in (ROOT / "Makefile").read_text().splitlines():
        if line.startswith("build:"):
            recipe = True
            continue
        if recipe and not line.startswith("\t"):
            break
        if recipe and "# switch" in line:
            inside = True
            continue
        if inside and "stats" not in line:
            lines.append(line.strip().replace("$(STORE)", str(store)).replace("$$", "$"))
    assert any("$(STORE).new" in l or ".new" in l for l in lines), \
        "the Makefile's build no longer has a '# switch' part renaming $(STORE).new into place: update this test"
    return "\n".join(lines)


def searchable(folder: Path) -> str:
    """Text of the title of the first article of ``folder`` (for /api/search)."""
    path = sorted(folder.iterdir())[0]
    first = next(line for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return first.lstrip("# ").strip()[:60]


def found_by_search(url: str, text: str) -> bool:
    r = httpx.get(url + "/api/search", params={"q": text}, timeout=30)
    return r.status_code == 200 and bool(r.json()["data"])


def test_build_beside_and_switch(store_copy, articles_dir, new_articles, tmp_path):
    """``make build`` builds var/store.new beside the served var/store and renames it into place."""
    with LiveServer(store_copy, env={"JHA_QUERY_WORKERS": "2"}) as server:
        before = articles(server.url)
        with Clients(server.url) as clients:
            time.sleep(1.0)
            new = store_copy.with_name("store.new")
            build_store(new, SEED_DIR, articles_dir, new_articles)
            result = subprocess.run(["bash", "-c", makefile_switch(store_copy)], cwd=ROOT, capture_output=True,
                                    text=True, timeout=60)
            assert result.returncode == 0, result.stdout + result.stderr
            seen_new = wait_until(lambda: articles(server.url) == before + 30, timeout=5)
            time.sleep(1.0)
        assert seen_new, "the switched-in store was not served"
        assert wait_until(lambda: found_by_search(server.url, searchable(new_articles)), timeout=5), \
            "search does not find the articles of the switched-in store"
        assert not clients.failures(), clients.failures()[:10]
        assert server.process.poll() is None
        assert not new.exists() and not store_copy.with_name("store.old").exists()
