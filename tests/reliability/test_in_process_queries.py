"""The queries the server runs on its own behalf (JSON API, canned queries, linked data, HTML pages):
they must never take the server down, and must answer in bounded time.

pyoxigraph 0.5.13 aborts its whole process when ORDER BY meets values it compares inconsistently
(numbers with strings).  These queries run in worker processes of their own, as user SPARQL does
(sparql/guarded.py), so an abort ends a worker; they were run in the server until then.  A graph
written through the update routes may hold any datatypes, so here every numeric literal of the store
is made a number or a string at random, some other literals become numbers, and then every read route
and every canned query is called: the server must answer each (a 4xx is fine, and a 5xx in the error
shape) and stay up.  And on the store the ingest builds, every route must answer within the SPARQL time
limit, call after call (pyoxigraph's plans are not deterministic: a query that takes 30 ms can take
25 s one time in six); the routes known to be slow may instead be stopped at the limit (a 503).
"""
from __future__ import annotations

import random
import time
from pathlib import Path

import httpx
import pytest
import pyoxigraph as ox

from jha_graph.canned import CannedQueries
from jha_graph.config import Settings
from tests.live import LiveServer

from .helpers import assert_error_shape, copy_store, scaled

pytestmark = [pytest.mark.live, pytest.mark.slow]

ROUTES = ["/api", "/api/entities", "/api/entities?q=euro", "/api/entities?type=Agency", "/api/types",
          "/api/entities/org/europol", "/api/entity?iri=org/europol", "/api/search?q=council",
          "/api/presidencies", "/api/presidencies?country=Belgium", "/api/presidencies/2024-1-be", "/api/meetings",
          "/api/documents", "/api/documents?type=Strategy", "/api/articles", "/api/articles/seed-article",
          "/api/timeline", "/api/timeline?from=2020-01-01", "/", "/search?q=council", "/id/org/europol",
          "/graph/article/seed-article", "/ontology", "/.well-known/void"]


def canned_urls(http: httpx.Client) -> list[str]:
    urls = []
    for q in http.get("/api/queries").json()["data"]:
        urls.append("/api/queries/" + q["name"])
        example = {p["name"]: p["example"] for p in q["params"] if p.get("example")}
        if example:
            urls.append(str(httpx.URL("/api/queries/" + q["name"], params=example)))
    return urls


def poison(store_dir: Path, seed: int = 5) -> int:
    """Mix the datatypes of the store's literals, as careless writes through /update could."""
    store = ox.Store(str(store_dir))
    rng = random.Random(seed)
    old = [q for q in store if isinstance(q.object, ox.Literal) and q.graph_name != ox.DefaultGraph()]
    new = []
    for q in old:
        value = q.object.value
        if value.isdigit() and len(value) < 10:
            obj = ox.Literal(value) if rng.random() < 0.5 else ox.Literal(int(value))
        elif rng.random() < 0.5:
            n = rng.randint(0, 999)
            obj = ox.Literal(str(n)) if rng.random() < 0.5 else ox.Literal(n)
        else:
            obj = q.object
        new.append(ox.Quad(q.subject, q.predicate, obj, q.graph_name))
    for q in old:
        store.remove(q)
    store.extend(new)
    store.flush()
    del store
    return len(old)


def test_mixed_datatypes_never_take_the_server_down(medium_store, tmp_path, queries_dir=None):
    store_dir = copy_store(medium_store, tmp_path / "store")
    poison(store_dir)
    env = {"JHA_QUERIES_DIR": str(queries_dir)} if queries_dir else {}
    with LiveServer(store_dir, env=env) as server, httpx.Client(base_url=server.url, timeout=60) as http:
        urls = ROUTES + canned_urls(http)
        answers = {}
        for url in urls:
            try:
                r = http.get(url, headers={"accept": "application/json"})
            except httpx.HTTPError as e:
                pytest.fail(f"{url}: {type(e).__name__}: {e}; the server "
                            f"{'died' if server.process.poll() is not None else 'did not answer'}:\n"
                            f"{server.log_tail(12)}")
            if r.status_code >= 400:
                assert_error_shape(r, r.status_code)
            answers[url] = r.status_code
        assert server.process.poll() is None
    assert len(answers) > 40 and sum(s == 200 for s in answers.values()) > len(answers) // 2, answers


BOUND = 10.0  # the server's SPARQL time limit in this test; the JSON API must keep to it too
SLACK = 3.0  # for a query stopped at the limit: its worker killed, the answer written, a busy machine
ROUNDS = scaled(1, 5)
# Known to break the bound on the 120-article store (reported): their SPARQL multiplied out the
# OPTIONALs of every article that states a fact about the same document (titles x topics x articles x
# ...; about 100 s, 60 s and 20 s when they ran in the server's process).  The time limit stops them now:
# they must answer within the bound, or be stopped at it with a 503 in the error shape.
KNOWN_SLOW = {"/api/documents": "about 100 s", "/api/documents?type=Strategy": "about 60 s",
              "/api/queries/presidency-in-office": "about 20 s"}
CANNED = sorted(q.name for q in CannedQueries.load(Settings().queries_dir))
TIMED = ROUTES + [f"/api/queries/{n}" for n in CANNED]


@pytest.fixture(scope="module")
def timed_server(module_store):
    with LiveServer(module_store, env={"JHA_QUERY_TIMEOUT": str(BOUND)}) as server:
        yield server


@pytest.mark.parametrize("url", TIMED)
def test_every_route_answers_within_the_time_limit(timed_server, url):
    """Each read route, several times (pyoxigraph's plans vary from run to run), within the limit; a route
    known to be slow may be stopped at the limit instead, with a clean 503 (never a 500, never later)."""
    with httpx.Client(base_url=timed_server.url, timeout=BOUND * 2) as http:
        for _ in range(1 if url in KNOWN_SLOW else ROUNDS):
            t = time.monotonic()
            r = http.get(url, headers={"accept": "application/json"})
            elapsed = time.monotonic() - t
            if url in KNOWN_SLOW and r.status_code == 503:
                error = assert_error_shape(r, 503)
                assert error["title"] == "Query Timeout" and error["where"] == url.split("?")[0], error
                assert elapsed < BOUND + SLACK, f"{url} was stopped only after {elapsed:.1f} s"
                continue
            assert r.status_code < 500, r.text[:300]
            assert elapsed < BOUND, f"{url} answered after {elapsed:.1f} s"


def test_a_canned_csv_is_complete_or_an_error(small_store, tmp_path):
    """A CSV of a canned query with more rows than the server's limit is a 422, never the first rows."""
    from fastapi.testclient import TestClient

    from jha_graph.api.app import create_app

    store_dir = copy_store(small_store, tmp_path / "store")
    with TestClient(create_app(Settings(store=str(store_dir), query_workers=1, max_results=20))) as client:
        all_rows = client.get("/api/queries/evidence", params={"limit": 500}).json()["data"]
        assert len(all_rows) > 20
        assert_error_shape(client.get("/api/queries/evidence.csv"), 422)
        small = client.get("/api/queries/cq/articles.csv")
        assert small.status_code == 200 and len(small.text.strip().splitlines()) - 1 <= 20
