"""What only a real server shows: the CLI unchanged on a URL, large graphs in one request, the Graph
Store Protocol, and the clear errors of a misconfigured or absent server."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from remote_servers import free_port, start_oxigraph, stop
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, parse

from jha_graph.cli import main as cli
from jha_graph.config import Settings
from jha_graph.ingest import ingest
from jha_graph.remote import RemoteError, RemoteStore
from jha_graph.store import EmbeddedStore, QueryError, open_store

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "data" / "articles"


@pytest.fixture
def fresh_oxigraph(tmp_path):
    """An Oxigraph server of this test's own, in memory."""
    server = start_oxigraph(tmp_path, location=False)
    yield server
    stop(server.process)


def test_the_cli_runs_unchanged_on_a_url(fresh_oxigraph, monkeypatch, capsysbinary, tmp_path):
    url = fresh_oxigraph.query_url
    monkeypatch.setenv("JHA_UPDATE_URL", fresh_oxigraph.update_url)  # the only other setting it needs
    assert cli(["ingest", str(SEED), "--store", url, "-q"]) == 0
    capsysbinary.readouterr()
    assert cli(["query", str(ROOT / "queries" / "cq" / "articles.rq"), "--store", url, "--format", "json"]) == 0
    answer = json.loads(capsysbinary.readouterr().out)
    assert [b["file"]["value"] for b in answer["results"]["bindings"]] == ["seed-article.md"]
    assert cli(["export", "--store", url, "--format", "nq", "-o", str(tmp_path / "remote.nq")]) == 0
    assert cli(["stats", "--store", url, "--json"]) == 0
    remote_stats = json.loads(capsysbinary.readouterr().out)

    local = EmbeddedStore(None)
    ingest([SEED], local, Settings(store="unused"))
    from jha_graph.stats import stats

    assert remote_stats == json.loads(json.dumps(stats(local)))
    assert len(list(parse(path=str(tmp_path / "remote.nq"), format=RdfFormat.N_QUADS))) == len(local)


def test_reading_graphs_through_the_graph_store_protocol(oxigraph_server):
    store = RemoteStore(oxigraph_server.query_url, update_url=oxigraph_server.update_url,
                        gsp_url=oxigraph_server.gsp_url)
    g = NamedNode("https://w3id.org/jha-graph/graph/test/gsp")
    quads = [Quad(NamedNode("http://example.org/s"), NamedNode("http://example.org/p"), Literal(f"v{i}"), g)
             for i in range(10)] + [Quad(BlankNode(), NamedNode("http://example.org/p"), Literal("b"), g)]
    try:
        store.replace_graphs({g: quads})
        assert sorted(map(str, (q for q in store.quads(g) if not isinstance(q.subject, BlankNode)))) == \
            sorted(map(str, quads[:10]))
        assert len(list(store.quads(g))) == 11
        assert list(store.quads(NamedNode("https://w3id.org/jha-graph/graph/test/none"))) == []
    finally:
        store.drop_graphs([g])
        store.close()


@pytest.mark.slow
@pytest.mark.parametrize("server", ["oxigraph_server", "virtuoso_server"])
def test_a_large_graph_goes_in_one_request(server, request):
    """Bigger than one INSERT DATA Virtuoso compiles, with more blank-node triples than one INSERT template."""
    srv = request.getfixturevalue(server)
    settings = Settings(**srv.settings_overrides(), remote_batch_size=2)
    store = open_store(settings.store, settings=settings)
    g = NamedNode("https://w3id.org/jha-graph/graph/test/large")
    p = NamedNode("http://example.org/p")
    quads = [Quad(NamedNode(f"http://example.org/s{i}"), p, Literal(f"value {i} " + "x" * 40), g) for i in range(12000)]
    for i in range(700):
        a = BlankNode()
        quads += [Quad(NamedNode("http://example.org/list"), p, a, g), Quad(a, p, Literal(i), g)]
    small = {NamedNode(f"https://w3id.org/jha-graph/graph/test/small{i}"): [] for i in range(3)}
    for name in small:
        small[name] = [Quad(NamedNode("http://example.org/s"), p, Literal(name.value), name)]
    try:
        store.replace_graphs({g: quads, **small})
        count = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {g} {{ ?s ?p ?o }} }}")
        assert int(next(iter(count))["n"].value) == len(quads)
        chained = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {g} {{ <http://example.org/list> ?p ?b . "
                              "?b ?p ?i FILTER(isBlank(?b)) } }")
        assert int(next(iter(chained))["n"].value) == 700
        assert set(small) <= set(store.named_graphs())
    finally:
        store.drop_graphs([g, *small])
        store.close()


def test_a_server_whose_default_graph_is_not_the_union_is_refused(tmp_path):
    server = start_oxigraph(tmp_path, union=False, location=False)
    try:
        store = RemoteStore(server.query_url, update_url=server.update_url)
        g = NamedNode("https://w3id.org/jha-graph/graph/test/union")
        store.replace_graphs({g: [Quad(NamedNode("http://example.org/s"), NamedNode("http://example.org/p"),
                                       Literal("o"), g)]})
        assert len(store) == 1  # what names its graphs works
        with pytest.raises(RemoteError, match="--union-default-graph"):
            store.query("SELECT ?s WHERE { ?s ?p ?o }")
        store.close()
    finally:
        stop(server.process)


def test_virtuoso_anonymous_updates_are_refused_with_the_remedy(virtuoso_server):
    store = RemoteStore(virtuoso_server.query_url)  # the anonymous endpoint, for writing too
    with pytest.raises(RemoteError, match=r"SR186.*sparql-auth"):
        store.update("INSERT DATA { GRAPH <https://w3id.org/jha-graph/graph/test/x> { <http://a> <http://b> 1 } }")
    with pytest.raises(QueryError, match="SP030"):
        store.query("SELECT * WHERE { ?s ?p ")
    store.close()


def test_an_absent_server_is_named_in_the_error(monkeypatch):
    monkeypatch.setenv("JHA_REMOTE_RETRIES", "0")
    store = RemoteStore(f"http://127.0.0.1:{free_port()}/sparql", retries=1, timeout=5)
    with pytest.raises(RemoteError, match=r"127\.0\.0\.1.*could not be reached"):
        store.query("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert cli(["stats", "--store", store.query_url]) == 1
