"""``/export`` gives the whole graph in every format, parsed by rdflib into the same graph, streamed and
never truncated; ``/.well-known/void`` describes it in VoID and DCAT."""
from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import rdflib
from fastapi.testclient import TestClient
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode
from rdflib.compare import isomorphic

from jha_graph.api.app import create_app
from jha_graph.cli import main as cli
from jha_graph.config import Settings
from tests.api.sparql_data import ARTICLES, BASE, JHA, SAMPLE, build_store, generated
from tests.live import LiveServer

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
FORMATS = {"nq": ("application/n-quads", "nquads"), "trig": ("application/trig", "trig"),
           "ttl": ("text/turtle", "turtle"), "jsonld": ("application/ld+json", "json-ld")}
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")


def term(t):
    """A pyoxigraph term as rdflib's, written independently of any serialiser under test."""
    if isinstance(t, NamedNode):
        return rdflib.URIRef(t.value)
    if isinstance(t, BlankNode):
        return rdflib.BNode(t.value)
    if isinstance(t, Literal):
        if t.language:
            return rdflib.Literal(t.value, lang=t.language)
        datatype = None if t.datatype.value == XSD_STRING else rdflib.URIRef(t.datatype.value)
        return rdflib.Literal(t.value, datatype=datatype)
    raise TypeError(t)


def expected_graphs() -> dict[str | None, rdflib.Graph]:
    graphs: dict[str | None, rdflib.Graph] = {}
    for q in SAMPLE:
        name = None if isinstance(q.graph_name, DefaultGraph) else q.graph_name.value
        graphs.setdefault(name, rdflib.Graph()).add((term(q.subject), term(q.predicate), term(q.object)))
    return graphs


def expected_union() -> rdflib.Graph:
    union = rdflib.Graph()
    for g in expected_graphs().values():
        union += g
    return union


def actual_graphs(data: bytes, fmt: str) -> dict[str | None, rdflib.Graph]:
    ds = rdflib.Dataset()
    ds.parse(data=data, format=fmt)
    graphs: dict[str | None, rdflib.Graph] = {}
    for s, p, o, g in ds.quads((None, None, None, None)):
        name = None if g is None or g == rdflib.graph.DATASET_DEFAULT_GRAPH_ID else str(g)
        graphs.setdefault(name, rdflib.Graph()).add((s, p, o))
    return graphs


def settings(store: Path, **overrides) -> Settings:
    return Settings(**{"store": str(store), "query_workers": 2, "max_results": 10, **overrides})


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    return build_store(tmp_path_factory.mktemp("export") / "store")


@pytest.fixture(scope="module")
def client(store):
    with TestClient(create_app(settings(store))) as c:
        yield c


def error_of(r, status: int) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert body["ok"] is False and body["error"]["status"] == status
    return body["error"]


@pytest.mark.parametrize("fmt", ["nq", "trig", "jsonld"])
def test_dataset_exports_parse_into_the_same_graphs(client, fmt):
    media, rdflib_format = FORMATS[fmt]
    r = client.get("/export", params={"format": fmt})
    assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == media
    assert r.headers["content-disposition"] == f'attachment; filename="jha-graph.{fmt}"'
    actual, expected = actual_graphs(r.content, rdflib_format), expected_graphs()
    assert set(actual) == set(expected)
    for name, graph in expected.items():
        assert isomorphic(graph, actual[name]), name


def test_turtle_export_is_the_union_of_all_graphs(client):
    r = client.get("/export", params={"format": "ttl"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    assert isomorphic(rdflib.Graph().parse(data=r.content, format="turtle"), expected_union())


def test_every_format_gives_the_same_union(client):
    unions = []
    for fmt, (_, rdflib_format) in FORMATS.items():
        g = rdflib.Graph()
        for graph in actual_graphs(client.get("/export", params={"format": fmt}).content, rdflib_format).values():
            g += graph
        unions.append(g)
    assert all(isomorphic(unions[0], u) for u in unions[1:])


def test_export_is_negotiated_and_nquads_by_default(client):
    assert client.get("/export").headers["content-type"] == "application/n-quads"
    r = client.get("/export", headers={"accept": "application/trig"})
    assert r.headers["content-type"] == "application/trig" and "Accept" in r.headers["vary"]
    assert client.get("/export", params={"format": "ttl"}, headers={"accept": "application/trig"}) \
        .headers["content-type"].startswith("text/turtle")
    assert "nq" in error_of(client.get("/export", params={"format": "html"}), 400)["detail"]
    error = error_of(client.get("/export", params={"format": "csv"}), 406)  # a format, but not of a dataset
    assert error["where"] == "format" and "(csv)" in error["detail"] and "application/n-quads" in error["detail"]
    assert "application/n-quads" in error_of(client.get("/export", headers={"accept": "text/csv"}), 406)["detail"]


def test_export_is_streamed_and_never_truncated(tmp_path):
    """max_results is 10; the export holds all 30 000 quads, and arrives in many chunks."""
    big = build_store(tmp_path / "big", generated(30_000))
    with TestClient(create_app(settings(big))) as c, c.stream("GET", "/export") as r:
        chunks = list(r.iter_raw())
    assert len(chunks) > 10
    lines = b"".join(chunks).decode().splitlines()
    assert len(lines) == 30_000 and len(set(lines)) == 30_000


def test_cli_export_matches_the_http_export(client, store, tmp_path):
    out = tmp_path / "graph.nq"
    assert cli(["export", "--store", str(store), "--format", "nq", "-o", str(out)]) == 0
    from_cli = actual_graphs(out.read_bytes(), "nquads")
    from_http = actual_graphs(client.get("/export").content, "nquads")
    assert set(from_cli) == set(from_http) and all(isomorphic(from_cli[k], from_http[k]) for k in from_cli)


@pytest.mark.live
def test_live_export_and_a_client_that_leaves_early(tmp_path):
    big = build_store(tmp_path / "big", generated(50_000))
    with LiveServer(big) as server, httpx.Client(base_url=server.url, timeout=30) as http:
        with http.stream("GET", "/export", params={"format": "nq"}) as r:
            first = next(r.iter_bytes())
        assert first  # gone after one chunk: the dump thread must stop, the server go on
        with http.stream("GET", "/export") as r:
            lines = sum(chunk.count(b"\n") for chunk in r.iter_bytes())
        assert lines == 50_000
        assert http.get("/sparql", params={"query": "ASK {}"}).status_code == 200


# --- VoID and DCAT ----------------------------------------------------------------------------------

DATASET = rdflib.URIRef(BASE + "dataset")


@pytest.mark.parametrize("accept, fmt", [(None, "turtle"), ("application/ld+json", "json-ld"),
                                         ("application/n-triples", "nt")])
def test_void_description(client, accept, fmt):
    r = client.get("/.well-known/void", headers={"accept": accept} if accept else {})
    assert r.status_code == 200 and "Accept" in r.headers["vary"]
    g = rdflib.Graph().parse(data=r.content, format=fmt)
    assert (DATASET, rdflib.RDF.type, VOID.Dataset) in g and (DATASET, rdflib.RDF.type, DCAT.Dataset) in g
    assert (DATASET, DCT.license, rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/")) in g
    assert g.value(DATASET, VOID.triples).toPython() == len(expected_union())
    assert g.value(DATASET, VOID.entities).toPython() == len(ARTICLES) + 1  # three articles and Europol
    assert (DATASET, VOID.sparqlEndpoint, rdflib.URIRef("http://testserver/sparql")) in g
    dumps = set(g.objects(DATASET, VOID.dataDump))
    assert dumps == {rdflib.URIRef(f"http://testserver/export?format={f}") for f in FORMATS}
    downloads = {g.value(d, DCAT.downloadURL) for d in g.objects(DATASET, DCAT.distribution)}
    assert downloads == dumps
    vocabularies = {str(v) for v in g.objects(DATASET, VOID.vocabulary)}
    assert {JHA, "http://purl.org/dc/terms/", "http://www.w3.org/2004/02/skos/core#"} <= vocabularies
    partitions = {str(g.value(p, VOID["class"])): g.value(p, VOID.entities).toPython()
                  for p in g.objects(DATASET, VOID.classPartition)}
    assert partitions == {JHA + "Article": len(ARTICLES), JHA + "Agency": 1}
    examples = {str(e) for e in g.objects(DATASET, VOID.exampleResource)}
    assert examples & {BASE + "id/article/" + s for s in ARTICLES} and BASE + "id/org/europol" in examples
    assert (None, DCAT.servesDataset, DATASET) in g


def test_void_follows_the_store(tmp_path):
    """The counts are cached per store generation: a write elsewhere shows at the next request."""
    from pyoxigraph import Quad, Store

    path = build_store(tmp_path / "store")
    with TestClient(create_app(settings(path))) as c:
        first = rdflib.Graph().parse(data=c.get("/.well-known/void").content, format="turtle")
        writer = Store(str(path))  # the server is read-only: another process may write
        writer.add(Quad(NamedNode("http://example.org/a"), NamedNode("http://example.org/b"), Literal("c"),
                        NamedNode("http://example.org/g")))
        writer.flush()
        del writer
        second = rdflib.Graph().parse(data=c.get("/.well-known/void").content, format="turtle")
    assert second.value(DATASET, VOID.triples).toPython() == first.value(DATASET, VOID.triples).toPython() + 1
