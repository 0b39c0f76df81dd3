"""Linked data: every IRI the graph mints dereferences here, in every format, to the same graph.

rdflib (not pyoxigraph, which wrote them) parses each RDF answer; for an entity, a named graph
and the ontology, Turtle, JSON-LD, N-Triples and RDF/XML must give the same graph.
"""
from __future__ import annotations

import json
import re

import pytest
import rdflib
from fixtures.api_support import LOCAL, W3ID, make_client
from rdflib.compare import isomorphic, to_isomorphic

from jha_graph.config import PROJECT_ROOT
from jha_graph.linked_data import curie, highlights, negotiate, split_suffix
from jha_graph.namespaces import ONTOLOGY, PREFIXES

RDF_FORMATS = {"ttl": ("text/turtle", "turtle"), "jsonld": ("application/ld+json", "json-ld"),
               "nt": ("application/n-triples", "nt"), "rdf": ("application/rdf+xml", "xml")}
ENTITY = "/id/document/conclusions/conclusions-on-the-europol-report-decoding"


@pytest.fixture(scope="module")
def client():
    return make_client()


def parse(r, fmt) -> rdflib.Graph:
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == RDF_FORMATS[fmt][0]
    return rdflib.Graph().parse(data=r.content, format=RDF_FORMATS[fmt][1])


def same_graph_in_every_format(client, url) -> rdflib.Graph:
    graphs = {fmt: parse(client.get(f"{url}.{fmt}"), fmt) for fmt in RDF_FORMATS}
    ttl = graphs["ttl"]
    assert len(ttl) > 0
    for fmt, g in graphs.items():
        assert len(g) == len(ttl), fmt
        assert isomorphic(g, ttl), f"{fmt} differs from Turtle: {set(to_isomorphic(g)) ^ set(to_isomorphic(ttl))}"
    return ttl


# --------------------------------------------------------------------------------- same graph everywhere

@pytest.mark.parametrize("url", [ENTITY, "/id/org/eurojust", "/id/article/seed-article", "/id/presidency/2024-1-be",
                                 "/id/article/seed-article/evidence/5", "/id/article/seed-article/ref/2"])
def test_an_entity_parses_to_the_same_graph_in_every_format(client, url):
    g = same_graph_in_every_format(client, url)
    me = rdflib.URIRef(W3ID + url.removeprefix("/"))
    assert (me, None, None) in g or (None, None, me) in g


def test_the_ontology_parses_to_the_same_graph_in_every_format(client):
    g = same_graph_in_every_format(client, "/ontology")
    source = rdflib.Graph().parse(PROJECT_ROOT / "ontology" / "jha.ttl", format="turtle")
    assert isomorphic(g, source)


def test_a_named_graph_parses_to_the_same_graph_in_every_format(client):
    g = same_graph_in_every_format(client, "/graph/article/seed-article")
    art = rdflib.URIRef(W3ID + "id/article/seed-article")
    assert (art, rdflib.RDF.type, rdflib.URIRef(ONTOLOGY + "Article")) in g
    links = same_graph_in_every_format(client, "/graph/links")
    assert len(links) == 3


def test_negotiated_answers_equal_the_suffixed_ones(client):
    for fmt, (media, _) in RDF_FORMATS.items():
        negotiated = client.get(ENTITY, headers={"accept": media})
        assert negotiated.content == client.get(f"{ENTITY}.{fmt}").content
        assert negotiated.headers["content-location"] == f"http://testserver{ENTITY}.{fmt}"


# --------------------------------------------------------------------------------- what a description holds

def test_the_description_holds_both_directions_and_the_evidence(client):
    g = parse(client.get(ENTITY + ".ttl"), "ttl")
    jha = rdflib.Namespace(ONTOLOGY)
    doc = rdflib.URIRef(W3ID + ENTITY.removeprefix("/"))
    seed = rdflib.URIRef(W3ID + "id/article/seed-article")
    meeting = rdflib.URIRef(W3ID + "id/meeting/2024-06-13--2024-06-14-jha-council")
    assert (doc, jha.adoptedAt, meeting) in g                       # out
    assert (seed, jha.mentions, doc) in g                           # in
    assert (meeting, rdflib.RDFS.label, rdflib.Literal("JHA Council")) in g  # a neighbour's name
    evidence = list(g.subjects(jha.about, doc))
    assert len(evidence) == 1
    assert "Europol report" in str(g.value(evidence[0], jha.sentence))
    assert g.value(evidence[0], rdflib.URIRef(PREFIXES["prov"] + "wasQuotedFrom")) == seed
    assert str(g.value(seed, rdflib.URIRef(PREFIXES["dcterms"] + "title"))).startswith("Belgian Council Presidency")


def test_jsonld_is_compact_with_the_published_context(client):
    published = client.get("/context.jsonld")
    assert published.headers["content-type"] == "application/ld+json"
    context = published.json()["@context"]
    assert context["jha"] == ONTOLOGY and context == PREFIXES
    doc = client.get(ENTITY + ".jsonld").json()
    assert doc["@context"] == context
    node = next(n for n in doc["@graph"] if n["@id"] == W3ID + ENTITY.removeprefix("/"))
    assert node["@type"] == ["jha:Conclusions"]
    assert node["jha:date"] == [{"@value": "2024-06-13", "@type": "xsd:date"}]
    assert {"@id": W3ID + "id/org/council"} in node["jha:issuedBy"]


def test_turtle_declares_only_the_prefixes_it_uses(client):
    ttl = client.get("/id/org/eurojust.ttl").text
    declared = set(re.findall(r"@prefix ([\w-]+):", ttl))
    assert {"jha", "skos"} <= declared and "eli" not in declared and "wd" not in declared


# --------------------------------------------------------------------------------- negotiation

@pytest.mark.parametrize("accept,expected", [
    (None, "text/html"),
    ("*/*", "text/html"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
    ("text/turtle", "text/turtle"),
    ("application/x-turtle", "text/turtle"),
    ("application/ld+json", "application/ld+json"),
    ("application/n-triples", "application/n-triples"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("application/json", "application/json"),
    ("text/turtle;q=0.5, application/rdf+xml;q=0.9", "application/rdf+xml"),
    ("application/*", "application/ld+json"),
    ("text/*;q=0.1, application/n-triples;q=0.2", "application/n-triples"),
])
def test_content_negotiation(client, accept, expected):
    headers = {"accept": accept} if accept is not None else {}
    r = client.get("/id/org/eurojust", headers=headers)
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == expected
    assert "Accept" in [v.strip() for v in r.headers["vary"].split(",")]


def test_suffix_overrides_accept_and_link_lists_the_other_formats(client):
    r = client.get("/id/org/eurojust.nt", headers={"accept": "text/html"})
    assert r.headers["content-type"] == "application/n-triples"
    assert "content-location" not in r.headers
    links = r.headers["link"]
    for fmt in ("html", "ttl", "jsonld", "rdf", "json"):
        assert f"<http://testserver/id/org/eurojust.{fmt}>; rel=\"alternate\"" in links
    assert ".nt>" not in links


def test_unacceptable_accept_is_406_in_the_error_shape(client):
    r = client.get("/id/org/eurojust", headers={"accept": "image/png, text/csv"})
    assert r.status_code == 406 and r.json()["error"]["where"] == "accept"


def test_unknown_iris_are_404_as_html_for_browsers_and_json_for_clients(client):
    html = client.get("/id/org/nobody", headers={"accept": "text/html"})
    assert html.status_code == 404 and html.headers["content-type"].startswith("text/html")
    assert "<h1>404 Not Found</h1>" in html.text
    rdf = client.get("/id/org/nobody.ttl")
    assert rdf.status_code == 404 and rdf.json()["error"]["status"] == 404
    assert client.get("/id/").status_code == 404
    assert client.get("/graph/article/nobody").status_code == 404


def test_head_answers_like_get_without_a_body(client):
    get, head = client.get("/id/org/eurojust.ttl"), client.head("/id/org/eurojust.ttl")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]


def test_the_json_view_is_the_api_view(client):
    ld = client.get("/id/org/eurojust.json").json()["data"]
    api = client.get("/api/entities/org/eurojust").json()["data"]
    assert ld["iri"] == api["iri"] and ld["facts"] == api["facts"] and ld["sources"] == api["sources"]


# --------------------------------------------------------------------------------- the base IRI

def test_a_w3id_base_is_served_from_this_server(client):
    g = parse(client.get("/id/org/eurojust.ttl"), "ttl")
    assert (rdflib.URIRef(W3ID + "id/org/eurojust"), None, None) in g
    page = client.get("/id/org/eurojust").text
    assert 'href="/id/article/seed-article"' in page  # links stay on this server


def test_a_localhost_base_mints_iris_that_are_this_server():
    c = make_client(LOCAL)
    g = parse(c.get("/id/org/eurojust.ttl"), "ttl")
    assert (rdflib.URIRef(LOCAL + "id/org/eurojust"), None, None) in g
    assert not [s for s in g.subjects() if str(s).startswith(W3ID + "id/")]
    assert c.get("/graph/reference.nt").status_code == 200


def test_behind_a_proxy_links_keep_the_mount_point():
    from fastapi.testclient import TestClient

    from jha_graph.api.app import create_app
    from fixtures.api_support import fixture_store, make_settings

    settings = make_settings("https://example.org/jha/")
    app = create_app(settings, fixture_store(settings))
    c = TestClient(app, root_path="/jha", raise_server_exceptions=False)
    r = c.get("/id/org/eurojust")
    assert r.status_code == 200
    assert 'href="/jha/id/article/seed-article"' in r.text and 'href="/jha/static/style.css"' in r.text
    g = parse(c.get("/id/org/eurojust.ttl"), "ttl")
    assert (rdflib.URIRef("https://example.org/jha/id/org/eurojust"), None, None) in g


# --------------------------------------------------------------------------------- HTML pages of entities

def test_the_entity_page_shows_facts_sources_and_formats(client):
    r = client.get(ENTITY)
    html = r.text
    assert r.headers["content-type"].startswith("text/html")
    assert "<h1>Conclusions on the Europol report" in html
    assert '<a href="/id/meeting/2024-06-13--2024-06-14-jha-council">JHA Council</a>' in html
    assert '<a href="/ontology#adoptedAt">' in html
    assert '<a href="/id/article/seed-article">Belgian Council Presidency' in html
    assert "<blockquote" in html and "costs: EUR 1.5m" in html
    for fmt in ("ttl", "jsonld", "nt", "rdf", "json"):
        assert f'href="{ENTITY}.{fmt}"' in html
    assert f'<link rel="alternate" type="text/turtle" href="{ENTITY}.ttl">' in html


def test_the_sentence_highlights_the_entity(client):
    html = client.get("/id/org/eurojust").text
    assert "its link with <mark>Eurojust</mark>." in html


def test_graph_pages(client):
    html = client.get("/graph/article/seed-article").text
    assert "Belgian Council Presidency" in html and 'href="/graph/article/seed-article.ttl"' in html
    data = client.get("/graph/article/seed-article.json").json()["data"]
    assert data["triples"] > 50 and W3ID + "id/article/seed-article" in data["subjects"]


# --------------------------------------------------------------------------------- the ontology

def test_the_ontology_page_documents_every_class_and_property(client):
    html = client.get("/ontology").text
    source = rdflib.Graph().parse(PROJECT_ROOT / "ontology" / "jha.ttl", format="turtle")
    owl = rdflib.OWL
    terms = {s for kind in (owl.Class, owl.ObjectProperty, owl.DatatypeProperty, owl.AnnotationProperty)
             for s in source.subjects(rdflib.RDF.type, kind) if isinstance(s, rdflib.URIRef)}
    own = [t for t in terms if str(t).startswith(ONTOLOGY)]
    assert len(own) > 50
    for t in terms:
        own_term = str(t).startswith(ONTOLOGY)
        anchor = str(t)[len(ONTOLOGY):] if own_term else re.sub(r"[^A-Za-z0-9_-]", "-", curie(str(t)))
        assert f'id="{anchor}"' in html, t
    for t in own:
        label = source.value(t, rdflib.RDFS.label)
        assert str(label) in html.replace("&#39;", "'"), t
    assert "href=\"https://schema.org/\"" in html or "schema:" in html


def test_the_ontology_page_is_rendered_once(client, monkeypatch):
    from jha_graph.linked_data import OntologyDoc

    client.get("/ontology")
    calls = []
    original = OntologyDoc.model
    monkeypatch.setattr(OntologyDoc, "model", lambda self: calls.append(1) or original(self))
    first, second = client.get("/ontology"), client.get("/ontology.html")
    assert first.text == second.text and calls == []


def test_the_ontology_turtle_is_the_source_file(client):
    r = client.get("/ontology", headers={"accept": "text/turtle"})
    assert r.content == (PROJECT_ROOT / "ontology" / "jha.ttl").read_bytes()
    model = client.get("/ontology.json").json()["data"]
    assert model["iri"] == "https://w3id.org/jha-graph/ontology"
    article = next(c for c in model["classes"] if c["curie"] == "jha:Article")
    assert article["definition"] and article["anchor"] == "Article"


def test_term_iris_of_the_ontology_are_described_too(client):
    e = client.get("/api/entity?iri=jha:mentions").json()["data"]
    assert e["label"] == "mentions"


# --------------------------------------------------------------------------------- helpers

def test_helpers():
    assert split_suffix("org/eurojust.ttl") == ("org/eurojust", "ttl")
    assert split_suffix("article/v1.2") == ("article/v1.2", None)
    assert negotiate("", ["html", "ttl"]) == "html"
    assert negotiate("text/turtle;q=0", ["html", "ttl"]) is None
    assert highlights("EPPO and the eppo", ["EPPO", "Office"]) == [[0, 4], [13, 17]]
    assert json.loads(json.dumps(highlights("", ["x"]))) == []


def test_every_iri_the_ingested_graph_mints_dereferences():
    from pyoxigraph import NamedNode

    from jha_graph.ingest import ingest
    from jha_graph.store import EmbeddedStore
    from fixtures.api_support import make_settings

    settings = make_settings(LOCAL)
    store = EmbeddedStore(None)
    assert ingest([PROJECT_ROOT / "data" / "articles"], store, settings).ingested
    c = make_client(LOCAL, store=store)
    minted = {t.value for q in store.quads() for t in (q.subject, q.object, q.graph_name)
              if isinstance(t, NamedNode) and t.value.startswith((LOCAL + "id/", LOCAL + "graph/"))}
    assert len(minted) > 300
    for iri in sorted(minted):
        r = c.get(iri.removeprefix(LOCAL.rstrip("/")) + ".nt")
        assert r.status_code == 200, iri
        if "/id/" in iri:  # an entity's description is about it; a graph's answer is its statements
            assert f"<{iri}>" in r.text
        else:
            assert r.text.strip()


def test_an_entity_stated_by_many_shows_some_with_the_count_and_a_link_to_all(client, monkeypatch):
    """Past the limit of subjects a property (1 here), the JSON and the page give the count of all and
    a link to the SPARQL query that lists them, which answers with that many."""
    from jha_graph import linked_data

    most = client.get("/sparql", params={"query": (
        f"SELECT ?o (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?o), '{W3ID}id/')) }} "
        "GROUP BY ?o ?p ORDER BY DESC(?n) ?o LIMIT 1")}).json()["results"]["bindings"][0]
    assert int(most["n"]["value"]) >= 3
    key = most["o"]["value"].removeprefix(W3ID + "id/")
    monkeypatch.setattr(linked_data, "INCOMING_LIMIT", 1)
    data = client.get(f"/api/entities/{key}").json()["data"]
    cut = [f for f in data["inverse"] if "more" in f]
    assert cut, [(f["property"]["iri"], f["count"]) for f in data["inverse"]]
    for f in cut:
        assert len(f["subjects"]) == 1 < f["count"]
        answer = client.get(f["more"].removeprefix("http://testserver"), headers={"accept": "application/json"})
        assert answer.status_code == 200
        assert len(answer.json()["results"]["bindings"]) == f["count"]
    assert all("more" not in f and f["count"] == len(f["subjects"]) for f in data["inverse"] if f not in cut)
    page = client.get(f"/id/{key}", headers={"accept": "text/html"}).text
    assert f"all {cut[0]['count']} on the SPARQL endpoint" in page
    # an RDF client is told too, in a Link header
    related = client.get(f"/id/{key}.ttl").headers["link"]
    assert all(f'<{f["more"]}>; rel="related"; title="all {f["count"]} subjects of <{f["property"]["iri"]}>"'
               in related for f in cut)
    monkeypatch.setattr(linked_data, "INCOMING_LIMIT", 10_000)
    whole = client.get(f"/api/entities/{key}").json()["data"]
    assert all("more" not in f for f in whole["inverse"]) and whole["evidence"]["count"] == whole["evidence"]["shown"]
    assert 'rel="related"' not in client.get(f"/id/{key}.ttl").headers["link"]
