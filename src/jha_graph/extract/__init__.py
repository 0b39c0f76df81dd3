"""From an article's text to the facts it states.

>>> from jha_graph.articles import parse_article
>>> from jha_graph.reference import default_reference
>>> a = parse_article(b"Title of a news item\\n12 March 2024\\n\\nOn 4 March 2024, the JHA Council "
...                   b"adopted conclusions on the European Ports Alliance.", "x.md")
>>> facts = extract(a, default_reference())
>>> [(m.kind, m.start) for m in facts.meetings]
[('JHA Council', '2024-03-04')]
"""
from __future__ import annotations

import re
from functools import lru_cache

from ..reference import Reference
from .crossrefs import find_crossrefs
from .documents import find_documents
from .meetings import find_meetings
from .model import ArticleFacts, ArticleText
from .organisations import find_organisations, mentions
from .presidencies import find_presidencies
from .text import reference_year
from .text import sentences as split_into_sentences
from .topics import find_topics
from .trie import alternation

__all__ = ["extract"]


@lru_cache(maxsize=4)
def _presidency_pattern(ref: Reference) -> re.Pattern:
    names = alternation(n for c in ref.countries for n in (c.name, *c.demonyms) if n)
    return re.compile(rf"\b(?:(?P<c>{names})(?:['’]s)?\s+)?(?:(?:Council|EU)\s+)*Presidency\b")


def extract(article: ArticleText, ref: Reference) -> ArticleFacts:
    sents = split_into_sentences(article)
    year = reference_year(article)
    presidencies = find_presidencies(sents, ref, year)
    country_names = {c.name for c in ref.countries}
    meetings = find_meetings(sents, country_names)
    organisations = find_organisations(sents, ref)

    named = frozenset(o.key for o in organisations)
    unknown = {o.name: o.key for o in organisations if not o.known}
    council = ref.organisation_by_name("Council of the European Union")

    def org_key(text: str) -> str | None:
        text = re.sub(r"^(?:the|The)\s+", "", text.strip())
        org = ref.organisation_by_name(text)
        if org is not None:
            return org.key
        for candidate in (text, "the " + text):
            spans = mentions(candidate, ref, named)
            if len(spans) == 1 and spans[0][0] == 0 and spans[0][1] == len(candidate):
                return spans[0][2].key
        if council is not None and re.fullmatch(r"(?:EU\s+)?(?:JHA\s+|Justice\s+|Home\s+Affairs\s+|Interior\s+)*"
                                                r"Ministers?", text):
            return council.key  # ministers meeting in the Council act as the Council
        return unknown.get(text)

    pres_codes = sorted({p.country for p in presidencies})
    pres_pattern = _presidency_pattern(ref)
    span_cache: dict[str, list[tuple[int, int, str]]] = {}

    def org_spans(text: str) -> list[tuple[int, int, str]]:
        """Who can act in a text: organisations, ministers (the Council), presidencies (their country)."""
        if text not in span_cache:
            span_cache[text] = _org_spans(text)
        return span_cache[text]

    def _org_spans(text: str) -> list[tuple[int, int, str]]:
        out = []
        for m in pres_pattern.finditer(text):
            country = ref.country(m.group("c")) if m.group("c") else None
            code = country.code if country else (pres_codes[0] if len(pres_codes) == 1 else None)
            if code:
                out.append((m.start(), m.end(), f"country:{code}"))
        out += [(a, b, o.key) for a, b, o in mentions(text, ref, named)
                if not any(x <= a < y for x, y, _ in out)]
        for name, key in unknown.items():
            for m in re.finditer(re.escape(name), text):
                if not any(a <= m.start() < b for a, b, _ in out):
                    out.append((m.start(), m.end(), key))
        if council is not None:
            for m in re.finditer(r"\b(?:EU\s+)?(?:(?:JHA|Justice|Home\s+Affairs|Interior)\s+)+Ministers?\b|"
                                 r"\b[Mm]inisters\b", text):
                if not any(a <= m.start() < b for a, b, _ in out):
                    out.append((m.start(), m.end(), council.key))
        return sorted(out)

    def country_code(text: str) -> str | None:
        c = ref.country(text)
        return c.code if c else None

    documents = find_documents(sents, org_spans, meetings, org_key, country_code,
                               [p.country for p in presidencies])
    crossrefs = find_crossrefs(article.body, article.source or None)
    for x in crossrefs:
        # a marker often ends a sentence that only says 'see there': the sentences before it in its
        # paragraph say what the cited item is about
        if x.evidence is None:
            continue
        here = next((i for i, s in enumerate(sents) if s.offset == x.evidence.offset), None)
        if here is not None:
            before = [s.text for s in sents[max(0, here - 2):here] if s.block == sents[here].block]
            x.paragraph = " ".join(before)
    topics = find_topics(article.title + "\n" + article.body, ref)
    for d in documents:
        d.topics = find_topics(d.title, ref)
    return ArticleFacts(article=article, presidencies=presidencies, meetings=meetings, documents=documents,
                        organisations=organisations, crossrefs=crossrefs, topics=topics)
