"""Query files rewritten for speed answer as they did before, on the test graphs.

``REFERENCE`` holds the earlier text of each (word for word after its PREFIX lines): the definition of
its answer.  Each file and its reference must give the same rows (as a multiset, in the same order of the
ORDER BY keys), asked of the whole graph, of one article or document at a time (bound the ways the
project binds: substitution, and a VALUES block as bench/queries.py writes it and as a remote store sends
it, jha_graph.remote.prepare) and, for presidency-in-office, by a title; evidence by entity, topic by topic.
"""
from __future__ import annotations

import collections
from pathlib import Path

import pytest
from fixtures.api_support import fixture_store, make_settings
from pyoxigraph import Literal, Variable

from bench.queries import for_article
from jha_graph.namespaces import PREFIXES
from jha_graph.remote import prepare

ROOT = Path(__file__).resolve().parents[2]

HEADER = "".join(f"PREFIX {prefix}: <{ns}>\n" for prefix, ns in PREFIXES.items())
# the earlier texts without their PREFIX lines, which were the project's own (namespaces.PREFIXES)
REFERENCE = {
    "articles": """
SELECT ?article ?file ?title ?date ?author ?issue ?pages ?volume
WHERE {
  GRAPH ?g {
    ?article a jha:Article ; jha:sourceFile ?file ; dcterms:title ?title .
    OPTIONAL { ?article dcterms:date ?date }
    OPTIONAL { ?article jha:authorName ?author }
    OPTIONAL { ?article dcterms:isPartOf ?i . ?i jha:issueLabel ?issue . OPTIONAL { ?i bibo:volume ?volume } }
    OPTIONAL { ?article bibo:pages ?pages }
  }
}
ORDER BY STR(?file)
""",
    "meetings": """
SELECT DISTINCT ?article ?meeting ?kind ?label ?start ?end ?location ?presidencyCountry
WHERE {
  VALUES (?class ?kind) {
    (jha:JHACouncilMeeting "JHA Council") (jha:InformalJHAMeeting "Informal JHA")
    (jha:EuropeanCouncilMeeting "European Council") (jha:OtherCouncilMeeting "Other Council")
    (jha:HighLevelMeeting "High-level meeting") (jha:OtherMeeting "Other")
  }
  GRAPH ?g {
    ?article a jha:Article ; jha:mentions ?meeting .
    ?meeting a ?class ; rdfs:label ?label ; jha:startDate ?start .
    OPTIONAL { ?meeting jha:endDate ?end }
    OPTIONAL { ?meeting jha:heldIn ?place . ?place rdfs:label ?location }
  }
  OPTIONAL {
    GRAPH ?g { ?meeting jha:underPresidency ?presidency }
    GRAPH ?r { ?presidency jha:country ?c . ?c skos:prefLabel ?presidencyCountry }
  }
}
ORDER BY ?article STR(?start)
""",
    "presidency-in-office": """
SELECT DISTINCT ?document ?documentTitle ?type ?day ?presidency ?presidencyLabel ?country ?start ?end ?stated ?title
WHERE {
  VALUES ?class {
    jha:Conclusions jha:Declaration jha:Roadmap jha:Strategy jha:ActionPlan jha:Programme jha:Report
    jha:Regulation jha:Directive jha:Recommendation jha:Resolution jha:Agreement jha:Decision
    jha:Proposal jha:Communication jha:Guidelines jha:OtherDocument
  }
  ?document a ?class ; dcterms:title ?documentTitle .
  FILTER(COALESCE(STR(?title), "") = "" || CONTAINS(LCASE(?documentTitle), LCASE(STR(?title))))
  OPTIONAL { ?document jha:adoptedAt/jha:startDate ?adopted }
  OPTIONAL { ?document jha:date ?dated }
  BIND(STR(COALESCE(?adopted, ?dated)) AS ?day)
  BIND(IF(STRLEN(?day) = 7, CONCAT(?day, "-01"), ?day) AS ?first)
  BIND(IF(STRLEN(?day) = 7, CONCAT(?day, "-31"), ?day) AS ?last)
  ?presidency a jha:CouncilPresidency ; jha:startDate ?start ; jha:endDate ?end .
  FILTER(STRLEN(?day) >= 7 && STR(?start) <= ?first && STR(?end) >= ?last)
  OPTIONAL { ?presidency rdfs:label ?presidencyLabel }
  OPTIONAL { ?presidency jha:country/skos:prefLabel ?country }
  OPTIONAL { ?document jha:underPresidency ?stated }
  BIND(IF(?class = jha:OtherDocument, "Other", STRAFTER(STR(?class), "#")) AS ?type)
}
ORDER BY ?day ?document
""",
    "evidence": """
SELECT ?entity (MIN(?name) AS ?label) ?article ?articleTitle ?file ?offset ?sentence ?evidence
WHERE {
  GRAPH ?g {
    ?evidence a jha:Evidence ; jha:about ?entity ; jha:sentence ?sentence ; prov:wasQuotedFrom ?article .
    OPTIONAL { ?evidence jha:offset ?offset }
    OPTIONAL { ?article dcterms:title ?articleTitle }
    OPTIONAL { ?article jha:sourceFile ?file }
  }
  OPTIONAL { ?entity skos:prefLabel|rdfs:label|dcterms:title|foaf:name|jha:marker ?name }
}
GROUP BY ?entity ?article ?articleTitle ?file ?offset ?sentence ?evidence
ORDER BY STR(?entity) ?article xsd:integer(?offset) ?evidence
""",
    "topic": """
SELECT DISTINCT ?topic ?topicLabel ?kind ?item ?type ?label ?date ?article
WHERE {
  ?topic a skos:Concept .
  {
    VALUES ?class {
      jha:Conclusions jha:Declaration jha:Roadmap jha:Strategy jha:ActionPlan jha:Programme jha:Report
      jha:Regulation jha:Directive jha:Recommendation jha:Resolution jha:Agreement jha:Decision
      jha:Proposal jha:Communication jha:Guidelines jha:OtherDocument
    }
    ?item dcterms:subject ?topic ; a ?class .
    OPTIONAL { ?item jha:date ?date }
    OPTIONAL { ?item dcterms:title ?label }
    BIND("document" AS ?kind)
  } UNION {
    { ?doc dcterms:subject ?topic ; jha:adoptedAt ?item . }
    UNION
    { ?reporter a jha:Article ; dcterms:subject ?topic ; jha:mentions ?item . }
    VALUES ?class {
      jha:JHACouncilMeeting jha:InformalJHAMeeting jha:EuropeanCouncilMeeting jha:OtherCouncilMeeting
      jha:HighLevelMeeting jha:OtherMeeting
    }
    ?item a ?class ; jha:startDate ?date .
    OPTIONAL { ?item rdfs:label ?label }
    BIND("meeting" AS ?kind)
  }
  BIND(IF(?class = jha:OtherDocument, "Other", STRAFTER(STR(?class), "#")) AS ?type)
  OPTIONAL { ?topic skos:prefLabel ?topicLabel }
  OPTIONAL { ?article a jha:Article ; jha:mentions ?item }
}
ORDER BY STR(?topic) STR(?date) ?item ?article
""",
}
REFERENCE = {name: HEADER + text for name, text in REFERENCE.items()}
FILES = {"articles": "cq/articles.rq", "meetings": "cq/meetings.rq", "presidency-in-office": "presidency-in-office.rq",
         "evidence": "evidence.rq", "topic": "topic.rq"}
ORDER_KEYS = {"articles": ["file"], "meetings": ["article", "start"], "presidency-in-office": ["day", "document"],
              "evidence": ["entity", "article", "offset", "evidence"],
              "topic": ["topic", "date", "item", "article"]}


def answer(store, name: str, text: str, bind: dict | None = None, how: str = "substitution"):
    if bind and how == "values":  # as a store that binds with VALUES (jha_graph.remote) sends it
        text, bind = prepare(text, bind), None
    results = store.query(text, substitutions=bind)
    names = [v.value for v in results.variables]
    rows = [tuple(None if r[n] is None else str(r[n]) for n in names) for r in results]
    keys = [tuple(row[names.index(k)] for k in ORDER_KEYS[name]) for row in rows]
    return names, collections.Counter(rows), keys


def assert_same(store, name: str, bind: dict | None = None, how: str = "substitution") -> int:
    text = (ROOT / "queries" / FILES[name]).read_text(encoding="utf-8")
    got, want = answer(store, name, text, bind, how), answer(store, name, REFERENCE[name], bind, how)
    assert got == want, (name, bind, how)
    return sum(got[1].values())


def one_at_a_time(store, name: str, step: int = 1) -> int:
    """Each article (CQs), document (presidency-in-office), entity (evidence) or topic (every
    ``step``-th of the last three), bound each way; the number of rows."""
    rows = 0
    if name == "presidency-in-office":
        documents = "SELECT DISTINCT ?d WHERE { ?d a ?c ; dcterms:title ?t . ?c rdfs:subClassOf* jha:Document } ORDER BY ?d"
        for r in list(store.query(documents))[::step]:
            for how in ("substitution", "values"):
                rows += assert_same(store, name, {Variable("document"): r[0]}, how)
        for title in ("roadmap", "DRUG", "conclusions on", "zzz"):
            for how in ("substitution", "values"):
                rows += assert_same(store, name, {Variable("title"): Literal(title)}, how)
        return rows
    if name in ("evidence", "topic"):
        variable, which = {"evidence": ("entity", "SELECT DISTINCT ?e WHERE { ?x jha:about ?e } ORDER BY ?e"),
                           "topic": ("topic", "SELECT DISTINCT ?e WHERE { ?e a skos:Concept } ORDER BY ?e")}[name]
        for r in list(store.query(which))[::step]:
            for how in ("substitution", "values"):
                rows += assert_same(store, name, {Variable(variable): r[0]}, how)
        return rows
    text = (ROOT / "queries" / FILES[name]).read_text(encoding="utf-8")
    for r in store.query("SELECT ?a WHERE { ?a a jha:Article }"):
        got = answer(store, name, for_article(text, r[0].value))
        assert got == answer(store, name, for_article(REFERENCE[name], r[0].value)), (name, r[0])
        assert got[1] == answer(store, name, text, {Variable("article"): r[0]})[1]
        rows += sum(got[1].values())
    return rows


@pytest.mark.parametrize("name", sorted(FILES))
def test_on_the_api_fixture(name):
    store = fixture_store(make_settings())
    assert assert_same(store, name) > 0
    assert one_at_a_time(store, name) > 0


@pytest.mark.parametrize("name", sorted(FILES))
def test_on_the_seed_article(seed_store, name):
    assert assert_same(seed_store, name) > 0
    assert one_at_a_time(seed_store, name) > 0


@pytest.mark.parametrize("name", sorted(FILES))
def test_on_the_development_corpus(corpus_store, name):
    assert assert_same(corpus_store, name) > 10
    assert one_at_a_time(corpus_store, name, step={"evidence": 20, "topic": 3}.get(name, 8)) > 10
