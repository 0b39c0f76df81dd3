"""Run the W3C SPARQL 1.1 Protocol, Graph Store Protocol and Service Description tests over HTTP.

The manifests (``../shared/w3c-protocol``, see its README) describe each test as HTTP exchanges in
RDF (``ht:``/``cnt:``, with ``mf:expectedStatus``/``expectedFormat``/``expectedBoolean`` and, for the
Graph Store Protocol, expected headers and bodies compared by graph isomorphism).  This runner
reads them with rdflib and replays them through any ``httpx.Client``: a ``TestClient`` for the app
in-process, or a plain client for a live server.

Modes:
* ``write=True`` (the server has an update token, the runner sends it): every test.  Fixtures are
  loaded over HTTP (``DROP ALL`` then ``INSERT DATA``) before each test that declares
  ``ut:graphData``, and the Graph Store is emptied before each GSP test, as the reference runners do.
* ``write=False`` (a read-only server): the 20 query tests only (all but ``update_*``/``bad_*update*``), on
  fixtures loaded into the store before the server started (``load_fixtures``).  GSP tests still
  run their GET/HEAD requests; each write in them must be refused by the server (403) and is then
  applied behind the server's back through the store itself (``StoreWriter``), which is also how
  the read-only server's reopen-on-new-generation is exercised.

Service description tests have names only in their manifest; the checks here are what the names say.

Usage as a script: ``python tests/w3c/runner.py --base-url http://127.0.0.1:8000 [--token T]``.
"""
from __future__ import annotations

import argparse
import email.parser
import email.policy
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyoxigraph
import rdflib
from rdflib import RDF, RDFS, Namespace
from rdflib.collection import Collection
from rdflib.compare import isomorphic

ROOT = Path(__file__).resolve().parents[2]
W3C_DIR = Path(os.environ.get("JHA_W3C_TESTS", ROOT.parent / "shared" / "w3c-protocol")) / "sparql" / "sparql11"
PROTOCOL_MANIFEST = W3C_DIR / "protocol" / "manifest.ttl"
GSP_MANIFEST = W3C_DIR / "graph-store-protocol" / "manifest.ttl"
SD_MANIFEST = W3C_DIR / "service-description" / "manifest.ttl"

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

STATUS = {"OK": (200, 200), "Created": (201, 201), "NoContent": (204, 204), "NotFound": (404, 404),
          "StatusCode2xx": (200, 299), "StatusCode3xx": (300, 399), "StatusCode4xx": (400, 499)}
RESULT_TYPES = {"application/sparql-results+json": pyoxigraph.QueryResultsFormat.JSON,
                "application/sparql-results+xml": pyoxigraph.QueryResultsFormat.XML,
                "text/tab-separated-values": pyoxigraph.QueryResultsFormat.TSV,
                "text/csv": pyoxigraph.QueryResultsFormat.CSV}
BOOLEAN_TYPES = ("application/sparql-results+json", "application/sparql-results+xml")
RDF_TYPES = {"application/rdf+xml": "xml", "text/turtle": "turtle", "application/n-triples": "nt",
             "application/ld+json": "json-ld", "application/trig": "trig", "application/n-quads": "nquads"}
PROTOCOL_RDF_TYPES = ("application/rdf+xml", "text/turtle", "application/n-triples")  # what the tests name


@dataclass
class Expect:
    statuses: list[str]
    format: str | None = None
    boolean: bool | None = None
    location_var: str | None = None
    content_type: str | None = None
    body: str | None = None


@dataclass
class Exchange:
    method: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes | None
    expect: Expect

    @property
    def is_write(self) -> bool:
        return self.method in ("PUT", "POST", "DELETE")


@dataclass
class W3CTest:
    id: str
    name: str
    suite: str                                   # "protocol", "gsp" or "sd"
    exchanges: list[Exchange] = field(default_factory=list)
    graph_data: list[tuple[Path, str]] = field(default_factory=list)
    requires: set[str] = field(default_factory=set)

    @property
    def is_update_test(self) -> bool:
        return self.id.startswith(("update_", "bad_update_")) or self.id == "bad_multiple_updates"

    @property
    def is_query_test(self) -> bool:
        return self.suite == "protocol" and not self.is_update_test


@dataclass
class Outcome:
    id: str
    suite: str
    status: str                                  # "passed", "failed" or "skipped"
    message: str = ""

    def __str__(self) -> str:
        return f"{self.status.upper():7} {self.suite}:{self.id}" + (f"  ({self.message})" if self.message else "")


# --- reading the manifests --------------------------------------------------------------------------

def _local(term) -> str:
    return str(term).rsplit("#", 1)[-1]


def _list(g: rdflib.Graph, node) -> list:
    return list(Collection(g, node)) if node is not None else []


def _exchange(g: rdflib.Graph, req) -> Exchange:
    headers = [(str(g.value(h, HT.fieldName)), str(g.value(h, HT.fieldValue)))
               for h in _list(g, g.value(req, HT.headers))]
    body = None
    body_node = g.value(req, HT.body)
    if body_node is not None:
        encoding = str(g.value(body_node, CNT.characterEncoding) or "UTF-8")
        body = str(g.value(body_node, CNT.chars)).encode(encoding)
    resp = g.value(req, HT.resp)
    expect = Expect(statuses=sorted(_local(s) for s in g.objects(resp, MF.expectedStatus)))
    fmt = g.value(resp, MF.expectedFormat)
    expect.format = str(fmt) if fmt is not None else None
    boolean = g.value(resp, MF.expectedBoolean)
    expect.boolean = boolean.toPython() if boolean is not None else None
    location = g.value(resp, MF.expectedLocation)
    expect.location_var = str(location) if location is not None else None
    for h in _list(g, g.value(resp, HT.headers)):
        if str(g.value(h, HT.fieldName)).lower() == "content-type":
            expect.content_type = str(g.value(h, HT.fieldValue))
    resp_body = g.value(resp, HT.body)
    if resp_body is not None:
        expect.body = str(g.value(resp_body, CNT.chars))
    return Exchange(str(g.value(req, HT.methodName)), str(g.value(req, HT.absolutePath)), headers, body, expect)


def _tests(manifest: Path, suite: str) -> list[W3CTest]:
    g = rdflib.Graph().parse(manifest, format="turtle", publicID=manifest.as_uri())
    tests = []
    for m in g.subjects(RDF.type, MF.Manifest):
        for entry in _list(g, g.value(m, MF.entries)):
            test = W3CTest(_local(entry), str(g.value(entry, MF.name)), suite)
            action = g.value(entry, MF.action)
            if action is not None:
                test.exchanges = [_exchange(g, r) for r in _list(g, g.value(action, HT.requests))]
            for data in g.objects(entry, UT.graphData):
                test.graph_data.append((Path(str(g.value(data, UT.graph)).removeprefix("file://")),
                                        str(g.value(data, RDFS.label))))
            test.requires = {_local(r) for r in g.objects(entry, MF.requires)}
            tests.append(test)
        for included in _list(g, g.value(m, MF.include)):
            tests += _tests(Path(str(included).removeprefix("file://")), suite)
    return tests


def protocol_tests() -> list[W3CTest]:
    return _tests(PROTOCOL_MANIFEST, "protocol")


def gsp_tests() -> list[W3CTest]:
    return _tests(GSP_MANIFEST, "gsp")


def sd_tests() -> list[W3CTest]:
    return _tests(SD_MANIFEST, "sd")


def fixtures() -> dict[str, Path]:
    """Every ``ut:graphData`` of the protocol tests: graph IRI -> N-Triples file."""
    return {graph: path for t in protocol_tests() for path, graph in t.graph_data}


def load_fixtures(store_dir: str | Path) -> None:
    """Load the protocol tests' graphs into the store at ``store_dir`` (for read-only runs)."""
    store = pyoxigraph.Store(str(store_dir))
    for graph, path in fixtures().items():
        store.load(path=str(path), format=pyoxigraph.RdfFormat.N_TRIPLES, to_graph=pyoxigraph.NamedNode(graph))
    store.flush()
    del store


# --- writing behind a read-only server's back --------------------------------------------------------

class StoreWriter:
    """Apply Graph Store writes straight to the store at ``path`` (the server is read-only).

    The store is opened for writing only for the write, then closed: the server's read-only
    handles see the change at their next reopen (the store generation changed)."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)

    def _writer(self):
        from jha_graph.sparql.executor import Writer
        from jha_graph.store import EmbeddedStore

        return Writer(EmbeddedStore(self.path))

    def clear(self) -> None:
        writer = self._writer()
        writer.update("DROP ALL")
        writer.store.close()

    def write(self, method: str, graph: str | None, content_type: str, body: bytes) -> None:
        writer = self._writer()
        try:
            if method == "DELETE":
                writer.drop_graph(graph)
                return
            triples = []
            for part_type, part in _documents(content_type, body):
                fmt = pyoxigraph.RdfFormat.from_media_type(part_type.split(";")[0].strip())
                triples += [q.triple for q in pyoxigraph.parse(part, fmt, base_iri=graph or "http://example.org/")]
            (writer.replace_graph if method == "PUT" else writer.add_to_graph)(graph, triples)
        finally:
            writer.store.close()


def _documents(content_type: str, body: bytes) -> list[tuple[str, bytes]]:
    if not content_type.lower().startswith("multipart/"):
        return [(content_type, body)]
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    return [(part.get_content_type(), part.get_payload(decode=True)) for part in message.iter_parts()]


# --- running ------------------------------------------------------------------------------------------

class Failure(Exception):
    pass


class Runner:
    """Replays tests through ``client`` (whose ``base_url`` is the server's)."""

    def __init__(self, client: httpx.Client, *, write: bool, token: str | None = None,
                 sparql_path: str = "/sparql", update_path: str | None = None, gsp_path: str = "/rdf-graph-store",
                 store_writer: StoreWriter | None = None) -> None:
        self.client, self.write, self.token = client, write, token
        self.sparql_path, self.update_path, self.gsp_path = sparql_path, update_path or sparql_path, gsp_path
        self.store_writer = store_writer
        self.authority = client.base_url.netloc.decode()

    # plumbing
    def _send(self, method: str, path: str, headers: list[tuple[str, str]], body: bytes | None) -> httpx.Response:
        request = self.client.build_request(method, path, content=body)
        # the tests' requests carry exactly the headers they list: no default Accept or Content-Type
        for name in ("accept", "content-type"):
            if name in request.headers:
                del request.headers[name]
        for name, value in headers:
            request.headers[name] = value
        if self.write and self.token:
            request.headers["Authorization"] = f"Bearer {self.token}"
        return self.client.send(request)

    def _localise(self, text: str, variables: dict[str, str]) -> str:
        text = text.replace("www.example", self.authority)
        for name, value in variables.items():
            text = text.replace(name, value)
        return text

    def _update(self, text: str) -> None:
        r = self._send("POST", self.update_path, [("content-type", "application/sparql-update")], text.encode())
        if r.status_code >= 300:
            raise Failure(f"fixture update failed: {r.status_code} {r.text[:200]}")

    # protocol tests
    def run_protocol(self, tests: list[W3CTest] | None = None) -> list[Outcome]:
        return [self.run_protocol_test(t) for t in (tests if tests is not None else protocol_tests())]

    def run_protocol_test(self, test: W3CTest) -> Outcome:
        if not self.write and not test.is_query_test:
            return Outcome(test.id, test.suite, "skipped", "an update test: write mode only")
        try:
            if self.write and test.graph_data:
                inserts = " ".join(f"GRAPH <{graph}> {{ {path.read_text()} }}" for path, graph in test.graph_data)
                self._update(f"DROP ALL ; INSERT DATA {{ {inserts} }}")
            for i, ex in enumerate(test.exchanges, 1):
                path = ex.path.replace("/sparql/", self.sparql_path, 1) if ex.path.startswith("/sparql/") else ex.path
                if ex.method == "POST" and _is_update(ex):
                    path = path.replace(self.sparql_path, self.update_path, 1)
                r = self._send(ex.method, self._localise(path, {}), ex.headers, ex.body)
                self._check_protocol(r, ex.expect, i)
        except Failure as e:
            return Outcome(test.id, test.suite, "failed", str(e))
        return Outcome(test.id, test.suite, "passed")

    def _check_protocol(self, r: httpx.Response, expect: Expect, i: int) -> None:
        _check_status(r, expect, i)
        media = r.headers.get("content-type", "").split(";")[0].strip().lower()
        if expect.format == "boolean":
            if media not in BOOLEAN_TYPES:
                raise Failure(f"request {i}: a boolean answer came as {media or 'no media type'}")
            try:
                value = bool(pyoxigraph.parse_query_results(r.content, RESULT_TYPES[media]))
            except (SyntaxError, ValueError) as e:
                raise Failure(f"request {i}: the boolean answer does not parse: {e}") from None
            if expect.boolean is not None and value != expect.boolean:
                raise Failure(f"request {i}: the answer is {value}, expected {expect.boolean}")
        elif expect.format == "tabular":
            if media not in RESULT_TYPES:
                raise Failure(f"request {i}: a SELECT answer came as {media or 'no media type'}")
            if media != "text/csv":
                try:
                    list(pyoxigraph.parse_query_results(r.content, RESULT_TYPES[media]))
                except (SyntaxError, ValueError) as e:
                    raise Failure(f"request {i}: the results do not parse: {e}") from None
        elif expect.format == "RDF":
            if media not in PROTOCOL_RDF_TYPES:
                raise Failure(f"request {i}: an RDF answer came as {media or 'no media type'}")
            _parse(r.content, media, str(r.url), i)

    # graph store protocol tests
    def run_gsp(self, tests: list[W3CTest] | None = None) -> list[Outcome]:
        return [self.run_gsp_test(t) for t in (tests if tests is not None else gsp_tests())]

    def run_gsp_test(self, test: W3CTest) -> Outcome:
        if not self.write and (self.store_writer is None or any(ex.expect.location_var for ex in test.exchanges)):
            return Outcome(test.id, test.suite, "skipped", "needs write mode (graph creation by POST)")
        variables: dict[str, str] = {}
        try:
            if self.write:
                self._update("DROP ALL")
            else:
                self.store_writer.clear()
            for i, ex in enumerate(test.exchanges, 1):
                path = self._localise(self.gsp_path + ex.path[len("/gsp"):], variables)
                body = self._localise(ex.body.decode(), variables).encode() if ex.body is not None else None
                if ex.is_write and not self.write:
                    r = self._send(ex.method, path, ex.headers, body)
                    if r.status_code != 403:
                        raise Failure(f"request {i}: a read-only server answered {ex.method} with {r.status_code}, "
                                      f"not 403")
                    self.store_writer.write(ex.method, self._graph_of(path), dict((k.lower(), v) for k, v in
                                                                                 ex.headers).get("content-type", ""),
                                            body or b"")
                    continue
                r = self._send(ex.method, path, ex.headers, body)
                self._check_gsp(r, ex, i, variables)
        except Failure as e:
            return Outcome(test.id, test.suite, "failed", str(e))
        return Outcome(test.id, test.suite, "passed")

    def _graph_of(self, path: str) -> str | None:
        url = httpx.URL(str(self.client.base_url).rstrip("/") + path)
        params = url.params
        if "default" in params:
            return None
        if "graph" in params:
            return params["graph"]
        return str(url.copy_with(query=None))

    def _check_gsp(self, r: httpx.Response, ex: Exchange, i: int, variables: dict[str, str]) -> None:
        expect = ex.expect
        _check_status(r, expect, i)
        if expect.location_var:
            location = r.headers.get("location")
            if not location:
                raise Failure(f"request {i}: no Location header")
            variables[expect.location_var] = location
        media = r.headers.get("content-type", "").split(";")[0].strip().lower()
        if expect.content_type and media != expect.content_type.split(";")[0].strip().lower():
            raise Failure(f"request {i}: Content-Type {media}, expected {expect.content_type}")
        if ex.method == "HEAD" and r.content:
            raise Failure(f"request {i}: HEAD answered with a body")
        if expect.body is not None:
            expected = rdflib.Graph().parse(data=self._localise(expect.body, variables), format="turtle")
            actual = _parse(r.content, media, str(r.url), i)
            if not isomorphic(expected, actual):
                raise Failure(f"request {i}: the graph differs from the expected one:\n{r.text}")

    # service description tests
    def run_sd(self, tests: list[W3CTest] | None = None) -> list[Outcome]:
        endpoint = str(self.client.base_url).rstrip("/") + self.sparql_path
        outcomes = []
        r = self._send("GET", self.sparql_path, [], None)
        media = r.headers.get("content-type", "").split(";")[0].strip().lower()
        graph = None
        if r.status_code == 200 and media in RDF_TYPES:
            try:
                graph = _parse(r.content, media, endpoint, 1)
            except Failure:
                graph = None
        checks = {
            "returns-rdf": (graph is not None, f"GET {self.sparql_path} answered {r.status_code} {media}"),
            "has-endpoint-triple": (graph is not None and (None, SD.endpoint, rdflib.URIRef(endpoint)) in graph,
                                    f"no sd:endpoint <{endpoint}>"),
            "conforms-to-schema": (graph is not None and any(
                (s, SD.supportedLanguage, None) in graph for s in graph.subjects(RDF.type, SD.Service)),
                "no sd:Service with sd:supportedLanguage"),
        }
        for test in tests if tests is not None else sd_tests():
            ok, why = checks.get(test.id, (False, "unknown test"))
            outcomes.append(Outcome(test.id, test.suite, "passed" if ok else "failed", "" if ok else why))
        return outcomes

    def run_all(self) -> list[Outcome]:
        return self.run_protocol() + self.run_gsp() + self.run_sd()


def _is_update(ex: Exchange) -> bool:
    content_type = dict((k.lower(), v) for k, v in ex.headers).get("content-type", "")
    return content_type.startswith("application/sparql-update") or (ex.body or b"").startswith(b"update=")


def _check_status(r: httpx.Response, expect: Expect, i: int) -> None:
    if expect.statuses and not any(lo <= r.status_code <= hi for lo, hi in (STATUS[s] for s in expect.statuses)):
        raise Failure(f"request {i}: status {r.status_code}, expected {'/'.join(expect.statuses)}: {r.text[:300]}")


def _parse(data: bytes, media: str, base: str, i: int) -> rdflib.Graph:
    if media not in RDF_TYPES:
        raise Failure(f"request {i}: {media or 'no media type'} is not an RDF format")
    try:
        return rdflib.Graph().parse(data=data, format=RDF_TYPES[media], publicID=base)
    except Exception as e:  # noqa: BLE001 - any parser error is a failed test
        raise Failure(f"request {i}: the {media} body does not parse: {e}") from None


def report(outcomes: list[Outcome]) -> str:
    lines = [str(o) for o in outcomes]
    counts = {s: sum(o.status == s for o in outcomes) for s in ("passed", "failed", "skipped")}
    lines.append(f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--token", help="the server's update token: run every test (write mode)")
    ap.add_argument("--suite", choices=["protocol", "gsp", "sd", "all"], default="all")
    args = ap.parse_args(argv)
    with httpx.Client(base_url=args.base_url, timeout=60) as client:
        runner = Runner(client, write=bool(args.token), token=args.token)
        run: Callable[[], list[Outcome]] = {"protocol": runner.run_protocol, "gsp": runner.run_gsp,
                                            "sd": runner.run_sd, "all": runner.run_all}[args.suite]
        outcomes = run()
    print(report(outcomes))
    return 1 if any(o.status == "failed" for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
