"""Bad files: whatever bytes an article file holds, reading and extracting it gives either a graph that
passes SHACL (and the quality checks) or a clear ``ArticleError``; never another exception, never a hang.

* Property tests (hypothesis): arbitrary bytes; article-like text assembled from the pieces real
  articles are made of, mixed with hostile ones (control and invisible characters, unbalanced brackets
  and markdown, impossible dates, long runs); the date parser and the cross-reference parser on
  arbitrary and date-like text.
* Pathological inputs, one by one, each bounded in time: long runs of capitalised words, long lists,
  one very long sentence, deep parentheses, one very long word, thousands of markers, a 50 MB file.

Hang guard: every example runs under a watchdog (``faulthandler``) that dumps every thread's stack and
ends the test run if one example takes longer than ``HANG_S``; hypothesis' deadline fails an example
that is merely slow.
"""
from __future__ import annotations

import datetime as dt
import faulthandler
import os
import re
import time
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from jha_graph.articles import ArticleError, parse_article, read_article
from jha_graph.config import Settings
from jha_graph.extract import extract
from jha_graph.extract.crossrefs import find_crossrefs, parse_marker
from jha_graph.extract.dates import find_dates, parse_date
from jha_graph.graph import ArticleGraphWriter
from jha_graph.ingest import ingest, static_graphs
from jha_graph.links import rebuild as rebuild_links
from jha_graph.reference import default_reference
from jha_graph.store import EmbeddedStore
from jha_graph.validate import validate

from .helpers import scaled

HANG_S = 60  # one example longer than this is a hang: dump the stacks and stop
FAST = scaled(120, 2000, "JHA_FUZZ_EXAMPLES")  # examples of the cheap properties
VALIDATED = scaled(12, 200, "JHA_FUZZ_VALIDATED")  # examples that also run SHACL (about 0.5 s each)
REF = default_reference()
SETTINGS = Settings(store="memory")
WRITER = ArticleGraphWriter(SETTINGS.minter, REF)


@contextmanager
def watchdog(seconds: float = HANG_S):
    faulthandler.dump_traceback_later(seconds, exit=True)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()


def read_or_refuse(raw: bytes, name: str = "fuzz.md"):
    """The article, or None when it is refused with a clear ArticleError naming the file."""
    try:
        article = parse_article(raw, name)
    except ArticleError as e:
        assert str(e).startswith(f"{name}: ") and len(e.problem) >= 8, repr(e)
        assert "Traceback" not in str(e)
        _event("refused: " + re.sub(r"[\d'\"(].*", "", e.problem).strip())
        return None
    _event("read")
    return article


def _event(label: str) -> None:
    try:
        event(label)  # counted in --hypothesis-show-statistics
    except Exception:  # noqa: BLE001 - outside a hypothesis test
        pass


# --- what article text is made of --------------------------------------------------------------------

WORDS = ["the", "Council", "adopted", "conclusions", "on", "European", "Union", "Commission", "presented",
         "its", "new", "EU", "Strategy", "to", "tackle", "Organised", "Crime", "Europol", "Eurojust", "EPPO",
         "Frontex", "JHA", "Presidency", "Belgian", "Hungarian", "Directive", "Regulation", "(EU)", "2024/1234",
         "of", "and", "which", "was", "by", "Justice", "Home", "Affairs", "Ministers", "meeting", "in",
         "Brussels", "Luxembourg", "report", "Action", "Plan", "Roadmap", "Declaration", "on", "drug",
         "trafficking", "money", "laundering", "cybercrime", "e.g.", "i.e.", "Art.", "pp.", "Dr.", "LL.M."]
DATES = ["4 March 2024", "4/5 March 2024", "4-5 March 2024", "March 2024", "2023-2024", "2024", "first half of 2024",
         "31 February 2024", "0 March 2024", "29 February 2023", "12 Octember 2024", "1 January 0000", "9999",
         "30 June 1899", "2024-03-04", "the end of 2025", "in spring 2024", "15 October 2025 (updated 1 month ago)"]
MARKERS = ["(→ eucrim 4/2023, 317)", "→ eucrim 1/2024, 30-31", "(→ eucrim news of 17 April 2024)",
           "(→ separate news item)", "→", "(→)", "(→ eucrim 99/9999, 0)", "→ eucrim 4/2023, pp. 317 ff.",
           "(→ [eucri](#)m 2/2022, 12)", "(→ eucrim 4/2023, 317; eucrim 1/2024, 5)"]
HOSTILE = ["\u200b", "\u00ad", "\ufeff", "\u202e", "\u0301", "\x0b", "\x0c", "\t", "**", "__", "[", "]", "(", ")",
           "((((", "))))", "[link](#)", "#", "## ", "### AUTHOR", "---", "- ", "* ", "1. ", "\"", "“", "”", "’",
           "«", "»", "…", "&", "<script>", "}", "{", "\\", "%", "😀", "ﬁ", "İ", "ß", "Ω", "\u3000", "\u00a0"]


def _runs(piece: str) -> st.SearchStrategy[str]:
    return st.integers(2, 300).map(lambda n: " ".join([piece] * n))


fragment = st.one_of(
    st.sampled_from(WORDS), st.sampled_from(DATES), st.sampled_from(MARKERS), st.sampled_from(HOSTILE),
    st.text(max_size=12),
    st.sampled_from(["European", "Council", "(", "Europol,", "the Directive on X,", "→ eucrim 4/2023, 317"])
    .flatmap(_runs),
)
sentence = st.lists(fragment, min_size=1, max_size=40).map(" ".join).map(lambda s: s + st_end(s))


def st_end(s: str) -> str:
    return "" if s.endswith((".", "!", "?")) else "."


paragraph = st.lists(sentence, min_size=1, max_size=6).map(" ".join)
block = st.one_of(paragraph, paragraph.map(lambda p: "- " + p), paragraph.map(lambda p: "## " + p[:80]),
                  st.just("News Guide"), st.just("## About eucrim"))
title = st.one_of(st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map(" ".join), st.text(max_size=40))
dateline = st.one_of(st.sampled_from(DATES).map(lambda d: d + " // Preprint Issue 3/2025"),
                     st.sampled_from(DATES), st.text(max_size=30))


@st.composite
def article_text(draw) -> str:
    blocks = draw(st.lists(block, min_size=0, max_size=6))
    if draw(st.booleans()):  # web format
        head = f"{draw(title)}\n{draw(dateline)}\nPhoto.jpg {draw(st.sampled_from(['Thomas Wahl', '', 'Dr. X Y']))}"
    else:  # print format, maybe with an author side block cutting a sentence
        head = f"# {draw(title)}\n\n## News\n\n**{draw(st.sampled_from(['Thomas Wahl', 'A', '']))}**"
        if blocks and draw(st.booleans()):
            blocks.insert(draw(st.integers(0, len(blocks))),
                          "### AUTHOR\n\n**Name**\n\n---\n\nPublished in 2024, Vol. 19(1) eucrim pp 30 – 31\n\nISSN: 1862-6947")
    text = head + "\n\n" + "\n\n".join(blocks)
    return draw(st.sampled_from(["\n", "\r\n", "\r"])).join(text.split("\n"))


# --- graphs --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def static_store() -> EmbeddedStore:
    store = EmbeddedStore(None)
    store.replace_graphs(static_graphs(SETTINGS, REF))
    return store


def check_graph(article, store: EmbeddedStore | None) -> None:
    """Extract and write the article's graph; with a store, it must pass SHACL and the quality checks."""
    graph, quads = WRITER.quads(extract(article, REF))
    assert quads and all(q.graph_name == graph for q in quads)
    if store is None:
        return
    store.replace_graphs({graph: quads})
    try:
        rebuild_links(store, SETTINGS.minter)
        report = validate(store)
        assert report.conforms, report.summary()
    finally:
        store.drop_graphs([graph, SETTINGS.minter.links_graph])


# --- the properties ------------------------------------------------------------------------------------

@st.composite
def mutated(draw) -> bytes:
    """Article text as bytes with some bytes overwritten, inserted or cut (a damaged or mis-encoded file)."""
    data = bytearray(draw(article_text()).encode("utf-8", "surrogatepass"))
    for _ in range(draw(st.integers(1, 8))):
        op, at, byte = draw(st.sampled_from("sid")), draw(st.integers(0, len(data))), draw(st.integers(0, 255))
        if op == "s" and at < len(data):
            data[at] = byte
        elif op == "i":
            data.insert(at, byte)
        else:
            del data[at:at + draw(st.integers(1, 50))]
    return bytes(data)


@settings(max_examples=FAST, deadline=10_000, suppress_health_check=[HealthCheck.too_slow,
                                                                    HealthCheck.data_too_large])
@given(raw=st.one_of(st.binary(max_size=4000), st.text(max_size=2000).map(lambda t: t.encode("utf-8", "surrogatepass")),
                     mutated()))
@example(raw=b"")
@example(raw=b"\x00" * 100)
@example(raw=b"\xff\xfe" + "Title\n\nText.".encode("utf-16-le"))
@example(raw=b"\xef\xbb\xbfTitle\n\nThe Council met.")
@example(raw="Título\n\nEl Consejo se reunió el 4 de marzo de 2024.".encode("latin-1"))
@example(raw=b"\x1b[31m" * 40 + b"Title\n\nBody text here.")
def test_any_bytes_are_read_or_refused_clearly(raw):
    with watchdog():
        article = read_or_refuse(raw)
        if article is not None:
            check_graph(article, None)


@settings(max_examples=FAST * 3 // 5, deadline=10_000,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(text=article_text())
def test_article_like_text_is_extracted_or_refused(text):
    with watchdog():
        article = read_or_refuse(text.encode("utf-8", "surrogatepass"))
        if article is not None:
            check_graph(article, None)


@settings(max_examples=VALIDATED, deadline=30_000, suppress_health_check=[HealthCheck.too_slow,
                                                                          HealthCheck.data_too_large,
                                                                          HealthCheck.function_scoped_fixture])
@given(text=article_text())
def test_article_graphs_pass_shacl(text, static_store):
    with watchdog():
        article = read_or_refuse(text.encode("utf-8", "surrogatepass"))
        if article is not None:
            check_graph(article, static_store)


DATE_TEXT = st.one_of(st.text(max_size=200),
                      st.lists(st.one_of(st.sampled_from(DATES), st.sampled_from(WORDS), st.text(max_size=6),
                                         st.integers(-5, 10_000).map(str)), max_size=30).map(" ".join))
_ISO = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def _valid_iso(value: str) -> bool:
    if not _ISO.fullmatch(value):
        return False
    if len(value) == 10:
        dt.date.fromisoformat(value)  # raises on 2024-02-31
    elif len(value) == 7:
        assert 1 <= int(value[5:]) <= 12, value
    return True


@settings(max_examples=FAST * 2, deadline=5_000)
@given(text=DATE_TEXT)
@example(text="On 31 February 2024 and 29 February 2023 and 0 March 2024.")
@example(text="between 2024 and 2023; 4/5/6/7 March 2024; 2024-2024")
def test_dates_parse_to_valid_values_or_nothing(text):
    with watchdog():
        mentions = find_dates(text)
        last_end = -1
        for d in mentions:
            assert last_end <= d.start < d.end <= len(text) and text[d.start:d.end] == d.text, d
            last_end = d.end
            assert _valid_iso(d.value_start), d
            if d.value_end is not None:
                assert _valid_iso(d.value_end) and d.value_end >= d.value_start, d
            assert d.precision in ("day", "month", "year", "half"), d
        value = parse_date(text)
        assert value is None or _valid_iso(value)


MARKER_TEXT = st.one_of(st.text(max_size=200), st.lists(st.one_of(st.sampled_from(MARKERS), st.sampled_from(WORDS),
                                                                  st.sampled_from(HOSTILE), st.text(max_size=8)),
                                                        max_size=30).map(" ".join))


@settings(max_examples=FAST * 2, deadline=5_000)
@given(text=MARKER_TEXT)
@example(text="(→ eucrim 4/2023, 317 (→ eucrim 1/2024, 5) (→ (→ (→")
def test_crossrefs_parse_or_give_nothing(text):
    with watchdog():
        refs = find_crossrefs(text, raw=text)
        assert [r.n for r in refs] == list(range(1, len(refs) + 1))
        for r in refs:
            assert r.marker and "→" in r.marker, r
            issue, pages, news_date, separate = parse_marker(r.marker)
            assert issue is None or re.fullmatch(r"\d{1,2}/\d{4}", issue), issue
            assert news_date is None or _valid_iso(news_date), news_date
            assert isinstance(separate, bool)


# --- pathological inputs, one by one -----------------------------------------------------------------------

SIZE = 60_000  # characters; real articles have about 5,000 and take some 30 ms
BOUND_S = 20  # a quadratic extractor takes minutes here (a 60 kB list took longer than 40 s before the fix)


def _rep(unit: str, sep: str = " ", tail: str = ".") -> str:
    return sep.join([unit] * (SIZE // (len(unit) + len(sep)))) + tail


PATHOLOGICAL = {
    "capitalised words": lambda: _rep("European"),
    "capitalised names": lambda: _rep("European Union Agency for Criminal Justice Cooperation Eurojust Europol"),
    "one long list": lambda: "The Council adopted " + _rep("the Directive on X", ", ", " and more."),
    "a list of dated strategies": lambda: "The Commission presented " + _rep("the EU Strategy on Y of 4 March 2024",
                                                                             " and ", "."),
    "one very long sentence": lambda: "The Council " + _rep("adopted conclusions on the strategy which", " ", "."),
    "deep parentheses": lambda: "The Council met " + "(" * (SIZE // 2) + "x" + ")" * (SIZE // 2) + ".",
    "unclosed parentheses": lambda: _rep("(the Council (of the EU", " "),
    "one very long word": lambda: "The Council " + "a" * SIZE + "-b.",
    "thousands of markers": lambda: _rep("(→ eucrim 4/2023, 317)"),
    "markers line by line": lambda: _rep("Text (→ eucrim 4/2023, 317).", "\n"),
    "presidencies": lambda: _rep("the Belgian Council Presidency and the Council EU Council EU"),
    "long heading": lambda: "## " + _rep("European Council Presidency", " ", ""),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_pathological_input_is_handled_in_bounded_time(name, static_store):
    raw = ("Title of a news item\n12 March 2024\n\n" + PATHOLOGICAL[name]()).encode()
    with watchdog(BOUND_S * 3):
        t = time.monotonic()
        article = read_or_refuse(raw)
        if article is not None:
            graph, quads = WRITER.quads(extract(article, REF))
        elapsed = time.monotonic() - t
    assert elapsed < BOUND_S, f"{name}: {len(raw)} bytes took {elapsed:.1f} s"


def test_a_50_mb_file_is_refused_at_once(tmp_path):
    path = tmp_path / "huge.md"
    with path.open("wb") as f:
        f.write(b"Title\n12 March 2024\n\n")
        f.write(b"The Council adopted conclusions on 4 March 2024. " * (50 * 1024 * 1024 // 50))
    with watchdog(30):
        t = time.monotonic()
        with pytest.raises(ArticleError, match="too large"):
            read_article(path)
        with pytest.raises(ArticleError, match="too large"):
            parse_article(path.read_bytes(), "huge.md")
        store = EmbeddedStore(None)
        report = ingest([path], store, SETTINGS)
        elapsed = time.monotonic() - t
    assert [p for p, _ in report.failed] == [str(path)] and "too large" in report.failed[0][1]
    assert not report.ingested
    assert elapsed < 10, elapsed


def test_a_file_that_is_not_a_file_is_reported(tmp_path):
    (tmp_path / "folder.md").mkdir()
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)  # reading a FIFO would block forever
    with watchdog(30):
        for path in (tmp_path / "folder.md", fifo, tmp_path / "missing.md"):
            with pytest.raises(ArticleError):
                read_article(path)
