"""Headers: CORS as configured (and never for the update routes), no stack traces in error bodies,
request size limits, ``X-Content-Type-Options: nosniff`` on every answer (HTML pages above all)."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from jha_graph.api.app import create_app
from jha_graph.config import Settings

from .helpers import assert_error_shape, assert_no_traceback, copy_store

ORIGIN = "https://researcher.example"
OTHER = "https://elsewhere.example"
TOKEN = "hdr-token-5f2c"


def app_for(store, **overrides):
    values = {"store": str(store), "query_workers": 1, "cors_origins": [ORIGIN], "max_body_bytes": 50_000,
              "update_token": TOKEN}
    values.update(overrides)
    return create_app(Settings(**values))


@pytest.fixture(scope="module")
def store(small_store, tmp_path_factory):
    return copy_store(small_store, tmp_path_factory.mktemp("headers") / "store")


@pytest.fixture(scope="module")
def client(store):
    with TestClient(app_for(store), raise_server_exceptions=False) as c:
        yield c


READS = ["/sparql?query=ASK%20%7B%7D", "/api/presidencies?limit=2", "/id/org/europol", "/export?format=nt",
         "/.well-known/void", "/api/queries/cq/articles"]


def cors_headers(r) -> dict:
    return {k: v for k, v in r.headers.items() if k.lower().startswith("access-control-")}


def test_cors_for_reads_from_the_configured_origin_only(client):
    for path in READS:
        r = client.get(path, headers={"origin": ORIGIN, "accept": "application/json"})
        assert r.headers.get("access-control-allow-origin") == ORIGIN, path
        assert "access-control-allow-credentials" not in r.headers, path
        r = client.get(path, headers={"origin": OTHER, "accept": "application/json"})
        assert "access-control-allow-origin" not in r.headers, path
    pre = client.options("/sparql", headers={"origin": ORIGIN, "access-control-request-method": "POST",
                                             "access-control-request-headers": "content-type"})
    assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == ORIGIN
    assert "access-control-allow-credentials" not in pre.headers


def test_no_cors_for_writes(client):
    for method in ("POST", "PUT", "DELETE"):
        for path in ("/update", "/sparql", "/rdf-graph-store?default"):
            pre = client.options(path, headers={"origin": ORIGIN, "access-control-request-method": method,
                                                "access-control-request-headers": "authorization, content-type"})
            allowed = pre.headers.get("access-control-allow-headers", "").lower()
            assert "authorization" not in allowed, (method, path, pre.headers)
            if path == "/update" or method != "POST":
                assert pre.headers.get("access-control-allow-origin") is None or pre.status_code >= 400, \
                    (method, path, pre.status_code, pre.headers)
    r = client.post("/update", content=b"CLEAR SILENT GRAPH <urn:x>",
                    headers={"origin": ORIGIN, "content-type": "application/sparql-update",
                             "authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 204 and not cors_headers(r), r.headers  # works, but tells no browser it may read
    r = client.post("/update", content=b"CLEAR SILENT GRAPH <urn:x>",
                    headers={"origin": ORIGIN, "content-type": "application/sparql-update"})
    assert r.status_code == 401 and not cors_headers(r)


def test_cors_off_when_no_origin_is_configured(store):
    with TestClient(app_for(store, cors_origins=[], update_token=None)) as c:
        for path in READS:
            r = c.get(path, headers={"origin": ORIGIN, "accept": "application/json"})
            assert not cors_headers(r), path


def test_nosniff_everywhere_and_html_pages(client):
    pages = ["/", "/search?q=council", "/id/org/europol", "/ontology", "/docs", "/graph/article/seed-article",
             "/no/such/page"]
    html = 0
    for path in pages + READS:
        r = client.get(path, headers={"accept": "text/html"})
        assert r.headers.get("x-content-type-options") == "nosniff", path
        html += r.headers.get("content-type", "").startswith("text/html")
        assert_no_traceback(r.text)
    assert html >= 5, html
    r = client.post("/sparql", content=b"x" * 60_000, headers={"content-type": "application/sparql-query"})
    assert r.status_code == 413 and r.headers.get("x-content-type-options") == "nosniff"


def test_error_bodies_carry_no_stack_trace(client, store):
    errors = [
        client.get("/no/such/page", headers={"accept": "application/json"}),
        client.request("PATCH", "/sparql"),
        client.get("/sparql", params={"query": "SELEKT"}),
        client.get("/sparql", params={"query": "ASK {}"}, headers={"accept": "image/png"}),
        client.get("/api/entities", params={"limit": "0"}),
        client.get("/api/presidencies", params={"from": "yesterday"}),
        client.get("/api/queries/cq/nope"),
        client.get("/api/queries/entity", params={"entity": "<script>"}),
        client.post("/api/queries/entity", content=b"{not json", headers={"content-type": "application/json"}),
        client.post("/sparql", content=b"x" * 60_000, headers={"content-type": "application/sparql-query"}),
        client.put("/rdf-graph-store?default", content=b"<a> <b> .", headers={
            "content-type": "text/turtle", "authorization": f"Bearer {TOKEN}"}),
        client.put("/rdf-graph-store?default", content=b"x", headers={
            "content-type": "application/x-nope", "authorization": f"Bearer {TOKEN}"}),
    ]
    for r in errors:
        assert_error_shape(r, r.status_code)
        assert 400 <= r.status_code < 500, r.text

    # an unexpected exception inside a route: a 500 in the one shape, the trace only in the log
    app = app_for(store, update_token=None)
    def fail(*_args, **_kwargs):
        raise RuntimeError("secret internals /etc/passwd")

    app.state.api_executor.run_sync = fail  # the routes' queries run through it (sparql/guarded.py)
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/api/presidencies")
        error = assert_error_shape(r, 500)
        assert "secret internals" not in r.text and "RuntimeError" not in r.text, r.text
        assert error["detail"]


def test_request_size_limits(client):
    limit = 50_000
    for path, ctype in (("/sparql", "application/sparql-query"), ("/api/queries/entity", "application/json"),
                        ("/update", "application/sparql-update")):
        r = client.post(path, content=b"x" * (limit + 1), headers={"content-type": ctype,
                                                                  "authorization": f"Bearer {TOKEN}"})
        assert_error_shape(r, 413)
        r = client.post(path, content=(b"x" * 1000 for _ in range(limit // 1000 + 2)),
                        headers={"content-type": ctype, "authorization": f"Bearer {TOKEN}"})
        assert_error_shape(r, 413)
    ok = client.post("/sparql", content=b"ASK {} #" + b"x" * (limit - 100), headers={
        "content-type": "application/sparql-query"})
    assert ok.status_code == 200
