"""Sentence splitting with the abbreviations, initials and markers of eucrim news."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jha_graph.extract.sentences import split_sentences

CASES = [
    ("The Council met. It adopted conclusions.", ["The Council met.", "It adopted conclusions."]),
    ("It met e.g. in Brussels, i.e. at the Council. Then it left.",
     ["It met e.g. in Brussels, i.e. at the Council.", "Then it left."]),
    ("See Art. 5 and No. 3 of para. 2 on p. 4 and pp. 5-6 in Vol. 19. Next.",
     ["See Art. 5 and No. 3 of para. 2 on p. 4 and pp. 5-6 in Vol. 19.", "Next."]),
    ("Cornelia Riehle LL.M. wrote it. She did.", ["Cornelia Riehle LL.M. wrote it.", "She did."]),
    ("cf. the report vs. the plan. Done.", ["cf. the report vs. the plan.", "Done."]),
    ("The article by E. Sason, C. Monti & P. Olivares-Martinez appeared. Good.",
     ["The article by E. Sason, C. Monti & P. Olivares-Martinez appeared.", "Good."]),
    ("Prices in the U.S. are high. Next.", ["Prices in the U.S. are high.", "Next."]),
    ("Drugs, arms, etc. are covered. Next.", ["Drugs, arms, etc. are covered.", "Next."]),
    ("A priority (→ eucrim 4/2023, 317). The next one.",
     ["A priority (→ eucrim 4/2023, 317).", "The next one."]),
    ("It was asked for (→eucrim 4/2024. 270-271) by the Group. Next.",
     ["It was asked for (→eucrim 4/2024. 270-271) by the Group.", "Next."]),
    ("It was launched (see eucrim 2/2019, p. 84). The report followed.",
     ["It was launched (see eucrim 2/2019, p. 84).", "The report followed."]),
    ('Under the motto "Together. Resilient. Europe." According to it, all is well.',
     ['Under the motto "Together. Resilient. Europe."', "According to it, all is well."]),
    ("Why? Because! Really.", ["Why?", "Because!", "Really."]),
    ("UPDATE:\nAt the meeting, it agreed.\n- First item;\n- Second item.",
     ["UPDATE:", "At the meeting, it agreed.", "- First item;", "- Second item."]),
    ("Key figures\n\nIn 2021, it dealt with 2832 cases. It opened 576.",
     ["Key figures", "In 2021, it dealt with 2832 cases.", "It opened 576."]),
    ("31 December 2021 marked the end. 1 January 2022 marked a start.",
     ["31 December 2021 marked the end.", "1 January 2022 marked a start."]),
    ("It costs €19.2 billion. That is 31.8% more.", ["It costs €19.2 billion.", "That is 31.8% more."]),
    ("", []),
    ("   \n  ", []),
]


@pytest.mark.parametrize("text, expected", CASES, ids=[c[0][:40] for c in CASES])
def test_split_sentences(text, expected):
    got = split_sentences(text)
    assert [s for _, s in got] == expected
    for off, s in got:
        assert text[off:off + len(s)] == s


@settings(max_examples=400, deadline=1000)
@given(st.text(alphabet=st.sampled_from(list("aB. (→)\n?!\"“”eucrim4/2023,317pLL.M")) | st.characters(),
               max_size=300))
def test_offsets_point_at_the_sentences(text):
    last = 0
    for off, s in split_sentences(text):
        assert s and s == s.strip()
        assert text[off:off + len(s)] == s
        assert off >= last
        last = off + len(s)
