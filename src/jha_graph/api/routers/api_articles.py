"""Articles: the bibliographic record, what each names, and cross-references both ways."""
from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pyoxigraph import Literal, NamedNode

from ...config import Settings
from ...linked_data import select_together
from ...namespaces import PREFIXES, Minter
from ..deps import Page, PageDep, SettingsDep, StoreDep
from ..envelope import envelope
from ..errors import ApiError
from .api import (columns_of, curies, date_text, iri_param, keyed_iri, keyset_page, linked_column, matching,
                  merge_columns, next_page, pairs_of, ref, refs_of, rows, run, split_types)

router = APIRouter(tags=["articles"])

# As the other lists (see api_documents): ``matching`` finds the articles of the filters, sorted and cut to
# the page in Python, then ARTICLE_COLUMNS gather the record, each column from its own distinct values.
# As one query (tests/api/test_list_routes.py keeps it) the label, stated in the graph of every
# article of the issue, crossed the topics' names, stated in every graph naming the topic, for every
# article before the LIMIT (0.5-1 s at 1,000 articles); and for one article it grew with the graph.
FILTERS = {
    "_topic": "?a dcterms:subject ?_topic .",
    # a date of the article in the range
    "_from": """?a dcterms:date ?d .
  FILTER(COALESCE(?_from, "") = "" || STR(?d) >= ?_from)
  FILTER(COALESCE(?_to, "") = "" || STR(?d) <= ?_to)""",
}
FILTERS["_to"] = FILTERS["_from"]
IS_ARTICLE = "?a a jha:Article ."

ARTICLE_COLUMNS = [
    "SELECT ?a (MIN(?t) AS ?title) WHERE { VALUES ?a { %s } ?a dcterms:title ?t } GROUP BY ?a",
    # ?from= and ?to=: the earliest date in the range
    f"""SELECT ?a (MIN(STR(?d)) AS ?date) ?_from ?_to WHERE {{
  VALUES ?a {{ %s }} {FILTERS["_from"]}
}} GROUP BY ?a ?_from ?_to""",
    "SELECT ?a (SAMPLE(?f) AS ?file) WHERE { VALUES ?a { %s } ?a jha:sourceFile ?f } GROUP BY ?a",
    "SELECT ?a (SAMPLE(?fmt) AS ?format) WHERE { VALUES ?a { %s } ?a jha:sourceFormat ?fmt } GROUP BY ?a",
    # the label of its issue (``dcterms:isPartOf/jha:issueLabel``), as the graph that says it is in the issue
    # states it: the label is restated in the graph of every article of the issue (some 1,250 at 100,000
    # articles), and reading every copy made one article's record grow with the graph
    """SELECT ?a (SAMPLE(?v) AS ?issue) WHERE {
  VALUES ?a { %s } GRAPH ?g { ?a dcterms:isPartOf ?n . ?n jha:issueLabel ?v }
} GROUP BY ?a""",
    "SELECT ?a (SAMPLE(?pg) AS ?pages) WHERE { VALUES ?a { %s } ?a bibo:pages ?pg } GROUP BY ?a",
    "SELECT ?a (SAMPLE(?au) AS ?author) WHERE { VALUES ?a { %s } ?a jha:authorName ?au } GROUP BY ?a",
    linked_column("a", "topics", "?a dcterms:subject ?n", "?n skos:prefLabel ?v", pairs_of("?n", "?v")),
]


def articles_page(store, page: Page, **params) -> list[dict]:
    """The rows of one page of articles (``limit + 1`` of them when there is a next page), in IRI order."""
    patterns = list(dict.fromkeys(FILTERS[k] for k in FILTERS if params.get(k) is not None)) + [IS_ARTICLE]
    found = matching(store, "a", patterns[0], patterns[1:], **params)
    return columns_of(store, keyset_page(found, page), "a", ARTICLE_COLUMNS, **params)


def article_row(store, iri: NamedNode) -> dict | None:
    """The record of one article (as a row of ``articles_page``), None if the graph has no such article."""
    found = select_together(store, [_is_article(iri), *_record_parts(iri)])
    return _record(iri, found[0], found[1:])


def _is_article(iri: NamedNode) -> tuple[str, int]:
    return f"SELECT DISTINCT ?a WHERE {{ VALUES ?a {{ {iri} }} {IS_ARTICLE} }}", 1


def _record_parts(iri: NamedNode) -> list[tuple[str, int]]:
    return [(q.replace("%s", str(iri)), 1) for q in ARTICLE_COLUMNS]


def _record(iri: NamedNode, is_article, columns) -> dict | None:
    """The record from the answers of ``_is_article`` and ``_record_parts`` (as ``columns_of`` gives it)."""
    return merge_columns([iri.value], "a", columns)[0] if len(is_article) else None


MENTIONS = """
SELECT ?e (MIN(COALESCE(?l1, ?l2, ?l3, ?l4)) AS ?label) (GROUP_CONCAT(DISTINCT STR(?c); separator=" ") AS ?types) ?a
WHERE {
  ?a jha:mentions ?e .
  OPTIONAL { ?e a ?c }
  OPTIONAL { ?e skos:prefLabel ?l1 } OPTIONAL { ?e rdfs:label ?l2 }
  OPTIONAL { ?e dcterms:title ?l3 } OPTIONAL { ?e foaf:name ?l4 }
}
GROUP BY ?e ?a
ORDER BY STR(?e)
"""

# MENTIONS over the union of the graphs multiplies out: an entity named in k articles has its type
# and its label once per article graph, so its rows are k x k (x more for more labels), and an
# article naming one much-cited document took minutes at 10,000 articles.  And even its distinct names
# cost as many reads as there are copies (a meeting, a place or a document is named again in every
# article graph that mentions it: thousands at 100,000 articles).  So an entity is named here as the
# graphs that name it for the article state it (as a description names its neighbours:
# ``linked_data.name_graphs``): the graph that states the mention (the article's own), the reference
# graph (presidencies, organisations, topics), the ontology, and for an article its own graph.  That is
# what an article graph restates its entities' names for; the names other articles give an entity are
# on the entity's own record.  ``mentions_of`` asks for the entities (MENTIONED) and their distinct types
# and labels in those graphs (NAMES_OF_MENTIONED: a look-up of the few quads of each entity in each
# graph), then for MENTIONS' own aggregates over those values (MIN and GROUP_CONCAT(DISTINCT) do not
# change when duplicates go).  MENTIONS itself answers for an article that mentions a blank node.
MENTIONED = "SELECT DISTINCT ?e ?g ?a WHERE { VALUES ?a { %s } GRAPH ?g { ?a jha:mentions ?e } }"
# (the article in each branch: see CITED_BY)
NAMES_OF_MENTIONED = """SELECT DISTINCT ?e ?p ?o WHERE {
  { VALUES ?a { %(a)s } GRAPH ?g { ?a jha:mentions ?e . ?e ?p ?o } }
  UNION { VALUES ?a { %(a)s } GRAPH ?gm { ?a jha:mentions ?e } GRAPH %(reference)s { ?e ?p ?o } }
  UNION { VALUES ?a { %(a)s } GRAPH ?gm { ?a jha:mentions ?e } GRAPH %(ontology)s { ?e ?p ?o } }
  UNION { VALUES ?a { %(a)s } GRAPH ?gm { ?a jha:mentions ?e } FILTER(isIRI(?e) && STRSTARTS(STR(?e), %(articles)s))
          BIND(IRI(CONCAT(%(article_graphs)s, STRBEFORE(CONCAT(STRAFTER(STR(?e), %(articles)s), "/"), "/"))) AS ?h)
          GRAPH ?h { ?e ?p ?o } }
  FILTER(?p IN (rdf:type, skos:prefLabel, rdfs:label, dcterms:title, foaf:name))
}"""
MENTIONS_OF = """
SELECT ?e (MIN(COALESCE(?l1, ?l2, ?l3, ?l4)) AS ?label) (GROUP_CONCAT(DISTINCT STR(?c); separator=" ") AS ?types)
WHERE { VALUES (?e ?c ?l1 ?l2 ?l3 ?l4) { %s } }
GROUP BY ?e
ORDER BY STR(?e)
"""
_NAMING_COLUMNS = [PREFIXES["rdf"] + "type", PREFIXES["skos"] + "prefLabel", PREFIXES["rdfs"] + "label",
                   PREFIXES["dcterms"] + "title", PREFIXES["foaf"] + "name"]


def mentions_parts(article: NamedNode, minter: Minter) -> list[tuple[str, int]]:
    """MENTIONED and NAMES_OF_MENTIONED for an article, as parts of ``select_together``."""
    names = NAMES_OF_MENTIONED % {"a": article, "reference": minter.reference_graph, "ontology": minter.ontology_graph,
                                  "articles": Literal(minter.article("").value),
                                  "article_graphs": Literal(minter.article_graph("").value)}
    return [(MENTIONED % article, 1), (names, 4)]


def mentions_of(store, article: NamedNode, minter: Minter, answers: list | None = None) -> list[dict]:
    """The entities an article mentions (``e``, ``label``, ``types``, ``a``), by IRI, each with the types
    and labels that the graphs naming it for the article state (see MENTIONED).  ``answers``: those of
    ``mentions_parts``, if already asked."""
    mentioned, names = answers if answers is not None else select_together(store, mentions_parts(article, minter))
    entities = list(dict.fromkeys(r["e"] for r in mentioned))
    if not entities:
        return []
    if not all(isinstance(e, NamedNode) for e in entities):  # VALUES cannot hold blank nodes
        return rows(run(store, MENTIONS, a=article))
    found: dict[str, dict[str, set]] = {e.value: {c: set() for c in _NAMING_COLUMNS} for e in entities}
    for r in names:
        found[r["e"].value][r["p"].value].add(r["o"])
    values = []
    for e in entities:
        columns = [sorted(found[e.value][c], key=str) or [None] for c in _NAMING_COLUMNS]
        for combo in itertools.product(*columns):
            values.append("(" + " ".join("UNDEF" if t is None else str(t) for t in (e, *combo)) + ")")
    out = rows(store.query(MENTIONS_OF % "\n".join(values)))
    for r in out:
        r["a"] = article.value
    return out


CROSSREFS = """
SELECT ?ref (SAMPLE(?m) AS ?marker) (MIN(?pos) AS ?position) (SAMPLE(?is) AS ?issue) (SAMPLE(?pg) AS ?pages)
       (SAMPLE(STR(?nd)) AS ?newsDate) (SAMPLE(?sep) AS ?separateItem) (SAMPLE(?ctx) AS ?context)
       (SAMPLE(?target) AS ?targetArticle) (MIN(?tt) AS ?targetTitle) (SAMPLE(?how) AS ?resolvedBy) ?a
WHERE {
  VALUES ?a { %s }
  ?a jha:hasCrossReference ?ref .
  OPTIONAL { ?ref jha:marker ?m } OPTIONAL { ?ref jha:position ?pos }
  OPTIONAL { ?ref jha:citedIssue ?is } OPTIONAL { ?ref jha:citedPages ?pg }
  OPTIONAL { ?ref jha:citedNewsDate ?nd } OPTIONAL { ?ref jha:separateItem ?sep }
  OPTIONAL { ?ref jha:context ?ctx }
  OPTIONAL { ?ref jha:refersTo ?target . OPTIONAL { ?target dcterms:title ?tt } }
  OPTIONAL { ?ref jha:resolvedBy ?how }
}
GROUP BY ?ref ?a
"""

# The marker's OPTIONAL is in the cross-reference branch: after the UNION it met the rows of the cito:cites
# branch, where ?ref is unbound, and so every marker of the graph (the OPTIONAL read them all, 10-70 ms at
# 10,000 articles, and such a citing article got a row for every cross-reference of the graph).  The
# article (``%(a)s``) in a VALUES block of each branch: one VALUES before the UNION made pyoxigraph read
# every citation of the graph.
CITED_BY = """
SELECT ?source (MIN(?st) AS ?sourceTitle) ?ref (SAMPLE(?m) AS ?marker) ?a
WHERE {
  { VALUES ?a { %(a)s } ?ref jha:refersTo ?a . ?source jha:hasCrossReference ?ref . OPTIONAL { ?ref jha:marker ?m } }
  UNION
  { VALUES ?a { %(a)s } ?source cito:cites ?a . FILTER NOT EXISTS { ?source jha:hasCrossReference/jha:refersTo ?a } }
  OPTIONAL { ?source dcterms:title ?st }
}
GROUP BY ?source ?ref ?a
ORDER BY STR(?source) STR(?ref)
"""


def article_lookup(store, iri: NamedNode, minter: Minter) -> dict | None:
    """What ``/api/articles/{slug}`` shows of one article (None if the graph has no such article): its
    record (as ``article_row``), with the rows of its ``mentions`` (``mentions_of``), ``crossrefs``
    (CROSSREFS, by position) and ``citedBy`` (CITED_BY, in its order).

    In two queries, a round trip to a query worker each (they were 14, ~0.2 ms each, most of the
    lookup's time): the record, the mentions with their entities' names, the cross-references and the
    citing articles as the parts of one (``select_together``), then the labels of the mentioned entities.
    """
    is_article, *record, mentioned, names, crossrefs, cited_by = select_together(store, [
        _is_article(iri), *_record_parts(iri), *mentions_parts(iri, minter), (CROSSREFS % iri, 1),
        (CITED_BY % {"a": iri}, 2)])
    found = _record(iri, is_article, record)
    if found is None:
        return None
    found["mentions"] = mentions_of(store, iri, minter, [mentioned, names])
    # sorted here: Virtuoso refuses ORDER BY over an aggregate's alias, and raw literals may abort pyoxigraph
    found["crossrefs"] = sorted(rows(crossrefs), key=lambda r: (int(r["position"] or 0), r["ref"]))
    # CITED_BY's order (STR(?source), STR(?ref), an unbound ?ref first), which a subquery's rows need not keep
    found["citedBy"] = sorted(rows(cited_by), key=lambda r: (r["source"], r["ref"] is not None, r["ref"] or ""))
    return found


def article_item(request: Request, settings: Settings, r: dict) -> dict:
    item = ref(request, settings, r["a"], r["title"])
    item.update({"date": r["date"], "file": r["file"], "format": r["format"], "issue": r["issue"],
                 "pages": r["pages"], "author": r["author"], "topics": refs_of(request, settings, r["topics"])})
    return item


@router.get("/api/articles", summary="Articles with their bibliographic record")
def list_articles(
    request: Request, settings: SettingsDep, store: StoreDep, page: PageDep,
    from_: Annotated[dt.date | None, Query(alias="from", description="Published on or after this day")] = None,
    to: Annotated[dt.date | None, Query(description="Published on or before this day")] = None,
    topic: Annotated[str | None, Query(description="Topic key (drug-trafficking) or IRI")] = None,
) -> dict:
    """The articles in the graph: title, date, source file and format, eucrim issue, pages, author and
    topics; keyset-paged by IRI (which sorts by file name)."""
    found = articles_page(store, page, _from=date_text(from_), _to=date_text(to),
                          _topic=keyed_iri("topic", topic, settings, "topic") if topic else None)
    items, nxt = next_page(request, found, page, key=lambda r: r["a"])
    return envelope([article_item(request, settings, r) for r in items], next_url=nxt)


@router.get("/api/articles/{slug}", summary="One article with its cross-references both ways")
def get_article(slug: str, request: Request, settings: SettingsDep, store: StoreDep) -> dict:
    """One article by its slug (its file name without extension; ``.json`` suffix allowed): the record,
    the entities it names (each labelled and typed as the article's own graph and the reference data
    name it: another article may name it differently, see its own record), its cross-references (each
    with the article it resolves to, if in the graph) and the articles that cite it."""
    for candidate in [slug] + ([slug.removesuffix(".json")] if slug.endswith(".json") else []):
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._~-]*", candidate):
            raise ApiError(400, f"not an article slug: {candidate!r}", where="slug")
        iri = iri_param(f"article/{candidate}", settings, "slug")
        found = article_lookup(store, iri, settings.minter)
        if found is not None:
            break
    else:
        raise ApiError(404, f"no article {slug} in the graph", where="slug")
    data = article_item(request, settings, found)
    data["mentions"] = [ref(request, settings, r["e"], r["label"], types=curies(split_types(r["types"])))
                        for r in found["mentions"]]
    data["crossrefs"] = [
        {"iri": r["ref"], "marker": r["marker"], "position": r["position"], "issue": r["issue"], "pages": r["pages"],
         "newsDate": r["newsDate"], "separateItem": r["separateItem"], "context": r["context"],
         "resolvedBy": r["resolvedBy"], "target": ref(request, settings, r["targetArticle"], r["targetTitle"])}
        for r in found["crossrefs"]]
    data["citedBy"] = [
        {"article": ref(request, settings, r["source"], r["sourceTitle"]), "crossref": r["ref"], "marker": r["marker"]}
        for r in found["citedBy"]]
    return envelope(data)
