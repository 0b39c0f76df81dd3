"""The answer cache (sparql/cache.py): what it keeps, what it drops, and when."""
from __future__ import annotations

import doctest

from jha_graph.sparql import cache
from jha_graph.sparql.cache import AnswerCache, etag, matches, request_key


def test_doctests():
    assert doctest.testmod(cache).failed == 0


def test_least_recently_used_answers_go_first_within_the_budget():
    c = AnswerCache(max_bytes=8 * (100 + cache._OVERHEAD))  # room for 8 answers of 100 bytes
    body = b"x" * 100
    for i in range(8):
        assert c.put("g", request_key(f"q{i}"), body, "json")
    assert c.get("g", request_key("q0")) is not None  # q0 is now the most recently used
    c.put("g", request_key("q8"), body, "json")
    assert c.get("g", request_key("q1")) is None  # the least recently used went
    assert c.get("g", request_key("q0")) is not None and c.get("g", request_key("q8")) is not None
    assert len(c) == 8 and c.size <= c.max_bytes


def test_an_answer_larger_than_an_eighth_is_not_kept():
    c = AnswerCache(max_bytes=8000)
    assert not c.put("g", request_key("big"), b"x" * 1000, "json")
    assert c.get("g", request_key("big")) is None and c.size == 0
    assert c.put("g", request_key("small"), b"x" * 700, "json")


def test_putting_a_key_again_replaces_it_and_counts_once():
    c = AnswerCache(max_bytes=10_000)
    c.put("g", request_key("q"), b"a" * 500, "json")
    c.put("g", request_key("q"), b"b" * 300, "xml")
    assert c.get("g", request_key("q")) == (b"b" * 300, "xml")
    assert c.size == 300 + cache._OVERHEAD


def test_a_new_generation_drops_everything():
    c = AnswerCache(max_bytes=10_000)
    c.put("g1", request_key("q"), b"old", "json")
    assert c.get("g2", request_key("q")) is None and len(c) == 0 and c.size == 0
    assert c.put("g2", request_key("r"), b"new", "json")
    assert c.get("g2", request_key("r")) == (b"new", "json")


def test_an_answer_that_ran_across_a_write_is_not_kept():
    """Request A reads generation g1 and runs its query; a write comes, request B sees g2; A ends."""
    c = AnswerCache(max_bytes=10_000)
    assert c.get("g1", request_key("a")) is None
    assert c.get("g2", request_key("b")) is None
    assert c.put("g2", request_key("b"), b"fresh", "json")
    assert not c.put("g1", request_key("a"), b"maybe stale", "json")
    assert c.get("g2", request_key("b")) == (b"fresh", "json") and len(c) == 1


def test_every_part_of_the_request_is_in_the_key():
    parts = ["SELECT * {}", "http://h/sparql", ["http://g/1"], None, False, "json", None, 1000]
    base = etag("g", request_key(*parts))
    for i, other in enumerate(["ASK {}", "http://other/sparql", ["http://g/2"], ["http://g/1"], True, "xml",
                               "ttl", 10]):
        changed = list(parts)
        changed[i] = other
        assert etag("g", request_key(*changed)) != base, f"part {i} is not in the key"


def test_if_none_match_lists_and_the_star():
    tag = etag("g", request_key("q"))
    assert matches(f'"x", {tag}', tag) and matches("*", tag)
    assert not matches('W/"x"', tag) and not matches("", tag)
