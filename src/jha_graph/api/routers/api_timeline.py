"""The timeline: every dated meeting and document, in date order, with the articles that report it."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request

from ..deps import PageDep, SettingsDep, StoreDep
from ..envelope import envelope
from .api import (DOCUMENT_VALUES, MEETING_VALUES, date_text, hi, keyed_iri, lo, next_page, pairs_of, ref,
                  refs_of, rows, run, text)

router = APIRouter(tags=["timeline"])

TIMELINE = f"""
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


@router.get("/api/timeline", summary="Dated meetings and documents in order")
def timeline(
    request: Request, settings: SettingsDep, store: StoreDep, page: PageDep,
    from_: Annotated[dt.date | None, Query(alias="from", description="On or after this day")] = None,
    to: Annotated[dt.date | None, Query(description="On or before this day")] = None,
    presidency: Annotated[str | None, Query(description="Presidency key (2024-1-be) or IRI")] = None,
    topic: Annotated[str | None, Query(description="Topic key (drug-trafficking) or IRI")] = None,
) -> dict:
    """Every dated meeting and document in date order (a month or a year sorts at its first day), each
    with its kind, type and the articles that report it.  Paged by ``date + " " + IRI``: ``after`` takes
    the ``key`` of the last item."""
    results = run(store, TIMELINE + f"LIMIT {page.limit + 1}", _from=date_text(from_), _to=date_text(to),
                  _presidency=keyed_iri("presidency", presidency, settings, "presidency") if presidency else None,
                  _topic=keyed_iri("topic", topic, settings, "topic") if topic else None, _after=text(page.after))
    items, nxt = next_page(request, rows(results), page, key=lambda r: r["key"])
    data = []
    for r in items:
        item = ref(request, settings, r["x"], r["label"], kind=r["kind"], type=r["type"], date=r["date"],
                   end=r["end"], key=r["key"])
        item["articles"] = refs_of(request, settings, r["articles"])
        data.append(item)
    return envelope(data, next_url=nxt)
