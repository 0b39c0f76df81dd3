"""Meetings: JHA Councils, informal meetings, summits and high-level meetings, by date, kind and presidency."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pyoxigraph import NamedNode

from ...namespaces import JHA
from ..deps import Page, PageDep, SettingsDep, StoreDep
from ..envelope import envelope
from ..errors import ApiError
from .api import (MEETING_KINDS, MEETING_VALUES, articles_column, columns_of, date_text, keyed_iri, keyset_page,
                  linked_column, matching, next_page, pairs_of, ref, refs_of)

router = APIRouter(tags=["meetings"])

# As /api/documents (see api_documents): ``matching`` finds the meetings that pass the filters, sorted and
# cut to the page in Python, then one query per column gathers what the page shows.  Asked as one query
# the OPTIONALs crossed each other over the union graph and the aggregates ran over every meeting before
# the LIMIT (1-2.6 s at 1,000 articles).

# The filters, the most selective first, each one pattern (pyoxigraph plans a pattern joined with another
# badly when a parameter is bound by substitution: ``?m a ?_kind ; jha:startDate ?s`` took 0.5 s at 10,000
# articles, ``?m a ?_kind`` 16 ms).  The dates: one (start, end) of the meeting in the range, the end being
# the start where there is none.  A meeting has a start date and one of the meeting classes.
FILTERS = {
    "_presidency": "?m jha:underPresidency ?_presidency .",
    "_kind": "?m a ?_kind .",
    "_from": """?m jha:startDate ?s .
  OPTIONAL { ?m jha:endDate ?e0 }
  BIND(COALESCE(?e0, ?s) AS ?e)
  FILTER(COALESCE(?_from, "") = "" || STR(?e) >= ?_from)
  FILTER(COALESCE(?_to, "") = "" || STR(?s) <= ?_to)""",
}
FILTERS["_to"] = FILTERS["_from"]
HAS_START = "?m jha:startDate ?s ."
MEETING_CLASSES = ", ".join(f"jha:{c}" for c in MEETING_KINDS.values())
FIND_ANY_KIND = f"VALUES ?cls {{ {MEETING_CLASSES.replace(',', '')} }} ?m a ?cls ."
CHECK_ANY_KIND = f"?m a ?cls . FILTER(?cls IN ({MEETING_CLASSES}))"

# What the page shows of each meeting (``%s``: the page's meetings, as VALUES), with the aggregates of the
# single query; the start and end are those of the (start, end) in the range, as the filter keeps them.
MEETING_COLUMNS = [
    "SELECT ?m (MIN(?l) AS ?label) WHERE { VALUES ?m { %s } ?m rdfs:label ?l } GROUP BY ?m",
    # the classes first (a VALUES of class and kind beside ``?m a ?cls`` made pyoxigraph read every meeting)
    f"""SELECT ?m (SAMPLE(?k) AS ?kind) ?_kind WHERE {{
  {{ SELECT DISTINCT ?m ?cls WHERE {{ VALUES ?m {{ %s }} ?m a ?cls }} }}
  VALUES (?cls ?k) {{ {MEETING_VALUES} }}
  FILTER(COALESCE(?_kind, ?cls) = ?cls)
}} GROUP BY ?m ?_kind""",
    f"""SELECT ?m (MIN(STR(?s)) AS ?start) (MAX(STR(?e)) AS ?end) ?_from ?_to WHERE {{
  VALUES ?m {{ %s }} {FILTERS["_from"]}
}} GROUP BY ?m ?_from ?_to""",
    linked_column("m", "places", "?m jha:heldIn ?n", "?n rdfs:label ?v", pairs_of("?n", "?v")),
    linked_column("m", "presidencies", "?m jha:underPresidency ?n", "?n rdfs:label ?v", pairs_of("?n", "?v")),
    articles_column("m"),
]


def meetings_page(store, page: Page, **params) -> list[dict]:
    """The rows of one page of meetings (``limit + 1`` of them when there is a next page), in IRI order."""
    patterns = list(dict.fromkeys(FILTERS[k] for k in FILTERS if params.get(k) is not None))
    if params.get("_kind") is None:  # (a ?kind= is a meeting class)
        patterns.append(CHECK_ANY_KIND if patterns else FIND_ANY_KIND)
    if params.get("_from") is None and params.get("_to") is None:
        patterns.append(HAS_START)
    found = matching(store, "m", patterns[0], patterns[1:], **params)
    return columns_of(store, keyset_page(found, page), "m", MEETING_COLUMNS, **params)


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
    found = meetings_page(store, page, _from=date_text(from_), _to=date_text(to), _kind=kind_class(kind),
                          _presidency=keyed_iri("presidency", presidency, settings, "presidency") if presidency else None)
    items, nxt = next_page(request, found, page, key=lambda r: r["m"])
    data = []
    for r in items:
        item = ref(request, settings, r["m"], r["label"], kind=r["kind"], start=r["start"], end=r["end"])
        item["places"] = refs_of(request, settings, r["places"])
        item["presidencies"] = refs_of(request, settings, r["presidencies"])
        item["articles"] = refs_of(request, settings, r["articles"])
        data.append(item)
    return envelope(data, next_url=nxt)
