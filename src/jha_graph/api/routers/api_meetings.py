"""Meetings: JHA Councils, informal meetings, summits and high-level meetings, by date, kind and presidency."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pyoxigraph import NamedNode

from ...namespaces import JHA
from ..deps import PageDep, SettingsDep, StoreDep
from ..envelope import envelope
from ..errors import ApiError
from .api import (MEETING_KINDS, MEETING_VALUES, date_text, keyed_iri, next_page, pairs_of, ref, refs_of, rows,
                  run, text)

router = APIRouter(tags=["meetings"])

MEETINGS = f"""
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


def kind_class(kind: str | None) -> NamedNode | None:
    """The meeting class of a kind: its label (``JHA Council``) or class name (``JHACouncilMeeting``)."""
    if kind is None:
        return None
    for label, cls in MEETING_KINDS.items():
        if kind.lower() in (label.lower(), cls.lower()):
            return JHA[cls]
    options = ", ".join(MEETING_KINDS)
    raise ApiError(400, f"unknown meeting kind {kind!r} (one of: {options})", where="kind")


@router.get("/api/meetings", summary="Meetings by date, kind and presidency")
def list_meetings(
    request: Request, settings: SettingsDep, store: StoreDep, page: PageDep,
    from_: Annotated[dt.date | None, Query(alias="from",
                                           description="Only meetings ending on or after this day")] = None,
    to: Annotated[dt.date | None, Query(description="Only meetings starting on or before this day")] = None,
    kind: Annotated[str | None, Query(description="JHA Council, Informal JHA, European Council, Other Council, "
                                                  "High-level meeting or Other (or the class name)")] = None,
    presidency: Annotated[str | None, Query(description="Presidency key (2024-1-be) or IRI")] = None,
) -> dict:
    """Meetings the articles report, with place, presidency (from the calendar) and the articles that
    report each; keyset-paged by IRI, which sorts by start date."""
    results = run(store, MEETINGS + f"LIMIT {page.limit + 1}", _from=date_text(from_), _to=date_text(to),
                  _kind=kind_class(kind),
                  _presidency=keyed_iri("presidency", presidency, settings, "presidency") if presidency else None,
                  _after=text(page.after))
    items, nxt = next_page(request, rows(results), page, key=lambda r: r["m"])
    data = []
    for r in items:
        item = ref(request, settings, r["m"], r["label"], kind=r["kind"], start=r["start"], end=r["end"])
        item["places"] = refs_of(request, settings, r["places"])
        item["presidencies"] = refs_of(request, settings, r["presidencies"])
        item["articles"] = refs_of(request, settings, r["articles"])
        data.append(item)
    return envelope(data, next_url=nxt)
