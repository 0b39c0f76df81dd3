"""Council presidencies a text mentions, each resolved to a term of the calendar.

A presidency is named through a country ('the Belgian Council Presidency', 'Spain took over the
Presidency'), a trio ('the trio of Spain, Belgium and Hungary') or a programme.  Which of the
country's terms is meant follows from a date in the same sentence, else from the year the
article speaks from: texts speak of the presidency in office, the one just before or just after.
"""
from __future__ import annotations

import re
from functools import lru_cache

from ..reference import Reference
from .dates import find_dates
from .model import PresidencyFact
from .text import Sentence
from .trie import alternation

_PRES = r"(?:(?:Council|EU|Trio|trio|rotating|Rotating)\s+){0,2}Presidenc(?:y|ies)"


def _country_names(ref: Reference, fold: bool = False) -> str:
    names = set()
    for c in ref.countries:
        names.add(c.name)
        names.update(getattr(c, "aliases", ()) or ())
        names.update(getattr(c, "demonyms", ()) or ())
    return alternation(names, fold=fold)  # = the names longest first, as one trie (faster, same matches)


@lru_cache(maxsize=4)
def _patterns(ref: Reference) -> tuple[list[re.Pattern], re.Pattern]:
    names = _country_names(ref)
    folded = _country_names(ref, fold=True)  # for the pattern that ignores case
    direct = [
        re.compile(rf"\b({names})(?:'s|’s)?\s+{_PRES}\b"),                           # Belgian (Council) Presidency
        re.compile(rf"\b{_PRES}\s+of\s+(?:the\s+)?({names})\b"),                      # Presidency of Belgium
        re.compile(rf"\b({folded})\s+(?:took|takes|will take|has taken|assumed|assumes|holds|held|will hold|"
                   rf"hands? over|handed over)\s+(?:over\s+)?(?:the\s+)?(?:rotating\s+)?(?:EU\s+)?(?:Council\s+)?"
                   rf"Presidency", re.I),
        re.compile(rf"\bPresidency\s+(?:programme\s+)?(?:was\s+|is\s+)?(?:held\s+)?by\s+({names})\b"),
    ]
    return direct, re.compile(rf"\b({names})\b")


def find_presidencies(sents: list[Sentence], ref: Reference, year: int | None) -> list[PresidencyFact]:
    direct, listed = _patterns(ref)
    found: dict[tuple, PresidencyFact] = {}

    def add(country_text: str, s: Sentence, near_year: int | None) -> None:
        country = ref.country(country_text)
        if country is None or not ref.presidencies_of(country.code):
            return
        p = _choose_term(ref, country.code, s, near_year)
        if p is not None:
            found.setdefault((p.code, p.year, p.half), PresidencyFact(p.code, p.year, p.half, s.evidence()))

    for s in sents:
        if "presidenc" in s.text.lower():  # every direct pattern names the presidency
            for pat in direct:
                for m in pat.finditer(s.text):
                    add(m.group(1), s, year)
        # countries in a sentence about the sequence of presidencies: 'the trio ... composed of Spain,
        # Belgium and Hungary', 'following those of Romania and Finland', 'It will be followed by Finland',
        # 'France, the Czech Republic, and Sweden will hold the rotating presidency in turn'
        if re.search(r"\btrio\b|\bpresidenc(?:y|ies)\b|following\s+those\s+of|(?:followed|succeeded|preceded)\s+by|"
                     r"hand(?:s|ed)?\s+over\s+to|took\s+over\s+from|takes\s+over\s+from", s.text, re.I) and (
                re.search(r"\btrio\b|(?:followed|succeeded|preceded)\s+by|following\s+those|in\s+turn|hand(?:s|ed)?\s+over|"
                          r"took\s+over|takes\s+over", s.text, re.I) or len(listed.findall(s.text)) >= 2):
            for m in listed.finditer(s.text):
                add(m.group(1), s, year)
    return _complete_trios(list(found.values()), ref)


def _choose_term(ref: Reference, code: str, s: Sentence, year: int | None):
    terms = ref.presidencies_of(code)
    for d in find_dates(s.text):
        for day in filter(None, (d.value_start, d.value_end)):
            if len(day) >= 7:
                p = ref.presidency_on(day if len(day) == 10 else day + "-01" if len(day) == 7 else day)
                if p is not None and p.code == code:
                    return p
            elif len(day) == 4:
                same_year = [t for t in terms if t.year == int(day)]
                if len(same_year) == 1:
                    return same_year[0]
    if year is None:
        return None
    # the term nearest the article's year; a tie goes to the earlier term (reports look back)
    return min(terms, key=lambda t: (abs(t.year + (t.half - 1) / 2 - year - 0.25), t.year))


def _complete_trios(facts: list[PresidencyFact], ref: Reference) -> list[PresidencyFact]:
    return facts
