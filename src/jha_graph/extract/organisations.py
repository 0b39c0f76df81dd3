"""Organisations: names from the reference gazetteer, and new ones recognised by their head noun.

Every organisation the text names resolves to one node, whichever alias the text uses
("EPPO", "the European Public Prosecutor's Office", "the Office" once the EPPO was named).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..namespaces import slugify
from ..reference import Reference, is_acronym
from .model import OrganisationFact
from .text import Sentence
from .trie import alternation as _trie

# Head nouns that end the name of an organisation the reference data does not know (yet).
HEADS = (r"Network|Group|Centre|Center|Alliance|Mechanism|Hub|Office|Committee|Association|Platform|"
         r"Agency|Authority|Conference|Mission|Unit|Board|Forum|Tribunal|Council|Secretariat|Service|"
         r"Task Force|Taskforce|Observatory|Coalition|Partnership|Initiative|Court|Directorate|Cell")
_CAP = r"(?:[A-Z][\w'’\-/]*|EU|of|for|and|on|the|against|in|&)"
_NEW_ORG = re.compile(
    rf"\b((?:EU|European|International|[A-Z][\w’'\-]+)(?:[ -]{_CAP})*?\s(?:{HEADS}))"
    r"(\s(?:for|on|against|of)\s(?:the\s)?[a-z][\w\-]*(?:\s(?!which\b|that\b|who\b|is\b|was\b|has\b|will\b|and\b)[a-z][\w\-]*){0,5})?"
)
_NOT_ORG_START = {"The", "This", "These", "That", "A", "An", "Its", "Their", "In", "On", "At", "As", "With",
                  "Under", "For", "By", "From", "To", "And", "Both", "Each", "Every", "All", "Some", "Member",
                  "Home", "Justice", "Interior", "Ministers", "Minister", "Commissioner", "President", "Presidency",
                  "Trio", "Head", "Heads", "Director", "Executive", "Legal", "Permanent", "Management"}
# words that name the inner workings of a body ('Legal Service', 'Executive Board'), not a body of its own
_GENERIC = {"Legal", "Executive", "Management", "Permanent", "Operations", "College", "Support", "Central",
            "General", "Special", "Administrative", "Budget", "Staff", "Internal", "Audit", "Data", "Protection",
            "Service", "Board", "Unit", "Office", "Chambers", "Chamber", "Secretariat", "Directorate", "Cell",
            "Team", "Group", "Committee", "Council", "Court", "Agency", "Authority", "Network", "Centre", "Center",
            "Human", "Resources", "Finance", "Financial", "Security", "Information", "Technology", "and", "of",
            "the", "for", "on", "in"}


@dataclass(frozen=True)
class _Gazetteer:
    exact: re.Pattern  # case-sensitive surfaces (acronyms, names)
    folded: re.Pattern  # case-insensitive long names
    by_surface: dict


@lru_cache(maxsize=4)
def _gazetteer(ref: Reference) -> _Gazetteer:
    exact, folded, by_surface = [], [], {}
    for surface, org in ref.alias_patterns():
        key = surface if is_acronym(surface) else surface.lower()
        by_surface.setdefault(key, org)
        (exact if is_acronym(surface) else folded).append(surface)

    def quote(ch: str) -> str:  # either apostrophe matches either
        return "['’]" if ch in "'’" else re.escape(ch)

    return _Gazetteer(
        exact=re.compile(rf"(?<![\w-])(?:{_trie(exact, escape=quote)})(?![\w-])"),
        folded=re.compile(rf"(?<![\w-])(?:{_trie(folded, fold=True, escape=quote)})(?![\w-])", re.IGNORECASE),
        by_surface=by_surface,
    )


@lru_cache(maxsize=4)
def _contextual(ref: Reference) -> tuple[re.Pattern, dict[str, tuple]]:
    owners: dict[str, list] = {}
    for surface, org in ref.contextual_aliases():
        owners.setdefault(surface, []).append(org)
    pattern = re.compile(r"(?<![\w-])(?:" + _trie(owners) + r")(?![\w-])")
    return pattern, {k: tuple(v) for k, v in owners.items()}


def mentions(text: str, ref: Reference, named: set[str] | frozenset[str] = frozenset()) -> list[tuple[int, int, object]]:
    """Spans of the text that name an organisation of the reference data, with the organisation.

    Contextual aliases ('the Commission', 'the Office') count where they can stand for one organisation
    only: the only one the reference knows by that alias, or the only one of them already `named`.

    >>> from jha_graph.reference import default_reference
    >>> [m[2].key for m in mentions("The Council of Europe and the Commission met Europol.", default_reference())]
    ['council-of-europe', 'european-commission', 'europol']
    """
    return _mentions(text, ref, named)[0]


def _mentions(text: str, ref: Reference, named: set[str] | frozenset[str]) -> tuple[list[tuple[int, int, object]], bool]:
    """``mentions``, and whether its answer depends on ``named`` (a contextual alias several organisations
    share was met)."""
    gaz = _gazetteer(ref)
    ambiguous = False
    spans: list[tuple[int, int, object]] = []
    for pattern in (gaz.folded, gaz.exact):
        for m in pattern.finditer(text):
            if any(a <= m.start() < b or a < m.end() <= b for a, b, _ in spans):
                continue
            key = m.group(0) if pattern is gaz.exact else m.group(0).lower()
            org = gaz.by_surface.get(key) or gaz.by_surface.get(_norm_quote(key))
            if org is not None:
                spans.append((m.start(), m.end(), org))
    ctx_pattern, owners = _contextual(ref)
    for m in ctx_pattern.finditer(text):
        if any(a <= m.start() < b or a < m.end() <= b for a, b, _ in spans):
            continue
        candidates = owners.get(m.group(0), ())
        if len(candidates) > 1:
            ambiguous = True
            candidates = tuple(o for o in candidates if o.key in named)
        if len(candidates) == 1:  # the span is the name, without its article
            spans.append((m.start() + (4 if m.group(0).startswith("the ") else 0), m.end(), candidates[0]))
    return sorted(spans, key=lambda x: x[0]), ambiguous


def find_organisations(sents: list[Sentence], ref: Reference) -> list[OrganisationFact]:
    found: dict[str, OrganisationFact] = {}
    spans_by_sentence: dict[int, list[tuple[int, int]]] = {}

    def note(key: str, name: str, kind: str, surface: str, sent: Sentence, known: bool) -> None:
        if key not in found:
            found[key] = OrganisationFact(key=key, name=name, kind=kind, surface=surface,
                                          evidence=sent.evidence(), known=known)

    # two passes: an alias shared by several organisations ('the Office') resolves to one already named.
    # The second reads again only the sentences whose answer depends on what is named (one with such an
    # alias), and only if the first named something: for the others it would give the same spans and
    # note nothing new (what it notes is already found).
    def read(i: int, named: frozenset[str]) -> bool:
        """Note the organisations sentence ``i`` names; whether a shared alias was met."""
        s = sents[i]
        found_spans, ambiguous = _mentions(s.text, ref, named)
        spans_by_sentence[i] = [(a, b) for a, b, _ in found_spans]
        for a, b, org in found_spans:
            note(org.key, org.name, org.kind, s.text[a:b], s, True)
        return ambiguous

    named = frozenset(found)
    again = [i for i in range(len(sents)) if read(i, named)]
    if frozenset(found) != named:
        named = frozenset(found)
        for i in again:
            read(i, named)
    # organisations the reference does not know, by their head noun
    for i, s in enumerate(sents):
        for m in _NEW_ORG.finditer(s.text):
            name = (m.group(1) + (m.group(2) or "")).strip()
            name = re.sub(r"^(?:the|The)\s+", "", name)
            first = name.split()[0]
            if first in _NOT_ORG_START or len(name.split()) < 2:
                continue
            if any(a <= m.start() < b or a < m.end() <= b for a, b in spans_by_sentence.get(i, [])):
                continue
            if ref.organisation_by_name(name) is not None:
                continue
            if _looks_like_meeting_or_document(name) or re.match(
                    r"\s+(?:Acts?|Regulation|Directive|Decision|Strategy|Programme|Package|Agenda)\b", s.text[m.end():]):
                continue  # 'Digital Services Act' names a law, not a service
            if all(w in _GENERIC for w in re.findall(r"[\w’'\-]+", name)):
                continue
            if re.search(r"\b(?:for|of)\s+(?:\w+\s+)?(?:months?|years?|weeks?|days?)\b", name):
                continue
            note(slugify(name), name, _kind_of(name), name, s, False)
    return list(found.values())


def _norm_quote(s: str) -> str:
    return s.replace("’", "'")


def _looks_like_meeting_or_document(name: str) -> bool:
    return bool(re.search(r"\b(Conference|Council)\b$", name) and re.search(r"\b(Meeting|Summit)\b", name, re.I)) \
        or bool(re.search(r"\b(Regulation|Directive|Decision|Conclusions|Strategy|Report)\b", name))


def _kind_of(name: str) -> str:
    if re.search(r"\bNetwork\b", name):
        return "Network"
    if re.search(r"\b(Alliance|Platform|Mechanism|Hub|Initiative|Partnership|Coalition|Conference)\b", name):
        return "Initiative"
    if re.search(r"\b(Agency|Authority)\b", name):
        return "Agency"
    return "Other"
