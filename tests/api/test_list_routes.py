"""The JSON list routes answer as the single queries they replaced, on the test graphs.

Each ``REFERENCE_*`` is a route's query as it was (word for word): one SELECT with every filter and every
OPTIONAL over the whole graph, grouped, sorted and cut by SPARQL.  Over the union of the article graphs
those multiplied out (seconds to hours from a few hundred articles on), but their answer is the definition:
on the small test graphs (the API fixture, the seed article, the development corpus) both run, and the
routes' queries must give the same rows, for each filter and page.
"""
from __future__ import annotations

import itertools

import pytest
from fixtures.api_support import fixture_store, make_settings
from pyoxigraph import BlankNode, Literal, NamedNode, Quad

from jha_graph.api.deps import Page
from jha_graph.api.routers.api import (DOCUMENT_VALUES, MEETING_KINDS, MEETING_VALUES, NAME_PATH, hi, lo, pairs_of, rows,
                                      run)
from jha_graph.api.routers.api_documents import DOCUMENT_TYPES, document_class, documents_page
from jha_graph.api.routers.api_articles import (CITED_BY, CROSSREFS, article_lookup, article_row, articles_page,
                                               mentions_of)
from jha_graph.api.routers.api_entities import LABEL, LABEL_OPTIONALS, entities_page
from jha_graph.api.routers.api_meetings import meetings_page
from jha_graph.api.routers.api_presidencies import articles_mentioning, documents_under, meetings_under
from jha_graph.api.routers.api_timeline import timeline_page
from jha_graph.namespaces import DCTERMS, ONTOLOGY, RDF, RDFS, SKOS, XSD, Minter, Namespace
from jha_graph.store import EmbeddedStore

REFERENCE_DOCUMENTS = f"""
SELECT ?d (MIN(?t) AS ?title) (SAMPLE(?ty) AS ?type) (MIN(STR(?dt)) AS ?date)
       ({pairs_of("?mt", "?mtLabel")} AS ?adoptedAt) (MIN(STR(?mtStart)) AS ?adoptedOn)
       ({pairs_of("?by", "?byName")} AS ?issuedBy)
       ({pairs_of("?pr", "?prName")} AS ?presidencies)
       ({pairs_of("?tp", "?tpName")} AS ?topics)
       ({pairs_of("?a", "?aTitle")} AS ?articles)
       ?_type ?_from ?_to ?_topic ?_presidency ?_after
WHERE {{
  VALUES (?cls ?ty) {{ {DOCUMENT_VALUES} }}
  ?d a ?cls .
  FILTER(STR(?d) > COALESCE(?_after, ""))
  FILTER(COALESCE(?_type, ?cls) = ?cls)
  OPTIONAL {{ ?d jha:date ?dt }}
  FILTER(COALESCE(?_from, "") = "" || (BOUND(?dt) && {hi("?dt")} >= ?_from))
  FILTER(COALESCE(?_to, "") = "" || (BOUND(?dt) && {lo("?dt")} <= ?_to))
  FILTER(COALESCE(?_topic, "") = "" || EXISTS {{ ?d dcterms:subject ?_topic }})
  FILTER(COALESCE(?_presidency, "") = "" || EXISTS {{ ?d jha:underPresidency ?_presidency }})
  OPTIONAL {{ ?d dcterms:title ?t }}
  OPTIONAL {{ ?d jha:adoptedAt ?mt . OPTIONAL {{ ?mt rdfs:label ?mtLabel }} OPTIONAL {{ ?mt jha:startDate ?mtStart }} }}
  OPTIONAL {{ ?d jha:issuedBy ?by . OPTIONAL {{ ?by skos:prefLabel ?byName }} }}
  OPTIONAL {{ ?d jha:underPresidency ?pr . OPTIONAL {{ ?pr rdfs:label ?prName }} }}
  OPTIONAL {{ ?d dcterms:subject ?tp . OPTIONAL {{ ?tp skos:prefLabel ?tpName }} }}
  OPTIONAL {{ ?a jha:mentions ?d ; a jha:Article . OPTIONAL {{ ?a dcterms:title ?aTitle }} }}
}}
GROUP BY ?d ?_type ?_from ?_to ?_topic ?_presidency ?_after
ORDER BY STR(?d)
"""


REFERENCE_MEETINGS = f"""
SELECT ?m (MIN(?l) AS ?label) (SAMPLE(?k) AS ?kind) (MIN(STR(?s)) AS ?start) (MAX(STR(?e)) AS ?end)
       ({pairs_of("?place", "?placeName")} AS ?places)
       ({pairs_of("?pr", "?prName")} AS ?presidencies)
       ({pairs_of("?a", "?aTitle")} AS ?articles)
       ?_from ?_to ?_kind ?_presidency ?_after
WHERE {{
  VALUES (?cls ?k) {{ {MEETING_VALUES} }}
  ?m a ?cls ; jha:startDate ?s .
  FILTER(STR(?m) > COALESCE(?_after, ""))
  FILTER(COALESCE(?_kind, ?cls) = ?cls)
  OPTIONAL {{ ?m jha:endDate ?e0 }}
  BIND(COALESCE(?e0, ?s) AS ?e)
  FILTER(COALESCE(?_from, "") = "" || STR(?e) >= ?_from)
  FILTER(COALESCE(?_to, "") = "" || STR(?s) <= ?_to)
  FILTER(COALESCE(?_presidency, "") = "" || EXISTS {{ ?m jha:underPresidency ?_presidency }})
  OPTIONAL {{ ?m rdfs:label ?l }}
  OPTIONAL {{ ?m jha:heldIn ?place . OPTIONAL {{ ?place rdfs:label ?placeName }} }}
  OPTIONAL {{ ?m jha:underPresidency ?pr . OPTIONAL {{ ?pr rdfs:label ?prName }} }}
  OPTIONAL {{ ?a jha:mentions ?m ; a jha:Article . OPTIONAL {{ ?a dcterms:title ?aTitle }} }}
}}
GROUP BY ?m ?_from ?_to ?_kind ?_presidency ?_after
ORDER BY STR(?m)
"""


# (its label OPTIONALs as they were: api_entities.LABEL_OPTIONALS)
REFERENCE_ENTITIES = f"""
SELECT ?e {LABEL} (GROUP_CONCAT(DISTINCT STR(?c); separator=" ") AS ?types) ?prefix ?type ?q ?after
WHERE {{
  ?e a ?c .
  FILTER(isIRI(?e) && STRSTARTS(STR(?e), ?prefix) && STR(?e) > COALESCE(?after, ""))
  FILTER(COALESCE(?type, "") != ""
         || NOT EXISTS {{ ?e a ?hidden VALUES ?hidden {{ jha:Evidence jha:CrossReference prov:Activity }} }})
  FILTER(COALESCE(?type, "") = "" || EXISTS {{ ?e a/rdfs:subClassOf* ?type }})
  FILTER(COALESCE(?q, "") = ""
         || EXISTS {{ ?e {NAME_PATH} ?name FILTER(CONTAINS(LCASE(STR(?name)), LCASE(?q))) }})
  {LABEL_OPTIONALS}
}}
GROUP BY ?e ?prefix ?type ?q ?after
ORDER BY STR(?e)
"""


# (as it was but for the issue's label: now the one the graph that puts the article in the issue states,
# not any graph's, see api_articles.ARTICLE_COLUMNS)
REFERENCE_ARTICLES = f"""
SELECT ?a (MIN(?t) AS ?title) (MIN(STR(?d)) AS ?date) (SAMPLE(?f) AS ?file) (SAMPLE(?fmt) AS ?format)
       (SAMPLE(?il) AS ?issue) (SAMPLE(?pg) AS ?pages) (SAMPLE(?au) AS ?author)
       ({pairs_of("?tp", "?tpName")} AS ?topics)
       ?_from ?_to ?_topic ?_after
WHERE {{
  ?a a jha:Article .
  FILTER(STR(?a) > COALESCE(?_after, ""))
  FILTER(COALESCE(?_topic, "") = "" || EXISTS {{ ?a dcterms:subject ?_topic }})
  OPTIONAL {{ ?a dcterms:date ?d }}
  FILTER(COALESCE(?_from, "") = "" || (BOUND(?d) && STR(?d) >= ?_from))
  FILTER(COALESCE(?_to, "") = "" || (BOUND(?d) && STR(?d) <= ?_to))
  OPTIONAL {{ ?a dcterms:title ?t }}
  OPTIONAL {{ ?a jha:sourceFile ?f }}
  OPTIONAL {{ ?a jha:sourceFormat ?fmt }}
  OPTIONAL {{ GRAPH ?gi {{ ?a dcterms:isPartOf ?i . ?i jha:issueLabel ?il }} }}  # the label in the graph of the link
  OPTIONAL {{ ?a bibo:pages ?pg }}
  OPTIONAL {{ ?a jha:authorName ?au }}
  OPTIONAL {{ ?a dcterms:subject ?tp . OPTIONAL {{ ?tp skos:prefLabel ?tpName }} }}
}}
GROUP BY ?a ?_from ?_to ?_topic ?_after
ORDER BY STR(?a)
"""

REFERENCE_CITED_BY = """
SELECT ?source (MIN(?st) AS ?sourceTitle) ?ref (SAMPLE(?m) AS ?marker) ?a
WHERE {
  { ?ref jha:refersTo ?a . ?source jha:hasCrossReference ?ref . }
  UNION
  { ?source cito:cites ?a . FILTER NOT EXISTS { ?source jha:hasCrossReference/jha:refersTo ?a } }
  OPTIONAL { ?source dcterms:title ?st }
  OPTIONAL { ?ref jha:marker ?m }
}
GROUP BY ?source ?ref ?a
ORDER BY STR(?source) STR(?ref)
"""

# the entities an article mentions, each with the types and labels that the graphs naming it for the article
# state (the graph of the mention, the reference and ontology graphs, an article's own graph): the route's
# MENTIONS query, with each name's graph so chosen (a name stated in every graph cost a read per copy)
_NAMED_FOR = """FILTER(EXISTS {{ GRAPH ?{g} {{ ?a jha:mentions ?e }} }} || ?{g} IN (?reference, ?ontology)
             || (STRSTARTS(STR(?e), CONCAT(?base, "id/article/")) && ?{g} = IRI(CONCAT(?base, "graph/article/",
                 STRBEFORE(CONCAT(STRAFTER(STR(?e), CONCAT(?base, "id/article/")), "/"), "/")))))"""
REFERENCE_MENTIONS = f"""
SELECT ?e (MIN(COALESCE(?l1, ?l2, ?l3, ?l4)) AS ?label) (GROUP_CONCAT(DISTINCT STR(?c); separator=" ") AS ?types) ?a
WHERE {{
  VALUES ?a {{ ?article }}
  ?a jha:mentions ?e .
  OPTIONAL {{ GRAPH ?g0 {{ ?e a ?c }} {_NAMED_FOR.format(g="g0")} }}
  OPTIONAL {{ GRAPH ?g1 {{ ?e skos:prefLabel ?l1 }} {_NAMED_FOR.format(g="g1")} }}
  OPTIONAL {{ GRAPH ?g2 {{ ?e rdfs:label ?l2 }} {_NAMED_FOR.format(g="g2")} }}
  OPTIONAL {{ GRAPH ?g3 {{ ?e dcterms:title ?l3 }} {_NAMED_FOR.format(g="g3")} }}
  OPTIONAL {{ GRAPH ?g4 {{ ?e foaf:name ?l4 }} {_NAMED_FOR.format(g="g4")} }}
}}
GROUP BY ?e ?a
ORDER BY STR(?e)
"""


def reference_mentions(store, article: NamedNode, minter: Minter) -> list[dict]:
    query = (REFERENCE_MENTIONS.replace("?article", str(article)).replace("?reference", str(minter.reference_graph))
             .replace("?ontology", str(minter.ontology_graph)).replace("?base", str(Literal(minter.base))))
    return rows(store.query(query))


REFERENCE_TIMELINE = f"""
SELECT (MIN(?k) AS ?key) ?x (MIN(STR(?d)) AS ?date) (MAX(STR(?e)) AS ?end) (SAMPLE(?what) AS ?kind)
       (SAMPLE(?ty) AS ?type) (MIN(?l) AS ?label)
       ({pairs_of("?a", "?aTitle")} AS ?articles)
       ?_from ?_to ?_presidency ?_topic ?_after
WHERE {{
  {{
    VALUES (?cls ?ty) {{ {MEETING_VALUES} }}
    ?x a ?cls ; jha:startDate ?d .
    OPTIONAL {{ ?x jha:endDate ?e }}
    OPTIONAL {{ ?x rdfs:label ?l }}
    BIND("meeting" AS ?what)
  }} UNION {{
    VALUES (?cls ?ty) {{ {DOCUMENT_VALUES} }}
    ?x a ?cls ; jha:date ?d .
    OPTIONAL {{ ?x dcterms:title ?l }}
    BIND("document" AS ?what)
  }}
  FILTER(COALESCE(?_topic, "") = ""
         || (?what = "document" && EXISTS {{ ?x dcterms:subject ?_topic }})
         || (?what = "meeting" && (EXISTS {{ ?doc jha:adoptedAt ?x ; dcterms:subject ?_topic }}
                                   || EXISTS {{ ?art jha:mentions ?x ; dcterms:subject ?_topic }})))
  BIND(CONCAT({lo("?d")}, " ", STR(?x)) AS ?k)
  FILTER(COALESCE(?_from, "") = "" || {hi("COALESCE(?e, ?d)")} >= ?_from)
  FILTER(COALESCE(?_to, "") = "" || {lo("?d")} <= ?_to)
  FILTER(COALESCE(?_presidency, "") = "" || EXISTS {{ ?x jha:underPresidency ?_presidency }})
  OPTIONAL {{ ?a jha:mentions ?x ; a jha:Article . OPTIONAL {{ ?a dcterms:title ?aTitle }} }}
}}
GROUP BY ?x ?_from ?_to ?_presidency ?_topic ?_after
HAVING (MIN(?k) > COALESCE(?_after, ""))
ORDER BY ?key
"""

REFERENCE_MEETINGS_UNDER = f"""
SELECT ?m (MIN(?l) AS ?label) (SAMPLE(?k) AS ?kind) (MIN(STR(?s)) AS ?start) (MAX(STR(?e)) AS ?end) ?_presidency
WHERE {{
  VALUES (?cls ?k) {{ {MEETING_VALUES} }}
  ?m jha:underPresidency ?_presidency ; a ?cls ; jha:startDate ?s .
  OPTIONAL {{ ?m jha:endDate ?e }} OPTIONAL {{ ?m rdfs:label ?l }}
}}
GROUP BY ?m ?_presidency
ORDER BY ?start STR(?m)
"""
REFERENCE_DOCUMENTS_UNDER = f"""
SELECT ?d (MIN(?t) AS ?title) (SAMPLE(?ty) AS ?type) (MIN(STR(?dt)) AS ?date) ?_presidency
WHERE {{
  VALUES (?cls ?ty) {{ {DOCUMENT_VALUES} }}
  ?d jha:underPresidency ?_presidency ; a ?cls .
  OPTIONAL {{ ?d dcterms:title ?t }} OPTIONAL {{ ?d jha:date ?dt }}
}}
GROUP BY ?d ?_presidency
ORDER BY ?date STR(?d)
"""
REFERENCE_ARTICLES_MENTIONING = """
SELECT ?a (MIN(?t) AS ?title) (MIN(STR(?d)) AS ?date) ?_entity
WHERE { ?a a jha:Article ; jha:mentions ?_entity . OPTIONAL { ?a dcterms:title ?t } OPTIONAL { ?a dcterms:date ?d } }
GROUP BY ?a ?_entity
ORDER BY ?date STR(?a)
"""

PARAMETERS = {"prefix", "type", "q", "after"}  # REFERENCE_ENTITIES's (the others' start with _)


def comparable(table: list[dict]) -> list[dict]:
    """Rows without the parameter columns, with each GROUP_CONCAT'ed list (of pairs, of types) as a set
    (its order is the store's)."""
    return [{k: frozenset(v.split("\u001f" if k != "types" else " ")) if isinstance(v, str) and (
                "\u001f" in v or k == "types") else v
             for k, v in r.items() if not k.startswith("_") and k not in PARAMETERS} for r in table]


def pages(reference: str, page_of, store, key: str = "d", limits=(1, 3, 500), after_name: str = "_after",
          reference_params: dict | None = None, **params) -> int:
    """Walk every page of the reference and of the route's queries (keyset by ``key``), for each limit;
    the number of rows.  ``reference_params``: the reference's parameters, if they are not ``params``."""
    ref_params = params if reference_params is None else reference_params
    whole = rows(run(store, reference + "LIMIT 10000", **ref_params))
    for limit in limits:
        after = None
        for start in range(0, len(whole) + 1, limit):
            want = rows(run(store, reference + f"LIMIT {limit + 1}", **ref_params,
                            **{after_name: Literal(after) if after else None}))
            got = page_of(store, Page(limit, after), **params)
            assert comparable(got) == comparable(want), (params, limit, after)
            assert comparable(want) == comparable(whole[start:start + limit + 1])
            if len(got) <= limit:
                break
            after = got[limit - 1][key]
    return len(whole)


@pytest.fixture(scope="module")
def fixture_graph():
    return fixture_store(make_settings())


def values(store, sparql: str) -> list:
    return [r[0] for r in store.query(sparql)]


def document_filters(store) -> list[dict]:
    """Every filter alone, with values the graph has (and one it has not), and a few together."""
    types = [document_class(t) for t in DOCUMENT_TYPES]
    present = [t for t in types if values(store, f"SELECT ?d WHERE {{ ?d a <{t.value}> }} LIMIT 1")]
    topics = values(store, "SELECT DISTINCT ?t WHERE { ?d jha:date ?x ; dcterms:subject ?t } ORDER BY ?t")[:4]
    presidencies = values(store, "SELECT DISTINCT ?p WHERE { ?d jha:date ?x ; jha:underPresidency ?p } ORDER BY ?p")[:4]
    days = [Literal(d) for d in ("2023-10-31", "2023-11-01", "2024-01-01", "2024-06-13", "2020-01-01")]
    found = [{}, {"_type": NamedNode(ONTOLOGY + "Strategy")}]
    found += [{"_type": t} for t in present]
    found += [{"_topic": t} for t in topics] + [{"_presidency": p} for p in presidencies]
    found += [{"_from": d} for d in days] + [{"_to": d} for d in days]
    found += [{"_from": a, "_to": b} for a, b in itertools.combinations(days, 2)]
    found += [{"_type": t, "_topic": x, "_from": days[0]} for t, x in itertools.product(present[:2], topics[:2])]
    found += [{"_presidency": p, "_to": days[3]} for p in presidencies[:2]]
    return found


def test_documents_on_the_api_fixture(fixture_graph):
    assert sum(pages(REFERENCE_DOCUMENTS, documents_page, fixture_graph, **f)
               for f in document_filters(fixture_graph)) > 10


def test_documents_of_the_seed_article(seed_store):
    assert sum(pages(REFERENCE_DOCUMENTS, documents_page, seed_store, **f) for f in document_filters(seed_store)) > 10


def test_documents_of_the_development_corpus(corpus_store):
    filters = document_filters(corpus_store)[::3]
    assert sum(pages(REFERENCE_DOCUMENTS, documents_page, corpus_store, limits=(500,), **f) for f in filters) > 50
    assert pages(REFERENCE_DOCUMENTS, documents_page, corpus_store, limits=(40,)) > 50


@pytest.fixture(scope="module")
def shapes():
    """Shapes the test articles do not have: a document stated in several graphs with two titles, two dates
    (a month and a day), two meetings (one without a start date), an issuer with a name in two graphs, an
    article without a title; a document with nothing but its type; a blank node typed as a document."""
    ex, jha = "http://example.org/", Namespace(ONTOLOGY)
    g1, g2, g3 = (NamedNode(f"{ex}g{i}") for i in (1, 2, 3))
    d1, d2, m1, m2, org, pres, t1, t2, a1, a2 = (NamedNode(ex + n) for n in (
        "d1", "d2", "m1", "m2", "org", "pres", "t1", "t2", "a1", "a2"))
    q = [
        (d1, RDF.type, jha.Conclusions, g1), (d1, RDF.type, jha.Conclusions, g2),
        (d1, DCTERMS.title, Literal("B title"), g1), (d1, DCTERMS.title, Literal("A title"), g2),
        (d1, jha.date, Literal("2023-10", datatype=XSD.gYearMonth), g1),
        (d1, jha.date, Literal("2024-01-05", datatype=XSD.date), g2),
        (d1, jha.adoptedAt, m1, g1), (m1, RDFS.label, Literal("Meeting 1"), g1),
        (m1, jha.startDate, Literal("2023-10-20", datatype=XSD.date), g1),
        (d1, jha.adoptedAt, m2, g2), (m2, RDFS.label, Literal("Meeting 2"), g2),
        (d1, jha.issuedBy, org, g1), (d1, jha.issuedBy, org, g2), (org, SKOS.prefLabel, Literal("Org"), g3),
        (d1, jha.underPresidency, pres, g1), (pres, RDFS.label, Literal("Presidency"), g3),
        (d1, DCTERMS.subject, t1, g1), (d1, DCTERMS.subject, t2, g2), (t1, SKOS.prefLabel, Literal("T1"), g3),
        (a1, RDF.type, jha.Article, g1), (a1, DCTERMS.title, Literal("Article 1"), g1), (a1, jha.mentions, d1, g1),
        (a2, RDF.type, jha.Article, g2), (a2, jha.mentions, d1, g2), (a2, jha.mentions, d2, g2),
        (d2, RDF.type, jha.Report, g2), (BlankNode("d3"), RDF.type, jha.Report, g2),
        (d2, jha.mentions, d1, g3),  # not an article: no article of d1
    ]
    store = EmbeddedStore(None)
    store.raw.extend(Quad(*x) for x in q)
    return store


def test_documents_of_shapes_the_articles_do_not_have(shapes):
    ex = "http://example.org/"
    days = [Literal(d) for d in ("2023-10-31", "2023-11-01", "2024-01-05", "2024-01-06")]
    filters = [{}, {"_type": NamedNode(ONTOLOGY + "Report")}, {"_topic": NamedNode(ex + "t2")},
               {"_presidency": NamedNode(ex + "pres")}]
    filters += [{"_from": d} for d in days] + [{"_to": d} for d in days]
    filters += [{"_from": a, "_to": b} for a, b in itertools.combinations(days, 2)]
    assert sum(pages(REFERENCE_DOCUMENTS, documents_page, shapes, **f) for f in filters) > 10
    [d1, d2] = documents_page(shapes, Page(10, None))
    assert (d1["title"], d1["date"], d1["adoptedOn"], d2["title"], d2["type"]) == ("A title", "2023-10", None,
                                                                                   None, "Report")


def meeting_filters(store) -> list[dict]:
    kinds = [NamedNode(ONTOLOGY + c) for c in MEETING_KINDS.values()]
    present = [k for k in kinds if values(store, f"SELECT ?m WHERE {{ ?m a <{k.value}> }} LIMIT 1")]
    presidencies = values(store, "SELECT DISTINCT ?p WHERE { ?m jha:startDate ?x ; jha:underPresidency ?p } ORDER BY ?p")
    starts = sorted({v.value for v in values(store, "SELECT ?s WHERE { ?m jha:startDate ?s }")})
    days = [Literal(d) for d in (starts[:1] + starts[len(starts) // 2:len(starts) // 2 + 1] + starts[-1:]
                                 + ["2024-03-05", "2024-03-04", "2000-01-01", "2030-01-01"])]
    found = [{}, {"_kind": NamedNode(ONTOLOGY + "OtherMeeting")}] + [{"_kind": k} for k in present]
    found += [{"_presidency": p} for p in presidencies[:4]]
    found += [{"_from": d} for d in days] + [{"_to": d} for d in days]
    found += [{"_from": a, "_to": b} for a, b in itertools.combinations(days, 2)]
    found += [{"_kind": k, "_presidency": p, "_to": days[-1]} for k, p in itertools.product(present[:2], presidencies[:2])]
    return found


def test_meetings_on_the_api_fixture(fixture_graph):
    assert sum(pages(REFERENCE_MEETINGS, meetings_page, fixture_graph, key="m", **f)
               for f in meeting_filters(fixture_graph)) > 10


def test_meetings_of_the_seed_article(seed_store):
    assert sum(pages(REFERENCE_MEETINGS, meetings_page, seed_store, key="m", **f) for f in meeting_filters(seed_store)) > 5


def test_meetings_of_the_development_corpus(corpus_store):
    filters = meeting_filters(corpus_store)[::2]
    assert sum(pages(REFERENCE_MEETINGS, meetings_page, corpus_store, key="m", limits=(500,), **f) for f in filters) > 50
    assert pages(REFERENCE_MEETINGS, meetings_page, corpus_store, key="m", limits=(3,)) > 10


def test_meetings_of_shapes_the_articles_do_not_have():
    """Two start dates and two end dates, a start without an end, a meeting stated in several graphs, a
    place without a name, a meeting without a start date (not listed)."""
    ex, jha = "http://example.org/", Namespace(ONTOLOGY)
    g1, g2 = NamedNode(ex + "g1"), NamedNode(ex + "g2")
    m1, m2, m3, place, pres, a1 = (NamedNode(ex + n) for n in ("m1", "m2", "m3", "place", "pres", "a1"))
    day = lambda d: Literal(d, datatype=XSD.date)  # noqa: E731
    q = [
        (m1, RDF.type, jha.JHACouncilMeeting, g1), (m1, RDF.type, jha.JHACouncilMeeting, g2),
        (m1, jha.startDate, day("2024-03-04"), g1), (m1, jha.startDate, day("2024-03-05"), g2),
        (m1, jha.endDate, day("2024-03-06"), g1), (m1, jha.endDate, day("2024-03-08"), g2),
        (m1, RDFS.label, Literal("B"), g1), (m1, RDFS.label, Literal("A"), g2),
        (m1, jha.heldIn, place, g1), (m1, jha.underPresidency, pres, g2), (pres, RDFS.label, Literal("P"), g2),
        (a1, RDF.type, jha.Article, g1), (a1, jha.mentions, m1, g1), (a1, jha.mentions, m2, g1),
        (m2, RDF.type, jha.InformalJHAMeeting, g1), (m2, jha.startDate, day("2024-04-01"), g1),
        (m3, RDF.type, jha.OtherMeeting, g2), (m3, RDFS.label, Literal("no start"), g2),
    ]
    store = EmbeddedStore(None)
    store.raw.extend(Quad(*x) for x in q)
    days = [Literal(d) for d in ("2024-03-04", "2024-03-05", "2024-03-06", "2024-03-07", "2024-04-01", "2024-04-02")]
    filters = [{}, {"_kind": jha.InformalJHAMeeting}, {"_presidency": pres}]
    filters += [{"_from": d} for d in days] + [{"_to": d} for d in days]
    filters += [{"_from": a, "_to": b} for a, b in itertools.combinations(days, 2)]
    assert sum(pages(REFERENCE_MEETINGS, meetings_page, store, key="m", **f) for f in filters) > 10
    [one] = meetings_page(store, Page(10, None), _from=days[3], _to=days[0])
    assert (one["label"], one["start"], one["end"]) == ("A", "2024-03-04", "2024-03-08")


def entity_pages(store, limits, type: str | None = None, q: str | None = None) -> int:
    prefix = "https://w3id.org/jha-graph/id/"
    cls = NamedNode(type) if type else None
    return pages(REFERENCE_ENTITIES, entities_page, store, key="e", limits=limits, after_name="after",
                 reference_params={"prefix": Literal(prefix), "type": cls or Literal(""),
                                   "q": Literal(q) if q else None},
                 prefix=prefix, type=cls, q=q)


ENTITY_FILTERS = [{}, {"type": ONTOLOGY + "Agency"}, {"type": ONTOLOGY + "Document"}, {"type": ONTOLOGY + "Organisation"},
                  {"type": ONTOLOGY + "Evidence"}, {"type": "http://www.w3.org/2004/02/skos/core#Concept"},
                  {"type": ONTOLOGY + "NoSuchClass"}, {"q": "euro"}, {"q": "COUNCIL"}, {"q": "zzz"},
                  {"type": ONTOLOGY + "Organisation", "q": "eu"}]


def test_entities_on_the_api_fixture(fixture_graph):
    assert sum(entity_pages(fixture_graph, (1, 7, 500), **f) for f in ENTITY_FILTERS) > 100


def test_entities_of_the_seed_article(seed_store):
    assert sum(entity_pages(seed_store, (5, 500), **f) for f in ENTITY_FILTERS) > 50


def test_entities_of_the_development_corpus(corpus_store):
    assert sum(entity_pages(corpus_store, (500,), **f) for f in ENTITY_FILTERS[1:]) > 100
    assert entity_pages(corpus_store, (300,)) > 300


def test_entities_of_shapes_the_articles_do_not_have():
    """Entities with a hidden type besides a visible one (left out, several in a row), labels of several
    kinds in several graphs, a subclass chain, IRIs outside the prefix, a blank node."""
    ex, jha = "https://w3id.org/jha-graph/id/", Namespace(ONTOLOGY)
    g1, g2 = NamedNode("http://example.org/g1"), NamedNode("http://example.org/g2")
    e = [NamedNode(f"{ex}x/e{i:02}") for i in range(12)]
    q = [(jha.Sub, RDFS.subClassOf, jha.Agency, g1), (jha.SubSub, RDFS.subClassOf, jha.Sub, g2)]
    for i, x in enumerate(e):
        q.append((x, RDF.type, [jha.Agency, jha.Sub, jha.SubSub, jha.Topic][i % 4], g1 if i % 2 else g2))
        if i in (2, 3, 4, 7):
            q.append((x, RDF.type, [jha.Evidence, NamedNode("http://www.w3.org/ns/prov#Activity")][i % 2], g1))
        if i % 3 == 0:
            q += [(x, SKOS.prefLabel, Literal(f"b{i}"), g1), (x, SKOS.prefLabel, Literal(f"a{i}", language="fr"), g2)]
        if i % 3 == 1:
            q += [(x, RDFS.label, Literal(f"Euro {i}"), g1), (x, DCTERMS.title, Literal(f"T{i}"), g2)]
    q += [(NamedNode("http://example.org/outside"), RDF.type, jha.Agency, g1), (BlankNode("b"), RDF.type, jha.Agency, g1)]
    store = EmbeddedStore(None)
    store.raw.extend(Quad(*x) for x in q)
    for f in ({}, {"type": ONTOLOGY + "Agency"}, {"type": ONTOLOGY + "Sub"}, {"q": "euro"}, {"q": "A"}):
        assert entity_pages(store, (1, 2, 3, 500), **f) > 0
    assert [r["e"][-3:] for r in entities_page(store, Page(20, None), ex)] == ["e00", "e01", "e05", "e06", "e08",
                                                                               "e09", "e10", "e11"]


def article_filters(store) -> list[dict]:
    topics = values(store, "SELECT DISTINCT ?t WHERE { ?a a jha:Article ; dcterms:subject ?t } ORDER BY ?t")
    dates = sorted({v.value for v in values(store, "SELECT ?d WHERE { ?a a jha:Article ; dcterms:date ?d }")})
    days = [Literal(d) for d in dates[:1] + dates[len(dates) // 2:len(dates) // 2 + 1] + ["2000-01-01", "2030-01-01"]]
    found = [{}] + [{"_topic": t} for t in topics[:5]] + [{"_from": d} for d in days] + [{"_to": d} for d in days]
    found += [{"_from": a, "_to": b} for a, b in itertools.combinations(days, 2)]
    found += [{"_topic": t, "_from": days[0]} for t in topics[:2]]
    return found


def test_articles_on_the_api_fixture(fixture_graph):
    assert sum(pages(REFERENCE_ARTICLES, articles_page, fixture_graph, key="a", **f)
               for f in article_filters(fixture_graph)) > 5


def test_articles_of_the_development_corpus(corpus_store):
    assert sum(pages(REFERENCE_ARTICLES, articles_page, corpus_store, key="a", limits=(500,), **f)
               for f in article_filters(corpus_store)) > 50
    assert pages(REFERENCE_ARTICLES, articles_page, corpus_store, key="a", limits=(7,)) > 50


def test_one_article_is_the_row_of_the_list(corpus_store, seed_store, fixture_graph):
    for store in (corpus_store, seed_store, fixture_graph):
        for row in rows(run(store, REFERENCE_ARTICLES + "LIMIT 1000")):
            assert comparable([article_row(store, NamedNode(row["a"]))]) == comparable([row])
    assert article_row(fixture_graph, NamedNode("https://w3id.org/jha-graph/id/article/nothing")) is None


def test_articles_of_shapes_the_articles_do_not_have():
    """An article in two issues (one without a label), with two titles and two dates, topics named in
    several graphs and one without a name, an article typed in no graph (not listed)."""
    ex, jha = "https://w3id.org/jha-graph/id/", Namespace(ONTOLOGY)
    g1, g2 = NamedNode("http://example.org/g1"), NamedNode("http://example.org/g2")
    a1, a2, i1, i2, t1, t2 = (NamedNode(ex + n) for n in ("article/a1", "article/a2", "issue/1", "issue/2",
                                                           "topic/t1", "topic/t2"))
    q = [(a1, RDF.type, jha.Article, g1), (a1, DCTERMS.title, Literal("B"), g1), (a1, DCTERMS.title, Literal("A"), g2),
         (a1, DCTERMS.date, Literal("2024-01-02", datatype=XSD.date), g1),
         (a1, DCTERMS.date, Literal("2024-03-04", datatype=XSD.date), g2),
         (a1, DCTERMS.isPartOf, i1, g1), (a1, DCTERMS.isPartOf, i2, g1), (i2, jha.issueLabel, Literal("2/2024"), g1),
         (i2, jha.issueLabel, Literal("2/2024"), g2), (a1, DCTERMS.subject, t1, g1), (a1, DCTERMS.subject, t2, g2),
         (t1, SKOS.prefLabel, Literal("T1"), g1), (t1, SKOS.prefLabel, Literal("T1"), g2),
         (a2, DCTERMS.title, Literal("untyped"), g2)]
    store = EmbeddedStore(None)
    store.raw.extend(Quad(*x) for x in q)
    days = [Literal(d) for d in ("2024-01-01", "2024-01-02", "2024-02-01", "2024-03-04", "2024-03-05")]
    filters = [{}, {"_topic": t1}] + [{"_from": d} for d in days] + [{"_to": d} for d in days]
    assert sum(pages(REFERENCE_ARTICLES, articles_page, store, key="a", **f) for f in filters) > 5
    [row] = articles_page(store, Page(10, None), _from=days[2])
    assert (row["title"], row["date"], row["issue"]) == ("A", "2024-03-04", "2/2024")


def test_the_articles_citing_an_article(corpus_store, seed_store, fixture_graph):
    """As the query before, where every citation has its cross-reference (as ingest writes them)."""
    for store in (corpus_store, seed_store, fixture_graph):
        for a in values(store, "SELECT DISTINCT ?a WHERE { ?a a jha:Article }"):
            assert rows(store.query(CITED_BY % {"a": a})) == rows(run(store, REFERENCE_CITED_BY, a=a))


def test_the_entities_an_article_mentions(corpus_store, seed_store, fixture_graph):
    minter = make_settings().minter
    for store in (corpus_store, seed_store, fixture_graph):
        for a in values(store, "SELECT DISTINCT ?a WHERE { ?a a jha:Article }"):
            assert mentions_of(store, a, minter) == reference_mentions(store, a, minter)


def test_one_article_in_two_queries(corpus_store, seed_store, fixture_graph):
    """What /api/articles/{slug} shows (asked as the parts of one query, then the names) is the record, the
    mentions, the cross-references and the citing articles as each query answers alone."""
    minter = make_settings().minter
    for store in (corpus_store, seed_store, fixture_graph):
        for row in rows(run(store, REFERENCE_ARTICLES + "LIMIT 1000")):
            a = NamedNode(row["a"])
            got = article_lookup(store, a, minter)
            assert comparable([{k: v for k, v in got.items() if k not in ("mentions", "crossrefs", "citedBy")}]) \
                == comparable([row])
            assert got["mentions"] == reference_mentions(store, a, minter)
            assert got["crossrefs"] == sorted(rows(store.query(CROSSREFS % a)),
                                              key=lambda r: (int(r["position"] or 0), r["ref"]))
            assert got["citedBy"] == rows(run(store, REFERENCE_CITED_BY, a=a))
    assert article_lookup(fixture_graph, NamedNode("https://w3id.org/jha-graph/id/article/nothing"), minter) is None


def test_the_entities_an_article_mentions_as_its_graph_names_them():
    """A document named differently by two articles, a presidency named by the reference graph, an entity
    mentioned in two graphs, one named by no graph that mentions it."""
    m, jha = make_settings().minter, Namespace(ONTOLOGY)
    a1, a2, d, p, x = m.article("a1"), m.article("a2"), m.document("Report", "R"), m.presidency("BE", 2024, 1), \
        NamedNode("http://example.org/x")
    g1, g2, other = m.article_graph("a1"), m.article_graph("a2"), NamedNode("http://example.org/g")
    q = [(a1, jha.mentions, d, g1), (d, RDF.type, jha.Report, g1), (d, DCTERMS.title, Literal("the report"), g1),
         (a2, jha.mentions, d, g2), (d, RDF.type, jha.Report, g2), (d, DCTERMS.title, Literal("The Report"), g2),
         (a1, jha.mentions, p, g1), (p, RDF.type, jha.CouncilPresidency, m.reference_graph),
         (p, RDFS.label, Literal("Belgian Presidency"), m.reference_graph),
         (a1, jha.mentions, x, g1), (a1, jha.mentions, x, other), (x, SKOS.prefLabel, Literal("X"), other),
         (x, SKOS.prefLabel, Literal("A name elsewhere"), g2)]
    store = EmbeddedStore(None)
    store.raw.extend(Quad(*t) for t in q)
    got = {r["e"]: (r["label"], r["types"]) for r in mentions_of(store, a1, m)}
    assert got == {d.value: ("the report", jha.Report.value), p.value: ("Belgian Presidency", jha.CouncilPresidency.value),
                   x.value: ("X", None)}
    assert mentions_of(store, a2, m)[0]["label"] == "The Report"
    for a in (a1, a2):
        assert mentions_of(store, a, m) == reference_mentions(store, a, m)


def test_a_citation_without_its_cross_reference_is_one_row():
    """(Before, it had a row for each cross-reference of the graph, with its marker.)"""
    ex, jha = "https://w3id.org/jha-graph/id/", Namespace(ONTOLOGY)
    g = NamedNode("http://example.org/g")
    a, b, c, r1, r2 = (NamedNode(ex + n) for n in ("article/a", "article/b", "article/c", "article/c/ref/1",
                                                    "article/c/ref/2"))
    q = [(b, NamedNode("http://purl.org/spar/cito/cites"), a, g), (b, DCTERMS.title, Literal("B"), g),
         (c, jha.hasCrossReference, r1, g), (r1, jha.refersTo, a, g), (r1, jha.marker, Literal("→ 1"), g),
         (c, jha.hasCrossReference, r2, g), (r2, jha.marker, Literal("→ 2"), g)]
    store = EmbeddedStore(None)
    store.raw.extend(Quad(*x) for x in q)
    got = sorted(rows(store.query(CITED_BY % {"a": a})), key=lambda r: r["source"])
    assert [(r["source"][-1], r["ref"], r["marker"]) for r in got] == [("b", None, None), ("c", r1.value, "→ 1")]


def timeline_filters(store) -> list[dict]:
    topics = values(store, "SELECT DISTINCT ?t WHERE { { ?x dcterms:subject ?t } UNION { ?a jha:mentions ?x ; "
                           "dcterms:subject ?t . ?x jha:startDate ?s } } ORDER BY ?t")
    presidencies = values(store, "SELECT DISTINCT ?p WHERE { ?x jha:underPresidency ?p } ORDER BY ?p")
    days = [Literal(d) for d in ("2023-10-31", "2023-11-01", "2024-03-04", "2024-06-13", "2020-01-01", "2024-12-31")]
    found = [{}] + [{"_topic": t} for t in topics[::max(1, len(topics) // 5)]]
    found += [{"_presidency": p} for p in presidencies[::max(1, len(presidencies) // 4)]]
    found += [{"_from": d} for d in days] + [{"_to": d} for d in days]
    found += [{"_from": a, "_to": b} for a, b in itertools.combinations(days, 2)]
    found += [{"_topic": t, "_presidency": p, "_from": days[4]} for t, p in itertools.product(topics[:2], presidencies[:2])]
    return found


def test_timeline_on_the_api_fixture(fixture_graph):
    assert sum(pages(REFERENCE_TIMELINE, timeline_page, fixture_graph, key="key", **f)
               for f in timeline_filters(fixture_graph)) > 10


def test_timeline_of_the_seed_article(seed_store):
    assert sum(pages(REFERENCE_TIMELINE, timeline_page, seed_store, key="key", limits=(2, 500), **f)
               for f in timeline_filters(seed_store)) > 10


def test_timeline_of_the_development_corpus(corpus_store):
    assert sum(pages(REFERENCE_TIMELINE, timeline_page, corpus_store, key="key", limits=(500,), **f)
               for f in timeline_filters(corpus_store)[::3]) > 50
    assert pages(REFERENCE_TIMELINE, timeline_page, corpus_store, key="key", limits=(9,)) > 50


def test_timeline_of_shapes_the_articles_do_not_have():
    """A meeting with two starts and two ends, a document with a month and a day, labels in several graphs,
    a topic reached through an adopted document or an article.  (Not an item both meeting and document:
    its kind is SAMPLE's choice, which changes with the plan.)"""
    ex, jha = "https://w3id.org/jha-graph/id/", Namespace(ONTOLOGY)
    g1, g2 = NamedNode("http://example.org/g1"), NamedNode("http://example.org/g2")
    m, d, both, a, t, p = (NamedNode(ex + n) for n in ("meeting/m", "document/d", "x/both", "article/a", "topic/t",
                                                        "presidency/p"))
    day = lambda v: Literal(v, datatype=XSD.date)  # noqa: E731
    q = [(m, RDF.type, jha.JHACouncilMeeting, g1), (m, RDF.type, jha.JHACouncilMeeting, g2),
         (m, jha.startDate, day("2024-03-04"), g1), (m, jha.startDate, day("2024-03-05"), g2),
         (m, jha.endDate, day("2024-03-06"), g1), (m, jha.endDate, day("2024-03-09"), g2),
         (m, RDFS.label, Literal("M b"), g1), (m, RDFS.label, Literal("M a"), g2), (m, jha.underPresidency, p, g1),
         (d, RDF.type, jha.Conclusions, g1), (d, jha.date, Literal("2024-03", datatype=XSD.gYearMonth), g1),
         (d, jha.date, day("2024-02-20"), g2), (d, DCTERMS.title, Literal("D"), g1), (d, jha.adoptedAt, m, g1),
         (d, DCTERMS.subject, t, g1),
         (both, RDF.type, jha.OtherMeeting, g1), (both, jha.startDate, day("2024-05-01"), g1),
         (both, RDFS.label, Literal("a meeting"), g1), (both, RDFS.label, Literal("a meeting"), g2),
         (a, RDF.type, jha.Article, g1), (a, jha.mentions, both, g1), (a, DCTERMS.subject, t, g1),
         (a, DCTERMS.title, Literal("A"), g1)]
    store = EmbeddedStore(None)
    store.raw.extend(Quad(*x) for x in q)
    days = [Literal(v) for v in ("2024-02-21", "2024-03-05", "2024-03-07", "2024-04-01", "2024-04-02", "2024-05-02")]
    filters = [{}, {"_topic": t}, {"_presidency": p}] + [{"_from": v} for v in days] + [{"_to": v} for v in days]
    filters += [{"_from": x, "_to": y} for x, y in itertools.combinations(days, 2)]
    assert sum(pages(REFERENCE_TIMELINE, timeline_page, store, key="key", **f) for f in filters) > 10


def test_a_presidency_with_its_meetings_documents_and_articles(corpus_store, seed_store, fixture_graph):
    """In the same order as before (ORDER BY start or date, then IRI; no date first)."""
    checked = 0
    for store in (corpus_store, seed_store, fixture_graph):
        for p in values(store, "SELECT DISTINCT ?p WHERE { ?p a jha:CouncilPresidency }"):
            assert comparable(meetings_under(store, p)) == comparable(rows(run(store, REFERENCE_MEETINGS_UNDER,
                                                                               _presidency=p)))
            assert comparable(documents_under(store, p)) == comparable(rows(run(store, REFERENCE_DOCUMENTS_UNDER,
                                                                                _presidency=p)))
            want = rows(run(store, REFERENCE_ARTICLES_MENTIONING, _entity=p))
            assert comparable(articles_mentioning(store, p)) == comparable(want)
            checked += len(want)
        for e in values(store, "SELECT DISTINCT ?e WHERE { ?a jha:mentions ?e }")[::5]:
            want = rows(run(store, REFERENCE_ARTICLES_MENTIONING, _entity=e))
            assert comparable(articles_mentioning(store, e)) == comparable(want)
            checked += len(want)
    assert checked > 50


def test_in_small_values_blocks(fixture_graph, monkeypatch):
    """The queries split over VALUES blocks of two IRIs answer the same."""
    from jha_graph.api.routers import api

    monkeypatch.setattr(api, "VALUES_PER_QUERY", 2)
    assert sum(pages(REFERENCE_DOCUMENTS, documents_page, fixture_graph, limits=(3, 500), **f)
               for f in document_filters(fixture_graph)[:8]) > 5
    assert sum(pages(REFERENCE_MEETINGS, meetings_page, fixture_graph, key="m", limits=(3, 500), **f)
               for f in meeting_filters(fixture_graph)[:8]) > 5
    assert sum(pages(REFERENCE_TIMELINE, timeline_page, fixture_graph, key="key", limits=(3, 500), **f)
               for f in timeline_filters(fixture_graph)[:8]) > 5
    assert sum(entity_pages(fixture_graph, (3, 500), **f) for f in ENTITY_FILTERS) > 50
