"""``linked_data.describe`` gives the same quads as the one query it replaced, on every IRI of the test graphs.

``REFERENCE`` is that query, but for the neighbours' names, which it gives once each, in the least graph
that states them: a UNION of the IRI's quads both ways, the quads of the evidence nodes about it, its
neighbours' names and the titles of the articles whose graphs state it, each quad once.  It is the definition of a description; ``describe`` asks for the same in several
small anchored queries (fast at any size of graph), and must not lose or add a quad.
"""
from __future__ import annotations

import pytest
from fixtures.api_support import fixture_store, make_settings
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Variable

from jha_graph import linked_data
from jha_graph.linked_data import describe
from jha_graph.namespaces import DCTERMS, JHA, PROV, RDF, RDFS, SKOS
from jha_graph.store import EmbeddedStore

REFERENCE = """
SELECT DISTINCT ?s ?p ?o ?g ?iri WHERE {
  {
    GRAPH ?g { ?iri ?p ?o }
    BIND(?iri AS ?s)
  } UNION {
    GRAPH ?g { ?s ?p ?iri }
    BIND(?iri AS ?o)
  } UNION {
    # the evidence sentences that state it
    GRAPH ?g { ?s jha:about ?iri ; ?p ?o }
  } UNION {
    # the names of its neighbours, each once, in the least graph that states it
    { SELECT ?iri ?s ?p ?o (IRI(MIN(STR(?g0))) AS ?g) WHERE {
        { GRAPH ?g1 { ?iri ?p1 ?s } } UNION { GRAPH ?g1 { ?s ?p1 ?iri } }
        VALUES ?p { skos:prefLabel rdfs:label dcterms:title foaf:name jha:sentence jha:marker }
        GRAPH ?g0 { ?s ?p ?o }
      } GROUP BY ?iri ?s ?p ?o }
  } UNION {
    # the titles of the articles whose graphs state it
    { GRAPH ?g { ?iri ?p1 ?o1 } } UNION { GRAPH ?g { ?s1 ?p1 ?iri } }
    GRAPH ?g { ?s a jha:Article ; dcterms:title ?o }
    BIND(dcterms:title AS ?p)
  }
}
"""


def reference(store, iri: NamedNode) -> list[tuple]:
    return [(r["s"], r["p"], r["o"], r["g"]) for r in store.query(REFERENCE, substitutions={Variable("iri"): iri})]


def every_iri(store) -> list[NamedNode]:
    """Every IRI a quad of the store holds (subjects, predicates, objects, graph names)."""
    found = set()
    for q in store.quads():
        found.update(t for t in (q.subject, q.predicate, q.object, q.graph_name) if isinstance(t, NamedNode))
    return sorted(found, key=lambda t: t.value)


def assert_same(store, iris) -> int:
    """describe == REFERENCE for each IRI; the number of IRIs that have a non-empty description."""
    described = 0
    for iri in iris:
        got = describe(store, iri).quads
        want = reference(store, iri)
        assert len(got) == len(set(got)), f"{iri.value}: a quad twice"
        assert set(got) == set(want), (f"{iri.value}: only in describe {sorted(map(str, set(got) - set(want)))[:5]}, "
                                       f"only in the reference {sorted(map(str, set(want) - set(got)))[:5]}")
        described += bool(want)
    return described


def test_the_api_fixture_graph(monkeypatch):
    """Ontology (blank nodes: class lists and unions), reference data and hand-written article graphs."""
    store = fixture_store(make_settings())
    iris = every_iri(store)
    assert assert_same(store, iris) > 800  # (predicates that are never subjects or objects have none)
    # and with VALUES blocks of two terms: the queries split over many VALUES blocks answer the same
    monkeypatch.setattr(linked_data, "VALUES_PER_QUERY", 2)
    assert assert_same(store, iris[::7]) > 100


def test_the_ingested_seed_article(seed_store):
    """The graph ingest writes (an article, its evidence and cross-references, reference data, links)."""
    iris = every_iri(seed_store)
    assert assert_same(seed_store, iris) > 0.9 * len(iris)


def test_an_iri_the_graph_does_not_hold_has_an_empty_description(seed_store):
    iri = NamedNode("https://example.org/nothing")
    assert describe(seed_store, iri).quads == [] and not describe(seed_store, iri).exists


def test_shapes_the_ingested_graphs_do_not_have():
    """Blank evidence nodes and blank neighbours both ways, an entity stated in several graphs with
    neighbours named in others, two articles typed in one graph, literals, a self-loop."""
    ex = "http://example.org/"
    e, other, third = NamedNode(ex + "e"), NamedNode(ex + "other"), NamedNode(ex + "third")
    g1, g2, g3 = NamedNode(ex + "g1"), NamedNode(ex + "g2"), NamedNode(ex + "g3")
    a1, a2 = NamedNode(ex + "a1"), NamedNode(ex + "a2")
    ev_iri, ev_blank, nb_out, nb_in = NamedNode(ex + "ev"), BlankNode("ev"), BlankNode("out"), BlankNode("in")
    quads = [
        Quad(e, RDF.type, JHA.Organisation, g1), Quad(e, RDF.type, JHA.Organisation, g2),
        Quad(e, SKOS.prefLabel, Literal("E", language="en"), g1), Quad(e, RDFS.label, Literal("e"), g2),
        Quad(e, JHA.partner, other, g1), Quad(e, JHA.partner, other, g2), Quad(e, JHA.partner, e, g1),
        Quad(other, SKOS.prefLabel, Literal("Other"), g1), Quad(other, SKOS.prefLabel, Literal("Other"), g3),
        Quad(other, RDFS.label, Literal("other"), g3), Quad(other, JHA.partner, third, g3),
        Quad(third, SKOS.prefLabel, Literal("Third"), g3),
        Quad(a1, RDF.type, JHA.Article, g1), Quad(a1, DCTERMS.title, Literal("A1"), g1),
        Quad(a2, RDF.type, JHA.Article, g1), Quad(a2, DCTERMS.title, Literal("A2"), g1),
        Quad(a2, DCTERMS.title, Literal("A2 elsewhere"), g3), Quad(a1, JHA.mentions, e, g1),
        Quad(ev_iri, JHA.about, e, g1), Quad(ev_iri, JHA.sentence, Literal("E works."), g1),
        Quad(ev_iri, JHA.offset, Literal(3), g1), Quad(ev_iri, PROV.wasQuotedFrom, a1, g1),
        Quad(ev_iri, JHA.sentence, Literal("said elsewhere"), g3),
        Quad(ev_blank, JHA.about, e, g2), Quad(ev_blank, JHA.sentence, Literal("E again."), g2),
        Quad(e, JHA.range, nb_out, g2), Quad(nb_out, RDFS.label, Literal("a blank"), g2),
        Quad(nb_in, JHA.member, e, g2), Quad(nb_in, SKOS.prefLabel, Literal("a blank too"), g3),
    ]
    store = EmbeddedStore(None)
    store.raw.extend(quads)  # as they are: a SPARQL INSERT DATA would make each request's blank nodes new ones
    assert assert_same(store, every_iri(store)) == 8  # e, other, third, a1, a2, ev and the two classes
    desc = describe(store, e)
    assert (nb_in, SKOS.prefLabel, Literal("a blank too"), g3) in desc.quads
    assert (ev_blank, JHA.sentence, Literal("E again."), g2) in desc.quads
    assert (a2, DCTERMS.title, Literal("A2"), g1) in desc.quads


@pytest.mark.parametrize("kind", ["meeting", "document", "org", "presidency", "topic", "country", "article"])
def test_the_development_corpus(corpus_store, kind):
    """The 51 articles of the development corpus: entities named by many articles, with many neighbours."""
    iris = [i for i in every_iri(corpus_store) if f"/id/{kind}/" in i.value]
    if kind == "article":  # the articles, their first evidence node and first cross-reference
        iris = [i for i in iris if i.value.count("/") == 5 or i.value.endswith(("/evidence/1", "/ref/1"))]
    assert iris
    assert assert_same(corpus_store, iris) == len(iris)
