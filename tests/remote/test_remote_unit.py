"""RemoteStore without a server: the query text it sends, the updates it writes, and how it answers
HTTP failures (through httpx's MockTransport)."""
from __future__ import annotations

from urllib.parse import parse_qs

import httpx
import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, QueryBoolean, QuerySolutions, Variable

from jha_graph.remote import (
    DATA_TRIPLES_PER_OPERATION,
    TEMPLATE_TRIPLES_PER_OPERATION,
    RemoteError,
    RemoteStore,
    graph_operations,
    prepare,
    reads_only_named_graphs,
)
from jha_graph.store import QueryError

IRI = NamedNode("http://example.org/a")
XML_TRUE = b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/><boolean>true</boolean></sparql>'
XML_EMPTY = (b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>'
             b'<variable name="s"/></head><results></results></sparql>')


# --- the query text ---------------------------------------------------------------------------------

def test_values_go_at_the_start_of_the_top_level_where_group():
    q = prepare("SELECT ?s ?o WHERE { ?s ?p ?o { SELECT ?x WHERE { ?x ?y ?z } } }", {Variable("o"): IRI})
    assert q.startswith("SELECT ?s ?o WHERE { VALUES (?o) { (<http://example.org/a>) } ?s ?p ?o {")
    assert prepare("ASK { ?s ?p ?o }", {Variable("o"): IRI}).startswith("ASK { VALUES (?o)")
    c = prepare("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }", {Variable("g"): IRI})
    assert c.startswith("CONSTRUCT { ?s ?p ?o } WHERE { VALUES (?g) { (<http://example.org/a>) } GRAPH")
    # a brace in a string or an IRI-like comparison is not a group
    q = prepare('SELECT ?s ?v WHERE { FILTER(?v < 3) ?s ?p "{ }" }', {Variable("v"): Literal(1)})
    assert 'WHERE { VALUES (?v) { ("1"^^<http://www.w3.org/2001/XMLSchema#integer>) } FILTER' in q


def test_terms_are_written_by_pyoxigraph_never_pasted():
    evil = Literal('x" } ; DROP ALL ; INSERT DATA { <a> <b> "c', language="en")
    q = prepare("SELECT ?o WHERE { ?s ?p ?o }", {Variable("o"): evil})
    assert '"x\\" } ; DROP ALL ; INSERT DATA { <a> <b> \\"c"@en' in q
    with pytest.raises(QueryError, match="blank node"):
        prepare("SELECT ?o WHERE { ?s ?p ?o }", {Variable("o"): BlankNode()})


def test_a_parameter_must_be_projected_like_pyoxigraph_wants():
    with pytest.raises(QueryError, match="projection"):
        prepare("SELECT ?s WHERE { ?s ?p ?o }", {Variable("o"): IRI})
    assert "VALUES" in prepare("SELECT * WHERE { ?s ?p ?o }", {Variable("o"): IRI})


def test_only_used_undeclared_project_prefixes_are_declared():
    q = prepare("PREFIX jha: <http://other/> SELECT ?s WHERE { ?s a jha:X ; skos:prefLabel|rdfs:label ?l }")
    assert "PREFIX jha: <https://w3id.org" not in q
    assert "PREFIX skos:" in q and "PREFIX rdfs:" in q and "PREFIX foaf:" not in q


def test_virtuoso_rewrites():
    # its own schema graph is excluded, unless a query names its graphs (then Virtuoso finds nothing)
    assert "input:default-graph-exclude" in prepare("SELECT * WHERE { ?s ?p ?o }", virtuoso=True)
    assert "DEFINE" not in prepare("SELECT * WHERE { GRAPH <http://g> { ?s ?p ?o } }", virtuoso=True)
    # GRAPH x { } matches only graphs that exist
    q = prepare("ASK { GRAPH <http://g> { } }", virtuoso=True)
    assert "{ SELECT ?jha_none WHERE { GRAPH <http://g> { ?jha_s ?jha_p ?jha_o } } LIMIT 1 }" in q
    q = prepare("SELECT (COUNT(DISTINCT ?g) AS ?n) { GRAPH ?g { } }", virtuoso=True)
    assert "{ SELECT DISTINCT ?g WHERE { GRAPH ?g { ?jha_s ?jha_p ?jha_o } } }" in q
    # a graph outside the dataset given matches nothing
    q = prepare("SELECT * { GRAPH <http://out> { ?s ?p ?o } GRAPH <http://in> { ?s ?q ?r } }", virtuoso=True,
                named=["http://in"])
    assert "{ FILTER(false) } GRAPH <http://in>" in q
    # parameters are written in (not in sub-selects, nor where assigned) and constants folded
    q = prepare('SELECT ?e ?t WHERE { ?e a ?c FILTER(COALESCE(?t, "") = "" || EXISTS { ?e a/rdfs:subClassOf* ?t }) '
                'FILTER(BOUND(?t)) { SELECT ?t WHERE { ?t ?p ?o } } BIND(1 AS ?t) }',
                {Variable("t"): IRI}, virtuoso=True)
    assert 'FILTER(<http://example.org/a> = "" || EXISTS { ?e a/rdfs:subClassOf* <http://example.org/a> })' in q
    assert "BOUND(?t)" in q and "{ SELECT ?t WHERE { ?t ?p ?o } }" in q and "AS ?t" in q
    assert q.rstrip().endswith("VALUES (?t) { (<http://example.org/a>) }\n}")


def test_reads_only_named_graphs():
    assert reads_only_named_graphs("ASK { GRAPH <http://g> { } }")
    assert reads_only_named_graphs("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } . GRAPH <x> { ?s ?p ?q } }")
    assert not reads_only_named_graphs("SELECT (COUNT(*) AS ?n) { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } }")
    assert not reads_only_named_graphs("SELECT * { GRAPH ?g { ?s ?p ?o } FILTER(?s != ?o) }")


# --- writing graphs -------------------------------------------------------------------------------------

def test_one_graph_is_replaced_by_operations_every_server_accepts():
    g = NamedNode("http://example.org/g")
    p = NamedNode("http://example.org/p")
    ground = [Quad(NamedNode(f"http://example.org/s{i}"), p, Literal(i), g)
              for i in range(DATA_TRIPLES_PER_OPERATION + 5)]
    chains = []
    for _ in range(TEMPLATE_TRIPLES_PER_OPERATION // 3 + 10):  # chains of three triples that share blank nodes
        a, b = BlankNode(), BlankNode()
        chains += [Quad(IRI, p, a, g), Quad(a, p, b, g), Quad(b, p, Literal("end"), g)]
    ops = graph_operations(g, ground + chains)
    assert ops[0] == "DROP SILENT GRAPH <http://example.org/g>"
    data = [o for o in ops if o.startswith("INSERT DATA")]
    templates = [o for o in ops if o.startswith("INSERT {")]
    assert len(data) == 2 and len(templates) == 2
    assert all("_:" not in o for o in data) and all(o.endswith("WHERE {}") for o in templates)
    for a, b in [(x.subject, x.object) for x in chains if isinstance(x.subject, BlankNode)]:
        holding = [o for o in templates if str(a) in o]
        assert len(holding) == 1 and str(b) in holding[0]  # a blank node lives in one operation only


# --- HTTP ----------------------------------------------------------------------------------------------

def store_with(handler, **kw) -> RemoteStore:
    kw.setdefault("retries", 2)
    return RemoteStore("http://sparql.test/query", update_url="http://sparql.test/update",
                       transport=httpx.MockTransport(handler), **kw)


def form(request) -> dict:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


def test_retries_a_busy_server_then_answers(monkeypatch):
    monkeypatch.setattr("time.sleep", lambda s: None)
    calls = []

    def handler(request):
        calls.append(request)
        if len(calls) < 3:
            return httpx.Response(503, text="busy")
        body = XML_TRUE if form(request)["query"].startswith("ASK") else XML_EMPTY  # SELECT: the union probe
        return httpx.Response(200, content=body, headers={"content-type": "application/sparql-results+xml"})

    result = store_with(handler).query("ASK { GRAPH ?g { ?s ?p ?o } }")
    assert isinstance(result, QueryBoolean) and bool(result) and len(calls) == 5


def test_errors_name_the_server_the_status_and_what_to_do(monkeypatch):
    monkeypatch.setattr("time.sleep", lambda s: None)

    def answer(status, text="", headers=None):
        return lambda request: httpx.Response(status, text=text, headers=headers or {})

    with pytest.raises(QueryError, match=r"sparql.test/query rejected it: syntax error"):
        store_with(answer(400, "syntax error")).query("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }")
    with pytest.raises(RemoteError, match="JHA_REMOTE_USER"):
        store_with(answer(401)).update("INSERT DATA { GRAPH <http://g> { <a:b> <a:c> <a:d> } }")
    with pytest.raises(RemoteError, match="JHA_UPDATE_URL"):
        store_with(answer(405)).update("INSERT DATA { GRAPH <http://g> { <a:b> <a:c> <a:d> } }")
    with pytest.raises(RemoteError, match='GRANT SPARQL_UPDATE TO "SPARQL"'):
        store_with(answer(500, "Virtuoso 42000 Error SR186:SECURITY: No permission to execute procedure")).update(
            "INSERT DATA { GRAPH <http://g> { <a:b> <a:c> <a:d> } }")
    with pytest.raises(RemoteError, match=r"HTTP 503"):
        store_with(answer(503, "down")).query("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }")
    with pytest.raises(RemoteError, match="could not be reached"):
        store_with(lambda request: (_ for _ in ()).throw(httpx.ConnectError("refused"))).query("ASK {}")


def test_answers_the_server_cut_are_refused():
    xml = {"content-type": "application/sparql-results+xml"}
    for headers, match in [({"x-sparql-maxrows": "10000"}, "ResultSetMaxRows"),
                           ({"x-sql-state": "S1TAT", "x-sql-message": "RC...: Returning incomplete results"},
                            "partial answer")]:
        store = store_with(lambda request, h=headers: httpx.Response(200, content=XML_EMPTY, headers={**xml, **h}))
        with pytest.raises(RemoteError, match=match):
            store.query("SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } }")


def test_a_server_without_the_union_default_graph_is_refused():
    def handler(request):
        q = form(request)["query"]
        if q.startswith("SELECT ?s ?p ?o"):
            return httpx.Response(200, headers={"content-type": "application/sparql-results+xml"}, content=(
                b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>'
                b'<variable name="s"/><variable name="p"/><variable name="o"/></head><results><result><binding name="s"><uri>http://x/s</uri>'
                b'</binding><binding name="p"><uri>http://x/p</uri></binding><binding name="o"><literal>o</literal>'
                b'</binding></result></results></sparql>'))
        body = XML_TRUE.replace(b"true", b"false") if q.startswith("ASK") else XML_TRUE
        return httpx.Response(200, content=body, headers={"content-type": "application/sparql-results+xml"})

    with pytest.raises(RemoteError, match="--union-default-graph"):
        store_with(handler).query("SELECT ?s WHERE { ?s ?p ?o }")


def test_virtuoso_is_recognised_and_its_blank_node_ids_read():
    sent = []

    def handler(request):
        sent.append(form(request).get("query", ""))
        body = (b'<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head><variable name="s"/></head><results>'
                b'<result><binding name="s"><bnode>nodeID://b10001</bnode></binding></result></results></sparql>')
        if "VALUES ?g" in sent[-1]:
            body = XML_EMPTY
        return httpx.Response(200, content=body, headers={"server": "Virtuoso/07.20.3229 (Linux)",
                                                          "content-type": "application/sparql-results+xml"})

    result = store_with(handler).query("SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert isinstance(result, QuerySolutions)
    assert [r["s"] for r in result] == [BlankNode("b10001")]
    assert sent[-1].startswith("DEFINE input:default-graph-exclude <http://www.openlinksw.com/schemas/virtrdf#>")


def test_credentials_answer_the_challenge_the_server_makes():
    for challenge, scheme in [('Digest realm="SPARQL", nonce="abc", qop="auth", algorithm="MD5"', "Digest"),
                              ('Basic realm="fuseki"', "Basic")]:
        seen = []

        def handler(request, challenge=challenge):
            seen.append(request.headers.get("authorization", ""))
            if not seen[-1]:
                return httpx.Response(401, headers={"www-authenticate": challenge})
            return httpx.Response(200)

        store = store_with(handler, user="dba", password="secret")
        store.update("INSERT DATA { GRAPH <http://g> { <a:b> <a:c> <a:d> } }")
        store.update("INSERT DATA { GRAPH <http://g> { <a:b> <a:c> <a:e> } }")
        assert seen[1].startswith(scheme) and seen[-1].startswith(scheme)
        assert len(seen) == 3  # the second request carries the credentials at once
