"""The JSON API's front door (``GET /api``) and what its routers share.

Every answer is the envelope ``{"ok": true, "data": ..., "next": ...}`` (:mod:`..envelope`);
every error the shape of :mod:`..errors`.  Lists are paged by a stable key: ``after`` is the key
of the last item of a page (an IRI, or for the timeline ``date + " " + IRI``) and ``next`` is the
full URL of the next page, or null on the last one.  Parameters reach SPARQL only as pyoxigraph
terms bound with ``substitutions``; the one number written into query text, ``LIMIT``, is an
``int`` checked by FastAPI (1..500).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from pyoxigraph import BlankNode, Literal, NamedNode, Variable

from ...canned import ParameterError, parse_iri
from ...config import Settings
from ...namespaces import JHA, ONTOLOGY, PREFIXES
from ..deps import Page, SettingsDep
from ..envelope import envelope
from ..errors import ApiError

router = APIRouter(tags=["api"])

XSD = PREFIXES["xsd"]
_NUMERIC = {XSD + "integer": int, XSD + "int": int, XSD + "long": int, XSD + "decimal": float,
            XSD + "double": float, XSD + "float": float}

# The labels an entity may be named by, in order of preference (SPARQL, for query text).
LABEL_PATH = "skos:prefLabel|rdfs:label|dcterms:title|foaf:name"
NAME_PATH = "skos:prefLabel|skos:altLabel|rdfs:label|dcterms:title|foaf:name|jha:acronym"

DOCUMENT_TYPES = ("Conclusions", "Declaration", "Roadmap", "Strategy", "ActionPlan", "Programme", "Report",
                  "Regulation", "Directive", "Recommendation", "Resolution", "Agreement", "Decision",
                  "Proposal", "Communication", "Guidelines", "Other")
MEETING_KINDS = {"JHA Council": "JHACouncilMeeting", "Informal JHA": "InformalJHAMeeting",
                 "European Council": "EuropeanCouncilMeeting", "Other Council": "OtherCouncilMeeting",
                 "High-level meeting": "HighLevelMeeting", "Other": "OtherMeeting"}


def document_class(doc_type: str) -> NamedNode:
    return JHA.OtherDocument if doc_type == "Other" else JHA[doc_type]


DOCUMENT_VALUES = " ".join(f"(jha:{document_class(t).value.split('#')[1]} \"{t}\")" for t in DOCUMENT_TYPES)
MEETING_VALUES = " ".join(f"(jha:{c} \"{k}\")" for k, c in MEETING_KINDS.items())


# ------------------------------------------------------------------------------------ terms -> JSON

def plain(term: Any) -> Any:
    """A term as a plain JSON value: IRIs and strings as text, numbers and booleans as such."""
    if term is None:
        return None
    if isinstance(term, NamedNode):
        return term.value
    if isinstance(term, BlankNode):
        return "_:" + term.value
    if isinstance(term, Literal):
        dt = term.datatype.value if term.datatype is not None else None
        if dt in _NUMERIC:
            try:
                return _NUMERIC[dt](term.value)
            except ValueError:
                return term.value
        if dt == XSD + "boolean":
            return term.value in ("true", "1")
        return term.value
    return str(term)


def rows(results) -> list[dict[str, Any]]:
    """SELECT solutions as dicts of plain values (every variable, unbound ones as None)."""
    names = [v.value for v in results.variables]
    return [{n: plain(r[n]) for n in names} for r in results]


def run(store, sparql: str, **params: NamedNode | Literal | None):
    """Run a query with the parameters that are given bound by substitution (None = leave unbound)."""
    subs = {Variable(k): v for k, v in params.items() if v is not None}
    return store.query(sparql, substitutions=subs or None)


def text(value: str | None) -> Literal | None:
    return Literal(value) if value is not None else None


def date_text(value) -> Literal | None:
    return Literal(value.isoformat()) if value is not None else None


def iri_param(value: str | None, settings: Settings, where: str) -> NamedNode | None:
    """An IRI from a query parameter (IRI, prefixed name or id path); 400 naming the parameter if not."""
    if value is None:
        return None
    try:
        return parse_iri(value, settings.base_iri, where=where)
    except ParameterError as e:
        raise ApiError(400, e.message, where=where) from None


def keyed_iri(kind: str, key: str, settings: Settings, where: str) -> NamedNode:
    """``{base}id/{kind}/{key}`` from a key (or from ``{kind}/{key}``), or the IRI or prefixed name given."""
    if ":" in key or key.startswith(kind + "/"):
        return iri_param(key, settings, where)
    return iri_param(f"{kind}/{key}", settings, where)


def class_param(value: str | None, where: str = "type") -> NamedNode | None:
    """A class: a local name of the jha ontology (``Agency``), a prefixed name or an IRI."""
    if value is None:
        return None
    if value.replace("_", "").isalnum() and value[:1].isalpha():
        return NamedNode(ONTOLOGY + value)
    try:
        return parse_iri(value, "", where=where)
    except ParameterError as e:
        raise ApiError(400, e.message, where=where) from None


# ------------------------------------------------------------------------------------ URLs

def base_url(request: Request) -> str:
    return str(request.base_url)


def sparql_url(request: Request, query: str) -> str:
    """The URL on this server that answers ``query`` (its SPARQL endpoint, by GET)."""
    return f"{base_url(request)}sparql?query={quote(query, safe='')}"


def page_url(request: Request, iri: str, settings: Settings) -> str:
    """Where an IRI dereferences on this server (its own IRI if the server does not serve it)."""
    base = settings.base_iri
    root = base_url(request)
    if iri.startswith(base + "id/") or iri.startswith(base + "graph/"):
        return root + iri[len(base):]
    if iri.startswith(ONTOLOGY):
        return root + "ontology#" + iri[len(ONTOLOGY):]
    if iri == ONTOLOGY.rstrip("#"):
        return root + "ontology"
    return iri


def api_url(request: Request, iri: str, settings: Settings) -> str:
    prefix = settings.base_iri + "id/"
    if iri.startswith(prefix):
        return base_url(request) + "api/entities/" + iri[len(prefix):]
    return base_url(request) + "api/entity?iri=" + quote(iri, safe="")


def ref(request: Request, settings: Settings, iri: str | None, label: str | None = None, **extra) -> dict | None:
    """An entity as a JSON reference: its IRI, id path, label, API URL and linked-data page."""
    if iri is None:
        return None
    prefix = settings.base_iri + "id/"
    return {"iri": iri, "id": iri[len(prefix):] if iri.startswith(prefix) else None, "label": label,
            **extra, "url": api_url(request, iri, settings), "page": page_url(request, iri, settings)}


VALUES_PER_QUERY = 500  # IRIs in one VALUES block: a query to a SPARQL server stays well under its limits


def in_chunks(items: list) -> Iterator[list]:
    """The items, VALUES_PER_QUERY at a time."""
    for start in range(0, len(items), VALUES_PER_QUERY):
        yield items[start:start + VALUES_PER_QUERY]


def matching(store, var: str, find: str, checks: Iterable[str] = (), **params: NamedNode | Literal | None
             ) -> list[NamedNode | BlankNode]:
    """The distinct values of ``?{var}`` that match the group pattern ``find`` and every one of ``checks``.

    ``find`` alone finds the candidates (the caller gives its most selective filter); each check is then
    asked of the candidates left, VALUES_PER_QUERY at a time.  Asked as one query, pyoxigraph's plan may
    join the patterns the slow way round (the dated documents with every typed node of the graph: 2 s at
    10,000 articles, against 0.2 s this way).  The parameters a pattern names are bound by substitution.
    """
    def ask(pattern: str, values: str = "") -> list:
        used = {k: v for k, v in params.items() if v is not None and re.search(rf"\?{k}\b", pattern)}
        head = " ".join(f"?{k}" for k in used)  # a substituted variable must be projected
        where = f"VALUES ?{var} {{ {values} }}\n  {pattern}" if values else pattern
        return [r[var] for r in run(store, f"SELECT DISTINCT ?{var} {head} WHERE {{\n  {where}\n}}", **used)]

    found = list(dict.fromkeys(ask(find)))
    for check in checks:
        named = [x for x in found if isinstance(x, NamedNode)]  # VALUES cannot hold blank nodes
        kept: set = set()
        for chunk in in_chunks(named):
            kept.update(ask(check, " ".join(str(x) for x in chunk)))
        found = [x for x in named if x in kept]
    return found


def keyset_page(keys: Iterable[Any], page: Page) -> list[str]:
    """The IRIs of one page, in order: the ``page.limit + 1`` first after ``page.after`` (the one more says
    there is a next page), from the IRIs a query found, unsorted and maybe repeated (blank nodes left out,
    as ``FILTER(STR(?x) > ...)`` left them out).

    Sorted here rather than by ``ORDER BY STR(?x) LIMIT``: pyoxigraph's sort reads each IRI's text again
    at every comparison, 1-2 s for 20,000 documents, against ~10 ms for Python's sort of the same IRIs.
    """
    iris = sorted({k.value for k in keys if isinstance(k, NamedNode)})
    if page.after is not None:
        iris = [i for i in iris if i > page.after]
    return iris[: page.limit + 1]


def values_of(iris: Iterable[str]) -> str:
    """IRIs as the terms of a VALUES block (written by pyoxigraph: ``<...>``, escaped)."""
    return " ".join(str(NamedNode(i)) for i in iris)


def linked_column(key: str, column: str, link: str, about: str, aggregate: str, optional: bool = True) -> str:
    """A query for ``columns_of``: per ?{key}, an aggregate over the nodes ?n that ``link`` joins it to
    and what ``about`` says of them (?v; OPTIONAL, or required with ``optional=False``).

    Each (?{key}, ?n) and each (?n, ?v) is taken once (sub-SELECT DISTINCT, both anchored on the page's
    IRIs): over the union of the graphs every article that names a node states its name again, and the
    plain join ``?m jha:heldIn ?place . OPTIONAL { ?place rdfs:label ?name }`` gave k x l rows for a
    meeting stated in k graphs held in a place named in l (Brussels: in a thousand graphs at 10,000
    articles).  The aggregate sees the same distinct values, so its answer is the same.

    >>> print(linked_column("m", "places", "?m jha:heldIn ?n", "?n rdfs:label ?v", "SAMPLE(?v)"))
    SELECT ?m (SAMPLE(?v) AS ?places) WHERE {
      { SELECT DISTINCT ?m ?n WHERE { VALUES ?m { %s } ?m jha:heldIn ?n } }
      OPTIONAL { SELECT DISTINCT ?n ?v WHERE {
        { SELECT DISTINCT ?n WHERE { VALUES ?m { %s } ?m jha:heldIn ?n } }
        ?n rdfs:label ?v
      } }
    } GROUP BY ?m
    """
    return f"""SELECT ?{key} ({aggregate} AS ?{column}) WHERE {{
  {{ SELECT DISTINCT ?{key} ?n WHERE {{ VALUES ?{key} {{ %s }} {link} }} }}
  {"OPTIONAL " if optional else ""}{{ SELECT DISTINCT ?n ?v WHERE {{
    {{ SELECT DISTINCT ?n WHERE {{ VALUES ?{key} {{ %s }} {link} }} }}
    {about}
  }} }}
}} GROUP BY ?{key}"""


def columns_of(store, iris: list[str], key: str, queries: Iterable[str], **params: NamedNode | Literal | None
               ) -> list[dict[str, Any]]:
    """One row per IRI, in the order given: ``key`` (the IRI) and the columns of every query, None where a
    query has no answer for the IRI.

    Each query has ``%s`` where the IRIs go (as the terms of a VALUES block, VALUES_PER_QUERY at a
    time), projects ``?{key}`` and at most one row per IRI; the parameters a query names are bound by
    substitution.  Columns whose names start with ``_`` (the parameters) are left out.
    """
    def answers():
        for query in queries:
            used = {k: v for k, v in params.items() if re.search(rf"\?{k}\b", query)}
            for chunk in in_chunks(iris):
                yield run(store, query.replace("%s", values_of(chunk)), **used)

    return merge_columns(iris, key, answers())


def merge_columns(iris: list[str], key: str, answers: Iterable) -> list[dict[str, Any]]:
    """The rows of ``columns_of`` from the answers of its queries, however they were asked."""
    out: dict[str, dict[str, Any]] = {i: {key: i} for i in iris}
    columns: dict[str, None] = {}
    for results in answers:
        names = [v.value for v in results.variables if v.value != key and not v.value.startswith("_")]
        columns.update(dict.fromkeys(names))
        for r in rows(results):
            row = out.get(r[key])
            if row is not None:
                row.update((n, r[n]) for n in names)
    return [{key: i, **dict.fromkeys(columns), **out[i]} for i in iris]


def next_page(request: Request, items: list, page: Page, key) -> tuple[list, str | None]:
    """The first ``page.limit`` items and the URL of the next page (the query asked for one more)."""
    if len(items) <= page.limit:
        return items, None
    items = items[: page.limit]
    return items, str(request.url.include_query_params(after=key(items[-1])))


def local(iri: str | None) -> str | None:
    """The local name of an ontology IRI (``Conclusions``)."""
    if iri is None:
        return None
    return iri.rsplit("#", 1)[-1] if "#" in iri else iri.rstrip("/").rsplit("/", 1)[-1]


def split_types(value: str | None) -> list[str]:
    return sorted(set(value.split())) if value else []


def curies(iris: Iterable[str]) -> list[str]:
    from ...linked_data import curie

    return [curie(i) for i in iris]


# ------------------------------------------------------------------------------------ GET /api

@router.get("/api", summary="The JSON API: its resources")
def api_index(request: Request, settings: SettingsDep) -> dict:
    """What the API offers, with links; every answer has the envelope ``{ok, data, next}``."""
    root = base_url(request)
    resources = {
        "entities": "Entities by type (?type=Agency) and name (?q=), keyset-paged",
        "entities/{id}": "One entity: labels, types, relations both ways, sources with sentences",
        "entity": "One entity by any IRI (?iri=)",
        "types": "The classes that have instances, with counts",
        "presidencies": "Council presidencies (?from=&to=&country=)",
        "presidencies/{key}": "One presidency (2024-1-be) with its meetings, documents and articles",
        "meetings": "Meetings (?from=&to=&kind=&presidency=)",
        "documents": "Documents (?type=&from=&to=&topic=&presidency=)",
        "articles": "Articles with their bibliographic record",
        "articles/{slug}": "One article with its cross-references out and the articles citing it",
        "timeline": "Dated meetings and documents in order (?from=&to=&presidency=&topic=)",
        "search": "Search names, titles and evidence sentences (?q=)",
        "queries": "The canned SPARQL queries of queries/",
        "queries/{name}": "Run a canned query with its named parameters",
    }
    data = {"name": "jha-graph", "base_iri": settings.base_iri, "docs": root + "docs",
            "openapi": root + "openapi.json",
            "resources": [{"name": k, "url": root + "api/" + k, "description": v} for k, v in resources.items()]}
    return envelope(data)


# ------------------------------------------------------------------------------------ SPARQL snippets

SEP = "\\u001F"  # separator of GROUP_CONCAT'ed "IRI label" pairs (a control character no label has)


def lo(var: str) -> str:
    """SPARQL: the first day of a date, year-month or year, as text ('2023-10' -> '2023-10-01')."""
    return (f'IF(STRLEN(STR({var})) = 4, CONCAT(STR({var}), "-01-01"), '
            f'IF(STRLEN(STR({var})) = 7, CONCAT(STR({var}), "-01"), STR({var})))')


def hi(var: str) -> str:
    """SPARQL: the last day (or later) of a date, year-month or year, as text (for comparisons)."""
    return (f'IF(STRLEN(STR({var})) = 4, CONCAT(STR({var}), "-12-31"), '
            f'IF(STRLEN(STR({var})) = 7, CONCAT(STR({var}), "-31"), STR({var})))')


def pairs_of(var: str, label: str) -> str:
    """SPARQL aggregate: the distinct ``IRI label`` pairs of a variable, joined by SEP."""
    return f'GROUP_CONCAT(DISTINCT CONCAT(STR({var}), " ", COALESCE(STR({label}), "")); separator="{SEP}")'


def articles_column(key: str) -> str:
    """The ``articles`` column of ``columns_of``: the articles that mention ?{key}, with their titles.

    ``?type jha:Article`` with FILTER, not ``a jha:Article``: see linked_data.ARTICLE_TITLES_QUADS."""
    return linked_column(key, "articles", f"?n jha:mentions ?{key} ; ?type jha:Article . FILTER(?type = rdf:type)",
                         "?n dcterms:title ?v", pairs_of("?n", "?v"))


def refs_of(request: Request, settings: Settings, value: str | None) -> list[dict]:
    """The references of a ``pairs_of`` column, one per IRI, in order of label."""
    seen: dict[str, str | None] = {}
    for part in (value or "").split("\u001f"):
        if not part.strip():
            continue
        iri, _, label = part.partition(" ")
        if iri and (iri not in seen or (not seen[iri] and label)):
            seen[iri] = label or None
    return [ref(request, settings, i, seen[i]) for i in sorted(seen, key=lambda i: ((seen[i] or i).lower(), i))]
