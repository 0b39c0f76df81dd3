"""Write protection: without the update token every write route answers 401/403 and changes nothing, with
a wrong token likewise; the token is compared in constant time (hmac.compare_digest) and never logged.

Every write route the OpenAPI schema lists (and the SPARQL Update forms of ``/sparql``) is tried on a
read-only server (no token configured: 403) and on a server with a token (no token, a wrong one, a
near miss, the wrong scheme, the token elsewhere in the request: 401); the store's canonical dump must
be the same afterwards.  With the right token each route works (so the refusals are not just broken
routes).  The server's log and every answer are searched for the tokens sent.
"""
from __future__ import annotations

import hashlib

import httpx
import pytest
from fastapi.testclient import TestClient

from jha_graph.api import deps
from jha_graph.api.app import create_app
from jha_graph.config import Settings
from tests.live import LiveServer

from .helpers import assert_error_shape

pytestmark = [pytest.mark.live]

TOKEN = "tok-7c1e9b2f-RIGHT-5d0a"
GRAPH = "https://w3id.org/jha-graph/graph/write-protection-test"
TURTLE = {"content-type": "text/turtle"}
DATA = b"<urn:s> <urn:p> <urn:o> ."
UPDATE = f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <urn:s> <urn:p> <urn:o> }} }}"

# (method, path, headers, body)
WRITES = [
    ("POST", "/update", {"content-type": "application/sparql-update"}, UPDATE.encode()),
    ("POST", "/update", {"content-type": "application/x-www-form-urlencoded"}, httpx.QueryParams(update=UPDATE)),
    ("POST", "/sparql", {"content-type": "application/sparql-update"}, UPDATE.encode()),
    ("POST", "/sparql", {"content-type": "application/x-www-form-urlencoded"}, httpx.QueryParams(update=UPDATE)),
    ("POST", "/update", {"content-type": "application/sparql-update"}, b"DROP ALL"),
    ("POST", "/update", {"content-type": "application/sparql-update"}, b"CLEAR DEFAULT ; DROP SILENT GRAPH <urn:x>"),
    ("PUT", f"/rdf-graph-store?graph={GRAPH}", TURTLE, DATA),
    ("POST", f"/rdf-graph-store?graph={GRAPH}", TURTLE, DATA),
    ("DELETE", "/rdf-graph-store?graph=https://w3id.org/jha-graph/graph/reference", {}, b""),
    ("PUT", "/rdf-graph-store?default", TURTLE, DATA),
    ("POST", "/rdf-graph-store?default", TURTLE, DATA),
    ("DELETE", "/rdf-graph-store?default", {}, b""),
    ("PUT", "/rdf-graph-store/write-protection-test", TURTLE, DATA),
    ("POST", "/rdf-graph-store/write-protection-test", TURTLE, DATA),
    ("DELETE", "/rdf-graph-store/write-protection-test", {}, b""),
]

WRONG = [  # (label, extra headers, extra query params): none of them may write
    ("no Authorization", {}, {}),
    ("wrong token", {"authorization": "Bearer tok-WRONG-0000"}, {}),
    ("bearer without a token", {"authorization": "Bearer"}, {}),
    ("token with a suffix", {"authorization": f"Bearer {TOKEN}x"}, {}),
    ("a prefix of the token", {"authorization": f"Bearer {TOKEN[:-1]}"}, {}),
    ("the token upper-cased", {"authorization": f"Bearer {TOKEN.upper()}"}, {}),
    ("Basic scheme", {"authorization": f"Basic {TOKEN}"}, {}),
    ("no scheme", {"authorization": TOKEN}, {}),
    ("token in another header", {"x-update-token": TOKEN, "cookie": f"token={TOKEN}"}, {}),
    ("token in the URL", {}, {"token": TOKEN, "access_token": TOKEN}),
]


def fingerprint(url: str) -> str:
    """The whole dataset, canonical enough for 'unchanged': sorted N-Quads of the export."""
    r = httpx.get(url + "/export", params={"format": "nq"}, timeout=60)
    assert r.status_code == 200, r.text
    return hashlib.sha256(b"\n".join(sorted(r.content.splitlines()))).hexdigest()


def send(http: httpx.Client, write, headers=None, params=None) -> httpx.Response:
    method, path, base_headers, body = write
    kwargs = {"data": dict(body)} if isinstance(body, httpx.QueryParams) else {"content": body}
    return http.request(method, path, headers={**base_headers, **(headers or {})}, params=params, **kwargs)


def test_routes_listed_as_writes_are_all_tried():
    app = create_app(Settings(store="/nonexistent-unused", query_workers=1), store=__import__(
        "jha_graph.store", fromlist=["EmbeddedStore"]).EmbeddedStore(None))
    schema = app.openapi()
    writes = {(m.upper(), p) for p, ops in schema["paths"].items() for m in ops
              if m in ("put", "post", "delete", "patch") and not p.startswith("/api/queries") and p != "/sparql"}
    tried = {(m, p.split("?")[0].replace("write-protection-test", "{path}")) for m, p, _, _ in WRITES}
    assert writes <= tried, writes - tried


def test_a_read_only_server_refuses_every_write(store_copy):
    with LiveServer(store_copy) as server, httpx.Client(base_url=server.url, timeout=30) as http:
        before = fingerprint(server.url)
        for write in WRITES:
            for label, headers, params in WRONG[:2] + [("the right token", {"authorization": f"Bearer {TOKEN}"}, {})]:
                error = assert_error_shape(send(http, write, headers, params), 403)
                assert TOKEN not in error["detail"], (write[:2], label)
        assert fingerprint(server.url) == before


def test_a_server_with_a_token_refuses_every_write_without_it(store_copy):
    with LiveServer(store_copy, token=TOKEN, args=["--access-log"]) as server, \
            httpx.Client(base_url=server.url, timeout=30) as http:
        before = fingerprint(server.url)
        answers = []
        for write in WRITES:
            for label, headers, params in WRONG:
                r = send(http, write, headers, params)
                assert_error_shape(r, 401)
                assert r.headers.get("www-authenticate", "").startswith("Bearer"), (write[:2], label)
                answers.append(r.text)
        assert fingerprint(server.url) == before, "a refused write changed the store"
        # the right token works on every route (then the graph written is removed again)
        for write in WRITES:
            if write[0] == "DELETE" and "reference" in write[1] or "DROP ALL" in str(write[3]) or \
                    write[1].endswith("?default") or b"CLEAR" in (write[3] if isinstance(write[3], bytes) else b""):
                continue  # would destroy the test's data
            r = send(http, write, {"authorization": f"Bearer {TOKEN}"})
            assert r.status_code in (200, 201, 204), (write[:2], r.status_code, r.text)
        r = http.delete(f"/rdf-graph-store?graph={GRAPH}", headers={"authorization": f"Bearer {TOKEN}"})
        assert r.status_code in (204, 404)
        assert fingerprint(server.url) == before
        server.stop()
        log = server.log_path.read_text(errors="replace")
    assert '"POST /sparql' in log, "the access log is on: the request lines must be in it"
    # the access log records request lines, so a token a client puts in the URL (refused) shows up there
    # like any URL; no token sent in a header may appear
    log = "\n".join(line for line in log.splitlines() if "token=" not in line)
    secrets = [TOKEN, TOKEN[:-1], TOKEN.upper(), "tok-WRONG-0000"]
    for secret in secrets:
        assert secret not in log, f"{secret!r} is in the server log"
        assert not any(secret in a for a in answers), f"{secret!r} is echoed in an answer"


def test_the_token_is_compared_in_constant_time(monkeypatch, store_copy):
    """Every write route decides through hmac.compare_digest (whose time does not depend on where the
    first difference is), on bytes, and never with ==."""
    calls = []
    real = deps.hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(deps.hmac, "compare_digest", spy)
    settings = Settings(store=str(store_copy), update_token=TOKEN, query_workers=1)
    with TestClient(create_app(settings)) as client:
        for write in WRITES:
            calls.clear()
            method, path, headers, body = write
            kwargs = {"data": dict(body)} if isinstance(body, httpx.QueryParams) else {"content": body}
            r = client.request(method, path, headers={**headers, "authorization": "Bearer tok-WRONG-0000"}, **kwargs)
            assert r.status_code == 401, (method, path, r.status_code)
            assert calls == [(b"tok-WRONG-0000", TOKEN.encode())], (method, path, calls)
    source = open(deps.__file__, encoding="utf-8").read()
    assert "compare_digest" in source and "== token" not in source and "token ==" not in source
