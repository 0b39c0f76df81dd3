"""Entities: lists by type and name, one entity with everything known about it, classes, search."""
from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pyoxigraph import Literal, NamedNode

from ...config import Settings
from ...linked_data import ALL_SUFFIXES, describe
from ..deps import MinterDep, OntologyDep, Page, PageDep, SearchDep, SettingsDep, StoreDep, search_for_store
from ..envelope import envelope
from ..errors import ApiError
from .api import (NAME_PATH, class_param, columns_of, curies, iri_param, matching, next_page, page_url, ref, rows,
                  run, split_types, sparql_url, text, values_of)

router = APIRouter(tags=["entities"])

LABEL_OPTIONALS = """
  OPTIONAL { ?e skos:prefLabel ?l1 } OPTIONAL { ?e rdfs:label ?l2 }
  OPTIONAL { ?e dcterms:title ?l3 } OPTIONAL { ?e foaf:name ?l4 }"""
LABEL = "(MIN(COALESCE(?l1, ?l2, ?l3, ?l4)) AS ?label)"

# /api/entities in two steps, as the other lists (see api_documents): ``matching`` finds the entities of the
# filters, sorted and cut to the page in Python, then ENTITY_COLUMNS gather their label and types.  As one
# query (tests/api/test_list_routes.py keeps it) the four label OPTIONALs crossed each other over the union graph (an organisation named
# in k article graphs: k^4 rows) and the aggregates ran for every entity before the LIMIT: minutes at 1,000
# articles.
HIDDEN = "jha:Evidence, jha:CrossReference, prov:Activity"  # left out unless asked for by type
# every entity with a type that is not a hidden one (it may have a hidden one too: checked on the page)
VISIBLE = f"?e a ?c . FILTER(?c NOT IN ({HIDDEN}))"
TYPED = "?e a ?c ."
HAS_HIDDEN_TYPE = f"?e a ?c . FILTER(?c IN ({HIDDEN}))"
# a name of the entity contains ?q, any case
NAMED = f"?e {NAME_PATH} ?name . FILTER(CONTAINS(LCASE(STR(?name)), LCASE(?q)))"
# the class and its subclasses, the way ``?e a/rdfs:subClassOf* ?type`` reaches them
SUBCLASSES = "SELECT DISTINCT ?c ?type WHERE { ?c rdfs:subClassOf* ?type }"

# the label: of the first of prefLabel, label, title, name the entity has, the least (as MIN(COALESCE(...))
# over the OPTIONALs' cross product gave it), from each property's distinct values
ENTITY_COLUMNS = [
    """SELECT ?e (MIN(COALESCE(?l1, ?l2, ?l3, ?l4)) AS ?label) WHERE {
  VALUES ?e { %s }
  OPTIONAL { SELECT DISTINCT ?e ?l1 WHERE { VALUES ?e { %s } ?e skos:prefLabel ?l1 } }
  OPTIONAL { SELECT DISTINCT ?e ?l2 WHERE { VALUES ?e { %s } ?e rdfs:label ?l2 } }
  OPTIONAL { SELECT DISTINCT ?e ?l3 WHERE { VALUES ?e { %s } ?e dcterms:title ?l3 } }
  OPTIONAL { SELECT DISTINCT ?e ?l4 WHERE { VALUES ?e { %s } ?e foaf:name ?l4 } }
} GROUP BY ?e""",
    'SELECT ?e (GROUP_CONCAT(DISTINCT STR(?c); separator=" ") AS ?types) WHERE { VALUES ?e { %s } ?e a ?c } GROUP BY ?e',
]


def entities_page(store, page: Page, prefix: str, type: NamedNode | None = None, q: str | None = None
                  ) -> list[dict]:
    """The rows of one page of entities (``e``, ``label``, ``types``; ``limit + 1`` of them when there is
    a next page): IRIs under ``prefix`` with a type, of ``type`` or a subclass of it if given, else not
    evidence, cross-references or extraction runs, with a name containing ``q`` if given; in IRI order."""
    if type is not None:
        classes = {type.value} | {r["c"] for r in rows(run(store, SUBCLASSES, type=type)) if r["c"]}
        find = f"VALUES ?c {{ {values_of(sorted(classes))} }} ?e a ?c ."
        checks = [NAMED] if q else []
    else:
        find, checks = (NAMED, [TYPED]) if q else (VISIBLE, [])
    found = matching(store, "e", find, checks, q=text(q))
    iris = sorted({e.value for e in found if isinstance(e, NamedNode) and e.value.startswith(prefix)
                   and (page.after is None or e.value > page.after)})
    if type is not None:
        return columns_of(store, iris[:page.limit + 1], "e", ENTITY_COLUMNS)
    # leave out those that have a hidden type too, looking at as many as the page still needs at a time
    kept: list[str] = []
    while iris and len(kept) <= page.limit:
        head, iris = iris[:page.limit + 1 - len(kept)], iris[page.limit + 1 - len(kept):]
        hidden = {e.value for e in matching(store, "e", f"VALUES ?e {{ {values_of(head)} }} {HAS_HIDDEN_TYPE}")}
        kept += [i for i in head if i not in hidden]
    return columns_of(store, kept, "e", ENTITY_COLUMNS)


TYPES = """
SELECT ?class (COUNT(DISTINCT ?e) AS ?count) ?prefix
WHERE { ?e a ?class FILTER(isIRI(?e) && STRSTARTS(STR(?e), ?prefix)) }
GROUP BY ?class ?prefix
ORDER BY DESC(?count) STR(?class)
"""

SEARCH = f"""
SELECT ?e {LABEL} (GROUP_CONCAT(DISTINCT STR(?c); separator=" ") AS ?types)
       (MAX(COALESCE(?nameHit, "")) AS ?name) (MAX(COALESCE(?sentenceHit, "")) AS ?sentence)
       (COUNT(DISTINCT ?ev) AS ?sentences)
       ?q ?prefix ?type ?after
WHERE {{
  {{ ?e {NAME_PATH} ?nameHit . }} UNION {{ ?ev jha:about ?e ; jha:sentence ?sentenceHit . }}
  FILTER(CONTAINS(LCASE(STR(COALESCE(?nameHit, ?sentenceHit))), LCASE(?q)))
  FILTER(isIRI(?e) && STRSTARTS(STR(?e), ?prefix) && STR(?e) > COALESCE(?after, ""))
  FILTER(COALESCE(?type, "") = "" || EXISTS {{ ?e a/rdfs:subClassOf* ?type }})
  OPTIONAL {{ ?e a ?c }}
  {LABEL_OPTIONALS}
}}
GROUP BY ?e ?q ?prefix ?type ?after
ORDER BY STR(?e)
"""


def entity_item(request: Request, settings: Settings, row: dict) -> dict:
    types = split_types(row.get("types"))
    return ref(request, settings, row["e"], row.get("label"), types=curies(types))


@router.get("/api/entities", summary="Entities by type and name")
def list_entities(
    request: Request, settings: SettingsDep, store: StoreDep, page: PageDep,
    type: Annotated[str | None, Query(description="A class: local name of the jha ontology (Agency, Document), "
                                                  "prefixed name (skos:Concept) or IRI; subclasses count")] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=200,
                                   description="Text any of the entity's names contains (any case)")] = None,
) -> dict:
    """Entities minted by the graph, ordered by IRI.  Without ``type``, evidence sentences, cross-references
    and extraction runs are left out (ask for them by type: ``Evidence``, ``CrossReference``)."""
    found = entities_page(store, page, settings.base_iri + "id/", class_param(type), q)
    items, nxt = next_page(request, found, page, key=lambda r: r["e"])
    return envelope([entity_item(request, settings, r) for r in items], next_url=nxt)


@router.get("/api/types", summary="Classes with instances, and how many")
def list_types(request: Request, settings: SettingsDep, store: StoreDep, ontology: OntologyDep) -> dict:
    """Every class that has instances among the graph's entities, with the number of instances."""
    labels = ontology.labels if ontology else {}
    data = [{"iri": r["class"], "curie": curies([r["class"]])[0], "label": labels.get(r["class"]),
             "count": r["count"], "entities": str(request.url_for("list_entities").include_query_params(
                 type=curies([r["class"]])[0]))}
            for r in rows(run(store, TYPES, prefix=Literal(settings.base_iri + "id/")))]
    return envelope(data)


def entity_view(request: Request, settings: Settings, minter, store, ontology, iri: NamedNode) -> dict | None:
    desc = describe(store, iri, minter)
    if not desc.exists:
        return None
    data = desc.summary(minter, lambda i: page_url(request, i, settings), ontology.labels if ontology else {},
                        partial(sparql_url, request))
    page = page_url(request, iri.value, settings)
    data["url"] = ref(request, settings, iri.value)["url"]
    data["page"] = page
    if page != iri.value:
        data["formats"] = {s: f"{page}.{s}" for s in ALL_SUFFIXES}
    return data


@router.get("/api/entities/{key:path}", summary="One entity by its id path")
def get_entity(key: str, request: Request, settings: SettingsDep, minter: MinterDep, store: StoreDep,
               ontology: OntologyDep) -> dict:
    """One entity (``org/eurojust``, ``meeting/2024-03-04--2024-03-05-jha-council``; a ``.json`` suffix
    is allowed): its labels (every name any graph gives it), types, facts grouped by property, the
    entities that point to it, and its sources: the article graphs that state it, with the sentences
    quoted as evidence.  Each related entity is labelled as the graph that states the link (or the
    reference data) names it: an article graph restates the names of what it mentions, and an entity
    mentioned by many articles may be named differently by each (docs/vocabulary.md)."""
    candidates = [key] + ([key[: -len(".json")]] if key.endswith(".json") else [])
    for k in candidates:
        iri = iri_param(k, settings, "id") if "/" in k else None
        if iri is None:
            break
        data = entity_view(request, settings, minter, store, ontology, iri)
        if data is not None:
            return envelope(data)
    raise ApiError(404, f"no entity {settings.base_iri}id/{key} in the graph", where="id")


@router.get("/api/entity", summary="One entity by any IRI")
def get_entity_by_iri(
    request: Request, settings: SettingsDep, minter: MinterDep, store: StoreDep, ontology: OntologyDep,
    iri: Annotated[str, Query(min_length=1, max_length=2000,
                              description="An IRI, a prefixed name (jha:Agency) or an id path (org/eurojust)")],
) -> dict:
    """The same view as ``/api/entities/{id}``, for any IRI the graph holds (ontology terms too)."""
    node = iri_param(iri, settings, "iri")
    data = entity_view(request, settings, minter, store, ontology, node)
    if data is None:
        raise ApiError(404, f"the graph says nothing about {node.value}", where="iri")
    return envelope(data)


def search_entities(index, settings: Settings, q: str, type: str | None, after: str | None,
                    limit: int) -> list[dict]:
    """Up to ``limit + 1`` matches (the extra one says there is a next page), as plain rows, from the
    search index (``index``: a ``SearchIndex``, or the store an app serves), which answers as the
    ``SEARCH`` query would without scanning every literal of the store."""
    if not hasattr(index, "search"):
        found = search_for_store(index)
        if found is None:  # a store no app serves: the query itself
            return rows(run(index, SEARCH + f"LIMIT {limit + 1}", q=Literal(q), prefix=Literal(settings.base_iri + "id/"),
                            type=class_param(type) or Literal(""), after=text(after)))  # "": see list_entities
        index = found
    cls = class_param(type)
    return index.search(q, prefix=settings.base_iri + "id/", type_iri=cls.value if cls is not None else None,
                        after=after, limit=limit + 1)


@router.get("/api/search", summary="Search names, titles and evidence sentences")
def search(
    request: Request, settings: SettingsDep, store: StoreDep, page: PageDep,
    q: Annotated[str, Query(min_length=2, max_length=200, description="Text to find (any case, literally)")],
    type: Annotated[str | None, Query(description="Only entities of this class (as for /api/entities)")] = None,
    index: SearchDep = None,
) -> dict:
    """Entities whose names or titles contain the text, or that an evidence sentence containing it is
    about; ordered by IRI.  The text is matched literally (no patterns) and case-insensitively."""
    found = search_entities(index if index is not None else store, settings, q, type, page.after, page.limit)
    items, nxt = next_page(request, found, page, key=lambda r: r["e"])
    data = []
    for r in items:
        item = entity_item(request, settings, r)
        item["match"] = {"name": r["name"] or None, "sentence": r["sentence"] or None, "sentences": r["sentences"]}
        data.append(item)
    return envelope(data, next_url=nxt, meta={"q": q})
