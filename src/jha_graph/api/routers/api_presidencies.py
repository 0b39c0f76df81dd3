"""Council presidencies (from the reference calendar), each with its meetings, documents and articles."""
from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from fastapi import APIRouter, Query, Request

from ...config import Settings
from ..deps import PageDep, SettingsDep, StoreDep
from ..envelope import envelope
from ..errors import ApiError
from .api import (DOCUMENT_VALUES, MEETING_VALUES, date_text, iri_param, next_page, ref,
                  rows, run, text)

router = APIRouter(tags=["presidencies"])

PRESIDENCIES = """
SELECT ?p (MIN(?l) AS ?label) (SAMPLE(?c) AS ?country) (MIN(?cn) AS ?countryName) (SAMPLE(?cc) AS ?code)
       (MIN(?s) AS ?start) (MAX(?e) AS ?end) (SAMPLE(?t) AS ?trio) (MIN(?tl) AS ?trioLabel)
       ?_from ?_to ?_country ?_after
WHERE {
  ?p a jha:CouncilPresidency ; jha:startDate ?s ; jha:endDate ?e .
  FILTER(STR(?p) > COALESCE(?_after, ""))
  FILTER(COALESCE(?_from, "") = "" || STR(?e) >= ?_from)
  FILTER(COALESCE(?_to, "") = "" || STR(?s) <= ?_to)
  OPTIONAL { ?p rdfs:label ?l }
  OPTIONAL { ?p jha:country ?c . OPTIONAL { ?c skos:prefLabel ?cn } OPTIONAL { ?c skos:notation ?cc } }
  FILTER(COALESCE(?_country, "") = "" || LCASE(STR(?cc)) = LCASE(?_country) || LCASE(STR(?cn)) = LCASE(?_country))
  OPTIONAL { ?p jha:partOfTrio ?t . OPTIONAL { ?t rdfs:label ?tl } }
}
GROUP BY ?p ?_from ?_to ?_country ?_after
ORDER BY STR(?p)
"""

MEETINGS_UNDER = f"""
SELECT ?m (MIN(?l) AS ?label) (SAMPLE(?k) AS ?kind) (MIN(STR(?s)) AS ?start) (MAX(STR(?e)) AS ?end) ?_presidency
WHERE {{
  VALUES (?cls ?k) {{ {MEETING_VALUES} }}
  ?m jha:underPresidency ?_presidency ; a ?cls ; jha:startDate ?s .
  OPTIONAL {{ ?m jha:endDate ?e }} OPTIONAL {{ ?m rdfs:label ?l }}
}}
GROUP BY ?m ?_presidency
ORDER BY ?start STR(?m)
"""

DOCUMENTS_UNDER = f"""
SELECT ?d (MIN(?t) AS ?title) (SAMPLE(?ty) AS ?type) (MIN(STR(?dt)) AS ?date) ?_presidency
WHERE {{
  VALUES (?cls ?ty) {{ {DOCUMENT_VALUES} }}
  ?d jha:underPresidency ?_presidency ; a ?cls .
  OPTIONAL {{ ?d dcterms:title ?t }} OPTIONAL {{ ?d jha:date ?dt }}
}}
GROUP BY ?d ?_presidency
ORDER BY ?date STR(?d)
"""

ARTICLES_MENTIONING = """
SELECT ?a (MIN(?t) AS ?title) (MIN(STR(?d)) AS ?date) ?_entity
WHERE { ?a a jha:Article ; jha:mentions ?_entity . OPTIONAL { ?a dcterms:title ?t } OPTIONAL { ?a dcterms:date ?d } }
GROUP BY ?a ?_entity
ORDER BY ?date STR(?a)
"""


def presidency_item(request: Request, settings: Settings, r: dict) -> dict:
    item = ref(request, settings, r["p"], r["label"])
    item.update({
        "country": ref(request, settings, r["country"], r["countryName"], code=r["code"]),
        "start": r["start"], "end": r["end"],
        "trio": ref(request, settings, r["trio"], r["trioLabel"]),
    })
    return item


@router.get("/api/presidencies", summary="Council presidencies")
def list_presidencies(
    request: Request, settings: SettingsDep, store: StoreDep, page: PageDep,
    from_: Annotated[dt.date | None, Query(alias="from", description="Only terms ending on or after this day")] = None,
    to: Annotated[dt.date | None, Query(description="Only terms starting on or before this day")] = None,
    country: Annotated[str | None, Query(min_length=2, max_length=80,
                                         description="ISO 3166-1 alpha-2 code (BE) or English name")] = None,
) -> dict:
    """The presidencies of the Council of the EU from the reference calendar, in order (keyset by IRI,
    which sorts by year and half)."""
    results = run(store, PRESIDENCIES + f"LIMIT {page.limit + 1}", _from=date_text(from_), _to=date_text(to),
                  _country=text(country), _after=text(page.after))
    items, nxt = next_page(request, rows(results), page, key=lambda r: r["p"])
    return envelope([presidency_item(request, settings, r) for r in items], next_url=nxt)


@router.get("/api/presidencies/{key}", summary="One presidency with its meetings, documents and articles")
def get_presidency(key: str, request: Request, settings: SettingsDep, store: StoreDep) -> dict:
    """One presidency by its key (``2024-1-be``: year, half, country code; ``.json`` suffix allowed) with the
    meetings and documents dated in its term (from the calendar) and the articles that mention it."""
    key = key.removesuffix(".json")
    if not re.fullmatch(r"\d{4}-[12]-[a-z]{2}", key):
        raise ApiError(400, f"not a presidency key (year-half-country, e.g. 2024-1-be): {key!r}", where="key")
    iri = iri_param(f"presidency/{key}", settings, "key")
    found = rows(run(store, PRESIDENCIES + "LIMIT 1", p=iri))
    if not found or found[0]["start"] is None:
        raise ApiError(404, f"no presidency {key} in the calendar", where="key")
    data = presidency_item(request, settings, found[0])
    data["meetings"] = [ref(request, settings, r["m"], r["label"], kind=r["kind"], start=r["start"], end=r["end"])
                        for r in rows(run(store, MEETINGS_UNDER, _presidency=iri))]
    data["documents"] = [ref(request, settings, r["d"], r["title"], type=r["type"], date=r["date"])
                         for r in rows(run(store, DOCUMENTS_UNDER, _presidency=iri))]
    data["articles"] = [ref(request, settings, r["a"], r["title"], date=r["date"])
                        for r in rows(run(store, ARTICLES_MENTIONING, _entity=iri))]
    return envelope(data)
