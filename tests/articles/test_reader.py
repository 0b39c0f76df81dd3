"""The article reader: both formats on synthetic samples, the development corpus, bad input."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jha_graph.articles import ArticleError, parse_article, person_name, read_article
from jha_graph.extract.model import ArticleText
from jha_graph.extract.sentences import split_sentences

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"

# --------------------------------------------------------------------------------------------
# synthetic samples, written for these tests in the style of the two formats

WEB = """Ministers Discuss a Fictional Topic
3 March 2022 (updated 2 months ago) // Preprint Issue 1/2022
Doe_Jane_portrait_SW.jpg Dr. Jane Doe LL.M.

On 1 March 2022, the ministers met (→ eucrim 4/2021, 200-201) and agreed on three points:

- A first point;
- A second point that runs on
  over two lines;
- A third point.

Background

The debate had started earlier (see eucrim 2/2021, p. 99).

News Guide

EU Council

Author

Doe_Jane_portrait_SW.jpg
Jane Doe
"""

PRINT = """

Spotlight

# A Fictional Council Item: [Steps](#) Forward

## News

**Prof. Dr. Max Muster PhD**

At the meeting on 2/3 June 2023, the Presidency presented its plans (→ [eucri](#)m 1/2023, 12–13).

The [Ministers approved conclusions](#) on cooperation with partner countries. The network of contact points for
the exchange of best practices is expected to become a corner-
stone of the strategy. Strengthening the role of national authorities in the fight against organised

### AUTHOR

**Max Muster**

Researcher  
Some Institute for  
Criminal Law

---

Published in  
2023, Vol. 18(2) [eucri](#)m pp 45 –  
46

ISSN: 1234-5678

---

crime is seen as a key element of the plan. It will be reviewed in 2025.

### UPDATE:

In December 2023, the Council took stock of the progress made (→ separate news item).

---

## About eucrim

eucrim is a journal. The footer names Eurojust and OLAF, which are not part of the news.

**Co-funded by  
the European Union**
"""


def test_web_sample_metadata_and_blocks():
    a = parse_article(WEB.encode(), "ministers-discuss.md")
    assert isinstance(a, ArticleText)
    assert (a.format, a.title, a.date, a.author, a.issue, a.pages) == (
        "web", "Ministers Discuss a Fictional Topic", "2022-03-03", "Jane Doe", "1/2022", None)
    assert a.file == "ministers-discuss.md" and a.slug == "ministers-discuss"
    kinds = [b.kind for b in a.blocks]
    assert kinds == ["paragraph", "list-item", "list-item", "list-item", "heading", "paragraph"]
    assert a.blocks[2].text == "A second point that runs on over two lines;"
    assert a.blocks[4].text == "Background"
    assert "News Guide" not in a.body and "Author" not in a.body and "Council\n" not in a.body
    assert len(a.sha256) == 64


def test_web_sample_without_author_and_with_printed_issue():
    raw = ("A Short Item\n20 July 2022 (updated 1 year ago) // Published in printed Issue 2/2022 p 120\n\n"
           "On 9 July 2022, the Council adopted a recommendation.\n")
    a = parse_article(raw.encode(), "short.md")
    assert (a.title, a.date, a.author, a.issue, a.pages) == ("A Short Item", "2022-07-20", None, "2/2022", None)
    assert a.body == "On 9 July 2022, the Council adopted a recommendation."


def test_web_sample_without_dateline():
    a = parse_article(b"Only a Title\n\nSome body text follows here.", "t.md")
    assert (a.title, a.date, a.author) == ("Only a Title", None, None)
    assert a.body == "Some body text follows here."


@pytest.mark.parametrize("line, name", [
    ("Riehle_Cornelia_Neu_SW.jpg Cornelia Riehle LL.M.", "Cornelia Riehle"),
    ("2018-Max_Planck_Herr_Doe_1355_black white_Zuschnitt.jpg John Doe", "John Doe"),
    ("Smith Kopie Dr. Jane Smith", "Jane Smith"),
    ("Smith Kopie Jane Smith", "Jane Smith"),
    ("photo.png Prof. Dr. Hans-Peter von Beispiel, M.A.", "Hans-Peter von Beispiel"),
    ("Jane Doe PhD", "Jane Doe"),
])
def test_web_author_lines(line, name):
    raw = f"Title of an Item\n12 February 2021\n{line}\n\nOn 9 December 2020, something happened.\n"
    assert parse_article(raw.encode(), "x.md").author == name


@pytest.mark.parametrize("text, name", [
    ("Dr. Anna Example", "Anna Example"), ("**Cornelia Sample LL.M.**", "Cornelia Sample"),
    ("Thomas Example, MLE", "Thomas Example"), ("Key figures", None), ("On 4 March 2024, it met.", None),
])
def test_person_name(text, name):
    assert person_name(text) == name


def test_print_sample_metadata():
    a = parse_article(PRINT.encode(), "fictional-item.md")
    assert (a.format, a.title, a.date, a.author, a.issue, a.pages, a.volume) == (
        "print", "A Fictional Council Item: Steps Forward", None, "Max Muster", "2/2023", "45-46", 18)


def test_print_sample_blocks():
    a = parse_article(PRINT.encode(), "fictional-item.md")
    body = a.body
    for bad in ("Published in", "ISSN", "[eucri](#)m", "About eucrim", "AUTHOR", "Researcher", "Co-funded",
                "footer", "**", "](#)", "---"):
        assert bad not in body, bad
    assert "(→ eucrim 1/2023, 12–13)" in a.blocks[0].text
    assert "The Ministers approved conclusions on cooperation" in body
    # the side block cut a sentence in two: joined again, and the PDF hyphenation undone
    sents = [s for _, s in split_sentences(body)]
    assert ("Strengthening the role of national authorities in the fight against organised crime is seen "
            "as a key element of the plan.") in sents
    assert "corner-stone" in body or "cornerstone" in body
    assert "best practices is expected" in body  # a line break inside a paragraph
    assert [b.kind for b in a.blocks] == ["paragraph", "paragraph", "heading", "paragraph"]
    assert a.blocks[2].text == "UPDATE:"
    assert a.blocks[-1].text.endswith("(→ separate news item).")


def test_print_year_only_and_single_page():
    base = "# An Item\n\n## News\n\nThe body of the item.\n\n---\n\nPublished in  \n{pub}\n\nISSN: 1862-6947\n"
    a = parse_article(base.format(pub="2023").encode(), "a.md")
    assert (a.issue, a.pages, a.volume, a.author) == (None, None, None, None)
    b = parse_article(base.format(pub="2019, Vol. 14(2) eucrim pp 109").encode(), "b.md")
    assert (b.issue, b.pages, b.volume) == ("2/2019", "109", 14)
    c = parse_article(base.format(pub="2019, Vol. 14(3) [eucri](#)m p. 150 - 151").encode(), "c.md")
    assert (c.issue, c.pages) == ("3/2019", "150-151")
    assert all(x.body == "The body of the item." for x in (a, b, c))


def test_print_body_sentence_starting_with_published_in_is_kept():
    raw = "# An Item\n\n## News\n\nPublished in the Official Journal on 5 May 2024, the Directive applies.\n"
    a = parse_article(raw.encode(), "a.md")
    assert a.body == "Published in the Official Journal on 5 May 2024, the Directive applies."


def test_bom_crlf_nbsp_soft_hyphen_and_link_variants():
    raw = ("\ufeff# A\u00a0Title\r\n\r\n## News\r\n\r\nThe Com\u00admission met on 4\u00a0March\u00a02024 "
           "(\u2192 e[ucrim](#) 4/2023, 317) and <https://example.org/x> was cited.\r\n").encode("utf-8")
    a = parse_article(raw, "bom.md")
    assert a.title == "A Title"
    assert a.body == ("The Commission met on 4 March 2024 (\u2192 eucrim 4/2023, 317) and "
                      "https://example.org/x was cited.")
    assert "\r" not in a.body


def test_html_entities_and_print_without_markdown_title():
    raw = ("**A Title in Bold**\n\n## News\n\n**Jane Doe**\n\nA &amp; B met (&rarr; eucrim 4/2023, 317) and\n\n"
           "---\n\nPublished in  \n2024, Vol. 19(2) eucrim pp 70\n\nISSN: 1862-6947\n\n---\n\n"
           "agreed.\n\n## About eucrim\n\nFooter.\n")
    a = parse_article(raw.encode(), "x.md")
    assert (a.format, a.title, a.author, a.issue, a.pages) == ("print", "A Title in Bold", "Jane Doe", "2/2024", "70")
    assert a.body == "A & B met (→ eucrim 4/2023, 317) and agreed."


def test_read_article_from_file(tmp_path):
    p = tmp_path / "Some Item (Copy).md"
    p.write_bytes(WEB.encode())
    a = read_article(p)
    assert a.file == "Some Item (Copy).md" and a.slug == "some-item-copy"


# --------------------------------------------------------------------------------------------
# bad input

@pytest.mark.parametrize("raw, words", [
    (b"", ["empty"]),
    (b"  \n\t\r\n  ", ["whitespace"]),
    (b"\xef\xbb\xbf\n\n", ["whitespace"]),
    (b"Title\n\nBody\x00with a NUL", ["binary"]),
    (bytes(range(256)) * 4, ["binary"]),
    (b"\x89PNG\r\n\x1a\n" + bytes([1, 2, 3, 4, 5, 6, 7, 8]) * 10, ["binary"]),
    (b"\xff\xfeT\x00i\x00", ["UTF-16"]),
    ("Title\n\nBody text \u00e9".encode("latin-1") + b" more", ["UTF-8", "offset 17"]),
    (b"Only one line, no body at all", ["no body"]),
    (b"12345\n\nsome body text", ["title"]),
    (("word " * 200).encode() + b"\n\nbody text", ["title", "999 characters"]),
    (b"# \n\nbody", ["title"]),
    (b"... --- ...\n\n!!! ???", ["title"]),
    (b"# A Title\n\n## News\n\n---\n\nPublished in  \n2023\n\nISSN: 1862-6947\n", ["no body"]),
])
def test_bad_input_raises_article_error(raw, words):
    with pytest.raises(ArticleError) as e:
        parse_article(raw, "bad-file.md")
    msg = str(e.value)
    assert msg.startswith("bad-file.md: ")
    assert isinstance(e.value, ValueError)
    for w in words:
        assert w.lower() in msg.lower(), msg


def test_invalid_utf8_offset_counts_the_bom():
    raw = b"\xef\xbb\xbfTitle\n\nab\xc3("
    with pytest.raises(ArticleError, match=r"byte offset 12"):
        parse_article(raw, "f.md")


def test_too_large(tmp_path):
    raw = WEB.encode()
    with pytest.raises(ArticleError, match=rf"too large: {len(raw)} bytes, the limit is 100 bytes"):
        parse_article(raw, "big.md", max_bytes=100)
    p = tmp_path / "big.md"
    p.write_bytes(b"Title\n\n" + b"x" * (5 * 1024 * 1024))
    with pytest.raises(ArticleError, match=r"big\.md: is too large: \d+ bytes .*limit is 5242880 bytes"):
        read_article(p)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(ArticleError, match="does not exist"):
        read_article(tmp_path / "nope.md")
    with pytest.raises(ArticleError, match="not a regular file"):
        read_article(tmp_path)


@settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_give_article_or_article_error(raw):
    try:
        a = parse_article(raw, "fuzz.md")
    except ArticleError as e:
        assert str(e).startswith("fuzz.md: ")
        return
    assert isinstance(a, ArticleText) and a.title and a.blocks


_PIECES = ["# ", "## News", "### AUTHOR", "**", "Published in  ", "2024, Vol. 19(1) [eucri](#)m pp 30 –  ",
           "ISSN: 1862-6947", "---", "## About eucrim", "- ", "→ ", "(→ eucrim 4/2023, 317)", "12 March 2024",
           " // Preprint Issue 3/2025", "x.jpg Jane Doe LL.M.", "News Guide", "[", "](#)", "\u00ad", "\u00a0",
           "Some text", "criminal-", "networks.", "\r\n", "\n", "\n\n", "\ufeff", "é", "\x0c"]


@settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PIECES) | st.text(max_size=20), max_size=60))
def test_format_like_text_gives_article_or_article_error(pieces):
    raw = "".join(pieces).encode("utf-8", "surrogatepass")
    try:
        a = parse_article(raw, "fuzz.md")
    except ArticleError:
        return
    assert a.format in ("web", "print")
    assert all(b.kind in ("paragraph", "heading", "list-item") and b.text for b in a.blocks)


# --------------------------------------------------------------------------------------------
# the development corpus

def _corpus():
    if not (CORPUS / "articles").is_dir() or not (CORPUS / "gold").is_dir():
        pytest.skip(f"development corpus not found at {CORPUS} (expected ../shared/corpus beside the project)")
    out = []
    for p in sorted((CORPUS / "articles").glob("*.md")):
        gold = CORPUS / "gold" / (p.stem + ".json")
        if gold.exists():
            out.append((p, json.loads(gold.read_text(encoding="utf-8"))))
    return out


@pytest.fixture(scope="module")
def corpus():
    return [(p, g, read_article(p)) for p, g in _corpus()]


FIELDS = ("title", "date", "author", "issue", "pages")


def test_corpus_metadata_matches_gold(corpus):
    right, total, wrong = 0, 0, []
    for p, g, a in corpus:
        assert a.format == g["format"], p.name
        for f in FIELDS:
            total += 1
            if getattr(a, f) == g["article"][f]:
                right += 1
            else:
                wrong.append(f"{p.stem}: {f} {getattr(a, f)!r} != {g['article'][f]!r}")
    print(f"\narticle fields: {right}/{total} = {right / total:.1%} over {len(corpus)} articles")
    present = sum(1 for _, g, _ in corpus for f in FIELDS if g["article"][f] is not None)
    print(f"fields the gold states: {present}")
    assert not wrong, "\n".join(wrong)


def test_corpus_blocks_are_clean(corpus):
    for p, _, a in corpus:
        assert a.blocks, p.name
        for b in a.blocks:
            for bad in ("Published in", "ISSN", "[eucri](#)m", "About eucrim", "](#)", "News Guide",
                        "Co-funded", "\u00a0", "\u00ad", "  "):
                assert bad not in b.text, f"{p.name}: {bad!r} in {b.text[:80]!r}"
            assert b.text == b.text.strip()


def test_seed_sentence_joined_across_side_block():
    corpus = _corpus()
    seed = next((p for p, _ in corpus if p.stem == "seed-article"), None)
    if seed is None:
        pytest.skip("seed-article.md not in the corpus")
    a = read_article(seed)
    sents = [s for _, s in split_sentences(a.body)]
    wanted = [s for s in sents if s.startswith("Strengthening efforts in mapping high-risk criminal")]
    assert wanted == ["Strengthening efforts in mapping high-risk criminal networks is seen as a fundamental "
                      "step to further enhancing their dismantlement."]
    assert [b.text for b in a.blocks if b.kind == "heading"] == ["UPDATE:"]
    assert not re.search(r"Senior Researcher|Max Planck|Union Anti-Fraud Programme", a.body)
