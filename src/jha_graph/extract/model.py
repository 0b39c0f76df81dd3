"""The facts an article states, as plain data: what the extractor produces and graph.py stores.

Dates are ISO strings of the precision the text gives: ``2024-03-04``, ``2024-03`` or ``2024``.
Every fact carries the sentence that states it (``evidence``) so that the graph can quote it.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Block:
    """A paragraph-like unit of the article body, in reading order."""

    text: str
    kind: str = "paragraph"  # paragraph | heading | list-item


@dataclass
class ArticleText:
    """An article file read into metadata and clean body text (see ``jha_graph.articles``)."""

    file: str  # the file name it was read from, e.g. 'seed-article.md'
    slug: str  # stable key: the file stem, slugified
    format: str  # 'web' | 'print'
    title: str
    date: str | None = None  # web dateline, ISO date
    author: str | None = None
    issue: str | None = None  # 'N/YYYY'
    pages: str | None = None  # '30-31' | '317'
    volume: int | None = None
    blocks: list[Block] = field(default_factory=list)
    sha256: str = ""
    source: str = field(default="", repr=False)  # the decoded file text, to quote markers as printed

    @property
    def body(self) -> str:
        return "\n\n".join(b.text for b in self.blocks)


@dataclass
class Evidence:
    sentence: str
    offset: int = 0  # character offset of the sentence in ArticleText.body


@dataclass
class PresidencyFact:
    country: str  # ISO 3166 alpha-2 code of the reference data, e.g. 'BE'
    year: int
    half: int  # 1 = January-June, 2 = July-December
    evidence: Evidence | None = None
    text_says: str | None = None  # the term as the text states it, when it differs


@dataclass
class MeetingFact:
    kind: str  # 'JHA Council' | 'Informal JHA' | 'European Council' | 'Other Council' | 'High-level meeting' | 'Other'
    label: str
    start: str
    end: str | None = None
    location: str | None = None
    evidence: Evidence | None = None

    @property
    def key(self) -> tuple[str, str, str | None]:
        return (self.kind, self.start, self.end)


@dataclass
class OrganisationFact:
    key: str  # reference key (e.g. 'eurojust') or a new key for an organisation not in the reference
    name: str  # canonical English name
    kind: str  # 'Institution' | 'Agency' | 'Network' | 'Initiative' | 'Other'
    surface: str = ""  # how the text names it
    evidence: Evidence | None = None
    known: bool = True  # False when not in the reference data


@dataclass
class DocumentFact:
    type: str  # class local name: 'Conclusions', 'Declaration', ... 'Other'
    title: str
    date: str | None = None
    adopted_at: MeetingFact | None = None
    by: list[str] = field(default_factory=list)  # organisation keys, or 'country:XX' for a presidency
    topics: list[str] = field(default_factory=list)
    evidence: Evidence | None = None
    generic: bool = False  # a title too generic to identify the document outside its article
    aliases: list[str] = field(default_factory=list)  # other names the text gives it ('SOCTA', 'Prüm II')


@dataclass
class CrossRefFact:
    marker: str
    n: int  # position among the article's references, from 1
    issue: str | None = None
    pages: str | None = None
    news_date: str | None = None
    separate_item: bool = False
    context: str = ""  # the sentence the marker ends, used to resolve '→ separate news item'
    paragraph: str = ""  # the sentences before it in its paragraph, a weaker clue to what is cited
    evidence: Evidence | None = None


@dataclass
class ArticleFacts:
    article: ArticleText
    presidencies: list[PresidencyFact] = field(default_factory=list)
    meetings: list[MeetingFact] = field(default_factory=list)
    documents: list[DocumentFact] = field(default_factory=list)
    organisations: list[OrganisationFact] = field(default_factory=list)
    crossrefs: list[CrossRefFact] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)  # topic keys of the article as a whole
