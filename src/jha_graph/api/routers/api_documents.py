"""Documents: conclusions, declarations, strategies, legal acts ..., by type, date, topic and presidency."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pyoxigraph import NamedNode

from ..deps import Page, PageDep, SettingsDep, StoreDep
from ..envelope import envelope
from ..errors import ApiError
from .api import (DOCUMENT_TYPES, articles_column, date_text, document_class, hi, keyed_iri, keyset_page,
                  linked_column, lo, matching, next_page, pairs_of, ref, refs_of, columns_of)

router = APIRouter(tags=["documents"])

# A list route answers in two steps.  ``matching`` finds the IRIs of the documents that pass the filters;
# they are sorted and cut to the page in Python (``keyset_page``).  DOCUMENT_COLUMNS then gather what
# the page shows about those documents.  Asked as one query, with the filters and every OPTIONAL over the whole
# graph, the union graph multiplied out (a document named in k articles has its title, type, topics ...
# once per article graph, and the OPTIONALs cross them: k^6 rows) and the aggregates ran before the
# LIMIT: 20-40 s at 120 articles, far longer at 1,000.

DOCUMENT_CLASSES = ", ".join(f"jha:{document_class(t).value.split('#')[1]}" for t in DOCUMENT_TYPES)

# the document's type: the label of the class, as DOCUMENT_VALUES pairs them ("Other" for OtherDocument)
TYPE_LABEL = 'IF(?cls = jha:OtherDocument, "Other", STRAFTER(STR(?cls), "#"))'

# The filters, as patterns on the document's own statements, the most selective first: ``matching`` finds
# the documents of the first filter given, then checks the others on those alone.  Any document type:
# VALUES to find them (a FILTER on ?cls made pyoxigraph read every typed node), FILTER to check them (one
# look-up per document rather than one per document and class).  The parameters are bound by substitution.
FILTERS = {
    "_presidency": "?d jha:underPresidency ?_presidency .",
    "_topic": "?d dcterms:subject ?_topic .",
    "_type": "?d a ?_type .",
    # one date of the document in the range (a month or a year overlapping it counts)
    "_from": f"""?d jha:date ?dt .
  FILTER(COALESCE(?_from, "") = "" || {hi("?dt")} >= ?_from)
  FILTER(COALESCE(?_to, "") = "" || {lo("?dt")} <= ?_to)""",
}
FILTERS["_to"] = FILTERS["_from"]
FIND_ANY_TYPE = f"VALUES ?cls {{ {DOCUMENT_CLASSES.replace(',', '')} }} ?d a ?cls ."
CHECK_ANY_TYPE = f"?d a ?cls . FILTER(?cls IN ({DOCUMENT_CLASSES}))"

# What the page shows of each document, one query per column, each anchored on the page's documents
# (``%s``: their IRIs, as VALUES), so that a column's values are looked up once and not crossed with the
# other columns'.  The aggregates are the ones the single query had: one query with a
# UNION branch per column would not do, since an aggregate over rows where its variable is unbound (the
# other branches' rows) is unbound in pyoxigraph.
DOCUMENT_COLUMNS = [
    "SELECT ?d (MIN(?t) AS ?title) WHERE { VALUES ?d { %s } ?d dcterms:title ?t } GROUP BY ?d",
    # ?type=: that type only
    f"""SELECT ?d (SAMPLE({TYPE_LABEL}) AS ?type) ?_type WHERE {{
  VALUES ?d {{ %s }} ?d a ?cls .
  FILTER(?cls IN ({DOCUMENT_CLASSES}))
  FILTER(COALESCE(?_type, ?cls) = ?cls)
}} GROUP BY ?d ?_type""",
    # ?from= and ?to=: the earliest date in the range
    f"""SELECT ?d (MIN(STR(?dt)) AS ?date) ?_from ?_to WHERE {{
  VALUES ?d {{ %s }} ?d jha:date ?dt .
  FILTER(COALESCE(?_from, "") = "" || {hi("?dt")} >= ?_from)
  FILTER(COALESCE(?_to, "") = "" || {lo("?dt")} <= ?_to)
}} GROUP BY ?d ?_from ?_to""",
    # the meeting that adopted it, and its start (none if one of its meetings has none, as in the single
    # query, where MIN over a row without a start gave none)
    linked_column("d", "adoptedAt", "?d jha:adoptedAt ?n", "?n rdfs:label ?v", pairs_of("?n", "?v")),
    linked_column("d", "adoptedOn", "?d jha:adoptedAt ?n", "?n jha:startDate ?v", "MIN(STR(?v))"),
    linked_column("d", "issuedBy", "?d jha:issuedBy ?n", "?n skos:prefLabel ?v", pairs_of("?n", "?v")),
    linked_column("d", "presidencies", "?d jha:underPresidency ?n", "?n rdfs:label ?v", pairs_of("?n", "?v")),
    linked_column("d", "topics", "?d dcterms:subject ?n", "?n skos:prefLabel ?v", pairs_of("?n", "?v")),
    articles_column("d"),
]


def documents_page(store, page: Page, **params) -> list[dict]:
    """The rows of one page of documents (``limit + 1`` of them when there is a next page), in IRI order."""
    patterns = list(dict.fromkeys(FILTERS[k] for k in FILTERS if params.get(k) is not None))
    if params.get("_type") is None:  # (a ?type= is a document class)
        patterns.append(CHECK_ANY_TYPE if patterns else FIND_ANY_TYPE)
    found = matching(store, "d", patterns[0], patterns[1:], **params)
    return columns_of(store, keyset_page(found, page), "d", DOCUMENT_COLUMNS, **params)


def type_class(doc_type: str | None) -> NamedNode | None:
    if doc_type is None:
        return None
    for t in DOCUMENT_TYPES:
        if doc_type.lower() in (t.lower(), "otherdocument" if t == "Other" else t.lower()):
            return document_class(t)
    raise ApiError(400, f"unknown document type {doc_type!r} (one of: {', '.join(DOCUMENT_TYPES)})", where="type")


@router.get("/api/documents", summary="Documents by type, date range, topic and presidency")
def list_documents(
    request: Request, settings: SettingsDep, store: StoreDep, page: PageDep,
    type: Annotated[str | None, Query(description="Conclusions, Declaration, Roadmap, Strategy, ActionPlan, "
                                                  "Programme, Report, Regulation, Directive, Recommendation, "
                                                  "Resolution, Agreement, Decision, Proposal, Communication, "
                                                  "Guidelines or Other")] = None,
    from_: Annotated[dt.date | None, Query(
        alias="from", description="Dated on or after this day (a month or year overlapping it counts)")] = None,
    to: Annotated[dt.date | None, Query(description="Dated on or before this day")] = None,
    topic: Annotated[str | None, Query(description="Topic key (drug-trafficking) or IRI")] = None,
    presidency: Annotated[str | None, Query(description="Presidency key (2024-1-be) or IRI")] = None,
) -> dict:
    """Documents the articles name: type, title, date, the meeting that adopted it, who issued it, the
    presidency in office (from the calendar), topics and the articles naming it; keyset-paged by IRI."""
    found = documents_page(store, page, _type=type_class(type), _from=date_text(from_), _to=date_text(to),
                           _topic=keyed_iri("topic", topic, settings, "topic") if topic else None,
                           _presidency=keyed_iri("presidency", presidency, settings, "presidency") if presidency else None)
    items, nxt = next_page(request, found, page, key=lambda r: r["d"])
    data = []
    for r in items:
        item = ref(request, settings, r["d"], r["title"], type=r["type"], date=r["date"])
        adopted = refs_of(request, settings, r["adoptedAt"])
        item["adoptedAt"] = dict(adopted[0], start=r["adoptedOn"]) if adopted else None
        for name in ("issuedBy", "presidencies", "topics", "articles"):
            item[name] = refs_of(request, settings, r[name])
        data.append(item)
    return envelope(data, next_url=nxt)
