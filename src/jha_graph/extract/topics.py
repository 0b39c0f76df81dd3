"""Topics of the reference scheme that a text is about, by their keywords."""
from __future__ import annotations

import re
from functools import lru_cache

from ..reference import Reference
from .trie import alternation


@lru_cache(maxsize=4)
def _pattern(ref: Reference) -> tuple[re.Pattern, dict[str, set[str]]]:
    """One alternation of every keyword (one pass over a text), and the topics each keyword signals."""
    topics_of: dict[str, set[str]] = {}
    for t in ref.topics:
        for word in {k.lower() for k in (t.keywords or ())} | {t.label.lower()}:
            topics_of.setdefault(word, set()).add(t.key)
    return re.compile(r"\b(?:" + alternation(topics_of, fold=True) + r")\b", re.I), topics_of


def find_topics(text: str, ref: Reference, minimum: int = 1) -> list[str]:
    """Topic keys whose keywords occur in the text at least `minimum` times, most frequent first.

    >>> from jha_graph.reference import default_reference
    >>> "drug-trafficking" in find_topics("The fight against cocaine trafficking", default_reference())
    True
    """
    pattern, topics_of = _pattern(ref)
    counts: dict[str, int] = {}
    for m in pattern.finditer(text):
        for key in topics_of.get(m.group(0).lower(), ()):
            counts[key] = counts.get(key, 0) + 1
    return [key for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if n >= minimum]
