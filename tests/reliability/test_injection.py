"""Injection: no request parameter of the JSON API, the linked-data pages or a canned query changes the
shape of the SPARQL that runs.

The server's own queries run through its executor for them (``app.state.api_executor``, see
sparql/guarded.py), which is wrapped to record every SPARQL text the server runs for a request.  For every
parameter, a request with a harmless value and one with each hostile value (quotes, braces, ``}``,
``UNION``, IRIs with spaces, comments, newlines, NUL ...) must run exactly the same query texts (the
values travel only as bound terms), the hostile value must not appear in any of them, and the answer
must be a 200 or a 4xx in the one error shape, never a 5xx.
"""
from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from jha_graph.api.app import create_app
from jha_graph.canned import CannedQueries
from jha_graph.config import Settings

from .helpers import assert_error_shape, assert_no_traceback, copy_store

HOSTILE = [
    '"', "'", "\\", "}", "{", "\"} UNION { ?s ?p ?o } #", "'} UNION { ?s ?p ?o } #",
    "x\" . ?s ?p ?o . FILTER(\"", "<http://example.org/a> } UNION { ?s ?p ?o", "http://example.org/a b",
    "http://example.org/a>", "jha:Agency> } UNION { ?x ?y ?z } #", "org/europol\"} UNION {", "?s ?p ?o",
    "\n}\nSELECT * WHERE { ?s ?p ?o", "# comment", "x\x00y", "' OR '1'='1", "%7D%20UNION%20%7B",
    "\u202e}{", "DROP ALL", "<script>alert(1)</script>", "a" * 1500, "$x", "_:b0",
]

# path, parameter, a harmless value of it
PARAMS = [
    ("/api/entities", "q", "euro"), ("/api/entities", "type", "Agency"), ("/api/entities", "after", "!"),
    ("/api/search", "q", "council"), ("/api/search", "type", "Agency"), ("/api/search", "after", "!"),
    ("/api/presidencies", "country", "Belgium"), ("/api/presidencies", "after", "!"),
    ("/api/meetings", "kind", "JHA Council"), ("/api/meetings", "presidency", "2024-1-be"),
    ("/api/meetings", "after", "!"),
    ("/api/documents", "type", "Strategy"), ("/api/documents", "topic", "drug-trafficking"),
    ("/api/documents", "presidency", "2024-1-be"), ("/api/documents", "after", "!"),
    ("/api/articles", "topic", "drug-trafficking"), ("/api/articles", "after", "!"),
    ("/api/timeline", "presidency", "2024-1-be"), ("/api/timeline", "topic", "drug-trafficking"),
    ("/api/timeline", "after", "!"),
    ("/api/entity", "iri", "org/europol"),
    ("/search.json", "q", "council"),
]
PATHS = ["/api/entities/{}", "/api/presidencies/{}", "/api/articles/{}", "/id/{}", "/graph/{}"]
HARMLESS_PATH = {"/api/entities/{}": "org/europol", "/api/presidencies/{}": "2024-1-be",
                 "/api/articles/{}": "seed-article", "/id/{}": "org/europol", "/graph/{}": "article/seed-article"}


@pytest.fixture(scope="module")
def recorded(small_store, tmp_path_factory):
    """A TestClient, and the list the SPARQL texts the server runs are appended to."""
    store_dir = copy_store(small_store, tmp_path_factory.mktemp("injection") / "store")
    app = create_app(Settings(store=str(store_dir), query_workers=1))
    texts: list[str] = []
    executor = app.state.api_executor
    real = executor.run_sync

    def recording_run(job, *args, **kwargs):
        texts.append(job.query)
        return real(job, *args, **kwargs)

    executor.run_sync = recording_run
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, texts


def run(recorded, method: str, path: str, **kwargs) -> tuple[int, list[str]]:
    client, texts = recorded
    texts.clear()
    r = client.request(method, path, headers={"accept": "application/json"}, **kwargs)
    if r.status_code >= 400:
        assert_error_shape(r, r.status_code)
        assert r.status_code < 500, (method, path, kwargs, r.text)
    assert_no_traceback(r.text)
    return r.status_code, list(texts)


# A route may ask about the items an earlier query found, listing their IRIs in a VALUES block: which
# IRIs depends on the data (another page, other items), not on the shape.  A description writes the IRI
# it describes into the patterns of its first query (pyoxigraph plans a constant better than a bound
# variable).  Only well-formed IRIs are set aside, a block of them or one: nothing that can end an IRI
# (``>``), nor space, quote, brace or bracket, can be in one, so it cannot change the query around it
# (pyoxigraph refuses to make a NamedNode of anything else).  Everything else must match.
_IRI = r"<[^\x00-\x20<>\"{}|^`\\]*>"
_IRI_BLOCK = re.compile(r"VALUES (\?\w+) \{(?:\s*" + _IRI + r")*\s*\}")


def _shape(text: str) -> str:
    return re.sub(_IRI, "<IRI>", _IRI_BLOCK.sub(r"VALUES \1 { <IRIs found> }", text))


def _same_shape(hostile: str, harmless: list[str], texts: list[str], where: str) -> None:
    assert [_shape(t) for t in texts] == [_shape(t) for t in harmless[:len(texts)]], \
        f"{where}: the SPARQL run with {hostile!r} differs"
    for text in texts:
        if len(hostile) >= 3 and hostile not in "".join(harmless):
            # (a parameter that is an IRI may be listed, as a checked IRI, in a VALUES block)
            assert hostile not in _shape(text), f"{where}: {hostile!r} was written into the query"


@pytest.mark.parametrize("path,param,value", PARAMS, ids=[f"{p}?{k}" for p, k, _ in PARAMS])
def test_query_parameters_never_change_the_sparql(recorded, path, param, value):
    base = {"limit": "7", **({"q": "council"} if "search" in path else {})}
    status, harmless = run(recorded, "GET", path, params={**base, param: value})
    assert status == 200, (path, param)
    for hostile in HOSTILE:
        status, texts = run(recorded, "GET", path, params={**base, param: hostile})
        _same_shape(hostile, harmless, texts, f"{path}?{param}=")


@pytest.mark.parametrize("template", PATHS)
def test_path_parameters_never_change_the_sparql(recorded, template):
    status, harmless = run(recorded, "GET", template.format(HARMLESS_PATH[template]))
    assert status == 200, template
    for hostile in HOSTILE:
        if "\x00" in hostile or "\n" in hostile:
            continue  # not representable in a request path
        status, texts = run(recorded, "GET", template.format("org/" + hostile.replace("/", "%2F")))
        _same_shape(hostile, harmless, texts, template)


def test_canned_query_parameters_never_change_the_sparql(recorded):
    queries = CannedQueries.load(Settings().queries_dir)
    tried = 0
    for q in queries:
        if not q.params:
            continue
        examples = {p.name: p.example or {"iri": "org/europol", "xsd:string": "council", "xsd:date": "2024-01-01",
                                          "xsd:gYear": "2024", "xsd:integer": "3", "xsd:decimal": "1.5",
                                          "xsd:boolean": "true"}[p.type] for p in q.params}
        status, harmless = run(recorded, "GET", f"/api/queries/{q.name}", params={**examples, "limit": "5"})
        assert status == 200, q.name
        assert harmless == [q.sparql]
        for p in q.params:
            for hostile in HOSTILE:
                for method in ("GET", "POST"):
                    values = {**examples, p.name: hostile}
                    if method == "GET":
                        status, texts = run(recorded, "GET", f"/api/queries/{q.name}", params={**values, "limit": "5"})
                    else:
                        status, texts = run(recorded, "POST", f"/api/queries/{q.name}", json=values,
                                            params={"limit": "5"})
                    assert texts in ([], [q.sparql]), f"{q.name}?{p.name}={hostile!r} ran {texts}"
                    tried += 1
    assert tried > 100, tried


def test_sparql_protocol_parameters_are_iris_or_refused(recorded):
    """The dataset parameters of /sparql and the graph of the Graph Store Protocol are IRIs, checked as
    such: a hostile value is a 400, never a query text."""
    for hostile in HOSTILE:
        status, _ = run(recorded, "GET", "/sparql", params={"query": "ASK { ?s ?p ?o }", "default-graph-uri": hostile})
        assert status == 400, hostile
        status, _ = run(recorded, "GET", "/rdf-graph-store", params={"graph": hostile})
        assert status in (400, 404), hostile
