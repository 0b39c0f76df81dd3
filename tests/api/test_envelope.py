"""The one envelope and the one error shape of the JSON API, pinned.

Success: ``{"ok": true, "data": ..., "next": <full URL or null>}`` (plus ``meta`` where a route
has something to say about the answer).  Error: ``{"ok": false, "error": {"status", "title",
"detail", "where"}}`` with ``status`` equal to the HTTP status, on every route and every kind of
failure (validation, unknown entity, bad format, bad body).
"""
from __future__ import annotations

import pytest
from fixtures.api_support import make_client

from jha_graph.api.envelope import envelope
from jha_graph.api.errors import error_body

ENVELOPE_KEYS = {"ok", "data", "next"}
ERROR_KEYS = {"status", "title", "detail", "where"}


@pytest.fixture(scope="module")
def client():
    return make_client()


# every JSON route of the API and the JSON twins of the pages, as a client calls them
OK_REQUESTS = [
    "/api",
    "/api/entities", "/api/entities?type=Agency&limit=2", "/api/entities?q=euro",
    "/api/entities/org/eurojust", "/api/entities/org/eurojust.json", "/api/entity?iri=jha:Agency",
    "/api/types",
    "/api/presidencies?limit=3", "/api/presidencies/2024-1-be",
    "/api/meetings", "/api/meetings?kind=JHA%20Council",
    "/api/documents", "/api/documents?type=Roadmap",
    "/api/articles", "/api/articles/seed-article",
    "/api/timeline", "/api/search?q=europol",
    "/api/queries", "/api/queries/cq/articles", "/api/queries/evidence?entity=org/eurojust",
    "/id/org/eurojust.json", "/graph/links.json", "/ontology.json",
    "/index.json", "/.json", "/search.json?q=europol",
]


@pytest.mark.parametrize("url", OK_REQUESTS)
def test_every_success_has_the_envelope(client, url):
    r = client.get(url)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert ENVELOPE_KEYS <= set(body) <= ENVELOPE_KEYS | {"meta"}
    assert body["ok"] is True
    assert body["next"] is None or body["next"].startswith("http://testserver/")


def test_post_answers_have_the_envelope(client):
    r = client.post("/api/queries/evidence", json={"entity": "org/eurojust"})
    assert r.status_code == 200
    assert set(r.json()) == ENVELOPE_KEYS | {"meta"} and r.json()["ok"] is True


def test_next_is_a_full_url_while_there_are_more():
    body = make_client().get("/api/presidencies?limit=2").json()
    assert body["next"].startswith("http://testserver/api/presidencies?")
    assert "after=" in body["next"] and "limit=2" in body["next"]


# (method, url, kwargs, status, where)
ERROR_REQUESTS = [
    ("GET", "/api/entities?limit=0", {}, 400, "limit"),
    ("GET", "/api/entities?limit=501", {}, 400, "limit"),
    ("GET", "/api/entities?type=not%20a%20class", {}, 400, "type"),
    ("GET", "/api/entities/org/no-such-org", {}, 404, "id"),
    ("GET", "/api/entity?iri=https://example.org/nothing", {}, 404, "iri"),
    ("GET", "/api/entity", {}, 400, "iri"),
    ("GET", "/api/presidencies?from=2024-02-30", {}, 400, "from"),
    ("GET", "/api/presidencies/belgium", {}, 400, "key"),
    ("GET", "/api/presidencies/1900-1-be", {}, 404, "key"),
    ("GET", "/api/meetings?kind=picnic", {}, 400, "kind"),
    ("GET", "/api/meetings?to=yesterday", {}, 400, "to"),
    ("GET", "/api/documents?type=Poem", {}, 400, "type"),
    ("GET", "/api/documents?topic=%3Cscript%3E", {}, 400, "topic"),
    ("GET", "/api/articles/no-such-article", {}, 404, "slug"),
    ("GET", "/api/articles/bad%20slug", {}, 400, "slug"),
    ("GET", "/api/timeline?presidency=x%20y", {}, 400, "presidency"),
    ("GET", "/api/search", {}, 400, "q"),
    ("GET", "/api/search?q=a", {}, 400, "q"),
    ("GET", "/api/queries/no-such-query", {}, 404, "name"),
    ("GET", "/api/queries/evidence?entity=%22%20%7D%20DROP", {}, 400, "entity"),
    ("GET", "/api/queries/timeline?from=2024", {}, 400, "from"),
    ("GET", "/api/queries/timeline?color=red", {}, 400, "color"),
    ("GET", "/api/queries/cq/articles?after=x", {}, 400, "after"),
    ("POST", "/api/queries/evidence", {"content": b"{", "headers": {"content-type": "application/json"}}, 400, "body"),
    ("POST", "/api/queries/evidence", {"content": b"x", "headers": {"content-type": "text/plain"}}, 415, "body"),
    ("GET", "/id/org/no-such-org", {"headers": {"accept": "text/turtle"}}, 404, "path"),
    ("GET", "/id/org/eurojust", {"headers": {"accept": "image/png"}}, 406, "accept"),
    ("GET", "/graph/no-such-graph.ttl", {}, 404, "path"),
    ("GET", "/ontology.png", {}, 404, "suffix"),
    ("GET", "/search.json?q=x", {}, 400, "q"),
    ("GET", "/static/nothing.css", {}, 404, "name"),
]


@pytest.mark.parametrize("method,url,kwargs,status,where", ERROR_REQUESTS)
def test_every_error_has_the_error_shape(client, method, url, kwargs, status, where):
    r = client.request(method, url, **kwargs)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"ok", "error"}
    assert body["ok"] is False
    assert set(body["error"]) == ERROR_KEYS
    assert body["error"]["status"] == status
    assert body["error"]["where"] == where
    assert isinstance(body["error"]["title"], str) and body["error"]["title"]
    assert isinstance(body["error"]["detail"], str) and body["error"]["detail"]


@pytest.mark.parametrize("method,url", [("GET", "/api/no-such-resource"), ("DELETE", "/api/entities")])
def test_router_errors_have_the_error_shape(client, method, url):
    body = client.request(method, url).json()
    assert set(body) == {"ok", "error"} and set(body["error"]) == ERROR_KEYS


def test_envelope_and_error_body_builders():
    assert envelope([1], next_url=None) == {"ok": True, "data": [1], "next": None}
    assert envelope([], next_url="http://x/y", meta={"q": "a"}) == {"ok": True, "data": [], "next": "http://x/y",
                                                                      "meta": {"q": "a"}}
    assert error_body(404, "Not Found", "no such thing", where="id") == {
        "ok": False, "error": {"status": 404, "title": "Not Found", "detail": "no such thing", "where": "id"}}
