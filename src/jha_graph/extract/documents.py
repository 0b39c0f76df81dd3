"""Policy and legal documents: what a text names, of which type, when and by whom it was adopted.

A document is found from its head noun ('conclusions', 'Declaration', 'roadmap', 'Directive',
...) or its number ('Directive (EU) 2024/1226').  Its title is the noun phrase around the head:
the modifiers before it ('EU', 'first annual', 'La Paz') and the complement after it ('on setting
up a European Judicial Organised Crime Network', '"Decoding the EU's most threatening criminal
networks"'), cut where the sentence goes on to say something else.  The details come from the
clause that names it: the adoption verb and its subject ('the Commission presented'), a date
('on 9 December 2020', 'of October 2023'), and the meeting the sentence or paragraph is about.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .dates import find_dates
from .model import DocumentFact, MeetingFact, OrganisationFact
from .text import Sentence

# head noun -> type; the order matters where heads overlap ('Framework Decision' before 'Decision')
HEADS: list[tuple[str, str]] = [
    (r"action\s+plans?", "ActionPlan"),
    (r"[Ff]ramework\s+[Dd]ecisions?", "Decision"),
    (r"[Cc]onclusions", "Conclusions"),
    (r"[Dd]eclarations?", "Declaration"),
    (r"[Rr]oad\s?maps?", "Roadmap"),
    (r"[Ss]trateg(?:y|ies)|Strategic\s+Agenda", "Strategy"),
    (r"(?:work\s+)?[Pp]rogrammes?", "Programme"),
    (r"[Rr]eports?|[Tt]hreat\s+[Aa]ssessments?|SOCTA|[Ss]tud(?:y|ies)|[Ee]valuation", "Report"),
    (r"[Rr]egulations?", "Regulation"),
    (r"[Dd]irectives?", "Directive"),
    (r"[Rr]ecommendations?", "Recommendation"),
    (r"[Rr]esolutions?", "Resolution"),
    (r"[Aa]greements?|[Cc]onventions?|[Ww]orking\s+[Aa]rrangements?|[Ss]tatute|[Mm]emorandum\s+of\s+[Uu]nderstanding", "Agreement"),
    (r"[Dd]ecisions?", "Decision"),
    (r"(?:legislative\s+)?[Pp]roposals?|[Dd]raft\s+(?:[Dd]irective|[Rr]egulation)", "Proposal"),
    (r"[Cc]ommunications?", "Communication"),
    (r"[Gg]uidelines|[Gg]uidance", "Guidelines"),
    (r"Pact|Code|Charter|Agenda|[Pp]ackage|[Ww]hite\s+[Pp]aper|[Gg]reen\s+[Pp]aper|[Dd]iscussion\s+paper|[Jj]oint\s+paper|[Tt]oolbox", "Other"),
]
_HEAD_RE = re.compile("|".join(f"(?P<t{i}>\\b(?:{h})\\b)" for i, (h, _) in enumerate(HEADS)))
_NUMBERED = re.compile(
    r"\b(?:Council\s+)?(?:Framework\s+)?(Directive|Regulation|Decision)\s*\(?(?:\((?:EU|EC|EEC)\)\s*(?:No\s*)?)?"
    r"((?:19|20)\d\d)/(\d+)(?:/(?:EU|EC|JHA|EEC))?\)?")

_LEFT_OK = re.compile(r"^(?:[A-Z][\w’'\-.]*|EU|EU['’]s|first|second|third|new|annual|joint|final|concluding|"
                      r"comprehensive|global|legislative|draft|pending|(?:19|20)\d\d|[\w-]+-[\w-]+|"
                      r"e-[\w-]+|Union['’]s|Commission['’]s|Presidency['’]s|Europol['’]s|Council['’]s|"
                      r"European|internal|organised|anti-[\w-]+|digital|strategic|operational|national|"
                      r"cybersecurity|security|justice|police|drug|crime|data|money)$")
_LEFT_STOP = {"the", "a", "an", "its", "their", "his", "her", "this", "these", "those", "that", "of", "on", "in",
              "at", "by", "for", "to", "and", "or", "with", "from", "as", "under", "which", "whose", "our",
              "On", "In", "At", "By", "The", "A", "An", "This", "These", "Its", "Their", "With", "From", "As",
              "Under", "For", "To", "And", "While", "When", "After", "Before", "Also", "Both"}
_RIGHT_START = re.compile(
    r"^(?:\s+(?:on|to|for|against|regarding|concerning|establishing|setting\s+up|amending|laying\s+down|"
    r"of\s+the\s+(?!European\s+Parliament\b)[A-Z][\w]*\s+Presidency|of\s+(?!\d)(?!the\s+(?:European\s+Parliament|"
    r"Council|Commission)\b)(?:the\s+)?[a-z]|of\s+the\s+EU|between|with\s+the\s+(?:USA|United)|"
    r"in\s+the\s+field|in\s+criminal|in\s+the\s+fight|in\s+the\s+area)\b)")
_RIGHT_STOP = re.compile(
    r"[,;:()\[\]→.!?]|\s(?:which|that|who|whose|was|were|is|are|has|have|had|will|would|could|should|shall|"
    r"can|may|must|adopted|approved|presented|published|released|tabled|launched|issued|signed|agreed|"
    r"endorsed|entered|came|as\s+well\s+as|as\s+regards|in\s+(?:January|February|March|April|May|June|July|"
    r"August|September|October|November|December|\d)|of\s+\d|on\s+\d|by\s+the|at\s+(?:the|its)|"
    r"and\s+(?:the|its|to|on)\s|and\s+(?:called|calls|urges|welcomes|stresses)|while|whereas|"
    r"because|since|after|before|during|under\s+the|following|including|in\s+order|so\s+as|with\s+a\s+view|"
    r"with\s+regard|within|through|via|until|from\s+\d)\b")
_QUOTED = re.compile(r"^\s*(?:entitled\s+|titled\s+|called\s+|named\s+)?[\"“”]([^\"“”]{3,160})[\"“”]")
_ANAPHOR = re.compile(r"(?:\b(?:the|these|this|those|such|its|their|said)\s+)$", re.I)
_ADOPT = re.compile(r"\b(adopt(?:ed|s|ing)?|approv(?:ed|es|ing)|endors(?:ed|es|ing)|agreed\s+on|signed|"
                    r"reached\s+(?:an?\s+)?(?:political\s+|provisional\s+)?agreement)\b", re.I)
_PRESENT = re.compile(r"\b(present(?:ed|s|ing)?|publish(?:ed|es|ing)?|releas(?:ed|es|ing)|tabled|table[sd]?|"
                      r"propos(?:ed|es|ing)|launch(?:ed|es|ing)|issu(?:ed|es|ing)|unveil(?:ed|s)|put\s+forward|"
                      r"submitted|set\s+out|sets\s+out|drew\s+up|drawn\s+up|prepared|delivered|came\s+up\s+with|"
                      r"adopt(?:ed|s|ing)?|approv(?:ed|es)|endors(?:ed|es)|compiled|finali[sz]ed|"
                      r"made\s+(?:available|public))\b", re.I)
_PENDING = re.compile(r"\b(?:propos(?:al|als|ed)|draft|pending|negotiat\w*|trilogue\w*|plan(?:s|ned)?\s+to|"
                      r"will\s+(?:propose|present|table)|intends?\s+to|aim\w*\s+to|envisag\w*|files?\b|"
                      r"general\s+approach|advance\s+the|progress\s+(?:on|in)|conclud\w+\s+the|reach\s+an?\s+agreement|"
                      r"provisional\s+agreement)", re.I)
_ADOPTED_ACT = re.compile(r"\b(?:adopted|published|entered\s+into\s+force|enters\s+into\s+force|applies|"
                          r"transpos\w+|Official\s+Journal|signed|in\s+force|came\s+into)\b", re.I)
_JOINT = re.compile(r"of\s+the\s+European\s+Parliament\s+and\s+(?:of\s+)?the\s+Council", re.I)


@dataclass
class _Found:
    fact: DocumentFact
    sentence: Sentence
    span: tuple[int, int]
    tokens: set[str] = field(default_factory=set)


def _tokens(title: str) -> set[str]:
    stop = {"the", "of", "on", "and", "in", "for", "to", "a", "an", "eu", "european", "council", "by",
            "with", "against", "its", "at", "from", "s"}
    return {t for t in re.findall(r"[a-z0-9]+", title.lower()) if t not in stop}


def _same(a: set[str], b: set[str]) -> bool:
    if not a or not b:
        return False
    if 2 * len(a & b) / (len(a) + len(b)) >= 0.6:
        return True
    small, big = sorted((a, b), key=len)
    return small <= big and len(big) <= len(small) + 4


def find_documents(sents: list[Sentence], orgs: list[OrganisationFact], meetings: list[MeetingFact],
                   org_resolver, country_resolver, presidency_countries: list[str]) -> list[DocumentFact]:
    found: list[_Found] = []
    current_meeting: MeetingFact | None = None
    meeting_by_sentence = {m.evidence.offset: m for m in meetings if m.evidence}
    last_block = -1
    for s in sents:
        if s.kind == "heading":
            current_meeting = None
        if s.offset in meeting_by_sentence:
            current_meeting = meeting_by_sentence[s.offset]
        elif s.block != last_block and _starts_new_topic(s.text):
            current_meeting = None
        last_block = s.block
        for fact, span in _documents_in(s, org_resolver, country_resolver, presidency_countries, current_meeting):
            toks = _tokens(fact.title)
            twin = next((f for f in found if f.fact.type == fact.type and _same(f.tokens, toks)), None)
            if twin is None and fact.type in ("Regulation", "Directive", "Proposal"):
                # the same act named as a proposal and as an act: keep one, typed by what the text says last
                twin = next((f for f in found if f.fact.type in ("Regulation", "Directive", "Proposal")
                             and _same(f.tokens, toks) and len(toks) >= 2), None)
            if twin is not None:
                _merge(twin.fact, fact)
                continue
            found.append(_Found(fact, s, span, toks))
    return [f.fact for f in found]


def _starts_new_topic(text: str) -> bool:
    return bool(find_dates(text)) and bool(re.match(r"^(?:On|In|At)\b", text))


def _merge(into: DocumentFact, other: DocumentFact) -> None:
    into.date = into.date or other.date
    into.adopted_at = into.adopted_at or other.adopted_at
    into.by = into.by or other.by
    if len(other.title) > len(into.title) and into.generic:
        into.title, into.generic = other.title, other.generic


def _documents_in(s: Sentence, org_resolver, country_resolver, pres_countries, meeting):
    text = s.text
    taken: list[tuple[int, int]] = []
    out = []
    for m in _NUMBERED.finditer(text):
        kind = m.group(1)
        title = m.group(0).strip()
        taken.append((m.start(), m.end()))
        fact = DocumentFact(type=kind, title=title, evidence=s.evidence())
        if not _details(fact, s, m.start(), m.end(), org_resolver, country_resolver, pres_countries, meeting):
            fact.date = m.group(2)
        out.append((fact, (m.start(), m.end())))
    for m in _HEAD_RE.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        doc_type = HEADS[int(m.lastgroup[1:])][1]
        left = _left(text, m.start())
        right, right_end = _right(text, m.end())
        start = m.start() - len(left)
        head = m.group(0)
        if doc_type == "Report" and re.match(r"[Ee]valuation", head) and not right:
            continue
        if doc_type == "Agreement" and re.fullmatch(r"[Aa]greements?", head) and not (left or right):
            continue  # 'reached an agreement' is an event, not a document
        if not left.strip() and not right.strip():
            if doc_type == "Programme" and re.search(r"Presidency|trio", text, re.I):
                pass
            elif _ANAPHOR.search(text[:m.start()]) or doc_type in ("Other", "Proposal", "Report", "Agreement",
                                                                   "Strategy", "Decision", "Regulation", "Directive"):
                continue
        title = (left + head + right).strip()
        if re.match(r"(?i)^(?:the|a|an)\s", title):
            title = title.split(None, 1)[1]
        end = right_end
        taken.append((start, end))
        doc_type = _refine_type(doc_type, title, text, m.start())
        if doc_type is None:
            continue
        generic = len(_tokens(title)) <= 1
        fact = DocumentFact(type=doc_type, title=title, evidence=s.evidence(), generic=generic)
        _details(fact, s, start, end, org_resolver, country_resolver, pres_countries, meeting)
        out.append((fact, (start, end)))
    return out


def _left(text: str, at: int) -> str:
    words = list(re.finditer(r"\S+\s*$", text[:at]))
    prefix = text[:at]
    parts: list[str] = []
    while prefix:
        m = re.search(r"(\S+)(\s+)$", prefix)
        if not m:
            break
        word = m.group(1)
        if word in _LEFT_STOP or not _LEFT_OK.match(word.strip("\"“”")) or word.endswith((",", ";", ":", ")")):
            break
        if word in {"Council", "Commission", "Europol", "Eurojust", "Parliament"} and not parts:
            pass
        parts.insert(0, m.group(0))
        prefix = prefix[:m.start()]
        if len(parts) >= 6:
            break
    del words
    return "".join(parts)


def _right(text: str, at: int) -> tuple[str, int]:
    rest = text[at:]
    q = _QUOTED.match(rest)
    if q:
        return rest[:q.end()], at + q.end()
    if re.match(r"^\s*:\s*[A-Z]", rest) is None and _RIGHT_START.match(rest) is None:
        # a name that follows its head: 'Strategy ProtectEU', 'report EU-SOCTA 2025'
        return "", at
    stop = _RIGHT_STOP.search(rest, 1)
    end = stop.start() if stop else len(rest)
    phrase = rest[:end]
    words = phrase.split()
    if len(words) > 16:
        phrase = " ".join(words[:16])
        end = rest.find(words[15]) + len(words[15])
    # a quoted title inside the complement ends it: 'conclusions on the Europol report "Decoding ..."'
    if re.search(r"[\"“]\s*$", phrase):
        phrase = re.sub(r"\s*[\"“]\s*$", "", phrase)
    if rest[end:end + 1] in "\"“" :
        q2 = re.match(r"[\"“]([^\"”]{3,160})[\"”]", rest[end:])
        if q2:
            phrase = rest[:end + q2.end()]
            end += q2.end()
    return phrase.rstrip(), at + end


def _refine_type(doc_type: str, title: str, sentence: str, at: int) -> str | None:
    low = title.lower()
    if doc_type in ("Regulation", "Directive", "Decision") or re.search(r"\b(regulation|directive)\b", low):
        before = sentence[max(0, at - 60):at].lower()
        if re.search(r"\bpropos|draft\b|pending\b", before + " " + low[:30]):
            return "Proposal"
        if doc_type in ("Regulation", "Directive") and _PENDING.search(sentence) and not _ADOPTED_ACT.search(sentence):
            return "Proposal"
    if doc_type == "Proposal":
        return "Proposal"
    if doc_type == "Other" and re.fullmatch(r"(?i)(?:the\s+)?agenda", title):
        return None
    return doc_type


def _details(fact: DocumentFact, s: Sentence, start: int, end: int, org_resolver, country_resolver,
             pres_countries, meeting: MeetingFact | None) -> bool:
    """Fills date, adopted_at and by from the sentence; returns whether a date was found."""
    text = s.text
    low_title = fact.title.lower()
    # who
    if _JOINT.search(text[end:end + 80]) or _JOINT.search(fact.title):
        fact.by = [k for k in (org_resolver("European Parliament"), org_resolver("Council of the European Union")) if k]
    by = _agent(text, start, end, org_resolver, country_resolver)
    if by and not fact.by:
        fact.by = by
    if not fact.by and fact.type == "Programme":
        m = re.search(r"([A-Z]\w+)(?:['’]s)?\s+(?:Council\s+)?Presidency", fact.title + " " + text)
        c = country_resolver(m.group(1)) if m else None
        if c is not None:
            fact.by = [f"country:{c}"]
        elif len(pres_countries) == 1 and "trio" not in low_title:
            fact.by = [f"country:{pres_countries[0]}"]
    adopted_here = _ADOPT.search(text) is not None
    if fact.type == "Conclusions" and not fact.by and (adopted_here or re.search(r"\bMinisters?\b", text)):
        fact.by = [org_resolver("Council of the European Union")]
    # when
    if meeting is not None and adopted_here and fact.type not in ("Proposal",) and \
            re.search(r"\b(?:adopt|approv|endors|agreed)", text, re.I):
        fact.adopted_at = meeting
        fact.date = meeting.start
        if not fact.by and fact.type in ("Conclusions", "Recommendation", "Resolution"):
            fact.by = [org_resolver("Council of the European Union")]
        return True
    date = _date_for(text, start, end)
    if date:
        fact.date = date
        return True
    return False


_AGENT_NAMES = r"((?:the\s+)?(?:[A-Z][\w’'\-]*\s+){0,5}?(?:Commission|Council|Parliament|Europol|Eurojust|EPPO|" \
               r"OLAF|Frontex|Presidency|Office|Agency|Group|Network|Ministers?|[A-Z]{3,}|[A-Z][\w\-]+))"


def _agent(text: str, start: int, end: int, org_resolver, country_resolver) -> list[str]:
    before = text[:start]
    # premodifier: 'Commission proposal', "Europol's report", 'Council conclusions'
    pm = re.search(r"([A-Z][\w\-]+(?:\s+[A-Z][\w\-]+)?)(?:['’]s)?\s+(?:[a-z\-]+\s+){0,2}$", before + text[start:start])
    title_start = text[start:end]
    head_org = re.match(r"([A-Z][\w\-]+)(?:['’]s)?\s", title_start)
    for cand in (head_org.group(1) if head_org else None,):
        if cand:
            key = org_resolver(cand)
            if key and cand not in ("EU", "European"):
                return [key]
    # passive: '... presented by the Commission'
    after = text[end:end + 120]
    m = re.search(r"\b(?:adopted|presented|published|released|proposed|tabled|issued|launched|prepared|"
                  r"drawn\s+up|submitted|put\s+forward|approved|endorsed|compiled)\s+(?:\w+\s+)?by\s+"
                  + _AGENT_NAMES, after)
    if m:
        key = org_resolver(m.group(1))
        if key:
            return [key]
    # active: 'the Commission presented ...', 'EPPO released its first annual report'
    m = None
    for m in re.finditer(_AGENT_NAMES + r"(?:\s*\([A-Z]+\))?(?:\s+(?:has|have|had|also|formally|officially|"
                         r"finally|jointly|today|recently|then|was|were))*\s+"
                         + _PRESENT.pattern, before):
        pass
    if m is not None:
        names = re.split(r"\s+and\s+", m.group(1))
        keys = [k for k in (org_resolver(n) for n in names) if k]
        if keys:
            return keys
        c = re.match(r"(?:the\s+)?([A-Z]\w+)\s+(?:Council\s+)?Presidency", m.group(1))
        if c and country_resolver(c.group(1)):
            return [f"country:{country_resolver(c.group(1))}"]
    if pm:
        key = org_resolver(pm.group(1))
        if key and pm.group(1) not in ("EU", "European"):
            return [key]
    return []


def _date_for(text: str, start: int, end: int) -> str | None:
    """The date of the clause that names the document: 'of October 2023' right after it, 'on DATE'
    with its adoption verb, or the date that opens the sentence ('On 9 December 2020, ...')."""
    dates = [d for d in find_dates(text) if not (start <= d.start < end) or d.start >= end]
    if not dates:
        return None
    verb = _PRESENT.search(text)
    for d in dates:
        between = text[end:d.start]
        if 0 <= d.start - end <= 12 and re.match(r"^\s*(?:of|from|dated)\s*$", between):
            return d.value_start
    if verb is None:
        return None
    for d in dates:
        if d.precision == "range" or (d.value_end and d.value_end != d.value_start and d.precision == "day"):
            continue
        near_verb = abs(d.start - verb.end()) < 60 or abs(verb.start() - d.end) < 60
        opens = d.start < 25 and re.match(r"^(?:On|In|At|By|Since)?\s", text[:d.start] or " ") is not None
        if near_verb or opens:
            return d.value_start if d.precision != "half" else None
    return None
