"""Cross-reference links: when an article appeared, 'separate news item' candidates, and the rebuild."""
from __future__ import annotations

from collections import Counter

import pytest
from pyoxigraph import NamedNode, Quad

from jha_graph import links
from jha_graph.config import Settings
from jha_graph.ingest import ingest
from jha_graph.links import SEPARATE_ITEM_MONTHS, _Article, _Index, _month, _words
from jha_graph.store import EmbeddedStore


@pytest.mark.parametrize("date, issue, expected", [
    ("2024-03-17", None, 2024 * 12 + 2),
    ("2024-03-17", "4/2023", 2024 * 12 + 2),  # the dateline wins
    (None, "4/2023", 2023 * 12 + 11),
    (None, "1/2024", 2024 * 12 + 2),
    (None, " 2 / 2021 ", 2021 * 12 + 5),
    (None, "5/2023", None),  # there are four issues a year
    (None, "Special Issue", None),
    (None, None, None),
])
def test_month_an_article_appeared(date, issue, expected):
    assert _month(date, issue) == expected


def article(name: str, month: int | None, text: str) -> _Article:
    return _Article(f"http://x/{name}", text, None, None, None, None, _words(text), month)


def corpus() -> list[_Article]:
    text = "europol mandate smuggling migrants trafficking agreement"
    base = 2024 * 12
    return [
        article("source", base, "council conclusions"),
        article("near", base + SEPARATE_ITEM_MONTHS, text),
        article("far", base + SEPARATE_ITEM_MONTHS + 1, text + " frontex"),  # scores higher
        article("undated", None, "europol mandate"),
        *(article(f"filler{i}", base - 60 + i, f"filler words number {i}") for i in range(40)),
    ]


def test_a_separate_item_is_looked_for_among_articles_of_the_same_months():
    index = _Index(corpus())
    context = Counter(_words("the new europol mandate on smuggling migrants and trafficking, with frontex"))
    month = 2024 * 12
    found = index.best_match(context, Counter(), "http://x/source", 1.0, month)
    assert found is not None and found.iri == "http://x/near"
    # without a date for the citing article, every article is a candidate: the better match wins
    found = index.best_match(context, Counter(), "http://x/source", 1.0, None)
    assert found is not None and found.iri == "http://x/far"


def test_articles_of_no_known_date_stay_candidates():
    articles = [a for a in corpus() if a.iri not in ("http://x/near", "http://x/far")]
    found = _Index(articles).best_match(Counter(_words("europol mandate")), Counter(), "http://x/source",
                                        1.0, 2024 * 12)
    assert found is not None and found.iri == "http://x/undated"


def test_the_best_match_is_the_best_score_within_the_window():
    """The search that skips most articles finds what scoring every candidate finds."""
    import random

    rng = random.Random(7)
    vocab = [f"word{i}" for i in range(60)]
    arts = [article(f"a{i}", rng.choice([None, *range(2000 * 12, 2003 * 12)]),
                    " ".join(rng.choices(vocab, k=rng.randint(3, 12)))) for i in range(400)]
    index = _Index(arts)
    for _ in range(60):
        source = rng.choice(arts)
        context = _words(" ".join(rng.choices(vocab, k=8)))
        got = index.best_match(context, Counter(), source.iri, 2.0, source.month)
        scored = [(links._similarity(context, a, index.df, index.n), a.iri) for a in arts
                  if a.iri != source.iri and (source.month is None or a.month is None
                                              or abs(a.month - source.month) <= SEPARATE_ITEM_MONTHS)]
        best = max(scored, default=None)
        expected = best[1] if best is not None and best[0] >= 2.0 else None
        assert (got.iri if got else None) == expected


def test_a_rebuild_writes_the_links_resolve_gives(tmp_path, corpus_dir):
    settings = Settings(store=str(tmp_path / "store"))
    store = EmbeddedStore(tmp_path / "store")
    files = sorted(corpus_dir.glob("*.md"))
    ingest(files[: len(files) // 2], store, settings)
    g = settings.minter.links_graph

    def graph() -> set[Quad]:
        return set(store.quads(g))

    assert graph() == set(links.resolve(store, settings.minter))
    ingest(files[len(files) // 2:], store, settings)  # more articles: more links, written as a change
    expected = set(links.resolve(store, settings.minter))
    assert graph() == expected and len(expected) > 0
    # a stray quad in the links graph is removed by the next rebuild
    store.raw.add(Quad(NamedNode("http://x/a"), NamedNode("http://x/b"), NamedNode("http://x/c"), g))
    links.rebuild(store, settings.minter)
    assert graph() == expected
