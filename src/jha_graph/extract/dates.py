"""Date mentions in running text: days, day ranges, months, halves of a year, years.

>>> [(d.text, d.value_start, d.value_end, d.precision) for d in find_dates("On 4/5 March 2024 and in the first half of 2024.")]
[('4/5 March 2024', '2024-03-04', '2024-03-05', 'day'), ('first half of 2024', '2024-01-01', '2024-06-30', 'half')]
>>> parse_date("17 April 2024")
'2024-04-17'

Values are ISO strings of the precision the text gives ('2024-03-04', '2024-03', '2024'); a range
has ``value_end`` (same precision), a single date has ``value_end = None``, except halves of a
year, which are always given as their first and last day.  Years are 1950-2035 only, and a
four-digit number counts as a year only where the context allows it (not '2832 crime reports',
not 'Directive 2017/1371', not 'eucrim 4/2023', not 'pp. 2020-2021').
"""
from __future__ import annotations

import bisect
import calendar
import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["DateMention", "find_dates", "parse_date", "MONTHS"]


@dataclass(frozen=True)
class DateMention:
    start: int  # character offsets of the mention in the text
    end: int
    value_start: str  # ISO: 'YYYY-MM-DD' | 'YYYY-MM' | 'YYYY'
    value_end: str | None  # the end of a range, same precision; None for a single date
    precision: str  # 'day' | 'month' | 'year' | 'half'
    text: str  # the text of the mention


MONTHS: dict[str, int] = {}
for _i, _name in enumerate(calendar.month_name):
    if _name:
        MONTHS[_name.lower()] = _i
        MONTHS[_name[:3].lower()] = _i
MONTHS["sept"] = 9

_MONTH_NAMES = "|".join(n for n in calendar.month_name if n)
# full names, or abbreviations ('Sept.', 'Dec', 'Oct.'); 'May' has no abbreviation
_MON = (rf"(?:(?:{_MONTH_NAMES})\b|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)(?:\.|\b))")
_DAY = r"(?:3[01]|[12][0-9]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:19[5-9][0-9]|20[0-2][0-9]|203[0-5])"
_SP = r"[ \t\u00a0\u202f\u2009]+"  # spaces inside a date (no line breaks)
_OSP = r"[ \t\u00a0\u202f\u2009]*"
_DASH = r"[-\u2010\u2011\u2012\u2013\u2014\u2015\u2212]"
# between the two ends of a range: '4/5', '4-5', '4 – 5', '4 to 5', '4 until 5'
_RSEP = rf"(?:{_OSP}(?:{_DASH}|/){_OSP}|{_SP}(?:to|until|till|through){_SP})"
_AND = rf"{_SP}and{_SP}"

_B = r"(?<![\w/.\-\u2010\u2011])"  # no word, slash or dot just before
_E = r"(?![\w/]|[.,]\d|[\-\u2010\u2011]\d)"  # no word or '/', '.5', '-5' just after

_PATTERNS: list[tuple[str, re.Pattern]] = [
    # 30 December 2023 - 2 January 2024 / from 1 July 2023 to 31 December 2024 / between ... and ...
    ("dmy-dmy", re.compile(
        rf"{_B}(?P<d1>{_DAY}){_SP}(?P<m1>{_MON}),?{_SP}(?P<y1>{_YEAR})(?:{_RSEP}|(?P<and>{_AND}))"
        rf"(?P<d2>{_DAY}){_SP}(?P<m2>{_MON}),?{_SP}(?P<y2>{_YEAR}){_E}")),
    # 30 November-1 December 2023 / 1 June to 31 December 2021
    ("dm-dmy", re.compile(
        rf"{_B}(?P<d1>{_DAY}){_SP}(?P<m1>{_MON})(?:{_RSEP}|(?P<and>{_AND}))"
        rf"(?P<d2>{_DAY}){_SP}(?P<m2>{_MON}),?{_SP}(?P<y2>{_YEAR}){_E}")),
    # 4/5 March 2024, 4-5 March 2024, 4–5 March 2024, 13 and 14 June 2024
    ("d-dmy", re.compile(
        rf"{_B}(?P<d1>{_DAY})(?:{_RSEP}|(?P<and>{_AND}))(?P<d2>{_DAY}){_SP}(?P<m2>{_MON}),?{_SP}(?P<y2>{_YEAR}){_E}")),
    # 4 March 2024, 1st July 2023, 4 March, 2024
    ("dmy", re.compile(rf"{_B}(?P<d1>{_DAY}){_SP}(?:of{_SP})?(?P<m1>{_MON}),?{_SP}(?P<y1>{_YEAR}){_E}")),
    # March 4-5, 2024 (US order)
    ("md-dy", re.compile(
        rf"{_B}(?P<m1>{_MON}){_SP}(?P<d1>{_DAY})(?:{_RSEP}|(?P<and>{_AND}))(?P<d2>{_DAY}),?{_SP}(?P<y2>{_YEAR}){_E}")),
    # March 4, 2024 (US order)
    ("mdy", re.compile(rf"{_B}(?P<m1>{_MON}){_SP}(?P<d1>{_DAY}),{_OSP}(?P<y1>{_YEAR}){_E}")),
    # January 2024 to June 2024
    ("my-my", re.compile(
        rf"{_B}(?P<m1>{_MON}){_SP}(?P<y1>{_YEAR})(?:{_RSEP}|(?P<and>{_AND}))(?P<m2>{_MON}){_SP}(?P<y2>{_YEAR}){_E}")),
    # January/February 2024, March to May 2024
    ("m-my", re.compile(
        rf"{_B}(?P<m1>{_MON})(?:{_RSEP}|(?P<and>{_AND}))(?P<m2>{_MON}){_SP}(?P<y2>{_YEAR}){_E}")),
    # March 2024, March, 2024
    ("my", re.compile(rf"{_B}(?P<m1>{_MON}),?{_SP}(?P<y1>{_YEAR}){_E}")),
    # the first half of 2024, the second half of the year 2023, H1 2024
    ("half", re.compile(
        rf"{_B}(?:(?P<half>first|second|1st|2nd){_SP}half{_SP}of{_SP}(?:the{_SP}(?:year{_SP})?)?(?P<y1>{_YEAR})"
        rf"|H(?P<hn>[12]){_SP}(?P<y2>{_YEAR})){_E}", re.I)),
    # ISO 2024-03-04
    ("iso", re.compile(rf"(?<![\w/.\-])(?P<y1>{_YEAR})-(?P<m1>0[1-9]|1[0-2])-(?P<d1>0[1-9]|[12][0-9]|3[01])(?![\w/\-]|\.\d)")),
    # 12.12.2024 (day.month.year, the European order; unambiguous with dots)
    ("dotted", re.compile(rf"(?<![\w/.\-])(?P<d1>0?[1-9]|[12][0-9]|3[01])\.(?P<m1>0?[1-9]|1[0-2])\.(?P<y1>{_YEAR})(?![\w/\-]|\.\d)")),
    # 12/12/2024 only when it reads the same in both orders or the first number can only be a day
    ("slashed", re.compile(rf"(?<![\w/.\-])(?P<a>\d{{1,2}})/(?P<b>\d{{1,2}})/(?P<y1>{_YEAR})(?![\w/\-]|\.\d)")),
    # 2021-2025, 2018-19, 2024–2029, between 2019 and 2021
    ("y-y", re.compile(rf"{_B}(?P<y1>{_YEAR})(?:{_OSP}(?:{_DASH}|/){_OSP}|{_SP}to{_SP}|(?P<and>{_AND}))(?P<y2>{_YEAR}|\d\d){_E}")),
    ("y", re.compile(rf"{_B}(?P<y1>{_YEAR}){_E}")),
]

# a 4-digit number is not a year after these words ('No. 2004', 'pp. 2019-2020', 'COM(2023)')
_NOT_YEAR_BEFORE = re.compile(
    r"(?:\b(?:No|Nos|Nr|Art|Arts|Article|Articles|para|paras|paragraph|p|pp|page|pages|Vol|vol|volume|"
    r"number|ref|case|Case|C|T|ISSN|ISBN|Doc|doc|document|Document|COM|SWD|JOIN|SEC|OJ|L|C)\.?"
    r"|[€$£]|\bEUR|\bUSD|\bGBP|[(\[]\s*COM|COM\s*\()\s*\(?$")
_COUNT_BEFORE = re.compile(
    r"\b(?:some|about|approximately|approx\.|around|over|nearly|almost|than|total\s+of|up\s+to|at\s+least|"
    r"at\s+most|only|just|exactly|roughly|estimated|another|additional|further)\s+$", re.I)
# ... nor before these ('2000 meetings', '2024 %', '1999 million')
_NOT_YEAR_AFTER = re.compile(r"^\s*(?:%|per\s*cent|percent|million|billion|thousand|m\b|bn\b|km|kg|€|EUR\b|euros?\b)", re.I)
_PLURAL_AFTER = re.compile(r"^[ \u00a0]+([a-z]{3,}s)\b")
_NOT_PLURAL = {"was", "has", "is", "as", "its", "this", "thus", "plus", "across", "versus", "whereas",
               "does", "always", "less", "unless", "regardless", "nevertheless", "process", "access",
               "progress", "business", "congress", "success", "address", "witness", "analysis",
               "basis", "crisis", "status", "focus", "onwards", "towards", "afterwards"}
_YEAR_CUE_BEFORE = re.compile(
    r"\b(?:in|since|until|till|by|from|to|of|for|before|after|during|early|late|mid|end|beginning|start|"
    r"spring|summer|autumn|fall|winter|year|years|the|and|or|between|throughout|as\s+of|through)\s*-?\s*$", re.I)


def _day_ok(y: int, m: int, d: int) -> bool:
    return 1 <= m <= 12 and 1 <= d <= calendar.monthrange(y, m)[1]


def _num(s: str) -> int:
    return int(re.match(r"\d+", s).group(0))


def _month(s: str) -> int:
    return MONTHS[s.rstrip(".").lower()]


def _iso(y: int, m: int | None = None, d: int | None = None) -> str:
    if m is None:
        return f"{y:04d}"
    if d is None:
        return f"{y:04d}-{m:02d}"
    return f"{y:04d}-{m:02d}-{d:02d}"


def _year_allowed(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 25):start]
    after = text[end:end + 20]
    if _NOT_YEAR_BEFORE.search(before) or _NOT_YEAR_AFTER.match(after):
        return False
    if _COUNT_BEFORE.search(before):
        return False
    p = _PLURAL_AFTER.match(after)
    if p and p.group(1) not in _NOT_PLURAL and not _YEAR_CUE_BEFORE.search(before):
        return False  # '2000 meetings', but 'in 2023 reports showed' is a year
    return True


_BETWEEN = re.compile(r"\bbetween\s+$", re.I)


def _interpret(kind: str, m: re.Match, text: str) -> list[tuple[int, int, str, str | None, str]]:
    """The mentions a match stands for: usually one, two for '4 and 11 March 2024'."""
    g = m.groupdict()
    s, e = m.start(), m.end()
    between = bool(_BETWEEN.search(text[max(0, s - 12):s]))
    try:
        if kind in ("dmy-dmy", "dm-dmy", "d-dmy", "md-dy"):
            y2 = int(g["y2"])
            y1 = int(g["y1"]) if g.get("y1") else y2
            m2 = _month(g["m2"]) if g.get("m2") else _month(g["m1"])
            m1 = _month(g["m1"]) if g.get("m1") else m2
            d1, d2 = _num(g["d1"]), _num(g["d2"])
            if not g.get("y1") and (m1, d1) > (m2, d2):
                y1 = y2 - 1  # '30 December-2 January 2024'
            if not (_day_ok(y1, m1, d1) and _day_ok(y2, m2, d2)):
                return []
            a, b = _iso(y1, m1, d1), _iso(y2, m2, d2)
            if b < a:
                return []
            if g.get("and") and not between and not (m1 == m2 and y1 == y2 and d2 == d1 + 1):
                # '4 and 11 March 2024', '4 March and 5 April 2024': two dates
                if kind == "dmy-dmy":
                    return []  # each is found on its own
                first_end = m.end("m1") if g.get("m1") and kind != "md-dy" else m.end("d1")
                second_start = m.start("d2") if kind != "md-dy" else m.start("d2")
                if kind == "md-dy":
                    return []
                return [(s, first_end, a, None, "day"), (second_start, e, b, None, "day")]
            return [(s, e, a, (b if b != a else None), "day")]
        if kind in ("dmy", "mdy", "iso", "dotted"):
            mo = int(g["m1"]) if g["m1"].isdigit() else _month(g["m1"])
            y, d = int(g["y1"]), _num(g["d1"])
            return [(s, e, _iso(y, mo, d), None, "day")] if _day_ok(y, mo, d) else []
        if kind == "slashed":
            a1, b1, y = int(g["a"]), int(g["b"]), int(g["y1"])
            if (a1 == b1 or a1 > 12) and _day_ok(y, b1, a1):
                return [(s, e, _iso(y, b1, a1), None, "day")]
            return []
        if kind in ("my-my", "m-my"):
            y2 = int(g["y2"])
            y1 = int(g["y1"]) if g.get("y1") else y2
            m1, m2 = _month(g["m1"]), _month(g["m2"])
            if not g.get("y1") and m1 > m2:
                y1 = y2 - 1
            a, b = _iso(y1, m1), _iso(y2, m2)
            if b <= a:
                return []
            if g.get("and") and not between:
                if kind == "my-my":
                    return []
                return [(s, m.end("m1"), a, None, "month"), (m.start("m2"), e, b, None, "month")]
            return [(s, e, a, b, "month")]
        if kind == "my":
            return [(s, e, _iso(int(g["y1"]), _month(g["m1"])), None, "month")]
        if kind == "half":
            y = int(g["y1"] or g["y2"])
            first = (g.get("half") or "").lower() in ("first", "1st") or g.get("hn") == "1"
            a, b = (f"{y}-01-01", f"{y}-06-30") if first else (f"{y}-07-01", f"{y}-12-31")
            return [(s, e, a, b, "half")]
        if kind == "y-y":
            y1 = int(g["y1"])
            t = g["y2"]
            y2 = int(t) if len(t) == 4 else (y1 // 100) * 100 + int(t)
            if not (y1 < y2 <= y1 + 50) or not (1950 <= y2 <= 2035):
                return []
            if g.get("and") and not between:
                return []
            if not _year_allowed(text, s, e):
                return []
            return [(s, e, str(y1), str(y2), "year")]
        if kind == "y":
            return [(s, e, g["y1"], None, "year")] if _year_allowed(text, s, e) else []
    except (KeyError, ValueError, AttributeError, TypeError, IndexError):
        return []
    return []


_ANY_DIGIT = re.compile(r"[0-9]")  # every pattern needs one (a year, a day or a month number)


def find_dates(text: str) -> list[DateMention]:
    """Every date mention in ``text``, in text order, not overlapping (the longest reading wins)."""
    if not isinstance(text, str) or not text or not _ANY_DIGIT.search(text):
        return []
    return list(_find_dates(text))


@lru_cache(maxsize=4096)
def _find_dates(text: str) -> tuple[DateMention, ...]:
    # the extractors ask about the same sentence several times (presidencies, meetings, documents)
    candidates: list[DateMention] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            for a0, b0, v1, v2, precision in _interpret(kind, m, text):
                candidates.append(DateMention(a0, b0, v1, v2, precision, text[a0:b0]))
    # longest first, then earliest; keep those that do not overlap a kept one
    candidates.sort(key=lambda d: (-(d.end - d.start), d.start))
    starts: list[int] = []  # the kept mentions, sorted by start (they never overlap)
    kept: list[DateMention] = []
    for d in candidates:
        i = bisect.bisect_right(starts, d.start)
        if i > 0 and kept[i - 1].end > d.start:
            continue
        if i < len(kept) and kept[i].start < d.end:
            continue
        starts.insert(i, d.start)
        kept.insert(i, d)
    return tuple(kept)


def parse_date(text: str) -> str | None:
    """The ISO value of the first date in a short phrase ('17 April 2024' -> '2024-04-17'), else None.

    For a range the start is returned; for a half its first day.
    """
    found = find_dates(text or "")
    return found[0].value_start if found else None
