"""The timeline: every dated meeting and document, in date order, with the articles that report it."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pyoxigraph import NamedNode

from ..deps import Page, PageDep, SettingsDep, StoreDep
from ..envelope import envelope
from .api import (DOCUMENT_VALUES, MEETING_VALUES, articles_column, columns_of, date_text, hi, in_chunks, keyed_iri,
                  lo, matching, next_page, ref, refs_of, rows, run, values_of)

router = APIRouter(tags=["timeline"])

# The timeline in two steps, as the other lists (see api_documents).  The items of the filters and their
# keys first (TIMELINE_ITEMS without the labels, over the whole graph, or over the items of the presidency
# or topic asked for: ``matching``), sorted and cut to the page in Python; then the page's items again with
# their labels, and the articles that report each (``linked_column``).  As one query the articles and the
# labels crossed every date and type of every item before the LIMIT, over the union graph (6-17 s at
# 1,000 articles).  The rows, date filters and aggregates of TIMELINE_ITEMS are those of that query (the
# filters at the top of its WHERE clause, where a store that binds parameters with VALUES also applies
# them); its presidency and topic filters (an EXISTS per row) became the items each branch is asked over.
ITEM_BRANCHES = (
    # Each branch's facts once (sub-SELECT DISTINCT), with the VALUES of its items, when given, inside: the
    # same rows as a set, and the aggregates do not count rows.  Without, pyoxigraph joined ``?x a ?cls``
    # with the VALUES of the classes by reading every document and meeting (3.5 s at 10,000 articles for
    # the 275 items of a presidency, now 30 ms), and over the whole graph the types crossed the dates.  The
    # labels in a sub-SELECT of their own: in the first, they crossed the types and dates of a document
    # stated in many graphs (100 ms for a page).
    f"""{{
    {{ SELECT DISTINCT ?x ?cls ?d ?e WHERE {{
        %(meetings)s
        ?x a ?cls ; jha:startDate ?d .
        OPTIONAL {{ ?x jha:endDate ?e }}
    }} }}
    %(meeting_label)s
    VALUES (?cls ?ty) {{ {MEETING_VALUES} }}
    BIND("meeting" AS ?what)
  }} UNION {{
    {{ SELECT DISTINCT ?x ?cls ?d WHERE {{
        %(documents)s
        ?x a ?cls ; jha:date ?d .
    }} }}
    %(document_label)s
    VALUES (?cls ?ty) {{ {DOCUMENT_VALUES} }}
    BIND("document" AS ?what)
  }}""")
TIMELINE_ITEMS = f"""
SELECT (MIN(?k) AS ?key) ?x (MIN(STR(?d)) AS ?date) (MAX(STR(?e)) AS ?end) (SAMPLE(?what) AS ?kind)
       (SAMPLE(?ty) AS ?type) %(label)s
       ?_from ?_to
WHERE {{
  {ITEM_BRANCHES}
  BIND(CONCAT({lo("?d")}, " ", STR(?x)) AS ?k)
  FILTER(COALESCE(?_from, "") = "" || {hi("COALESCE(?e, ?d)")} >= ?_from)
  FILTER(COALESCE(?_to, "") = "" || {lo("?d")} <= ?_to)
}}
GROUP BY ?x ?_from ?_to
"""


def timeline_items(meetings: list[str] | None = None, documents: list[str] | None = None,
                   labels: bool = True) -> str:
    """TIMELINE_ITEMS over the given meetings and documents (each branch over all if None), with their
    labels or without."""
    def anchor(iris: list[str] | None) -> str:
        return f"VALUES ?x {{ {values_of(iris)} }}" if iris is not None else ""

    def label(iris: list[str] | None, predicate: str) -> str:
        return f"OPTIONAL {{ SELECT DISTINCT ?x ?l WHERE {{ {anchor(iris)} ?x {predicate} ?l }} }}" if labels else ""

    return TIMELINE_ITEMS % {
        "meetings": anchor(meetings), "documents": anchor(documents),
        "meeting_label": label(meetings, "rdfs:label"), "document_label": label(documents, "dcterms:title"),
        "label": "(MIN(?l) AS ?label)" if labels else ""}


# the items of a topic: what is about it (documents), and what a document about it was adopted at or an
# article about it reports (meetings), asked from what is about it (with the topic bound by substitution,
# ``?art jha:mentions ?x ; dcterms:subject ?_topic`` took 0.45 s at 10,000 articles, these 30 ms)
ABOUT = "?x dcterms:subject ?_topic ."
FROM_ABOUT = "SELECT DISTINCT ?x WHERE { VALUES ?src { %s } { ?src jha:adoptedAt ?x } UNION { ?src jha:mentions ?x } }"
PRESIDENCY = "?x jha:underPresidency ?_presidency ."
ARTICLES_OF = articles_column("x")


def timeline_page(store, page: Page, **params) -> list[dict]:
    """The rows of one page of the timeline (``limit + 1`` of them when there is a next page), by key.

    With a presidency or a topic, the meetings and the documents that pass those filters are found first
    (``meetings``, ``documents``), and each branch of TIMELINE_ITEMS is asked over its own: what the single
    query's ``EXISTS`` filters said of that branch's rows (a document about the topic; a meeting that adopted
    such a document or that an article about it reports; either, under the presidency).
    """
    meetings: set | None = None
    documents: set | None = None
    if params.get("_presidency") is not None:
        meetings = documents = {x.value for x in matching(store, "x", PRESIDENCY, **params)
                                if isinstance(x, NamedNode)}
    if params.get("_topic") is not None:
        about = {x.value for x in matching(store, "x", ABOUT, **params) if isinstance(x, NamedNode)}
        reached = {r["x"] for chunk in in_chunks(sorted(about)) for r in rows(run(store, FROM_ABOUT % values_of(chunk)))}
        documents = about if documents is None else documents & about
        meetings = reached if meetings is None else meetings & reached
    dates = {k: params.get(k) for k in ("_from", "_to")}
    if meetings is None:  # no presidency, no topic: the whole graph
        keyed = rows(run(store, timeline_items(labels=False), **dates))
    else:
        keyed = [r for chunk in in_chunks(sorted(meetings | documents))
                 for r in rows(run(store, timeline_items([x for x in chunk if x in meetings],
                                                         [x for x in chunk if x in documents], labels=False), **dates))]
    keys = sorted((r["key"], r["x"]) for r in keyed if r["key"] is not None and r["x"] is not None)
    iris = [x for key, x in keys if page.after is None or key > page.after][:page.limit + 1]
    if not iris:
        return []
    details = rows(run(store, timeline_items([x for x in iris if meetings is None or x in meetings],
                                             [x for x in iris if documents is None or x in documents]), **dates))
    found = {r["x"]: r for r in details}
    articles = {r["x"]: r["articles"] for r in columns_of(store, iris, "x", [ARTICLES_OF])}
    return [dict(found[x], articles=articles[x]) for x in iris]


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
