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

from ..reference import Reference
from .crossrefs import find_crossrefs
from .documents import find_documents
from .meetings import find_meetings
from .model import ArticleFacts, ArticleText
from .organisations import find_organisations
from .presidencies import find_presidencies
from .text import reference_year, sentences
from .topics import find_topics

__all__ = ["extract"]


def extract(article: ArticleText, ref: Reference) -> ArticleFacts:
    sents = sentences(article)
    year = reference_year(article)
    presidencies = find_presidencies(sents, ref, year)
    country_names = {c.name for c in ref.countries}
    meetings = find_meetings(sents, country_names)
    organisations = find_organisations(sents, ref)

    def org_key(text: str) -> str | None:
        text = re.sub(r"^(?:the|The)\s+", "", text.strip())
        org = ref.organisation_by_name(text)
        if org is None and text in ("Ministers", "Minister", "JHA Ministers", "Home Affairs Ministers",
                                    "Justice Ministers", "EU Justice Ministers", "EU Home Affairs Ministers"):
            org = ref.organisation_by_name("Council of the European Union")
        if org is None:
            return next((o.key for o in organisations if not o.known and o.name == text), None)
        return org.key

    def country_code(text: str) -> str | None:
        c = ref.country(text)
        return c.code if c else None

    documents = find_documents(sents, organisations, meetings, org_key, country_code,
                               [p.country for p in presidencies])
    # a meeting that adopted a document but had no date cue of its own is still a meeting of the article
    crossrefs = find_crossrefs(article.body)
    for x in crossrefs:
        if x.evidence is None:
            s = next((s for s in sents if s.offset <= (x.evidence.offset if x.evidence else -1)), None)
            if s is not None:
                x.evidence = s.evidence()
    topics = find_topics(article.title + "\n" + article.body, ref)
    for d in documents:
        d.topics = find_topics(d.title, ref)
    return ArticleFacts(article=article, presidencies=presidencies, meetings=meetings, documents=documents,
                        organisations=organisations, crossrefs=crossrefs, topics=topics)
