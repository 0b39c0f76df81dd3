"""Topics of the reference scheme that a text is about, by their keywords."""
from __future__ import annotations

import re
from functools import lru_cache

from ..reference import Reference


@lru_cache(maxsize=4)
def _patterns(ref: Reference) -> list[tuple[str, re.Pattern]]:
    out = []
    for t in ref.topics:
        words = sorted({k.lower() for k in (t.keywords or ())} | {t.label.lower()}, key=len, reverse=True)
        out.append((t.key, re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.I)))
    return out


def find_topics(text: str, ref: Reference, minimum: int = 1) -> list[str]:
    """Topic keys whose keywords occur in the text at least `minimum` times, most frequent first."""
    counts = []
    for key, pattern in _patterns(ref):
        n = len(pattern.findall(text))
        if n >= minimum:
            counts.append((-n, key))
    return [key for _, key in sorted(counts)]
