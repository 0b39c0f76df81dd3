"""The SPARQL endpoint as its users meet it: negotiation, errors in the one shape, the union default
graph, updates behind the token, the result-size limit, the time limit (a runaway query is killed
while other requests keep being answered), the middleware, and SPARQLWrapper against a live server.
"""
from __future__ import annotations

import json
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from xml.dom.minidom import Document

import httpx
import pytest
import rdflib
from fastapi.testclient import TestClient
from pyoxigraph import QueryResultsFormat, parse_query_results

from bench.common import children
from jha_graph.api.app import create_app
from jha_graph.config import Settings
from tests.api.sparql_data import ARTICLES, BASE, JHA, SAMPLE, build_store, generated, graph
from tests.live import LiveServer

TOKEN = "s3cret-token"
ERROR_KEYS = {"status", "title", "detail", "where"}
COUNT_ARTICLES = "SELECT (COUNT(?a) AS ?n) WHERE { ?a a jha:Article }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def settings(store: Path, **overrides) -> Settings:
    values = {"store": str(store), "query_workers": 2, "query_timeout": 10, "max_results": 1000,
              "cors_origins": ["https://researcher.example"]}
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory) -> Path:
    return build_store(tmp_path_factory.mktemp("sparql") / "store")


@pytest.fixture(scope="module")
def client(sample_store):
    with TestClient(create_app(settings(sample_store))) as c:
        yield c


@pytest.fixture
def writable(tmp_path):
    """A server with an update token, on a store of its own."""
    with TestClient(create_app(settings(build_store(tmp_path / "store"), update_token=TOKEN))) as c:
        yield c


def error_of(r: httpx.Response, status: int) -> dict:
    """The one error shape, with the HTTP status inside it."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert body["ok"] is False and set(body["error"]) == ERROR_KEYS
    assert body["error"]["status"] == status and body["error"]["detail"]
    return body["error"]


def rows(r: httpx.Response) -> list[dict]:
    assert r.status_code == 200, r.text
    return r.json()["results"]["bindings"]


def ask(client, query: str, **params) -> bool:
    r = client.get("/sparql", params={"query": query, **params})
    assert r.status_code == 200, r.text
    return r.json()["boolean"]


# --- the three ways to send a query -------------------------------------------------------------------

def test_query_by_get_form_post_and_direct_post(client):
    by_get = client.get("/sparql", params={"query": COUNT_ARTICLES})
    by_form = client.post("/sparql", data={"query": COUNT_ARTICLES})
    by_direct = client.post("/sparql", content=COUNT_ARTICLES,
                            headers={"content-type": "application/sparql-query; charset=utf-8"})
    for r in (by_get, by_form, by_direct):
        assert rows(r)[0]["n"]["value"] == str(len(ARTICLES))


def test_project_prefixes_are_predeclared(client):
    assert ask(client, "ASK { ?a a jha:Article ; dcterms:title ?t }")


# --- the dataset ----------------------------------------------------------------------------------

def test_default_graph_is_the_union_of_all_graphs(client):
    r = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
    assert rows(r)[0]["n"]["value"] == str(len(SAMPLE))


def test_from_in_the_query_is_honoured(client):
    g = graph(ARTICLES[0]).value
    r = client.get("/sparql", params={"query": f"SELECT (COUNT(?a) AS ?n) FROM <{g}> {{ ?a a jha:Article }}"})
    assert rows(r)[0]["n"]["value"] == "1"


def test_protocol_dataset_replaces_the_query_dataset(client):
    g0, g1 = graph(ARTICLES[0]).value, graph(ARTICLES[1]).value
    r = client.get("/sparql", params={"query": f"SELECT (COUNT(?a) AS ?n) FROM <{g0}> {{ ?a a jha:Article }}",
                                      "default-graph-uri": [g0, g1]})
    assert rows(r)[0]["n"]["value"] == "2"
    # named graphs only: the default graph is empty, the named ones are those given
    query = "SELECT ?g (COUNT(*) AS ?n) { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } } GROUP BY ?g"
    r = client.get("/sparql", params={"query": query, "named-graph-uri": g1})
    assert [b["g"]["value"] for b in rows(r)] == [g1]


# --- negotiation ------------------------------------------------------------------------------------

@pytest.mark.parametrize("accept, media", [
    (None, "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/json", "application/sparql-results+json"),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    ("text/turtle, */*;q=0.1", "application/sparql-results+json"),
])
def test_select_negotiation(client, accept, media):
    headers = {"accept": accept} if accept else {}
    r = client.get("/sparql", params={"query": COUNT_ARTICLES}, headers=headers)
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media
    assert "Accept" in r.headers["vary"]


@pytest.mark.parametrize("accept, media, rdflib_format", [
    (None, "text/turtle", "turtle"),
    ("*/*", "text/turtle", "turtle"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/trig", "application/trig", "trig"),
    ("application/n-quads", "application/n-quads", "nquads"),
])
def test_construct_negotiation(client, accept, media, rdflib_format):
    query = "CONSTRUCT { ?a dcterms:title ?t } WHERE { ?a a jha:Article ; dcterms:title ?t }"
    r = client.get("/sparql", params={"query": query}, headers={"accept": accept} if accept else {})
    assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == media
    parsed = rdflib.Dataset().parse(data=r.content, format=rdflib_format)
    title = rdflib.URIRef("http://purl.org/dc/terms/title")
    titles = {str(o) for _, _, o, _ in parsed.quads((None, title, None, None))}
    assert len(titles) == len(ARTICLES) and any("\t" in t for t in titles) and any("\n" in t for t in titles)


def test_format_parameter_overrides_accept(client):
    r = client.get("/sparql", params={"query": COUNT_ARTICLES, "format": "csv"},
                   headers={"accept": "application/sparql-results+xml"})
    assert r.headers["content-type"].startswith("text/csv") and r.text.splitlines()[1] == str(len(ARTICLES))
    r = client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s a jha:Agency }", "format": "json"})
    assert r.headers["content-type"] == "application/ld+json"  # json for a graph means JSON-LD


def test_answers_survive_awkward_literals(client):
    """Tabs, newlines, quotes, language tags, blank nodes and non-ASCII round-trip through each format."""
    query = "SELECT ?t WHERE { ?a dcterms:title ?t } ORDER BY ?t"
    expected = {t["t"]["value"] for t in rows(client.get("/sparql", params={"query": query}))}
    assert len(expected) == len(ARTICLES)
    for accept, fmt in (("application/sparql-results+xml", QueryResultsFormat.XML),
                        ("text/tab-separated-values", QueryResultsFormat.TSV)):
        r = client.get("/sparql", params={"query": query}, headers={"accept": accept})
        assert {s["t"].value for s in parse_query_results(r.content, fmt)} == expected
    bnode = rows(client.get("/sparql", params={"query": "SELECT ?e { ?a jha:hasEvidence ?e }"}))
    assert bnode[0]["e"]["type"] == "bnode"


def test_not_acceptable_lists_the_supported_types(client):
    r = client.get("/sparql", params={"query": COUNT_ARTICLES}, headers={"accept": "text/turtle"})
    error = error_of(r, 406)
    assert "application/sparql-results+json" in error["detail"] and "text/csv" in error["detail"]
    assert error["where"] == "Accept" and "Accept" in r.headers["vary"]
    r = client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"accept": "text/csv"})
    assert "text/turtle" in error_of(r, 406)["detail"]


def test_unknown_format_is_a_400(client):
    error = error_of(client.get("/sparql", params={"query": COUNT_ARTICLES, "format": "html"}), 400)
    assert error["where"] == "format" and "ttl" in error["detail"]


# --- protocol errors ---------------------------------------------------------------------------------

@pytest.mark.parametrize("request_kwargs, where, words", [
    ({"method": "GET", "url": "/sparql?query=ASK%7B%7D&query=ASK%7B%7D"}, "query", "2 times"),
    ({"method": "GET", "url": "/sparql", "params": {"query": "ASK {"}}, "query", "syntax error"),
    ({"method": "GET", "url": "/sparql", "params": {"query": "  "}}, "query", "empty"),
    ({"method": "GET", "url": "/sparql", "params": {"update": "CLEAR ALL"}}, "update", "POST"),
    ({"method": "GET", "url": "/sparql", "params": {"query": "ASK {}", "default-graph-uri": "relative"}},
     "default-graph-uri", "absolute IRI"),
    ({"method": "POST", "url": "/sparql", "content": b"ASK {}", "headers": {"content-type": "text/plain"}},
     "Content-Type", "unsupported Content-Type"),
    ({"method": "POST", "url": "/sparql", "content": b"ASK {}"}, "Content-Type", "needs a Content-Type"),
    ({"method": "POST", "url": "/sparql", "content": "ASK {}".encode("utf-16"),
      "headers": {"content-type": "application/sparql-query; charset=UTF-16"}}, "Content-Type", "UTF-8"),
    ({"method": "POST", "url": "/sparql", "content": "ASK { ?s ?p 'caf\u00e9' }".encode("latin-1"),
      "headers": {"content-type": "application/sparql-query"}}, "body", "not valid UTF-8"),
    ({"method": "POST", "url": "/sparql", "data": {"query": "ASK {}", "update": "CLEAR ALL"}}, "query", "not both"),
    ({"method": "POST", "url": "/sparql?query=ASK%7B%7D", "content": b"ASK {}",
      "headers": {"content-type": "application/sparql-query"}}, "query", "must not carry"),
    ({"method": "POST", "url": "/sparql", "data": {"query": "ASK {}", "using-graph-uri": "http://e.org/g"}},
     "using-graph-uri", "updates"),
    ({"method": "GET", "url": "/sparql", "params": {"query": "ASK { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"}},
     "query", "SERVICE"),
])
def test_bad_requests_are_400_with_a_clear_message(client, request_kwargs, where, words):
    error = error_of(client.request(**request_kwargs), 400)
    assert error["where"] == where and words in error["detail"], error


def test_other_methods_are_405(client):
    r = client.put("/sparql", params={"query": "ASK {}"})
    error_of(r, 405)
    error_of(client.get("/update"), 405)


# --- updates --------------------------------------------------------------------------------------

INSERT = 'INSERT DATA { GRAPH <http://example.org/new> { <http://example.org/x> <http://example.org/p> "new" } }'


def test_updates_are_403_without_a_configured_token(client):
    for r in (client.post("/update", content=INSERT, headers={"content-type": "application/sparql-update"}),
              client.post("/sparql", data={"update": INSERT}),
              client.post("/sparql", content=INSERT, headers={"content-type": "application/sparql-update",
                                                                "authorization": f"Bearer {TOKEN}"})):
        assert "read-only" in error_of(r, 403)["detail"]
    assert not ask(client, "ASK { <http://example.org/x> ?p ?o }")


def test_updates_need_the_right_token(writable):
    for auth in (None, "Bearer wrong", f"Basic {TOKEN}", "Bearer"):
        headers = {"content-type": "application/sparql-update", **({"authorization": auth} if auth else {})}
        r = writable.post("/update", content=INSERT, headers=headers)
        error = error_of(r, 401)
        assert TOKEN not in r.text and r.headers["www-authenticate"].startswith("Bearer")
        assert error["where"] == "Authorization"
    assert not ask(writable, "ASK { <http://example.org/x> ?p ?o }")


def test_update_with_the_token_is_seen_by_the_next_query(writable):
    auth = {"authorization": f"Bearer {TOKEN}"}
    assert not ask(writable, "ASK { <http://example.org/x> ?p ?o }")  # the workers hold a snapshot now
    r = writable.post("/update", content=INSERT, headers={"content-type": "application/sparql-update", **auth})
    assert r.status_code == 204, r.text
    assert ask(writable, "ASK { <http://example.org/x> ?p 'new' }")  # ... and reopened it
    r = writable.post("/sparql", data={"update": "DROP GRAPH <http://example.org/new>"}, headers=auth)
    assert r.status_code == 204
    assert not ask(writable, "ASK { <http://example.org/x> ?p ?o }")


def test_update_errors(writable):
    auth = {"authorization": f"Bearer {TOKEN}", "content-type": "application/sparql-update"}
    assert "syntax error" in error_of(writable.post("/update", content="CLEAR XYZ", headers=auth), 400)["detail"]
    r = writable.post("/update", content="LOAD <http://example.org/data.ttl>", headers=auth)
    assert "LOAD is disabled" in error_of(r, 400)["detail"]
    r = writable.post("/update?using-graph-uri=http%3A%2F%2Fe.org%2Fg",
                      content="WITH <http://e.org/h> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", headers=auth)
    assert "only one of them" in error_of(r, 400)["detail"]
    r = writable.post("/update", data={"query": "ASK {}"}, headers={"authorization": f"Bearer {TOKEN}"})
    assert "SPARQL Update only" in error_of(r, 400)["detail"]


def test_server_without_token_does_not_take_the_write_lock(sample_store, client):
    """A read-only server leaves the store to ingest: another process may open it for writing."""
    from pyoxigraph import Store

    writer = Store(str(sample_store))  # would fail with a lock error if the server held it
    del writer



# --- repeated queries: kept answers and entity tags ----------------------------------------------------

def test_a_repeated_query_is_answered_from_the_kept_answer(client):
    query = "SELECT ?a WHERE { ?a a jha:Article } ORDER BY ?a  # kept"
    first = client.get("/sparql", params={"query": query})
    assert first.headers["x-jha-cache"] == "miss" and first.headers["etag"].startswith('W/"')
    again = client.get("/sparql", params={"query": query})
    assert again.headers["x-jha-cache"] == "hit"
    assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
    assert again.headers["content-type"] == first.headers["content-type"]
    assert again.headers["vary"] == first.headers["vary"]
    # another format is another answer, with its own tag
    xml = client.get("/sparql", params={"query": query}, headers={"accept": "application/sparql-results+xml"})
    assert xml.headers["x-jha-cache"] == "miss" and xml.headers["etag"] != first.headers["etag"]
    assert xml.headers["content-type"].startswith("application/sparql-results+xml")
    # and so is another dataset
    named = client.get("/sparql", params={"query": query, "default-graph-uri": graph(ARTICLES[0]).value})
    assert named.headers["x-jha-cache"] == "miss" and len(rows(named)) == 1 < len(rows(first))


def test_if_none_match_with_the_tag_is_a_304_without_a_body(client):
    query = "ASK { ?a a jha:Article }  # tagged"
    tag = client.get("/sparql", params={"query": query}).headers["etag"]
    r = client.get("/sparql", params={"query": query}, headers={"if-none-match": tag})
    assert r.status_code == 304 and r.content == b"" and r.headers["etag"] == tag
    r = client.get("/sparql", params={"query": query}, headers={"if-none-match": 'W/"something-else"'})
    assert r.status_code == 200 and r.json()["boolean"] is True
    # a POST's answer is kept too, but not tagged: it is not a representation of /sparql
    r = client.post("/sparql", data={"query": query}, headers={"if-none-match": tag})
    assert r.status_code == 200 and "etag" not in r.headers and r.headers["x-jha-cache"] == "hit"


def test_failed_queries_are_not_kept(client, sample_store):
    for _ in range(2):
        r = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
        assert "x-jha-cache" not in r.headers and "etag" not in r.headers
        error_of(r, 400)
    with TestClient(create_app(settings(sample_store, max_results=2))) as small:
        for _ in range(2):
            r = small.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
            assert "x-jha-cache" not in r.headers
            error_of(r, 422)


def test_a_write_makes_every_kept_answer_and_tag_stale(writable):
    auth = {"authorization": f"Bearer {TOKEN}"}
    query = "SELECT ?o WHERE { <http://example.org/x> ?p ?o }"
    assert rows(writable.get("/sparql", params={"query": query})) == []
    before = writable.get("/sparql", params={"query": query})
    assert before.headers["x-jha-cache"] == "hit"
    r = writable.post("/update", content=INSERT, headers={"content-type": "application/sparql-update", **auth})
    assert r.status_code == 204, r.text
    after = writable.get("/sparql", params={"query": query}, headers={"if-none-match": before.headers["etag"]})
    assert after.status_code == 200 and after.headers["x-jha-cache"] == "miss"
    assert after.headers["etag"] != before.headers["etag"]
    assert [b["o"]["value"] for b in rows(after)] == ["new"]


def test_a_write_by_another_process_makes_kept_answers_stale(tmp_path):
    """A read-only server and ``jha-graph ingest`` (here: a writable handle) on the same store."""
    from pyoxigraph import Literal, NamedNode, Quad, Store

    path = build_store(tmp_path / "store")
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    with TestClient(create_app(settings(path))) as reader:
        n = int(rows(reader.get("/sparql", params={"query": query}))[0]["n"]["value"])
        assert reader.get("/sparql", params={"query": query}).headers["x-jha-cache"] == "hit"
        writer = Store(str(path))
        writer.add(Quad(NamedNode("http://example.org/x"), NamedNode("http://example.org/p"), Literal("added"),
                        NamedNode("http://example.org/g")))
        writer.flush()
        del writer
        r = reader.get("/sparql", params={"query": query})
        assert r.headers["x-jha-cache"] == "miss" and int(rows(r)[0]["n"]["value"]) == n + 1


def test_without_a_cache_answers_are_tagged_but_not_kept(sample_store):
    with TestClient(create_app(settings(sample_store, sparql_cache_mb=0))) as c:
        query = "ASK { ?a a jha:Article }"
        first, again = (c.get("/sparql", params={"query": query}) for _ in range(2))
        assert "x-jha-cache" not in first.headers and "x-jha-cache" not in again.headers
        assert first.headers["etag"] == again.headers["etag"]
        r = c.get("/sparql", params={"query": query}, headers={"if-none-match": first.headers["etag"]})
        assert r.status_code == 304


# --- the service description ----------------------------------------------------------------------

SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")


@pytest.mark.parametrize("accept, fmt", [(None, "turtle"), ("application/ld+json", "json-ld"),
                                         ("application/rdf+xml", "xml")])
def test_service_description(client, accept, fmt):
    r = client.get("/sparql", headers={"accept": accept} if accept else {})
    assert r.status_code == 200 and "Accept" in r.headers["vary"]
    g = rdflib.Graph().parse(data=r.content, format=fmt)
    endpoint = rdflib.URIRef("http://testserver/sparql")
    assert (endpoint, SD.endpoint, endpoint) in g
    assert (endpoint, SD.supportedLanguage, SD.SPARQL11Query) in g
    assert (endpoint, SD.supportedLanguage, SD.SPARQL11Update) not in g  # read-only
    assert (endpoint, SD.feature, SD.UnionDefaultGraph) in g


def test_service_description_announces_update_with_a_token(writable):
    g = rdflib.Graph().parse(data=writable.get("/sparql").content, format="turtle")
    assert (None, SD.supportedLanguage, SD.SPARQL11Update) in g


# --- the lane -------------------------------------------------------------------------------------

def test_sparql_is_served_by_the_lane_and_documented_by_the_routes(client):
    """GET and POST /sparql are matched first, by the plain route, and still described in OpenAPI."""
    from starlette.routing import request_response

    from jha_graph.api.routers import sparql

    app = client.app
    assert app.router.routes[0] is sparql.LANE
    seen = []
    original = sparql.LANE.endpoint

    async def spy(request):
        seen.append(request.method)
        return await original(request)

    sparql.LANE.app = request_response(spy)
    try:
        assert ask(client, "ASK { ?s ?p ?o }")
        assert client.post("/sparql", content=b"ASK {}", headers={"content-type": "application/sparql-query"}
                           ).status_code == 200
    finally:
        sparql.LANE.app = request_response(original)
    assert seen == ["GET", "POST"]
    operations = client.get("/openapi.json").json()["paths"]["/sparql"]
    assert {"get", "post"} <= set(operations)
    assert any(p["name"] == "query" for p in operations["get"]["parameters"])
    assert "304" in operations["get"]["responses"] and "304" not in operations["post"]["responses"]
    assert {"ETag", "X-JHA-Cache"} <= set(operations["get"]["responses"]["200"]["headers"])
    assert client.head("/sparql", params={"query": "ASK {}"}).status_code == 405


# --- the result-size limit ------------------------------------------------------------------------

def test_more_results_than_the_limit_is_an_error_never_a_cut(sample_store):
    with TestClient(create_app(settings(sample_store, max_results=5))) as c:
        for query, accepts in (("SELECT * { ?s ?p ?o }", ("application/sparql-results+json", "text/csv", "*/*")),
                               ("CONSTRUCT WHERE { ?s ?p ?o }", ("text/turtle", "application/ld+json", "*/*"))):
            for accept in accepts:
                r = c.get("/sparql", params={"query": query}, headers={"accept": accept})
                error = error_of(r, 422)
                assert error["title"] == "Too Many Results" and "LIMIT" in error["detail"]
                assert r.headers["x-jha-max-results"] == "5"
        assert len(rows(c.get("/sparql", params={"query": "SELECT * { ?s ?p ?o } LIMIT 5"}))) == 5
        assert len(rows(c.get("/sparql", params={"query": "SELECT * { ?s ?p ?o } OFFSET 5 LIMIT 5"}))) == 5
        assert ask(c, "ASK { ?s ?p ?o }")


# --- the time limit -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def big_store(tmp_path_factory) -> Path:
    return build_store(tmp_path_factory.mktemp("big") / "store", generated(20_000))


def test_runaway_query_times_out_in_process(big_store):
    with TestClient(create_app(settings(big_store, query_timeout=1))) as c:
        started = time.monotonic()
        error = error_of(c.get("/sparql", params={"query": RUNAWAY}), 503)
        assert time.monotonic() - started < 1 + 2
        assert error["title"] == "Query Timeout" and "1 s" in error["detail"] and error["where"] == "query"
        assert ask(c, "ASK { ?s ?p ?o }")  # a fresh worker took over


def test_in_memory_store_times_out_without_killing(tmp_path):
    """An in-memory store cannot be shared with worker processes: the client still gets its 503 at
    the limit, and is told the query could not be stopped."""
    from jha_graph.store import EmbeddedStore

    store = EmbeddedStore(None)
    store.bulk_load(generated(3000))
    with TestClient(create_app(settings(tmp_path / "unused", query_timeout=0.2), store=store)) as c:
        # 9 M rows, each compared as strings: finite (the thread ends), but seconds, never 0.2 s (with
        # 2.25 M rows a fast, idle machine sometimes finished within the limit)
        slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f FILTER(CONCAT(STR(?c), STR(?a)) != STR(?f)) }"
        error = error_of(c.get("/sparql", params={"query": slow}), 503)
        assert "abandoned" in error["detail"] and error["title"] == "Query Timeout"
        assert ask(c, "ASK { ?s ?p ?o }")


def test_workers_killed_from_outside_are_replaced(sample_store):
    """Say the kernel's OOM killer took the idle workers: the next query still gets answered."""
    import signal

    with TestClient(create_app(settings(sample_store))) as c:
        assert ask(c, "ASK { ?s ?p ?o }")
        for worker in list(c.app.state.executor._workers):
            os.kill(worker.process.pid, signal.SIGKILL)
            worker.process.wait()
        for _ in range(3):
            assert ask(c, "ASK { ?s ?p ?o }")


def _children(pid: int) -> set[int]:
    return set(children(pid))


@pytest.mark.live
@pytest.mark.slow
def test_runaway_query_is_killed_while_others_are_answered(big_store):
    env = {"JHA_QUERY_TIMEOUT": "1", "JHA_QUERY_WORKERS": "2", "JHA_API_WORKERS": "1"}
    with LiveServer(big_store, env=env) as server, httpx.Client(base_url=server.url, timeout=30) as http:
        assert http.get("/sparql", params={"query": "ASK {}"}).status_code == 200
        workers_before = _children(server.process.pid) if os.path.exists("/proc") else set()
        with ThreadPoolExecutor(max_workers=1) as pool:
            started = time.monotonic()
            runaway = pool.submit(http.get, "/sparql", params={"query": RUNAWAY})
            time.sleep(0.2)
            quick = []
            while not runaway.done():
                t = time.monotonic()
                r = http.get("/sparql", params={"query": "ASK { ?s <http://example.org/p3> 3 }"})
                quick.append(time.monotonic() - t)
                assert r.status_code == 200 and r.json()["boolean"] is True
                time.sleep(0.1)
            r = runaway.result()
        elapsed = time.monotonic() - started
        error = error_of(r, 503)
        assert "longer than 1 s" in error["detail"] and elapsed < 1 + 2, elapsed
        assert quick and max(quick) < 0.5, quick  # answered while the runaway was running
        # the runaway's worker was killed and replaced: the server is as it was
        assert http.get("/sparql", params={"query": COUNT_ARTICLES}).status_code == 200
        if workers_before:
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and len(_children(server.process.pid) - workers_before) != 1:
                time.sleep(0.1)
            after = _children(server.process.pid)
            # 2 workers for /sparql, 1 for the server's own queries (JSON API, pages)
            assert len(after) == len(workers_before) == 3 and len(after - workers_before) == 1


# --- middleware: CORS, body limit, nosniff --------------------------------------------------------------

def test_nosniff_on_every_response(client):
    for r in (client.get("/sparql", params={"query": "ASK {}"}), client.get("/sparql", params={"query": "ASK {"}),
              client.get("/sparql"), client.get("/no-such-page")):
        assert r.headers["x-content-type-options"] == "nosniff"


def test_cors_for_queries_not_for_updates(client):
    origin = {"origin": "https://researcher.example"}
    r = client.get("/sparql", params={"query": "ASK {}"}, headers=origin)
    assert r.headers["access-control-allow-origin"] == "https://researcher.example"
    preflight = {**origin, "access-control-request-method": "POST"}
    r = client.options("/sparql", headers={**preflight, "access-control-request-headers": "content-type"})
    assert r.status_code == 200 and "POST" in r.headers["access-control-allow-methods"]
    r = client.options("/sparql", headers={**preflight, "access-control-request-headers": "authorization"})
    assert r.status_code == 400  # no page on another origin may send the update token
    r = client.options("/update", headers=preflight)
    assert "access-control-allow-origin" not in r.headers
    r = client.options("/rdf-graph-store", headers={**origin, "access-control-request-method": "PUT"})
    assert r.status_code == 400
    r = client.get("/sparql", params={"query": "ASK {}"}, headers={"origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in r.headers


def test_cors_can_be_turned_off(sample_store):
    with TestClient(create_app(settings(sample_store, cors_origins=[]))) as c:
        r = c.get("/sparql", params={"query": "ASK {}"}, headers={"origin": "https://researcher.example"})
        assert "access-control-allow-origin" not in r.headers


def test_request_body_limit(sample_store):
    with TestClient(create_app(settings(sample_store, max_body_bytes=1000))) as c:
        big = "ASK { " + " ".join(f"<http://example.org/{i}> ?p ?o ." for i in range(100)) + " }"
        error = error_of(c.post("/sparql", content=big, headers={"content-type": "application/sparql-query"}), 413)
        assert "1000 bytes" in error["detail"]

        def chunks():  # no Content-Length: counted as it arrives
            for i in range(0, len(big), 100):
                yield big[i:i + 100].encode()

        r = c.post("/sparql", content=chunks(), headers={"content-type": "application/sparql-query"})
        error_of(r, 413)
        r = c.post("/sparql", content="ASK {}", headers={"content-type": "application/sparql-query"})
        assert r.status_code == 200


# --- SPARQLWrapper, as a researcher would use it ------------------------------------------------------

@pytest.fixture(scope="module")
def live_url(sample_store):
    with LiveServer(sample_store) as server:
        yield server.url + "/sparql"


TITLES = "SELECT ?a ?title WHERE { ?a a jha:Article ; dcterms:title ?title } ORDER BY ?a"


@pytest.mark.live
def test_sparqlwrapper_json(live_url):
    from SPARQLWrapper import JSON, SPARQLWrapper

    sw = SPARQLWrapper(live_url)
    sw.setQuery(TITLES)
    sw.setReturnFormat(JSON)
    bindings = sw.query().convert()["results"]["bindings"]
    assert [b["a"]["value"] for b in bindings] == sorted(BASE + "id/article/" + s for s in ARTICLES)
    assert {b["title"].get("xml:lang") for b in bindings} == {"en", None}


@pytest.mark.live
def test_sparqlwrapper_xml_and_post(live_url):
    from SPARQLWrapper import POST, XML, SPARQLWrapper

    sw = SPARQLWrapper(live_url)
    sw.setQuery(TITLES)
    sw.setReturnFormat(XML)
    sw.setMethod(POST)
    doc = sw.query().convert()
    assert isinstance(doc, Document)
    assert len(doc.getElementsByTagName("result")) == len(ARTICLES)


@pytest.mark.live
def test_sparqlwrapper_csv(live_url):
    import csv
    import io

    from SPARQLWrapper import CSV, SPARQLWrapper

    sw = SPARQLWrapper(live_url)
    sw.setQuery(TITLES)
    sw.setReturnFormat(CSV)
    table = list(csv.reader(io.StringIO(sw.query().convert().decode("utf-8"))))
    assert table[0] == ["a", "title"] and len(table) == 1 + len(ARTICLES)
    assert any("\n" in row[1] for row in table[1:])  # CSV quoting kept the newline inside the field


@pytest.mark.live
@pytest.mark.parametrize("fmt", ["turtle", "json-ld"])
def test_sparqlwrapper_construct(live_url, fmt):
    from SPARQLWrapper import JSONLD, TURTLE, SPARQLWrapper

    sw = SPARQLWrapper(live_url)
    sw.setQuery("CONSTRUCT { ?a dcterms:title ?t ; a jha:Article } WHERE { ?a a jha:Article ; dcterms:title ?t }")
    sw.setReturnFormat(TURTLE if fmt == "turtle" else JSONLD)
    result = sw.query().convert()
    g = rdflib.Graph().parse(data=result, format="turtle") if fmt == "turtle" else result
    assert isinstance(g, rdflib.Graph) and len(g) == 2 * len(ARTICLES)
    assert set(g.subjects(rdflib.RDF.type, rdflib.URIRef(JHA + "Article"))) == {
        rdflib.URIRef(BASE + "id/article/" + s) for s in ARTICLES}


# --- the error shape on every failing route, and every route of the endpoint tested -------------------

MY_ROUTES = {
    ("/sparql", "get"), ("/sparql", "post"), ("/update", "post"),
    ("/rdf-graph-store", "get"), ("/rdf-graph-store", "head"), ("/rdf-graph-store", "put"),
    ("/rdf-graph-store", "post"), ("/rdf-graph-store", "delete"),
    ("/rdf-graph-store/{path}", "get"), ("/rdf-graph-store/{path}", "head"), ("/rdf-graph-store/{path}", "put"),
    ("/rdf-graph-store/{path}", "post"), ("/rdf-graph-store/{path}", "delete"),
    ("/export", "get"), ("/.well-known/void", "get"),
}
# where each is tested: this file, test_export.py, and the W3C runner (tests/w3c)
TESTED_BY = {
    ("/sparql", "get"): "test_query_by_get_form_post_and_direct_post, test_service_description",
    ("/sparql", "post"): "test_query_by_get_form_post_and_direct_post, test_update_with_the_token…",
    ("/update", "post"): "test_update_with_the_token_is_seen_by_the_next_query",
    ("/export", "get"): "test_export.py", ("/.well-known/void", "get"): "test_export.py",
    **{route: "test_graph_store_protocol (below) and tests/w3c" for route in MY_ROUTES if "graph-store" in route[0]},
}


def test_every_route_of_the_endpoint_is_tested(client):
    """If a route is added to these routers, it must be added here, with its tests."""
    spec = client.get("/openapi.json").json()
    mine = {(path, method) for path, ops in spec["paths"].items() for method in ops
            if path.startswith(("/sparql", "/update", "/rdf-graph-store", "/export", "/.well-known/void"))}
    assert mine == MY_ROUTES == set(TESTED_BY)


def test_graph_store_protocol(writable):
    auth = {"authorization": f"Bearer {TOKEN}"}
    turtle = {"content-type": "text/turtle"}
    g = "http://example.org/graph/gsp"
    doc = b"<http://example.org/s> <http://example.org/p> 'o' ."
    # reads are open; writes need the token
    assert error_of(writable.put("/rdf-graph-store", params={"graph": g}, content=doc, headers=turtle), 401)

    def put():
        return writable.put("/rdf-graph-store", params={"graph": g}, content=doc, headers={**turtle, **auth})

    assert put().status_code == 201 and put().status_code == 204  # created, then replaced
    r = writable.get("/rdf-graph-store", params={"graph": g}, headers={"accept": "application/n-triples"})
    assert r.status_code == 200 and r.text.strip() == '<http://example.org/s> <http://example.org/p> "o" .'
    r = writable.head("/rdf-graph-store", params={"graph": g})
    assert r.status_code == 200 and r.content == b"" and int(r.headers["content-length"]) > 0
    more = b"<http://example.org/s> <http://example.org/p> 'o2' ."
    r = writable.post("/rdf-graph-store", params={"graph": g}, content=more, headers={**turtle, **auth})
    assert r.status_code == 204 and len(rdflib.Graph().parse(
        data=writable.get("/rdf-graph-store", params={"graph": g}).text, format="turtle")) == 2
    r = writable.post("/rdf-graph-store", content=doc, headers={**turtle, **auth})
    assert r.status_code == 201 and r.headers["location"].startswith("http://testserver/rdf-graph-store/")
    assert writable.get(r.headers["location"]).status_code == 200  # the new graph's IRI is its URL
    r = writable.put("/rdf-graph-store/people/1", content=doc, headers={**turtle, **auth})
    assert r.status_code == 201
    assert ask(writable, "ASK { GRAPH <http://testserver/rdf-graph-store/people/1> { ?s ?p ?o } }")
    assert writable.delete("/rdf-graph-store", params={"graph": g}, headers=auth).status_code == 204
    # errors, all in the one shape
    error_of(writable.get("/rdf-graph-store", params={"graph": g}), 404)
    error_of(writable.delete("/rdf-graph-store", params={"graph": g}, headers=auth), 404)
    assert writable.head("/rdf-graph-store", params={"graph": g}).status_code == 404
    error_of(writable.get("/rdf-graph-store"), 400)
    error_of(writable.get("/rdf-graph-store?graph=http%3A%2F%2Fe.org%2Fg&default"), 400)
    error_of(writable.get("/rdf-graph-store", params={"graph": "not an iri"}), 400)
    error_of(writable.get("/rdf-graph-store?default", headers={"accept": "text/csv"}), 406)
    plain = {"content-type": "text/plain", **auth}
    error_of(writable.put("/rdf-graph-store?default", content=b"x", headers=plain), 415)
    error_of(writable.put("/rdf-graph-store?default", content=b"<a> <b>", headers={**turtle, **auth}), 400)
    error_of(writable.delete("/rdf-graph-store", params={"graph": g}), 401)


def test_graph_store_writes_are_403_on_a_read_only_server(client):
    r = client.put("/rdf-graph-store?default", content=b"<http://a> <http://b> <http://c> .",
                   headers={"content-type": "text/turtle", "authorization": f"Bearer {TOKEN}"})
    assert "read-only" in error_of(r, 403)["detail"]
    r = client.get("/rdf-graph-store", params={"graph": graph(ARTICLES[0]).value}, headers={"accept": "text/turtle"})
    assert r.status_code == 200 and "jha:Article" in r.text


def test_error_bodies_are_json_even_when_text_was_asked_for(client):
    r = client.get("/sparql", params={"query": "ASK {"}, headers={"accept": "text/csv"})
    assert json.loads(r.text)["error"]["status"] == 400
