"""Cross-references: markers, their issue/pages/news date/separate item, against the gold of the corpus."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jha_graph.articles import parse_article, read_article
from jha_graph.extract.crossrefs import find_crossrefs, parse_issue, parse_marker, parse_pages
from jha_graph.extract.model import CrossRefFact

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"


def facts(text: str) -> list[tuple]:
    return [(x.issue, x.pages, x.news_date, x.separate_item) for x in find_crossrefs(text)]


@pytest.mark.parametrize("text, issue", [("4/2023", "4/2023"), ("eucrim 4 / 2023, 317", "4/2023"),
                                         ("no issue", None), ("13/14 June 2024", None), (None, None)])
def test_parse_issue(text, issue):
    assert parse_issue(text) == issue


@pytest.mark.parametrize("text, pages", [("71–73", "71-73"), ("pp. 202 - 203", "202-203"), ("p. 317", "317"),
                                         ("90-91", "90-91"), ("", None), ("12 to 14", "12-14")])
def test_parse_pages(text, pages):
    assert parse_pages(text) == pages


MARKERS = [
    ("→ eucrim 4/2023, 317", ("4/2023", "317", None, False)),
    ("→eucrim 3/2023, 257-258", ("3/2023", "257-258", None, False)),
    ("→ eucrim 2/2020, 71–73", ("2/2020", "71-73", None, False)),
    ("→ eucrim 2/2020, 71\u201173", ("2/2020", "71-73", None, False)),
    ("→eucrim 4/2024. 270-271", ("4/2024", "270-271", None, False)),
    ("→ eucrim 4/2022/225", ("4/2022", "225", None, False)),
    ("→ eucrim 1/2022, pp. 15-16", ("1/2022", "15-16", None, False)),
    ("→ eucrim 1/2022, p. 15", ("1/2022", "15", None, False)),
    ("→ eucrim 4-2023, 317", ("4/2023", "317", None, False)),
    ("→ eucrim 1 / 2022, pp. 15 – 16", ("1/2022", "15-16", None, False)),
    ("→ eucrim news, 17 April 2024", (None, None, "2024-04-17", False)),
    ("see also, for instance, eucrim 3/2019, pp. 177-178 [a case]", ("3/2019", "177-178", None, False)),
    ("→ eucrim news of 17 April 2024", (None, None, "2024-04-17", False)),
    ("→news of 6 July 2021", (None, None, "2021-07-06", False)),
    ("→ eucrim spotlight of 12 July 2023", (None, None, "2023-07-12", False)),
    ("→eucrim news of 29 April 2025 - Update", (None, None, "2025-04-29", False)),
    ("→ eucrim news of 29 April 2025 and the article by A. B in eucrim 1/2025", ("1/2025", None, "2025-04-29", False)),
    ("→ separate news item", (None, None, None, True)),
    ("→ separate news items", (None, None, None, True)),
    ("→ separate news item under “Security Union”", (None, None, None, True)),
    ("→ separate news item and related link", (None, None, None, True)),
    ("→ related link", (None, None, None, False)),
    ("→ related links", (None, None, None, False)),
    ("→ Conclusions of June 2024 and December 2024", (None, None, None, False)),
    ("→ Council conclusions of 12 December 2024", (None, None, None, False)),
    ("→ Commission report of 5 May 2023", (None, None, None, False)),
]


@pytest.mark.parametrize("marker, expected", MARKERS, ids=[m for m, _ in MARKERS])
def test_parse_marker(marker, expected):
    assert parse_marker(marker) == expected


@pytest.mark.parametrize("text, markers", [
    ("It was tabled (→ eucrim 4/2023, 317).", ["→ eucrim 4/2023, 317"]),
    ("It was tabled (--> eucrim 1/2018, 35-36), and later.", ["--> eucrim 1/2018, 35-36"]),
    ("It was tabled (-> separate news item).", ["-> separate news item"]),
    ("It was tabled (⟶ eucrim 1/2018, 35).", ["⟶ eucrim 1/2018, 35"]),
    ("It was tabled (→ Council conclusions of 12 December 2024 →eucrim 4/2024, 270-271).",
     ["→ Council conclusions of 12 December 2024", "→eucrim 4/2024, 270-271"]),
    ("The reports (for 2022 → eucrim 1/2023, 18; for 2021 → eucrim 1/2022, 15-16).",
     ["→ eucrim 1/2023, 18", "→ eucrim 1/2022, 15-16"]),
    ("It was debated (see eucrim 2/2019, p. 109). Later it was not.", ["see eucrim 2/2019, p. 109"]),
    ("It was debated (see also, for example, eucrim 2/2019, pp. 1-2).", ["see also, for example, eucrim 2/2019, pp. 1-2"]),
    ("See eucrim 2/2019, p. 106, for details.", ["See eucrim 2/2019, p. 106"]),
    ("see the news item by A. Author (→ eucrim 4/2022/225).", ["→ eucrim 4/2022/225"]),
    ("(→ related link; see also the Communication “A – B”, released on 2 December 2020 --> separate news "
     "item under “Area of Freedom, Security and Justice”).",
     ["→ related link", "--> separate news item under “Area of Freedom, Security and Justice”"]),
    ("Spain took over --> separate news item. The next sentence.", ["--> separate news item"]),
    ("(→ eucrim news of 29 April 2025 and the article \"Security – A Firm Construct?\" in eucrim 1/2025). Next.",
     ["→ eucrim news of 29 April 2025 and the article \"Security – A Firm Construct?\" in eucrim 1/2025"]),
    ("Nothing here. Not even eucrim 4/2023, 317 without an arrow.", []),
    ("→", []),
])
def test_marker_extent(text, markers):
    assert [x.marker for x in find_crossrefs(text)] == markers


def test_numbering_context_and_evidence():
    text = ("First paragraph without references.\n\nThe Council adopted conclusions on the network "
            "(→ separate news item) and on third countries (→ eucrim 4/2023, 317). Another sentence.")
    xs = find_crossrefs(text)
    assert [x.n for x in xs] == [1, 2]
    assert xs[0].context == "The Council adopted conclusions on the network and on third countries."
    assert xs[0].evidence.sentence.startswith("The Council adopted")
    assert text[xs[0].evidence.offset:].startswith(xs[0].evidence.sentence)
    assert xs[0].separate_item and not xs[1].separate_item


def test_printed_marker_from_raw_text():
    raw = ("# Item\n\n## News\n\nIt is a priority (→ [eucri](#)m 4/2023, 317) and an aim "
           "(→ **separate** news item).\n")
    a = parse_article(raw.encode(), "item.md")
    xs = find_crossrefs(a.body, raw)
    assert [x.marker for x in xs] == ["→ [eucri](#)m 4/2023, 317", "→ **separate** news item"]
    assert [x.issue for x in xs] == ["4/2023", None]
    # without the raw text, the cleaned marker
    assert [x.marker for x in find_crossrefs(a.body)] == ["→ eucrim 4/2023, 317", "→ separate news item"]


def _gold_files():
    if not (CORPUS / "gold").is_dir() or not (CORPUS / "articles").is_dir():
        return []
    return sorted((CORPUS / "gold").glob("*.json"))


GOLD = _gold_files()


def _compare(gold_path: Path):
    g = json.loads(gold_path.read_text(encoding="utf-8"))
    article = CORPUS / "articles" / f"{gold_path.stem}.md"
    a = read_article(article)
    xs = find_crossrefs(a.body, article.read_text(encoding="utf-8-sig"))
    got = [(x.issue, x.pages, x.news_date, x.separate_item) for x in xs]
    want = [(c["issue"], c["pages"], c["news_date"], bool(c["separate_item"])) for c in g["crossrefs"]]
    return xs, g["crossrefs"], got, want


@pytest.mark.skipif(not GOLD, reason=f"development corpus not found at {CORPUS} (../shared/corpus)")
@pytest.mark.parametrize("gold_path", GOLD, ids=[p.stem for p in GOLD])
def test_corpus_crossrefs_match_gold(gold_path):
    xs, gold, got, want = _compare(gold_path)
    assert got == want
    assert [x.n for x in xs] == list(range(1, len(xs) + 1))


@pytest.mark.skipif(not GOLD, reason=f"development corpus not found at {CORPUS} (../shared/corpus)")
def test_corpus_crossref_totals():
    refs = right = markers_same = 0
    for p in GOLD:
        xs, gold, got, want = _compare(p)
        refs += len(want)
        right += sum(1 for a, b in zip(got, want) if a == b) if len(got) == len(want) else 0
        markers_same += sum(1 for x, c in zip(xs, gold) if x.marker == c["marker"])
    print(f"\ncrossrefs: {right}/{refs} match the gold in order; markers printed as in the gold: "
          f"{markers_same}/{refs}")
    assert right == refs


@settings(max_examples=400, deadline=1000)
@given(st.text(max_size=400))
def test_find_crossrefs_never_raises(text):
    for x in find_crossrefs(text):
        assert isinstance(x, CrossRefFact) and x.marker


_PIECES = ["→", "-->", "->", "(", ")", ";", ".", " ", "eucrim", "[eucri](#)m", "4/2023", ", ", "317", "71–73",
           "see also", "see", "news of", "17 April 2024", "separate news item", "related link", "\n", "“", "”",
           '"', "p.", "pp.", "A", "The"]


@settings(max_examples=400, deadline=1000)
@given(st.lists(st.sampled_from(_PIECES), max_size=40), st.booleans())
def test_marker_like_text_never_raises(pieces, with_raw):
    text = "".join(pieces)
    xs = find_crossrefs(text, text if with_raw else None)
    assert [x.n for x in xs] == list(range(1, len(xs) + 1))
