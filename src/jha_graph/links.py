"""Cross-references resolved to the articles they cite, over the whole graph.

A reference names its target by issue and page ('→ eucrim 4/2023, 317'), by date ('→ eucrim news
of 17 April 2024') or only by its topic ('→ separate news item'): the last is resolved to the
article whose title and lead share the most rare words with the sentence the marker ends.
The result lives in its own named graph, rebuilt after every ingest, because a new article can
be the target that an old reference was waiting for.
"""
from __future__ import annotations

import bisect
import itertools
import math
import re
import sys
import tempfile
from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, parse

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
    month: int | None = None  # when it appeared, in months since year 0 (see _month)


# A 'separate news item' is another item of the same issue or of the same weeks: it is looked for
# among the articles that appeared within this many months of the citing one (and those whose date
# is not known).  Without the bound the search grew with the whole corpus for every reference.
SEPARATE_ITEM_MONTHS = 6
FLOOR_CANDIDATES = 8  # articles scored first for a floor in ``_Index.best_match`` (any number gives the same answer)


def _month(date: str | None, issue: str | None) -> int | None:
    """The month an article appeared: from its dateline, else from its issue ('4/2023': the 4th quarter)."""
    if date and re.match(r"\d{4}-\d\d", date):
        return int(date[:4]) * 12 + int(date[5:7]) - 1
    m = re.fullmatch(r"\s*(\d)\s*[/-]\s*(\d{4})\s*", issue or "")
    if m and 1 <= int(m.group(1)) <= 4:
        return int(m.group(2)) * 12 + 3 * int(m.group(1)) - 1
    return None


def _words(text: str) -> Counter:
    return Counter(sys.intern(w) for w in _WORD.findall(text.lower()) if w not in _STOP)


_WORD = re.compile(r"[a-z][a-z\-]{2,}")


def _pages(value: str | None) -> tuple[int | None, int | None]:
    nums = [int(n) for n in re.findall(r"\d+", value or "")]
    return (nums[0], nums[-1]) if nums else (None, None)


def _value(row, name):
    term = row[name]
    return term.value if term is not None else None


class _Index:
    """The articles, with what finds candidates fast: by issue, by date, by year, and by word (postings,
    one set per quarter the articles appeared in, and one for those whose date is not known).
    """

    def __init__(self, articles: list[_Article]) -> None:
        self.articles = articles
        self.df = Counter(w for a in articles for w in a.words)
        self.n = max(len(articles), 1)
        self.by_iri = {a.iri: a for a in articles}
        self.order = {a.iri: i for i, a in enumerate(articles)}
        self.by_issue: dict[str, list[_Article]] = {}
        self.by_date: dict[str, list[_Article]] = {}
        self.undated_by_year: dict[str | None, list[_Article]] = {}  # by the year of the issue
        self._paged: dict[str, tuple[list[int], list[_Article], int]] = {}  # see on_pages
        self.postings: dict[int | None, dict[str, array]] = {}  # quarter (None: not known) -> word -> ids
        for i, a in enumerate(articles):
            if a.issue is not None:
                self.by_issue.setdefault(a.issue, []).append(a)
            if a.date is not None:
                self.by_date.setdefault(a.date, []).append(a)
            else:
                self.undated_by_year.setdefault(a.issue[-4:] if a.issue is not None else None, []).append(a)
            quarter = a.month // 3 if a.month is not None else None
            postings = self.postings.setdefault(quarter, {})
            for w in a.words:
                posting = postings.get(w)
                if posting is None:
                    posting = postings[w] = array("l")
                posting.append(i)

    def on_pages(self, issue: str, first: int, last: int) -> list[_Article]:
        """The articles of an issue whose pages overlap ``first``-``last``, in corpus order, found by
        bisection (an issue of a big corpus holds thousands of articles)."""
        paged = self._paged.get(issue)
        if paged is None:
            arts = sorted((a for a in self.by_issue.get(issue, ()) if a.first is not None), key=lambda a: a.first)
            span = max((max(0, (a.last or a.first) - a.first) for a in arts), default=0)
            paged = self._paged[issue] = ([a.first for a in arts], arts, span)
        firsts, arts, span = paged
        lo, hi = bisect.bisect_left(firsts, first - span), bisect.bisect_right(firsts, last)
        hits = [a for a in arts[lo:hi] if first <= (a.last or a.first)]
        return sorted(hits, key=lambda a: self.order[a.iri])

    def undated(self, years: tuple[str, ...]) -> list[_Article]:
        """Articles without a dateline whose issue is of one of ``years`` or not known."""
        return [a for y in (*years, None) for a in self.undated_by_year.get(y, ())]

    def _postings_near(self, month: int | None) -> list[dict[str, array]]:
        """The postings of the quarters within reach of ``month``, and of the articles of no known date
        (all of them when ``month`` is None)."""
        if month is None:
            return list(self.postings.values())
        lo, hi = (month - SEPARATE_ITEM_MONTHS) // 3, (month + SEPARATE_ITEM_MONTHS) // 3
        return [p for q in (*range(lo, hi + 1), None) if (p := self.postings.get(q)) is not None]

    def best_match(self, context: Counter, paragraph: Counter, source: str, threshold: float,
                   month: int | None = None) -> _Article | None:
        """The article (not ``source``) with the highest ``_similarity`` (then the greatest IRI), if it
        reaches ``threshold``: what sorting every article by (similarity, IRI) gives, without scoring
        every article.  With ``month`` (when the citing article appeared), only articles of no known
        date or that appeared within ``SEPARATE_ITEM_MONTHS`` of it are candidates.

        Each word bounds what it can add to a score: (2 x its count in the context + its count in the
        paragraph) x its weight.  First a few articles that have the rarest words are scored, which gives
        a floor (the best score so far, at least the threshold).  The weakest words whose bounds add up
        to less than the floor cannot lift an article to it on their own, so only articles that have
        one of the other words can still win: their bounds are added up from the postings of those
        words (the short ones: strong words are rare words), and they are scored exactly, best bound
        first, until no bound can beat the best score.  The common words' long postings are never read.
        """
        df, n = self.df, self.n
        bounds = {}
        for w in set(context) | set(paragraph):
            if w in df:
                bounds[w] = (2 * context.get(w, 0) + paragraph.get(w, 0)) * math.log(1 + n / df[w])
        words = sorted(bounds, key=lambda w: (-bounds[w], w))
        # _similarity, with the weights computed once and only the shared words visited: the same
        # floats, added in the same order (the order of the context's and the paragraph's words)
        weight = {w: math.log(1 + n / df[w]) for w in bounds}
        ckeys, pkeys = context.keys(), paragraph.keys()
        crank = {w: r for r, w in enumerate(context)}
        prank = {w: r for r, w in enumerate(paragraph)}

        def score(aw: Counter) -> float:
            s1 = sum(min(context[w], aw[w]) * weight[w] for w in sorted(ckeys & aw.keys(), key=crank.__getitem__))
            if not paragraph:
                return 2 * s1 + 0.0
            s2 = sum(min(paragraph[w], aw[w]) * weight[w] for w in sorted(pkeys & aw.keys(), key=prank.__getitem__))
            return 2 * s1 + s2

        articles = self.articles
        near = self._postings_near(month)
        postings = {w: [p[w] for p in near if w in p] for w in words}
        size = {w: sum(map(len, lists)) for w, lists in postings.items()}
        best: tuple[float, str] | None = None
        found = None
        seen: set[int] = set()

        def consider(i: int) -> None:
            nonlocal best, found
            seen.add(i)
            a = articles[i]
            if a.iri != source and (month is None or a.month is None
                                    or abs(a.month - month) <= SEPARATE_ITEM_MONTHS):
                key = (score(a.words), a.iri)
                if best is None or key > best:
                    best, found = key, a

        # the floor: a few articles that have the rarest words (8: 32 scored four times as many for
        # the same floor, a sixth of the links' time at 10k articles)
        for w in sorted(words, key=lambda w: (size[w], w)):
            for i in itertools.islice(itertools.chain.from_iterable(postings[w]), FLOOR_CANDIDATES):
                if i not in seen:
                    consider(i)
            if len(seen) >= FLOOR_CANDIDATES:
                break
        floor = max(threshold, best[0]) if best is not None else threshold
        margin = 1e-9 * (1 + floor)
        weak, k = 0.0, len(words)  # words[k:] are the weak ones, their bounds add up to ``weak``
        while k > 0 and weak + bounds[words[k - 1]] < floor - margin:
            k -= 1
            weak += bounds[words[k]]
        reach: dict[int, float] = {}  # what the words read so far can add, per article
        get = reach.get
        for w in words[:k]:
            bound = bounds[w]
            for posting in postings[w]:
                for i in posting:
                    reach[i] = get(i, 0.0) + bound
        # Reading one more weak word costs a pass over its postings, but lowers every bound by its
        # own (and restores it where the word is): worth it while there are many more candidates
        # to score exactly (~30 postings read cost about one score).
        while k < len(words):
            cut = floor - margin - weak
            # crowd * 30 < size, counting the crowd only as far as that needs
            need = -(-size[words[k]] // 30)
            if sum(1 for _ in itertools.islice((r for r in reach.values() if r >= cut), need)) < need:
                break
            w = words[k]
            k += 1
            bound = bounds[w]
            weak -= bound
            for posting in postings[w]:
                for i in posting:
                    reach[i] = get(i, 0.0) + bound
        cut = floor - margin - weak
        for r, i in sorted(((r, i) for i, r in reach.items() if r >= cut), reverse=True):
            if best is not None and r + weak < best[0] - margin:
                break  # no one further down can reach the best score (nor tie it)
            if i not in seen:
                consider(i)
        return found if best is not None and best[0] >= threshold else None


def resolve(store: GraphStore, minter: Minter) -> list[Quad]:
    """The quads of the links graph for the store as it is now."""
    g = minter.links_graph
    return [Quad(t.subject, t.predicate, t.object, g)
            for t in parse("".join(f"{line} .\n" for line in _link_triples(store)).encode(), RdfFormat.N_TRIPLES)]


def _link_triples(store: GraphStore) -> Iterator[str]:
    """The triples of the links graph, as N-Triples without the final dot, each once, in the order the
    queries give them.  Text, not term objects: the links of 100k articles are a million triples."""
    articles = []
    for row in store.query(ARTICLES):
        first, last = _pages(_value(row, "pages"))
        text = f"{_value(row, 'title')} {_value(row, 'title')} {_value(row, 'lead') or ''}"
        date, issue = _value(row, "date"), _value(row, "issue")
        articles.append(_Article(row["article"].value, _value(row, "title"), date, issue, first, last,
                                 _words(text), _month(date, issue)))
    index = _Index(articles)
    refers, cites, resolved = str(JHA.refersTo), str(CITO.cites), str(JHA.resolvedBy)
    seen: set[str] = set()
    for row in store.query(REFS):
        source = row["article"].value
        target = _target(row, index, source)
        if target is None:
            continue
        ref, cited = str(row["ref"]), str(NamedNode(target.iri))
        how = "issue-and-pages" if _value(row, "issue") else "news-date" if _value(row, "newsDate") else "topic"
        for triple in (f"{ref} {refers} {cited}", f"{NamedNode(source)} {cites} {cited}",
                       f"{ref} {resolved} {Literal(how)}"):
            if triple not in seen:
                seen.add(triple)
                yield triple


def _similarity(context: Counter, a: _Article, df: Counter, n: int, paragraph: Counter | None = None) -> float:
    """Shared rare words; the marker's own sentence counts twice as much as the sentences before it."""
    def overlap(words: Counter) -> float:
        return sum(min(c, a.words[w]) * math.log(1 + n / df[w]) for w, c in words.items() if w in a.words)
    return 2 * overlap(context) + (overlap(paragraph) if paragraph else 0.0)


def _target(row, index: _Index, source: str) -> _Article | None:
    issue, pages, news_date = _value(row, "issue"), _value(row, "pages"), _value(row, "newsDate")
    df, n = index.df, index.n
    context = _words(_value(row, "context") or "")
    paragraph = _words(_value(row, "paragraph") or "")
    if issue:
        first, last = _pages(pages)
        if first is None:
            hits = [a for a in index.by_issue.get(issue, ()) if a.iri != source]
        else:
            hits = [a for a in index.on_pages(issue, first, last or first) if a.iri != source]
        return max(hits, key=lambda a: _similarity(context, a, df, n), default=None)
    if news_date:
        hits = [a for a in index.by_date.get(news_date, ()) if a.iri != source]
        if hits:
            return max(hits, key=lambda a: _similarity(context, a, df, n))
        # the item may be in the graph in its print form, which has no dateline: an undated
        # article of that year's issues that is about what the reference's sentence is about
        year = news_date[:4]
        undated = [a for a in index.undated((year, str(int(year) + 1))) if a.iri != source]
        scored = sorted(((_similarity(context, a, df, n, paragraph), a.iri, a) for a in undated), reverse=True)
        if scored and scored[0][0] >= 8.0:
            return scored[0][2]
        return None
    if _value(row, "separate") == "true" and context:
        cited_by = index.by_iri.get(source)
        return index.best_match(context, paragraph, source, 4.0, cited_by.month if cited_by else None)
    return None


# Changes to the links graph go in transactions of at most this many quads: pyoxigraph holds a
# transaction in memory (dropping the links graph of 100k articles took 1.4 GB).
CHANGE_CHUNK = 20_000


def rebuild(store: GraphStore, minter: Minter) -> int:
    """Resolve the links again and write what changed; the number of triples of the links graph.

    A new links graph goes in by the bulk loader from a temporary file, all or nothing (see
    ``EmbeddedStore.add_new_graphs``).  An existing one is changed in place, in transactions of
    ``CHANGE_CHUNK`` triples: a reader may see some of the changes before the others for the moment it
    takes, but the graph is derived from the articles and the next rebuild (every ingest ends with one)
    makes it whole again.
    """
    g = minter.links_graph
    has_graph = getattr(store, "has_graph", None)
    if has_graph is not None and not has_graph(g) and hasattr(store, "add_new_graphs"):
        with tempfile.TemporaryFile() as f:
            n = 0
            for triple in _link_triples(store):
                f.write(f"{triple} {g} .\n".encode())
                n += 1
            f.seek(0)
            store.add_new_graphs([g], f)
        return n
    new = set(_link_triples(store))
    old = {f"{q.subject} {q.predicate} {q.object}" for q in store.quads(g)}
    remove, add = sorted(old - new), sorted(new - old)
    del old
    for i in range(0, max(len(remove), len(add)), CHANGE_CHUNK):
        store.update(_change(g, remove[i:i + CHANGE_CHUNK], add[i:i + CHANGE_CHUNK]))
    return len(new)


def _change(graph: NamedNode, remove: list[str], add: list[str]) -> str:
    """One SPARQL Update (one transaction) that removes some triples of a graph and adds others."""
    parts = []
    for verb, triples in (("DELETE", remove), ("INSERT", add)):
        if triples:
            body = "\n".join(f"{t} ." for t in triples)
            parts.append(f"{verb} DATA {{ GRAPH {graph} {{\n{body}\n}} }}")
    return " ;\n".join(parts)
