"""Cross-references resolved to the articles they cite, over the whole graph.

A reference names its target by issue and page ('→ eucrim 4/2023, 317'), by date ('→ eucrim news
of 17 April 2024') or only by its topic ('→ separate news item'): the last is resolved to the
article whose title and lead share the most rare words with the sentence the marker ends.
The result lives in its own named graph, rebuilt after every ingest, because a new article can
be the target that an old reference was waiting for.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode, Quad

from .namespaces import CITO, JHA, Minter
from .store import GraphStore

_STOP = set("""a an the of on and in for to by with from at as is are was were be been has have had it its this that
these those which who will would can could should may also into under over between about after before than
such other their there they he she we our eu european union council commission news item items separate see
eucrim new""".split())

ARTICLES = """
SELECT ?article ?title ?date ?issue ?pages ?lead WHERE {
  GRAPH ?g { ?article a jha:Article ; dcterms:title ?title .
    OPTIONAL { ?article dcterms:date ?date }
    OPTIONAL { ?article dcterms:isPartOf/jha:issueLabel ?issue }
    OPTIONAL { ?article bibo:pages ?pages }
    OPTIONAL { ?article dcterms:abstract ?lead } }
}"""
REFS = """
SELECT ?article ?ref ?issue ?pages ?newsDate ?separate ?context ?paragraph WHERE {
  GRAPH ?g { ?article jha:hasCrossReference ?ref .
    OPTIONAL { ?ref jha:citedIssue ?issue } OPTIONAL { ?ref jha:citedPages ?pages }
    OPTIONAL { ?ref jha:citedNewsDate ?newsDate } OPTIONAL { ?ref jha:separateItem ?separate }
    OPTIONAL { ?ref jha:context ?context } OPTIONAL { ?ref jha:paragraphContext ?paragraph } }
}"""


@dataclass
class _Article:
    iri: str
    title: str
    date: str | None
    issue: str | None
    first: int | None
    last: int | None
    words: Counter


def _words(text: str) -> Counter:
    return Counter(w for w in re.findall(r"[a-z][a-z\-]{2,}", text.lower()) if w not in _STOP)


def _pages(value: str | None) -> tuple[int | None, int | None]:
    nums = [int(n) for n in re.findall(r"\d+", value or "")]
    return (nums[0], nums[-1]) if nums else (None, None)


def _value(row, name):
    term = row[name]
    return term.value if term is not None else None


def resolve(store: GraphStore, minter: Minter) -> list[Quad]:
    """The quads of the links graph for the store as it is now."""
    articles = []
    for row in store.query(ARTICLES):
        first, last = _pages(_value(row, "pages"))
        text = f"{_value(row, 'title')} {_value(row, 'title')} {_value(row, 'lead') or ''}"
        articles.append(_Article(row["article"].value, _value(row, "title"), _value(row, "date"),
                                 _value(row, "issue"), first, last, _words(text)))
    df = Counter(w for a in articles for w in a.words)
    n = max(len(articles), 1)
    g = minter.links_graph
    out: list[Quad] = []
    for row in store.query(REFS):
        source = row["article"].value
        target = _target(row, articles, df, n, source)
        if target is None:
            continue
        out.append(Quad(row["ref"], JHA.refersTo, NamedNode(target.iri), g))
        out.append(Quad(NamedNode(source), CITO.cites, NamedNode(target.iri), g))
        how = "issue-and-pages" if _value(row, "issue") else "news-date" if _value(row, "newsDate") else "topic"
        out.append(Quad(row["ref"], JHA.resolvedBy, Literal(how), g))
    return sorted(set(out), key=str)


def _similarity(context: Counter, a: _Article, df: Counter, n: int, paragraph: Counter | None = None) -> float:
    """Shared rare words; the marker's own sentence counts twice as much as the sentences before it."""
    def overlap(words: Counter) -> float:
        return sum(min(c, a.words[w]) * math.log(1 + n / df[w]) for w, c in words.items() if w in a.words)
    return 2 * overlap(context) + (overlap(paragraph) if paragraph else 0.0)


def _target(row, articles: list[_Article], df: Counter, n: int, source: str) -> _Article | None:
    issue, pages, news_date = _value(row, "issue"), _value(row, "pages"), _value(row, "newsDate")
    others = [a for a in articles if a.iri != source]
    context = _words(_value(row, "context") or "")
    paragraph = _words(_value(row, "paragraph") or "")
    if issue:
        first, last = _pages(pages)
        hits = [a for a in others if a.issue == issue and (
            first is None or (a.first is not None and a.first <= (last or first) and first <= (a.last or a.first)))]
        return max(hits, key=lambda a: _similarity(context, a, df, n), default=None)
    if news_date:
        hits = [a for a in others if a.date == news_date]
        if hits:
            return max(hits, key=lambda a: _similarity(context, a, df, n))
        # the item may be in the graph in its print form, which has no dateline: an undated
        # article of that year's issues that is about what the reference's sentence is about
        year = news_date[:4]
        undated = [a for a in others if a.date is None and (a.issue is None or a.issue.endswith(year)
                                                             or a.issue.endswith(str(int(year) + 1)))]
        scored = sorted(((_similarity(context, a, df, n, paragraph), a.iri, a) for a in undated), reverse=True)
        if scored and scored[0][0] >= 8.0:
            return scored[0][2]
        return None
    if _value(row, "separate") == "true" and context:
        scored = sorted(((_similarity(context, a, df, n, paragraph), a.iri, a) for a in others), reverse=True)
        if scored and scored[0][0] >= 4.0:
            return scored[0][2]
    return None


def rebuild(store: GraphStore, minter: Minter) -> int:
    quads = resolve(store, minter)
    store.replace_graphs({minter.links_graph: quads})
    return len(quads)
