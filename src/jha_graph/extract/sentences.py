"""Sentence splitting for eucrim news text.

>>> [s for _, s in split_sentences("The Council (→ eucrim 4/2023, 317). E. Sason, i.e. the author, wrote it.")]
['The Council (→ eucrim 4/2023, 317).', 'E. Sason, i.e. the author, wrote it.']

Every line is split on its own (a heading or a list item is never joined to the next line).  A
sentence ends at '.', '!', '?' or '…' (and any closing quotes or brackets after it) followed by a
space and a word that can start a sentence, except after an abbreviation ('e.g.', 'Art.', 'pp.',
'LL.M.', 'Dr.'), after an initial ('E. Sason'), and inside brackets or quotes that close later on
the same line ('(see eucrim 4/2024. 270-271)', '"Together. Resilient. Europe."').
"""
from __future__ import annotations

import re

__all__ = ["split_sentences", "ABBREVIATIONS", "MAX_SENTENCE"]

# never a sentence end after these (compared in lower case, without the final full stop)
ABBREVIATIONS = {
    "e.g", "i.e", "cf", "art", "arts", "no", "nos", "nr", "para", "paras", "p", "pp", "vol", "vols",
    "ll.m", "ll.b", "ph.d", "m.a", "b.a", "m.sc", "dr", "prof", "mr", "mrs", "ms", "mt", "st", "vs",
    "v", "ca", "approx", "fig", "figs", "ch", "chap", "sec", "subpara", "lit", "et al", "al", "ed",
    "eds", "ibid", "op. cit", "cit", "ltd", "inc", "co", "corp", "u.s", "u.k", "e.u", "e.v", "a.o",
    "incl", "esp", "resp", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
    "nov", "dec", "ref", "doc", "ed", "rev", "corr", "jr", "sr", "gen", "dept", "min", "max", "nb",
    "viz", "mio", "bn", "mr", "hon", "sen", "rep", "gov", "amb", "pres",
}

_END = re.compile(r"(?<![.!?\u2026])[.!?\u2026]++[\"'\u201d\u2019\u00bb)\]]*+(?=\s)")
# what may begin the next sentence: a capital, a digit, an opening quote or bracket, an arrow
_START = re.compile(r"\s+[\"'\u201c\u2018\u00ab(\[]?[A-Z\u00c0-\u00de\u0100-\u017f0-9\u2192]")
_WORD_BEFORE = re.compile(r"([A-Za-z\u00c0-\u024f.]+)$")
_OPEN = {"(": ")", "[": "]", "\u201c": "\u201d", "\u00ab": "\u00bb"}
_ISSUE_BEFORE = re.compile(r"\d/\d{4}$")
_DIGIT_AFTER = re.compile(r"\s+\d")
_MAX_ENCLOSED = 400  # a bracket or quote longer than this is not trusted to hold a sentence


_BRACKETS = re.compile("[(\\[\u201c\u00ab)\\]\u201d\u00bb\"]")


def _protected(line: str) -> list[bool]:
    """True at positions inside brackets or quotes that close on the same line."""
    prot = [False] * (len(line) + 1)
    stack: list[tuple[str, int]] = []
    pairs: list[tuple[int, int]] = []
    straight: int | None = None
    for m in _BRACKETS.finditer(line):  # only the brackets and quotes, not every character
        i, ch = m.start(), m.group(0)
        if ch in _OPEN:
            stack.append((ch, i))
        elif ch == '"':
            if straight is None:
                straight = i
            else:
                pairs.append((straight, i))
                straight = None
        else:
            for k in range(len(stack) - 1, max(-1, len(stack) - 20), -1):
                if _OPEN[stack[k][0]] == ch:
                    pairs.append((stack[k][1], i))
                    del stack[k:]
                    break
    for a, b in pairs:
        if b - a <= _MAX_ENCLOSED:
            prot[a + 1:b] = [True] * (b - a - 1)
    return prot


def _is_abbreviation(before: str) -> bool:
    m = _WORD_BEFORE.search(before)
    if not m:
        return False
    word = m.group(1)
    core = word.rstrip(".").lower()
    if core in ABBREVIATIONS:
        return True
    last = core.rsplit(".", 1)[-1]
    if "." in core and len(last) <= 2:  # 'U.S', 'e.g', 'LL.M' style dotted abbreviations
        return True
    if len(word.rstrip(".")) == 1 and word[0].isupper():  # an initial: 'E. Sason'
        return True
    return False


def _split_line(line: str, base: int, out: list[tuple[int, str]]) -> None:
    prot = _protected(line)
    start = 0
    for m in _END.finditer(line):
        end = m.end()
        if prot[m.end() - 1]:
            continue
        if not _START.match(line, end):
            continue
        punct = line[m.start()]
        before = line[max(start, m.start() - 40):m.start()]
        if punct == "." and _is_abbreviation(before):
            continue
        if punct == "." and m.group(0) == "." and _ISSUE_BEFORE.search(before) and _DIGIT_AFTER.match(line, end):
            continue  # 'eucrim 4/2024. 270-271': an issue and its pages
        _emit(line, base, start, end, out)
        start = end
    _emit(line, base, start, len(line), out)


# Longer than this is not a sentence (a list or a table run together, or input made to be slow): it is
# cut at spaces into pieces no longer, so that no extractor ever sees more (the longest sentence of the
# development corpus has 486 characters).  Without it, extractors that are linear per match but look
# at the whole sentence for every match took minutes on one 60 kB 'sentence'.
MAX_SENTENCE = 2000


def _emit(line: str, base: int, a: int, b: int, out: list[tuple[int, str]]) -> None:
    while b - a > MAX_SENTENCE:
        cut = line.rfind(" ", a + MAX_SENTENCE // 2, a + MAX_SENTENCE)
        cut = cut if cut > a else a + MAX_SENTENCE
        _emit_one(line, base, a, cut, out)
        a = cut
    _emit_one(line, base, a, b, out)


def _emit_one(line: str, base: int, a: int, b: int, out: list[tuple[int, str]]) -> None:
    chunk = line[a:b]
    stripped = chunk.strip()
    if stripped:
        out.append((base + a + (len(chunk) - len(chunk.lstrip())), stripped))


def split_sentences(text: str) -> list[tuple[int, str]]:
    """(offset in ``text``, sentence) for every sentence, in order; each line is split on its own."""
    out: list[tuple[int, str]] = []
    if not text:
        return out
    pos = 0
    for line in text.split("\n"):
        if line.strip():
            _split_line(line, pos, out)
        pos += len(line) + 1
    return out
