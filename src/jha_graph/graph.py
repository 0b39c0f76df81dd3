"""Facts to RDF: one named graph per article, every fact with the sentence that states it.

A sentence is one evidence node (``jha:Evidence``: its text, offset and article), ``jha:about`` every
entity or cross-reference whose fact it states: the facts a sentence states share it (a sentence names
a meeting, its presidency and three organisations: one node, not five copies of the sentence).

The writer is deterministic (no timestamps, no blank nodes): the same article gives the same
quads, byte for byte, so that rebuilding the store gives the same graph.
"""
from __future__ import annotations

from collections.abc import Iterable

from pyoxigraph import Literal, NamedNode, Quad

from . import __version__
from .extract.model import ArticleFacts, DocumentFact, Evidence, MeetingFact
from .namespaces import BIBO, DCTERMS, FOAF, JHA, PROV, RDF, RDFS, SKOS, XSD, Minter
from .reference import KIND_CLASS, Reference

MEETING_CLASSES = {
    "JHA Council": JHA.JHACouncilMeeting,
    "Informal JHA": JHA.InformalJHAMeeting,
    "European Council": JHA.EuropeanCouncilMeeting,
    "Other Council": JHA.OtherCouncilMeeting,
    "High-level meeting": JHA.HighLevelMeeting,
    "Other": JHA.OtherMeeting,
}
DOCUMENT_TYPES = ("Conclusions", "Declaration", "Roadmap", "Strategy", "ActionPlan", "Programme", "Report",
                  "Regulation", "Directive", "Recommendation", "Resolution", "Agreement", "Decision",
                  "Proposal", "Communication", "Guidelines", "Other")
SOFTWARE = NamedNode("https://w3id.org/jha-graph/software")


def document_class(doc_type: str) -> NamedNode:
    return JHA.OtherDocument if doc_type == "Other" else JHA[doc_type]


def date_literal(value: str) -> Literal:
    """'2024-03-04' -> xsd:date, '2024-03' -> xsd:gYearMonth, '2024' -> xsd:gYear."""
    datatype = {10: XSD.date, 7: XSD.gYearMonth, 4: XSD.gYear}.get(len(value))
    if datatype is None:
        raise ValueError(f"not an ISO date, year-month or year: {value!r}")
    return Literal(value, datatype=datatype)


def en(text: str) -> Literal:
    return Literal(text, language="en")


class ArticleGraphWriter:
    """Turns the facts of one article into the quads of its named graph."""

    def __init__(self, minter: Minter, reference: Reference) -> None:
        self.m = minter
        self.ref = reference

    def quads(self, facts: ArticleFacts) -> tuple[NamedNode, list[Quad]]:
        a = facts.article
        g = self.m.article_graph(a.slug)
        art = self.m.article(a.slug)
        out: list[Quad] = []
        self._evidence_nodes: dict[tuple[int, str], NamedNode] = {}  # (offset, sentence) -> its node

        def add(s, p, o) -> None:
            out.append(Quad(s, p, o, g))

        self._add = add
        self._slug = a.slug
        self._art = art

        add(art, RDF.type, JHA.Article)
        add(art, DCTERMS.title, Literal(a.title))
        add(art, JHA.sourceFile, Literal(a.file))
        add(art, JHA.sourceFormat, Literal(a.format))
        if a.sha256:
            add(art, JHA.sha256, Literal(a.sha256))
        if a.date:
            add(art, DCTERMS.date, date_literal(a.date))
        if a.author:
            person = self.m.person(a.author)
            add(art, DCTERMS.creator, person)
            add(art, JHA.authorName, Literal(a.author))
            add(person, RDF.type, FOAF.Person)
            add(person, FOAF.name, Literal(a.author))
        if a.issue:
            number, year = (int(x) for x in a.issue.split("/"))
            issue = self.m.issue(number, year)
            add(art, DCTERMS.isPartOf, issue)
            add(issue, RDF.type, BIBO.Issue)
            add(issue, BIBO.issue, Literal(str(number)))
            add(issue, JHA.issueLabel, Literal(a.issue))
            add(issue, DCTERMS.isPartOf, self.m.journal())
            if a.volume:
                add(issue, BIBO.volume, Literal(str(a.volume)))
        if a.pages:
            add(art, BIBO.pages, Literal(a.pages))
            first, _, last = a.pages.partition("-")
            add(art, BIBO.pageStart, Literal(first))
            add(art, BIBO.pageEnd, Literal(last or first))
        lead = next((b.text for b in a.blocks if b.kind == "paragraph" and len(b.text) > 40), "")
        if lead:
            add(art, DCTERMS.abstract, Literal(lead[:600]))
        for topic in facts.topics:
            add(art, DCTERMS.subject, self.m.topic(topic))

        for p in facts.presidencies:
            node = self.m.presidency(p.country, p.year, p.half)
            add(art, JHA.mentions, node)
            self._evidence(p.evidence, node)

        meeting_nodes: dict[tuple, NamedNode] = {}
        for mt in facts.meetings:
            meeting_nodes[mt.key] = self._meeting(mt)

        for o in facts.organisations:
            node = self.m.organisation(o.key)
            add(art, JHA.mentions, node)
            if not o.known:  # the reference graph describes known ones
                add(node, RDF.type, KIND_CLASS.get(o.kind, JHA.OtherOrganisation))
                add(node, SKOS.prefLabel, en(o.name))
            self._evidence(o.evidence, node)

        for d in facts.documents:
            self._document(d, meeting_nodes)

        for x in facts.crossrefs:
            node = self.m.crossref(a.slug, x.n)
            add(art, JHA.hasCrossReference, node)
            add(node, RDF.type, JHA.CrossReference)
            add(node, JHA.marker, Literal(x.marker))
            add(node, JHA.position, Literal(x.n))
            add(node, JHA.separateItem, Literal(x.separate_item))
            if x.issue:
                add(node, JHA.citedIssue, Literal(x.issue))
            if x.pages:
                add(node, JHA.citedPages, Literal(x.pages))
            if x.news_date:
                add(node, JHA.citedNewsDate, date_literal(x.news_date))
            if x.context:
                add(node, JHA.context, Literal(x.context))
            if x.paragraph:
                add(node, JHA.paragraphContext, Literal(x.paragraph))
            self._evidence(x.evidence, node)

        run = self.m.extraction(a.slug)
        add(g, PROV.wasGeneratedBy, run)
        add(g, PROV.wasDerivedFrom, art)
        add(run, RDF.type, PROV.Activity)
        add(run, PROV.used, art)
        add(run, PROV.wasAssociatedWith, SOFTWARE)
        add(run, JHA.extractorVersion, Literal(__version__))
        return g, _dedupe(out)

    def _meeting(self, mt: MeetingFact) -> NamedNode:
        add = self._add
        node = self.m.meeting(mt.kind, mt.start, mt.end, mt.label)
        add(self._art, JHA.mentions, node)
        add(node, RDF.type, MEETING_CLASSES.get(mt.kind, JHA.OtherMeeting))
        add(node, RDFS.label, Literal(mt.label))
        add(node, JHA.startDate, date_literal(mt.start))
        add(node, JHA.endDate, date_literal(mt.end or mt.start))
        if mt.location:
            place = self.m.place(mt.location)
            add(node, JHA.heldIn, place)
            add(place, RDF.type, JHA.Place)
            add(place, RDFS.label, Literal(mt.location))
        self._presidency_of(node, mt.start)
        self._evidence(mt.evidence, node)
        return node

    def _document(self, d: DocumentFact, meeting_nodes: dict[tuple, NamedNode]) -> None:
        add = self._add
        node = self.m.document(d.type, d.title, self._slug if d.generic else None)
        add(self._art, JHA.mentions, node)
        add(node, RDF.type, document_class(d.type))
        add(node, DCTERMS.title, Literal(d.title))
        for alias in d.aliases:
            add(node, DCTERMS.alternative, Literal(alias))
        if d.date:
            add(node, JHA.date, date_literal(d.date))
            self._presidency_of(node, d.date)
        if d.adopted_at is not None:
            meeting = meeting_nodes.get(d.adopted_at.key) or self._meeting(d.adopted_at)
            add(node, JHA.adoptedAt, meeting)
        for by in d.by:
            if by.startswith("country:"):
                add(node, JHA.issuedBy, self.m.country(by.split(":", 1)[1]))
            else:
                add(node, JHA.issuedBy, self.m.organisation(by))
        for topic in d.topics:
            add(node, DCTERMS.subject, self.m.topic(topic))
        self._evidence(d.evidence, node)

    def _presidency_of(self, node: NamedNode, date: str) -> None:
        """The presidency in office, from the calendar: for a day, or a month (never split by a term)."""
        if len(date) < 7:
            return
        p = self.ref.presidency_on(date)
        if p is not None:
            self._add(node, JHA.underPresidency, self.m.presidency(p.code, p.year, p.half))

    def _evidence(self, ev: Evidence | None, about: NamedNode) -> None:
        """``about``'s fact is stated by the sentence ``ev``: its evidence node (numbered in the order the
        article's sentences are first quoted), made at the sentence's first fact, is ``jha:about`` it."""
        if ev is None or not ev.sentence:
            return
        add = self._add
        key = (ev.offset, ev.sentence)
        node = self._evidence_nodes.get(key)
        if node is None:
            node = self._evidence_nodes[key] = self.m.evidence(self._slug, len(self._evidence_nodes) + 1)
            add(node, RDF.type, JHA.Evidence)
            add(node, JHA.sentence, Literal(ev.sentence))
            add(node, JHA.offset, Literal(ev.offset))
            add(node, PROV.wasQuotedFrom, self._art)
        add(node, JHA.about, about)


def _dedupe(quads: Iterable[Quad]) -> list[Quad]:
    seen: set[Quad] = set()
    out = []
    for q in quads:
        if q not in seen:
            seen.add(q)
            out.append(q)
    return out
