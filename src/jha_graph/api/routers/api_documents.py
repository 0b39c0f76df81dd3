"""Documents: conclusions, declarations, strategies, legal acts ..., by type, date, topic and presidency."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pyoxigraph import NamedNode

from ..deps import PageDep, SettingsDep, StoreDep
from ..envelope import envelope
from ..errors import ApiError
from .api import (DOCUMENT_TYPES, DOCUMENT_VALUES, date_text, document_class, hi, keyed_iri, lo, next_page,
                  pairs_of, ref, refs_of, rows, run, text)

router = APIRouter(tags=["documents"])

DOCUMENTS = f"""
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
    results = run(store, DOCUMENTS + f"LIMIT {page.limit + 1}", _type=type_class(type), _from=date_text(from_),
                  _to=date_text(to),
                  _topic=keyed_iri("topic", topic, settings, "topic") if topic else None,
                  _presidency=keyed_iri("presidency", presidency, settings, "presidency") if presidency else None,
                  _after=text(page.after))
    items, nxt = next_page(request, rows(results), page, key=lambda r: r["d"])
    data = []
    for r in items:
        item = ref(request, settings, r["d"], r["title"], type=r["type"], date=r["date"])
        adopted = refs_of(request, settings, r["adoptedAt"])
        item["adoptedAt"] = dict(adopted[0], start=r["adoptedOn"]) if adopted else None
        for name in ("issuedBy", "presidencies", "topics", "articles"):
            item[name] = refs_of(request, settings, r[name])
        data.append(item)
    return envelope(data, next_url=nxt)
