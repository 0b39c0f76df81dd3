"""``linked_data.describe`` gives the same quads as the one query it replaced, on every IRI of the test graphs.

``REFERENCE`` is that query: a UNION of the IRI's quads both ways, the quads of the evidence nodes about
it, its neighbours' names and the titles of the articles whose graphs state it, each quad once.  A
neighbour's names are those that the graphs naming it for the description state (the graph that states
its link to the IRI, the reference and ontology graphs, and for an article or its evidence and
cross-references the article's graph: ``linked_data.name_graphs``), each once, in the least of those
graphs that states it.  It is the definition of a description; ``describe`` asks for the same in several
small anchored queries (fast at any size of graph), and must not lose or add a quad.
"""
from __future__ import annotations

import pytest
from fixtures.api_support import fixture_store, make_settings
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Variable

from jha_graph import linked_data
from jha_graph.linked_data import describe
from jha_graph.namespaces import DCTERMS, JHA, PROV, RDF, RDFS, SKOS, Minter
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
    # the names of its neighbours, as the graph of the link, the reference and ontology graphs and its
    # article's graph state them, each once, in the least of those graphs that states it
    { SELECT ?iri ?s ?p ?o (IRI(MIN(STR(?g0))) AS ?g) WHERE {
        { GRAPH ?g1 { ?iri ?p1 ?s } } UNION { GRAPH ?g1 { ?s ?p1 ?iri } }
        VALUES ?p { skos:prefLabel rdfs:label dcterms:title foaf:name jha:sentence jha:marker }
        GRAPH ?g0 { ?s ?p ?o }
        FILTER(?g0 = ?g1 || ?g0 IN (?reference, ?ontology)
               || (isIRI(?s) && STRSTARTS(STR(?s), CONCAT(?base, "id/article/"))
                   && ?g0 = IRI(CONCAT(?base, "graph/article/",
                                       STRBEFORE(CONCAT(STRAFTER(STR(?s), CONCAT(?base, "id/article/")), "/"), "/")))))
      } GROUP BY ?iri ?s ?p ?o }
  } UNION {
    # the titles of the articles whose graphs state it
    { GRAPH ?g { ?iri ?p1 ?o1 } } UNION { GRAPH ?g { ?s1 ?p1 ?iri } }
    GRAPH ?g { ?s a jha:Article ; dcterms:title ?o }
    BIND(dcterms:title AS ?p)
  }
}
"""


def reference(store, iri: NamedNode, minter: Minter | None = None) -> list[tuple]:
    m = minter or Minter()  # the graphs and the base, written into the text (the names are in a subquery)
    query = (REFERENCE.replace("?reference", str(m.reference_graph)).replace("?ontology", str(m.ontology_graph))
             .replace("?base", str(Literal(m.base))))
    return [(r["s"], r["p"], r["o"], r["g"]) for r in store.query(query, substitutions={Variable("iri"): iri})]


def every_iri(store) -> list[NamedNode]:
    """Every IRI a quad of the store holds (subjects, predicates, objects, graph names)."""
    found = set()
    for q in store.quads():
        found.update(t for t in (q.subject, q.predicate, q.object, q.graph_name) if isinstance(t, NamedNode))
    return sorted(found, key=lambda t: t.value)


def assert_same(store, iris, minter: Minter | None = None) -> int:
    """describe == REFERENCE for each IRI; the number of IRIs that have a non-empty description."""
    described = 0
    for iri in iris:
        got = describe(store, iri, minter).quads
        want = reference(store, iri, minter)
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
    neighbours named in others (and by the reference graph, an article by its own graph), two articles
    typed in one graph, literals, a self-loop."""
    ex = "http://example.org/"
    e, other, third = NamedNode(ex + "e"), NamedNode(ex + "other"), NamedNode(ex + "third")
    g1, g2, g3 = NamedNode(ex + "g1"), NamedNode(ex + "g2"), NamedNode(ex + "g3")
    a1, a2 = NamedNode(ex + "a1"), NamedNode(ex + "a2")
    ev_iri, ev_blank, nb_out, nb_in = NamedNode(ex + "ev"), BlankNode("ev"), BlankNode("out"), BlankNode("in")
    m = Minter()
    article = m.article("x")
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
        Quad(nb_in, RDFS.label, Literal("in the reference"), m.reference_graph),
        Quad(other, RDFS.label, Literal("Other in the reference"), m.reference_graph),
        Quad(article, JHA.cites, e, m.links_graph), Quad(article, DCTERMS.title, Literal("X"), m.article_graph("x")),
        Quad(article, DCTERMS.title, Literal("X elsewhere"), g3),
    ]
    store = EmbeddedStore(None)
    store.raw.extend(quads)  # as they are: a SPARQL INSERT DATA would make each request's blank nodes new ones
    assert assert_same(store, every_iri(store)) == 9  # e, other, third, a1, a2, ev, the article, the two classes
    desc = describe(store, e)
    # a neighbour's names: from the graph of the link, the reference graph, an article's own graph
    assert (nb_in, RDFS.label, Literal("in the reference"), m.reference_graph) in desc.quads
    assert (other, RDFS.label, Literal("Other in the reference"), m.reference_graph) in desc.quads
    assert (other, SKOS.prefLabel, Literal("Other"), g1) in desc.quads
    assert (article, DCTERMS.title, Literal("X"), m.article_graph("x")) in desc.quads
    # not from a graph that names it but does not link it to e (its own description has those)
    assert not [q for q in desc.quads if q[2] in (Literal("a blank too"), Literal("other"), Literal("X elsewhere"))]
    assert (other, RDFS.label, Literal("other"), g3) in describe(store, other).quads
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


def test_a_property_stated_of_it_by_many_subjects_is_described_by_some_of_them_with_their_count():
    """Past ``incoming_limit`` subjects of a property: that many, each with every quad it has of the IRI
    and what the description gives for it, the number of all, and the query for all.  Its own statements
    restated in more graphs than that: each once, and whole in that many graphs; the number of graphs."""
    ex = "http://example.org/"
    e, few1, few2 = NamedNode(ex + "e"), NamedNode(ex + "few1"), NamedNode(ex + "few2")
    articles = [NamedNode(f"{ex}a{i}") for i in range(9)]
    quads = [Quad(e, SKOS.prefLabel, Literal("E"), NamedNode(ex + "ref")),
             Quad(few1, JHA.partner, e, NamedNode(ex + "ref")), Quad(few2, JHA.partner, e, NamedNode(ex + "g0"))]
    for i, a in enumerate(articles):
        g = NamedNode(f"{ex}g{i}")
        ev = NamedNode(f"{a.value}/evidence/1")
        quads += [Quad(a, RDF.type, JHA.Article, g), Quad(a, DCTERMS.title, Literal(f"A{i}"), g),
                  Quad(a, JHA.mentions, e, g), Quad(ev, JHA.about, e, g), Quad(ev, JHA.sentence, Literal(f"S{i}"), g),
                  # each article graph restates what it says of e (as ingest does for what it links to)
                  Quad(e, RDF.type, JHA.Organisation, g), Quad(e, RDFS.label, Literal("E" if i % 2 else "e"), g)]
    quads.append(Quad(articles[4], JHA.mentions, e, NamedNode(ex + "g0")))  # one subject, two graphs
    store = EmbeddedStore(None)
    store.raw.extend(quads)
    full = set(reference(store, e))
    assert set(describe(store, e).quads) == full  # the default limit is far above 9

    desc = describe(store, e, incoming_limit=3)
    got = set(desc.quads)
    assert got <= full
    assert desc.incoming == {JHA.mentions.value: 9, JHA.about.value: 9}
    for prop in (JHA.mentions, JHA.about):
        kept = {s for s, p, o, _ in got if p == prop and o == e}
        assert len(kept) == 3
        # every graph that states it of a kept subject, and the quads the description adds for it
        assert {q for q in full if q[0] in kept} <= got
        dropped = {s for s, p, o, _ in full if p == prop and o == e} - kept
        assert len(dropped) == 6 and not [q for q in got if q[0] in dropped and q[1] == prop]
        listed = [r["s"] for r in store.query(desc.all_query(prop.value))]
        assert listed == sorted({s for s, p, o, _ in full if p == prop and o == e}, key=lambda t: t.value)
    # what is under the limit is whole: the two partners
    assert {q for q in full if q[1] == JHA.partner} <= got
    # its own statements, restated in 10 graphs: each one, and all of them in 3 graphs at least
    assert desc.graphs == 10
    assert {q[:3] for q in full if q[0] == e} == {q[:3] for q in got if q[0] == e}
    own = {q for q in full if q[0] == e}
    whole = [g for g in {q[3] for q in own} if {q for q in own if q[3] == g} <= got]
    assert len(whole) >= 3
    # the view: the counts, and where the rest is
    view = desc.summary(Minter(), lambda i: i, sparql=lambda q: "sparql:" + q)
    mentions = next(f for f in view["inverse"] if f["property"]["iri"] == JHA.mentions.value)
    partners = next(f for f in view["inverse"] if f["property"]["iri"] == JHA.partner.value)
    assert (len(mentions["subjects"]), mentions["count"]) == (3, 9)
    assert mentions["more"] == "sparql:" + desc.all_query(JHA.mentions.value)
    assert (partners["count"], "more" in partners) == (2, False)
    assert view["evidence"]["count"] == 9 and view["evidence"]["shown"] == 3 and "more" in view["evidence"]
    assert view["stated_in"]["count"] == 10 and 3 <= view["stated_in"]["shown"] < 10
    assert view["stated_in"]["more"] == "sparql:" + desc.graphs_query()
    assert len(list(store.query(desc.graphs_query()))) == 10
