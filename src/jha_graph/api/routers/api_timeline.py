"""The timeline: every dated meeting and document, in date order, with the articles that report it."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pyoxigraph import NamedNode

from ..deps import Page, PageDep, SettingsDep, StoreDep
from ..envelope import envelope
from .api import (DOCUMENT_VALUES, MEETING_VALUES, columns_of, date_text, hi, in_chunks, keyed_iri, linked_column,
                  lo, matching, next_page, pairs_of, ref, refs_of, rows, run, values_of)

router = APIRouter(tags=["timeline"])

# The timeline in two steps, as the other lists (see api_documents).  The items of the filters and their
# keys first (TIMELINE_ITEMS without the labels, over the whole graph, or over the items of the presidency
# or topic asked for: ``matching``), sorted and cut to the page in Python; then the page's items again with
# their labels, and the articles that report each (``linked_column``).  As one query the articles and the
# labels crossed every date and type of every item before the LIMIT, over the union graph (6-17 s at
# 1,000 articles).  The filters and aggregates of TIMELINE_ITEMS are those of that query (kept at the top
# of its WHERE clause, where a store that binds parameters with VALUES also applies them).
ITEM_BRANCHES = (
    # Each branch's facts once (sub-SELECT DISTINCT), with the VALUES of the items, when given, inside: the
    # same rows as a set, and the aggregates do not count rows.  Without, pyoxigraph joined ``?x a ?cls``
    # with the VALUES of the classes by reading every document and meeting (3.5 s at 10,000 articles for
    # the 275 items of a presidency, now 30 ms), and over the whole graph the types crossed the dates.
    f"""{{
    {{ SELECT DISTINCT ?x ?cls ?d ?e %(label_var)s WHERE {{
        %(anchor)s
        ?x a ?cls ; jha:startDate ?d .
        OPTIONAL {{ ?x jha:endDate ?e }}
        %(meeting_label)s
    }} }}
    VALUES (?cls ?ty) {{ {MEETING_VALUES} }}
    BIND("meeting" AS ?what)
  }} UNION {{
    {{ SELECT DISTINCT ?x ?cls ?d %(label_var)s WHERE {{
        %(anchor)s
        ?x a ?cls ; jha:date ?d .
        %(document_label)s
    }} }}
    VALUES (?cls ?ty) {{ {DOCUMENT_VALUES} }}
    BIND("document" AS ?what)
  }}""")
TIMELINE_ITEMS = f"""
SELECT (MIN(?k) AS ?key) ?x (MIN(STR(?d)) AS ?date) (MAX(STR(?e)) AS ?end) (SAMPLE(?what) AS ?kind)
       (SAMPLE(?ty) AS ?type) %(label)s
       ?_from ?_to ?_presidency ?_topic
WHERE {{
  {ITEM_BRANCHES}
  FILTER(COALESCE(?_topic, "") = ""
         || (?what = "document" && EXISTS {{ ?x dcterms:subject ?_topic }})
         || (?what = "meeting" && (EXISTS {{ ?doc jha:adoptedAt ?x ; dcterms:subject ?_topic }}
                                   || EXISTS {{ ?art jha:mentions ?x ; dcterms:subject ?_topic }})))
  BIND(CONCAT({lo("?d")}, " ", STR(?x)) AS ?k)
  FILTER(COALESCE(?_from, "") = "" || {hi("COALESCE(?e, ?d)")} >= ?_from)
  FILTER(COALESCE(?_to, "") = "" || {lo("?d")} <= ?_to)
  FILTER(COALESCE(?_presidency, "") = "" || EXISTS {{ ?x jha:underPresidency ?_presidency }})
}}
GROUP BY ?x ?_from ?_to ?_presidency ?_topic
"""


def timeline_items(iris: list[str] | None = None, labels: bool = True) -> str:
    """TIMELINE_ITEMS over the items ``iris`` (all if None), with their labels or without."""
    return TIMELINE_ITEMS % {
        "anchor": f"VALUES ?x {{ {values_of(iris)} }}" if iris is not None else "",
        "meeting_label": "OPTIONAL { ?x rdfs:label ?l }" if labels else "",
        "document_label": "OPTIONAL { ?x dcterms:title ?l }" if labels else "",
        "label_var": "?l" if labels else "",
        "label": "(MIN(?l) AS ?label)" if labels else ""}


# the items of a topic: documents about it, meetings that adopted such a document or that an article about
# it reports (a union: ``matching`` is asked once for each); of a presidency
TOPIC = ("?x dcterms:subject ?_topic .", "?doc jha:adoptedAt ?x ; dcterms:subject ?_topic .",
         "?art jha:mentions ?x ; dcterms:subject ?_topic .")
PRESIDENCY = "?x jha:underPresidency ?_presidency ."
ARTICLES_OF = linked_column("x", "articles", "?n jha:mentions ?x ; ?type jha:Article . FILTER(?type = rdf:type)",
                            "?n dcterms:title ?v", pairs_of("?n", "?v"))


def timeline_page(store, page: Page, **params) -> list[dict]:
    """The rows of one page of the timeline (``limit + 1`` of them when there is a next page), by key."""
    candidates: set | None = None
    if params.get("_presidency") is not None:
        candidates = set(matching(store, "x", PRESIDENCY, **params))
    if params.get("_topic") is not None:
        about = {x for pattern in TOPIC for x in matching(store, "x", pattern, **params)}
        candidates = about if candidates is None else candidates & about
    if candidates is None:
        keyed = rows(run(store, timeline_items(labels=False), **params))
    else:
        named = sorted(x.value for x in candidates if isinstance(x, NamedNode))
        keyed = [r for chunk in in_chunks(named) for r in rows(run(store, timeline_items(chunk, labels=False), **params))]
    keys = sorted((r["key"], r["x"]) for r in keyed if r["key"] is not None and r["x"] is not None)
    iris = [x for key, x in keys if page.after is None or key > page.after][:page.limit + 1]
    if not iris:
        return []
    details = {r["x"]: r for r in rows(run(store, timeline_items(iris), **params))}
    articles = {r["x"]: r["articles"] for r in columns_of(store, iris, "x", [ARTICLES_OF])}
    return [dict(details[x], articles=articles[x]) for x in iris]


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
    found = timeline_page(store, page, _from=date_text(from_), _to=date_text(to),
                          _presidency=keyed_iri("presidency", presidency, settings, "presidency") if presidency else None,
                          _topic=keyed_iri("topic", topic, settings, "topic") if topic else None)
    items, nxt = next_page(request, found, page, key=lambda r: r["key"])
    data = []
    for r in items:
        item = ref(request, settings, r["x"], r["label"], kind=r["kind"], type=r["type"], date=r["date"],
                   end=r["end"], key=r["key"])
        item["articles"] = refs_of(request, settings, r["articles"])
        data.append(item)
    return envelope(data, next_url=nxt)
