"""Cross-references to other eucrim items: '→ eucrim 4/2023, 317', '→ separate news item',
'→ eucrim news of 17 April 2024', 'see also eucrim 2/2019, pp. 106-107'.

>>> [(x.issue, x.pages, x.news_date, x.separate_item) for x in find_crossrefs(
...     "It was presented in 2023 (→ eucrim 4/2023, 317–318) and adopted later (→ separate news item).")]
[('4/2023', '317-318', None, False), (None, None, None, True)]

A marker begins at an arrow ('→', '-->', '->', '⟶', ...) or at 'see (also) [for instance,] eucrim'
and runs to the next arrow, to a ';' or a closing bracket at its own level, or else to the end of
its sentence.  'X and Y' under one arrow is one reference; two arrows are two.  Markers that name
no eucrim item ('→ related link', '→ Conclusions of June 2024') give a reference with no issue,
pages, news date or separate item.
"""
from __future__ import annotations

import bisect
import re

from .dates import find_dates
from .model import CrossRefFact, Evidence
from .sentences import split_sentences

__all__ = ["find_crossrefs", "parse_issue", "parse_pages", "parse_marker"]

_DASH = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_ARROW = re.compile(
    rf"[\u2192\u27f6\u2794\u279c\u279d\u279e\u27a1\u21d2\u21e8\u2b95]"
    rf"|[{_DASH}]{{1,2}}>(?!>)"
    r"|=>")
_SEE = re.compile(  # possessive quantifiers: no backtracking over long runs of spaces
    r"(?<![\w-])(?:see|cf\.)(?:\s++also)?(?:\s*+,\s*+|\s++)"
    r"(?:(?:for\s+instance|for\s+example|e\.\s?g\.|inter\s+alia|in\s+particular|notably|most\s+recently)"
    r"(?:\s*+,\s*+|\s++))?(?:in\s++)?(?:the\s++)?(?=eucrim\s+(?:\d|news|spotlight|issue))", re.I)
_ISSUE = re.compile(r"(?<![\d/.])(\d{1,2}(?:[" + _DASH + r"]\d{1,2})?)\s*/\s*((?:19|20)\d{2})(?!\d)")
_PAGES_AFTER_ISSUE = re.compile(
    r"\s*(?:[,.:;/]\s*|\s+)(?:(?:pp?|pages?|S)\.?\s*)?(\d{1,4})"
    r"(?:\s*(?:[" + _DASH + r"]|to)\s*(\d{1,4}))?(?![\d/])(?!\s*(?:January|February|March|April|May|June|July"
    r"|August|September|October|November|December)\b)")
_DASH_ISSUE = re.compile(r"(?<=eucrim )(\d)\s*[" + _DASH + r"]\s*((?:19|20)\d{2})(?!\d)", re.I)
_PAGES = re.compile(r"(\d{1,4})(?:\s*(?:[" + _DASH + r"]|to)\s*(\d{1,4}))?")
_NEWS_OF = re.compile(
    r"\b(?:(?:eucrim\s+)?(?:news(?:\s+items?)?|spotlight)|eucrim\s+(?:update|article|report|item))"
    r"\s*(?:of|from|dated|,)\s+", re.I)
_COMMA_STOP = re.compile(r",\s+(?!(?:pp?|paras?|and|or|nos?|S|f|ff)\b)[a-z]{2,}")
_SEPARATE = re.compile(r"\bsep[ae]rate\s+(?:news\s+)?(?:items?|news|articles?|reports?|contributions?)\b", re.I)
_EUCRIM = re.compile(r"\beucrim\b", re.I)


def parse_issue(text: str | None) -> str | None:
    """'4/2023' -> '4/2023'; 'eucrim 4 / 2023' -> '4/2023'; no issue -> None."""
    m = _ISSUE.search(text or "")
    if not m:
        return None
    n = re.sub(f"[{_DASH}]", "-", m.group(1)).lstrip("0") or "0"
    return f"{n}/{m.group(2)}"


def parse_pages(text: str | None) -> str | None:
    """'71–73' -> '71-73', 'pp. 202 - 203' -> '202-203', 'p. 317' -> '317'."""
    m = _PAGES.search(text or "")
    if not m:
        return None
    return f"{m.group(1)}-{m.group(2)}" if m.group(2) else m.group(1)


def parse_marker(marker: str) -> tuple[str | None, str | None, str | None, bool]:
    """(issue, pages, news_date, separate_item) of one marker's text."""
    issue = pages = news_date = None
    m = _ISSUE.search(marker) or _DASH_ISSUE.search(marker)
    if m:
        n = re.sub(f"[{_DASH}]", "-", m.group(1)).lstrip("0") or "0"
        issue = f"{n}/{m.group(2)}"
        p = _PAGES_AFTER_ISSUE.match(marker, m.end())
        if p:
            pages = f"{p.group(1)}-{p.group(2)}" if p.group(2) else p.group(1)
    for n in _NEWS_OF.finditer(marker):
        ds = find_dates(marker[n.end():n.end() + 40])
        if ds and ds[0].start == 0 and ds[0].precision == "day":
            news_date = ds[0].value_start
            break
    separate = bool(_SEPARATE.search(marker))
    return issue, pages, news_date, separate


def _starts(text: str) -> list[tuple[int, int]]:
    """(start, end of the introducing token) of every marker, in order."""
    found = [(m.start(), m.end()) for m in _ARROW.finditer(text)]
    for m in _SEE.finditer(text):
        found.append((m.start(), m.start()))
    found.sort()
    return found


def _marker_end(text: str, start: int, body_start: int, next_start: int, sent_end: int,
                in_brackets: bool) -> int:
    """Where the marker that begins at ``start`` ends."""
    limit = min(next_start, len(text))
    depth = 0
    quote = False
    i = body_start
    while i < limit:
        ch = text[i]
        if ch == "\n":
            return i
        if ch == '"':
            quote = not quote
        elif ch in "\u201c\u00ab":
            quote = True
        elif ch in "\u201d\u00bb":
            quote = False
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            if depth == 0:
                return i
            depth -= 1
        elif ch == ";" and depth == 0 and not quote:
            return i
        elif ch == "," and depth == 0 and not quote and not in_brackets and _COMMA_STOP.match(text, i):
            return i
        i += 1
    return min(limit, sent_end)


class _Depth:
    """Whether a position stands inside round brackets opened earlier on its line (positions asked in order)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.depth = 0

    def at(self, pos: int) -> bool:
        text = self.text
        for i in range(self.pos, pos):
            ch = text[i]
            if ch == "(":
                self.depth += 1
            elif ch == ")" and self.depth:
                self.depth -= 1
            elif ch == "\n":
                self.depth = 0
        self.pos = max(self.pos, pos)
        return self.depth > 0


def _clean_context(ctx: str) -> str:
    ctx = re.sub(r"\s+", " ", ctx)  # first, so that no pattern below meets a long run of spaces
    ctx = re.sub(r"\(\s*(?:[;,]\s*)+", "(", ctx)
    ctx = re.sub(r"\(\s*[;,]?\s*\)", "", ctx)
    ctx = re.sub(r"\[\s*\]", "", ctx)
    ctx = re.sub(r"\s+([,.;:)])", r"\1", ctx)
    ctx = re.sub(r"\(\s+", "(", ctx)
    return re.sub(r"\s+", " ", ctx).strip()


def find_crossrefs(text: str, raw: str | None = None) -> list[CrossRefFact]:
    """Every cross-reference marker in ``text`` (an article body), numbered from 1 in text order.

    With ``raw`` (the article file's text) each marker is given as printed there, link artefacts
    included ('→ [eucri](#)m 4/2023, 317'), where it can be found; else as in ``text``.
    """
    if not isinstance(text, str) or not text:
        return []
    sentences = split_sentences(text)
    offsets = [off for off, _ in sentences]
    starts = _starts(text)
    depth = _Depth(text)
    found: list[tuple[int, int, str, int, str]] = []  # start, end, marker, sentence offset, sentence
    for k, (start, body_start) in enumerate(starts):
        next_start = starts[k + 1][0] if k + 1 < len(starts) else len(text)
        sent_off, sentence = 0, ""
        j = bisect.bisect_right(offsets, start) - 1
        if j >= 0 and start <= offsets[j] + len(sentences[j][1]):
            sent_off, sentence = sentences[j]
        sent_end = sent_off + len(sentence) if sentence else len(text)
        if depth.at(start):
            end = _marker_end(text, start, body_start, next_start, len(text), True)
        else:
            end = _marker_end(text, start, body_start, next_start, sent_end, False)
        marker = text[start:end].strip()
        if not marker.endswith(("p.", "pp.", "ff.", "f.")):
            while marker and (marker[-1].isspace() or marker[-1] in ",.:"):
                marker = marker[:-1]
        if not marker or _ARROW.fullmatch(marker):
            continue  # a bare arrow with nothing after it
        found.append((start, start + len(marker), marker, sent_off, sentence))
    out: list[CrossRefFact] = []
    locator = _RawLocator(raw) if raw else None
    spans_of: dict[int, list[tuple[int, int]]] = {}
    for start, end, _, sent_off, _ in found:
        spans_of.setdefault(sent_off, []).append((start - sent_off, end - sent_off))
    contexts: dict[int, str] = {}
    for start, end, marker, sent_off, sentence in found:
        issue, pages, news_date, separate = parse_marker(marker)
        printed = locator.find(marker) if locator else None
        context = ""
        if sentence:
            if sent_off not in contexts:
                # the sentence without any of its markers
                pieces, pos = [], 0
                for a, b in sorted(spans_of[sent_off]):
                    pieces.append(sentence[pos:max(pos, a)])
                    pos = max(pos, b)
                pieces.append(sentence[pos:])
                contexts[sent_off] = _clean_context(" ".join(pieces))
            context = contexts[sent_off]
        out.append(CrossRefFact(
            marker=printed or marker, n=len(out) + 1, issue=issue, pages=pages, news_date=news_date,
            separate_item=separate, context=context,
            evidence=Evidence(sentence, sent_off) if sentence else None))
    return out


class _RawLocator:
    """Finds a cleaned marker in the raw file text, skipping markdown link syntax and bold marks."""

    # what is skipped, a run of white space (one space), or a run of characters kept as they are
    # (words with single spaces between them: they stay as they are too)
    _KEPT = r"[^\s\[\]*_\u00ad\u200b\ufeff]+"
    _TOKEN = re.compile(r"(?P<skip>\]\([^)\n]{0,300}\)|\*+|__|[\[\]]|\u00ad|\u200b|\ufeff)|(?P<space>\s+)"
                        rf"|(?:{_KEPT}|_(?!_))(?: (?:{_KEPT}|_(?!_)))*")

    def __init__(self, raw: str) -> None:
        # token by token, not character by character (a Python loop per character cost more than the
        # rest of the cross-reference extraction); each kept piece remembers where it starts in both
        chunks: list[str] = []
        self._starts: list[int] = []  # where each piece starts in the skeleton
        self._raw_starts: list[int] = []  # ... and in the raw text
        length = 0
        last_space = False
        for m in self._TOKEN.finditer(raw):
            kind = m.lastgroup
            if kind == "skip":
                continue
            if kind == "space":
                if last_space:  # white space on both sides of skipped marks is one space
                    continue
                piece = " "
                last_space = True
            else:
                piece = m.group()
                last_space = False
            chunks.append(piece)
            self._starts.append(length)
            self._raw_starts.append(m.start())
            length += len(piece)
        self.skeleton = "".join(chunks)
        self.raw = raw
        self.pos = 0

    def raw_offset(self, at: int) -> int:
        """Where the skeleton's character ``at`` is in the raw text."""
        k = bisect.bisect_right(self._starts, at) - 1
        return self._raw_starts[k] + (at - self._starts[k])

    @property
    def index(self) -> list[int]:
        """The raw offset of every character of the skeleton."""
        return [self.raw_offset(i) for i in range(len(self.skeleton))]

    def find(self, marker: str) -> str | None:
        key = re.sub(r"\s+", " ", re.sub(r"[\[\]*]", "", marker)).strip()
        if not key:
            return None
        at = self.skeleton.find(key, self.pos)
        if at < 0:
            at = self.skeleton.find(key)
            if at < 0:
                return None
        else:
            self.pos = at + len(key)
        a, b = self.raw_offset(at), self.raw_offset(at + len(key) - 1) + 1
        tail = len(marker.rstrip()) - len(marker.rstrip().rstrip("]*"))
        while tail and b < len(self.raw) and self.raw[b] in "]*":
            b += 1
            tail -= 1
        return self.raw[a:b]
