"""The server's own queries (JSON API, canned queries, pages, linked data) run through a query executor,
as /sparql's do (src/jha_graph/sparql/guarded.py): the routes get the answers the store itself gives,
a query past the time limit is stopped and answered with a 503 in the error shape (an HTML page for a
browser) while the server goes on answering, and a query that crashes the engine ends a worker, not
the server.  On an on-disk store (worker processes) and in memory (threads).
"""
from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from fixtures.api_support import W3ID, fixture_store, make_settings
from pyoxigraph import DefaultGraph, NamedNode, QueryBoolean, QueryTriples, Store, Variable

from jha_graph.api.app import create_app
from jha_graph.api.deps import search_for_store
from jha_graph.config import Settings
from jha_graph.sparql.executor import ProcessExecutor, QueryTimeout, ThreadExecutor
from jha_graph.sparql.guarded import GuardedStore
from jha_graph.sparql.snapshot import SnapshotStore, store_path
from jha_graph.store import EmbeddedStore, QueryError
from tests.reliability.test_bad_queries import PANIC_VALUES

ERROR_KEYS = {"status", "title", "detail", "where"}
LIMIT = 1.0  # the time limit of the apps below
SLACK = 2.0  # a loaded 2-core machine: a worker's replacement, the test client
# never ends on the test graph (3,400 quads cubed); stopped only by killing its worker
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
# seconds, but finite (9 M rows compared as strings): for threads, which cannot be stopped
SLOW_BUT_FINITE = ('SELECT (COUNT(*) AS ?n) WHERE { { SELECT ?a WHERE { ?a ?b ?c } LIMIT 3000 } '
                   '{ SELECT ?d WHERE { ?d ?e ?f } LIMIT 3000 } FILTER(CONCAT(STR(?a), STR(?d)) != "") }')
# pyoxigraph 0.5.13 aborts its process on this ORDER BY (numbers with strings)
CRASH = f"SELECT ?o WHERE {{ VALUES ?o {{ {PANIC_VALUES} }} }} ORDER BY ?o"
QUICK = "SELECT ?p WHERE { ?p a jha:CouncilPresidency } ORDER BY STR(?p) LIMIT 3"


@pytest.fixture(scope="module")
def memory_store() -> EmbeddedStore:
    return fixture_store(make_settings())


@pytest.fixture(scope="module")
def disk_store(tmp_path_factory, memory_store) -> Path:
    """The API tests' graph in an on-disk store (closed: servers open it)."""
    path = tmp_path_factory.mktemp("guarded") / "store"
    store = Store(str(path))
    store.bulk_extend(memory_store.quads())
    store.flush()
    del store
    return path


@pytest.fixture(scope="module")
def queries_dir(tmp_path_factory) -> Path:
    """Canned queries of our own: one that never ends, one that crashes the engine, and quick ones."""
    folder = tmp_path_factory.mktemp("queries")
    for name, title, sparql in (("runaway", "Never ends.", RUNAWAY), ("slow", "Seconds.", SLOW_BUT_FINITE),
                                ("crash", "Aborts pyoxigraph.", CRASH), ("quick", "Presidencies.", QUICK)):
        (folder / f"{name}.rq").write_text(f"# {title}\n{sparql}\n", encoding="utf-8")
    return folder


def error_of(r: httpx.Response, status: int) -> dict:
    assert r.status_code == status, r.text[:500]
    assert r.headers["content-type"].startswith("application/json"), r.headers
    body = r.json()
    assert body["ok"] is False and set(body["error"]) == ERROR_KEYS, body
    assert body["error"]["status"] == status and body["error"]["detail"]
    assert "Traceback" not in r.text
    return body["error"]


def timed_get(client, url: str, **kw) -> tuple[httpx.Response, float]:
    t = time.monotonic()
    r = client.get(url, **kw)
    return r, time.monotonic() - t


# --- the proxy: the store's own answers --------------------------------------------------------------

ANSWERS = [
    ("SELECT ?s ?label WHERE { ?s skos:prefLabel ?label } ORDER BY STR(?s) STR(?label)", {}),
    ("SELECT ?x ?p ?o WHERE { ?x ?p ?o } ORDER BY STR(?p) STR(?o)",
     {"x": NamedNode("https://w3id.org/jha-graph/id/org/eurojust")}),
    ("SELECT ?s ?missing WHERE { ?s a jha:Agency OPTIONAL { ?s <urn:none> ?missing } } ORDER BY STR(?s)", {}),
    ("SELECT ?n WHERE { ?s ?p ?o FILTER(false) }", {}),
    ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(isBlank(?s)) }", {}),
    ("SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) } ORDER BY STR(?s) STR(?p) STR(?o)", {}),
    ("ASK { ?s a jha:Agency }", {}),
    ("ASK { ?s a <urn:nothing> }", {}),
    ("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
     {"g": NamedNode("https://w3id.org/jha-graph/graph/reference")}),
]


def plain(results):
    """Answers as comparable values: rows (with their variables), a boolean, or a set of triples."""
    if isinstance(results, QueryBoolean):
        return bool(results)
    if isinstance(results, QueryTriples):
        return {str(t) for t in results}
    return [str(v) for v in results.variables], [[str(t) if t is not None else None for t in row] for row in results]


@pytest.mark.parametrize("kind", ["process", "thread"])
def test_the_guarded_store_answers_as_the_store(kind, disk_store, memory_store):
    if kind == "process":
        store = SnapshotStore(disk_store)
        executor = ProcessExecutor(disk_store, workers=1, timeout=10)
    else:
        store, executor = memory_store, ThreadExecutor(memory_store, workers=1, timeout=10)
    try:
        guarded = GuardedStore(store, executor)
        for sparql, bound in ANSWERS:
            subs = {Variable(k): v for k, v in bound.items()} or None
            mine, theirs = guarded.query(sparql, substitutions=subs), store.query(sparql, substitutions=subs)
            assert type(mine) is type(theirs) or not isinstance(theirs, (QueryBoolean, QueryTriples)), sparql
            assert plain(mine) == plain(theirs), sparql
        _, rows = plain(guarded.query(next(q for q, _ in ANSWERS if "isBlank(?o)" in q)))
        assert rows and all(row[0].startswith("_:") or row[2].startswith("_:") for row in rows)  # blank nodes
        # the dataset options, as the store takes them
        graph = NamedNode("https://w3id.org/jha-graph/graph/reference")
        count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        for options in ({"default_graph": graph}, {"default_graph": [graph], "named_graphs": []},
                        {"union": False}, {"default_graph": DefaultGraph()}):
            assert plain(guarded.query(count, **options)) == plain(store.query(count, **options)), options
        assert plain(guarded.query(count, union=False)) != plain(guarded.query(count))  # the union is the default
        with pytest.raises(QueryError):
            guarded.query("SELEKT * WHERE {")
    finally:
        executor.close()


def test_the_guarded_store_is_a_read_view(disk_store):
    store = SnapshotStore(disk_store)
    executor = ProcessExecutor(disk_store, workers=1, timeout=10)
    guarded = GuardedStore(store, executor)
    try:
        for name in ("raw", "update", "replace_graphs", "drop_graphs", "bulk_load"):
            assert not hasattr(guarded, name), name  # nothing reaches the raw handle past the guard
        assert store_path(guarded) == store_path(store) == Path(disk_store)
        assert guarded.path == store.path and len(guarded) == len(store) > 1000
        assert guarded.named_graphs() == store.named_graphs()
    finally:
        executor.close()


def test_the_limit_is_for_the_requests_queries_together(disk_store):
    """Past the limit the running query is killed; a later query of the same request is refused at once;
    a new request (a new GuardedStore) gets its own limit, and a fresh worker."""
    executor = ProcessExecutor(disk_store, workers=1, timeout=30)
    try:
        guarded = GuardedStore(SnapshotStore(disk_store), executor, limit=LIMIT)
        assert bool(guarded.query("ASK { ?s ?p ?o }"))
        t = time.monotonic()
        with pytest.raises(QueryTimeout) as caught:
            guarded.query(RUNAWAY)
        assert time.monotonic() - t < LIMIT + SLACK and caught.value.killed and caught.value.seconds == LIMIT
        t = time.monotonic()
        with pytest.raises(QueryTimeout):
            guarded.query("ASK { ?s ?p ?o }")
        assert time.monotonic() - t < 0.1
        assert executor.timeouts == 1  # the second query never reached a worker
        assert bool(GuardedStore(SnapshotStore(disk_store), executor, limit=LIMIT).query("ASK { ?s ?p ?o }"))
    finally:
        executor.close()


# --- the routes ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def disk_client(disk_store, queries_dir):
    settings = Settings(base_iri=W3ID, store=str(disk_store), queries_dir=queries_dir, query_timeout=LIMIT,
                        query_workers=1, api_workers=2)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


def test_a_slow_route_answers_503_at_the_limit_while_others_are_answered(disk_client):
    assert disk_client.get("/api/queries/quick").status_code == 200
    others = ["/api/presidencies?limit=2", "/id/org/eurojust.json", "/api/queries/quick", "/api/entities/org/europol"]
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(timed_get, disk_client, "/api/queries/runaway", headers={"accept": "application/json"})
        time.sleep(0.1)
        meanwhile = []
        while not slow.done():
            for url in others:
                r, elapsed = timed_get(disk_client, url)
                meanwhile.append((url, r.status_code, elapsed))
        r, elapsed = slow.result()
    error = error_of(r, 503)
    assert elapsed < LIMIT + SLACK, elapsed
    assert error["title"] == "Query Timeout" and error["where"] == "/api/queries/runaway", error
    assert "longer than 1 s" in error["detail"] and "time limit" in error["detail"], error
    assert meanwhile and all(status == 200 for _, status, _ in meanwhile), meanwhile
    assert max(t for _, _, t in meanwhile) < LIMIT, meanwhile  # not waiting for the slow one
    for url in others:  # and after: the killed worker's successor took over
        assert disk_client.get(url).status_code == 200, url


def test_a_crash_of_the_engine_in_a_route_ends_a_worker_not_the_server(disk_client):
    for _ in range(2):
        error = error_of(disk_client.get("/api/queries/crash", headers={"accept": "application/json"}), 500)
        assert error["title"] == "Query Engine Crash" and error["where"] == "/api/queries/crash", error
        assert "aborted" in error["detail"] and "answers other requests" in error["detail"], error
        r = disk_client.get("/api/queries/quick")
        assert r.status_code == 200 and len(r.json()["data"]) == 3, r.text


def test_a_slow_page_answers_a_503_page_to_browsers_and_the_error_shape_to_others(disk_store, queries_dir,
                                                                                  monkeypatch):
    from jha_graph.api.routers import pages

    # the variables the page reads, never answered (a SELECT that streamed rows would fill memory until killed)
    monkeypatch.setattr(pages, "LATEST_ARTICLES", f"SELECT ?a ?title ?date ?refs WHERE {{ {{ {RUNAWAY} }} }}")
    settings = Settings(base_iri=W3ID, store=str(disk_store), queries_dir=queries_dir, query_timeout=LIMIT,
                        query_workers=1, api_workers=1)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        r, elapsed = timed_get(client, "/", headers={"accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"})
        assert r.status_code == 503 and r.headers["content-type"].startswith("text/html"), r.text[:300]
        assert "time limit" in r.text and "Traceback" not in r.text and elapsed < LIMIT + SLACK
        error = error_of(client.get("/", headers={"accept": "application/json"}), 503)
        assert error["where"] == "/" and error["title"] == "Query Timeout"
        error_of(client.get("/index.json", headers={"accept": "text/html"}), 503)  # asked for JSON by its name
        assert client.get("/id/org/eurojust", headers={"accept": "text/html"}).status_code == 200


def test_in_memory_a_slow_route_answers_503_at_the_limit(memory_store, queries_dir):
    """A thread cannot be stopped: the answer comes at the limit, saying so, and the thread runs on."""
    settings = make_settings(queries_dir=queries_dir, query_timeout=0.5, query_workers=1, api_workers=2)
    with TestClient(create_app(settings, memory_store), raise_server_exceptions=False) as client:
        r, elapsed = timed_get(client, "/api/queries/slow", headers={"accept": "application/json"})
        error = error_of(r, 503)
        assert "abandoned" in error["detail"] and error["title"] == "Query Timeout" and elapsed < 0.5 + SLACK
        assert client.get("/api/queries/quick").status_code == 200
        assert client.get("/id/org/eurojust.json").status_code == 200


def test_the_search_index_is_found_from_the_guarded_store(disk_client):
    from jha_graph.api.deps import get_store

    class Request:
        app = disk_client.app

    guarded = asyncio.run(get_store(Request()))
    assert isinstance(guarded, GuardedStore) and guarded.unguarded is disk_client.app.state.store
    assert search_for_store(guarded) is search_for_store(disk_client.app.state.store) is not None
