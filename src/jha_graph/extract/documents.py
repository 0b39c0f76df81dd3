"""Policy and legal documents: what a text names, of which type, when and by whom it was adopted.

A document is found from its head noun ('conclusions', 'Declaration', 'roadmap', 'Directive', ...),
its number ('Directive (EU) 2024/1226', 'Council Document 13083/1/20') or its quoted name
('the Communication "ProtectEU: ..."', '"ProtectEU", its new Internal Security Strategy').  Its
title is the noun phrase around the head: the modifiers before it ('EU', 'first annual', 'La Paz')
and the complement after it ('on setting up a European Judicial Organised Crime Network'), cut where
the sentence goes on to say something else.  The details come from the clause that names it: the
verb and its subject ('the Commission presented'), a date ('on 9 December 2020', 'of October 2023'),
and the meeting the sentence or paragraph is about.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .dates import find_dates
from .model import DocumentFact, MeetingFact
from .text import Sentence

# head noun -> type; earlier entries win where heads overlap ('Framework Decision' before 'Decision')
HEADS: list[tuple[str, str]] = [
    (r"[Aa]ction\s+[Pp]lans?", "ActionPlan"),
    (r"[Ff]ramework\s+[Dd]ecisions?", "Decision"),
    (r"[Cc]onclusions", "Conclusions"),
    (r"[Dd]eclarations?|[Jj]oint\s+[Ss]tatements?|Statement", "Declaration"),
    (r"[Rr]oad\s?maps?", "Roadmap"),
    (r"[Ss]trateg(?:y|ies)|Strategic\s+Agenda", "Strategy"),
    (r"(?:[Ww]ork\s+)?[Pp]rogrammes?", "Programme"),
    (r"[Rr]eports?|[Tt]hreat\s+[Aa]ssessments?|SOCTA|IOCTA|TE-SAT|[Ss]tud(?:y|ies)|[Ee]valuation", "Report"),
    (r"[Rr]egulations?|Act", "Regulation"),
    (r"[Dd]irectives?", "Directive"),
    (r"[Rr]ecommendations?", "Recommendation"),
    (r"[Rr]esolutions?", "Resolution"),
    (r"[Aa]greements?|[Cc]onventions?|[Ww]orking\s+[Aa]rrangements?|[Ss]tatute|[Mm]emorand(?:um|a)\s+of\s+"
     r"[Uu]nderstanding|[Pp]rotocol", "Agreement"),
    (r"[Dd]ecisions?", "Decision"),
    (r"(?:[Ll]egislative\s+)?[Pp]roposals?|[Dd]raft\s+(?:[Dd]irective|[Rr]egulation)s?", "Proposal"),
    (r"[Cc]ommunications?", "Communication"),
    (r"[Gg]uidelines|[Gg]uidance", "Guidelines"),
    (r"Pact|Code|Charter|Agenda|[Pp]ackage|[Ww]hite\s+[Pp]aper|[Gg]reen\s+[Pp]aper|[Dd]iscussion\s+[Pp]aper|"
     r"[Jj]oint\s+[Pp]aper|[Pp]osition\s+[Pp]aper|[Tt]oolbox|[Ee]xplanatory\s+[Mm]emorandum|[Jj]udgment|[Rr]uling|"
     r"Treaty|TFEU|TEU|[Ff]ramework|Manifesto|Compact|Deal|Handbook|Manual", "Other"),
]
# the word-start test once, before the alternatives (not in each): positions inside a word fail at once
_HEAD_RE = re.compile("(?<![\\w-])(?:" + "|".join(f"(?P<t{i}>(?:{h})(?![\\w-]))" for i, (h, _) in enumerate(HEADS)) + ")")
_TYPE_OF_WORD = [(re.compile(rf"(?:{h})$"), t) for h, t in HEADS]
# heads that name one specific document even without modifiers
_SPECIFIC_BARE = re.compile(r"(?i)^(?:working\s+arrangements?|joint\s+paper|explanatory\s+memorandum|action\s+plan|"
                            r"joint\s+statements?|"
                            r"TFEU|TEU|SOCTA|IOCTA|TE-SAT|Strategic\s+Agenda)$")
_LEGISLATIVE = ("Regulation", "Directive", "Decision", "Recommendation")

_NUMBERED = re.compile(
    r"(?:(?P<name>(?:[A-Z][\w\-]*\s+){1,4})(?P<kw0>Directive|Regulation|Decision)\s+\()?"
    r"(?:Council\s+)?(?:Framework\s+)?(?P<kw>Directive|Regulation|Decision)\s*(?:\((?:EU|EC|EEC|EU,\s*Euratom)\)\s*)?"
    r"(?:No\.?\s*)?(?P<year>(?:19|20)\d\d)/(?P<num>\d+)(?:/(?:EU|EC|JHA|EEC|CFSP))?(?(kw0)\))"
    r"|\((?P<bare_year>(?:19|20)\d\d)/(?P<bare_num>\d+)(?:/(?:EU|EC|JHA|EEC))?\)")
_COUNCIL_DOC = re.compile(r"\bCouncil\s+[Dd]ocument\s+(?:No\.?\s*)?\d{3,6}/\d+(?:/\d+)?(?:\s+REV\s*\d+)?")
_QUOTE = r"[\"“”„]"
_PAREN_ALIAS = re.compile(r"\s*\((?:the\s+)?(?:[\"“”„]([^\"“”„)]{2,80})[\"“”„]|((?:[A-Z][\w\-]*[A-Z][\w\-]*|[A-Z]{2,}[\w\-]*)"
                          r"(?:\s+(?:[IVX]+|\d{4}))?))\)")
_QUOTED_AFTER_HEAD = re.compile(rf"^\s*(?:entitled|titled|called|named|on)?\s*{_QUOTE}([^\"“”„]{{3,200}}){_QUOTE}")
_APPOSITIVE = re.compile(
    rf"{_QUOTE}(?P<name>[^\"“”„]{{2,120}}){_QUOTE},?\s+(?:(?:its|the|a|an|their|his|her)\s+)"
    rf"(?P<mods>(?:[\w\-’']+\s+){{0,5}}?)(?P<head>{'|'.join(h for h, _ in HEADS)})(?![\w-])")

_LEFT_WORD = re.compile(r"^(?:[A-Z][\w’'\-.]*|EU|EU['’]s|e-[\w-]+|(?:19|20)\d\d(?:[-–/](?:19|20)?\d\d)?|"
                        r"\d+|first|second|third|fourth|fifth|sixth|new|annual|joint|final|concluding|"
                        r"comprehensive|legislative|draft|pending|proposed|trio|updated|revised|"
                        r"anti-[\w-]+|[\w]+-[\w-]+|cybersecurity|internal|external|overall|general|global|"
                        r"digital|strategic|operational|multiannual|biennial|interim|progress|evaluation|"
                        r"implementation|consolidated|horizontal|ambitious|European|Union['’]s|"
                        r"[A-Z][\w\-]+['’]s)$")
_LEFT_STOP = {"the", "a", "an", "its", "their", "his", "her", "this", "these", "those", "that", "of", "on", "in",
              "at", "by", "for", "to", "and", "or", "with", "from", "as", "under", "which", "whose", "our",
              "On", "In", "At", "By", "The", "A", "An", "This", "These", "Its", "Their", "With", "From", "As",
              "Under", "For", "To", "And", "While", "When", "After", "Before", "Also", "Both", "such", "Such",
              "both", "all", "All", "each", "two", "three", "four", "five", "several", "other", "Other", "further",
              "its", "any", "no", "same"}
_ANAPHORIC_LEFT = {"new", "this", "these", "that", "those", "said", "above", "present", "same", "current"}
_DET_BEFORE = re.compile(r"(?:\b(?:the|these|this|those|such|its|their|said|that|our|his|her)\s+)$", re.I)

_PREP_START = re.compile(
    r"^\s+(?:on(?!\s+\d)|to(?=\s+(?:fight|tackle|combat|counter|prevent|improve|strengthen|enhance|address|"
    r"support|protect|ensure|facilitate|promote|update|amend|reinforce|establish|add|boost|make|set|"
    r"create|better|step|foster|reduce|increase|disrupt|dismantle|achieve|access|collect|the\s+[A-Z]))|"
    r"for(?!\s+(?:the\s+)?(?:first|second|third|next|example|instance|\d))|against|regarding|concerning|"
    r"establishing|setting\s+up|amending|laying\s+down|repealing|supplementing|implementing|"
    r"(?!including|following|according|being|having|during|making|taking|going|seeking|aiming)[a-z]{3,}ing(?=\s+\w)|"
    r"of\s+the\s+(?:\w+\s+)?(?:Presidency|trio)|"
    r"of(?!\s+(?:\d|the\s+(?:European\s+Parliament|Council|Commission)\b|January|February|March|April|May|"
    r"June|July|August|September|October|November|December|its|their|which|this|these|those|a\s+(?:new|number)))|"
    r"between|with\s+(?:the\s+)?(?:USA|United|US\b|third)|providing|in\s+the\s+(?:field|area)|"
    r"by\s+(?:the\s+)?[A-Z][\w\-]*(?=[^,.;]*\b(?:on|of|for|against|regarding)\b)|"
    r"in\s+criminal\s+matters|in\s+the\s+fight|in\s+relation\s+to|relating\s+to|related\s+to|"
    r"with\s+the\s+aim\s+of|aimed\s+at|aiming\s+at|to\s+be\s+applied|on\s+how)\b")
_VERBS = (r"which|that|who|whom|whose|where|was|were|is|are|has|have|had|will|would|could|should|shall|can|may|"
          r"must|might|being|been|be|adopted|approved|presented|published|released|tabled|launched|issued|"
          r"signed|agreed|endorsed|entered|came|drawn|put|made|took|takes|taken|gave|given|"
          r"highlights?|sets?|aims?|focus(?:es)?|includes?|contains?|provides?|calls?|underlines?|stress(?:es)?|"
          r"emphasi[sz]es|outlines?|covers?|comprises?|builds?|follows?|continues?|identifies|lists?|"
          r"proposes|recommends|notes|states|says|describes|addresses|reflects|envisages|foresees|"
          r"introduces|establishes|lays|makes|seeks|intends|urges|invites|welcomes|recalls|acknowledges|"
          r"recognises|points|shows|reveals|finds|concludes|confirms|requires|obliges|allows|enables|ensures|"
          r"strengthens|targets|replaces|amends|repeals|complements|supplements|applies|marks|spells|"
          r"explores|takes|assesses|examines|analyses|looks|deals|refers|goes|gets|remains|becomes|"
          r"expects|wants|plans|offers|presents|gives|puts|brings|contributes|helps|represents|"
          r"constitutes|forms|accounts|summarises|summarizes|details|ranked|received|discussed|considered|"
          r"welcomed|criticised|declared|annulled|as\s+well\s+as|as\s+regards|including|while|whereas|"
          r"because|since|after|before|during|following|until|unless|although|though|whether|if|when|"
          r"so\s+that|in\s+order|so\s+as|with\s+a\s+view|with\s+regard|within|via|thereby|thus|"
          r"hence|instead|by\s+(?:the|which|means)|at\s+(?:the|its|their)|in\s+(?:January|February|March|"
          r"April|May|June|July|August|September|October|November|December|\d|its|their|this|these|that|"
          r"order|particular|addition|line|view|light|response|future|practice|force)|"
          r"of\s+\d|on\s+\d|from\s+\d|of\s+(?:January|February|March|April|May|June|July|August|September|"
          r"October|November|December|early|mid|late|the\s+same)|under\s+(?:the|its)|and\s+(?:the|its|to|on|at|in|of|for|also|is|are|was|will|has|"
          r"calls?|urges?|welcomes?|stresses?|sets?|a\s+)|or\s+the|but|yet|also|jointly|together|respectively|"
          r"e\.g\.|i\.e\.|etc")
_RIGHT_STOP = re.compile(rf"[,;:()\[\]→!?]|\.(?:\s|$)|\s(?:{_VERBS})\b|\s[\"“”]")
_TRAILING = re.compile(r"(?:\s+(?:and|or|of|on|to|for|the|a|an|in|with|by|at|from|its|their|between|against|as|"
                       r"established|set|including))+$")
_YEAR_SUFFIX = re.compile(r"^\s+((?:19|20)\d\d(?:\s*[-–/]\s*(?:19|20)?\d\d)?)(?![\w/])")

_ADOPT = re.compile(r"\b(adopt(?:ed|s|ing)?|approv(?:ed|es|ing)|endors(?:ed|es|ing)|agreed\s+on|agreed)\b", re.I)
_ACT = (r"present(?:ed|s)?|publish(?:ed|es)?|releas(?:ed|es)|tabled|tables|propos(?:ed|es)|launch(?:ed|es)|"
        r"issu(?:ed|es)|unveil(?:ed|s)|put\s+forward|puts\s+forward|submitted|submits|set\s+out|sets\s+out|"
        r"drew\s+up|drawn\s+up|draws\s+up|prepared|delivered|adopt(?:ed|s)|approv(?:ed|es)|endors(?:ed|es)|"
        r"compiled|finali[sz]ed|signed|concluded|put\s+into\s+force|made\s+public|produced|came\s+up\s+with|"
        r"presented|outlined|announced|passed")
_ACT_RE = re.compile(rf"\b(?:{_ACT})\b", re.I)
_PENDING = re.compile(r"\b(?:propos(?:al|als|ed|es)|draft|pending|negotiat\w*|trilogues?|plan(?:s|ned)?\s+to|"
                      r"will\s+(?:propose|present|table)|intends?\s+to|general\s+approach|provisional\s+agreement|"
                      r"tabled|put\s+forward|agreements?\s+(?:was|were|has\s+been|have\s+been)\s+reached|"
                      r"reach(?:ed)?\s+(?:an?\s+)?(?:political\s+|provisional\s+)?agreement|finalis\w+|"
                      r"(?:further\s+)?work\s+on|make\s+headway|progress\s+(?:on|in)|advance\s+the)\b", re.I)
_ADOPTED_ACT = re.compile(r"\b(?:adopted|published|entered\s+into\s+force|enters\s+into\s+force|entry\s+into\s+force|"
                          r"applies|apply|transpos\w+|Official\s+Journal|in\s+force|came\s+into|repeal\w*|"
                          r"replac\w+|amend\w*|under\s+the|according\s+to|pursuant\s+to|based\s+on|Art\.|Article)\b",
                          re.I)
_JOINT = re.compile(r"of\s+the\s+European\s+Parliament\s+and\s+(?:of\s+)?the\s+Council", re.I)
_MONTHS = r"January|February|March|April|May|June|July|August|September|October|November|December"


@dataclass
class _Found:
    fact: DocumentFact
    tokens: set[str] = field(default_factory=set)


_STOP = {"the", "of", "on", "and", "in", "for", "to", "a", "an", "eu", "european", "council", "by", "with",
         "against", "its", "at", "from", "s"}


def _tokens(title: str) -> set[str]:
    return {t for t in re.findall(r"[a-z0-9]+", title.lower()) if t not in _STOP}


def _same(a: set[str], b: set[str]) -> bool:
    # single letters ('e' of 'e-Evidence', 'e-CODEX') say nothing about which document it is
    a, b = {t for t in a if len(t) > 1}, {t for t in b if len(t) > 1}
    if not a or not b:
        return False
    if 2 * len(a & b) / (len(a) + len(b)) >= 0.6:
        return True
    small, big = sorted((a, b), key=len)
    return small <= big and len(big) <= len(small) + 4 and len(small) >= 2


def type_of_head(word: str) -> str | None:
    for pattern, doc_type in _TYPE_OF_WORD:
        if pattern.search(word):
            return doc_type
    return None


class _Context:
    """What the extractor needs to resolve names while reading one article."""

    def __init__(self, org_resolver, country_resolver, presidency_countries: list[str], org_spans=None) -> None:
        self.org = org_resolver
        self.spans = org_spans or (lambda text: [])
        self.country = country_resolver
        self.presidency_countries = presidency_countries
        self.council = org_resolver("Council of the European Union")
        self.parliament = org_resolver("European Parliament")
        self.commission = org_resolver("European Commission")


def find_documents(sents: list[Sentence], org_spans, meetings: list[MeetingFact],
                   org_resolver, country_resolver, presidency_countries: list[str]) -> list[DocumentFact]:
    """`org_spans(text)` gives (start, end, organisation key) for every organisation a text names."""
    ctx = _Context(org_resolver, country_resolver, presidency_countries, org_spans)
    found: list[_Found] = []
    current_meeting: MeetingFact | None = None
    meeting_by_sentence = {m.evidence.offset: m for m in meetings if m.evidence}
    last_block = -1
    lead: Sentence | None = None  # the paragraph that introduces a list ('... the following proposals:')
    block_text: dict[int, list[Sentence]] = {}
    for s in sents:
        block_text.setdefault(s.block, []).append(s)
    for s in sents:
        if s.kind != "list-item":
            if s.text.rstrip().endswith(":"):
                para = block_text[s.block]
                lead = Sentence(" ".join(x.text for x in para), para[0].offset, s.block, s.kind)
            else:
                lead = None
        if s.kind == "heading":
            current_meeting = None
        if s.offset in meeting_by_sentence:
            current_meeting = meeting_by_sentence[s.offset]
        elif s.block != last_block and re.match(r"^(?:On|In|At)\s+\d", s.text):
            current_meeting = None  # a new dated paragraph is about something else
        last_block = s.block
        facts = _documents_in(s, ctx, current_meeting, lead.text if lead and s.kind == "list-item" else "")
        if re.search(r"\bon\s+the\s+same\s+day\b", s.text):  # 'adopted on the same day': the last day named
            last_day = next((f.fact.date for f in reversed(found) if f.fact.date and len(f.fact.date) == 10), None)
            for fact in facts:
                if last_day and (not fact.date or len(fact.date) < 10):
                    fact.date = last_day
        if lead is not None and s.kind == "list-item":
            _inherit(facts, lead, ctx)
        for fact in facts:
            toks = _tokens(fact.title)
            twin = next((f for f in found if _twins(f, fact, toks)), None)
            if twin is not None:
                _merge(twin.fact, fact)
                twin.tokens = _tokens(twin.fact.title)
                continue
            found.append(_Found(fact, toks))
        _anaphoric_details(s, [f.fact for f in found], ctx)
    return [f.fact for f in found]


_ANAPHOR_DETAILS = re.compile(
    rf"\b(?:These|The|This|Those|Its|Their|the|these|this|those|its|their)\s+(?P<head>{'|'.join(h for h, _ in HEADS)})"
    rf"\s+(?:was|were|had\s+been|has\s+been|have\s+been)\s+(?:(?:formally|officially|finally|already|then)\s+)?"
    rf"(?P<verb>{_ACT})\b")


def _anaphoric_details(s: Sentence, facts: list[DocumentFact], ctx: _Context) -> None:
    """'These conclusions were adopted on 14 December 2020': the details of the document named before."""
    m = _ANAPHOR_DETAILS.search(s.text)
    if m is None:
        return
    doc_type = type_of_head(m.group("head"))
    target = next((f for f in reversed(facts) if f.type == doc_type and f.evidence and f.evidence.offset < s.offset),
                  None)
    if target is None:
        return
    if not target.date:
        target.date = _date_for(s.text, m.start(), m.start("verb"))
    if not target.by:
        target.by = _agent(s.text, m.start(), m.start("verb"), ctx)


def _inherit(facts: list[DocumentFact], lead: Sentence, ctx: _Context) -> None:
    """List items take the author and the date that the paragraph introducing the list states:
    those of its last verb of adoption or presentation (not one used as an adjective, 'the proposed laws');
    a verb in the passive with no agent takes the subject of its sentence ('Parliament and Council
    reached agreement ..., and the acts were adopted in April 2024')."""
    text = lead.text
    verbs = [m for m in _ACT_RE.finditer(text) if not re.search(r"\b(?:the|a|an|its|their)\s+$", text[:m.start()])]
    if not verbs:
        return
    verb = verbs[-1]
    by = _agent(text, verb.end(), verb.end(), ctx)
    if not by:
        sentence_start = max([m.end() for m in re.finditer(r"[.!?]\s", text[:verb.start()])], default=0)
        spans = [x for x in ctx.spans(text) if sentence_start <= x[0] < verb.start()]
        if spans and not text[sentence_start:spans[0][0]].strip(" ,").replace("The", "").replace("the", "").strip():
            by = _coordinated(spans, spans[0][0], text)
    date = _date_for(text, verb.end(), verb.end())
    for f in facts:
        f.by = f.by or by
        f.date = f.date or date


def _twins(f: _Found, fact: DocumentFact, toks: set[str]) -> bool:
    if f.fact.type == fact.type and fact.type in ("Directive", "Regulation", "Decision"):
        years = {t for t in toks if re.fullmatch(r"(?:19|20)\d\d", t)}
        if years and years & f.tokens and (re.search(r"\d{4}/\d+", f.fact.title) or re.search(r"\d{4}/\d+", fact.title)):
            return True  # "the EU's 2011 anti-trafficking directive" is Directive 2011/36/EU
    head = _head_word(fact.title)
    if f.fact.type == fact.type and head and not fact.title.startswith(head) and \
            not (toks - _DATE_WORDS - _tokens(head)) and \
            (f.fact.date is None or f.fact.date[:4] in toks or not toks & _DATE_WORDS):
        return True  # 'the June 2019 conclusions' are the conclusions named before
    if not _same(f.tokens, toks):
        return False
    if f.fact.type != fact.type and (f.fact.title in fact.title or fact.title in f.fact.title):
        return False  # 'proposal to amend the Europol Regulation' names the Europol Regulation, it is not it
    if f.fact.type == fact.type:
        return True
    acts = ("Regulation", "Directive", "Proposal", "Decision", "Recommendation")
    return f.fact.type in acts and fact.type in acts and len(toks & f.tokens) >= 2


_DATE_WORDS = {m.lower() for m in _MONTHS.split("|")} | {str(y) for y in range(1950, 2036)}


def _head_word(title: str) -> str:
    heads = list(_HEAD_RE.finditer(title))
    return heads[-1].group(0) if heads else ""


def _merge(into: DocumentFact, other: DocumentFact) -> None:
    into.date = into.date or other.date
    into.adopted_at = into.adopted_at or other.adopted_at
    into.by = into.by or other.by
    if into.generic and not other.generic:
        into.title, into.generic = other.title, other.generic


def _documents_in(s: Sentence, ctx: _Context, meeting: MeetingFact | None, lead: str = "") -> list[DocumentFact]:
    text = s.text
    out: list[DocumentFact] = []
    heads_taken: list[tuple[int, int]] = []  # spans whose head nouns are already accounted for
    spans: list[tuple[int, int]] = []  # spans of the titles found so far

    def emit(doc_type: str, title: str, start: int, end: int, *, generic: bool = False,
             date_hint: str | None = None) -> DocumentFact | None:
        title = re.sub(r"\s+", " ", title).strip().strip(",;")
        if not title:
            return None
        fact = DocumentFact(type=doc_type, title=title, evidence=s.evidence(), generic=generic)
        alias = _PAREN_ALIAS.match(text, end)
        if alias:  # 'Regulation on ... (the "Single Rulebook Regulation")', '... Assessment 2025 (EU-SOCTA 2025)'
            fact.aliases.append(alias.group(1) or alias.group(2))
            end = alias.end()
            fact.generic = False
        if not _details(fact, s, start, end, ctx, meeting):
            year = re.match(r"(?:\S+['’]s\s+)?((?:19|20)\d\d)\s+(?![-–/])", text[start:end])
            fact.date = date_hint or (year.group(1) if year else None)  # 'the 2006 data retention directive' 
        spans.append((start, end))
        out.append(fact)
        return fact

    for m in _COUNCIL_DOC.finditer(text):
        heads_taken.append((m.start(), m.end()))
        f = emit("Other", m.group(0), m.start(), m.end())
        if f is not None and not f.by and ctx.council:
            f.by = [ctx.council]
    for m in _NUMBERED.finditer(text) if "/" in text else ():  # a number is 'year/number'
        if m.group("bare_year"):
            # '(2008/947/JHA)' after a named act: the name and the number are one title
            before = text[:m.start()].rstrip()
            hm = None
            for hm in _HEAD_RE.finditer(before):
                pass
            if hm is None or before[hm.end():].strip() and len(before) - hm.end() > 90:
                continue
            start = _title_start(text, hm)
            doc_type = _refine_type(HEADS[int(hm.lastgroup[1:])][1], text, hm.start(), m.end(), lead, numbered=True)
            heads_taken.append((start, m.end()))
            emit(doc_type, text[start:m.end()], start, m.end(), date_hint=m.group("bare_year"))
            continue
        start = m.start() if not m.group("name") else m.start("name")
        kind = m.group("kw0") or m.group("kw")
        heads_taken.append((m.start(), m.end()))
        title = text[start:m.end()]
        emit(_refine_type(kind, text, m.start(), m.end(), lead, numbered=True), title, start, m.end(),
             date_hint=m.group("year"))
    for m in _APPOSITIVE.finditer(text):
        doc_type = type_of_head(m.group("head"))
        if doc_type is None or re.search(r"\b(?:motto|slogan|theme|heading|banner)\W*$", text[:m.start()], re.I):
            continue
        heads_taken.append((m.start(), m.end()))
        emit(doc_type, m.group("name"), m.start(), m.end())

    for m in _HEAD_RE.finditer(text):
        if any(a <= m.start() < b for a, b in heads_taken):
            continue
        doc_type = HEADS[int(m.lastgroup[1:])][1]
        head = m.group(0)
        if _HEAD_RE.match(text, m.end() + 1) and text[m.end():m.end() + 1] == " ":
            continue  # the head of a compound name is its last noun: 'Better Regulation Guidelines'
        if doc_type == "Communication" and head[0].islower() and not re.search(
                r"(?:Commission['’]s?|its)\s+$", text[:m.start()]) and not re.match(r"^\s+(?:on|entitled)\b",
                                                                                    text[m.end():]):
            continue  # 'communication between authorities' is no document
        quoted = _QUOTED_AFTER_HEAD.match(text[m.end():])
        if quoted and not re.match(r"^\s*on\b", text[m.end():]):
            inner = quoted.group(1).strip()
            inner_type = _quoted_type(inner, doc_type)
            end = m.end() + quoted.end()
            start = _title_start(text, m)
            heads_taken.append((m.start(), end))
            emit(inner_type, inner, start, end)
            continue
        if doc_type == "Other" and re.match(r"[Ff]ramework", head) and re.search(
                r"\b(?:in|within|under|into)\s+the\s+$", text[:m.start()]):
            continue  # 'in the framework of the meeting'
        left = _left(text, m.start())
        start = m.start() - len(left)
        named = re.match(r"^\s+(?:setting\s+out|entitled|titled|called|named)\s+(?:(?:a|an|the|its)\s+)?"
                         r"(?=[A-Z])", text[m.end():])
        if named and not left.strip():
            run = re.match(r"(?:[A-Z][\w\-’']*\s+){0,6}", text[m.end() + named.end():])
            inner_head = _HEAD_RE.search(text, m.end() + named.end(), m.end() + named.end() + run.end() + 30)
            if inner_head is not None:
                name_start = m.end() + named.end()
                right2, end2 = _right(text, inner_head.end())
                heads_taken.append((m.start(), end2))
                emit(doc_type, text[name_start:end2], m.start(), end2)
                continue
        right, end = _right(text, m.end())
        left_words = left.split()
        if left_words and left_words[-1].lower() in _ANAPHORIC_LEFT and not right:
            continue  # 'the new Regulation' is the act the article is about, named elsewhere
        if any(w.lower() in ("this", "these", "that") for w in left_words):
            continue
        if not right:
            suffix = _YEAR_SUFFIX.match(text[m.end():])
            if suffix:
                right, end = suffix.group(0), m.end() + suffix.end()
        if start >= 3 and text[start - 3:start] == "EU-":
            start -= 3
        title = text[start:end]
        bare = not left.strip() and not right.strip()
        if bare and not _SPECIFIC_BARE.match(head):
            if doc_type == "Programme" and re.search(r"Presidenc|trio", text, re.I):
                pass
            elif re.match(rf"^\s*,?\s*(?:(?:which|that)\s+(?:was|were)\s+)?(?:adopted|published|presented|released|"
                          rf"issued|signed|approved)\s+(?:by\s+[^,.;]+?\s+)?(?:on|in)\s+(?:\d|{_MONTHS})",
                          text[m.end():]) and re.search(r"\b(?:an?|its|their)\s+$", text[:m.start()]):
                pass  # 'in a resolution adopted on 19 June 2025': one document, known by its date
            elif doc_type == "Conclusions":
                of_date = re.match(rf"^\s+of\s+(?:\d{{1,2}}\s+)?(?:{_MONTHS})\s+\d{{4}}", text[m.end():])
                if not of_date or _DET_BEFORE.search(text[:m.start()]) and not re.search(r"Council\s+$", text[:m.start()]):
                    continue
                end = m.end() + of_date.end()
                title = text[start:end]
                also = re.match(rf"^\s+and\s+(?:of\s+)?((?:\d{{1,2}}\s+)?(?:{_MONTHS})\s+\d{{4}})", text[end:])
                if also:  # 'Conclusions of June 2024 and December 2024' are two sets of conclusions
                    heads_taken.append((m.start(), end + also.end()))
                    emit(doc_type, f"{head} of {also.group(1)}", end, end + also.end())
            else:
                continue
        if re.search(r"\b(?:is|was|are|were|remains|became|becomes)\s+$", text[:start]) and head[0].islower() and \
                not _has_name(re.sub(r"\S+['’]s\s+", "", left)):
            continue  # 'The EU-SOCTA is Europol's flagship report on ...' describes a document named before
        if doc_type == "Other" and not _has_name(re.sub(r"\b(?:EU|EU['’]s|European|Union['’]?s?)\b", "", left)) \
                and not (bare and _SPECIFIC_BARE.match(head)) and len(re.findall(r"\b[A-Z][a-z]", right)) < 1:
            continue  # 'the legal framework', 'a code': only named ones are documents
        if _plural(head) and not _has_name(left) and doc_type in (
                "Agreement", "Strategy", "Report", "Decision", "Programme", "Resolution", "Communication",
                "Regulation", "Directive", "Proposal", "Other") and not re.match(r"^\s+(?:for|on)\s+a\b", right):
            continue  # 'information-sharing agreements', 'national drug strategies', 'crime reports'
        if doc_type == "Report" and re.match(r"[Ee]valuation", head) and not right.strip():
            continue
        if doc_type == "Agreement" and re.fullmatch(r"[Aa]greements?", head) and (
                (not _has_name(left) and not re.match(r"^\s+(?:on|between|with)\b", right)) or
                re.search(r"\b(?:reach\w*|found|strik\w*|struck|achiev\w*)\s+(?:an?\s+|the\s+)?(?:[\w\-]+\s+){0,2}$",
                          text[:start]) and not re.match(r"^\s+(?:with|between)\b", right)):
            continue  # 'reached (a provisional) agreement on ...' is an event, not a document
        if doc_type == "Proposal" and re.match(r"^\s+(?:for|to)\s+(?:this|the\s+same)\b", right):
            continue
        if any(a <= m.start() < b for a, b in spans) and (doc_type == "Programme" or not _has_name(left)) and \
                not (doc_type in ("ActionPlan", "Strategy", "Roadmap", "Report") and right):
            continue  # a head inside another title ('Regulation establishing the Justice programme')
        heads_taken.append((m.start(), m.end()))
        doc_type = _refine_type(doc_type, text, start, end, lead)
        generic = len(_tokens(title)) <= 1 or (doc_type == "Proposal" and len(_tokens(title)) <= 2)
        title = re.sub(r"^(?:the|a|an|The|A|An)\s+", "", title)
        first = emit(doc_type, title, start, end, generic=generic)
        # 'conclusions on setting up X and on strengthening Y': two documents of one head
        while right:
            more = re.match(r"^(?:,\s*|\s+)(?:and|as\s+well\s+as)\s+(?=(?:on|to|for|against|regarding)\s)", text[end:])
            if not more:
                break
            right2, end2 = _right(text, end + more.end() - 1)
            if not right2:
                break
            second = emit(doc_type, head + right2, end + more.end(), end2)
            if first is not None and second is not None:  # one verb adopted both
                second.date, second.adopted_at = second.date or first.date, second.adopted_at or first.adopted_at
                second.by = second.by or first.by
            end, right = end2, right2
    return out


def _plural(head: str) -> bool:
    return head.lower().endswith(("s", "ies")) and not head.lower().endswith(("conclusions", "guidelines", "status",
                                                                            "tfeu", "us"))


def _has_name(left: str) -> bool:
    """Whether the modifiers name the document: a capitalised word (not one only capitalised for
    opening the sentence), a year, or an 'e-' word; a bare count ('321 decisions') is no name."""
    words = left.split()
    if words and words[0][0].isupper() and words[0].lower() in _COMMON_CAPITALISED:
        words = words[1:]
    return any(w[0].isupper() or re.fullmatch(r"(?:19|20)\d\d", w) or w.startswith("e-") for w in words)


_COMMON_CAPITALISED = {"final", "new", "joint", "first", "second", "third", "annual", "draft", "legislative",
                       "comprehensive", "further", "several", "proposed", "pending", "interim", "updated"}


def _quoted_type(inner: str, outer: str) -> str:
    last = re.findall(r"[A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*)?", inner)
    if last:
        t = type_of_head(last[-1]) or type_of_head(last[-1].split()[-1])
        if t and t not in ("Other",) and outer in ("Communication", "Other", "Report", "Proposal"):
            return t
    return outer


def _title_start(text: str, m: re.Match) -> int:
    return m.start() - len(_left(text, m.start()))


def _left(text: str, at: int) -> str:
    """The modifiers before a head noun: names ('La Paz', 'EU Serious and Organised Crime Threat'),
    and lower-case nouns where a year or a name opens them ('2006 data retention directive')."""
    prefix = text[:at]
    parts: list[str] = []
    loose: list[str] = []  # lower-case nouns, kept only if a name or a year comes before them
    while prefix:
        m = re.search(r"(\S+)(\s+)$", prefix)
        if not m:
            break
        word = m.group(1)
        before = prefix[:m.start()]
        if word in ("and", "of") and parts and parts[0][0].isupper() and re.search(r"[A-Z][\w\-]*\s+$", before) \
                and not loose:  # 'Serious and Organised Crime Threat Assessment', 'Council of Europe Convention' 
            parts.insert(0, m.group(0))
            prefix = before
            continue
        if word in _LEFT_STOP or word.endswith((",", ";", ":", ")", "(", ".")) or word[0] in "\"“”(":
            break
        if not _LEFT_WORD.match(word):
            if re.fullmatch(r"[a-z][a-z\-]{2,}", word) and len(loose) < 2 and word not in _ANAPHORIC_LEFT \
                    and not re.fullmatch(_VERBS, word):
                loose.insert(0, m.group(0))
                prefix = before
                continue
            break
        if loose:
            if word[0].isupper() or word[0].isdigit():
                parts = loose + parts
                loose = []
            else:
                break
        parts.insert(0, m.group(0))
        prefix = before
        if len(parts) >= 7:
            break
    while parts and parts[0].strip() == "and":
        parts.pop(0)
    return "".join(parts)


def _right(text: str, at: int) -> tuple[str, int]:
    rest = text[at:]
    colon = re.match(r"^\s*:\s*(?=[A-Z])", rest)
    if colon is None and _PREP_START.match(rest) is None:
        return "", at
    stop = _RIGHT_STOP.search(rest, colon.end() if colon else len(_PREP_START.match(rest).group(0)))
    end = stop.start() if stop else len(rest)
    phrase = rest[:end]
    # 'between A and B' goes on over its 'and'
    if re.search(r"\bbetween\s+\S+(?:\s+\S+)?$", phrase) and re.match(r"^\s+and\s+", rest[end:]):
        more = _RIGHT_STOP.search(rest, end + len(re.match(r"^\s+and\s+(?:the\s+)?", rest[end:]).group(0)))
        end = more.start() if more else len(rest)
        phrase = rest[:end]
    words = list(re.finditer(r"\S+", phrase))
    if len(words) > 18:
        end = words[17].end()
        phrase = rest[:end]
    trimmed = _TRAILING.sub("", phrase)
    end -= len(phrase) - len(trimmed)
    phrase = trimmed
    if rest[end:end + 2].lstrip()[:1] in "\"“" and re.search(r"\b(?:report|study|paper|communication|strategy)$",
                                                              phrase, re.I):
        q = re.match(rf"\s*{_QUOTE}([^\"“”„]{{3,160}}){_QUOTE}", rest[end:])
        if q:
            end += q.end()
            phrase = rest[:end]
    if not _tokens(phrase):
        return "", at
    return phrase.rstrip(), at + end


_GOVERNS_PENDING = re.compile(
    r"(?:\b(?:negotiat\w+|trilogues?|(?:further\s+)?work|progress|headway|agreement|finalis\w+|"
    r"conclud\w+|deal|vote|position)\s+(?:(?:started|began|continued|opened|resumed|ongoing)\s+)?"
    r"(?:on|with|in|of|for|about)\s+(?:the\s+|a\s+|an\s+)?(?:[\w\-]+\s+){0,2}"
    r"|\b(?:propos\w*|draft|pending|planned|envisaged|forthcoming|future)\s+(?:for\s+)?(?:the\s+|a\s+|an\s+)?"
    r"(?:new\s+)?(?:[\w\-]+\s+)?)$", re.I)
_PENDING_LEAD = re.compile(r"\b(?:proposals?|draft|pending|negotiat\w+|trilogues?|agreements?\s+(?:was|were|has\s+been|"
                           r"have\s+been)\s+reached|(?:provisional|political)\s+agreement|general\s+approach)\b", re.I)


def _refine_type(doc_type: str, sentence: str, start: int, end: int, lead: str = "", numbered: bool = False) -> str:
    """A legislative act that the text presents as proposed, drafted or negotiated is a Proposal
    (an act with a number is adopted: proposals have none)."""
    if numbered:
        return doc_type
    if doc_type == "Other" and re.search(r"\bpackage$", sentence[start:end]) and (
            _GOVERNS_PENDING.search(sentence[:start]) or _PENDING_LEAD.search(lead)):
        return "Proposal"
    if doc_type not in _LEGISLATIVE:
        return doc_type
    title = sentence[start:end]
    if re.search(r"\b(?:revision|amendment|recast|review|evaluation|implementation|transposition|application)\s+"
                 r"of\s+(?:the\s+)?$", sentence[:start], re.I):
        return doc_type  # what is revised or applied is in force
    if re.match(r"(?i)(?:the\s+)?(?:proposed|draft|pending)\b", title):
        return "Proposal"
    if _GOVERNS_PENDING.search(sentence[max(0, start - 80):start]):
        return "Proposal"
    if lead and (re.search(r"\bproposals?\b[^.:]*:\s*$", lead) or
                 _PENDING_LEAD.search(lead) and not _ADOPTED_ACT.search(lead)):
        return "Proposal"
    return doc_type


def _details(fact: DocumentFact, s: Sentence, start: int, end: int, ctx: _Context,
             meeting: MeetingFact | None) -> bool:
    """Fills date, adopted_at and by from the sentence; returns whether a date was found."""
    text = s.text
    if (_JOINT.search(text[end:end + 80]) or _JOINT.search(fact.title)) and fact.type in ("Regulation", "Directive"):
        fact.by = [k for k in (ctx.parliament, ctx.council) if k]
    if not fact.by:
        fact.by = _agent(text, start, end, ctx, proposal=fact.type == "Proposal")
    if not fact.by and fact.type == "Programme":
        m = re.search(r"([A-Z]\w+)(?:['’]s)?\s+(?:(?:Council|EU)\s+)*Presidency", fact.title) or \
            re.search(r"([A-Z]\w+)(?:['’]s)?\s+(?:(?:Council|EU)\s+)*Presidency", text)
        code = ctx.country(m.group(1)) if m else None
        if code is not None:
            fact.by = [f"country:{code}"]
        elif len(ctx.presidency_countries) == 1 and "trio" not in fact.title.lower():
            fact.by = [f"country:{ctx.presidency_countries[0]}"]
    adopted_here = _ADOPT.search(text) is not None
    if fact.type in ("Conclusions",) and not fact.by and (adopted_here or re.search(r"\b(?:Ministers?|Council)\b", text)):
        fact.by = [ctx.council] if ctx.council else []
    if meeting is not None and adopted_here and fact.type != "Proposal" and _adopting_clause(text, start, end):
        fact.adopted_at = meeting
        fact.date = meeting.start
        if not fact.by and fact.type in ("Conclusions", "Recommendation", "Resolution") and ctx.council:
            fact.by = [ctx.council]
        return True
    date = _date_for(text, start, end)
    if date:
        fact.date = date
        return True
    return False


def _adopting_clause(text: str, start: int, end: int) -> bool:
    """The adoption verb governs this document: it stands before it in its clause, or just after it."""
    before = text[:start]
    clause = re.split(r"[;:]|,\s+(?:while|whereas|but)\b", before)[-1]
    verbs = list(_ADOPT.finditer(clause))
    if verbs and not _HEAD_RE.search(clause[verbs[-1].end():]):
        return True
    return bool(re.match(r"^[^.;]{0,40}?\b(?:was|were|had\s+been|have\s+been|has\s+been)\s+(?:\w+\s+)?"
                         r"(?:adopted|approved|endorsed)", text[end:]))


_AGENT = (r"((?:the\s+)?(?:[A-Z][\w’'\-]*\s+){0,6}?(?:Commission|Council|Parliament|Europol|Eurojust|EPPO|"
          r"OLAF|Frontex|Presidency|Office|Agency|Group|Network|Ministers?|[A-Z]{3,}|[A-Z][\w\-]+)"
          r"(?:\s+\([A-Z]+\))?(?:\s+and\s+(?:the\s+)?(?:[A-Z][\w’'\-]*\s+){0,6}?[A-Z][\w\-]+(?:\s+\([A-Z]+\))?)?)")


def _resolve_agents(names: str, ctx: _Context) -> list[str]:
    keys = []
    for name in re.split(r"\s+and\s+|,\s+", names):
        name = re.sub(r"\s*\([A-Z]+\)$", "", name.strip())
        name = re.sub(r"^(?:the|The)\s+", "", name)
        if not name:
            continue
        key = ctx.org(name)
        if key is None:
            pres = re.match(r"([A-Z]\w+)\s+(?:(?:Council|EU)\s+)*Presidency", name)
            if pres and ctx.country(pres.group(1)):
                key = f"country:{ctx.country(pres.group(1))}"
            elif re.fullmatch(r"(?:(?:Council|EU)\s+)*Presidency", name) and len(ctx.presidency_countries) == 1:
                key = f"country:{ctx.presidency_countries[0]}"
        if key and key not in keys:
            keys.append(key)
    return keys


def _agent(text: str, start: int, end: int, ctx: _Context, proposal: bool = False) -> list[str]:
    """Who adopted, presented or published the document the span [start, end) names."""
    spans = [x for x in ctx.spans(text)  # 'the European Anti-Fraud Office (OLAF)' is one mention
             if not (x[0] > 0 and text[x[0] - 1] == "(" and text[x[1]:x[1] + 1] == ")")]
    # named inside its own title before the head: 'Commission proposal', "Europol's report", 'Council conclusions'
    head = _HEAD_RE.search(text, start, end)
    inner = [k for a, b, k in spans if start <= a and b <= (head.start() if head else end)]
    legislative = bool(head) and type_of_head(head.group(0)) in ("Regulation", "Directive", "Decision")
    if inner and not (proposal and inner[0] in (ctx.council, ctx.parliament)) and \
            not (legislative and inner[0] not in (ctx.council, ctx.parliament, ctx.commission)):
        return inner[:1]  # 'Commission proposal', 'Council Decision'; but the 'Europol Regulation' is about Europol
    # the author after the head: 'annual report of Frontex', 'report by the Presidency on ...'
    if head is not None and type_of_head(head.group(0)) in ("Report", "Strategy", "Programme", "Guidelines",
                                                            "ActionPlan", "Roadmap", "Communication", "Other"):
        after = [x for x in spans if head.end() <= x[0] < end and re.fullmatch(
            r"\s+(?:of|by)\s+(?:the\s+)?", text[head.end():x[0]]) and not _HEAD_RE.match(text, x[1] + 1)]
        if after:
            return [after[0][2]]
    # a possessive just before: "the Commission's proposal"
    poss = [k for a, b, k in spans if b <= start and re.match(r"^['’]s\s+(?:[\w\-]+\s+){0,2}$", text[b:start])]
    if poss:
        return poss[-1:]
    # 'With its Communication "...", presented on 1 April 2025, the European Commission has put forward ...'
    if re.search(r"\b(?:its|their)\s+(?:new\s+|own\s+|first\s+|latest\s+)?$", text[:start]):
        before = [x for x in spans if x[1] <= start]
        after = [x for x in spans if x[0] >= end]
        if re.match(r"^(?:With|In|Through|By|Under|Via)\b", text) and after:
            return [after[0][2]]
        if before:
            return _coordinated(spans, None, text, last=before)
    # passive: '... presented by the Commission', 'drawn up by Eurojust and the four networks'
    tail = text[end:]
    by = re.match(rf"^[^.;]{{0,80}}?\b(?:{_ACT})\s+(?:\w+\s+)?by\s+", tail)
    if by:
        keys = _coordinated(spans, end + by.end(), text)
        if keys:
            return keys
    # relative clause: 'the strategy that the Commission had tabled', ', which Europol presented'
    rel = re.match(r"^\s*,?\s*(?:which|that)\s+", tail)
    if rel:
        keys = _coordinated(spans, end + rel.end(), text)
        after = [b for a, b, k in spans if a == end + rel.end() or a == end + rel.end() + 4]
        if keys and after and re.match(rf"^\s+(?:has\s+|had\s+|have\s+)?(?:also\s+)?(?:{_ACT})\b", text[after[0]:]):
            return keys
    # active, in the clause before: 'the Commission presented ...', 'the EPPO released its first annual report'
    clause_start = max([m.end() for m in re.finditer(r"[;:]|,\s+(?:while|whereas|but|and)\b", text[:start])], default=0)
    verbs = [m for m in _ACT_RE.finditer(text, clause_start, start)]
    if verbs:
        verb = verbs[-1]
        subject = [x for x in spans if clause_start <= x[0] and x[1] <= verb.start()]
        if subject:
            gap = text[subject[-1][1]:verb.start()]
            if re.fullmatch(r"[\s,]*(?:\([A-Z][\w-]*\)\s*)?(?:(?:has|have|had|also|formally|officially|finally|"
                            r"jointly|today|recently|then|now|itself|themselves|just|already|once\s+again)\s+)*",
                            gap):
                return _coordinated(spans, None, text, last=subject)
    return []


def _coordinated(spans, at: int | None, text: str, last=None) -> list[str]:
    """The organisation at `at` and those coordinated with it ('Europol and the EMCDDA');
    with `last`, the ones ending the given list of spans ('A, B and C <verb>')."""
    if last is not None:
        group = [last[-1]]
        for x in reversed(last[:-1]):
            between = text[x[1]:group[0][0]]
            if re.fullmatch(r"\s*(?:\([A-Z][\w-]*\)\s*)?(?:,|and|,\s*and)\s+(?:the\s+)?", between):
                group.insert(0, x)
            elif re.fullmatch(r"\s*(?:\([A-Z][\w-]*\)\s*)?,\s*together\s+with\s+(?:the\s+)?", between) or \
                    re.search(r"together\s+with", between):
                group = [x]  # 'Europol, together with X, published': the subject is Europol
                break
            else:
                break
        if len(group) == 1:
            lead = [x for x in last if re.search(r"^\s*,?\s*together\s+with", text[x[1]:x[1] + 20])]
            if lead:
                group = [lead[0]]
        return list(dict.fromkeys(k for _, _, k in group))
    first = next((x for x in spans if x[0] >= at and not text[at:x[0]].strip(" ,") .replace("the", "").strip()), None)
    if first is None:
        return []
    group = [first]
    for x in spans:
        if x[0] > group[-1][1] and re.fullmatch(r"\s*(?:\([A-Z][\w-]*\)\s*)?(?:,|and|,\s*and)\s+(?:the\s+)?",
                                               text[group[-1][1]:x[0]]):
            group.append(x)
    return list(dict.fromkeys(k for _, _, k in group))


def _date_for(text: str, start: int, end: int) -> str | None:
    """The date of the clause that names the document: 'of 24 April 2024' right after it, a clause
    after it ('which was presented in April 2024', ', released on 2 December 2020'), or the date of
    the verb that governs it ('On 9 December 2020, the Commission released ...')."""
    dates = [d for d in find_dates(text) if d.precision != "half"]
    if not dates:
        return None
    tail_start = end
    joint = _JOINT.match(text, end + (len(text[end:]) - len(text[end:].lstrip())))
    if joint:
        tail_start = joint.end()
    for d in dates:
        if d.start < tail_start:
            continue
        between = text[tail_start:d.start]
        if re.fullmatch(r"\s*,?\s*(?:of|from|dated)\s*", between):
            return d.value_start
        if re.fullmatch(rf"\s*,?\s*(?:(?:which|that)\s+(?:(?:the\s+)?(?:[A-Z][\w\-’']*\s+){{1,5}}(?:\([A-Z]+\)\s+)?)?)?"
                        rf"(?:(?:was|were|had|has|have|been|is|are|already|also|just|recently)\s+)*"
                        rf"(?:(?:first|officially|formally|jointly|already)\s+)?(?:{_ACT})(?:\s+by\s+[^,;.]{{2,80}}?)?"
                        rf"\s+(?:on|in|at\s+the\s+end\s+of)?\s*", between, re.I):
            return d.value_start if not d.value_end or d.value_end == d.value_start else None
    for d in dates:
        if start <= d.start < end and re.search(r"\b(?:of|dated)\s+$", text[start:d.start]) and \
                re.search(r"[Cc]onclusions", text[start:end]):
            return d.value_start
    clause_start = max([m.end() for m in re.finditer(r"[;:]|,\s+(?:while|whereas|but|and)\b", text[:start])], default=0)
    verbs = list(_ACT_RE.finditer(text, clause_start, start))
    if not verbs:
        return None
    verb = verbs[-1]
    for d in dates:
        if start <= d.start < end or (d.value_end and d.value_end != d.value_start):
            continue  # a period ('from 1 June to 31 December 2021') is not a date of adoption
        near_verb = 0 <= d.start - verb.end() < 45 or 0 <= verb.start() - d.end < 45
        opens = d.start < 25 and re.match(r"^(?:On|In|At|By|Since)?\s*$", text[:d.start]) is not None
        if (near_verb or opens) and d.start < start + 200:
            return d.value_start
    return None
