"""Answers to repeated queries, kept for as long as the store stays the same.

An endpoint is asked the same queries again and again: a tool that polls, a notebook run anew, a page
every visitor loads, the same lookup from many clients.  An answer depends on the request (the query,
its dataset, the negotiated format, the base IRI, the result limit) and on the store's contents, which
the store's generation fingerprints (``snapshot.store_generation``).  So an answer computed at one
generation may be given again, byte for byte, until the generation changes; then every kept answer is
dropped at once, since none can be given any more.

The same two things make a validator: ``etag`` is a weak entity tag (weak because an answer computed
again may name its blank nodes differently), so a client that sends it back in ``If-None-Match`` gets a
304 without the query running at all.

>>> cache = AnswerCache(max_bytes=10_000)
>>> key = request_key("SELECT * WHERE { ?s ?p ?o }", "json")
>>> cache.get("g1", key) is None
True
>>> cache.put("g1", key, b'{"head": {}}', "json")
True
>>> cache.get("g1", key)
(b'{"head": {}}', 'json')
>>> cache.get("g2", key) is None   # the store changed
True
>>> len(cache)
0
"""
from __future__ import annotations

import collections
import hashlib

# What an entry costs besides its answer: the key's strings, the tuple, the dict and list slots.
_OVERHEAD = 200


def request_key(*parts) -> tuple:
    """The parts of a request an answer depends on, as a hashable key (lists become tuples)."""
    return tuple(tuple(p) if isinstance(p, list) else p for p in parts)


def etag(generation: str, key: tuple) -> str:
    """A weak entity tag for the answer to ``key`` at ``generation``.

    >>> etag("g1", ("q", "json")) == etag("g1", ("q", "json")) != etag("g2", ("q", "json"))
    True
    """
    digest = hashlib.blake2b(repr((generation, key)).encode(), digest_size=12).hexdigest()
    return f'W/"{digest}"'


def matches(if_none_match: str | None, tag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``tag`` (or is ``*``), compared weakly (RFC 9110, 13.1.2).

    >>> matches('W/"a", W/"b"', 'W/"b"'), matches('"b"', 'W/"b"'), matches('"c"', 'W/"b"'), matches(None, 'W/"b"')
    (True, True, False, False)
    """
    if not if_none_match:
        return False
    opaque = tag.removeprefix("W/")
    return any(t.strip() == "*" or t.strip().removeprefix("W/") == opaque for t in if_none_match.split(","))


class AnswerCache:
    """At most ``max_bytes`` of answers of the current generation, the least recently used dropped
    first.  An answer larger than ``max_bytes // 8`` is not kept: it would push out many smaller ones,
    and its size, not the query, is then what costs.  Not thread-safe: the event loop alone uses it."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max(0, int(max_bytes))
        self.max_answer = self.max_bytes // 8
        self.size = 0
        self.generation: str | None = None
        self._answers: collections.OrderedDict[tuple, tuple[bytes, str]] = collections.OrderedDict()

    def __len__(self) -> int:
        return len(self._answers)

    def _at(self, generation: str) -> None:
        if generation != self.generation:
            self._answers.clear()
            self.size, self.generation = 0, generation

    def get(self, generation: str, key: tuple) -> tuple[bytes, str] | None:
        """The kept answer (body, format) to ``key`` at ``generation``, or None.  A new generation drops
        every kept answer, and only answers of it are kept from then on."""
        self._at(generation)
        found = self._answers.get(key)
        if found is not None:
            self._answers.move_to_end(key)
        return found

    def put(self, generation: str, key: tuple, body: bytes, fmt: str) -> bool:
        """Keep an answer computed at ``generation``; False when it is too large to keep, or was computed
        at another generation than the last ``get`` saw (a write came while it ran: it may be stale)."""
        cost = len(body) + _OVERHEAD
        if cost > self.max_answer or (self.generation is not None and generation != self.generation):
            return False
        self._at(generation)
        old = self._answers.pop(key, None)
        if old is not None:
            self.size -= len(old[0]) + _OVERHEAD
        self._answers[key] = (body, fmt)
        self.size += cost
        while self.size > self.max_bytes:
            _, (dropped, _fmt) = self._answers.popitem(last=False)
            self.size -= len(dropped) + _OVERHEAD
        return True
