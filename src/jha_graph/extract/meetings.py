"""Meetings with a stated date: Council meetings, informal meetings, summits, high-level meetings.

A meeting is a meeting cue ('JHA Council', 'informal meeting', 'summit', 'high-level meeting',
'videoconference of the Ministers of Justice') with a day or a day range close to it in the
same sentence.  Its kind follows from the cue, its presidency later from the calendar.
"""
from __future__ import annotations

import re

from .dates import find_dates
from .model import MeetingFact
from .text import Sentence

_JHA = r"(?:Justice\s+and\s+Home\s+Affairs|JHA|Justice|Home\s+Affairs)"
CUES: list[tuple[str, re.Pattern]] = [
    ("Informal JHA", re.compile(rf"\binformal\s+(?:{_JHA}\s+)?(?:Council\s+)?(?:meeting|videoconference|council)"
                                rf"(?:\s+of\s+(?:the\s+)?(?:EU\s+)?{_JHA}\s+Ministers)?", re.I)),
    ("High-level meeting", re.compile(r"\bhigh[- ]level\s+(?:meeting|conference|dialogue|forum|event)"
                                      r"(?:\s+(?:of|on|between)\s+(?:the\s+)?[\w\-]+(?:\s+[\w\-]+){0,8})?", re.I)),
    ("European Council", re.compile(r"\bEuropean\s+Council(?:\s+(?:summit|meeting))?(?!\s+(?:conclusions|Presidency))"
                                    r"|\b(?:EU\s+)?summit(?:\s+in\s+[A-Z]\w+)?", re.I)),
    ("JHA Council", re.compile(
        rf"\b(?:{_JHA}\s*(?:\(JHA\)\s*)?Council(?:\s+[Mm]eeting)?"
        rf"|(?:meeting|videoconference|video\s+conference)\s+of\s+(?:the\s+)?(?:EU\s+)?(?:{_JHA})\s+[Mm]inisters"
        rf"(?:\s+of\s+the\s+EU\s+Member\s+States)?"
        rf"|(?:meeting|videoconference)\s+of\s+the\s+Ministers\s+of\s+(?:Justice|the\s+Interior|Home\s+Affairs)"
        rf"(?:\s+of\s+the\s+EU\s+Member\s+States)?"
        rf"|Council\s+meeting)")),
    ("Other Council", re.compile(r"\b(?:General\s+Affairs|Foreign\s+Affairs|ECOFIN|Economic\s+and\s+Financial\s+Affairs|"
                                 r"Competitiveness|Employment)\s+Council(?:\s+meeting)?")),
    ("Other", re.compile(r"\b(?:ministerial\s+(?:meeting|conference)|conference|forum|summit)\b", re.I)),
]
_PLACE = re.compile(r"\bin\s+([A-Z][a-zäöüéèçñ]+(?:[- ][A-Z][a-zäöüéèçñ]+)?)")
_NOT_PLACE = {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December", "Europe", "EU", "Council", "Member", "Latin", "The", "This", "June"}
_WINDOW = 90  # characters between the cue and its date


def find_meetings(sents: list[Sentence], country_names: set[str] | None = None) -> list[MeetingFact]:
    found: dict[tuple[str, str | None], MeetingFact] = {}
    for s in sents:
        dates = [d for d in find_dates(s.text) if d.precision == "day"]
        if not dates:
            continue
        taken: list[tuple[int, int]] = []
        for kind, pattern in CUES:
            for m in pattern.finditer(s.text):
                if any(a <= m.start() < b for a, b in taken):
                    continue
                d = _nearest(dates, m.start(), m.end())
                if d is None:
                    continue
                taken.append((m.start(), m.end()))
                label = _label(m.group(0))
                location = _location(s.text, m, country_names or set())
                key = (d.value_start, d.value_end)
                if key in found:
                    continue
                found[key] = MeetingFact(kind=kind, label=label, start=d.value_start,
                                         end=d.value_end or d.value_start, location=location,
                                         evidence=s.evidence())
    return list(found.values())


def _nearest(dates, start: int, end: int):
    best, best_gap = None, _WINDOW + 1
    for d in dates:
        gap = d.start - end if d.start >= end else start - d.end
        if gap < best_gap:
            best, best_gap = d, gap
    return best


def _label(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _location(text: str, m: re.Match, countries: set[str]) -> str | None:
    window = text[m.start(): m.end() + 60]
    p = _PLACE.search(window)
    if p and p.group(1) not in _NOT_PLACE and p.group(1) not in countries:
        return p.group(1)
    return None
