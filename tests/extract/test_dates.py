"""Date mentions: days, day ranges, months, halves, years, and numbers that are not years."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jha_graph.extract.dates import DateMention, find_dates, parse_date

# text, [(span text, value_start, value_end, precision), ...]
CASES = [
    ("On 4 March 2024, the Council met.", [("4 March 2024", "2024-03-04", None, "day")]),
    ("on 22 February 2024", [("22 February 2024", "2024-02-22", None, "day")]),
    ("Meeting on 4/5 March 2024", [("4/5 March 2024", "2024-03-04", "2024-03-05", "day")]),
    ("4-5 March 2024", [("4-5 March 2024", "2024-03-04", "2024-03-05", "day")]),
    ("4–5 March 2024", [("4–5 March 2024", "2024-03-04", "2024-03-05", "day")]),
    ("4 – 5 March 2024", [("4 – 5 March 2024", "2024-03-04", "2024-03-05", "day")]),
    ("13 and 14 June 2024", [("13 and 14 June 2024", "2024-06-13", "2024-06-14", "day")]),
    ("30 November-1 December 2023", [("30 November-1 December 2023", "2023-11-30", "2023-12-01", "day")]),
    ("30 November to 1 December 2023",
     [("30 November to 1 December 2023", "2023-11-30", "2023-12-01", "day")]),
    ("from 1 June to 31 December 2021", [("1 June to 31 December 2021", "2021-06-01", "2021-12-31", "day")]),
    ("from 1 July 2023 to 31 December 2024",
     [("1 July 2023 to 31 December 2024", "2023-07-01", "2024-12-31", "day")]),
    ("30 December 2023 – 2 January 2024",
     [("30 December 2023 – 2 January 2024", "2023-12-30", "2024-01-02", "day")]),
    ("between 1 June and 31 December 2021",
     [("1 June and 31 December 2021", "2021-06-01", "2021-12-31", "day")]),
    ("on 4 and 11 March 2024", [("4", "2024-03-04", None, "day"), ("11 March 2024", "2024-03-11", None, "day")]),
    ("March 2024", [("March 2024", "2024-03", None, "month")]),
    ("in October 2023 the", [("October 2023", "2023-10", None, "month")]),
    ("in Sept. 2020", [("Sept. 2020", "2020-09", None, "month")]),
    ("in January/February 2024", [("January/February 2024", "2024-01", "2024-02", "month")]),
    ("the first half of 2024", [("first half of 2024", "2024-01-01", "2024-06-30", "half")]),
    ("the second half of 2023", [("second half of 2023", "2023-07-01", "2023-12-31", "half")]),
    ("In the First Half of 2020", [("First Half of 2020", "2020-01-01", "2020-06-30", "half")]),
    ("in 2024.", [("2024", "2024", None, "year")]),
    ("the 2022 report", [("2022", "2022", None, "year")]),
    ("the 2021-2025 EU Strategy", [("2021-2025", "2021", "2025", "year")]),
    ("Strategic Agenda 2024–2029", [("2024–2029", "2024", "2029", "year")]),
    ("priorities for 2018-19", [("2018-19", "2018", "2019", "year")]),
    ("March 4, 2024", [("March 4, 2024", "2024-03-04", None, "day")]),
    ("1st July 2023", [("1st July 2023", "2023-07-01", None, "day")]),
    ("the 4th of March 2024", [("4th of March 2024", "2024-03-04", None, "day")]),
    ("15 Oct 2025", [("15 Oct 2025", "2025-10-15", None, "day")]),
    ("Decisions of 2024", [("2024", "2024", None, "year")]),
    ("the 2nd of", []),
    ("12.12.2024", [("12.12.2024", "2024-12-12", None, "day")]),
    ("2024-03-04", [("2024-03-04", "2024-03-04", None, "day")]),
    ("25/12/2024", [("25/12/2024", "2024-12-25", None, "day")]),
    ("4/3/2024", []),  # day/month or month/day: ambiguous
    ("4\u00a0March\u00a02024", [("4\u00a0March\u00a02024", "2024-03-04", None, "day")]),
    ("31 February 2024", [("February 2024", "2024-02", None, "month")]),
    # numbers that are not years
    ("the EPPO dealt with 2832 crime reports", []),
    ("more than 2000 meetings took place", []),
    ("Directive 2017/1371 and Regulation (EU) 2024/3011", []),
    ("OJ L, 2024/1226", []),
    ("→ eucrim 4/2023, 317", []),
    ("COM(2023) 234 final", []),
    ("pp. 2019-2020", []),
    ("1927 active investigations", []),
    ("€2024 million", []),
    ("up to 2010 persons", []),
    ("in 1949 and 2036", []),
]


@pytest.mark.parametrize("text, expected", CASES, ids=[c[0] for c in CASES])
def test_find_dates(text, expected):
    got = [(d.text, d.value_start, d.value_end, d.precision) for d in find_dates(text)]
    assert got == expected
    for d in find_dates(text):
        assert text[d.start:d.end] == d.text


def test_several_mentions_in_order():
    text = ("The EPPO reported on its work from 1 June to 31 December 2021; its report of 24 March 2022 "
            "was discussed in the second half of 2022 and again in 2023.")
    got = [(d.value_start, d.value_end, d.precision) for d in find_dates(text)]
    assert got == [("2021-06-01", "2021-12-31", "day"), ("2022-03-24", None, "day"),
                   ("2022-07-01", "2022-12-31", "half"), ("2023", None, "year")]


@pytest.mark.parametrize("text, value", [
    ("17 April 2024", "2024-04-17"), ("  on 1 July 2023 ", "2023-07-01"), ("April 2024", "2024-04"),
    ("2024", "2024"), ("4/5 March 2024", "2024-03-04"), ("no date here", None), ("", None),
    ("March 4, 2024", "2024-03-04"),
])
def test_parse_date(text, value):
    assert parse_date(text) == value


@settings(max_examples=400, deadline=1000)
@given(st.text(max_size=300))
def test_find_dates_never_raises(text):
    found = find_dates(text)
    assert all(isinstance(d, DateMention) for d in found)
    last = 0
    for d in found:
        assert last <= d.start < d.end <= len(text)
        last = d.end
        assert d.precision in ("day", "month", "year", "half")


_PIECES = ["1", "4", "30", "31", "/", "-", "–", " ", "and", "to", "March", "February", "Sept.", "2024", "1999",
           "2035", "19", "first half of", "st", ",", ".", "May", "\u00a0", "12.12.", "the"]


@settings(max_examples=400, deadline=1000)
@given(st.lists(st.sampled_from(_PIECES), max_size=30))
def test_date_like_text_never_raises(pieces):
    text = " ".join(pieces)
    for d in find_dates(text):
        assert d.value_end is None or d.value_end >= d.value_start
        assert parse_date(d.text) is not None
