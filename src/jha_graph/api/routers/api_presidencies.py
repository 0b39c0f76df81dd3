"""Council presidencies (from the reference calendar), each with its meetings, documents and articles."""
from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pyoxigraph import NamedNode

from ...config import Settings
from ..deps import PageDep, SettingsDep, StoreDep
from ..envelope import envelope
from ..errors import ApiError
from .api import (MEETING_KINDS, MEETING_VALUES, columns_of, date_text, iri_param, matching, next_page, ref, rows,
                  run, text)
from .api_documents import DOCUMENT_CLASSES, TYPE_LABEL

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

# A presidency's meetings, documents and articles: each found from the presidency (one pattern), checked
# for its class, then its columns from their distinct values (``columns_of``), sorted in Python as ORDER BY
# sorted them (unbound first).  As one query each, over the union graph the type crossed the title and the
# date in every graph naming a document, with the presidency bound by substitution: 23 s at 10,000 articles
# for the documents of a presidency, now ~20 ms; the same rows (tests/api/test_list_routes.py).
MEETING_CLASSES = ", ".join(f"jha:{c}" for c in MEETING_KINDS.values())
MEETING_COLUMNS = [
    "SELECT ?m (MIN(?l) AS ?label) WHERE { VALUES ?m { %s } ?m rdfs:label ?l } GROUP BY ?m",
    f"""SELECT ?m (SAMPLE(?k) AS ?kind) WHERE {{
  {{ SELECT DISTINCT ?m ?cls WHERE {{ VALUES ?m {{ %s }} ?m a ?cls }} }}
  VALUES (?cls ?k) {{ {MEETING_VALUES} }}
}} GROUP BY ?m""",
    "SELECT ?m (MIN(STR(?s)) AS ?start) WHERE { VALUES ?m { %s } ?m jha:startDate ?s } GROUP BY ?m",
    "SELECT ?m (MAX(STR(?e)) AS ?end) WHERE { VALUES ?m { %s } ?m jha:endDate ?e } GROUP BY ?m",
]
DOCUMENT_COLUMNS = [
    "SELECT ?d (MIN(?t) AS ?title) WHERE { VALUES ?d { %s } ?d dcterms:title ?t } GROUP BY ?d",
    f"""SELECT ?d (SAMPLE({TYPE_LABEL}) AS ?type) WHERE {{
  VALUES ?d {{ %s }} ?d a ?cls . FILTER(?cls IN ({DOCUMENT_CLASSES}))
}} GROUP BY ?d""",
    "SELECT ?d (MIN(STR(?dt)) AS ?date) WHERE { VALUES ?d { %s } ?d jha:date ?dt } GROUP BY ?d",
]
ARTICLE_COLUMNS = [
    "SELECT ?a (MIN(?t) AS ?title) WHERE { VALUES ?a { %s } ?a dcterms:title ?t } GROUP BY ?a",
    "SELECT ?a (MIN(STR(?d)) AS ?date) WHERE { VALUES ?a { %s } ?a dcterms:date ?d } GROUP BY ?a",
]


def in_order(found: list[dict], key: str, by: str) -> list[dict]:
    """Rows as ``ORDER BY ?by STR(?key)`` sorts them: an unbound ``by`` first."""
    return sorted(found, key=lambda r: (r[by] is not None, r[by] or "", r[key]))


def meetings_under(store, presidency: NamedNode) -> list[dict]:
    """The meetings (with a start date) that record the presidency, by start."""
    found = matching(store, "m", "?m jha:underPresidency ?_presidency .",
                     [f"?m a ?cls . FILTER(?cls IN ({MEETING_CLASSES}))", "?m jha:startDate ?s ."],
                     _presidency=presidency)
    iris = sorted({m.value for m in found if isinstance(m, NamedNode)})
    return in_order(columns_of(store, iris, "m", MEETING_COLUMNS), "m", "start")


def documents_under(store, presidency: NamedNode) -> list[dict]:
    """The documents that record the presidency, by date."""
    found = matching(store, "d", "?d jha:underPresidency ?_presidency .",
                     [f"?d a ?cls . FILTER(?cls IN ({DOCUMENT_CLASSES}))"], _presidency=presidency)
    iris = sorted({d.value for d in found if isinstance(d, NamedNode)})
    return in_order(columns_of(store, iris, "d", DOCUMENT_COLUMNS), "d", "date")


def articles_mentioning(store, entity: NamedNode) -> list[dict]:
    """The articles that name the entity, by date."""
    found = matching(store, "a", "?a jha:mentions ?_entity .", ["?a a jha:Article ."], _entity=entity)
    iris = sorted({a.value for a in found if isinstance(a, NamedNode)})
    return in_order(columns_of(store, iris, "a", ARTICLE_COLUMNS), "a", "date")


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
                        for r in meetings_under(store, iri)]
    data["documents"] = [ref(request, settings, r["d"], r["title"], type=r["type"], date=r["date"])
                         for r in documents_under(store, iri)]
    data["articles"] = [ref(request, settings, r["a"], r["title"], date=r["date"])
                        for r in articles_mentioning(store, iri)]
    return envelope(data)
